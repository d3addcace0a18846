//! Loading by content hash: `tact.toml`, the plugin folders' rules and the
//! rulebook folders. A first load and a watch run's reload are the same
//! code: every file is hashed, and only files whose hash changed are parsed or
//! compiled again; a rulebook's checker is rebuilt only when a rule it enables
//! (its level, options or script) changed.
//!
//! A workspace made with [`Workspace::watched`] keeps the last good version
//! of every file: a rule that stops compiling keeps its old script running,
//! a rulebook that stops parsing keeps its old table, a `tact.toml` that
//! stops parsing keeps the old config, and a rulebook that stops resolving
//! keeps its old checker, minus entries naming a rule that no longer exists.
//! Every problem is kept with the file it belongs to until that file is fixed.

use super::Workspace;
use crate::config::Project;
use crate::plugin::discover::{RULEBOOK_FILES, RuleFile, discover, read_text};
use crate::plugin::imports::PackResolver;
use crate::plugin::{self, RuleSet, engine};
use crate::problem::Problem;
use crate::rule::options::OptionValue;
use crate::rulebook::{ResolvedRulebook, Rulebook, Rulebooks};
use crate::run::Checker;
use rayon::prelude::*;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a reload looks at again.
#[derive(Debug, Clone, Default)]
pub struct Reload {
    /// Re-read `tact.toml` (and, when it changed, everything it configures).
    pub config: bool,
    /// Paths under plugin folders that changed: the folders are rescanned
    /// and an imported module among them means every note is checked again.
    pub rules: BTreeSet<PathBuf>,
    /// Rescan the rulebook folders.
    pub rulebooks: bool,
    /// Look at everything and compile every rule again.
    pub everything: bool,
}

impl Reload {
    /// Everything: the first load.
    pub fn all() -> Reload {
        Reload {
            config: true,
            rulebooks: true,
            everything: true,
            ..Reload::default()
        }
    }
}

/// How the notes of a rulebook whose checker was rebuilt are checked again.
#[derive(Clone)]
pub enum Delta {
    /// Run every rule.
    Full,
    /// Only these rules changed (or were added or removed): drop their old
    /// findings and run just them (with `partial`), keeping the others'. A
    /// note that silences rules in its front matter is checked in full, since
    /// unused allowances depend on every rule.
    Rules {
        /// The rules whose findings may have changed.
        ids: BTreeSet<String>,
        /// A checker running only those rules.
        partial: Arc<Checker>,
    },
}

/// What a reload changed.
#[derive(Default)]
pub struct Reloaded {
    /// A new `tact.toml` is in use.
    pub config: bool,
    /// Files whose content changed (config, rules, modules, rulebooks).
    pub changed: BTreeSet<String>,
    /// Rules added, changed or removed (ids).
    pub rules: BTreeSet<String>,
    /// Rulebooks added, changed or removed (names).
    pub rulebooks: BTreeSet<String>,
    /// Every note must be checked again (everything was reloaded, the config
    /// changed, or a module that rules import changed).
    pub recheck_all: bool,
    /// The set of rule ids changed: notes that silence rules are checked again.
    pub ids_changed: bool,
    /// Rulebooks in use whose checker was rebuilt, and how to re-check their
    /// notes (empty when `recheck_all`).
    pub stale: BTreeMap<String, Delta>,
}

/// A load problem, kept until its file is fixed.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The diagnostic, with its source span.
    pub problem: Problem,
    /// True when the run goes on with the last good version (or, for an
    /// unknown rule in a rulebook, with the rulebook minus that entry).
    pub kept: bool,
}

/// A discovered rule file: its content hash and its problem, if any.
#[derive(Debug, Clone)]
pub(super) struct RuleSlot {
    hash: u64,
    path: String,
    disk_path: Option<PathBuf>,
    problem: Option<LoadError>,
}

/// A rulebook file (embedded ones under folder 0, then each folder from 1).
#[derive(Debug, Clone)]
pub(super) struct BookSlot {
    folder: usize,
    path: String,
    stem: String,
    hash: Option<u64>,
    last_good: Option<Rulebook>,
    problem: Option<LoadError>,
}

/// A rulebook file as found: folder, shown path, file, name, the pack whose
/// rules its short ids name first, and its text or why it could not be read.
type FoundBook = (
    usize,
    String,
    Option<PathBuf>,
    String,
    Option<String>,
    Result<Arc<str>, String>,
);

