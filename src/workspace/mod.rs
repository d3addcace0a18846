//! Everything a run loads: the project config, the engine, the rules and
//! the rulebooks, plus a checker per rulebook built on first use. `check`,
//! `eval`, the editor API and `watch` all load through [`Workspace`];
//! [`reload`] loads by content hash, so a watch run reloads only what changed.

mod reload;

pub use reload::{Delta, LoadError, Reload, Reloaded, absolute, hash_of};

use crate::config::{Chosen, Project};
use crate::finding::Safety;
use crate::fix::fix_note;
use crate::input;
use crate::note::Note;
use crate::plugin::RuleSet;
use crate::plugin::imports::PackResolver;
use crate::problem::Problem;
use crate::problem::Source;
use crate::rulebook::{RuleSelection, Rulebooks};
use crate::run::Checker;
use crate::run::{NoteReport, Timings};
use crate::span::Span;
use reload::{CheckerSlot, Files};
use rhai::Engine;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Loaded rules and rulebooks.
pub struct Workspace {
    /// The project config (the last good one, in a watch run).
    pub project: Project,
    extra_plugins: Vec<PathBuf>,
    /// A file that stops loading keeps its last good version (watch).
    keep_last_good: bool,
    /// Rules compile on first use (one run: see [`Workspace::load_lazily`]).
    lazy: bool,
    resolver: PackResolver,
    /// The one sandboxed engine.
    pub engine: Arc<Engine>,
    /// Every rule that compiled.
    pub rules: Arc<RuleSet>,
    /// Every rulebook that parsed.
    pub rulebooks: Rulebooks,
    /// The packs loaded (refused ones are among the problems).
    pub packs: crate::pack::Packs,
    /// Rules added to or removed from every rulebook (`--select`, `--ignore`).
    pub selection: RuleSelection,
    /// The files loaded: their hashes and problems.
    files: Files,
    checkers: Mutex<BTreeMap<String, CheckerSlot>>,
    /// Checkers measure their rules' calls (`--timings`).
    timed: AtomicBool,
}

impl Workspace {
    /// The checker for a rulebook, resolving it on first use, or the
    /// problems that keep it from resolving (the same on every call).
    pub fn checker(&self, rulebook: &str) -> Result<Arc<Checker>, Vec<Problem>> {
        let mut cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        let slot = cache.entry(rulebook.to_owned()).or_insert_with(|| {
            let mut slot = CheckerSlot::default();
            self.resolve_into(rulebook, &mut slot, false);
            slot
        });
        slot.checker.clone().ok_or_else(|| slot.problems.clone())
    }

    /// Makes the checkers built from now on measure what each rule costs;
    /// call it before checking (see [`Workspace::timings`]).
    pub fn time_rules(&self) {
        self.timed.store(true, Ordering::Relaxed);
    }

    /// What checking cost so far, per rule, over every rulebook used, when
    /// [`Workspace::time_rules`] was called first.
    pub fn timings(&self) -> Timings {
        let cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Timings::default();
        for t in cache
            .values()
            .filter_map(|slot| slot.checker.as_ref()?.timings())
        {
            out.merge(t);
        }
        out
    }

    /// One problem per rule that tact stopped calling after it failed on
    /// `[limits] max_failures` notes, saying on how many notes it was skipped.
    pub fn skipped_rules(&self) -> Vec<Problem> {
        let cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .values()
            .filter_map(|slot| slot.checker.as_ref())
            .flat_map(|checker| {
                checker.skipped().into_iter().map(|(rule, c)| {
                    Problem::error(
                        "tact::rule::skipped",
                        format!(
                            "rule `{rule}` failed on {} notes; it was not called on {} more (rulebook `{}`)",
                            c.failed, c.skipped, checker.rulebook
                        ),
                    )
                    .help("fix the rule; `[limits] max_failures` in tact.toml sets when tact gives up on it")
                })
            })
            .collect()
    }
}

/// What checking (and maybe fixing) one input item produced.
pub enum Checked {
    /// The item could not be read as a note.
    Problem(Problem),
    /// A note and what checking it gave.
    Note {
        /// The note as reported: the fixed note after `--fix`, the original otherwise.
        note: Arc<Note>,
        /// The rulebook that checked it.
        rulebook: String,
        /// Its findings, or the problems of its rulebook (every time: the
        /// caller reports them once, in input order; see [`ReportedOnce`]).
        result: Result<NoteReport, Vec<Problem>>,
        /// What fixing it did, when it was fixed.
        fixed: Option<FixResult>,
    },
}

/// How [`Workspace::check_item`] fixes a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixMode {
    /// Which edits may be applied.
    pub safety: Safety,
    /// Show the fix as a diff: report the note as it is, not what is left.
    pub diff: bool,
}

