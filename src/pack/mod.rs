//! Packs: the unit rules and rulebooks are shared in. A pack is a folder with
//! a `pack.toml` (see [`manifest`]), its rules (in `plugins/` or at its root),
//! their `.test.toml` cases and `rulebooks/`. [`load`] finds every pack a
//! project uses (the embedded `core`, the plugin folders, the packs added
//! under `.tact/packs/` and pinned in `tact.lock`) and refuses what must not
//! run: two packs with one name, a replacement nobody asked for in
//! `[overrides]`, a pack needing another tact or a missing dependency, and an
//! added pack whose files no longer match the lock. The workspace loader and
//! watch call it; nothing is fetched here.

pub mod archive;
pub mod install;
pub mod lock;
pub mod manifest;

use crate::config::Project;
use crate::plugin::discover::is_noise;
use crate::problem::Problem;
use lock::{Contents, Lock};
use manifest::Manifest;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where added packs are installed, under the project's root.
pub const INSTALL_DIR: &str = ".tact/packs";

/// How a pack came to be in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in tact (`core`).
    Builtin,
    /// A pack in one of the project's plugin folders (or `--plugins`).
    Local,
    /// Added with `tact pack add`, pinned in `tact.lock`.
    Added,
    /// A folder `[overrides]` puts in place of a pack of the same name.
    Replacement,
}

/// One pack the project uses.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Its namespace.
    pub name: String,
    /// Its manifest (`None` for a plain plugin folder without `pack.toml`).
    pub manifest: Option<Manifest>,
    /// The pack's folder (`None` when embedded).
    pub root: Option<PathBuf>,
    /// The folder whose `*.rhai` files are its rules (`plugins/`, or the root).
    pub rules_dir: Option<PathBuf>,
    /// Its `rulebooks/` folder, when it has one.
    pub rulebooks_dir: Option<PathBuf>,
    /// Rules sit directly in a plugin folder that may hold other packs.
    pub flat: bool,
    /// How it came to be here.
    pub origin: Origin,
}

impl Pack {
    /// Its version, when it has a manifest.
    pub fn version(&self) -> Option<String> {
        self.manifest.as_ref().map(|m| m.version.to_string())
    }

    /// Where it is, as shown to the user.
    pub fn shown(&self) -> String {
        match &self.root {
            Some(r) => r.display().to_string(),
            None => "builtin:plugins/core".into(),
        }
    }

    /// A pack in `root`: its manifest read strictly (a bad one is an error,
    /// never a silent fallback to the folder's name).
    pub fn at(root: &Path, origin: Origin) -> Result<Pack, Problem> {
        let manifest_path = root.join(manifest::FILE_NAME);
        let manifest = if manifest_path.is_file() {
            let text = crate::plugin::discover::read_text(&manifest_path).map_err(|e| {
                Problem::error(
                    "tact::pack::manifest",
                    format!("cannot read `{}`: {e}", manifest_path.display()),
                )
            })?;
            Some(Manifest::parse(
                &manifest_path.display().to_string(),
                &text,
            )?)
        } else {
            None
        };
        let name = match &manifest {
            Some(m) => m.name.clone(),
            None => folder_name(root),
        };
        let plugins = root.join("plugins");
        let rulebooks = root.join("rulebooks");
        Ok(Pack {
            name,
            rules_dir: Some(if manifest.is_some() && plugins.is_dir() {
                plugins
            } else {
                root.to_path_buf()
            }),
            rulebooks_dir: (manifest.is_some() && rulebooks.is_dir()).then_some(rulebooks),
            manifest,
            root: Some(root.to_path_buf()),
            flat: false,
            origin,
        })
    }
}

/// A folder's own name (of its absolute path, so `.` has one too).
fn folder_name(dir: &Path) -> String {
    let abs = dir
        .canonicalize()
        .or_else(|_| std::env::current_dir().map(|c| c.join(dir)))
        .unwrap_or_else(|_| dir.to_path_buf());
    abs.components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_else(|| "local".into())
}

