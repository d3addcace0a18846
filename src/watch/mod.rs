//! `tact watch`: check notes, then check them again whenever a note, a rule,
//! a rulebook or `tact.toml` changes.
//!
//! The pieces:
//! - [`plan`] turns a batch of file events into what to look at again (pure,
//!   table-tested);
//! - [`state`] keeps the last good rules and rulebooks and every note's
//!   results, reloads what changed (by content hash) and re-checks only the
//!   notes it affects;
//! - [`output`] shows each update;
//! - this module runs the loop: `notify` with `notify-debouncer-full`,
//!   watching folders (never single files, which a save by rename-over kills).
//!
//! Watch mode never exits on a bad edit, a deleted file or a read error: a
//! rule, rulebook or config that fails to load keeps its last good version
//! running, and its error is shown until the file is fixed. Ctrl-C stops it
//! (output is flushed after every update, so the default SIGINT handling
//! loses nothing).
//!
//! # JSON events (`--format json`)
//!
//! One JSON object per line. Every update (the first check included) is
//! `reloaded`, then one `error` per current load error, then `results`:
//!
//! ```text
//! {"event":"reloaded","initial":false,"time_ms":1767225600123,"config":false,
//!  "changed":["/abs/plugins/local/shout.rhai"],"rules":["local/shout"],"rulebooks":[],
//!  "notes_checked":2,"reload_ms":1.21,"check_ms":0.35,"errors":1}
//! {"event":"error","code":"tact::plugin::syntax","message":"syntax error in rule `local/shout`: …",
//!  "file":"/abs/plugins/local/shout.rhai","span":{"start":40,"end":41},
//!  "start":{"line":3,"column":5},"end":{"line":3,"column":6},"help":"…","kept":true}
//! {"event":"results","files":[{"file":"notes/a.txt","notes":1,"findings":[…],"errors":[]}],
//!  "removed":[],"summary":{"notes":2,"errors":0,"warnings":1,"infos":0,…}}
//! ```
//!
//! - `reloaded`: `initial` is true for the first check; `changed` lists the
//!   files whose content changed, named as in findings and errors (notes as
//!   given on the command line, rules and rulebooks by path); `rules` the rule ids added, changed or
//!   removed; `rulebooks` the rulebook names added, changed or removed;
//!   `config` is true when `tact.toml` was reloaded; `notes_checked` counts
//!   the notes re-checked; `reload_ms` and `check_ms` time the update
//!   (debounce excluded); `errors` says how many `error` events follow.
//! - `error`: a load error (rule, rulebook, config, folder or the watcher),
//!   with the fields of `tact check --format json` errors plus the span's
//!   `end`, and `kept`: true when the last good version keeps running (for
//!   an unknown rule in a rulebook: the rulebook without that entry). The
//!   `error` events of an update are the complete set: an error that is not
//!   repeated has been fixed.
//! - `results`: `files` holds every note file whose results changed, each
//!   replacing what was known for it (the first update lists them all);
//!   `findings` have the fields of `tact check --format json` findings;
//!   `errors` are that file's own problems (unreadable rows, rule failures).
//!   `removed` lists note files that went away; `summary` counts over all
//!   watched notes.

pub mod output;
pub mod plan;
pub mod state;

pub use output::WatchFormat;

use crate::app::Outcome;
use crate::config::Project;
use crate::problem::Problem;
use clap::Args;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use output::Output;
use state::{State, WatchOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// Options of `tact watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Note files (.txt, .md), folders and batches (.jsonl, .csv) to watch.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Check every note with this rulebook (overrides the note's `goal`).
    #[arg(long, short)]
    pub rulebook: Option<String>,
    /// Output: a redrawn screen (human) or one JSON event per line (json).
    #[arg(long, value_enum, default_value = "human")]
    pub format: WatchFormat,
    /// Treat placeholders as template variables (as `tact check --template`).
    #[arg(long)]
    pub template: bool,
    /// How long a burst of file events must be quiet before reloading, in ms.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
}

