//! What a batch of file events means for the run: which of config, rules,
//! rulebooks and notes to look at again. Pure (no file system access), so it
//! is table-tested below.
//!
//! Every create, modify, rename or remove is treated the same way: "this path
//! may have changed, look at it again". Editors save in too many ways (in
//! place, write-then-rename, delete-then-create) for the event kind to mean
//! anything; whether the content really changed is decided afterwards by
//! comparing content hashes.

use crate::plugin::discover::is_noise;
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Folders whose changes are never note changes: build output and dependencies.
pub const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Where the run's inputs are, as absolute paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The `tact.toml` in use, if any.
    pub config: Option<PathBuf>,
    /// Plugin folders (walked recursively).
    pub plugin_dirs: Vec<PathBuf>,
    /// Rulebook folders (their `*.toml` files).
    pub rulebook_dirs: Vec<PathBuf>,
    /// The paths given on the command line: note files or folders of notes.
    pub note_roots: Vec<PathBuf>,
}

/// What to look at again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Re-read `tact.toml` (and, if it changed, everything it configures).
    pub config: bool,
    /// Paths under plugin folders that changed; rescan the plugin folders.
    pub rules: BTreeSet<PathBuf>,
    /// Paths in rulebook folders that changed; rescan the rulebook folders.
    pub rulebooks: BTreeSet<PathBuf>,
    /// Note files that changed, appeared or went away.
    pub notes: BTreeSet<PathBuf>,
    /// A folder under a note root appeared, moved or went away: walk the
    /// note roots again for new and removed files.
    pub rescan_notes: bool,
    /// The watcher lost events (queue overflow): look at everything.
    pub everything: bool,
}

impl Plan {
    /// True when there is nothing to look at.
    pub fn is_empty(&self) -> bool {
        *self == Plan::default()
    }

    /// A plan that looks at everything.
    pub fn all() -> Plan {
        Plan {
            config: true,
            rescan_notes: true,
            everything: true,
            ..Plan::default()
        }
    }
}

/// True for event kinds that may mean changed content. Opening, reading and
/// closing a file without writing do not.
fn may_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Any
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Other => true,
    }
}

/// Editor droppings and temporary files: vim (`4913`, `.x.swp`, `x~`), emacs
/// (`.#x`, `#x#`), JetBrains safe-write (`x___jb_tmp___`, `x___jb_old___`).
pub fn is_dropping(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    is_noise(path)
        || name.ends_with(".swo")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// True when a component of `path` below `root` is hidden or a dropping.
fn hidden_below(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root).is_ok_and(|rel| {
        rel.components()
            .any(|c| is_dropping(Path::new(c.as_os_str())))
    })
}

