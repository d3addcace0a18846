//! JSON output: one document, streamed as notes are checked. The schema is
//! documented in the README ("JSON output") and versioned by `version`.

use super::{RenderAhead, Reporter, Spool, Summary, failure_problem};
use crate::finding::Finding;
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::{LineCol, LineIndex, Span};
use serde::Serialize;
use std::io::{self, Write};
use std::sync::Arc;

/// The JSON reporter.
pub struct Json {
    out: Box<dyn Write>,
    first: bool,
    errors: Spool,
}

impl Json {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Json {
            out,
            first: true,
            errors: Spool::new(),
        }
    }
}

/// One finding in the JSON output.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    /// The note's file.
    pub file: &'a str,
    /// The row in a batch file, else null.
    pub row: Option<usize>,
    /// The row's `id` field, else null.
    pub id: Option<&'a str>,
    /// The rulebook the note was checked with.
    pub rulebook: &'a str,
    /// The rule id.
    pub rule: &'a str,
    /// `error`, `warn` or `info`.
    pub level: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// What to do, or null.
    pub help: Option<&'a str>,
    /// Byte offsets into the file (or the row's text).
    pub span: Span,
    /// Line and column of the span's start (1-based, columns in chars).
    pub start: LineCol,
    /// Line and column of the span's end.
    pub end: LineCol,
    /// The flagged text.
    pub text: &'a str,
    /// The rewrite, or null: `safety` (`safe`/`unsafe`) and `edits`.
    pub fix: Option<&'a crate::finding::Fix>,
}

impl<'a> JsonFinding<'a> {
    /// Builds the JSON form of a finding.
    pub fn new(note: &'a Note, idx: &LineIndex, rulebook: &'a str, f: &'a Finding) -> Self {
        JsonFinding {
            file: &note.origin.path,
            row: note.origin.row,
            id: note.origin.id.as_deref(),
            rulebook,
            rule: &f.rule,
            level: f.level.as_str(),
            message: &f.message,
            help: f.help.as_deref(),
            span: f.span,
            start: idx.line_col(f.span.start),
            end: idx.line_col(f.span.end),
            text: note.slice(f.span),
            fix: f.fix.as_ref(),
        }
    }
}

/// A problem in the JSON output's `errors`.
#[derive(Serialize)]
pub(super) struct JsonProblem {
    code: String,
    message: String,
    file: Option<String>,
    row: Option<usize>,
    span: Option<Span>,
    start: Option<LineCol>,
    help: Option<String>,
}

impl From<&Problem> for JsonProblem {
    fn from(p: &Problem) -> Self {
        let span = p.labels.first().map(|(s, _)| *s);
        let start = match (&p.source, span) {
            (Some(src), Some(s)) => Some(LineIndex::new(&src.text).line_col(s.start)),
            _ => None,
        };
        JsonProblem {
            code: p.code.clone(),
            message: p.message.clone(),
            file: p.file().map(str::to_owned),
            row: p.row,
            span,
            start,
            help: p.help.clone(),
        }
    }
}

/// A note's findings as JSON objects, one per line, `,`-separated.
struct JsonAhead;

impl RenderAhead for JsonAhead {
    fn render(&self, note: &Note, report: &NoteReport, rulebook: &str) -> Vec<u8> {
        let mut out = Vec::new();
        if report.findings.is_empty() {
            return out;
        }
        let idx = LineIndex::new(&note.source);
        for (i, f) in report.findings.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut out, &JsonFinding::new(note, &idx, rulebook, f))
                .expect("a finding serializes to memory");
        }
        out
    }
}

impl Reporter for Json {
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()> {
        let rendered = JsonAhead.render(note, report, rulebook);
        self.note_rendered(note, report, rulebook, rendered)
    }

    fn ahead(&self) -> Option<Arc<dyn RenderAhead>> {
        Some(Arc::new(JsonAhead))
    }

    fn note_rendered(
        &mut self,
        _note: &Note,
        report: &NoteReport,
        _rulebook: &str,
        rendered: Vec<u8>,
    ) -> io::Result<()> {
        if !report.findings.is_empty() {
            self.out.write_all(if self.first {
                b"{\"version\":1,\"findings\":[\n"
            } else {
                b",\n"
            })?;
            self.first = false;
            self.out.write_all(&rendered)?;
        }
        for f in &report.failures {
            self.errors.push(&JsonProblem::from(&failure_problem(f)))?;
        }
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.errors.push(&JsonProblem::from(problem))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.first {
            self.out.write_all(b"{\"version\":1,\"findings\":[")?;
        }
        self.out.write_all(b"\n],\"errors\":")?;
        self.errors.write_array(&mut self.out)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
