//! GitHub Actions output: one workflow command per finding and problem, so
//! findings show up as annotations on the pull request.

use super::{Reporter, Summary, failure_problem, human::plural};
use crate::finding::Level;
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use std::io::{self, Write};

/// The GitHub reporter.
pub struct Github {
    out: Box<dyn Write>,
}

impl Github {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Github { out }
    }
}

/// Escapes a property or message as workflow commands require.
fn escape(s: &str, property: bool) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        s.replace(':', "%3A").replace(',', "%2C")
    } else {
        s
    }
}

impl Reporter for Github {
    fn note(&mut self, note: &Note, report: &NoteReport, _rulebook: &str) -> io::Result<()> {
        let idx = LineIndex::new(&note.source);
        for f in &report.findings {
            let kind = match f.level {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "notice",
            };
            let (s, e) = (idx.line_col(f.span.start), idx.line_col(f.span.end));
            // Batch rows have no line in the file that maps to the text; name the row in the title.
            let (line, col, end_line, end_col) = match note.origin.row {
                Some(row) => (row, 1, row, 1),
                None => (s.line, s.column, e.line, e.column),
            };
            writeln!(
                self.out,
                "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
                escape(&note.origin.path, true),
                escape(&f.rule, true),
                escape(&f.message, false)
            )?;
        }
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, p: &Problem) -> io::Result<()> {
        let mut props: Vec<String> = p
            .file()
            .map(|f| format!("file={}", escape(f, true)))
            .into_iter()
            .collect();
        // A batch row's problem points at its row; a file's at its label.
        match (p.row, p.line_col()) {
            (Some(row), _) => props.push(format!("line={row}")),
            (None, Some(at)) => props.push(format!("line={},col={}", at.line, at.column)),
            (None, None) => {}
        }
        props.push(format!("title={}", escape(&p.code, true)));
        writeln!(
            self.out,
            "::error {}::{}",
            props.join(","),
            escape(&p.message, false)
        )
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        writeln!(
            self.out,
            "tact: {}, {}, {}, {}",
            plural(s.notes, "note"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.problems, "problem")
        )?;
        self.out.flush()
    }
}