/// The embedded `core` pack, its manifest read like any other.
pub fn core() -> Pack {
    let text = crate::plugin::discover::embedded_file("core/pack.toml")
        .expect("the core pack has a manifest");
    let manifest =
        Manifest::parse("builtin:plugins/core/pack.toml", text).expect("core's manifest is valid");
    Pack {
        name: manifest.name.clone(),
        manifest: Some(manifest),
        root: None,
        rules_dir: None,
        rulebooks_dir: None,
        flat: false,
        origin: Origin::Builtin,
    }
}

/// Every pack a project uses, and rule-level replacements.
#[derive(Debug, Clone, Default)]
pub struct Packs {
    /// The packs, `core` first, each name once.
    pub list: Vec<Pack>,
    /// `[overrides]` entries for single rules: rule id → the script replacing it.
    pub rule_overrides: BTreeMap<String, PathBuf>,
}

impl Packs {
    /// The pack named `name`.
    pub fn get(&self, name: &str) -> Option<&Pack> {
        self.list.iter().find(|p| p.name == name)
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The packs in one plugin folder: the folder itself when it has a
/// `pack.toml`; else its rules at the top (a pack named after the folder)
/// and each sub-folder holding a `pack.toml` or rules.
fn packs_in(folder: &Path, problems: &mut Vec<Problem>) -> Vec<Pack> {
    if !folder.is_dir() {
        problems.push(Problem::error(
            "tact::plugin::read",
            format!(
                "cannot read `{}`: plugin folder not found",
                folder.display()
            ),
        ));
        return vec![];
    }
    if folder.join(manifest::FILE_NAME).is_file() {
        return Pack::at(folder, Origin::Local)
            .map_err(|p| problems.push(p))
            .into_iter()
            .collect();
    }
    let has_rules = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.path().extension().is_some_and(|x| x == "rhai")
                    && !is_noise(&e.path())
                    && e.file_type().is_ok_and(|t| t.is_file())
            })
        })
    };
    let mut out = Vec::new();
    if has_rules(folder) {
        match Pack::at(folder, Origin::Local) {
            Ok(p) => out.push(Pack { flat: true, ..p }),
            Err(p) => problems.push(p),
        }
    }
    let mut subs: Vec<PathBuf> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| !is_noise(p))
            .collect(),
        Err(e) => {
            problems.push(Problem::error(
                "tact::plugin::read",
                format!("cannot read `{}`: {e}", folder.display()),
            ));
            vec![]
        }
    };
    subs.sort();
    for sub in subs {
        if sub.join(manifest::FILE_NAME).is_file() || has_rules(&sub) {
            match Pack::at(&sub, Origin::Local) {
                Ok(p) => out.push(p),
                Err(p) => problems.push(p),
            }
        }
    }
    out
}

/// The added packs (`[packs]` in `tact.toml`), each checked against
/// `tact.lock`: a pack whose files differ from the lock is refused.
fn added_packs(project: &Project, problems: &mut Vec<Problem>) -> Vec<Pack> {
    let lock_path = project.file(lock::FILE_NAME);
    let lock = match Lock::read(&lock_path) {
        Ok(l) => l,
        Err(p) => {
            if !project.packs.is_empty() {
                problems.push(p);
            }
            return vec![];
        }
    };
    for locked in &lock.packs {
        if !project.packs.contains_key(&locked.name) {
            problems.push(
                Problem::error(
                    "tact::pack::stale",
                    format!(
                        "`{}` pins pack `{}`, which `tact.toml` does not list",
                        lock_path.display(),
                        locked.name
                    ),
                )
                .help(format!(
                    "run `tact pack remove {}`, or add it back to `[packs]`",
                    locked.name
                )),
            );
        }
    }
    let mut out = Vec::new();
    for (name, source) in &project.packs {
        let Some(locked) = lock.get(name) else {
            problems.push(
                Problem::error(
                    "tact::pack::unlocked",
                    format!(
                        "pack `{name}` is in `tact.toml` but not in `{}`",
                        lock_path.display()
                    ),
                )
                .help(format!(
                    "run `tact pack update {name}` to fetch and lock it"
                )),
            );
            continue;
        };
        let dir = project.file(INSTALL_DIR).join(name);
        if !dir.is_dir() {
            problems.push(
                Problem::error(
                    "tact::pack::missing",
                    format!("pack `{name}` is locked but `{}` is missing", dir.display()),
                )
                .help(format!("run `tact pack update {name}` to install it again")),
            );
            continue;
        }
        if let Err(p) = verify(name, &dir, locked, &lock_path) {
            problems.push(p);
            continue;
        }
        if locked.source != *source {
            problems.push(
                Problem::error(
                    "tact::pack::stale",
                    format!(
                        "`tact.toml` asks for pack `{name}` from `{source}`; `{}` has it from `{}`",
                        lock_path.display(),
                        locked.source
                    ),
                )
                .help(format!(
                    "run `tact pack update {name}` to fetch and lock the new source; until then the locked files are used"
                )),
            );
        }
        match Pack::at(&dir, Origin::Added) {
            Ok(p) if p.manifest.is_none() => problems.push(Problem::error(
                "tact::pack::manifest",
                format!("added pack `{name}` has no `pack.toml`"),
            )),
            Ok(p) if p.name != *name => problems.push(Problem::error(
                "tact::pack::manifest",
                format!(
                    "`{}` is named `{}`, not `{name}`",
                    dir.join(manifest::FILE_NAME).display(),
                    p.name
                ),
            )),
            Ok(p) => out.push(p),
            Err(p) => problems.push(p),
        }
    }
    out
}

