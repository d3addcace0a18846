//! What a watch run keeps between changes: the [`Workspace`] (which loads
//! rules, rulebooks and config by content hash and keeps the last good
//! version of each), what changed in each update, and the results of every
//! note. [`State::apply`] updates it for a [`Plan`], reloading only files
//! whose content hash changed and re-checking only the notes whose inputs
//! changed.

use super::plan::{Layout, Plan, is_dropping};
use crate::config::Project;
use crate::input::{self, Kind, kind_of};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::{Checker, NoteReport};
use crate::workspace::{Delta, LoadError, Reload, Workspace, absolute, hash_of};
use notify::RecursiveMode;
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

/// The state of a watch run.
pub struct State {
    opts: WatchOptions,
    /// The rules, rulebooks and config in use: the last good version of each.
    pub ws: Workspace,
    /// Results by note file, keyed by the path as shown.
    pub notes: BTreeMap<String, NoteFile>,
    note_index: BTreeMap<PathBuf, String>,
    note_dirs: BTreeSet<PathBuf>,
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
            layout: Layout::default(),
        };
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

    /// The current load errors (config, folders, rules, rulebook files, then
    /// rulebooks that do not resolve), in input order, without duplicates.
    pub fn errors(&self) -> Vec<LoadError> {
        let mut seen = BTreeSet::new();
        self.ws
            .load_errors()
            .into_iter()
            .cloned()
            .chain(self.ws.rulebook_errors())
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
    /// it affects.
    pub fn apply(&mut self, plan: &Plan) -> Cycle {
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
        let (recheck_all, ids_changed, stale) =
            (reloaded.recheck_all, reloaded.ids_changed, reloaded.stale);
        if cy.config {
            self.layout = self.compute_layout();
        }

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
                        || stale.contains_key(rulebook)
                        || (ids_changed && !note.front.allow.is_empty())
                }
                Item::Problem(_) => false,
            });
            if affected {
                to_check.insert(name.clone());
            }
        }
        cy.notes_checked = self.check_files(&to_check, &stale);
        self.prune_checkers();
        cy.rechecked = to_check;
        cy.check = check_start.elapsed();
        cy.errors_changed = self.errors_digest() != errors_before;
        self.layout = self.compute_layout();
        cy
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
        self.ws.retain_checkers(|name| used.contains(name));
    }

    /// Which rulebook checks a note (as `tact check` chooses it).
    fn rulebook_for(&self, note: &Note) -> String {
        self.ws
            .project
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
                    self.ws.project.apply_selection(&mut note);
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
        let checkers: BTreeMap<String, Option<Arc<Checker>>> = needed
            .into_iter()
            .map(|name| {
                let checker = self.ws.checker(&name).ok();
                (name, checker)
            })
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
        let codes: Vec<String> = state.errors().into_iter().map(|e| e.problem.code).collect();
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