/// The folders being watched, kept in step with what the run depends on.
#[derive(Default)]
struct Watches {
    current: BTreeMap<PathBuf, RecursiveMode>,
}

impl Watches {
    /// Watches `want` and nothing else. Folders that had events of their own
    /// (`touched`: removed, re-created, renamed) are watched afresh, since a
    /// watch dies with the folder it was on. Returns what could not be watched.
    fn sync<W: notify::Watcher, C: notify_debouncer_full::FileIdCache>(
        &mut self,
        debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
        want: Vec<(PathBuf, RecursiveMode)>,
        touched: &BTreeSet<PathBuf>,
    ) -> Vec<Problem> {
        let want: BTreeMap<PathBuf, RecursiveMode> = want.into_iter().collect();
        let stale: Vec<PathBuf> = self
            .current
            .iter()
            .filter(|(p, m)| want.get(*p) != Some(m) || touched.contains(*p) || !p.is_dir())
            .map(|(p, _)| p.clone())
            .collect();
        for p in stale {
            let _ = debouncer.unwatch(&p);
            self.current.remove(&p);
        }
        let mut problems = vec![];
        for (path, mode) in want {
            if self.current.contains_key(&path) {
                continue;
            }
            match debouncer.watch(&path, mode) {
                Ok(()) => {
                    self.current.insert(path, mode);
                }
                Err(e) => problems.push(
                    Problem::error("tact::watch::folder", format!("cannot watch `{}`: {e}", path.display()))
                        .help("changes there are not seen; on Linux, raise fs.inotify.max_user_watches if the limit is reached"),
                ),
            }
        }
        problems
    }
}

/// `tact watch`.
pub fn run(project: Project, extra_plugins: &[PathBuf], args: &WatchArgs, color: bool) -> Outcome {
    if args.paths.iter().any(|p| p == "-") {
        eprintln!("error: `tact watch` cannot watch stdin; give note files or folders");
        return Outcome::Error;
    }
    let opts = WatchOptions {
        paths: args.paths.clone(),
        rulebook: args.rulebook.clone(),
        template: args.template,
        extra_plugins: extra_plugins.to_vec(),
    };
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(Duration::from_millis(args.debounce.max(1)), None, tx) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot start the file watcher: {e}");
            return Outcome::Error;
        }
    };
    let redraw = args.format == WatchFormat::Human && std::io::stdout().is_terminal();
    let mut out = Output::new(args.format, color, redraw, Box::new(std::io::stdout()));
    let mut state = State::new(project, opts);
    let mut watches = Watches::default();
    // Watch first, then load: a change made while loading is not lost.
    let mut watch_errors = watches.sync(&mut debouncer, state.watch_set(), &BTreeSet::new());
    let cycle = state.load();
    watch_errors.extend(watches.sync(&mut debouncer, state.watch_set(), &BTreeSet::new()));
    if out.cycle(&state, &cycle, &watch_errors).is_err() {
        return Outcome::Clean; // stdout closed
    }
    for result in rx {
        let events = match result {
            Ok(events) => events,
            Err(errors) => {
                if out.watcher_errors(&errors).is_err() {
                    return Outcome::Clean;
                }
                continue;
            }
        };
        let events: Vec<notify::Event> = events.into_iter().map(|e| e.event).collect();
        let plan = plan::plan(&events, state.layout());
        if plan.is_empty() {
            continue;
        }
        let cycle = state.apply(&plan);
        let touched: BTreeSet<PathBuf> = events
            .iter()
            .flat_map(|e| e.paths.iter().cloned())
            .collect();
        let errors = watches.sync(&mut debouncer, state.watch_set(), &touched);
        if cycle.is_noop() && errors.is_empty() {
            continue;
        }
        if out.cycle(&state, &cycle, &errors).is_err() {
            return Outcome::Clean;
        }
    }
    eprintln!("error: the file watcher stopped");
    Outcome::Error
}
