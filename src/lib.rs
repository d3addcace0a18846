//! tact: a linter for LinkedIn connection-request notes and follow-ups.
//!
//! The pipeline, one module per stage:
//!
//! `input` (files, stdin, batches) → [`note`] (front matter, segments) →
//! [`rulebook`] (which rules, levels, options) → [`run`] (Rhai rules from
//! [`plugin`], triggered natively) → [`finding`]s and [`fix`]es → [`render`].
//!
//! ```
//! use std::sync::Arc;
//! use tact::{config::Project, note::{Note, Origin}, workspace::Workspace};
//!
//! let ws = Workspace::load(Project::default(), &[]);
//! let checker = ws.checker("sales").expect("the sales rulebook resolves");
//! let note = Note::parse(Origin::file("note.txt"), "Hi, can we schedule a quick call this week?".into()).unwrap();
//! let report = checker.check(&Arc::new(note));
//! assert!(report.findings.iter().any(|f| f.rule == "core/no-pitch"));
//! ```
#![deny(missing_docs)]
// `Problem` carries its source text for miette; it is built only on the cold
// error path, so its size in `Result` does not matter.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod eval;
pub mod finding;
pub mod fix;
pub mod fix_output;
pub mod input;
pub mod matcher;
pub mod note;
pub mod plugin;
pub mod problem;
pub mod render;
pub mod rulebook;
pub mod run;
pub mod span;
pub mod testing;
pub mod watch;
pub mod workspace;
