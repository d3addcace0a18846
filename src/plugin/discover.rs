//! Finding rule files: the rules of each pack [`crate::pack::load`] found
//! (the embedded `core` and packs on disk), then `[overrides]` in place of
//! the rules they name.

use super::imports::{PackResolver, PackRoot};
use crate::pack::{Origin, Pack, Packs};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
pub use embedded::RULEBOOK_FILES;

/// One rule script and its test file, before compiling.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// `<pack>/<stem>`.
    pub id: String,
    /// Where it came from, as shown to the user.
    pub path: String,
    /// The file on disk (`None` for the embedded pack).
    pub disk_path: Option<PathBuf>,
    /// The script.
    pub source: Arc<str>,
    /// The sibling `<stem>.test.toml`: its display path and contents.
    pub tests: Option<(String, Arc<str>)>,
    /// Its pack's version (`None` for a folder without `pack.toml`).
    pub version: Option<String>,
    /// Put in place of the pack's own rule by `[overrides]` in tact.toml.
    pub overridden: bool,
}

/// A file that could not be read while discovering rules.
#[derive(Debug, Clone)]
pub struct DiscoverError {
    /// The path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Editor droppings and hidden files are never rules (vim's `4913`, `.swp`, `~`, `.#x`).
pub fn is_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
}

/// The embedded `core` pack's rule files.
pub fn embedded_rules() -> Vec<RuleFile> {
    let files: HashMap<&str, &str> = embedded::PLUGIN_FILES.iter().copied().collect();
    embedded::PLUGIN_FILES
        .iter()
        .filter(|(p, _)| p.ends_with(".rhai"))
        .filter_map(|(rel, text)| {
            let (pack, file) = rel.split_once('/')?;
            let stem = file.strip_suffix(".rhai")?;
            if stem.contains('/') {
                return None; // modules under subfolders are imports, not rules
            }
            let test_rel = format!("{pack}/{stem}.test.toml");
            Some(RuleFile {
                id: format!("{pack}/{stem}"),
                path: format!("builtin:plugins/{rel}"),
                disk_path: None,
                source: Arc::from(*text),
                tests: files
                    .get(test_rel.as_str())
                    .map(|t| (format!("builtin:plugins/{test_rel}"), Arc::from(*t))),
                version: None,
                overridden: false,
            })
        })
        .collect()
}

/// A file of the embedded `core` pack, by its path under `plugins/`.
pub fn embedded_file(rel: &str) -> Option<&'static str> {
    embedded::PLUGIN_FILES
        .iter()
        .find(|(p, _)| *p == rel)
        .map(|(_, t)| *t)
}

/// A rule file with its pack's version, marked overridden when `[overrides]`
/// put its whole pack in place of another.
fn versioned(mut file: RuleFile, pack: &Pack) -> RuleFile {
    file.version = pack.version();
    file.overridden = pack.origin == Origin::Replacement;
    file
}

/// The rule files of every pack (the rules at the top of each pack's rules
/// folder; sub-folders hold modules to import), then the `[overrides]`
/// scripts in place of the rules they name. Registers each pack's root with
/// the import resolver.
pub fn discover(packs: &Packs, resolver: &PackResolver) -> (Vec<RuleFile>, Vec<DiscoverError>) {
    let mut by_id: BTreeMap<String, RuleFile> = BTreeMap::new();
    let mut errors = Vec::new();
    for pack in &packs.list {
        let Some(dir) = &pack.rules_dir else {
            let embedded_files: HashMap<String, &'static str> = embedded::PLUGIN_FILES
                .iter()
                .filter_map(|(p, t)| p.strip_prefix("core/").map(|r| (r.to_owned(), *t)))
                .collect();
            resolver.set_root(&pack.name, PackRoot::Embedded(Arc::new(embedded_files)));
            for file in embedded_rules() {
                by_id.insert(file.id.clone(), versioned(file, pack));
            }
            continue;
        };
        resolver.set_root(
            &pack.name,
            if pack.flat {
                PackRoot::Flat(dir.clone())
            } else {
                PackRoot::Disk(dir.clone())
            },
        );
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .max_depth(1)
            .min_depth(1)
            .into_iter()
            .filter_entry(|e| !is_noise(e.path()));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.push(DiscoverError {
                        path: e
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let path = entry.path();
            if !entry.file_type().is_file()
                || path.extension().and_then(|e| e.to_str()) != Some("rhai")
            {
                continue;
            }
            let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            if packs
                .rule_overrides
                .values()
                .any(|o| o.canonicalize().is_ok_and(|o| o == canonical))
            {
                continue; // it stands in for another pack's rule
            }
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            match disk_rule(format!("{}/{stem}", pack.name), path) {
                Ok(file) => {
                    by_id.insert(file.id.clone(), versioned(file, pack));
                }
                Err(e) => errors.push(e),
            }
        }
    }
    for (id, path) in &packs.rule_overrides {
        let Some(replaced) = by_id.get(id) else {
            let names = by_id.keys().map(String::as_str);
            let hint = crate::problem::did_you_mean(id, names)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            errors.push(DiscoverError {
                path: path.display().to_string(),
                message: format!(
                    "`[overrides]` in tact.toml replaces rule `{id}`, which no pack has{hint}"
                ),
            });
            continue;
        };
        let version = replaced.version.clone();
        match disk_rule(id.clone(), path) {
            Ok(mut file) => {
                file.version = version;
                file.overridden = true;
                by_id.insert(id.clone(), file);
            }
            Err(e) => errors.push(e),
        }
    }
    (by_id.into_values().collect(), errors)
}

/// A rule file on disk with the id `id`, and its sibling test file.
fn disk_rule(id: String, path: &Path) -> Result<RuleFile, DiscoverError> {
    let source = read_text(path).map_err(|message| DiscoverError {
        path: path.display().to_string(),
        message,
    })?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let test_path = path.with_file_name(format!("{stem}.test.toml"));
    let tests = read_text(&test_path)
        .ok()
        .map(|t| (test_path.display().to_string(), Arc::from(t)));
    Ok(RuleFile {
        id,
        path: path.display().to_string(),
        disk_path: Some(path.to_path_buf()),
        source: source.into(),
        tests,
        version: None,
        overridden: false,
    })
}

/// The largest rule script, rule test file, rulebook or `tact.toml` read, in
/// bytes: reads stop one byte past it, whatever the file is.
pub const MAX_TEXT_BYTES: usize = 4 << 20;

/// Reads a UTF-8 text file of at most [`MAX_TEXT_BYTES`], with a message fit
/// for a diagnostic on failure.
pub fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEXT_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "over {} MiB; such a file holds at most {} MiB",
            MAX_TEXT_BYTES >> 20,
            MAX_TEXT_BYTES >> 20
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}