/// A rulebook's checker as last resolved.
#[derive(Default)]
pub(super) struct CheckerSlot {
    pub(super) checker: Option<Arc<Checker>>,
    /// Why it did not resolve (the last good checker may still run).
    pub(super) problems: Vec<Problem>,
    /// The last rulebook that resolved: kept running, with fresh rule
    /// scripts, while an edit to it does not resolve.
    book: Option<ResolvedRulebook>,
    /// A fingerprint per enabled rule: its level, options and script.
    prints: BTreeMap<String, u64>,
    fingerprint: Option<u64>,
}

/// The files a load keeps, with their hashes and problems.
#[derive(Default)]
pub(super) struct Files {
    config_hash: Option<u64>,
    config_problem: Option<LoadError>,
    discover_problems: Vec<LoadError>,
    rules: BTreeMap<String, RuleSlot>,
    books: Vec<BookSlot>,
    folder_problems: Vec<(usize, LoadError)>,
}

/// A hash of some bytes.
pub fn hash_of(parts: &[&[u8]]) -> u64 {
    let mut h = DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// What decides whether a rule file must compile again: its shown path,
/// script and tests.
fn rule_hash(file: &RuleFile) -> u64 {
    let tests = file
        .tests
        .as_ref()
        .map(|(p, t)| format!("{p}\n{t}"))
        .unwrap_or_default();
    hash_of(&[
        file.path.as_bytes(),
        file.source.as_bytes(),
        tests.as_bytes(),
    ])
}

/// An absolute path without following the last component (which may be
/// missing): the canonical parent joined with the name.
pub fn absolute(path: &Path) -> PathBuf {
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
                    for (key, value) in &setting.options {
                        key.hash(&mut h);
                        hash_option(value, &mut h);
                    }
                }
            }
            if let Some(rule) = rules.get(id) {
                rule.path.hash(&mut h);
                rule.source.hash(&mut h);
            }
            (id.clone(), h.finish())
        })
        .collect()
}

/// Feeds an option value to a fingerprint (floats by their bits).
fn hash_option(value: &OptionValue, h: &mut impl Hasher) {
    std::mem::discriminant(value).hash(h);
    match value {
        OptionValue::Bool(b) => b.hash(h),
        OptionValue::Int(i) => i.hash(h),
        OptionValue::Float(f) => f.to_bits().hash(h),
        OptionValue::Str(s) => s.hash(h),
        OptionValue::List(list) => {
            list.len().hash(h);
            list.iter().for_each(|v| hash_option(v, h));
        }
        OptionValue::Table(table) => {
            table.len().hash(h);
            for (k, v) in table {
                k.hash(h);
                hash_option(v, h);
            }
        }
    }
}

impl Workspace {
    /// A workspace for `project` with nothing loaded yet.
    fn empty(
        project: Project,
        extra_plugins: &[PathBuf],
        keep_last_good: bool,
        lazy: bool,
    ) -> Workspace {
        let resolver = PackResolver::default();
        let engine = Arc::new(engine::build(&project.limits, resolver.clone()));
        let files = Files {
            config_hash: project
                .path
                .as_ref()
                .and_then(|p| std::fs::read(p).ok())
                .map(|b| hash_of(&[&b])),
            ..Files::default()
        };
        Workspace {
            project,
            extra_plugins: extra_plugins.to_vec(),
            keep_last_good,
            lazy,
            resolver,
            engine,
            rules: Arc::new(RuleSet::default()),
            rulebooks: Rulebooks::default(),
            packs: crate::pack::Packs::default(),
            selection: crate::rulebook::RuleSelection::default(),
            files,
            checkers: Default::default(),
            timed: Default::default(),
        }
    }

    /// Loads the project's packs (its plugin folders plus `extra`, added
    /// packs, overrides) and rulebook folders, compiling every rule.
    pub fn load(project: Project, extra_plugins: &[PathBuf]) -> Workspace {
        let mut ws = Workspace::empty(project, extra_plugins, false, false);
        ws.reload(&Reload::all());
        ws
    }

