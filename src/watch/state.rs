//! Everything a watch run keeps between changes: the project config, the last
//! good version of every rule and rulebook, a checker per rulebook in use, and
//! the results of every note. [`State::apply`] updates it for a [`Plan`],
//! loading only files whose content hash changed and re-checking only the
//! notes whose inputs changed.
//!
//! "Last good" is kept per file: a rule that stops compiling keeps its old
//! compiled script running, a rulebook that stops parsing keeps its old
//! table, a `tact.toml` that stops parsing keeps the old config. A rulebook
//! that stops resolving keeps its old checker, except that an entry naming a
//! rule that does not exist (a rule file was deleted, or the name is mistyped)
//! is skipped, so a removed rule disappears from the results. Every such
//! error stays in [`State::errors`] until its file is fixed.

use super::plan::{Layout, Plan, is_dropping};
use crate::config::Project;
use crate::input::{self, Kind, kind_of};
use crate::note::Note;
use crate::plugin::discover::{RULEBOOK_FILES, discover, read_text};
use crate::plugin::imports::PackResolver;
use crate::plugin::{self, RuleSet, engine};
use crate::problem::Problem;
use crate::rulebook::{ResolvedRulebook, Rulebook, Rulebooks};
use crate::run::{Checker, NoteReport};
use notify::RecursiveMode;
use rhai::Engine;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
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
}

/// A load error shown until its file is fixed.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The diagnostic, with its source span.
    pub problem: Problem,
    /// True when the run goes on with the last good version (or, for an
    /// unknown rule in a rulebook, with the rulebook minus that entry).
    pub kept: bool,
}

/// One thing read from a note file: a note with its results, or a problem.
#[derive(Debug, Clone)]
pub enum Item {
    /// The file (or a batch row) could not be read as a note.
    Problem(Problem),
    /// A note, the rulebook that checks it, and what checking found (or why
    /// it could not be checked).
    Note {
        /// The note.
        note: Arc<Note>,
        /// The rulebook it is checked with.
        rulebook: String,
        /// What checking found.
        report: Result<NoteReport, Problem>,
    },
}

