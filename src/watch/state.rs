//! What a watch run keeps between changes: the [`Workspace`] (which loads
//! rules, rulebooks and config by content hash and keeps the last good
//! version of each), what changed in each update, and the results of every
//! note. [`State::apply`] updates it for a [`Plan`], reloading only files
//! whose content hash changed and re-checking only the notes whose inputs
//! changed.

use super::plan::{Layout, Plan, is_dropping};
use crate::config::{Project, ProjectWalk};
use crate::input::{self, Kind, kind_of};
use crate::note::{Note, Origin};
use crate::problem::Problem;
use crate::render::Summary;
use crate::run::NoteReport;
use crate::workspace::{Delta, LoadError, Reload, Workspace, absolute, hash_of};
use notify::RecursiveMode;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the command line asked to watch and how to check it.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// Note files and folders, as given.
    pub paths: Vec<String>,
    /// Check every note with this rulebook.
    pub rulebook: Option<String>,
    /// Treat placeholders as template variables.
    pub template: bool,
    /// Plugin folders from `--plugins`, after the project's.
    pub extra_plugins: Vec<PathBuf>,
    /// `--config` chose the project: folders' nested projects are checked
    /// with it too, as `tact check --config` does.
    pub config_forced: bool,
    /// `--exclude`: folder walks skip what these match.
    pub exclude: crate::config::ExcludeFlag,
}

/// What a watched note or batch row added to the summary. A row keeps these
/// counts, not its note and findings, so that memory stays flat however
/// large a batch grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    note: bool,
    errors: u32,
    warnings: u32,
    infos: u32,
    fixable: u32,
    unsafe_fixable: u32,
    problems: u32,
}

impl Counts {
    /// The counts of a checked note, or of one that could not be checked.
    fn of(report: &Result<NoteReport, Problem>) -> Counts {
        let mut s = Summary::default();
        match report {
            Ok(r) => s.add(r),
            Err(_) => {
                s.notes = 1;
                s.problems = 1;
            }
        }
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Counts {
            note: s.notes > 0,
            errors: n(s.errors),
            warnings: n(s.warnings),
            infos: n(s.infos),
            fixable: n(s.fixable),
            unsafe_fixable: n(s.unsafe_fixable),
            problems: n(s.problems),
        }
    }

    /// Adds them to a summary.
    pub fn add_to(&self, s: &mut Summary) {
        s.notes += usize::from(self.note);
        s.errors += self.errors as usize;
        s.warnings += self.warnings as usize;
        s.infos += self.infos as usize;
        s.fixable += self.fixable as usize;
        s.unsafe_fixable += self.unsafe_fixable as usize;
        s.problems += self.problems as usize;
    }
}

/// What a note file kept of its one note: the note and what checking it
/// found, so that a changed rule is re-run alone on it.
type Kept = Arc<(Arc<Note>, Result<NoteReport, Problem>)>;

/// One note of a watched file, or a batch row, as known since it was last checked.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its line in a batch; `None` for a note file.
    pub row: Option<usize>,
    /// A hash of its content (for a batch row, of its raw bytes).
    hash: u64,
    /// The rulebook that checked it; `None` when it could not be read as a note.
    pub rulebook: Option<Arc<str>>,
    /// The note silences rules (`allow`): a change to the set of rules checks it again.
    allow: bool,
    /// What it added to the summary.
    pub counts: Counts,
    /// A note file's note and results (batch rows keep none).
    kept: Option<Kept>,
}

impl Row {
    /// The note and what checking it found, for a note file.
    pub fn kept(&self) -> Option<(&Note, &Result<NoteReport, Problem>)> {
        self.kept.as_deref().map(|(n, r)| (n.as_ref(), r))
    }
}

/// A watched note file (one note, or a JSONL/CSV batch).
#[derive(Debug, Clone)]
pub struct NoteFile {
    hash: Option<u64>,
    batch: bool,
    /// What it holds, in file order.
    pub rows: Vec<Row>,
}

/// A fresh result, handed to a [`Sink`] as soon as it is known.
pub enum Fresh<'a> {
    /// The file (or a batch row) could not be read as a note.
    Problem(&'a Problem),
    /// A note, the rulebook that checked it, and what checking found (or
    /// why it could not be checked).
    Note {
        /// The note.
        note: &'a Note,
        /// Its rulebook.
        rulebook: &'a str,
        /// What checking found.
        report: &'a Result<NoteReport, Problem>,
    },
}

