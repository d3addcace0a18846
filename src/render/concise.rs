//! Concise output: one line per finding, `file:line:col: level rule message`,
//! the shape editors, `grep` and quickfix lists read. A batch row's finding
//! is `file:row:line:col`, the line and column within the row's text.

use super::{Reporter, Summary, failure_problem, human::write_summary};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use std::io::{self, Write};

/// The concise reporter: findings to `out`, problems to stderr, one line each.
pub struct Concise {
    out: Box<dyn Write>,
}

impl Concise {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Concise { out }
    }
}

/// A message on one line: line breaks inside it become spaces.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Reporter for Concise {
    fn note(&mut self, note: &Note, report: &NoteReport, _rulebook: &str) -> io::Result<()> {
        let idx = LineIndex::new(&note.source);
        for f in &report.findings {
            let at = idx.line_col(f.span.start);
            writeln!(
                self.out,
                "{}:{}:{}: {} {} {}",
                note.origin,
                at.line,
                at.column,
                f.level.as_str(),
                f.rule,
                one_line(&f.message)
            )?;
        }
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, p: &Problem) -> io::Result<()> {
        self.out.flush()?;
        let mut at = p.file().unwrap_or("tact").to_owned();
        if let Some(row) = p.row {
            at += &format!(":{row}");
        } else if let Some(lc) = p.line_col() {
            at += &format!(":{}:{}", lc.line, lc.column);
        }
        eprintln!("{at}: error {} {}", p.code, one_line(&p.message));
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        write_summary(&mut self.out, s)
    }
}