/// Adds what one changed path means to `plan`.
fn classify(path: &Path, layout: &Layout, plan: &mut Plan) {
    if is_dropping(path) {
        return;
    }
    if layout.config.as_deref() == Some(path) {
        plan.config = true;
    }
    // `tact pack update` rewrites the lock: verify and reload the packs.
    if layout
        .config
        .as_deref()
        .is_some_and(|c| c.with_file_name(crate::pack::lock::FILE_NAME) == path)
    {
        plan.rules.insert(path.to_path_buf());
    }
    let ext = extension(path);
    for dir in &layout.plugin_dirs {
        if path.starts_with(dir)
            && !hidden_below(dir, path)
            && matches!(ext.as_deref(), None | Some("rhai" | "toml"))
        {
            plan.rules.insert(path.to_path_buf());
        }
    }
    for dir in &layout.rulebook_dirs {
        let in_dir = path.parent() == Some(dir.as_path()) && ext.as_deref() == Some("toml");
        if path == dir || in_dir {
            plan.rulebooks.insert(path.to_path_buf());
        }
    }
    for root in &layout.note_roots {
        if !path.starts_with(root) || hidden_below(root, path) {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if rel
            .components()
            .any(|c| SKIPPED_DIRS.iter().any(|s| c.as_os_str() == *s))
        {
            continue;
        }
        match ext.as_deref() {
            Some(_) if crate::input::is_note_file(path) => {
                plan.notes.insert(path.to_path_buf());
            }
            Some(_) if path == root => {
                plan.notes.insert(path.to_path_buf());
            }
            // No extension: most likely a folder that came, moved or went.
            None => plan.rescan_notes = true,
            Some(_) => {}
        }
    }
}

/// Decides what a batch of debounced events means for the run.
pub fn plan(events: &[Event], layout: &Layout) -> Plan {
    let mut plan = Plan::default();
    for event in events {
        if event.need_rescan() {
            return Plan::all();
        }
        if !may_change(&event.kind) {
            continue;
        }
        for path in &event.paths {
            classify(path, layout, &mut plan);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{
        CreateKind, DataChange, Flag, MetadataKind, ModifyKind, RemoveKind, RenameMode,
    };

    fn layout() -> Layout {
        Layout {
            config: Some("/p/tact.toml".into()),
            plugin_dirs: vec!["/p/plugins".into()],
            rulebook_dirs: vec!["/p/rulebooks".into()],
            note_roots: vec!["/p/notes".into(), "/elsewhere/one.txt".into()],
        }
    }

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        paths
            .iter()
            .fold(Event::new(kind), |e, p| e.add_path(PathBuf::from(p)))
    }

    fn modify() -> EventKind {
        EventKind::Modify(ModifyKind::Data(DataChange::Content))
    }

    fn rename() -> EventKind {
        EventKind::Modify(ModifyKind::Name(RenameMode::Both))
    }

    fn set(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn table() {
        let rules = |p: &[&str]| Plan {
            rules: set(p),
            ..Plan::default()
        };
        let books = |p: &[&str]| Plan {
            rulebooks: set(p),
            ..Plan::default()
        };
        let notes = |p: &[&str]| Plan {
            notes: set(p),
            ..Plan::default()
        };
        let none = Plan::default();
        let cases: Vec<(&str, Vec<Event>, Plan)> = vec![
            (
                "rule written in place",
                vec![ev(modify(), &["/p/plugins/local/a.rhai"])],
                rules(&["/p/plugins/local/a.rhai"]),
            ),
            (
                "rule saved by rename-over (VS Code, vim writebackup)",
                vec![ev(
                    rename(),
                    &["/p/plugins/local/a.rhai.tmp", "/p/plugins/local/a.rhai"],
                )],
                rules(&["/p/plugins/local/a.rhai"]),
            ),
            (
                "rule deleted then re-created",
                vec![
                    ev(
                        EventKind::Remove(RemoveKind::File),
                        &["/p/plugins/local/a.rhai"],
                    ),
                    ev(
                        EventKind::Create(CreateKind::File),
                        &["/p/plugins/local/a.rhai"],
                    ),
                ],
                rules(&["/p/plugins/local/a.rhai"]),
            ),
            (
                "new rule file",
                vec![ev(
                    EventKind::Create(CreateKind::File),
                    &["/p/plugins/local/b.rhai"],
                )],
                rules(&["/p/plugins/local/b.rhai"]),
            ),
            (
                "rule test file",
                vec![ev(modify(), &["/p/plugins/local/a.test.toml"])],
                rules(&["/p/plugins/local/a.test.toml"]),
            ),
            (
                "pack folder renamed",
                vec![ev(rename(), &["/p/plugins/old", "/p/plugins/new"])],
                rules(&["/p/plugins/new", "/p/plugins/old"]),
            ),
            (
                "plugin folder readme",
                vec![ev(modify(), &["/p/plugins/local/README.md"])],
                none.clone(),
            ),
            (
                "JetBrains safe write",
                vec![
                    ev(
                        EventKind::Create(CreateKind::File),
                        &["/p/plugins/local/a.rhai___jb_tmp___"],
                    ),
                    ev(
                        rename(),
                        &[
                            "/p/plugins/local/a.rhai",
                            "/p/plugins/local/a.rhai___jb_old___",
                        ],
                    ),
                    ev(
                        rename(),
                        &[
                            "/p/plugins/local/a.rhai___jb_tmp___",
                            "/p/plugins/local/a.rhai",
                        ],
                    ),
                    ev(
                        EventKind::Remove(RemoveKind::File),
                        &["/p/plugins/local/a.rhai___jb_old___"],
                    ),
                ],
                rules(&["/p/plugins/local/a.rhai"]),
            ),
            (
                "vim droppings only",
                vec![
                    ev(
                        EventKind::Create(CreateKind::File),
                        &["/p/plugins/local/4913"],
                    ),
                    ev(modify(), &["/p/plugins/local/.a.rhai.swp"]),
                    ev(
                        EventKind::Create(CreateKind::File),
                        &["/p/plugins/local/a.rhai~"],
                    ),
                    ev(modify(), &["/p/plugins/local/.#a.rhai"]),
                    ev(modify(), &["/p/notes/#draft.txt#"]),
                ],
                none.clone(),
            ),
            (
                "hidden folder in a plugin folder",
                vec![ev(modify(), &["/p/plugins/.git/index"])],
                none.clone(),
            ),
            (
                "reading a file",
                vec![ev(
                    EventKind::Access(AccessKind::Close(AccessMode::Read)),
                    &["/p/plugins/local/a.rhai"],
                )],
                none.clone(),
            ),
            (
                "closing a file written to",
                vec![ev(
                    EventKind::Access(AccessKind::Close(AccessMode::Write)),
                    &["/p/plugins/local/a.rhai"],
                )],
                rules(&["/p/plugins/local/a.rhai"]),
            ),
            (
                "metadata only still looks (hashes decide)",
                vec![ev(
                    EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
                    &["/p/rulebooks/sales.toml"],
                )],
                books(&["/p/rulebooks/sales.toml"]),
            ),
            (
                "rulebook saved",
                vec![ev(modify(), &["/p/rulebooks/sales.toml"])],
                books(&["/p/rulebooks/sales.toml"]),
            ),
            (
                "rulebook folder re-created",
                vec![ev(EventKind::Create(CreateKind::Folder), &["/p/rulebooks"])],
                books(&["/p/rulebooks"]),
            ),
            (
                "non-toml in rulebook folder",
                vec![ev(modify(), &["/p/rulebooks/notes.txt"])],
                none.clone(),
            ),
            (
                "toml below a rulebook folder is not a rulebook",
                vec![ev(modify(), &["/p/rulebooks/old/x.toml"])],
                none.clone(),
            ),
            (
                "config saved",
                vec![ev(modify(), &["/p/tact.toml"])],
                Plan {
                    config: true,
                    ..Plan::default()
                },
            ),
            (
                "other toml beside the config",
                vec![ev(modify(), &["/p/Cargo.toml"])],
                none.clone(),
            ),
            (
                "note edited",
                vec![ev(modify(), &["/p/notes/a.txt"])],
                notes(&["/p/notes/a.txt"]),
            ),
            (
                "batch edited",
                vec![ev(modify(), &["/p/notes/leads.csv"])],
                notes(&["/p/notes/leads.csv"]),
            ),
            (
                "note given by name",
                vec![ev(
                    rename(),
                    &["/elsewhere/one.txt.new", "/elsewhere/one.txt"],
                )],
                notes(&["/elsewhere/one.txt"]),
            ),
            (
                "sibling of a note given by name",
                vec![ev(modify(), &["/elsewhere/two.txt"])],
                none.clone(),
            ),
            (
                "note removed",
                vec![ev(
                    EventKind::Remove(RemoveKind::File),
                    &["/p/notes/sub/a.md"],
                )],
                notes(&["/p/notes/sub/a.md"]),
            ),
            (
                "folder of notes created",
                vec![ev(EventKind::Create(CreateKind::Folder), &["/p/notes/sub"])],
                Plan {
                    rescan_notes: true,
                    ..Plan::default()
                },
            ),
            (
                "build output under notes",
                vec![ev(modify(), &["/p/notes/target/x.txt"])],
                none.clone(),
            ),
            (
                "unrelated file",
                vec![ev(modify(), &["/tmp/x.rhai"])],
                none.clone(),
            ),
            (
                "overflow",
                vec![ev(EventKind::Other, &[]).set_flag(Flag::Rescan)],
                Plan::all(),
            ),
        ];
        let layout = layout();
        for (name, events, want) in cases {
            assert_eq!(plan(&events, &layout), want, "case: {name}");
        }
    }

    #[test]
    fn a_path_can_matter_twice() {
        // A rulebook folder inside the notes folder: its `.toml` files are
        // rulebooks, and the folder itself coming or going is a notes rescan.
        let mut layout = layout();
        layout.rulebook_dirs.push("/p/notes/books".into());
        let got = plan(
            &[ev(
                EventKind::Create(CreateKind::Folder),
                &["/p/notes/books"],
            )],
            &layout,
        );
        assert_eq!(
            got,
            Plan {
                rulebooks: set(&["/p/notes/books"]),
                rescan_notes: true,
                ..Plan::default()
            }
        );
    }
}