/// Where an update's fresh results go, file by file in name order and row
/// by row in file order, as they are checked: nothing is held until the end.
pub trait Sink {
    /// Fresh results of note file `file` follow.
    fn start(&mut self, file: &str);
    /// One fresh result of that file.
    fn fresh(&mut self, fresh: Fresh<'_>);
    /// The file is done. It holds `notes` notes; `rows` lists the batch rows
    /// sent again when only they changed (`None` when everything the file
    /// holds was sent); `removed` lists rows that went away.
    fn end(&mut self, file: &str, notes: usize, rows: Option<&[usize]>, removed: &[usize]);
}

/// Results are only kept (for tests and callers that read the state).
impl Sink for () {
    fn start(&mut self, _: &str) {}
    fn fresh(&mut self, _: Fresh<'_>) {}
    fn end(&mut self, _: &str, _: usize, _: Option<&[usize]>, _: &[usize]) {}
}

/// A note file to look at again in an update.
enum Visit {
    /// A note file read afresh (or a file that could not be read): its one
    /// note or problem, and the new content hash.
    One(u64, Box<input::Item>),
    /// A batch whose content changed: stream its rows, checking the changed ones.
    Batch(u64),
    /// Unchanged: check again the rows a reload affects.
    Affected,
}

/// One step of an update's check stream.
enum Step {
    /// Fresh results of a file follow; `whole` when they replace all it held.
    Start { file: String, whole: bool },
    /// A row kept as it was.
    Keep(Row),
    /// A row that could not be read as a note.
    Problem {
        row: Option<usize>,
        hash: u64,
        problem: Problem,
    },
    /// A note to check, with its previous results when only some rules changed.
    Check {
        row: Option<usize>,
        hash: u64,
        note: Arc<Note>,
        previous: Option<(Arc<str>, NoteReport)>,
    },
    /// The file is done; these rows went away.
    End {
        hash: Option<u64>,
        batch: bool,
        removed: Vec<usize>,
    },
}

/// A step after checking.
enum Done {
    Start {
        file: String,
        whole: bool,
    },
    Keep(Row),
    Problem {
        row: Option<usize>,
        hash: u64,
        problem: Problem,
    },
    Note {
        row: Option<usize>,
        hash: u64,
        note: Arc<Note>,
        rulebook: String,
        report: Result<NoteReport, Problem>,
    },
    End {
        hash: Option<u64>,
        batch: bool,
        removed: Vec<usize>,
    },
}

/// What one update did, for the status line and the `reloaded` event.
#[derive(Debug, Clone, Default)]
pub struct Cycle {
    /// The first full load.
    pub initial: bool,
    /// `tact.toml` changed and was reloaded.
    pub config: bool,
    /// Files whose content changed (rules, rulebooks, config, notes).
    pub changed: BTreeSet<String>,
    /// Rules added, changed or removed (ids).
    pub rules: BTreeSet<String>,
    /// Rulebooks added, changed or removed (names).
    pub rulebooks: BTreeSet<String>,
    /// Note files with fresh results, whole or for some rows (shown paths).
    pub rechecked: BTreeSet<String>,
    /// Note files that went away.
    pub removed: BTreeSet<String>,
    /// Notes checked.
    pub notes_checked: usize,
    /// The set of load errors changed.
    pub errors_changed: bool,
    /// Time spent reading and compiling.
    pub reload: Duration,
    /// Time spent re-checking notes.
    pub check: Duration,
}

impl Cycle {
    /// True when nothing changed: every event was a no-op (same content).
    pub fn is_noop(&self) -> bool {
        !self.initial
            && !self.config
            && !self.errors_changed
            && self.changed.is_empty()
            && self.rules.is_empty()
            && self.rulebooks.is_empty()
            && self.rechecked.is_empty()
            && self.removed.is_empty()
    }
}

/// The state of a watch run.
pub struct State {
    opts: WatchOptions,
    /// The rules, rulebooks and config in use: the last good version of each.
    pub ws: Workspace,
    /// Results by note file, keyed by the path as shown.
    pub notes: BTreeMap<String, NoteFile>,
    note_index: BTreeMap<PathBuf, String>,
    note_dirs: BTreeSet<PathBuf>,
    /// Nested projects (their `tact.toml`) whose notes are left out.
    nested: BTreeSet<PathBuf>,
    layout: Layout,
}

/// What a walk of the note roots found.
struct Walked {
    /// Note files: absolute path → the path as shown.
    index: BTreeMap<PathBuf, String>,
    /// The folders, to watch.
    dirs: BTreeSet<PathBuf>,
    /// Nested projects whose notes were left out (their `tact.toml`).
    nested: BTreeSet<PathBuf>,
}

/// What `read_note` learns of a file without holding more than a note.
struct Read {
    /// A hash of the whole content.
    hash: u64,
    /// A note file's bytes, when it is a note within the size cap; batches
    /// (and oversized notes, which the input reader reports) are read again,
    /// streamed, by `input::notes`.
    note: Option<Vec<u8>>,
}

/// Hashes a file in chunks, keeping its bytes only when it is a note file
/// within the size cap: a large batch is never held whole.
fn read_bounded(abs: &Path) -> std::io::Result<Read> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(abs)?;
    let keep = kind_of(abs) == Kind::Note;
    let mut h = DefaultHasher::new();
    let mut kept = Vec::new();
    let mut total = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        buf[..n].hash(&mut h);
        total += n;
        if keep && total <= input::MAX_NOTE_BYTES {
            kept.extend_from_slice(&buf[..n]);
        }
        // A note file past the cap (a device, an endless pipe) is not read on.
        if keep && total > input::MAX_NOTE_BYTES {
            break;
        }
    }
    Ok(Read {
        hash: h.finish(),
        note: (keep && total <= input::MAX_NOTE_BYTES).then_some(kept),
    })
}

