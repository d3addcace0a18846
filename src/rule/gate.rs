//! What the host checks natively before calling a rule: facts a note must
//! (not) have (`requires`), and conditions on the note's facts and the rule's
//! options (`trigger_facts`, `when`), so a rule is called only on the notes
//! where it can find something.

use super::options::Options;
use crate::note::Note;
use crate::note::facts::AskKind;
use std::borrow::Cow;
use std::fmt;

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
    /// A `[context]` value of two or more chars occurs in the note (any case).
    ContextMentioned,
    /// A placeholder other than a name (`{company}`, `[Role]`): a template
    /// with something specific to fill in.
    SpecificPlaceholder,
    /// The greeted name is a placeholder (`Hi {first_name}`, `Dear [Name]`).
    GreetedPlaceholder,
}

/// Placeholder names that stand for a person's name, not something about them.
const NAME_FIELDS: [&str; 13] = [
    "first_name",
    "firstname",
    "name",
    "first",
    "last_name",
    "lastname",
    "last",
    "full_name",
    "fullname",
    "recipient",
    "my_name",
    "sender",
    "sender_name",
];

impl Fact {
    const ALL: [(&'static str, Fact); 14] = [
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
        ("context_mentioned", Fact::ContextMentioned),
        ("specific_placeholder", Fact::SpecificPlaceholder),
        ("greeted_placeholder", Fact::GreetedPlaceholder),
    ];

    /// The fact called `name` in `requires` and conditions.
    pub fn named(name: &str) -> Option<Fact> {
        Fact::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The error for an unknown fact name in metadata key `key`.
    pub fn unknown(name: &str, key: &str) -> String {
        format!(
            "unknown fact `{name}` in `{key}`; expected one of: {}",
            Fact::names().join(", ")
        )
    }

    fn names() -> Vec<&'static str> {
        Fact::ALL.iter().map(|(n, _)| *n).collect()
    }

    /// Whether `note` has this fact.
    pub fn holds(&self, note: &Note) -> bool {
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
            Fact::ContextMentioned => {
                let body = note.body_text().to_lowercase();
                note.front.context.values().any(|v| {
                    let v = v.to_lowercase();
                    let v = v.trim();
                    v.chars().count() > 1 && body.contains(v)
                })
            }
            Fact::GreetedPlaceholder => s
                .greeting
                .as_ref()
                .and_then(|g| g.name)
                .is_some_and(|n| note.slice(n).starts_with(['{', '[', '<', '#'])),
            Fact::SpecificPlaceholder => s
                .placeholders
                .iter()
                .any(|p| !NAME_FIELDS.contains(&p.name.as_str())),
            Fact::GreetingDiffers => {
                let norm = |t: &str| crate::note::fold(t).replace('-', " ").trim().to_owned();
                match (s.greeting.as_ref().and_then(|g| g.name), note.first_name()) {
                    (Some(name), Some(first)) => norm(note.slice(name)) != norm(first),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
        }
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
    /// Reads a `requires` entry; a waiver must name a boolean option.
    pub fn parse(entry: &str, options: &Options) -> Result<Requirement, String> {
        let (name, waiver) = match entry.split_once('|') {
            Some((f, o)) => (f.trim(), Some(o.trim().to_owned())),
            None => (entry.trim(), None),
        };
        let (name, negated) = match name.strip_prefix('!') {
            Some(n) => (n.trim(), true),
            None => (name, false),
        };
        let fact = Fact::named(name).ok_or_else(|| Fact::unknown(name, "requires"))?;
        if let Some(o) = &waiver
            && options.get(o).and_then(|v| v.as_bool()).is_none()
        {
            return Err(format!(
                "`requires` entry `{entry}`: `{o}` must name a boolean option"
            ));
        }
        Ok(Requirement {
            fact,
            negated,
            unless_option: waiver,
        })
    }

    /// Whether the rule may run on `note` with these resolved options.
    pub fn holds(&self, note: &Note, options: &Options) -> bool {
        self.fact.holds(note) != self.negated
            || self
                .unless_option
                .as_ref()
                .is_some_and(|o| options.get(o).and_then(|v| v.as_bool()) == Some(true))
    }
}

/// A number the host knows about a note, for conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Length,
    Limit,
    Words,
    Sentences,
    ContentSentences,
    Questions,
    Asks,
    /// Asks of one kind: `asks.purchase`.
    AsksOf(AskKind),
    References,
    Placeholders,
    FirstPerson,
    SecondPerson,
    FirstPlural,
    /// First person singular and plural together: the most a rule that also
    /// counts some "we" words (`self-focus`) can count.
    SelfWords,
}

impl Count {
    const ALL: [(&'static str, Count); 13] = [
        ("length", Count::Length),
        ("limit", Count::Limit),
        ("words", Count::Words),
        ("sentences", Count::Sentences),
        ("content_sentences", Count::ContentSentences),
        ("questions", Count::Questions),
        ("asks", Count::Asks),
        ("references", Count::References),
        ("placeholders", Count::Placeholders),
        ("first_person", Count::FirstPerson),
        ("second_person", Count::SecondPerson),
        ("first_plural", Count::FirstPlural),
        ("self_words", Count::SelfWords),
    ];

    fn named(name: &str) -> Option<Count> {
        if let Some(kind) = name.strip_prefix("asks.") {
            return AskKind::named(kind).map(Count::AsksOf);
        }
        Count::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    /// The names conditions accept, for errors.
    fn names() -> String {
        let kinds: Vec<&str> = AskKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "{}, asks.KIND (KIND one of {})",
            Count::ALL.map(|(n, _)| n).join(", "),
            kinds.join(", ")
        )
    }

    fn of(self, on: &On) -> f64 {
        let note = on.note;
        let s = note.segments();
        (match self {
            Count::Length => on.length,
            Count::Limit => note.limit(),
            Count::Words => s.words.len(),
            Count::Sentences => s.sentences.len(),
            Count::ContentSentences => s.content_sentences,
            Count::Questions => s.sentences.iter().filter(|x| x.question).count(),
            Count::Asks => s.asks.len(),
            Count::AsksOf(kind) => s.asks.iter().filter(|a| a.0 == kind).count(),
            Count::References => s.references.len(),
            Count::Placeholders => s.placeholders.len(),
            Count::FirstPerson => s.first_person,
            Count::SecondPerson => s.second_person,
            Count::FirstPlural => s.first_plural,
            Count::SelfWords => s.first_person + s.first_plural,
        }) as f64
    }
}

/// A text the host knows about a note, for conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    Goal,
    Channel,
    Account,
    /// The greeted name, lowercased, with straight apostrophes.
    Greeted,
}

impl Text {
    fn named(name: &str) -> Option<Text> {
        match name {
            "goal" => Some(Text::Goal),
            "channel" => Some(Text::Channel),
            "account" => Some(Text::Account),
            "greeted" => Some(Text::Greeted),
            _ => None,
        }
    }

    fn of(self, note: &Note) -> Option<Cow<'_, str>> {
        match self {
            Text::Goal => note.front.goal.as_deref().map(Cow::Borrowed),
            Text::Channel => Some(Cow::Borrowed(note.channel().as_str())),
            Text::Account => Some(Cow::Borrowed(note.front.account.as_str())),
            Text::Greeted => {
                let name = note.segments().greeting.as_ref()?.name?;
                Some(Cow::Owned(
                    note.slice(name).to_lowercase().replace('’', "'"),
                ))
            }
        }
    }
}

/// The note a condition is checked on, with its length as rules see it
/// (placeholders at their longest expansion in a template).
pub struct On<'a> {
    /// The note.
    pub note: &'a Note,
    /// Its effective length in chars (`note.length` in scripts).
    pub length: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Number(f64),
    Count(Count),
    Option(String),
}

