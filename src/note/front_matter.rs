//! TOML front matter between `+++` lines at the top of a note file.

use crate::span::Span;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Which LinkedIn account sends the note; it sets the hard character limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Account {
    /// 200-character limit on notes.
    Free,
    /// 300-character limit on notes (the default).
    #[default]
    Premium,
}

impl Account {
    /// The note length limit LinkedIn enforces, in characters.
    pub fn limit(&self) -> usize {
        match self {
            Account::Free => 200,
            Account::Premium => 300,
        }
    }

    /// `free` or `premium`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Account::Free => "free",
            Account::Premium => "premium",
        }
    }
}

/// What kind of LinkedIn message a note is; rules and rulebooks may treat
/// each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Channel {
    /// A connection-request note: 300 characters (200 on a free account).
    #[default]
    Request,
    /// A direct message to a 1st-degree connection (after the request was
    /// accepted, after a call or an event): no 300-character cap.
    Message,
    /// An InMail to someone outside the network.
    Inmail,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 3] = [Channel::Request, Channel::Message, Channel::Inmail];

    /// `request`, `message` or `inmail`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Request => "request",
            Channel::Message => "message",
            Channel::Inmail => "inmail",
        }
    }

    /// The channel named `s` (as written in front matter, a batch or a
    /// rulebook; case and surrounding space do not matter).
    pub fn parse(s: &str) -> Option<Channel> {
        let s = s.trim().to_ascii_lowercase();
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The error for an unknown channel name, with a "did you mean".
    pub fn unknown(s: &str) -> String {
        let names = Channel::ALL.map(|c| c.as_str());
        match crate::problem::did_you_mean(&s.trim().to_ascii_lowercase(), names) {
            Some(m) => format!("unknown channel `{s}`: did you mean `{m}`?"),
            None => format!("unknown channel `{s}`: expected `request`, `message` or `inmail`"),
        }
    }
}

/// A rule silenced by the note itself (`allow = ["core/self-focus"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The rule id as written (full or short).
    pub rule: String,
    /// Where it is written, in bytes of the note's source (empty for batch rows).
    pub span: Span,
}

/// The facts about a note that come from its front matter or its batch row.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// The recipient's full name.
    pub to: Option<String>,
    /// The rulebook to check the note with.
    pub goal: Option<String>,
    /// Where `goal`'s value is written (empty for batch rows).
    pub goal_span: Span,
    /// True for a follow-up after no response.
    pub followup: bool,
    /// The channel, when the note or its row says; [`Channel::Request`] otherwise.
    pub channel: Option<Channel>,
    /// Free or premium account.
    pub account: Account,
    /// Facts a rule may check the note against (company, post, event, …).
    pub context: BTreeMap<String, String>,
    /// Rules silenced for this note.
    pub allow: Vec<Allowance>,
    /// Why the rules are silenced.
    pub reason: Option<String>,
    /// Any other scalar keys, as text.
    pub extra: BTreeMap<String, String>,
}

/// A front matter that could not be read.
#[derive(Debug, Clone)]
pub struct FrontMatterError {
    /// What is wrong.
    pub message: String,
    /// Where, in bytes of the note's source.
    pub span: Span,
}

/// The result of splitting a note file: its front matter and where the body starts.
#[derive(Debug)]
pub struct Split {
    /// The parsed front matter (default when there is none).
    pub front: FrontMatter,
    /// The body's byte range in the source.
    pub body: Span,
}

#[derive(Deserialize)]
struct Raw {
    to: Option<String>,
    goal: Option<Spanned<String>>,
    followup: Option<bool>,
    channel: Option<Spanned<String>>,
    account: Option<Spanned<String>>,
    allow: Option<Vec<Spanned<String>>>,
    reason: Option<String>,
    context: Option<toml::Table>,
    #[serde(flatten)]
    extra: toml::Table,
}

