//! `--statistics`: how many findings each rule made, at each level, instead
//! of the findings themselves (Ruff's `--statistics`).

use super::{Reporter, Summary, failure_problem, human::write_summary};
use crate::finding::Level;
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One rule's count at one level.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    /// The rule id.
    pub rule: String,
    /// `error`, `warn` or `info`.
    pub level: &'static str,
    /// Findings.
    pub count: usize,
    /// Of those, findings with a fix.
    pub fixable: usize,
}

/// Counts findings per rule and level; most frequent first, then by rule id.
#[derive(Debug, Default)]
pub struct Counts(BTreeMap<(String, Level), (usize, usize)>);

impl Counts {
    /// Counts a note's findings.
    pub fn add(&mut self, report: &NoteReport) {
        for f in &report.findings {
            let c = self.0.entry((f.rule.clone(), f.level)).or_default();
            c.0 += 1;
            c.1 += usize::from(f.fix.is_some());
        }
    }

    /// The counts, most frequent first.
    pub fn rows(&self) -> Vec<RuleCount> {
        let mut rows: Vec<_> = self.0.iter().collect();
        // Most frequent first; a rule's levels from error down.
        rows.sort_by(|((ra, la), (ca, _)), ((rb, lb), (cb, _))| {
            cb.cmp(ca).then_with(|| ra.cmp(rb)).then_with(|| lb.cmp(la))
        });
        rows.into_iter()
            .map(|((rule, level), (count, fixable))| RuleCount {
                rule: rule.clone(),
                level: level.as_str(),
                count: *count,
                fixable: *fixable,
            })
            .collect()
    }
}

/// The statistics reporter: a table (or a JSON array) at the end; problems
/// go to stderr as in the human format.
pub struct Statistics {
    json: bool,
    color: bool,
    out: Box<dyn Write>,
    counts: Counts,
}

impl Statistics {
    /// A reporter writing a table (or JSON, when `json`) to `out`.
    pub fn new(json: bool, color: bool, out: Box<dyn Write>) -> Self {
        Statistics {
            json,
            color,
            out,
            counts: Counts::default(),
        }
    }
}

impl Reporter for Statistics {
    fn note(&mut self, _note: &Note, report: &NoteReport, _rulebook: &str) -> io::Result<()> {
        self.counts.add(report);
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("{}", problem.render(self.color));
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let rows = self.counts.rows();
        if self.json {
            serde_json::to_writer(&mut self.out, &rows)?;
            writeln!(self.out)?;
            return self.out.flush();
        }
        let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
        for r in &rows {
            let fixable = if r.fixable > 0 {
                format!("  ({} fixable)", r.fixable)
            } else {
                String::new()
            };
            writeln!(
                self.out,
                "{:>6}  {:<width$}  {}{fixable}",
                r.count, r.rule, r.level
            )?;
        }
        write_summary(&mut self.out, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::span::Span;

    fn finding(rule: &str, level: Level) -> Finding {
        Finding {
            rule: rule.into(),
            level,
            span: Span::new(0, 1),
            message: "m".into(),
            help: None,
            fix: None,
        }
    }

    #[test]
    fn counts_per_rule_and_level_most_frequent_first() {
        let mut c = Counts::default();
        c.add(&NoteReport {
            findings: vec![
                finding("a/x", Level::Warn),
                finding("b/y", Level::Error),
                finding("b/y", Level::Error),
                finding("a/x", Level::Error),
            ],
            failures: vec![],
        });
        let rows: Vec<_> = c
            .rows()
            .into_iter()
            .map(|r| (r.rule, r.level, r.count))
            .collect();
        assert_eq!(
            rows,
            [
                ("b/y".to_owned(), "error", 2),
                ("a/x".to_owned(), "error", 1),
                ("a/x".to_owned(), "warn", 1)
            ]
        );
    }
}
