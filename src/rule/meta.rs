//! What a rule declares about itself, whatever implements it.

use super::gate::{Condition, Requirement};
use super::options::Options;
use crate::finding::{Level, Safety};
use crate::note::Channel;

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
    pub options: Options,
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
    /// Options (arrays of strings) whose phrases trigger the rule only inside
    /// the note's opening sentence (`note.opening`): `generic-opener`'s bare
    /// "I'd like to connect" says nothing only when it opens the note.
    pub opening_options: Vec<String>,
    /// Facts the note must have for the rule to run, checked natively.
    pub requires: Vec<Requirement>,
    /// Conditions on facts that trigger the rule like a trigger phrase does
    /// (`trigger_facts`): it runs when a trigger occurred or one of these holds.
    pub trigger_facts: Vec<Condition>,
    /// Conditions on facts of which one must hold for the rule to run
    /// (`when`): where it can find something. Empty: no such gate.
    pub when: Vec<Condition>,
    /// The channels the rule applies to (all when empty); a rulebook's
    /// checker for another channel leaves the rule out.
    pub channels: Vec<Channel>,
    /// A finding declared as data (`report`): the host reports every
    /// occurrence of the rule's phrases itself and the rule has no script
    /// to call.
    pub report: Option<Report>,
}

/// What a script-free rule reports: at each occurrence of its phrases
/// (`triggers` and the `trigger_options` lists), found natively, word-bounded
/// and leftmost-longest as `note.find` finds them; or, with `at: "body"`, once
/// at the note's body whenever its gates let it run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One finding at the (trimmed) body instead of one per phrase.
    pub at_body: bool,
    /// The message; `{match}` stands for the text found.
    pub message: String,
    /// What to do about it; `{match}` as in the message.
    pub help: Option<String>,
    /// A replacement for the text found, and whether `--fix` may apply it
    /// on its own.
    pub replace: Option<(String, Safety)>,
}

impl Report {
    /// `text` with `{match}` replaced by the text found.
    pub fn fill(text: &str, found: &str) -> String {
        text.replace("{match}", found)
    }
}

impl RuleMeta {
    /// Whether option `key` holds trigger phrases (`trigger_options` or
    /// `opening_options`), so rulebooks are held to the trigger limits.
    pub fn is_trigger_option(&self, key: &str) -> bool {
        self.trigger_options
            .iter()
            .chain(&self.opening_options)
            .any(|o| o == key)
    }

    /// Whether the rule applies to notes of `channel`.
    pub fn applies_to(&self, channel: Channel) -> bool {
        self.channels.is_empty() || self.channels.contains(&channel)
    }

    /// True when the rule declares no triggers and so runs on every note.
    pub fn always_runs(&self) -> bool {
        self.triggers.is_empty()
            && self.patterns.is_empty()
            && self.trigger_options.is_empty()
            && self.opening_options.is_empty()
            && self.trigger_facts.is_empty()
    }
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
pub fn check_trigger_limits(
    triggers: &[String],
    patterns: &[String],
    trigger_options: &[String],
    options: &Options,
) -> Result<(), (String, &'static str)> {
    let from_options: Vec<&str> = trigger_options
        .iter()
        .filter_map(|o| options.get(o)?.as_strings())
        .flatten()
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
        .map(String::as_str)
        .chain(from_options)
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
}