impl Atom {
    fn value(&self, on: &On, options: &Options) -> f64 {
        match self {
            Atom::Number(n) => *n,
            Atom::Count(c) => c.of(on),
            // Options keep their declared types, checked when the rule loads.
            Atom::Option(o) => options.get(o).and_then(|v| v.as_number()).unwrap_or(0.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn parse(op: &str) -> Option<Cmp> {
        Some(match op {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            "==" => Cmp::Eq,
            "!=" => Cmp::Ne,
            _ => return None,
        })
    }

    fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// A boolean fact, or a boolean option, possibly negated.
    Fact(Fact, bool),
    Flag(String, bool),
    /// `a [* b] OP c [* d]` over counts, numeric options and numbers.
    Compare(Vec<Atom>, Cmp, Vec<Atom>),
    /// `goal == 'x'`, `channel != 'request'`.
    Text(Text, Cmp, String),
    /// `goal in option`: the text is one of a string-list option.
    In(Text, String, bool),
}

impl Term {
    fn holds(&self, on: &On, options: &Options) -> bool {
        match self {
            Term::Fact(f, negated) => f.holds(on.note) != *negated,
            Term::Flag(o, negated) => {
                (options.get(o).and_then(|v| v.as_bool()) == Some(true)) != *negated
            }
            Term::Compare(a, cmp, b) => {
                let product =
                    |atoms: &[Atom]| atoms.iter().map(|x| x.value(on, options)).product::<f64>();
                cmp.holds(product(a), product(b))
            }
            Term::Text(t, cmp, s) => cmp.holds(t.of(on.note).as_deref(), Some(s.as_str())),
            Term::In(t, o, negated) => {
                let found = match (t.of(on.note), options.get(o).and_then(|v| v.as_strings())) {
                    (Some(v), Some(list)) => list.contains(&v.as_ref()),
                    _ => false,
                };
                found != *negated
            }
        }
    }
}

/// A condition on a note's facts and the rule's options, checked natively:
/// terms joined by `&&`, each a boolean fact or option (`followup`,
/// `!short_requires_all`), a comparison of counts, numeric options and
/// numbers (`words > max_words`, `first_person >= ratio * second_person`),
/// a text fact compared with a quoted text (`channel != 'request'`), or a
/// text fact looked up in a string-list option (`goal in followup_goals`).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    all: Vec<Term>,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            let mut end = i + c.len_utf8();
            while let Some((j, d)) = chars.peek().copied()
                && (d.is_ascii_alphanumeric() || d == '_' || d == '.')
            {
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(text[i..end].to_owned());
        } else if c == '\'' || c == '"' {
            let rest = &text[i + 1..];
            let close = rest
                .find(c)
                .ok_or_else(|| format!("unclosed quote in `{text}`"))?;
            out.push(text[i..i + close + 2].to_owned());
            for _ in 0..=rest[..close].chars().count() {
                chars.next();
            }
        } else {
            let two = text.get(i..i + 2);
            let op = match two {
                Some(op @ ("&&" | "<=" | ">=" | "==" | "!=")) => op,
                _ => match c {
                    '<' | '>' | '!' | '*' => &text[i..i + 1],
                    _ => return Err(format!("unexpected `{c}` in `{text}`")),
                },
            };
            if op.len() == 2 {
                chars.next();
            }
            out.push(op.to_owned());
        }
    }
    Ok(out)
}

impl Condition {
    /// Reads a condition; names must be facts, or options of the right type
    /// in `options` (the rule's defaults). `key` names the metadata key in errors.
    pub fn parse(text: &str, options: &Options, key: &str) -> Result<Condition, String> {
        let toks = tokens(text)?;
        let bad = |why: String| format!("`{key}` entry `{text}`: {why}");
        let mut all = Vec::new();
        for part in toks.split(|t| t == "&&") {
            all.push(term(part, options).map_err(bad)?);
        }
        Ok(Condition {
            text: text.trim().to_owned(),
            all,
        })
    }

