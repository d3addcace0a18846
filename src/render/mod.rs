//! Output formats. Each implements [`Reporter`], a push-style sink: the check
//! loop hands it notes with their reports and problems as they come, then a
//! summary. Adding a format is adding one file here.

mod github;
mod human;
mod json;
mod sarif;

pub use github::Github;
pub use human::{Human, finding_problem};
pub use json::{Json, JsonFinding};

use crate::finding::{Level, Safety};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::{NoteReport, RuleFailure};
use serde::Serialize;
use std::io;

/// The output formats of `tact check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics with the note's text and labelled spans (miette).
    Human,
    /// One JSON document: findings, errors and a summary (schema in README).
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Counts for the closing summary and the exit status.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    /// Notes checked.
    pub notes: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warn level.
    pub warnings: usize,
    /// Findings at info level.
    pub infos: usize,
    /// Findings `--fix` can fix.
    pub fixable: usize,
    /// Findings only `--unsafe-fixes` can fix.
    pub unsafe_fixable: usize,
    /// Rule failures, input, rulebook and plugin errors.
    pub problems: usize,
    /// Fixes applied (with `--fix`), or that would be (with `--diff`).
    pub fixed: usize,
    /// True with `--diff`: nothing was written.
    #[serde(skip)]
    pub dry_run: bool,
}

impl Summary {
    /// Counts a note's findings.
    pub fn add(&mut self, report: &NoteReport) {
        self.notes += 1;
        for f in &report.findings {
            match f.level {
                Level::Error => self.errors += 1,
                Level::Warn => self.warnings += 1,
                Level::Info => self.infos += 1,
            }
            match f.fix.as_ref().map(|x| x.safety) {
                Some(Safety::Safe) => self.fixable += 1,
                Some(Safety::Unsafe) => self.unsafe_fixable += 1,
                None => {}
            }
        }
        self.problems += report.failures.len();
    }
}

/// A sink for the results of a check.
pub trait Reporter {
    /// One checked note and what was found in it.
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()>;
    /// A problem that is not a finding: bad input, a broken rule or rulebook.
    fn problem(&mut self, problem: &Problem) -> io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// A rule failure as a diagnostic on the rule's script.
pub fn failure_problem(f: &RuleFailure) -> Problem {
    let mut p = Problem::error(
        "tact::rule::failed",
        format!(
            "rule `{}` failed on note `{}`: {}",
            f.rule, f.note, f.message
        ),
    )
    .at(f.script.clone(), f.span, "while running here");
    if let Some(h) = &f.hint {
        p = p.help(h.clone());
    }
    p
}

/// Builds the reporter for a format, writing to stdout (or stderr when stdout
/// carries something else, such as a fixed note).
pub fn reporter(format: Format, color: bool, to_stderr: bool) -> Box<dyn Reporter> {
    let out: Box<dyn io::Write> = if to_stderr {
        Box::new(io::BufWriter::new(io::stderr()))
    } else {
        Box::new(io::BufWriter::new(io::stdout()))
    };
    match format {
        Format::Human => Box::new(Human::new(color, out)),
        Format::Json => Box::new(Json::new(out)),
        Format::Github => Box::new(Github::new(out)),
        Format::Sarif => Box::new(sarif::Sarif::new(out)),
    }
}