/// Splits `source` into front matter and body. A file without a leading
/// `+++` line is all body.
pub fn split(source: &str) -> Result<Split, FrontMatterError> {
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &source[bom..];
    let first_line_end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    if rest[..first_line_end].trim_end() == "---"
        && rest[first_line_end..]
            .lines()
            .take(20)
            .any(|l| l.trim_end() == "---")
    {
        return Err(FrontMatterError {
            message:
                "front matter must be TOML between `+++` lines; this looks like YAML between `---`"
                    .into(),
            span: Span::new(bom, bom + 3),
        });
    }
    if rest[..first_line_end].trim_end() != "+++" {
        return Ok(Split {
            front: FrontMatter::default(),
            body: Span::new(0, source.len()),
        });
    }
    let toml_start = bom + first_line_end;
    let mut pos = toml_start;
    let close = loop {
        if pos >= source.len() {
            return Err(FrontMatterError {
                message: "front matter opened with `+++` is never closed".into(),
                span: Span::new(bom, bom + 3),
            });
        }
        let end = source[pos..]
            .find('\n')
            .map(|i| pos + i + 1)
            .unwrap_or(source.len());
        if source[pos..end].trim_end() == "+++" {
            break (pos, end);
        }
        pos = end;
    };
    let toml_text = &source[toml_start..close.0];
    let front = parse(toml_text, toml_start)?;
    Ok(Split {
        front,
        body: Span::new(close.1, source.len()),
    })
}

fn parse(toml_text: &str, offset: usize) -> Result<FrontMatter, FrontMatterError> {
    let raw: Raw = toml::from_str(toml_text).map_err(|e| FrontMatterError {
        message: format!("malformed front matter: {}", e.message()),
        span: e
            .span()
            .map(|s| Span::new(s.start, s.end).shifted(offset))
            .unwrap_or(Span::new(offset, offset)),
    })?;
    let account = match raw.account {
        None => Account::Premium,
        Some(a) => match a.get_ref().as_str() {
            "free" => Account::Free,
            "premium" => Account::Premium,
            other => {
                return Err(FrontMatterError {
                    message: format!("unknown account `{other}`: expected `free` or `premium`"),
                    span: Span::new(a.span().start, a.span().end).shifted(offset),
                });
            }
        },
    };
    let channel = match raw.channel {
        None => None,
        Some(c) => Some(Channel::parse(c.get_ref()).ok_or_else(|| FrontMatterError {
            message: Channel::unknown(c.get_ref()),
            span: Span::new(c.span().start, c.span().end).shifted(offset),
        })?),
    };
    let allow = raw
        .allow
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            // The TOML span includes the quotes; point at the id itself.
            let span =
                Span::new(s.span().start + 1, s.span().end.saturating_sub(1)).shifted(offset);
            Allowance {
                rule: s.into_inner(),
                span,
            }
        })
        .collect();
    // Custom facts belong under [context]; anything else at the top is a typo.
    if let Some(key) = raw.extra.keys().next() {
        let at = regex::Regex::new(&format!(r"(?m)^\s*{}\s*=", regex::escape(key)))
            .ok()
            .and_then(|re| re.find(toml_text))
            .map(|m| {
                Span::new(
                    m.start(),
                    m.start() + m.as_str().trim_end_matches('=').trim_end().len(),
                )
            })
            .unwrap_or_default();
        let known = [
            "to", "goal", "followup", "channel", "account", "allow", "reason", "context",
        ];
        let hint = match crate::problem::did_you_mean(key, known) {
            Some(k) => format!("; did you mean `{k}`?"),
            None => "; put your own facts under [context]".into(),
        };
        let start = at.start
            + (toml_text[at.start..at.end].len() - toml_text[at.start..at.end].trim_start().len());
        return Err(FrontMatterError {
            message: format!("unknown front matter key `{key}`{hint}"),
            span: Span::new(start, at.end).shifted(offset),
        });
    }
    let goal_span = raw
        .goal
        .as_ref()
        .map(|g| Span::new(g.span().start + 1, g.span().end.saturating_sub(1)).shifted(offset));
    Ok(FrontMatter {
        to: raw.to,
        goal: raw.goal.map(Spanned::into_inner),
        goal_span: goal_span.unwrap_or_default(),
        followup: raw.followup.unwrap_or(false),
        channel,
        account,
        context: raw.context.map(scalars).unwrap_or_default(),
        allow,
        reason: raw.reason,
        extra: BTreeMap::new(),
    })
}

