//! The library API for editors and language servers: load a project from a
//! folder, check an in-memory note, and get findings with byte spans,
//! line:column and UTF-16 (LSP) positions, and their fixes.

use crate::config::{self, Project};
use crate::finding::{Fix, Level};
use crate::input::note_from_text;
use crate::note::Origin;
use crate::problem::Problem;
use crate::span::{LineCol, LineIndex, Span, Utf16Pos};
use crate::workspace::{Checked, Workspace};
use serde::Serialize;
use std::path::Path;

/// A finding placed in the note's text every way an editor may need.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Full rule id, e.g. `core/no-pitch`.
    pub rule: String,
    /// Its level.
    pub level: Level,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Where, in bytes of the text (front matter included).
    pub span: Span,
    /// Where it starts, 1-based line and char column.
    pub start: LineCol,
    /// Where it ends.
    pub end: LineCol,
    /// Where it starts, as LSP counts (0-based, UTF-16).
    pub lsp_start: Utf16Pos,
    /// Where it ends, as LSP counts.
    pub lsp_end: Utf16Pos,
    /// The rewrite, when the rule offers one (edit spans in bytes).
    pub fix: Option<Fix>,
}

/// Loads the project of `dir`: the nearest `tact.toml` at or above it, else
/// the defaults (the built-in rules and rulebooks).
pub fn open(dir: &Path) -> Result<Workspace, Problem> {
    let project = match config::find(dir) {
        Some(path) => Project::load(Some(&path))?,
        None => Project::default(),
    };
    Ok(Workspace::load(project, &[]))
}

/// Checks `text` (a note file's content, front matter included) as if it
/// were the file `name`, with `rulebook` or else the note's own choice.
/// Errors are the problems that kept it from being checked (malformed front
/// matter, a broken rulebook, a failing rule).
pub fn check_text(
    ws: &Workspace,
    name: &str,
    text: &str,
    rulebook: Option<&str>,
) -> Result<Vec<Diagnostic>, Vec<Problem>> {
    let item = note_from_text(Origin::file(name), text.to_owned());
    let (note, report) = match ws.check_item(rulebook, None, item) {
        Checked::Problem(p) => return Err(vec![p]),
        Checked::Note {
            result: Err(problems),
            ..
        } => return Err(problems),
        Checked::Note {
            note,
            result: Ok(report),
            ..
        } => (note, report),
    };
    if !report.failures.is_empty() {
        return Err(report
            .failures
            .iter()
            .map(crate::render::failure_problem)
            .collect());
    }
    let index = LineIndex::new(&note.source);
    Ok(report
        .findings
        .into_iter()
        .map(|f| Diagnostic {
            start: index.line_col(f.span.start),
            end: index.line_col(f.span.end),
            lsp_start: index.utf16(f.span.start),
            lsp_end: index.utf16(f.span.end),
            rule: f.rule,
            level: f.level,
            message: f.message,
            help: f.help,
            span: f.span,
            fix: f.fix,
        })
        .collect())
}
