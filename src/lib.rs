//! tact: a linter for LinkedIn connection-request notes and follow-ups.
//!
//! The pipeline, one module per stage:
//!
//! [`input`] (files, stdin, batches) → [`note`] (front matter, segments,
//! judgement facts, tone) → [`rulebook`] (which rules, levels, options, per
//! channel) → [`run`] (Rhai rules from [`plugin`], triggered natively, on the
//! one check stream) → [`finding`]s and [`fix`]es → [`render`]. [`workspace`]
//! loads everything (and reloads what changed, by content hash); [`eval`] measures rules on labelled notes; the
//! command line lives in the binary, not here.
//!
//! An editor or a language server checks a note in memory with [`editor`]:
//!
//! ```
//! let ws = tact::editor::open(std::path::Path::new(".")).expect("the project loads");
//! let text = "+++\ngoal = \"sales\"\n+++\nHi 😀, can we hop on a quick call?";
//! let found = tact::editor::check_text(&ws, "note.md", text, None).expect("checked");
//! let pitch = found.iter().find(|d| d.rule == "core/no-pitch").expect("a pitch");
//! assert_eq!(&text[pitch.span.start..pitch.span.end], "quick call");
//! // Columns count chars; LSP counts UTF-16 units, two for the emoji.
//! assert_eq!((pitch.start.line, pitch.start.column), (4, 23));
//! assert_eq!((pitch.lsp_start.line, pitch.lsp_start.character), (3, 23));
//! ```
#![deny(missing_docs)]
// `Problem` carries its source text for miette; it is built only on the cold
// error path, so its size in `Result` does not matter.
#![allow(clippy::result_large_err)]

pub mod codes;
pub mod config;
pub mod editor;
pub mod eval;
pub mod finding;
pub mod fix;
pub mod fix_output;
pub mod input;
pub mod matcher;
pub mod note;
pub mod pack;
pub mod plugin;
pub mod problem;
pub mod render;
pub mod rule;
pub mod rulebook;
pub mod run;
pub mod schema;
pub mod span;
pub mod testing;
pub mod watch;
pub mod workspace;
