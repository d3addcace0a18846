//! `Problem`: one diagnostic with a code, a message, labelled spans into a
//! named source and a help line. Load errors, rulebook errors, rule failures,
//! input errors and findings are all shown through it with miette.

use crate::span::{LineIndex, Span};
use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use std::fmt;
use std::sync::Arc;

/// A text a problem points into, with the name shown above the snippet.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name (and row), as shown to the user.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
}

impl Source {
    /// A named text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// One diagnostic.
#[derive(Debug, Clone)]
pub struct Problem {
    /// A stable code such as `core/no-pitch` or `tact::rulebook::unknown-rule`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// How serious it is.
    pub severity: Severity,
    /// The text the labels point into.
    pub source: Option<Source>,
    /// Labelled spans into `source`.
    pub labels: Vec<(Span, String)>,
    /// What to do about it.
    pub help: Option<String>,
    /// The input file it is about, when that is not the source it points into
    /// (a batch row's problem points into the row's text).
    pub input: Option<String>,
    /// The batch row it is about (1-based, as in diagnostics).
    pub row: Option<usize>,
    named: Option<NamedSource<Arc<str>>>,
}

impl Problem {
    /// An error without a source.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            code: code.into(),
            message: message.into(),
            severity: Severity::Error,
            source: None,
            labels: vec![],
            help: None,
            input: None,
            row: None,
            named: None,
        }
    }

    /// Names the input file (and batch row) the problem is about.
    pub fn in_input(mut self, file: impl Into<String>, row: Option<usize>) -> Self {
        self.input = Some(file.into());
        self.row = row;
        self
    }

    /// Points the problem at `span` of `source` with a label.
    pub fn at(mut self, source: Source, span: Span, label: impl Into<String>) -> Self {
        let span = span.clamp_to(&source.text);
        self.named =
            Some(NamedSource::new(source.name.clone(), source.text.clone()).with_language("text"));
        self.source = Some(source);
        self.labels = vec![(span, label.into())];
        self
    }

    /// Adds another label in the same source.
    pub fn label(mut self, span: Span, label: impl Into<String>) -> Self {
        if let Some(src) = &self.source {
            self.labels.push((span.clamp_to(&src.text), label.into()));
        }
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The file it is about: the input it names, else the file it points into.
    pub fn file(&self) -> Option<&str> {
        self.input
            .as_deref()
            .or_else(|| self.source.as_ref().map(|s| s.name.as_str()))
    }

    /// The 1-based line and column of its first label, when it points into
    /// the file itself (not into a batch row's text).
    pub fn line_col(&self) -> Option<crate::span::LineCol> {
        let src = self.source.as_ref()?;
        let (span, _) = self.labels.first()?;
        (self.row.is_none()).then(|| LineIndex::new(&src.text).line_col(span.start))
    }

    /// Renders with miette's graphical handler (no colour unless `color`).
    /// A label on a line too wide to draw is shown as `file:line:column`.
    pub fn render(&self, color: bool) -> String {
        if let Some(src) = self.source.as_ref().filter(|_| self.snippet_too_wide()) {
            let index = LineIndex::new(&src.text);
            let mut plain = self.clone();
            plain.named = None;
            plain.source = None;
            plain.labels.clear();
            for (span, label) in &self.labels {
                let at = index.line_col(span.start);
                plain.message.push_str(&format!(
                    "\n  at {}:{}:{}{}{label}",
                    src.name,
                    at.line,
                    at.column,
                    if label.is_empty() { "" } else { ": " }
                ));
            }
            return plain.render(color);
        }
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(WIDTH.load(std::sync::atomic::Ordering::Relaxed))
            .with_context_lines(1);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() {
            out = format!("{}: {}\n", self.code, self.message);
        }
        out
    }
}

/// The width diagnostics wrap to: 100 columns unless [`set_width`] says.
static WIDTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(100);

/// Wraps rendered diagnostics to `columns` (the terminal's width; at least 40).
pub fn set_width(columns: usize) {
    WIDTH.store(columns.max(40), std::sync::atomic::Ordering::Relaxed);
}

/// The widest line drawn as a snippet, in chars. miette pads snippet lines
/// with Rust's formatter, which panics on a width past `u16::MAX`; a line far
/// narrower than that is already unreadable in a terminal.
const MAX_SNIPPET_COLUMNS: usize = 4096;

impl Problem {
    /// Whether a label's lines, or the context line on either side, are wider
    /// than a snippet may be.
    fn snippet_too_wide(&self) -> bool {
        let Some(src) = &self.source else {
            return false;
        };
        let text = &*src.text;
        self.labels.iter().any(|(span, _)| {
            // From the start of the line before the label to the end of the line after it.
            let mut from = text[..span.start].rfind('\n').unwrap_or(0);
            from = text[..from].rfind('\n').map_or(0, |i| i + 1);
            let mut to = text[span.end..]
                .find('\n')
                .map_or(text.len(), |i| span.end + i + 1);
            to = text[to..].find('\n').map_or(text.len(), |i| to + i);
            text[from..to].split('\n').any(|line| {
                line.len() > MAX_SNIPPET_COLUMNS && line.chars().count() > MAX_SNIPPET_COLUMNS
            })
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.named.as_ref().map(|n| n as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.named.as_ref()?;
        Some(Box::new(self.labels.iter().map(|(span, label)| {
            let text = if label.is_empty() {
                None
            } else {
                Some(label.clone())
            };
            LabeledSpan::new_with_span(text, *span)
        })))
    }
}

/// "did you mean" for a misspelled name among `candidates` (edit distance ≤ 3).
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        // Optimal string alignment: a swapped pair of letters ("salse") is one edit.
        .map(|c| (strsim::osa_distance(wrong, c), c))
        // Close enough to be a typo: about one edit in three chars.
        .filter(|(d, c)| *d <= wrong.chars().count().max(c.chars().count()).div_ceil(3))
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance in chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["no-pitch", "one-ask", "length"];
        assert_eq!(did_you_mean("no-pich", names), Some("no-pitch"));
        assert_eq!(did_you_mean("lenght", names), Some("length"));
        assert_eq!(did_you_mean("zzzzzzzzzz", names), None);
        assert_eq!(did_you_mean("nope", ["base", "sales"]), None);
        assert_eq!(did_you_mean("quite", ["quiet", "sales"]), Some("quiet"));
    }

    #[test]
    fn renders_source_label_and_help() {
        let p = Problem::error("x::y", "bad thing")
            .at(
                Source::new("a.txt", "hello world"),
                Span::new(6, 11),
                "this",
            )
            .help("do better");
        let out = p.render(false);
        assert!(
            out.contains("x::y") && out.contains("bad thing") && out.contains("a.txt:1:7"),
            "{out}"
        );
        assert!(out.contains("do better") && out.contains("this"), "{out}");
    }

    // miette panicked ("tact stopped unexpectedly") on a label past column
    // 65,535: such a line is shown as a position, and the position is right.
    #[test]
    fn render_survives_labels_past_column_65535() {
        let text = format!("[rules]\nlength = {{{}nosuch = 1 }}\n", " ".repeat(70_000));
        let at = text.find("nosuch").unwrap();
        let p = Problem::error("x::y", "unknown option").at(
            Source::new("wide.toml", text),
            Span::new(at, at + 6),
            "this",
        );
        let out = p.render(false);
        assert!(out.contains("wide.toml:2:70011: this"), "{out}");
        assert!(out.contains("unknown option"), "{out}");
    }
}