/// Keeps the scalar values of a table as text (nested tables are dropped).
fn scalars(table: toml::Table) -> BTreeMap<String, String> {
    table
        .into_iter()
        .filter_map(|(k, v)| {
            let text = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(a) => a
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => return None,
            };
            Some((k, text))
        })
        .collect()
}

/// The front-matter keys a batch row may set besides its text.
const ROW_KEYS: [&str; 7] = [
    "to", "goal", "followup", "channel", "account", "allow", "reason",
];

/// Batch columns tact knows besides the front-matter keys: the text columns,
/// `context` and the labels `tact eval` and rules read.
const LABEL_KEYS: [&str; 21] = [
    "text",
    "message",
    "request",
    "context",
    "id",
    "verdict",
    "expect",
    "why",
    "note",
    "source",
    "section",
    "template",
    "score",
    "normalized score",
    "version",
    "sent",
    "accepted",
    "replied",
    "audience",
    "date",
    "community",
];

/// The front-matter key a batch key looks like a misspelling of. Keys are
/// checked like front matter, but a row may also carry labels of its own
/// (kept for `tact eval` and `note.get`): so an unknown key is an error only
/// when it is within two edits (and about one in three letters) of a
/// front-matter key, as `goall` is of `goal`. Known labels, `context.*` and
/// the politeness corpus's `Score1`…`Score5` are never errors.
pub fn misspelt_key(key: &str) -> Option<&'static str> {
    let k = key.trim().to_ascii_lowercase();
    // `To` in JSON would be ignored: keys are read as written, in lower case.
    if let Some(exact) = ROW_KEYS.iter().find(|r| **r == k) {
        return (key != k).then_some(*exact);
    }
    let known = LABEL_KEYS.contains(&k.as_str())
        || k.starts_with("context.")
        || k.strip_prefix("score")
            .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit());
    if known {
        return None;
    }
    crate::problem::did_you_mean(&k, ROW_KEYS).filter(|m| crate::problem::edit_distance(&k, m) <= 2)
}

/// Builds front matter from a batch row's fields (JSONL object or CSV columns).
pub fn from_json(obj: &serde_json::Map<String, serde_json::Value>) -> Result<FrontMatter, String> {
    use serde_json::Value;
    if let Some((key, known)) = obj.keys().find_map(|k| misspelt_key(k).map(|m| (k, m))) {
        return Err(format!("unknown key `{key}`; did you mean `{known}`?"));
    }
    for key in ["to", "goal", "channel", "account", "reason"] {
        match obj.get(key) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => return Err(format!("`{key}` must be a string, not {other}")),
        }
    }
    let text = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let account = match text("account").as_deref() {
        None | Some("premium") => Account::Premium,
        Some("free") => Account::Free,
        Some(other) => {
            return Err(format!(
                "unknown account `{other}`: expected `free` or `premium`"
            ));
        }
    };
    let flag = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        // CSV cells are text: the usual spellings of a flag, blank for false.
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" | "" => Ok(false),
            _ => Err(format!("`{key}` must be true or false, not \"{s}\"")),
        },
        Some(other) => Err(format!("`{key}` must be true or false, not {other}")),
    };
    let followup = flag("followup")?;
    let channel = match text("channel") {
        None => None,
        Some(c) => Some(Channel::parse(&c).ok_or_else(|| Channel::unknown(&c))?),
    };
    let allow = match obj.get("allow") {
        None | Some(Value::Null) => vec![],
        Some(Value::String(s)) => s
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(other) => return Err(format!("`allow` must be a list of rule ids, not {other}")),
    };
    let mut context = BTreeMap::new();
    match obj.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(c)) => {
            for (k, v) in c {
                match json_scalar(v) {
                    Some(s) => {
                        context.insert(k.clone(), s);
                    }
                    None if v.is_null() => {}
                    None => {
                        return Err(format!(
                            "`context.{k}` must be text, a number or a flag, not {v}"
                        ));
                    }
                }
            }
        }
        Some(other) => return Err(format!("`context` must be an object, not {other}")),
    }
    let extra = obj
        .iter()
        .filter(|(k, _)| {
            !ROW_KEYS.contains(&k.as_str())
                && !["text", "message", "request", "id", "context"].contains(&k.as_str())
        })
        .filter_map(|(k, v)| json_scalar(v).map(|s| (k.clone(), s)))
        .collect();
    Ok(FrontMatter {
        to: text("to"),
        goal: text("goal"),
        goal_span: Span::default(),
        followup,
        channel,
        account,
        context,
        allow: allow
            .into_iter()
            .map(|rule| Allowance {
                rule,
                span: Span::new(0, 0),
            })
            .collect(),
        reason: text("reason"),
        extra,
    })
}

