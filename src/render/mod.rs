//! Output formats. Each implements [`Reporter`], a push-style sink: the check
//! loop hands it notes with their reports and problems as they come, then a
//! summary. Adding a format is adding one file here.

mod concise;
mod github;
mod human;
mod json;
mod jsonl;
mod sarif;
mod statistics;

pub use concise::Concise;
pub use github::Github;
pub use human::{Human, finding_problem, plural};
pub use json::{Json, JsonFinding};
pub use jsonl::Jsonl;
pub use sarif::{RuleDoc, RuleDocs};
pub use statistics::{Counts, RuleCount, Statistics};

use crate::finding::{Level, Safety};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::{NoteReport, RuleFailure};
use serde::Serialize;
use std::io::{self, Seek, Write};
use std::sync::Arc;

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
    /// One line per finding: `file:line:col: level rule message`.
    Concise,
    /// JSON Lines: one finding or error per line, streamed.
    Jsonl,
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
    /// True with `--quiet`: no summary lines at all, only findings.
    #[serde(skip)]
    pub quiet: bool,
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

/// Renders a note's findings to bytes, on any thread: the check stream runs
/// it on its workers, and the reporter only writes the bytes, in input order.
pub trait RenderAhead: Send + Sync {
    /// The bytes [`Reporter::note_rendered`] writes for this note's findings.
    fn render(&self, note: &Note, report: &NoteReport, rulebook: &str) -> Vec<u8>;
}

/// A sink for the results of a check.
pub trait Reporter {
    /// One checked note and what was found in it.
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()>;
    /// The part of [`Reporter::note`] that may run on worker threads, for
    /// formats whose findings render without the reporter's state.
    fn ahead(&self) -> Option<Arc<dyn RenderAhead>> {
        None
    }
    /// [`Reporter::note`], with the findings already rendered by [`Reporter::ahead`].
    fn note_rendered(
        &mut self,
        note: &Note,
        report: &NoteReport,
        rulebook: &str,
        _rendered: Vec<u8>,
    ) -> io::Result<()> {
        self.note(note, report, rulebook)
    }
    /// A problem that is not a finding: bad input, a broken rule or rulebook.
    fn problem(&mut self, problem: &Problem) -> io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// JSON values written after the streamed part of a document (JSON
/// `errors`, SARIF notifications), held in an anonymous temporary file rather
/// than in memory, so memory stays flat however many there are.
pub struct Spool {
    file: Option<io::BufWriter<std::fs::File>>,
    count: usize,
}

impl Spool {
    /// An empty spool; the file is created with the first value.
    pub fn new() -> Self {
        Spool {
            file: None,
            count: 0,
        }
    }

    /// Adds one value.
    pub fn push(&mut self, value: &impl Serialize) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(io::BufWriter::new(tempfile::tempfile()?)),
        };
        if self.count > 0 {
            file.write_all(b",")?;
        }
        serde_json::to_writer(&mut *file, value)?;
        self.count += 1;
        Ok(())
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Writes the values as a JSON array to `out`.
    pub fn write_array(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(b"[")?;
        if let Some(file) = self.file.take() {
            let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.seek(io::SeekFrom::Start(0))?;
            io::copy(&mut file, out)?;
        }
        self.count = 0;
        out.write_all(b"]")
    }
}

impl Default for Spool {
    fn default() -> Self {
        Self::new()
    }
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

/// How [`reporter`] builds a reporter.
pub struct ReporterOptions {
    /// Colour in the human formats' findings.
    pub color: bool,
    /// Colour in problems written to stderr.
    pub color_err: bool,
    /// Write to stderr, because stdout carries something else (a fixed note, a diff).
    pub to_stderr: bool,
    /// Human and JSON: counts per rule instead of findings.
    pub statistics: bool,
    /// Rule documentation (SARIF's rule descriptors).
    pub docs: RuleDocs,
    /// GitHub: where to append the Markdown job summary (`$GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<std::path::PathBuf>,
}

/// Builds the reporter for a format, writing to stdout (or stderr).
pub fn reporter(format: Format, opts: ReporterOptions) -> Box<dyn Reporter> {
    let out: Box<dyn io::Write> = if opts.to_stderr {
        Box::new(io::BufWriter::new(io::stderr()))
    } else {
        Box::new(io::BufWriter::new(io::stdout()))
    };
    let (color, color_err) = (opts.color, opts.color_err);
    match format {
        Format::Human | Format::Json if opts.statistics => {
            Box::new(Statistics::new(format == Format::Json, color_err, out))
        }
        Format::Human => Box::new(Human::new(color, color_err, out)),
        Format::Concise => Box::new(Concise::new(out)),
        Format::Jsonl => Box::new(Jsonl::new(out)),
        Format::Json => Box::new(Json::new(out)),
        Format::Github => Box::new(Github::new(out, opts.step_summary)),
        Format::Sarif => Box::new(sarif::Sarif::new(out, opts.docs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // JSON and SARIF held every input problem in memory until the end
    // (300,000 bad rows: 977 MB in SARIF); they are spooled to a file now.
    #[test]
    fn spooled_problems_come_back_as_one_json_array() {
        let mut spool = Spool::new();
        let mut out = Vec::new();
        spool.write_array(&mut out).unwrap();
        assert_eq!(out, b"[]");
        for i in 0..3 {
            spool.push(&serde_json::json!({"n": i})).unwrap();
        }
        assert_eq!(spool.len(), 3);
        let mut out = Vec::new();
        spool.write_array(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"[{"n":0},{"n":1},{"n":2}]"#
        );
    }
}