    /// Loads as [`Workspace::load`] does for one run that checks notes: a
    /// rule compiles when a rulebook first needs it. [`Workspace::prepare`]
    /// compiles the rules of the rulebooks the run will use before its load
    /// problems are reported.
    pub fn load_lazily(project: Project, extra_plugins: &[PathBuf]) -> Workspace {
        let mut ws = Workspace::empty(project, extra_plugins, false, true);
        ws.reload(&Reload::all());
        ws
    }

    /// Compiles, in parallel, the rules of the rulebooks notes get unless
    /// their `goal` names another (`flag`, else the project's: see
    /// [`Project::rulebooks_in_use`]) and the rules `--select` adds, so that
    /// [`Workspace::problems`] has their problems; a rule compiled later
    /// reports through [`Workspace::late_problems`].
    pub fn prepare(&self, flag: Option<&str>) {
        let mut names = self.project.rulebooks_in_use(flag);
        let mut seen = BTreeSet::new();
        let mut named: BTreeSet<&str> = BTreeSet::new();
        while let Some(name) = names.pop() {
            let Some(book) = self.rulebooks.books.get(&name) else {
                continue;
            };
            if !seen.insert(name) {
                continue;
            }
            names.extend(book.extends.iter().map(|(parent, _)| parent.clone()));
            let channels = book.channel_rules.iter().flat_map(|(_, e)| e);
            named.extend(book.rules.iter().chain(channels).map(|e| e.id.as_str()));
        }
        // A short id may name a rule of any pack: compile each it may name.
        let short = |id: &str| id.split_once('/').map_or(id, |(_, n)| n).to_owned();
        let ids: Vec<&str> = self
            .rules
            .ids()
            .filter(|id| {
                named.contains(id.as_str())
                    || named.contains(short(id).as_str())
                    || self.selection.adds(id)
            })
            .map(String::as_str)
            .collect();
        self.rules.compile(ids);
        self.rules.seal();
    }

    /// Problems of rules first compiled after [`Workspace::prepare`] (those
    /// only a rulebook a note's `goal` chose uses), by rule id.
    pub fn late_problems(&self) -> Vec<Problem> {
        self.rules.late_problems().cloned().collect()
    }

    /// A workspace that keeps the last good version of every file (for
    /// `tact watch`); nothing is loaded until the first [`Workspace::reload`].
    pub fn watched(project: Project, extra_plugins: &[PathBuf]) -> Workspace {
        Workspace::empty(project, extra_plugins, true, false)
    }

    /// The plugin folders: the project's, then `--plugins`.
    pub fn plugin_folders(&self) -> Vec<PathBuf> {
        self.project
            .plugins
            .iter()
            .chain(&self.extra_plugins)
            .cloned()
            .collect()
    }

    /// What failed to load, in input order: the config, plugin folders,
    /// rules by id, then each rulebook folder (the built-in rulebooks first)
    /// and its files by name.
    pub fn load_errors(&self) -> Vec<&LoadError> {
        let f = &self.files;
        let mut out: Vec<&LoadError> = f.config_problem.iter().collect();
        out.extend(&f.discover_problems);
        out.extend(f.rules.values().filter_map(|s| s.problem.as_ref()));
        let last = f
            .books
            .iter()
            .map(|b| b.folder)
            .chain(f.folder_problems.iter().map(|(i, _)| *i))
            .max()
            .unwrap_or(0);
        for folder in 0..=last {
            out.extend(
                f.folder_problems
                    .iter()
                    .filter(|(i, _)| *i == folder)
                    .map(|(_, e)| e),
            );
            out.extend(
                f.books
                    .iter()
                    .filter(|b| b.folder == folder)
                    .filter_map(|b| b.problem.as_ref()),
            );
        }
        out
    }

    /// Every load problem, in input order (see [`Workspace::load_errors`]),
    /// with those of rules compiled on first use so far (by
    /// [`Workspace::prepare`]) among the rules'.
    pub fn problems(&self) -> Vec<&Problem> {
        let f = &self.files;
        let rules_end = usize::from(f.config_problem.is_some())
            + f.discover_problems.len()
            + f.rules.values().filter(|s| s.problem.is_some()).count();
        let mut out: Vec<&Problem> = self.load_errors().into_iter().map(|e| &e.problem).collect();
        out.splice(rules_end..rules_end, self.rules.problems());
        out
    }