fn json_scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        // A list of strings (`expect`) reads as one comma-separated value.
        serde_json::Value::Array(a) if a.iter().all(|v| v.is_string()) => Some(
            a.iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Batch keys were not checked: `goall` was ignored and `To` dropped,
    // while labels such as `verdict` or `Score3` must stay usable.
    #[test]
    fn batch_keys_that_look_misspelt_are_errors_and_labels_are_not() {
        assert_eq!(misspelt_key("goall"), Some("goal"));
        assert_eq!(misspelt_key("folowup"), Some("followup"));
        assert_eq!(misspelt_key("chanel"), Some("channel"));
        assert_eq!(misspelt_key("To"), Some("to"));
        for ok in [
            "to",
            "goal",
            "verdict",
            "Score3",
            "context.company",
            "normalized score",
            "tag",
            "company",
            "notes_id",
        ] {
            assert_eq!(misspelt_key(ok), None, "{ok}");
        }
    }

    #[test]
    fn channels_parse_in_any_case_and_suggest_a_fix() {
        assert_eq!(Channel::parse(" Message "), Some(Channel::Message));
        assert_eq!(Channel::parse("INMAIL"), Some(Channel::Inmail));
        assert_eq!(Channel::parse("letter"), None);
        assert!(Channel::unknown("mesage").contains("did you mean `message`?"));
        assert!(Channel::unknown("letter").contains("expected `request`"));
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("Hi Riya").unwrap();
        assert_eq!(s.body, Span::new(0, 7));
        assert!(s.front.to.is_none());
    }

    #[test]
    fn reads_known_keys_and_keeps_spans() {
        let src = "+++\nto = \"Riya Sharma\"\naccount = \"free\"\nallow = [\"core/length\"]\n[context]\ncompany = \"Acme\"\n+++\nHi Riya";
        let s = split(src).unwrap();
        assert_eq!(s.front.to.as_deref(), Some("Riya Sharma"));
        assert_eq!(s.front.account, Account::Free);
        assert_eq!(s.front.context["company"], "Acme");
        let a = &s.front.allow[0];
        assert_eq!(&src[a.span.start..a.span.end], "core/length");
        assert_eq!(&src[s.body.start..s.body.end], "Hi Riya");
    }

    #[test]
    fn unknown_keys_and_yaml_are_errors() {
        let src = "+++\nto = \"Sam\"\ngaol = \"sales\"\n+++\nHi";
        let e = split(src).unwrap_err();
        assert!(
            e.message.contains("`gaol`") && e.message.contains("did you mean `goal`?"),
            "{}",
            e.message
        );
        assert_eq!(&src[e.span.start..e.span.end], "gaol");
        let e = split("---\nto: Sam\n---\nHi").unwrap_err();
        assert!(e.message.contains("YAML"), "{}", e.message);
        assert!(split("--- a note that starts with a dash line\nHi").is_ok());
    }

    #[test]
    fn unclosed_and_malformed_front_matter_are_errors_with_spans() {
        assert!(
            split("+++\nto = \"x\"\n")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        let src = "+++\nto = \n+++\nHi";
        let e = split(src).unwrap_err();
        assert!(
            e.message.starts_with("malformed front matter"),
            "{}",
            e.message
        );
        assert!(e.span.start >= 4 && e.span.end <= 10, "{:?}", e.span);
        let e = split("+++\naccount = \"gold\"\n+++\nHi").unwrap_err();
        assert!(e.message.contains("gold"));
    }
}
