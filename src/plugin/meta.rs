//! Rule metadata: what `fn meta()` returns, read once at load time.

use crate::finding::Level;
use crate::note::Channel;
use rhai::{Dynamic, Map};

/// Whether a rule only reports, or also proposes edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reports findings only.
    Check,
    /// Reports findings with edits.
    Rewrite,
}

impl Kind {
    /// `check` or `rewrite`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Check => "check",
            Kind::Rewrite => "rewrite",
        }
    }
}

/// What a rule declares about itself.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// One line saying what the rule catches.
    pub summary: String,
    /// The level used when a rulebook enables the rule without one.
    pub level: Level,
    /// Check or rewrite.
    pub kind: Kind,
    /// Options with their defaults; a rulebook may set only these, with the same types.
    pub options: Map,
    /// Phrases that can trigger the rule; without triggers it runs on every note.
    pub triggers: Vec<String>,
    /// Regexes that can trigger the rule.
    pub patterns: Vec<String>,
    /// Options (arrays of strings) whose values are trigger phrases too, so a
    /// rulebook that adds phrases to a rule also adds them to its triggers.
    pub trigger_options: Vec<String>,
    /// Options (arrays of strings) whose phrases, when one occurs, mean the
    /// rule has nothing to say: the host skips it (`clear-intent` runs only on
    /// notes without an intent phrase).
    pub unless_options: Vec<String>,
    /// Facts the note must have for the rule to run, checked natively.
    pub requires: Vec<Requirement>,
    /// Facts that trigger the rule like a trigger phrase does (`trigger_facts`):
    /// it runs when a trigger occurred or one of these holds.
    pub trigger_facts: Vec<Fact>,
    /// The channels the rule applies to (all when empty); a rulebook's
    /// checker for another channel leaves the rule out.
    pub channels: Vec<Channel>,
}

impl RuleMeta {
    /// Whether the rule applies to notes of `channel`.
    pub fn applies_to(&self, channel: Channel) -> bool {
        self.channels.is_empty() || self.channels.contains(&channel)
    }
}

/// One entry of `requires`: a fact the note must have (`"fact"`) or must not
/// have (`"!fact"`), or (`"fact|option"`) a boolean option that, when true,
/// waives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The fact.
    pub fact: Fact,
    /// The note must not have the fact.
    pub negated: bool,
    /// The option that waives it.
    pub unless_option: Option<String>,
}

impl Requirement {
    /// Whether the rule may run on `note` with these resolved options.
    pub fn holds(&self, note: &crate::note::Note, options: &Map) -> bool {
        self.fact.holds(note) != self.negated
            || self.unless_option.as_ref().is_some_and(|o| {
                options.get(o.as_str()).and_then(|v| v.as_bool().ok()) == Some(true)
            })
    }
}

/// A fact about a note the host checks before calling a rule (`requires`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Front matter names the recipient (`to`).
    Recipient,
    /// The note opens with a greeting.
    Greeting,
    /// The greeting names someone.
    GreetingName,
    /// The note is a follow-up (`followup = true`).
    Followup,
    /// The note has template placeholders.
    Placeholders,
    /// The note asks a question.
    Question,
    /// The note ends with a sign-off.
    SignOff,
    /// The greeted name is not the recipient's first name as written
    /// (compared with accents folded and hyphens as spaces).
    GreetingDiffers,
    /// The note asks the recipient for something (`note.asks`).
    Asks,
    /// The note refers to the recipient's specifics (`note.references`).
    References,
    /// The note says why it was written (`note.reason`).
    Reason,
}

