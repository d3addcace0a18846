//! What rules report: findings, their levels and the edits that fix them.

use crate::span::Span;
use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Warn < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A hint; never fails a run.
    Info,
    /// Counts against `--max-warnings`.
    Warn,
    /// Fails the run (exit status 1).
    Error,
}

impl Level {
    /// Parses `info`, `warn` (or `warning`) and `error`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "info" | "hint" => Some(Level::Info),
            "warn" | "warning" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    /// The lowercase name used in output and configuration.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Whether applying an edit keeps the note's meaning. Ordered like ruff's
/// `Applicability`: `Unsafe < Safe`, so "at least safe" is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Changes wording; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Keeps the meaning; applied by `--fix`.
    Safe,
}

/// Replace the bytes of `span` with `replacement` (empty: delete; empty span: insert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// What to replace, in bytes of the note's source.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// The edits of one finding, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Whether `--fix` may apply it on its own.
    pub safety: Safety,
    /// Non-overlapping edits, sorted by position.
    pub edits: Vec<Edit>,
}

/// One problem a rule found in a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Full rule id, e.g. `core/no-pitch`.
    pub rule: String,
    /// Level after the rulebook's setting.
    pub level: Level,
    /// Where, in bytes of the note's source.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A rewrite, when the rule offers one.
    pub fix: Option<Fix>,
}
