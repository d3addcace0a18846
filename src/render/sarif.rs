//! SARIF 2.1.0 output, for code-scanning dashboards. Results are streamed as
//! notes are checked; the rules they name are listed once at the end.

use super::{Reporter, Spool, Summary, failure_problem};
use crate::finding::Level;
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::{self, Write};

const HEADER: &[u8] =
    b"{\"version\":\"2.1.0\",\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"runs\":[{\"results\":[\n";

/// The SARIF reporter.
pub struct Sarif {
    out: Box<dyn Write>,
    first: bool,
    rules: BTreeSet<String>,
    notifications: Spool,
}

impl Sarif {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Sarif {
            out,
            first: true,
            rules: BTreeSet::new(),
            notifications: Spool::new(),
        }
    }

    fn open(&mut self) -> io::Result<()> {
        if self.first {
            self.first = false;
            self.out.write_all(HEADER)
        } else {
            self.out.write_all(b",\n")
        }
    }
}

impl Reporter for Sarif {
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()> {
        let idx = LineIndex::new(&note.source);
        for f in &report.findings {
            self.rules.insert(f.rule.clone());
            let (s, e) = (idx.line_col(f.span.start), idx.line_col(f.span.end));
            let level = match f.level {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "note",
            };
            let mut message = f.message.clone();
            if let Some(h) = &f.help {
                message = format!("{message} ({h})");
            }
            // A batch row's text is one line of the file, but positions inside
            // it do not map to file columns: point at the row's line and keep
            // the position in the text under `properties`.
            let region = match note.origin.row {
                Some(row) => json!({"startLine": row}),
                None => json!({
                    "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column,
                    "byteOffset": f.span.start, "byteLength": f.span.len(),
                }),
            };
            let result = json!({
                "ruleId": f.rule,
                "level": level,
                "message": {"text": message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": note.origin.path}, "region": region}}],
                "properties": {
                    "row": note.origin.row, "id": note.origin.id, "rulebook": rulebook,
                    "span": f.span, "fixable": f.fix.as_ref().map(|x| x.safety),
                },
            });
            self.open()?;
            serde_json::to_writer(&mut self.out, &result)?;
        }
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, p: &Problem) -> io::Result<()> {
        // A batch row's problem points at its row; a file's at its label.
        let region = match (p.row, p.line_col()) {
            (Some(row), _) => Some(json!({"startLine": row})),
            (None, Some(at)) => Some(json!({"startLine": at.line, "startColumn": at.column})),
            (None, None) => None,
        };
        let location = |f: &str| match &region {
            Some(r) => json!({"physicalLocation": {"artifactLocation": {"uri": f}, "region": r}}),
            None => json!({"physicalLocation": {"artifactLocation": {"uri": f}}}),
        };
        self.notifications.push(&json!({
            "level": "error",
            "message": {"text": p.message},
            "descriptor": {"id": p.code},
            "locations": p.file().map(|f| vec![location(f)]).unwrap_or_default(),
            "properties": {"row": p.row},
        }))
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.first {
            self.out.write_all(HEADER)?;
        }
        let rules: Vec<_> = self.rules.iter().map(|r| json!({"id": r})).collect();
        let tool = json!({"driver": {"name": "tact", "version": env!("CARGO_PKG_VERSION"), "rules": rules}});
        write!(
            self.out,
            "\n],\"tool\":{tool},\"invocations\":[{{\"executionSuccessful\":{},\"toolExecutionNotifications\":",
            self.notifications.is_empty()
        )?;
        self.notifications.write_array(&mut self.out)?;
        self.out.write_all(b"}]}]}\n")?;
        self.out.flush()
    }
}