    /// The problems of rulebooks in use that do not resolve, by name; `kept`
    /// when a last good version still checks their notes.
    pub fn rulebook_errors(&self) -> Vec<LoadError> {
        let cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .values()
            .flat_map(|slot| {
                slot.problems.iter().map(|p| LoadError {
                    problem: p.clone(),
                    kept: slot.checker.is_some(),
                })
            })
            .collect()
    }

    /// Forgets the checkers of rulebooks no note uses any more.
    pub fn retain_checkers(&mut self, used: impl Fn(&str) -> bool) {
        self.checkers
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|name, _| used(name));
    }

    /// Loads what `what` names again, by content hash, and rebuilds the
    /// checkers of rulebooks in use that it affects.
    pub fn reload(&mut self, what: &Reload) -> Reloaded {
        let mut r = Reloaded {
            recheck_all: what.everything,
            ..Reloaded::default()
        };
        if what.config && self.reload_config(&mut r) {
            r.recheck_all = true;
        }
        // New limits mean a new engine: compile everything again.
        let force = what.everything || r.config;
        let ids_before: Vec<String> = self.rules.ids().cloned().collect();
        if (force || !what.rules.is_empty()) && self.scan_rules(force, &what.rules, &mut r) {
            r.recheck_all = true;
        }
        // Packs hold rulebooks too: a change under a plugin folder may be one.
        if force || what.rulebooks || !what.rules.is_empty() {
            self.scan_rulebooks(&mut r);
        }
        r.ids_changed = ids_before.iter().ne(self.rules.ids());
        if r.recheck_all || !r.rules.is_empty() || !r.rulebooks.is_empty() || r.ids_changed {
            let stale = self.refresh_checkers(r.recheck_all);
            if !r.recheck_all {
                r.stale = stale;
            }
        }
        r
    }

    /// Re-reads `tact.toml`; true when a new config is in use.
    fn reload_config(&mut self, r: &mut Reloaded) -> bool {
        let Some(path) = self.project.path.clone() else {
            return false;
        };
        let shown = path.display().to_string();
        let text = match read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                let p = Problem::error("tact::config::read", format!("cannot read `{shown}`: {e}"))
                    .help("the last good config stays in use until the file is back");
                self.files.config_problem = Some(LoadError {
                    problem: p,
                    kept: true,
                });
                if self.files.config_hash.take().is_some() {
                    r.changed.insert(shown);
                }
                return false;
            }
        };
        let hash = hash_of(&[text.as_bytes()]);
        if self.files.config_hash == Some(hash) {
            return false;
        }
        self.files.config_hash = Some(hash);
        r.changed.insert(shown);
        match Project::parse(&path, &text) {
            Ok(project) => {
                self.files.config_problem = None;
                if project.limits != self.project.limits {
                    self.resolver = PackResolver::default();
                    self.engine = Arc::new(engine::build(&project.limits, self.resolver.clone()));
                }
                self.project = project;
                r.config = true;
                true
            }
            Err(problem) => {
                self.files.config_problem = Some(LoadError {
                    problem,
                    kept: true,
                });
                false
            }
        }
    }

    /// Finds the packs again (verified against `tact.lock` every time, so a
    /// pack `tact pack update` changed is reloaded and a tampered one
    /// refused), rediscovers their rule files and compiles those whose
    /// content changed (all of them with `force`). True when a module (a
    /// script imported by rules, not a rule itself) changed.
    fn scan_rules(&mut self, force: bool, touched: &BTreeSet<PathBuf>, r: &mut Reloaded) -> bool {
        let (packs, pack_problems) = crate::pack::load(&self.project, &self.extra_plugins);
        let (files, discover_errors) = discover(&packs, &self.resolver);
        self.packs = packs;
        let unreadable: BTreeSet<PathBuf> = discover_errors
            .iter()
            .map(|e| absolute(Path::new(&e.path)))
            .collect();
        let discover_problems = discover_errors.iter().map(|e| {
            Problem::error(
                "tact::plugin::read",
                format!("cannot read `{}`: {}", e.path, e.message),
            )
        });
        self.files.discover_problems = pack_problems
            .into_iter()
            .chain(discover_problems)
            .map(|problem| LoadError {
                problem,
                kept: true,
            })
            .collect();

        let old = self.rules.clone();
        let mut set = RuleSet::default();
        let mut slots = BTreeMap::new();
        let hashes: Vec<u64> = files.iter().map(rule_hash).collect();
        let unchanged = |file: &RuleFile, hash: u64| {
            self.files
                .rules
                .get(&file.id)
                .filter(|s| !force && s.hash == hash)
        };
        // Compiling is most of a load: the changed files compile on every
        // core, or, for one run, each on first use.
        let engine = &self.engine;
        let mut compiled: Vec<Option<Result<plugin::Rule, Problem>>> = files
            .par_iter()
            .zip(&hashes)
            .map(|(file, &hash)| {
                (!self.lazy && unchanged(file, hash).is_none()).then(|| plugin::load(engine, file))
            })
            .collect();
        for ((file, &hash), compiled) in files.iter().zip(&hashes).zip(&mut compiled) {
            if let Some(prev) = unchanged(file, hash) {
                set.keep(&old, &file.id);
                if old.broken.contains(&file.id) {
                    set.broken.insert(file.id.clone());
                }
                slots.insert(file.id.clone(), prev.clone());
                continue;
            }
            if file.disk_path.is_some() {
                r.changed.insert(file.path.clone());
            }
            let problem = match compiled.take() {
                // Compiled when first used; its problem is kept with it.
                None => {
                    set.insert_pending(self.engine.clone(), file.clone());
                    r.rules.insert(file.id.clone());
                    None
                }
                Some(Ok(rule)) => {
                    set.insert(Arc::new(rule));
                    r.rules.insert(file.id.clone());
                    None
                }
                Some(Err(problem)) => {
                    let last_good = old.get(&file.id).filter(|_| self.keep_last_good);
                    if let Some(rule) = last_good {
                        set.insert(rule.clone());
                    } else {
                        set.broken.insert(file.id.clone());
                    }
                    Some(LoadError {
                        problem,
                        kept: last_good.is_some(),
                    })
                }
            };
            slots.insert(
                file.id.clone(),
                RuleSlot {
                    hash,
                    path: file.path.clone(),
                    disk_path: file.disk_path.clone(),
                    problem,
                },
            );
        }
        for (id, slot) in &self.files.rules {
            if slots.contains_key(id) {
                continue;
            }
            let unreadable = slot
                .disk_path
                .as_deref()
                .is_some_and(|p| unreadable.contains(&absolute(p)));
            if unreadable && self.keep_last_good {
                // A transient read error: keep the last good version.
                if !set.keep(&old, id) && old.broken.contains(id) {
                    set.broken.insert(id.clone());
                }
                slots.insert(id.clone(), slot.clone());
                continue;
            }
            r.rules.insert(id.clone());
            r.changed.insert(slot.path.clone());
        }
        let rule_paths: BTreeSet<PathBuf> = self
            .files
            .rules
            .values()
            .chain(slots.values())
            .filter_map(|s| s.disk_path.as_deref().map(absolute))
            .collect();
        let modules: Vec<&PathBuf> = touched
            .iter()
            .filter(|p| !rule_paths.contains(*p) && p.is_file())
            .collect();
        let module_changed = modules
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "rhai"));
        if module_changed {
            r.changed
                .extend(modules.iter().map(|p| p.display().to_string()));
        }
        self.files.rules = slots;
        self.rules = Arc::new(set);
        module_changed
    }

    /// Re-reads the built-in rulebooks and the rulebook folders, parsing the
    /// files whose content changed. Later folders win by name.
    fn scan_rulebooks(&mut self, r: &mut Reloaded) {
        let mut found: Vec<FoundBook> = RULEBOOK_FILES
            .iter()
            .map(|(rel, text)| {
                let stem = rel.trim_end_matches(".toml").to_owned();
                let shown = format!("builtin:rulebooks/{rel}");
                let owner = Some("core".to_owned());
                (0, shown, None, stem, owner, Ok(Arc::from(*text)))
            })
            .collect();
        self.files.folder_problems.clear();
        // The project's rulebook folders, then each pack's `rulebooks/`.
        let pack_folders = self.packs.list.iter().filter_map(|p| {
            p.rulebooks_dir
                .as_ref()
                .map(|d| (d.clone(), Some(p.name.clone())))
        });
        let folders: Vec<(PathBuf, Option<String>)> = self
            .project
            .rulebooks
            .iter()
            .map(|f| (f.clone(), None))
            .chain(pack_folders)
            .collect();
        for (i, (folder, pack)) in folders.iter().enumerate() {
            let paths = match crate::rulebook::rulebook_files(folder) {
                Ok(p) => p,
                Err(p) => {
                    let e = LoadError {
                        problem: p,
                        kept: false,
                    };
                    self.files.folder_problems.push((i + 1, e));
                    continue;
                }
            };
            for path in paths {
                let (stem, owner) = crate::rulebook::name_in_folder(&path, pack.as_deref());
                let text = match read_text(&path) {
                    Ok(t) => Ok(Arc::from(t)),
                    // Gone between listing and reading: it is no rulebook.
                    Err(_) if !path.exists() => continue,
                    Err(e) => Err(e),
                };
                found.push((
                    i + 1,
                    path.display().to_string(),
                    Some(path),
                    stem,
                    owner,
                    text,
                ));
            }
        }
        let mut slots: Vec<BookSlot> = Vec::with_capacity(found.len());
        for (folder, shown, disk, stem, owner, text) in found {
            let prev = self.files.books.iter().find(|s| s.path == shown);
            let last_good = || {
                prev.filter(|_| self.keep_last_good)
                    .and_then(|s| s.last_good.clone())
            };
            let text = match text {
                Ok(t) => t,
                Err(e) => {
                    let problem = Problem::error(
                        "tact::rulebook::read",
                        format!("cannot read rulebook `{shown}`: {e}"),
                    );
                    let last_good = last_good();
                    slots.push(BookSlot {
                        folder,
                        path: shown,
                        stem,
                        hash: None,
                        problem: Some(LoadError {
                            problem,
                            kept: last_good.is_some(),
                        }),
                        last_good,
                    });
                    continue;
                }
            };
            let hash = hash_of(&[text.as_bytes()]);
            if let Some(prev) = prev.filter(|s| s.hash == Some(hash)) {
                slots.push(prev.clone());
                continue;
            }
            if disk.is_some() {
                r.changed.insert(shown.clone());
            }
            let parsed = Rulebook::parse(&stem, shown.clone(), disk, text);
            let (last_good, problem) = match parsed.map(|b| match &owner {
                Some(o) => b.in_pack(o),
                None => b,
            }) {
                Ok(book) => (Some(book), None),
                Err(problem) => {
                    let last_good = last_good();
                    let kept = last_good.is_some();
                    (last_good, Some(LoadError { problem, kept }))
                }
            };
            slots.push(BookSlot {
                folder,
                path: shown,
                stem,
                hash: Some(hash),
                last_good,
                problem,
            });
        }
        for old in &self.files.books {
            if !slots.iter().any(|s| s.path == old.path) {
                r.changed.insert(old.path.clone());
            }
        }
        let mut books = Rulebooks::of_packs(&self.packs);
        for slot in &slots {
            match &slot.last_good {
                Some(book) => {
                    books.broken.remove(&slot.stem);
                    books.books.insert(book.name.clone(), book.clone());
                }
                None => {
                    books.books.remove(&slot.stem);
                    books.broken.insert(slot.stem.clone());
                }
            }
        }
        let names: BTreeSet<&String> = books
            .books
            .keys()
            .chain(self.rulebooks.books.keys())
            .collect();
        for name in names {
            let same = match (self.rulebooks.books.get(name), books.books.get(name)) {
                (Some(a), Some(b)) => a.path == b.path && a.source == b.source,
                _ => false,
            };
            if !same {
                r.rulebooks.insert(name.clone());
            }
        }
        self.files.books = slots;
        self.rulebooks = books;
    }

    /// Resolves rulebook `name` into `slot`; says how to re-check its notes
    /// when its checker was rebuilt.
    pub(super) fn resolve_into(
        &self,
        name: &str,
        slot: &mut CheckerSlot,
        force: bool,
    ) -> Option<Delta> {
        let resolved = self.rulebooks.resolve(name, &self.rules).map(|mut book| {
            self.selection.apply(&mut book, &self.rules);
            book
        });
        let (book, problems) = match resolved {
            Ok(book) => (Some(book), vec![]),
            Err(problems) if self.keep_last_good => {
                // Neither resolves: keep the last good rulebook, with the
                // rules as they are now.
                let book = self
                    .resolve_leniently(name)
                    .or_else(|| slot.book.clone())
                    .map(|mut b| {
                        b.retain(|id| self.rules.contains(id));
                        b
                    });
                (book, problems)
            }
            Err(problems) => (None, problems),
        };
        slot.problems = problems;
        let book = book?;
        // Only a watched workspace reloads and compares fingerprints.
        let prints = if self.keep_last_good {
            rule_prints(&book, &self.rules)
        } else {
            BTreeMap::new()
        };
        let fp = self.keep_last_good.then(|| {
            let mut h = DefaultHasher::new();
            prints.hash(&mut h);
            h.finish()
        });
        if !force && fp.is_some() && slot.fingerprint == fp && slot.checker.is_some() {
            return None;
        }
        let template = self.project.template.clone();
        let delta = match &slot.checker {
            Some(_) if !force && self.keep_last_good => {
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
            }
            _ => Delta::Full,
        };
        let mut checker = Checker::new(self.engine.clone(), self.rules.clone(), &book, template);
        if !self.keep_last_good {
            // One run: stop calling a rule that keeps failing.
            checker = checker.with_max_failures(self.project.limits.max_failures);
        }
        if self.timed.load(std::sync::atomic::Ordering::Relaxed) {
            checker = checker.with_timings();
        }
        slot.checker = Some(Arc::new(checker));
        slot.book = Some(book);
        slot.fingerprint = fp;
        slot.prints = prints;
        Some(delta)
    }

    /// Resolves `name` skipping entries that name no loaded rule.
    fn resolve_leniently(&self, name: &str) -> Option<ResolvedRulebook> {
        let unknown: BTreeSet<String> = self
            .rulebooks
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
        self.rulebooks.resolve(name, &rules).ok()
    }

    /// Re-resolves every rulebook in use; returns those whose checker changed.
    fn refresh_checkers(&mut self, force: bool) -> BTreeMap<String, Delta> {
        let mut cache = std::mem::take(self.checkers.get_mut().unwrap_or_else(|e| e.into_inner()));
        let stale = cache
            .iter_mut()
            .filter_map(|(name, slot)| {
                self.resolve_into(name, slot, force)
                    .map(|d| (name.clone(), d))
            })
            .collect();
        *self.checkers.get_mut().unwrap_or_else(|e| e.into_inner()) = cache;
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn problems_are_kept_per_file_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("plugins/local")).unwrap();
        fs::create_dir_all(root.join("books")).unwrap();
        fs::write(root.join("plugins/local/b.rhai"), "fn meta( {").unwrap();
        fs::write(root.join("plugins/local/a.rhai"), "fn meta( {").unwrap();
        fs::write(root.join("books/z.toml"), "[rules\n").unwrap();
        fs::write(root.join("books/y.toml"), "nope = 1\n").unwrap();
        let config = root.join("tact.toml");
        fs::write(
            &config,
            "plugins = [\"plugins\", \"missing\"]\nrulebooks = [\"gone\", \"books\"]\n",
        )
        .unwrap();
        let project = Project::parse(&config, &fs::read_to_string(&config).unwrap()).unwrap();
        let ws = Workspace::load(project, &[]);
        let shown: Vec<String> = ws
            .problems()
            .iter()
            .map(|p| {
                let file = p.file().unwrap_or_default();
                let name = Path::new(file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                format!("{} {}", p.code, name.unwrap_or_default())
            })
            .collect();
        assert_eq!(
            shown,
            [
                "tact::plugin::read ",
                "tact::plugin::syntax a.rhai",
                "tact::plugin::syntax b.rhai",
                "tact::rulebook::folder ",
                "tact::rulebook::syntax y.toml",
                "tact::rulebook::syntax z.toml",
            ]
        );
        // A second load of the same files gives the same problems.
        let again: Vec<String> = Workspace::load(
            Project::parse(&config, &fs::read_to_string(&config).unwrap()).unwrap(),
            &[],
        )
        .problems()
        .iter()
        .map(|p| p.message.clone())
        .collect();
        let first: Vec<String> = ws.problems().iter().map(|p| p.message.clone()).collect();
        assert_eq!(first, again);
    }
}
