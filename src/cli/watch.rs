//! `tact watch`: the loop and its flags. What it keeps and shows between
//! changes is the library's `tact::watch` (state, plan, output).

use crate::cli::Outcome;
use clap::Args;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;
use tact::config::Project;
use tact::problem::Problem;
use tact::watch::output::{Output, WatchFormat};
use tact::watch::state::{State, WatchOptions};

/// The output of `tact watch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchFormatArg {
    /// Diagnostics of what changed and a status line per update.
    Human,
    /// One JSON event per line (`reloaded`, `error`, `results`).
    Json,
}

impl From<WatchFormatArg> for WatchFormat {
    fn from(f: WatchFormatArg) -> Self {
        match f {
            WatchFormatArg::Human => WatchFormat::Human,
            WatchFormatArg::Json => WatchFormat::Json,
        }
    }
}

/// Options of `tact watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Note files (.txt, .md), folders and batches (.jsonl, .csv) to watch.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Check every note with this rulebook (overrides the note's `goal`).
    #[arg(long, short)]
    pub rulebook: Option<String>,
    /// Output: what changed and a status line (human) or one JSON event per line (json).
    #[arg(long, value_enum, default_value = "human")]
    pub format: WatchFormatArg,
    /// Treat placeholders as template variables (as `tact check --template`).
    #[arg(long)]
    pub template: bool,
    /// Skip files matching this glob in folder walks (repeatable), on top of
    /// the project's `exclude`, as `tact check --exclude` does.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
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

/// `tact watch` of `project`; `config_forced` when `--config` chose it.
pub fn run(
    project: Project,
    config_forced: bool,
    extra_plugins: &[PathBuf],
    args: &WatchArgs,
    color: bool,
) -> Outcome {
    if args.paths.iter().any(|p| p == "-") {
        eprintln!("error: `tact watch` cannot watch stdin; give note files or folders");
        return Outcome::Error;
    }
    let exclude = match tact::config::ExcludeFlag::new(&args.exclude) {
        Ok(e) => e,
        Err(e) => {
            eprint!("{}", Problem::error("tact::usage", e).render(color));
            return Outcome::Error;
        }
    };
    let opts = WatchOptions {
        paths: args.paths.clone(),
        rulebook: args.rulebook.clone(),
        template: args.template,
        extra_plugins: extra_plugins.to_vec(),
        config_forced,
        exclude,
    };
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(Duration::from_millis(args.debounce.max(1)), None, tx) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot start the file watcher: {e}");
            return Outcome::Error;
        }
    };
    let format = WatchFormat::from(args.format);
    let mut out = Output::new(format, color, Box::new(std::io::stdout()));
    let mut state = State::new(project, opts);
    let mut watches = Watches::default();
    // Watch first, then load: a change made while loading is not lost.
    let mut watch_errors = watches.sync(&mut debouncer, state.watch_set(), &BTreeSet::new());
    let cycle = state.load(&mut out);
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
        let plan = tact::watch::plan::plan(&events, state.layout());
        if plan.is_empty() {
            continue;
        }
        let cycle = state.apply(&plan, &mut out);
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