    /// Whether the condition holds on the note with these resolved options.
    pub fn holds(&self, on: &On, options: &Options) -> bool {
        self.all.iter().all(|t| t.holds(on, options))
    }
}

fn name_ok(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

fn atom(t: &str, options: &Options) -> Result<Atom, String> {
    if let Ok(n) = t.parse::<f64>() {
        return Ok(Atom::Number(n));
    }
    if let Some(c) = Count::named(t) {
        return Ok(Atom::Count(c));
    }
    match options.get(t) {
        Some(v) if v.as_number().is_some() => Ok(Atom::Option(t.to_owned())),
        Some(v) => Err(format!("option `{t}` is {}, not a number", v.type_name())),
        None => Err(format!(
            "`{t}` is neither a count ({}) nor a numeric option",
            Count::names()
        )),
    }
}

fn product(part: &[String], options: &Options) -> Result<Vec<Atom>, String> {
    let mut out = Vec::new();
    for (i, t) in part.iter().enumerate() {
        if i % 2 == 1 {
            if t != "*" {
                return Err(format!("expected `*` or a comparison, found `{t}`"));
            }
        } else {
            out.push(atom(t, options)?);
        }
    }
    if out.is_empty() || part.len().is_multiple_of(2) {
        return Err("a comparison needs a value on each side".into());
    }
    Ok(out)
}

fn term(part: &[String], options: &Options) -> Result<Term, String> {
    let strs: Vec<&str> = part.iter().map(String::as_str).collect();
    match strs.as_slice() {
        [] => Err("an empty condition".into()),
        ["!", name] | [name] if name_ok(name) => {
            let negated = strs.len() == 2;
            if let Some(f) = Fact::named(name) {
                return Ok(Term::Fact(f, negated));
            }
            match options.get(*name) {
                Some(v) if v.as_bool().is_some() => Ok(Term::Flag(name.to_string(), negated)),
                Some(v) => Err(format!(
                    "option `{name}` is {}, not a boolean",
                    v.type_name()
                )),
                None => Err(format!(
                    "`{name}` is neither a fact ({}) nor a boolean option",
                    Fact::names().join(", ")
                )),
            }
        }
        [name, "in", list] | [name, "!", "in", list] => {
            let text = Text::named(name)
                .ok_or_else(|| format!("`{name}` is not goal, channel or account"))?;
            if options.get(*list).and_then(|v| v.as_strings()).is_none() {
                return Err(format!(
                    "`{list}` must name an option holding an array of strings"
                ));
            }
            Ok(Term::In(text, list.to_string(), strs.len() == 4))
        }
        [name, op, quoted] if quoted.starts_with(['\'', '"']) => {
            let text = Text::named(name)
                .ok_or_else(|| format!("`{name}` is not goal, channel or account"))?;
            let cmp = Cmp::parse(op)
                .filter(|c| matches!(c, Cmp::Eq | Cmp::Ne))
                .ok_or_else(|| format!("texts compare with == or !=, not `{op}`"))?;
            Ok(Term::Text(
                text,
                cmp,
                quoted[1..quoted.len() - 1].to_owned(),
            ))
        }
        _ => {
            let at = strs
                .iter()
                .position(|t| Cmp::parse(t).is_some())
                .ok_or_else(|| "expected a fact, an option or a comparison".to_owned())?;
            let cmp = Cmp::parse(strs[at]).expect("found above");
            Ok(Term::Compare(
                product(&part[..at], options)?,
                cmp,
                product(&part[at + 1..], options)?,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Note, Origin};
    use crate::rule::options::OptionValue;

    fn options() -> Options {
        [
            ("max", OptionValue::Int(1)),
            ("ratio", OptionValue::Float(3.0)),
            ("strict", OptionValue::Bool(false)),
            (
                "goals",
                OptionValue::List(vec![OptionValue::Str("reconnect".into())]),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn holds(cond: &str, note: &str) -> bool {
        let note = Note::parse(Origin::file("n"), note.to_owned()).expect("valid note");
        let on = On {
            length: note.body_text().trim().chars().count(),
            note: &note,
        };
        Condition::parse(cond, &options(), "when")
            .expect("valid condition")
            .holds(&on, &options())
    }

    #[test]
    fn greeting_differs_ignores_accents_and_hyphens() {
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
    fn conditions_read_counts_facts_options_and_texts() {
        let me = "Hi Sam, I think I should say I am great and I know it. Call me?";
        assert!(holds(
            "first_person >= 4 && first_person >= ratio * second_person",
            me
        ));
        assert!(!holds("first_person > 10", me));
        assert!(holds("words > max", me));
        assert!(holds("!strict", me));
        assert!(holds("!followup && channel == 'request'", me));
        assert!(!holds("channel != \"request\"", me));
        assert!(holds(
            "goal in goals",
            "+++\ngoal = \"reconnect\"\n+++\nHi."
        ));
        assert!(!holds("goal in goals", "Hi."));
        assert!(holds("goal !in goals", "Hi."));
        assert!(holds("greeted in goals", "Hi Reconnect, good to see you."));
        assert!(!holds("greeted in goals", "Hi Sam, good to see you."));
        assert!(holds("greeted_placeholder", "Hey {first_name}, hello."));
        assert!(!holds("greeted_placeholder", "Hey Sam, hello {company}."));
        let pitch = "Hi Sam, we ran a free audit of your site. Want the report?";
        assert!(holds("asks.purchase > 0 && asks.call == 0", pitch));
        assert!(!holds("asks.purchase > 0", me));
        // Three I words and our/we: five together.
        let us = "Hi Sam, I think our team and I know we should say I am here.";
        assert!(holds("self_words == 5 && first_plural == 2", us));
    }

    #[test]
    fn bad_conditions_say_what_is_wrong() {
        let err = |c: &str| Condition::parse(c, &options(), "when").unwrap_err();
        assert!(err("wordz > 3").contains("neither a count"));
        assert!(err("asks.lunch > 0").contains("asks.KIND (KIND one of call"));
        assert!(err("ratio").contains("not a boolean"));
        assert!(err("words >").contains("a value on each side"));
        assert!(err("channel < 'x'").contains("== or !="));
        assert!(err("goal in max").contains("array of strings"));
        assert!(err("words > 3 || asks").contains("unexpected `|`"));
    }
}