/// What fixing one note did.
pub struct FixResult {
    /// The note as read.
    pub original: Arc<Note>,
    /// The note after the fixes.
    pub fixed: Arc<Note>,
    /// How many fixes were applied.
    pub applied: usize,
    /// Rules whose fixes undo each other, when that happened.
    pub conflict: Option<String>,
    /// The findings of the original, reported when the fixed text cannot be written.
    pub original_report: NoteReport,
}

impl Workspace {
    /// Checks one input item with the rulebook `flag` names (else the note's
    /// own), fixing it when `fix` says how. `tact check` and `tact eval` run
    /// every item through this, on the check stream.
    pub fn check_item(
        &self,
        flag: Option<&str>,
        fix: Option<FixMode>,
        item: input::Item,
    ) -> Checked {
        let ws = self;
        let note = match item {
            Ok(mut n) => {
                ws.project.apply_selection(&mut n);
                Arc::new(n)
            }
            Err(p) => return Checked::Problem(p),
        };
        let (rulebook, chosen) = ws.project.choose_rulebook(&note, flag);
        let checker = match ws.checker(&rulebook) {
            Ok(c) => c,
            Err(problems) => {
                let problems: Vec<Problem> = problems
                    .into_iter()
                    .map(|p| locate_missing_rulebook(ws, p, &note, &rulebook, chosen))
                    .collect();
                return Checked::Note {
                    note,
                    rulebook,
                    result: Err(problems),
                    fixed: None,
                };
            }
        };
        if let Some(FixMode { safety, diff }) = fix {
            let outcome = fix_note(&checker, note.clone(), safety);
            // --diff changes nothing, so it reports the note as it is; --fix
            // reports what is left after fixing.
            let (shown, report) = if diff {
                (note.clone(), outcome.original_report.clone())
            } else {
                (outcome.note.clone(), outcome.report)
            };
            let fixed = FixResult {
                original: note,
                fixed: outcome.note,
                applied: outcome.applied,
                conflict: outcome.conflict,
                original_report: outcome.original_report,
            };
            return Checked::Note {
                note: shown,
                rulebook,
                result: Ok(report),
                fixed: Some(fixed),
            };
        }
        let report = checker.check(&note);
        Checked::Note {
            note,
            rulebook,
            result: Ok(report),
            fixed: None,
        }
    }
}

/// A missing rulebook points at what named it: the note's `goal`, or the
/// value in `tact.toml`.
fn locate_missing_rulebook(
    ws: &Workspace,
    p: Problem,
    note: &Note,
    name: &str,
    chosen: Chosen,
) -> Problem {
    if p.code != "tact::rulebook::missing" || p.source.is_some() {
        return p;
    }
    match chosen {
        Chosen::Goal if !note.front.goal_span.is_empty() => {
            let src = Source::new(note.origin.to_string(), note.source.as_str());
            p.at(src, note.front.goal_span, "the note's goal")
        }
        Chosen::Goal => {
            let mut p = p;
            p.message = format!("{} (the `goal` of {})", p.message, note.origin);
            p
        }
        Chosen::Config => {
            let Some(path) = &ws.project.path else {
                return p;
            };
            let Ok(text) = std::fs::read_to_string(path) else {
                return p;
            };
            let quoted = format!("\"{name}\"");
            let span = text
                .rfind(&quoted)
                .map(|i| Span::new(i + 1, i + 1 + name.len()))
                .unwrap_or_default();
            p.at(
                Source::new(path.display().to_string(), text),
                span,
                "named here",
            )
        }
        Chosen::Flag | Chosen::Fallback => p,
    }
}

/// Reports each broken rulebook's problems once, with the first note (in
/// input order) that needed it; later notes get one line pointing back.
#[derive(Debug, Default)]
pub struct ReportedOnce(HashSet<String>);

impl ReportedOnce {
    /// The problems to report for a note that `rulebook` could not check.
    pub fn problems(
        &mut self,
        note: &Note,
        rulebook: &str,
        problems: Vec<Problem>,
    ) -> Vec<Problem> {
        // A rulebook missing because a note's `goal` names it points at that
        // goal, so it is shown for each such note; any other error once.
        let origin = note.origin.to_string();
        let per_note = problems.iter().all(|p| {
            p.code == "tact::rulebook::missing"
                && p.source.as_ref().is_some_and(|s| s.name == origin)
        });
        if per_note || self.0.insert(rulebook.to_owned()) {
            return problems;
        }
        vec![Problem::error(
            "tact::rulebook::unusable",
            format!(
                "`{}` not checked: rulebook `{rulebook}` has errors (reported above)",
                note.origin
            ),
        )]
    }
}