/// A watched note file (one note, or a JSONL/CSV batch).
#[derive(Debug, Clone)]
pub struct NoteFile {
    hash: Option<u64>,
    /// What it holds, in file order.
    pub items: Vec<Item>,
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
    /// Note files with fresh results (shown paths).
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

#[derive(Debug, Clone)]
struct RuleSlot {
    hash: u64,
    path: String,
    disk_path: Option<PathBuf>,
}

#[derive(Debug, Clone)]
struct BookSlot {
    path: PathBuf,
    hash: Option<u64>,
    last_good: Option<Rulebook>,
}

#[derive(Default)]
struct CheckerSlot {
    fingerprint: Option<u64>,
    checker: Option<Arc<Checker>>,
    /// The last rulebook that resolved: kept running, with fresh rule
    /// scripts, while an edit to it does not resolve.
    book: Option<ResolvedRulebook>,
    /// A fingerprint per enabled rule: its level, options and script.
    prints: BTreeMap<String, u64>,
}

/// How the notes of a rulebook whose checker changed are checked again.
#[derive(Clone)]
enum Delta {
    /// Run every rule.
    Full,
    /// Only these rules changed (or were added or removed): drop their old
    /// findings and run just them (with `partial`), keeping the others'. A
    /// note that silences rules in its front matter is checked in full, since
    /// unused allowances depend on every rule.
    Rules {
        ids: BTreeSet<String>,
        partial: Arc<Checker>,
    },
}

/// The state of a watch run.
pub struct State {
    opts: WatchOptions,
    /// The project config in use (the last good one).
    pub project: Project,
    config_hash: Option<u64>,
    resolver: PackResolver,
    engine: Arc<Engine>,
    /// The rules in use: the last good version of each.
    pub rules: Arc<RuleSet>,
    rule_slots: BTreeMap<String, RuleSlot>,
    embedded_books: Vec<Rulebook>,
    book_slots: Vec<BookSlot>,
    packs: crate::pack::Packs,
    /// The rulebooks in use: the last good version of each.
    pub books: Rulebooks,
    checkers: BTreeMap<String, CheckerSlot>,
    /// Results by note file, keyed by the path as shown.
    pub notes: BTreeMap<String, NoteFile>,
    note_index: BTreeMap<PathBuf, String>,
    note_dirs: BTreeSet<PathBuf>,
    errors: BTreeMap<String, Vec<LoadError>>,
    layout: Layout,
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

fn hash_of(parts: &[&[u8]]) -> u64 {
    let mut h = DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// An absolute path without following the last component (which may be
/// missing): the canonical parent joined with the name.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (
        abs.parent().and_then(|p| p.canonicalize().ok()),
        abs.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => abs,
    }
}

/// What decides whether a rule's findings may change: its level, options and
/// script, per enabled rule of a resolved rulebook.
fn rule_prints(book: &ResolvedRulebook, rules: &RuleSet) -> BTreeMap<String, u64> {
    let ids: BTreeSet<&String> = book
        .rules
        .keys()
        .chain(book.channel_rules.values().flat_map(|r| r.keys()))
        .collect();
    ids.into_iter()
        .map(|id| {
            let mut h = DefaultHasher::new();
            for channel in crate::note::Channel::ALL {
                if let Some(setting) = book.rules_for(channel).get(id) {
                    setting.level.hash(&mut h);
                    format!("{:?}", setting.options).hash(&mut h);
                }
            }
            if let Some(rule) = rules.rules.get(id) {
                rule.path.hash(&mut h);
                rule.source.hash(&mut h);
            }
            (id.clone(), h.finish())
        })
        .collect()
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
        let resolver = PackResolver::default();
        let engine = Arc::new(engine::build(&project.limits, resolver.clone()));
        let config_hash = project
            .path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|b| hash_of(&[&b]));
        let mut state = State {
            opts,
            project,
            config_hash,
            resolver,
            engine,
            rules: Arc::new(RuleSet::default()),
            rule_slots: BTreeMap::new(),
            embedded_books: vec![],
            book_slots: vec![],
            packs: crate::pack::Packs::default(),
            books: Rulebooks::default(),
            checkers: BTreeMap::new(),
            notes: BTreeMap::new(),
            note_index: BTreeMap::new(),
            note_dirs: BTreeSet::new(),
            errors: BTreeMap::new(),
            layout: Layout::default(),
        };
        let mut embedded_problems = vec![];
        for (rel, text) in RULEBOOK_FILES {
            let stem = rel.trim_end_matches(".toml");
            match Rulebook::parse(
                stem,
                format!("builtin:rulebooks/{rel}"),
                None,
                Arc::from(*text),
            ) {
                Ok(b) => state.embedded_books.push(b.in_pack("core")),
                Err(p) => embedded_problems.push(LoadError {
                    problem: p,
                    kept: false,
                }),
            }
        }
        if !embedded_problems.is_empty() {
            state
                .errors
                .insert("rulebook-embedded".into(), embedded_problems);
        }
        state.layout = state.compute_layout();
        // The folders of notes, so that they are watched before the first load.
        state.note_dirs = state.walk_notes().1;
        state
    }

    /// Loads everything and checks every note.
    pub fn load(&mut self) -> Cycle {
        let mut cycle = self.apply(&Plan::all());
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

    /// The current load errors (rules, rulebooks, config, folders), in a
    /// stable order, without duplicates.
    pub fn errors(&self) -> Vec<&LoadError> {
        let mut seen = BTreeSet::new();
        self.errors
            .values()
            .flatten()
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

    fn set_errors(&mut self, key: String, problems: Vec<Problem>, kept: bool) {
        if problems.is_empty() {
            self.errors.remove(&key);
        } else {
            self.errors.insert(
                key,
                problems
                    .into_iter()
                    .map(|problem| LoadError { problem, kept })
                    .collect(),
            );
        }
    }

    fn plugin_folders(&self) -> Vec<PathBuf> {
        self.project
            .plugins
            .iter()
            .chain(&self.opts.extra_plugins)
            .cloned()
            .collect()
    }

    fn compute_layout(&self) -> Layout {
        let mut plugin_dirs: Vec<PathBuf> =
            self.plugin_folders().iter().map(|p| absolute(p)).collect();
        if !self.project.packs.is_empty() {
            plugin_dirs.push(absolute(&self.project.root.join(crate::pack::INSTALL_DIR)));
        }
        Layout {
            config: self.project.path.as_deref().map(absolute),
            plugin_dirs,
            rulebook_dirs: self.project.rulebooks.iter().map(|p| absolute(p)).collect(),
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
    /// it affects.
    pub fn apply(&mut self, plan: &Plan) -> Cycle {
        let start = Instant::now();
        let errors_before = self.errors_digest();
        let mut cy = Cycle::default();
        let mut recheck_all = plan.everything;
        let mut force_rules = plan.everything;
        if plan.config && self.reload_config(&mut cy) {
            recheck_all = true;
        }
        if cy.config {
            // The engine's limits may have changed: recompile everything.
            force_rules = true;
        }
        let ids_before: Vec<String> = self.rules.rules.keys().cloned().collect();
        if (force_rules || !plan.rules.is_empty())
            && self.scan_rules(force_rules, &plan.rules, &mut cy)
        {
            recheck_all = true;
        }
        // Packs hold rulebooks too: a change under a plugin folder may be one.
        if plan.everything || cy.config || !plan.rulebooks.is_empty() || !plan.rules.is_empty() {
            self.scan_rulebooks(&mut cy);
        }
        let ids_changed = ids_before.iter().ne(self.rules.rules.keys());
        let stale_books: BTreeMap<String, Delta> =
            if recheck_all || !cy.rules.is_empty() || !cy.rulebooks.is_empty() || ids_changed {
                self.refresh_checkers(recheck_all)
            } else {
                BTreeMap::new()
            };

        let mut to_check: BTreeSet<String> = BTreeSet::new();
        if plan.rescan_notes || plan.everything || cy.config {
            self.rescan_notes(&mut cy, &mut to_check);
        }
        for abs in &plan.notes {
            if let Some(display) = self.display_of(abs) {
                self.read_note(&display, abs, &mut cy, &mut to_check);
            }
        }
        cy.reload = start.elapsed();

        let check_start = Instant::now();
        for (name, file) in &self.notes {
            let affected = file.items.iter().any(|item| match item {
                Item::Note { note, rulebook, .. } => {
                    recheck_all
                        || stale_books.contains_key(rulebook)
                        || (ids_changed && !note.front.allow.is_empty())
                }
                Item::Problem(_) => false,
            });
            if affected {
                to_check.insert(name.clone());
            }
        }
        let deltas = if recheck_all {
            BTreeMap::new()
        } else {
            stale_books
        };
        cy.notes_checked = self.check_files(&to_check, &deltas);
        self.prune_checkers();
        cy.rechecked = to_check;
        cy.check = check_start.elapsed();
        cy.errors_changed = self.errors_digest() != errors_before;
        self.layout = self.compute_layout();
        cy
    }

    /// Re-reads `tact.toml`; true when a new config is in use.
    fn reload_config(&mut self, cy: &mut Cycle) -> bool {
        let Some(path) = self.project.path.clone() else {
            return false;
        };
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                let p = Problem::error("tact::config::read", format!("cannot read `{shown}`: {e}"))
                    .help("the last good config stays in use until the file is back");
                self.set_errors("config".into(), vec![p], true);
                if self.config_hash.take().is_some() {
                    cy.changed.insert(shown);
                }
                return false;
            }
        };
        let hash = hash_of(&[text.as_bytes()]);
        if self.config_hash == Some(hash) {
            return false;
        }
        self.config_hash = Some(hash);
        cy.changed.insert(shown);
        match Project::parse(&path, &text) {
            Ok(project) => {
                self.errors.remove("config");
                if project.limits != self.project.limits {
                    self.resolver = PackResolver::default();
                    self.engine = Arc::new(engine::build(&project.limits, self.resolver.clone()));
                }
                self.project = project;
                self.layout = self.compute_layout();
                cy.config = true;
                true
            }
            Err(p) => {
                self.set_errors("config".into(), vec![p], true);
                false
            }
        }
    }

    /// Rediscovers the plugin folders and compiles the rule files whose
    /// content changed. True when a module (a script imported by rules, not
    /// a rule itself) changed, so every note should be re-checked.
    fn scan_rules(&mut self, force: bool, touched: &BTreeSet<PathBuf>, cy: &mut Cycle) -> bool {
        // Packs are found and verified against tact.lock on every scan, so a
        // pack `tact pack update` changed is reloaded and a tampered one refused.
        let (packs, mut problems) = crate::pack::load(&self.project, &self.opts.extra_plugins);
        let (files, discover_errors) = discover(&packs, &self.resolver);
        self.packs = packs;
        let unreadable: BTreeSet<PathBuf> = discover_errors
            .iter()
            .map(|e| absolute(Path::new(&e.path)))
            .collect();
        problems.extend(discover_errors.iter().map(|e| {
            Problem::error(
                "tact::plugin::read",
                format!("cannot read `{}`: {}", e.path, e.message),
            )
        }));
        self.set_errors("discover".into(), problems, true);

        let old = self.rules.clone();
        let mut set = RuleSet::default();
        let mut slots = BTreeMap::new();
        for file in &files {
            let tests = file
                .tests
                .as_ref()
                .map(|(p, t)| format!("{p}\n{t}"))
                .unwrap_or_default();
            let hash = hash_of(&[
                file.path.as_bytes(),
                file.source.as_bytes(),
                tests.as_bytes(),
            ]);
            let key = format!("rule:{}", file.id);
            let unchanged = !force
                && self
                    .rule_slots
                    .get(&file.id)
                    .is_some_and(|s| s.hash == hash);
            if unchanged {
                if let Some(rule) = old.rules.get(&file.id) {
                    set.rules.insert(file.id.clone(), rule.clone());
                }
                if old.broken.contains(&file.id) {
                    set.broken.insert(file.id.clone());
                }
            } else {
                if file.disk_path.is_some() {
                    cy.changed.insert(file.path.clone());
                }
                match plugin::load(&self.engine, file) {
                    Ok(rule) => {
                        self.errors.remove(&key);
                        set.rules.insert(file.id.clone(), Arc::new(rule));
                        cy.rules.insert(file.id.clone());
                    }
                    Err(problem) => {
                        let kept = match old.rules.get(&file.id) {
                            Some(rule) => {
                                set.rules.insert(file.id.clone(), rule.clone());
                                true
                            }
                            None => {
                                set.broken.insert(file.id.clone());
                                false
                            }
                        };
                        self.set_errors(key, vec![problem], kept);
                    }
                }
            }
            slots.insert(
                file.id.clone(),
                RuleSlot {
                    hash,
                    path: file.path.clone(),
                    disk_path: file.disk_path.clone(),
                },
            );
        }
        for (id, slot) in &self.rule_slots {
            if slots.contains_key(id) {
                continue;
            }
            let unreadable = slot
                .disk_path
                .as_deref()
                .is_some_and(|p| unreadable.contains(&absolute(p)));
            if unreadable {
                // A transient read error: keep the last good version.
                if let Some(rule) = old.rules.get(id) {
                    set.rules.insert(id.clone(), rule.clone());
                } else if old.broken.contains(id) {
                    set.broken.insert(id.clone());
                }
                slots.insert(id.clone(), slot.clone());
                continue;
            }
            self.errors.remove(&format!("rule:{id}"));
            cy.rules.insert(id.clone());
            cy.changed.insert(slot.path.clone());
        }
        let rule_paths: BTreeSet<PathBuf> = self
            .rule_slots
            .values()
            .chain(slots.values())
            .filter_map(|s| s.disk_path.as_deref().map(absolute))
            .collect();
        let module_changed = touched.iter().any(|p| {
            p.extension().is_some_and(|e| e == "rhai")
                && !rule_paths.contains(p)
                && p.is_file()
                && !is_dropping(p)
        });
        if module_changed {
            for p in touched
                .iter()
                .filter(|p| !rule_paths.contains(*p) && p.is_file())
            {
                cy.changed.insert(p.display().to_string());
            }
        }
        self.rule_slots = slots;
        self.rules = Arc::new(set);
        module_changed
    }

    /// Re-reads the rulebook folders, parsing the files whose content changed.
    fn scan_rulebooks(&mut self, cy: &mut Cycle) {
        let mut slots: Vec<BookSlot> = vec![];
        let mut folder_problems = vec![];
        let pack_folders: Vec<(PathBuf, Option<String>)> = self
            .packs
            .list
            .iter()
            .filter_map(|p| Some((p.rulebooks_dir.clone()?, Some(p.name.clone()))))
            .collect();
        let mut folders: Vec<(PathBuf, Option<String>)> = self
            .project
            .rulebooks
            .iter()
            .map(|f| (f.clone(), None))
            .collect();
        folders.extend(pack_folders);
        for (folder, pack) in folders {
            let paths = match crate::rulebook::rulebook_files(&folder) {
                Ok(p) => p,
                Err(p) => {
                    folder_problems.push(p);
                    continue;
                }
            };
            for path in paths.into_iter().filter(|p| !is_dropping(p)) {
                let prev = self.book_slots.iter().find(|s| s.path == path).cloned();
                let key = format!("rulebook-file:{}", path.display());
                let shown = path.display().to_string();
                let (stem, owner) = crate::rulebook::name_in_folder(&path, pack.as_deref());
                let text = match read_text(&path) {
                    Ok(t) => t,
                    Err(_) if !path.exists() => continue,
                    Err(e) => {
                        // A transient read error: keep the last good version.
                        let p = Problem::error(
                            "tact::rulebook::read",
                            format!("cannot read rulebook `{shown}`: {e}"),
                        );
                        let last_good = prev.and_then(|s| s.last_good);
                        self.set_errors(key, vec![p], last_good.is_some());
                        slots.push(BookSlot {
                            path,
                            hash: None,
                            last_good,
                        });
                        continue;
                    }
                };
                let hash = hash_of(&[text.as_bytes()]);
                if let Some(prev) = prev.filter(|s| s.hash == Some(hash)) {
                    slots.push(prev);
                    continue;
                }
                cy.changed.insert(shown.clone());
                match Rulebook::parse(&stem, shown, Some(path.clone()), text.into()) {
                    Ok(book) => {
                        let book = match &owner {
                            Some(o) => book.in_pack(o),
                            None => book,
                        };
                        self.errors.remove(&key);
                        slots.push(BookSlot {
                            path,
                            hash: Some(hash),
                            last_good: Some(book),
                        });
                    }
                    Err(p) => {
                        let last_good = self
                            .book_slots
                            .iter()
                            .find(|s| s.path == path)
                            .and_then(|s| s.last_good.clone());
                        self.set_errors(key, vec![p], last_good.is_some());
                        slots.push(BookSlot {
                            path,
                            hash: Some(hash),
                            last_good,
                        });
                    }
                }
            }
        }
        self.set_errors("rulebook-folders".into(), folder_problems, false);
        for old in &self.book_slots {
            if !slots.iter().any(|s| s.path == old.path) {
                self.errors
                    .remove(&format!("rulebook-file:{}", old.path.display()));
                cy.changed.insert(old.path.display().to_string());
            }
        }
        self.book_slots = slots;
        let mut books = Rulebooks::of_packs(&self.packs);
        for book in self
            .embedded_books
            .iter()
            .chain(self.book_slots.iter().filter_map(|s| s.last_good.as_ref()))
        {
            books.books.insert(book.name.clone(), book.clone());
        }
        let names: BTreeSet<&String> = books.books.keys().chain(self.books.books.keys()).collect();
        for name in names {
            let same = match (self.books.books.get(name), books.books.get(name)) {
                (Some(a), Some(b)) => a.path == b.path && a.source == b.source,
                _ => false,
            };
            if !same {
                cy.rulebooks.insert(name.clone());
            }
        }
        self.books = books;
    }

    /// Resolves a rulebook again; says how to re-check its notes when its
    /// checker was rebuilt.
    fn resolve_checker(&mut self, name: &str, force: bool) -> Option<Delta> {
        let (book, problems) = match self.books.resolve(name, &self.rules) {
            Ok(book) => (Some(book), vec![]),
            Err(problems) => (self.resolve_leniently(name), problems),
        };
        let slot = self.checkers.entry(name.to_owned()).or_default();
        // Neither resolves: keep the last good rulebook, with the rules as they are now.
        let book = book.or_else(|| slot.book.clone()).map(|mut b| {
            b.retain(|id| self.rules.rules.contains_key(id));
            b
        });
        let kept = book.is_some() || slot.checker.is_some();
        let mut delta = None;
        if let Some(book) = book {
            let prints = rule_prints(&book, &self.rules);
            let fp = hash_of(&[format!("{prints:?}").as_bytes()]);
            if force || slot.fingerprint != Some(fp) || slot.checker.is_none() {
                let template = self.project.template.clone();
                delta = Some(if force || slot.checker.is_none() {
                    Delta::Full
                } else {
                    let ids: BTreeSet<String> = prints
                        .keys()
                        .chain(slot.prints.keys())
                        .filter(|id| prints.get(*id) != slot.prints.get(*id))
                        .cloned()
                        .collect();
                    let mut only = book.clone();
                    only.retain(|id| ids.contains(id));
                    let partial = Checker::new(
                        self.engine.clone(),
                        self.rules.clone(),
                        &only,
                        template.clone(),
                    );
                    Delta::Rules {
                        ids,
                        partial: Arc::new(partial),
                    }
                });
                let checker =
                    Checker::new(self.engine.clone(), self.rules.clone(), &book, template);
                slot.checker = Some(Arc::new(checker));
                slot.book = Some(book.clone());
                slot.fingerprint = Some(fp);
                slot.prints = prints;
            }
        }
        self.set_errors(format!("rulebook:{name}"), problems, kept);
        delta
    }

    /// Resolves `name` skipping entries that name no loaded rule.
    fn resolve_leniently(&self, name: &str) -> Option<ResolvedRulebook> {
        let unknown: BTreeSet<String> = self
            .books
            .books
            .values()
            .flat_map(|b| &b.rules)
            .filter(|e| self.rules.resolve(&e.id).is_err())
            .map(|e| e.id.clone())
            .collect();
        if unknown.is_empty() {
            return None;
        }
        let mut rules = (*self.rules).clone();
        rules.broken.extend(unknown);
        self.books.resolve(name, &rules).ok()
    }

    /// Re-resolves every rulebook in use; returns those whose checker changed.
    fn refresh_checkers(&mut self, force: bool) -> BTreeMap<String, Delta> {
        let names: Vec<String> = self.checkers.keys().cloned().collect();
        names
            .into_iter()
            .filter_map(|name| self.resolve_checker(&name, force).map(|d| (name, d)))
            .collect()
    }

    fn prune_checkers(&mut self) {
        let used: BTreeSet<&str> = self
            .notes
            .values()
            .flat_map(|f| &f.items)
            .filter_map(|i| match i {
                Item::Note { rulebook, .. } => Some(rulebook.as_str()),
                Item::Problem(_) => None,
            })
            .collect();
        let unused: Vec<String> = self
            .checkers
            .keys()
            .filter(|k| !used.contains(k.as_str()))
            .cloned()
            .collect();
        for name in unused {
            self.checkers.remove(&name);
            self.errors.remove(&format!("rulebook:{name}"));
        }
    }

    /// Which rulebook checks a note (as `tact check` chooses it).
    fn rulebook_for(&self, note: &Note) -> String {
        self.project
            .choose_rulebook(note, self.opts.rulebook.as_deref())
            .0
    }

    /// Walks the note roots: note files by absolute path, and the folders.
    fn walk_notes(&self) -> (BTreeMap<PathBuf, String>, BTreeSet<PathBuf>) {
        let mut index = BTreeMap::new();
        let mut dirs = BTreeSet::new();
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
                {
                    index
                        .entry(abs)
                        .or_insert_with(|| entry.path().display().to_string());
                }
            }
        }
        (index, dirs)
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
                    Path::new(given).join(rel).display().to_string()
                };
                self.note_index.insert(abs.to_path_buf(), shown.clone());
                return Some(shown);
            }
        }
        None
    }

    fn rescan_notes(&mut self, cy: &mut Cycle, to_check: &mut BTreeSet<String>) {
        let (index, dirs) = self.walk_notes();
        self.note_dirs = dirs;
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
            self.read_note(&shown, &abs, cy, to_check);
        }
    }

    /// Re-reads a note file if its content changed.
    fn read_note(
        &mut self,
        shown: &str,
        abs: &Path,
        cy: &mut Cycle,
        to_check: &mut BTreeSet<String>,
    ) {
        let is_root = self.opts.paths.iter().any(|p| p == shown);
        let prev_hash = self.notes.get(shown).map(|f| f.hash);
        let bytes = match read_bounded(abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_root => {
                if self.notes.remove(shown).is_some() {
                    cy.removed.insert(shown.to_owned());
                }
                self.note_index.remove(abs);
                return;
            }
            Err(_) if abs.is_dir() => {
                // A root given by name that is now a folder: walk it.
                if self.notes.remove(shown).is_some() {
                    cy.removed.insert(shown.to_owned());
                }
                return;
            }
            Err(e) => {
                let message = format!("cannot read `{shown}`: {e}");
                let hash = Some(hash_of(&[message.as_bytes()]));
                if prev_hash != Some(hash) {
                    let item = Item::Problem(Problem::error("tact::input::read", message));
                    self.notes.insert(
                        shown.to_owned(),
                        NoteFile {
                            hash,
                            items: vec![item],
                        },
                    );
                    cy.changed.insert(shown.to_owned());
                    to_check.insert(shown.to_owned());
                }
                return;
            }
        };
        let hash = Some(bytes.hash);
        if prev_hash == Some(hash) {
            return;
        }
        let template = self.opts.template;
        let items: Vec<input::Item> = if let Some(bytes) = bytes.note {
            vec![
                input::decode(shown, bytes)
                    .and_then(|text| input::note_from_text(crate::note::Origin::file(shown), text)),
            ]
        } else {
            input::notes(&[shown.to_owned()], template).collect()
        };
        let items = items
            .into_iter()
            .map(|item| match item {
                Ok(mut note) => {
                    note.template = template;
                    self.project.apply_selection(&mut note);
                    Item::Note {
                        note: Arc::new(note),
                        rulebook: String::new(),
                        report: Ok(NoteReport::default()),
                    }
                }
                Err(p) => Item::Problem(p),
            })
            .collect();
        cy.changed.insert(shown.to_owned());
        self.notes
            .insert(shown.to_owned(), NoteFile { hash, items });
        to_check.insert(shown.to_owned());
    }

    /// Checks every note of `files`; returns how many notes were checked.
    /// A note whose rulebook only had some rules change keeps the findings of
    /// the others and runs just the changed ones (see [`Delta`]).
    fn check_files(&mut self, files: &BTreeSet<String>, deltas: &BTreeMap<String, Delta>) -> usize {
        struct Job {
            file: String,
            index: usize,
            note: Arc<Note>,
            rulebook: String,
            previous: Option<NoteReport>,
        }
        let mut jobs: Vec<Job> = vec![];
        for name in files {
            let Some(file) = self.notes.get(name) else {
                continue;
            };
            for (index, item) in file.items.iter().enumerate() {
                if let Item::Note {
                    note,
                    rulebook: old_book,
                    report,
                } = item
                {
                    let rulebook = self.rulebook_for(note);
                    let previous = match report {
                        Ok(r) if *old_book == rulebook && note.front.allow.is_empty() => {
                            Some(r.clone())
                        }
                        _ => None,
                    };
                    jobs.push(Job {
                        file: name.clone(),
                        index,
                        note: note.clone(),
                        rulebook,
                        previous,
                    });
                }
            }
        }
        let needed: BTreeSet<String> = jobs.iter().map(|j| j.rulebook.clone()).collect();
        for name in needed {
            if !self.checkers.contains_key(&name) {
                self.resolve_checker(&name, false);
            }
        }
        let checkers: BTreeMap<&String, Option<Arc<Checker>>> = self
            .checkers
            .iter()
            .map(|(name, slot)| (name, slot.checker.clone()))
            .collect();
        let count = jobs.len();
        let check = |job: Job| {
            let Job {
                file,
                index,
                note,
                rulebook,
                previous,
            } = job;
            let checker = checkers.get(&rulebook).cloned().flatten();
            let report = match (checker, deltas.get(&rulebook), previous) {
                (Some(_), Some(Delta::Rules { ids, partial }), Some(mut report)) => {
                    report.findings.retain(|f| !ids.contains(&f.rule));
                    report.failures.retain(|f| !ids.contains(&f.rule));
                    let fresh = partial.check(&note);
                    report.findings.extend(fresh.findings);
                    report.failures.extend(fresh.failures);
                    sort_report(&mut report);
                    Ok(report)
                }
                (Some(checker), _, _) => Ok(checker.check(&note)),
                (None, _, _) => Err(Problem::error(
                    "tact::watch::not-checked",
                    format!(
                        "`{}` is not checked: rulebook `{rulebook}` has errors",
                        note.origin
                    ),
                )
                .help("fix the rulebook; the note is checked again as soon as it loads")),
            };
            (file, index, note, rulebook, report)
        };
        let mut results = Vec::with_capacity(count);
        crate::run::stream::stream(jobs.into_iter(), check, |r| {
            results.push(r);
            std::ops::ControlFlow::Continue(())
        });
        for (file, i, note, rulebook, report) in results {
            if let Some(slot) = self.notes.get_mut(&file).and_then(|f| f.items.get_mut(i)) {
                *slot = Item::Note {
                    note,
                    rulebook,
                    report,
                };
            }
        }
        count
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
        file.items
            .iter()
            .flat_map(|i| match i {
                Item::Note { report: Ok(r), .. } => {
                    r.findings.iter().map(|f| f.message.clone()).collect()
                }
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
        let first = state.load();
        assert_eq!(first.notes_checked, 2);
        assert_eq!(messages(&state, "a.txt"), ["v1"]);
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, RULE.replace("TAG", "v2")).unwrap();
        let cy = state.apply(&rules_plan(&rule));
        assert_eq!(cy.rules, ["local/hi".to_owned()].into());
        assert_eq!(cy.rechecked.len(), 1, "{cy:?}");
        assert!(cy.rechecked.iter().all(|f| f.ends_with("a.txt")), "{cy:?}");
        assert_eq!(messages(&state, "a.txt"), ["v2"]);
    }

    #[test]
    fn same_content_is_a_no_op() {
        let (dir, mut state) = project();
        state.load();
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, RULE.replace("TAG", "v1")).unwrap();
        let note = dir.path().join("notes/a.txt");
        fs::write(&note, "hello there\n").unwrap();
        let plan = Plan {
            notes: [note].into(),
            ..rules_plan(&rule)
        };
        assert!(state.apply(&plan).is_noop());
    }

    #[test]
    fn a_broken_rule_keeps_the_last_good_one_and_a_removed_rule_goes() {
        let (dir, mut state) = project();
        state.load();
        let rule = dir.path().join("plugins/local/hi.rhai");
        fs::write(&rule, "fn meta( {").unwrap();
        let cy = state.apply(&rules_plan(&rule));
        assert!(cy.rechecked.is_empty() && cy.rules.is_empty(), "{cy:?}");
        let errors = state.errors();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].kept && errors[0].problem.code == "tact::plugin::syntax");
        assert_eq!(messages(&state, "a.txt"), ["v1"]);

        fs::remove_file(&rule).unwrap();
        let cy = state.apply(&rules_plan(&rule));
        assert_eq!(cy.rules, ["local/hi".to_owned()].into());
        assert!(messages(&state, "a.txt").is_empty());
        let codes: Vec<&str> = state
            .errors()
            .iter()
            .map(|e| e.problem.code.as_str())
            .collect();
        assert_eq!(codes, ["tact::rulebook::unknown-rule"]);
    }

    #[test]
    fn a_rulebook_change_rechecks_its_notes() {
        let (dir, mut state) = project();
        state.load();
        let book = dir.path().join("rulebooks/two.toml");
        fs::write(&book, "[rules]\n\"local/hi\" = \"error\"\n").unwrap();
        let cy = state.apply(&Plan {
            rulebooks: [book].into(),
            ..Plan::default()
        });
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
        state.load();
        let rule = root.join("plugins/local/hi.rhai");
        let edited = RULE
            .replace("TAG", "v2")
            .replace("[\"hello\"]", "[\"hello\", \"connect\"]");
        fs::write(&rule, edited).unwrap();
        let cy = state.apply(&rules_plan(&rule));
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
        fresh.load();
        let dump = |s: &State| -> Vec<String> {
            s.notes
                .values()
                .flat_map(|f| &f.items)
                .map(|i| match i {
                    Item::Note { report: Ok(r), .. } => format!("{:?}", r.findings),
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
}
