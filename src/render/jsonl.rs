//! JSON Lines output: one object per line, written (and flushed) as each
//! note is checked, so a consumer sees findings while a long batch runs.
//! Findings have the fields of `--format json`'s findings; errors those of
//! its `errors` (a `code` where findings have a `rule`).

use super::json::JsonProblem;
use super::{JsonFinding, Reporter, Summary, failure_problem};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use std::io::{self, Write};

/// The JSON Lines reporter.
pub struct Jsonl {
    out: Box<dyn Write>,
}

impl Jsonl {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Jsonl { out }
    }

    fn line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }
}

impl Reporter for Jsonl {
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()> {
        if report.findings.is_empty() && report.failures.is_empty() {
            return Ok(());
        }
        let idx = LineIndex::new(&note.source);
        for f in &report.findings {
            self.line(&JsonFinding::new(note, &idx, rulebook, f))?;
        }
        for f in &report.failures {
            self.line(&JsonProblem::from(&failure_problem(f)))?;
        }
        self.out.flush()
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.line(&JsonProblem::from(problem))?;
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}