/// Checks an installed pack's files against its lock entry.
pub fn verify(
    name: &str,
    dir: &Path,
    locked: &lock::Locked,
    lock_path: &Path,
) -> Result<(), Problem> {
    let contents = Contents::of_dir(dir).map_err(|e| {
        Problem::error(
            "tact::pack::tampered",
            format!("pack `{name}` in `{}` is refused: {e}", dir.display()),
        )
    })?;
    if contents.checksum == locked.checksum {
        return Ok(());
    }
    let mut diff = contents.differences(locked);
    if diff.is_empty() {
        diff.push("the checksum in the lock itself".into());
    }
    Err(Problem::error(
        "tact::pack::tampered",
        format!(
            "pack `{name}` is refused: its files no longer match `{}`: {}",
            lock_path.display(),
            diff.join(", ")
        ),
    )
    .help(format!(
        "restore the files (they are in version control), or run `tact pack update {name}` to fetch and lock the pack again on purpose"
    )))
}

/// Every pack the project uses (its plugin folders, `extra` folders, added
/// packs, `[overrides]`), with the problems that kept some out.
pub fn load(project: &Project, extra: &[PathBuf]) -> (Packs, Vec<Problem>) {
    let mut problems = Vec::new();
    // `[overrides]`: a pack name → a folder, a rule id → a script.
    let mut replacements: BTreeMap<String, Pack> = BTreeMap::new();
    let mut replacement_roots = BTreeSet::new();
    let mut rule_overrides = BTreeMap::new();
    for (key, path) in &project.overrides {
        if key.contains('/') {
            if path.is_file() {
                rule_overrides.insert(key.clone(), path.clone());
            } else {
                problems.push(
                    Problem::error(
                        "tact::pack::override",
                        format!("`[overrides]` replaces `{key}` with `{}`, which is not a file", path.display()),
                    )
                    .help("a rule is replaced by a `.rhai` script: `\"core/no-pitch\" = \"plugins/ours/no-pitch.rhai\"`"),
                );
            }
            continue;
        }
        match Pack::at(path, Origin::Replacement) {
            Ok(p) if path.is_dir() && p.name == *key => {
                replacement_roots.insert(canonical(path));
                replacements.insert(key.clone(), p);
            }
            Ok(p) if path.is_dir() => problems.push(Problem::error(
                "tact::pack::override",
                format!(
                    "`[overrides]` puts `{}` in place of pack `{key}`, but it is pack `{}`",
                    path.display(),
                    p.name
                ),
            )),
            Ok(_) => problems.push(
                Problem::error(
                    "tact::pack::override",
                    format!(
                        "`[overrides]` replaces pack `{key}` with `{}`, which is not a folder",
                        path.display()
                    ),
                )
                .help("a pack is replaced by a pack folder: `core = \"plugins/core\"`"),
            ),
            Err(p) => problems.push(p),
        }
    }
    let override_files: BTreeSet<PathBuf> = rule_overrides.values().map(|p| canonical(p)).collect();
    let mut candidates = vec![core()];
    candidates.extend(added_packs(project, &mut problems));
    let mut seen_roots = BTreeSet::new();
    let mut folders_seen = BTreeSet::new();
    for folder in project.plugins.iter().chain(extra) {
        if !folders_seen.insert(canonical(folder)) {
            continue;
        }
        for pack in packs_in(folder, &mut problems) {
            let root = canonical(pack.root.as_deref().unwrap_or(folder));
            // A folder given twice (a plugin folder and `tact test DIR`), or
            // the folder `[overrides]` names, is not a second pack.
            if replacement_roots.contains(&root) || !seen_roots.insert(root) {
                continue;
            }
            // A folder holding only scripts that replace rules is not a pack.
            if pack.flat || pack.manifest.is_none() {
                let dir = pack.rules_dir.clone().unwrap_or_default();
                let only_overrides = std::fs::read_dir(&dir).is_ok_and(|entries| {
                    entries
                        .flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "rhai"))
                        .all(|e| override_files.contains(&canonical(&e.path())))
                });
                if only_overrides {
                    continue;
                }
            }
            candidates.push(pack);
        }
    }
    let mut list: Vec<Pack> = Vec::new();
    for pack in candidates {
        if let Some(first) = list.iter().find(|p| p.name == pack.name) {
            problems.push(
                Problem::error(
                    "tact::pack::duplicate",
                    format!(
                        "two packs are named `{}`: `{}` and `{}`; the second is not loaded",
                        pack.name,
                        first.shown(),
                        pack.shown()
                    ),
                )
                .help(format!(
                    "rename one in its pack.toml; to replace `{0}` on purpose, say so in tact.toml: `[overrides] {0} = \"{1}\"`",
                    pack.name,
                    pack.shown()
                )),
            );
            continue;
        }
        list.push(pack);
    }
    for (name, replacement) in replacements {
        match list.iter_mut().find(|p| p.name == name) {
            Some(slot) => *slot = replacement,
            None => problems.push(
                Problem::error(
                    "tact::pack::override",
                    format!("`[overrides]` replaces pack `{name}`, but no pack has that name"),
                )
                .help("list the folder in `plugins` instead"),
            ),
        }
    }
    refuse_unusable(&mut list, &mut problems);
    (
        Packs {
            list,
            rule_overrides,
        },
        problems,
    )
}