/// Sorts findings and failures as [`Checker::check`] leaves them.
fn sort_report(report: &mut NoteReport) {
    report.findings.sort_by(|a, b| {
        (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
    });
    report.failures.sort_by(|a, b| a.rule.cmp(&b.rule));
}

impl State {
    /// A state for `project` with nothing loaded yet; [`State::load`] loads it.
    pub fn new(project: Project, opts: WatchOptions) -> State {
        let ws = Workspace::watched(project, &opts.extra_plugins);
        let mut state = State {
            opts,
            ws,
            notes: BTreeMap::new(),
            note_index: BTreeMap::new(),
            note_dirs: BTreeSet::new(),
            nested: BTreeSet::new(),
            layout: Layout::default(),
        };
        state.layout = state.compute_layout();
        // The folders of notes, so that they are watched before the first load.
        state.note_dirs = state.walk_notes().dirs;
        state
    }

    /// Loads everything and checks every note, handing results to `sink`.
    pub fn load(&mut self, sink: &mut dyn Sink) -> Cycle {
        let mut cycle = self.apply(&Plan::all(), sink);
        cycle.initial = true;
        cycle.changed.clear();
        cycle.rules.clear();
        cycle.rulebooks.clear();
        cycle
    }

    /// Where the inputs are, for [`super::plan::plan`].
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The current load errors (config, folders, rules, rulebook files, then
    /// rulebooks that do not resolve, then nested projects left out), in
    /// input order, without duplicates.
    pub fn errors(&self) -> Vec<LoadError> {
        let mut seen = BTreeSet::new();
        let nested = self.nested.iter().map(|c| LoadError {
            problem: crate::config::nested_problem(c),
            kept: false,
        });
        self.ws
            .load_errors()
            .into_iter()
            .cloned()
            .chain(self.ws.rulebook_errors())
            .chain(nested)
            .filter(|e| {
                seen.insert((
                    e.problem.code.clone(),
                    e.problem.message.clone(),
                    e.problem.file().map(str::to_owned),
                    e.problem.labels.first().map(|l| (l.0.start, l.0.end)),
                ))
            })
            .collect()
    }

    fn errors_digest(&self) -> u64 {
        let mut h = DefaultHasher::new();
        for e in self.errors() {
            e.problem.code.hash(&mut h);
            e.problem.message.hash(&mut h);
            e.problem
                .source
                .as_ref()
                .map(|s| s.text.clone())
                .hash(&mut h);
            e.kept.hash(&mut h);
        }
        h.finish()
    }

    fn compute_layout(&self) -> Layout {
        let project = &self.ws.project;
        let mut plugin_dirs: Vec<PathBuf> = self
            .ws
            .plugin_folders()
            .iter()
            .map(|p| absolute(p))
            .collect();
        if !project.packs.is_empty() {
            plugin_dirs.push(absolute(&project.root.join(crate::pack::INSTALL_DIR)));
        }
        Layout {
            config: project.path.as_deref().map(absolute),
            plugin_dirs,
            rulebook_dirs: self
                .ws
                .project
                .rulebooks
                .iter()
                .map(|p| absolute(p))
                .collect(),
            note_roots: self
                .opts
                .paths
                .iter()
                .map(|p| absolute(Path::new(p)))
                .collect(),
        }
    }

    /// The folders to watch: plugin folders recursively; rulebook folders,
    /// the config's folder and every folder of notes on their own. A folder
    /// that does not exist yet is watched through its nearest existing parent.
    /// Folders, never single files: a save by rename-over replaces the file,
    /// and a watch on the old file would see nothing after it.
    pub fn watch_set(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let existing = |p: &Path| p.ancestors().find(|a| a.is_dir()).map(Path::to_path_buf);
        let mut want: Vec<(PathBuf, RecursiveMode)> = vec![];
        for dir in &self.layout.plugin_dirs {
            match existing(dir) {
                Some(d) if d == *dir => want.push((d, RecursiveMode::Recursive)),
                Some(d) => want.push((d, RecursiveMode::NonRecursive)),
                None => {}
            }
        }
        let single = self.layout.rulebook_dirs.iter().cloned().chain(
            self.layout
                .config
                .iter()
                .filter_map(|c| c.parent().map(Path::to_path_buf)),
        );
        let single = single.chain(self.note_dirs.iter().cloned());
        for dir in single {
            if let Some(d) = existing(&dir) {
                want.push((d, RecursiveMode::NonRecursive));
            }
        }
        want.sort();
        want.dedup();
        let recursive: Vec<PathBuf> = want
            .iter()
            .filter(|(_, m)| *m == RecursiveMode::Recursive)
            .map(|(p, _)| p.clone())
            .collect();
        want.retain(|(p, m)| {
            *m == RecursiveMode::Recursive || !recursive.iter().any(|r| p.starts_with(r))
        });
        want
    }

    /// Updates the state for `plan`: reloads what changed, re-checks the notes
    /// and batch rows it affects, and hands their fresh results to `sink` as
    /// they come.
    pub fn apply(&mut self, plan: &Plan, sink: &mut dyn Sink) -> Cycle {
        let start = Instant::now();
        let errors_before = self.errors_digest();
        let reloaded = self.ws.reload(&Reload {
            config: plan.config,
            rules: plan.rules.clone(),
            rulebooks: !plan.rulebooks.is_empty(),
            everything: plan.everything,
        });
        let mut cy = Cycle {
            config: reloaded.config,
            changed: reloaded.changed,
            rules: reloaded.rules,
            rulebooks: reloaded.rulebooks,
            ..Cycle::default()
        };
        let affects = Affects {
            all: reloaded.recheck_all,
            ids_changed: reloaded.ids_changed,
            stale: reloaded.stale,
        };
        if cy.config {
            self.layout = self.compute_layout();
        }

        let mut visits: BTreeMap<String, Visit> = BTreeMap::new();
        if plan.rescan_notes || plan.everything || cy.config {
            self.rescan_notes(&mut cy, &mut visits);
        }
        for abs in &plan.notes {
            let Some(display) = self.display_of(abs) else {
                continue;
            };
            if self.left_out(abs, &display) {
                if self.notes.remove(&display).is_some() {
                    cy.removed.insert(display.clone());
                }
                visits.remove(&display);
                continue;
            }
            self.read_note(&display, abs, &mut cy, &mut visits);
        }
        cy.reload = start.elapsed();

        let check_start = Instant::now();
        for (name, file) in &self.notes {
            if !visits.contains_key(name) && file.rows.iter().any(|r| affects.row(r)) {
                visits.insert(name.clone(), Visit::Affected);
            }
        }
        cy.notes_checked = self.check_files(visits, &affects, sink, &mut cy.rechecked);
        self.prune_checkers();
        cy.check = check_start.elapsed();
        cy.errors_changed = self.errors_digest() != errors_before;
        self.layout = self.compute_layout();
        cy
    }

    fn prune_checkers(&mut self) {
        let used: BTreeSet<&str> = self
            .notes
            .values()
            .flat_map(|f| &f.rows)
            .filter_map(|r| r.rulebook.as_deref())
            .collect();
        self.ws.retain_checkers(|name| used.contains(name));
    }

    /// Whether a folder walk leaves out a note file that changed (as
    /// [`State::walk_notes`] does); a file given by name is always read.
    fn left_out(&mut self, abs: &Path, shown: &str) -> bool {
        if self.opts.paths.iter().any(|p| p == shown) {
            return false;
        }
        let mut walk = ProjectWalk::new(
            &self.ws.project,
            &self.opts.exclude,
            self.opts.config_forced,
        );
        let skip = input::walk_skips(Path::new(shown), &mut walk).is_some() && abs.exists();
        let nested: Vec<PathBuf> = walk.nested().iter().cloned().collect();
        self.nested.extend(nested);
        skip
    }

    /// Walks the note roots as `tact check` does (the project's
    /// `include`/`exclude`, no contact lists, no nested project's files):
    /// note files by absolute path, and the folders.
    fn walk_notes(&self) -> Walked {
        let mut index = BTreeMap::new();
        let mut dirs = BTreeSet::new();
        let mut walk = ProjectWalk::new(
            &self.ws.project,
            &self.opts.exclude,
            self.opts.config_forced,
        );
        for root in &self.opts.paths {
            let path = Path::new(root);
            if !path.is_dir() {
                let abs = absolute(path);
                if let Some(parent) = abs.parent() {
                    dirs.insert(parent.to_path_buf());
                }
                index.insert(abs, root.clone());
                continue;
            }
            let base = absolute(path);
            for entry in crate::input::walk(path).flatten() {
                let abs = base.join(entry.path().strip_prefix(path).unwrap_or(entry.path()));
                let kind = entry.file_type();
                if kind.is_some_and(|t| t.is_dir()) {
                    dirs.insert(abs);
                } else if kind.is_some_and(|t| t.is_file())
                    && crate::input::is_note_file(entry.path())
                    && !is_dropping(entry.path())
                    && input::walk_skips(entry.path(), &mut walk).is_none()
                {
                    index
                        .entry(abs)
                        .or_insert_with(|| input::shown(&entry.path().display().to_string()));
                }
            }
        }
        Walked {
            index,
            dirs,
            nested: walk.nested().clone(),
        }
    }

    /// The shown path of a note file, for a path under a note root.
    fn display_of(&mut self, abs: &Path) -> Option<String> {
        if let Some(d) = self.note_index.get(abs) {
            return Some(d.clone());
        }
        for (root, given) in self.layout.note_roots.iter().zip(&self.opts.paths) {
            if let Ok(rel) = abs.strip_prefix(root) {
                let shown = if rel.as_os_str().is_empty() {
                    given.clone()
                } else {
                    input::shown(&Path::new(given).join(rel).display().to_string())
                };
                self.note_index.insert(abs.to_path_buf(), shown.clone());
                return Some(shown);
            }
        }
        None
    }

    fn rescan_notes(&mut self, cy: &mut Cycle, visits: &mut BTreeMap<String, Visit>) {
        let Walked {
            index,
            dirs,
            nested,
        } = self.walk_notes();
        self.note_dirs = dirs;
        self.nested = nested;
        let shown: BTreeSet<&String> = index.values().collect();
        let gone: Vec<String> = self
            .notes
            .keys()
            .filter(|k| !shown.contains(k))
            .cloned()
            .collect();
        for name in gone {
            self.notes.remove(&name);
            cy.removed.insert(name);
        }
        self.note_index = index.clone();
        for (abs, shown) in index {
            self.read_note(&shown, &abs, cy, visits);
        }
    }

    /// Looks at a note file again: when its content changed, it is visited
    /// (a note file is read now; a batch is streamed when it is checked).
    fn read_note(
        &mut self,
        shown: &str,
        abs: &Path,
        cy: &mut Cycle,
        visits: &mut BTreeMap<String, Visit>,
    ) {
        let is_root = self.opts.paths.iter().any(|p| p == shown);
        let prev_hash = self.notes.get(shown).map(|f| f.hash);
        let bytes = match read_bounded(abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_root => {
                if self.notes.remove(shown).is_some() {
                    cy.removed.insert(shown.to_owned());
                }
                visits.remove(shown);
                self.note_index.remove(abs);
                return;
            }
            Err(_) if abs.is_dir() => {
                // A root given by name that is now a folder: walk it.
                if self.notes.remove(shown).is_some() {
                    cy.removed.insert(shown.to_owned());
                }
                visits.remove(shown);
                return;
            }
            Err(e) => {
                let message = format!("cannot read `{shown}`: {e}");
                let hash = hash_of(&[message.as_bytes()]);
                if prev_hash != Some(Some(hash)) {
                    let problem = Problem::error("tact::input::read", message);
                    visits.insert(shown.to_owned(), Visit::One(hash, Box::new(Err(problem))));
                    cy.changed.insert(shown.to_owned());
                }
                return;
            }
        };
        if prev_hash == Some(Some(bytes.hash)) {
            return;
        }
        cy.changed.insert(shown.to_owned());
        let template = self.opts.template;
        let with_template = |item: input::Item| {
            item.map(|mut n| {
                n.template = template;
                n
            })
        };
        let hash = bytes.hash;
        let visit = match (bytes.note, kind_of(abs)) {
            (Some(bytes), _) => Visit::One(
                hash,
                Box::new(with_template(input::decode(shown, bytes).and_then(
                    |text| input::note_from_text(Origin::file(shown), text),
                ))),
            ),
            // An oversized note: the input reader says so.
            (None, Kind::Note) => {
                Visit::One(hash, Box::new(with_template(input::read_note_file(shown))))
            }
            (None, _) => Visit::Batch(hash),
        };
        visits.insert(shown.to_owned(), visit);
    }

    /// Checks what `visits` names on the check stream, keeping each row's
    /// hash and counts and handing fresh results to `sink` in input order;
    /// returns how many notes were checked. A note file whose rulebook only
    /// had some rules change keeps the findings of the others and runs just
    /// the changed ones (see [`Delta`]); a batch row is checked in full.
    fn check_files(
        &mut self,
        visits: BTreeMap<String, Visit>,
        affects: &Affects,
        sink: &mut dyn Sink,
        rechecked: &mut BTreeSet<String>,
    ) -> usize {
        let template = self.opts.template;
        let flag = self.opts.rulebook.as_deref();
        let visits: Vec<(String, Visit, Option<NoteFile>)> = visits
            .into_iter()
            .map(|(name, visit)| {
                let old = self.notes.remove(&name);
                (name, visit, old)
            })
            .collect();
        let ws = &self.ws;
        let notes = &mut self.notes;
        let steps = visits
            .into_iter()
            .flat_map(|(name, visit, old)| steps_of(ws, name, visit, old, affects, template));
        let work = |step: Step| -> Done {
            let (row, hash, note, previous) = match step {
                Step::Check {
                    row,
                    hash,
                    note,
                    previous,
                } => (row, hash, note, previous),
                Step::Start { file, whole } => return Done::Start { file, whole },
                Step::Keep(r) => return Done::Keep(r),
                Step::Problem { row, hash, problem } => {
                    return Done::Problem { row, hash, problem };
                }
                Step::End {
                    hash,
                    batch,
                    removed,
                } => {
                    return Done::End {
                        hash,
                        batch,
                        removed,
                    };
                }
            };
            let rulebook = ws.project.choose_rulebook(&note, flag).0;
            let report = match (
                ws.checker(&rulebook),
                affects.stale.get(&rulebook),
                previous,
            ) {
                (Ok(_), Some(Delta::Rules { ids, partial }), Some((old_book, mut report)))
                    if *old_book == *rulebook =>
                {
                    report.findings.retain(|f| !ids.contains(&f.rule));
                    report.failures.retain(|f| !ids.contains(&f.rule));
                    let fresh = partial.check(&note);
                    report.findings.extend(fresh.findings);
                    report.failures.extend(fresh.failures);
                    sort_report(&mut report);
                    Ok(report)
                }
                (Ok(checker), _, _) => Ok(checker.check(&note)),
                (Err(_), _, _) => Err(Problem::error(
                    "tact::watch::not-checked",
                    format!(
                        "`{}` is not checked: rulebook `{rulebook}` has errors",
                        note.origin
                    ),
                )
                .help("fix the rulebook; the note is checked again as soon as it loads")),
            };
            Done::Note {
                row,
                hash,
                note,
                rulebook,
                report,
            }
        };
        let mut checked = 0;
        let mut books: Vec<Arc<str>> = vec![];
        let mut file: Option<Building> = None;
        crate::run::stream::stream(steps, work, |done| {
            match done {
                Done::Start { file: name, whole } => {
                    sink.start(&name);
                    file = Some(Building {
                        name,
                        whole,
                        rows: vec![],
                        fresh: vec![],
                    });
                }
                Done::Keep(row) => {
                    if let Some(b) = &mut file {
                        b.rows.push(row);
                    }
                }
                Done::Problem { row, hash, problem } => {
                    sink.fresh(Fresh::Problem(&problem));
                    if let Some(b) = &mut file {
                        b.fresh.extend(row);
                        b.rows.push(Row {
                            row,
                            hash,
                            rulebook: None,
                            allow: false,
                            counts: Counts {
                                problems: 1,
                                ..Counts::default()
                            },
                            kept: None,
                        });
                    }
                }
                Done::Note {
                    row,
                    hash,
                    note,
                    rulebook,
                    report,
                } => {
                    checked += 1;
                    sink.fresh(Fresh::Note {
                        note: &note,
                        rulebook: &rulebook,
                        report: &report,
                    });
                    // Rulebook names are shared by the rows they check.
                    let book = match books.iter().find(|b| ***b == *rulebook) {
                        Some(b) => b.clone(),
                        None => {
                            books.push(Arc::from(rulebook));
                            books[books.len() - 1].clone()
                        }
                    };
                    if let Some(b) = &mut file {
                        b.fresh.extend(row);
                        b.rows.push(Row {
                            row,
                            hash,
                            rulebook: Some(book),
                            allow: !note.front.allow.is_empty(),
                            counts: Counts::of(&report),
                            kept: row.is_none().then(|| Arc::new((note, report))),
                        });
                    }
                }
                Done::End {
                    hash,
                    batch,
                    removed,
                } => {
                    if let Some(b) = file.take() {
                        let count = b.rows.iter().filter(|r| r.counts.note).count();
                        let rows = (!b.whole).then_some(b.fresh.as_slice());
                        sink.end(&b.name, count, rows, &removed);
                        if b.whole || !b.fresh.is_empty() || !removed.is_empty() {
                            rechecked.insert(b.name.clone());
                        }
                        notes.insert(
                            b.name,
                            NoteFile {
                                hash,
                                batch,
                                rows: b.rows,
                            },
                        );
                    }
                }
            }
            std::ops::ControlFlow::Continue(())
        });
        checked
    }
}

/// What a reload means for the rows already checked.
struct Affects {
    /// Every note is checked again.
    all: bool,
    /// The set of rules changed: notes that silence rules are checked again.
    ids_changed: bool,
    /// Rulebooks whose checker was rebuilt.
    stale: BTreeMap<String, Delta>,
}

impl Affects {
    /// True when a row's results may have changed.
    fn row(&self, r: &Row) -> bool {
        r.rulebook.as_deref().is_some_and(|book| {
            self.all || self.stale.contains_key(book) || (self.ids_changed && r.allow)
        })
    }
}

/// A file's new rows while its steps come back from the check stream.
struct Building {
    name: String,
    whole: bool,
    rows: Vec<Row>,
    /// Rows sent again.
    fresh: Vec<usize>,
}

/// The steps that check a visited file again.
fn steps_of<'a>(
    ws: &'a Workspace,
    name: String,
    visit: Visit,
    old: Option<NoteFile>,
    affects: &'a Affects,
    template: bool,
) -> Box<dyn Iterator<Item = Step> + 'a> {
    let select = move |mut note: Note| {
        ws.project.apply_selection(&mut note);
        Arc::new(note)
    };
    match (visit, old) {
        (Visit::One(hash, item), _) => {
            let step = match *item {
                Ok(note) => Step::Check {
                    row: None,
                    hash,
                    note: select(note),
                    previous: None,
                },
                Err(problem) => Step::Problem {
                    row: None,
                    hash,
                    problem,
                },
            };
            let end = Step::End {
                hash: Some(hash),
                batch: false,
                removed: vec![],
            };
            Box::new(
                [
                    Step::Start {
                        file: name,
                        whole: true,
                    },
                    step,
                    end,
                ]
                .into_iter(),
            )
        }
        (Visit::Affected, Some(file)) if !file.batch => {
            let start = Step::Start {
                file: name,
                whole: true,
            };
            let rows = file.rows.into_iter().map(move |r| match &r.kept {
                Some(kept) if affects.row(&r) => {
                    let (note, report) = &**kept;
                    let previous = match (report, &r.rulebook) {
                        (Ok(report), Some(book)) if note.front.allow.is_empty() => {
                            Some((book.clone(), report.clone()))
                        }
                        _ => None,
                    };
                    Step::Check {
                        row: r.row,
                        hash: r.hash,
                        note: note.clone(),
                        previous,
                    }
                }
                _ => Step::Keep(r),
            });
            let end = Step::End {
                hash: file.hash,
                batch: false,
                removed: vec![],
            };
            Box::new(
                std::iter::once(start)
                    .chain(rows)
                    .chain(std::iter::once(end)),
            )
        }
        (visit, old) => {
            let hash = match visit {
                Visit::Batch(h) => Some(h),
                _ => old.as_ref().and_then(|f| f.hash),
            };
            // A batch first seen (or that was unreadable as a whole) is sent whole.
            let whole = old.as_ref().is_none_or(|f| !f.batch);
            let mut old: VecDeque<Row> = old.map(|f| f.rows).unwrap_or_default().into();
            // Rows that may be kept when their bytes are the same are not parsed.
            let keep: HashMap<usize, u64> = old
                .iter()
                .filter(|r| !affects.row(r))
                .filter_map(|r| Some((r.row?, r.hash)))
                .collect();
            let want: input::Want = Box::new(move |row, hash| keep.get(&row) != Some(&hash));
            let mut rows = input::batch_rows(&name, template, want);
            let mut removed = vec![];
            let start = Step::Start { file: name, whole };
            let mut ended = false;
            let body = std::iter::from_fn(move || {
                loop {
                    if ended {
                        return None;
                    }
                    let Some(r) = rows.next() else {
                        removed.extend(old.drain(..).filter_map(|o| o.row));
                        ended = true;
                        return Some(Step::End {
                            hash,
                            batch: true,
                            removed: std::mem::take(&mut removed),
                        });
                    };
                    while old.front().is_some_and(|o| o.row.unwrap_or(0) < r.row) {
                        removed.extend(old.pop_front().and_then(|o| o.row));
                    }
                    let prev = old
                        .front()
                        .is_some_and(|o| o.row == Some(r.row))
                        .then(|| old.pop_front())
                        .flatten();
                    return Some(match (prev, r.item) {
                        (Some(o), _) if o.hash == r.hash && !affects.row(&o) => Step::Keep(o),
                        (_, Some(Ok(note))) => Step::Check {
                            row: Some(r.row),
                            hash: r.hash,
                            note: select(note),
                            previous: None,
                        },
                        (_, Some(Err(problem))) => Step::Problem {
                            row: Some(r.row),
                            hash: r.hash,
                            problem,
                        },
                        (Some(o), None) => Step::Keep(o),
                        // `want` declines only rows kept above: none is left out.
                        (None, None) => continue,
                    });
                }
            });
            Box::new(std::iter::once(start).chain(body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hold_at_most_one_note_and_never_a_whole_batch() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("a.txt");
        fs::write(&small, "Hi Sam").unwrap();
        let r = read_bounded(&small).unwrap();
        assert_eq!(r.note.as_deref(), Some(&b"Hi Sam"[..]));
        let big = dir.path().join("b.txt");
        fs::write(&big, vec![b'x'; input::MAX_NOTE_BYTES + 10]).unwrap();
        assert!(read_bounded(&big).unwrap().note.is_none());
        let batch = dir.path().join("c.jsonl");
        fs::write(&batch, "{\"text\":\"Hi\"}\n".repeat(20_000)).unwrap();
        let (first, again) = (read_bounded(&batch).unwrap(), read_bounded(&batch).unwrap());
        assert!(first.note.is_none());
        assert_eq!(first.hash, again.hash, "the same content hashes the same");
        fs::write(&batch, "{\"text\":\"Hello\"}\n").unwrap();
        assert_ne!(read_bounded(&batch).unwrap().hash, first.hash);
    }
    use std::fs;

    const RULE: &str = r#"//! Says hello.
fn meta() { #{ level: "warn", kind: "check", options: #{} } }
fn check(note, options) {
    let found = [];
    for m in note.find(["hello"]) { found.push(finding(m, "TAG")); }
    found
}
"#;

    /// A project with one local rule, two rulebooks (only `one` enables the
    /// rule) and two notes, one per rulebook.
    fn project() -> (tempfile::TempDir, State) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["plugins/local", "rulebooks", "notes"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        let config = root.join("tact.toml");
        fs::write(
            &config,
            "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\ndefault_rulebook = \"one\"\n",
        )
        .unwrap();
        fs::write(
            root.join("plugins/local/hi.rhai"),
            RULE.replace("TAG", "v1"),
        )
        .unwrap();
        fs::write(
            root.join("rulebooks/one.toml"),
            "[rules]\n\"local/hi\" = \"warn\"\n",
        )
        .unwrap();
        fs::write(root.join("rulebooks/two.toml"), "[rules]\n").unwrap();
        fs::write(root.join("notes/a.txt"), "hello there\n").unwrap();
        fs::write(
            root.join("notes/b.txt"),
            "+++\ngoal = \"two\"\n+++\nhello there\n",
        )
        .unwrap();
        let project = Project::parse(&config, &fs::read_to_string(&config).unwrap()).unwrap();
        let notes = root.join("notes").display().to_string();
        let state = State::new(
            project,
            WatchOptions {
                paths: vec![notes],
                ..WatchOptions::default()
            },
        );
        (dir, state)
    }

    fn messages(state: &State, file: &str) -> Vec<String> {
        let file = state
            .notes
            .iter()
            .find(|(k, _)| k.ends_with(file))
            .map(|(_, f)| f)
            .unwrap();
        file.rows
            .iter()
            .flat_map(|row| match row.kept() {
                Some((_, Ok(r))) => r.findings.iter().map(|f| f.message.clone()).collect(),
                _ => vec![],
            })
            .collect()
    }

    fn rules_plan(path: &Path) -> Plan {
        Plan {
            rules: [path.to_path_buf()].into(),
            ..Plan::default()
        }
    }

    #[test]
    fn a_changed_rule_rechecks_only_the_notes_checked_with_it() {
        let (dir, mut state) = project();
        let first = state.load(&mut ());
        assert_eq!(first.notes_checked, 2);
        assert_eq!(messages(&state, "a.txt"), ["v1"]);
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, RULE.replace("TAG", "v2")).unwrap();
        let cy = state.apply(&rules_plan(&rule), &mut ());
        assert_eq!(cy.rules, ["local/hi".to_owned()].into());
        assert_eq!(cy.rechecked.len(), 1, "{cy:?}");
        assert!(cy.rechecked.iter().all(|f| f.ends_with("a.txt")), "{cy:?}");
        assert_eq!(messages(&state, "a.txt"), ["v2"]);
    }

    #[test]
    fn same_content_is_a_no_op() {
        let (dir, mut state) = project();
        state.load(&mut ());
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, RULE.replace("TAG", "v1")).unwrap();
        let note = dir.path().join("notes/a.txt");
        fs::write(&note, "hello there\n").unwrap();
        let plan = Plan {
            notes: [note].into(),
            ..rules_plan(&rule)
        };
        assert!(state.apply(&plan, &mut ()).is_noop());
    }

    #[test]
    fn a_broken_rule_keeps_the_last_good_one_and_a_removed_rule_goes() {
        let (dir, mut state) = project();
        state.load(&mut ());
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, "fn meta( {").unwrap();
        let cy = state.apply(&rules_plan(&rule), &mut ());
        assert!(cy.rechecked.is_empty() && cy.rules.is_empty(), "{cy:?}");
        let errors = state.errors();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].kept && errors[0].problem.code == "tact::plugin::syntax");
        assert_eq!(messages(&state, "a.txt"), ["v1"]);

        fs::remove_file(&rule).unwrap();
        let cy = state.apply(&rules_plan(&rule), &mut ());
        assert_eq!(cy.rules, ["local/hi".to_owned()].into());
        assert!(messages(&state, "a.txt").is_empty());
        let codes: Vec<String> = state.errors().into_iter().map(|e| e.problem.code).collect();
        assert_eq!(codes, ["tact::rulebook::unknown-rule"]);
    }

    #[test]
    fn a_rulebook_change_rechecks_its_notes() {
        let (dir, mut state) = project();
        state.load(&mut ());
        let book = dir.path().join("rulebooks/two.toml");
        fs::write(&book, "[rules]\n\"local/hi\" = \"error\"\n").unwrap();
        let cy = state.apply(
            &Plan {
                rulebooks: [book].into(),
                ..Plan::default()
            },
            &mut (),
        );
        assert_eq!(cy.rulebooks, ["two".to_owned()].into());
        assert_eq!(cy.rechecked.len(), 1, "{cy:?}");
        assert!(cy.rechecked.iter().all(|f| f.ends_with("b.txt")), "{cy:?}");
        assert_eq!(messages(&state, "b.txt"), ["v1"]);
    }

    /// Re-running only the changed rule gives what a full check gives.
    #[test]
    fn a_partial_recheck_equals_a_full_check() {
        let (dir, mut state) = project();
        let root = dir.path();
        let book = "extends = [\"general\"]\n[rules]\n\"local/hi\" = \"warn\"\n";
        fs::write(root.join("rulebooks/one.toml"), book).unwrap();
        let notes = [
            "Hello Sam,  I saw your post .  hello again! Can we hop on a quick call? Thx",
            "Dear Sir/Madam, hello. I am writing to connect. Please respond.",
        ];
        for (i, text) in notes.iter().enumerate() {
            fs::write(root.join(format!("notes/n{i}.txt")), text).unwrap();
        }
        state.load(&mut ());
        let rule = root.join("plugins/local/hi.rhai");
        let edited = RULE
            .replace("TAG", "v2")
            .replace("[\"hello\"]", "[\"hello\", \"connect\"]");
        fs::write(&rule, edited).unwrap();
        let cy = state.apply(&rules_plan(&rule), &mut ());
        assert_eq!(cy.rules, ["local/hi".to_owned()].into());
        let project = Project::parse(
            &root.join("tact.toml"),
            &fs::read_to_string(root.join("tact.toml")).unwrap(),
        )
        .unwrap();
        let paths = vec![root.join("notes").display().to_string()];
        let mut fresh = State::new(
            project,
            WatchOptions {
                paths,
                ..WatchOptions::default()
            },
        );
        fresh.load(&mut ());
        let dump = |s: &State| -> Vec<String> {
            s.notes
                .values()
                .flat_map(|f| &f.rows)
                .map(|row| match row.kept() {
                    Some((_, Ok(r))) => format!("{:?}", r.findings),
                    _ => "not checked".into(),
                })
                .collect()
        };
        let partial = dump(&state);
        assert!(
            partial
                .iter()
                .any(|f| f.contains("core/typography") && f.contains("v2")),
            "{partial:#?}"
        );
        assert_eq!(partial, dump(&fresh));
    }

    /// A file's entry: its name, rows sent (`None`: whole), rows removed, notes.
    type Entry = (String, Option<Vec<usize>>, Vec<usize>, usize);

    /// What a sink was handed: the entries, and how many fresh results.
    #[derive(Default)]
    struct Record(Vec<Entry>, usize);

    impl Sink for Record {
        fn start(&mut self, _: &str) {}
        fn fresh(&mut self, _: Fresh<'_>) {
            self.1 += 1;
        }
        fn end(&mut self, file: &str, notes: usize, rows: Option<&[usize]>, removed: &[usize]) {
            let name = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            self.0
                .push((name, rows.map(<[usize]>::to_vec), removed.to_vec(), notes));
        }
    }

    #[test]
    fn batch_rows_are_rechecked_alone_and_kept_as_hashes() {
        let (dir, mut state) = project();
        let batch = dir.path().join("notes/c.jsonl");
        let row = |i: usize, w: &str| format!("{{\"text\":\"{w} there {i}\"}}\n");
        let rows =
            |ws: &[&str]| -> String { ws.iter().enumerate().map(|(i, w)| row(i + 1, w)).collect() };
        // Row 3 is malformed.
        fs::write(&batch, rows(&["hello", "hello"]) + "{oops\n").unwrap();
        let mut sink = Record::default();
        state.load(&mut sink);
        assert!(
            sink.0.contains(&("c.jsonl".into(), None, vec![], 2)),
            "{:?}",
            sink.0
        );
        let plan = Plan {
            notes: [batch.clone()].into(),
            ..Plan::default()
        };
        // Row 3 fixed, row 4 appended: only they are checked and sent.
        fs::write(&batch, rows(&["hello", "hello", "hi", "hello"])).unwrap();
        let mut sink = Record::default();
        let cy = state.apply(&plan, &mut sink);
        assert_eq!(cy.notes_checked, 2);
        assert_eq!(sink.0, [("c.jsonl".into(), Some(vec![3, 4]), vec![], 4)]);
        assert_eq!(sink.1, 2);
        // Rows 1 and 2 go: the rows below move up a line, so they are sent again.
        fs::write(&batch, format!("{}{}", row(3, "hi"), row(4, "hello"))).unwrap();
        let mut sink = Record::default();
        let cy = state.apply(&plan, &mut sink);
        assert_eq!(cy.notes_checked, 2);
        assert_eq!(
            sink.0,
            [("c.jsonl".into(), Some(vec![1, 2]), vec![3, 4], 2)]
        );
        // Nothing of a batch row but its hash, rulebook and counts is kept.
        let file = state
            .notes
            .iter()
            .find(|(k, _)| k.ends_with("c.jsonl"))
            .unwrap()
            .1;
        assert!(file.rows.iter().all(|r| r.kept().is_none()));
        let warnings: u32 = file.rows.iter().map(|r| r.counts.warnings).sum();
        assert_eq!(warnings, 1);
    }
}
