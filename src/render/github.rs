//! GitHub Actions output: one workflow command per finding and problem, so
//! findings show up as annotations on the pull request, and a Markdown job
//! summary (counts per rule, the findings with file and line) for
//! `$GITHUB_STEP_SUMMARY`, since GitHub shows at most 10 annotations of each
//! level per step.

use super::{Counts, Reporter, Summary, failure_problem, human::plural};
use crate::finding::Level;
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use std::io::{self, Write};
use std::path::PathBuf;

/// The most findings the job summary lists one by one.
pub const SUMMARY_FINDINGS: usize = 100;

/// The GitHub reporter.
pub struct Github {
    out: Box<dyn Write>,
    step_summary: Option<PathBuf>,
    counts: Counts,
    /// (level, `file:line`, rule, message) of the first findings.
    first: Vec<(Level, String, String, String)>,
    findings: usize,
    problems: Vec<String>,
}

impl Github {
    /// A reporter writing to `out`, and a job summary to `step_summary`.
    pub fn new(out: Box<dyn Write>, step_summary: Option<PathBuf>) -> Self {
        Github {
            out,
            step_summary,
            counts: Counts::default(),
            first: Vec::new(),
            findings: 0,
            problems: Vec::new(),
        }
    }

    fn summary_markdown(&self, s: &Summary) -> String {
        let mut md = format!(
            "## tact\n\n{} checked: {}, {}, {}, {}\n",
            plural(s.notes, "note"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "hint"),
            plural(s.problems, "problem")
        );
        let rows = self.counts.rows();
        if !rows.is_empty() {
            md += "\n| rule | level | findings |\n|---|---|---|\n";
            for r in rows {
                md += &format!("| `{}` | {} | {} |\n", r.rule, r.level, r.count);
            }
        }
        if !self.first.is_empty() {
            md += "\n| level | where | rule | message |\n|---|---|---|---|\n";
            for (level, at, rule, message) in &self.first {
                md += &format!(
                    "| {} | `{}` | `{rule}` | {} |\n",
                    level.as_str(),
                    cell(at),
                    cell(message)
                );
            }
            if self.findings > self.first.len() {
                md += &format!(
                    "\nand {} more; run `tact check` locally for all of them.\n",
                    plural(self.findings - self.first.len(), "finding")
                );
            }
        }
        if !self.problems.is_empty() {
            md += "\n### Problems\n\n";
            for p in self.problems.iter().take(SUMMARY_FINDINGS) {
                md += &format!("- {}\n", cell(p));
            }
        }
        md
    }
}

/// Text for a Markdown table cell: on one line, pipes and tags escaped.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('`', "'")
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
        self.counts.add(report);
        for f in &report.findings {
            let kind = match f.level {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "notice",
            };
            let (s, e) = (idx.line_col(f.span.start), idx.line_col(f.span.end));
            // The runner keeps columns only on a one-line span; a batch row
            // has no file column for a position in its text: lines only then.
            let position = match note.origin.row {
                Some(row) => format!("line={row},endLine={row}"),
                None if s.line == e.line => format!(
                    "line={},col={},endLine={},endColumn={}",
                    s.line, s.column, e.line, e.column
                ),
                None => format!("line={},endLine={}", s.line, e.line),
            };
            writeln!(
                self.out,
                "::{kind} file={},{position},title={}::{}",
                escape(&note.origin.path, true),
                escape(&f.rule, true),
                escape(&f.message, false)
            )?;
            self.findings += 1;
            if self.first.len() < SUMMARY_FINDINGS {
                let line = note.origin.row.unwrap_or(s.line);
                self.first.push((
                    f.level,
                    format!("{}:{line}", note.origin.path),
                    f.rule.clone(),
                    f.message.clone(),
                ));
            }
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
        if self.problems.len() < SUMMARY_FINDINGS {
            let at = p.file().map(|f| format!("`{f}`: ")).unwrap_or_default();
            self.problems
                .push(format!("{at}{} ({})", p.message, p.code));
        }
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
        if let Some(path) = &self.step_summary {
            // GitHub gathers a step's summary from what it appends to the file.
            let written = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .and_then(|mut f| f.write_all(self.summary_markdown(s).as_bytes()));
            if let Err(e) = written {
                eprintln!(
                    "tact: cannot write the job summary to `{}`: {e}",
                    path.display()
                );
            }
        }
        self.out.flush()
    }
}