/// Drops packs that need another tact or a dependency that is missing or of
/// the wrong version (and, in turn, the packs that depend on those).
fn refuse_unusable(list: &mut Vec<Pack>, problems: &mut Vec<Problem>) {
    let this = manifest::TACT_VERSION;
    list.retain(|p| match &p.manifest {
        Some(m) if !m.supports_this_tact() => {
            problems.push(
                Problem::error(
                    "tact::pack::tact-version",
                    format!(
                        "pack `{}` {} needs tact {}; this is tact {this}",
                        p.name, m.version, m.tact
                    ),
                )
                .help("upgrade tact, or use a version of the pack made for this one"),
            );
            false
        }
        _ => true,
    });
    loop {
        let versions: BTreeMap<String, Option<semver::Version>> = list
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.manifest.as_ref().map(|m| m.version.clone()),
                )
            })
            .collect();
        let before = list.len();
        list.retain(|p| {
            let Some(m) = &p.manifest else { return true };
            for (dep, req) in &m.dependencies {
                let why = match versions.get(dep) {
                    None => "which is not in the project".to_owned(),
                    Some(Some(v)) if req.matches(v) => continue,
                    Some(Some(v)) => format!("but the project has {v}"),
                    Some(None) => "but the project's has no pack.toml".to_owned(),
                };
                problems.push(
                    Problem::error(
                        "tact::pack::dependency",
                        format!(
                            "pack `{}` needs pack `{dep}` {req}, {why}; `{}` is not loaded",
                            p.name, p.name
                        ),
                    )
                    .help(format!("add it: `tact pack add SOURCE` for `{dep}`")),
                );
                return false;
            }
            true
        });
        if list.len() == before {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_is_an_ordinary_pack_at_tacts_version() {
        let core = core();
        assert_eq!(core.name, "core");
        assert_eq!(core.version().as_deref(), Some(manifest::TACT_VERSION));
        assert!(core.manifest.unwrap().supports_this_tact());
    }
}