impl Fact {
    const ALL: [(&'static str, Fact); 11] = [
        ("recipient", Fact::Recipient),
        ("greeting", Fact::Greeting),
        ("greeting_name", Fact::GreetingName),
        ("followup", Fact::Followup),
        ("placeholders", Fact::Placeholders),
        ("question", Fact::Question),
        ("sign_off", Fact::SignOff),
        ("greeting_differs", Fact::GreetingDiffers),
        ("asks", Fact::Asks),
        ("references", Fact::References),
        ("reason", Fact::Reason),
    ];

    /// The fact called `name` in `requires` and `trigger_facts`.
    pub fn named(name: &str) -> Option<Fact> {
        Fact::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The error for an unknown fact name in metadata key `key`.
    fn unknown(name: &str, key: &str) -> String {
        let known: Vec<&str> = Fact::ALL.iter().map(|(n, _)| *n).collect();
        format!(
            "unknown fact `{name}` in `{key}`; expected one of: {}",
            known.join(", ")
        )
    }

    /// Whether `note` has this fact.
    pub fn holds(&self, note: &crate::note::Note) -> bool {
        let s = &note.segments();
        match self {
            Fact::Recipient => note.front.to.is_some(),
            Fact::Greeting => s.greeting.is_some(),
            Fact::GreetingName => s.greeting.as_ref().is_some_and(|g| g.name.is_some()),
            Fact::Followup => note.front.followup,
            Fact::Placeholders => !s.placeholders.is_empty(),
            Fact::Question => s.sentences.iter().any(|x| x.question),
            Fact::SignOff => s.sign_off.is_some(),
            Fact::Asks => !s.asks.is_empty(),
            Fact::References => !s.references.is_empty(),
            Fact::Reason => s.reason.is_some(),
            Fact::GreetingDiffers => {
                let norm = |t: &str| {
                    crate::plugin::api::fold(t)
                        .replace('-', " ")
                        .trim()
                        .to_owned()
                };
                match (s.greeting.as_ref().and_then(|g| g.name), note.first_name()) {
                    (Some(name), Some(first)) => norm(note.slice(name)) != norm(first),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
        }
    }
}

impl RuleMeta {
    /// True when the rule declares no triggers and so runs on every note.
    pub fn always_runs(&self) -> bool {
        self.triggers.is_empty()
            && self.patterns.is_empty()
            && self.trigger_options.is_empty()
            && self.trigger_facts.is_empty()
    }
}

/// A metadata problem and the key it concerns (to point at it in the source).
#[derive(Debug, Clone)]
pub struct MetaError {
    /// What is wrong.
    pub message: String,
    /// The offending key, when there is one.
    pub key: Option<String>,
}

const KEYS: [&str; 11] = [
    "summary",
    "level",
    "kind",
    "options",
    "triggers",
    "patterns",
    "trigger_options",
    "unless_options",
    "requires",
    "channels",
    "trigger_facts",
];

fn err(message: impl Into<String>, key: &str) -> MetaError {
    MetaError {
        message: message.into(),
        key: Some(key.to_owned()),
    }
}

fn string_list(map: &Map, key: &str) -> Result<Vec<String>, MetaError> {
    match map.get(key) {
        None => Ok(vec![]),
        Some(d) => {
            let arr = d.read_lock::<rhai::Array>().ok_or_else(|| {
                err(
                    format!("`{key}` must be an array of strings, not {}", d.type_name()),
                    key,
                )
            })?;
            arr.iter()
                .map(|v| {
                    v.clone()
                        .into_string()
                        .map_err(|t| err(format!("`{key}` must hold strings, found {t}"), key))
                })
                .collect()
        }
    }
}

/// Reads the map `meta()` returned. `doc_summary` (the first doc line) is
/// used when the map has no `summary`.
pub fn parse(value: Dynamic, doc_summary: Option<&str>) -> Result<RuleMeta, MetaError> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| MetaError {
        message: format!(
            "`meta()` must return an object map like #{{ level: \"warn\" }}, not {type_name}"
        ),
        key: None,
    })?;
    if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            format!(
                "unknown metadata key `{k}`; expected one of: {}",
                KEYS.join(", ")
            ),
            k,
        ));
    }
    let text = |key: &str| -> Result<Option<String>, MetaError> {
        map.get(key)
            .map(|d| {
                d.clone()
                    .into_string()
                    .map_err(|t| err(format!("`{key}` must be a string, not {t}"), key))
            })
            .transpose()
    };
    let summary = match text("summary")?.or(doc_summary.map(str::to_owned)) {
        Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(MetaError {
                message:
                    "the rule has no summary: start the file with a `//!` doc line or set `summary`"
                        .into(),
                key: None,
            });
        }
    };
    let level = match text("level")? {
        None => Level::Warn,
        Some(l) => Level::parse(&l).ok_or_else(|| {
            err(
                format!("unknown level `{l}`; expected info, warn or error"),
                "level",
            )
        })?,
    };
    let kind = match text("kind")?.as_deref() {
        None | Some("check") => Kind::Check,
        Some("rewrite") => Kind::Rewrite,
        Some(k) => {
            return Err(err(
                format!("unknown kind `{k}`; expected check or rewrite"),
                "kind",
            ));
        }
    };
    let options = match map.get("options") {
        None => Map::new(),
        Some(d) => d.clone().try_cast::<Map>().ok_or_else(|| {
            err(
                format!("`options` must be an object map, not {}", d.type_name()),
                "options",
            )
        })?,
    };
    let patterns = string_list(&map, "patterns")?;
    for p in &patterns {
        crate::matcher::regex(p).map_err(|e| err(e, "patterns"))?;
    }
    let trigger_options = string_list(&map, "trigger_options")?;
    let unless_options = string_list(&map, "unless_options")?;
    let requires = string_list(&map, "requires")?
        .iter()
        .map(|entry| {
            let (name, waiver) = match entry.split_once('|') {
                Some((f, o)) => (f.trim(), Some(o.trim().to_owned())),
                None => (entry.trim(), None),
            };
            let (name, negated) = match name.strip_prefix('!') {
                Some(n) => (n.trim(), true),
                None => (name, false),
            };
            let fact = Fact::named(name)
                .ok_or_else(|| err(Fact::unknown(name, "requires"), "requires"))?;
            if let Some(o) = &waiver
                && !options.get(o.as_str()).is_some_and(|d| d.is_bool())
            {
                return Err(err(
                    format!("`requires` entry `{entry}`: `{o}` must name a boolean option"),
                    "requires",
                ));
            }
            Ok(Requirement {
                fact,
                negated,
                unless_option: waiver,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (key, name) in trigger_options
        .iter()
        .map(|n| ("trigger_options", n))
        .chain(unless_options.iter().map(|n| ("unless_options", n)))
    {
        let ok = options.get(name.as_str()).and_then(|d| {
            d.read_lock::<rhai::Array>()
                .map(|a| a.iter().all(|v| v.is_string()))
        });
        if ok != Some(true) {
            return Err(err(
                format!("`{key}` entry `{name}` must name an option holding an array of strings"),
                key,
            ));
        }
    }
    let trigger_facts = string_list(&map, "trigger_facts")?
        .iter()
        .map(|name| {
            Fact::named(name)
                .ok_or_else(|| err(Fact::unknown(name, "trigger_facts"), "trigger_facts"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let triggers = string_list(&map, "triggers")?;
    check_trigger_limits(&triggers, &patterns, &trigger_options, &options)
        .map_err(|(m, k)| err(m, k))?;
    let channels = string_list(&map, "channels")?
        .iter()
        .map(|c| Channel::parse(c).ok_or_else(|| err(Channel::unknown(c), "channels")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleMeta {
        summary,
        level,
        kind,
        options,
        triggers,
        patterns,
        trigger_options,
        unless_options,
        requires,
        trigger_facts,
        channels,
    })
}

/// The most trigger phrases a rule may declare (`triggers` and the default
/// values of its `trigger_options`), the longest one in bytes, and the most
/// trigger patterns: thousands of triggers made every note slow and the
/// matcher huge, with no message.
pub const MAX_TRIGGERS: usize = 2_000;
/// See [`MAX_TRIGGERS`].
pub const MAX_TRIGGER_BYTES: usize = 200;
/// See [`MAX_TRIGGERS`].
pub const MAX_PATTERNS: usize = 100;

/// Refuses triggers beyond [`MAX_TRIGGERS`], [`MAX_TRIGGER_BYTES`] or
/// [`MAX_PATTERNS`], naming the metadata key.
fn check_trigger_limits(
    triggers: &[String],
    patterns: &[String],
    trigger_options: &[String],
    options: &Map,
) -> Result<(), (String, &'static str)> {
    let from_options: Vec<String> = trigger_options
        .iter()
        .filter_map(|o| {
            options
                .get(o.as_str())?
                .read_lock::<rhai::Array>()
                .map(|a| a.clone())
        })
        .flatten()
        .map(|v| v.to_string())
        .collect();
    let count = triggers.len() + from_options.len();
    if count > MAX_TRIGGERS {
        return Err((
            format!("{count} trigger phrases; a rule may have at most {MAX_TRIGGERS}"),
            "triggers",
        ));
    }
    if let Some(t) = triggers
        .iter()
        .chain(&from_options)
        .find(|t| t.len() > MAX_TRIGGER_BYTES)
    {
        return Err((
            format!(
                "trigger `{}…` is over {MAX_TRIGGER_BYTES} bytes",
                t.chars().take(20).collect::<String>()
            ),
            "triggers",
        ));
    }
    if patterns.len() > MAX_PATTERNS {
        return Err((
            format!(
                "{} trigger patterns; a rule may have at most {MAX_PATTERNS}",
                patterns.len()
            ),
            "patterns",
        ));
    }
    Ok(())
}

/// The `//!` doc comment at the top of a script, as Markdown.
pub fn docs(source: &str) -> String {
    let mut out = Vec::new();
    for line in source.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("//!") {
            out.push(rest.strip_prefix(' ').unwrap_or(rest));
        } else if t.is_empty() && out.is_empty() {
            continue;
        } else {
            break;
        }
    }
    out.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_the_leading_bang_comments() {
        let src = "//! First line.\n//!\n//! More.\nfn meta() {}\n//! not this";
        assert_eq!(docs(src), "First line.\n\nMore.");
    }

    #[test]
    fn bad_level_names_the_key() {
        let mut m = Map::new();
        m.insert("level".into(), "loud".into());
        let e = parse(Dynamic::from_map(m), Some("x")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("level"));
        assert!(e.message.contains("loud"));
    }

    #[test]
    fn greeting_differs_ignores_accents_and_hyphens() {
        use crate::note::{Note, Origin};
        let note = |to: &str, body: &str| {
            Note::parse(
                Origin::file("n"),
                format!("+++\nto = \"{to}\"\n+++\n{body}"),
            )
            .expect("valid note")
        };
        assert!(!Fact::GreetingDiffers.holds(&note("Zoë Park", "Hi Zoe, great post.")));
        assert!(!Fact::GreetingDiffers.holds(&note("Jean-Luc Picard", "Hi Jean Luc, great post.")));
        assert!(Fact::GreetingDiffers.holds(&note("Riya Sharma", "Hi Priya, great post.")));
        assert!(!Fact::GreetingDiffers.holds(&note("Riya Sharma", "Great post.")));
    }

    #[test]
    fn unknown_key_is_an_error() {
        let mut m = Map::new();
        m.insert("levle".into(), "warn".into());
        assert!(
            parse(Dynamic::from_map(m), Some("x"))
                .unwrap_err()
                .message
                .contains("levle")
        );
    }
}
