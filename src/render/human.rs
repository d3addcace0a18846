//! Human output: each finding as a miette diagnostic over the note's text,
//! then a one-line summary. Findings go to stdout, tool problems to stderr.

use super::{RenderAhead, Reporter, Summary, failure_problem};
use crate::finding::{Finding, Level, Safety};
use crate::note::Note;
use crate::problem::{Problem, Source};
use crate::run::NoteReport;
use miette::Severity;
use std::io::{self, Write};
use std::sync::Arc;

/// The human reporter.
pub struct Human {
    color: bool,
    color_err: bool,
    out: Box<dyn Write>,
}

impl Human {
    /// A reporter writing findings to `out` and problems to stderr, each
    /// with colour or not.
    pub fn new(color: bool, color_err: bool, out: Box<dyn Write>) -> Self {
        Human {
            color,
            color_err,
            out,
        }
    }
}

/// A finding as a diagnostic over its note.
pub fn finding_problem(source: &Source, f: &Finding) -> Problem {
    let severity = match f.level {
        Level::Error => Severity::Error,
        Level::Warn => Severity::Warning,
        Level::Info => Severity::Advice,
    };
    let label = match f.fix.as_ref().map(|x| x.safety) {
        Some(Safety::Safe) => "fixable with --fix",
        Some(Safety::Unsafe) => "fixable with --fix --unsafe-fixes",
        None => "",
    };
    let mut p = Problem::error(f.rule.clone(), f.message.clone())
        .severity(severity)
        .at(source.clone(), f.span, label);
    if let Some(h) = &f.help {
        p = p.help(h.clone());
    }
    p
}

/// `1 note`, `2 notes`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A note's findings as miette diagnostics.
struct HumanAhead {
    color: bool,
}

impl RenderAhead for HumanAhead {
    fn render(&self, note: &Note, report: &NoteReport, _rulebook: &str) -> Vec<u8> {
        let mut out = Vec::new();
        if report.findings.is_empty() {
            return out;
        }
        let source = Source::new(
            note.origin.to_string(),
            Arc::<str>::from(note.source.as_str()),
        );
        for f in &report.findings {
            let text = finding_problem(&source, f).render(self.color);
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

impl Reporter for Human {
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()> {
        let rendered = HumanAhead { color: self.color }.render(note, report, rulebook);
        self.note_rendered(note, report, rulebook, rendered)
    }

    fn ahead(&self) -> Option<Arc<dyn RenderAhead>> {
        Some(Arc::new(HumanAhead { color: self.color }))
    }

    fn note_rendered(
        &mut self,
        _note: &Note,
        report: &NoteReport,
        _rulebook: &str,
        rendered: Vec<u8>,
    ) -> io::Result<()> {
        self.out.write_all(&rendered)?;
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.out.flush()?;
        eprintln!("{}", problem.render(self.color_err));
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        write_summary(&mut self.out, s)
    }
}

/// The closing summary: notes, findings per level, problems, fixes.
/// With `--quiet` there is none: only findings are printed (as `ruff check -q`).
pub(super) fn write_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    if s.quiet {
        return out.flush();
    }
    let found = s.errors + s.warnings + s.infos;
    if found == 0 && s.problems == 0 {
        writeln!(out, "✓ {} checked, no findings", plural(s.notes, "note"))?;
    } else {
        write!(
            out,
            "{} checked: {}, {}, {}",
            plural(s.notes, "note"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "hint")
        )?;
        if s.problems > 0 {
            write!(out, ", {}", plural(s.problems, "problem"))?;
        }
        writeln!(out)?;
    }
    if s.fixed > 0 {
        let verb = if s.dry_run { "would fix" } else { "fixed" };
        writeln!(out, "{verb} {}", plural(s.fixed, "finding"))?;
    }
    if s.fixable > 0 {
        writeln!(
            out,
            "{} fixable with `tact check --fix`",
            plural(s.fixable, "finding")
        )?;
    }
    if s.unsafe_fixable > 0 {
        writeln!(
            out,
            "{} more fixable with `--fix --unsafe-fixes`",
            plural(s.unsafe_fixable, "finding")
        )?;
    }
    out.flush()
}
