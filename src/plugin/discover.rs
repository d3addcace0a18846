//! Finding rule files: the embedded `core` pack, then plugin folders on disk
//! (walked with `walkdir`), where a file overrides the embedded one of the same id.

use super::imports::{PackResolver, PackRoot};
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
            })
        })
        .collect()
}

/// The pack a rule file belongs to: the name in the nearest `pack.toml`
/// between the file and the plugin folder, else the first folder under the
/// plugin folder, else the plugin folder's own name.
fn pack_of(folder: &Path, file: &Path) -> (String, PathBuf) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if let Some(name) = super::manifest_name(&d.join("pack.toml")) {
            return (name, d.to_path_buf());
        }
        if d == folder {
            break;
        }
        dir = d.parent();
    }
    let rel = file.strip_prefix(folder).unwrap_or(file);
    let mut comps = rel.components();
    match (comps.next(), comps.next()) {
        (Some(first), Some(_)) => (
            first.as_os_str().to_string_lossy().into_owned(),
            folder.join(first.as_os_str()),
        ),
        _ => {
            let name = folder
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "local".into());
            (name, folder.to_path_buf())
        }
    }
}

/// All rule files: embedded first, then each folder in order; later ones win by id.
/// Registers each pack's root with the import resolver.
pub fn discover(
    folders: &[PathBuf],
    resolver: &PackResolver,
) -> (Vec<RuleFile>, Vec<DiscoverError>) {
    let embedded_files: HashMap<String, &'static str> = embedded::PLUGIN_FILES
        .iter()
        .filter_map(|(p, t)| p.strip_prefix("core/").map(|r| (r.to_owned(), *t)))
        .collect();
    resolver.set_root("core", PackRoot::Embedded(Arc::new(embedded_files)));
    let mut by_id: BTreeMap<String, RuleFile> = embedded_rules()
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut errors = Vec::new();
    for folder in folders {
        if !folder.is_dir() {
            errors.push(DiscoverError {
                path: folder.display().to_string(),
                message: "plugin folder not found".into(),
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(folder)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_noise(e.path()));
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
            let (pack, root) = pack_of(folder, path);
            // Files in subfolders of a pack are modules to import, not rules.
            if path.parent() != Some(root.as_path()) {
                continue;
            }
            let flat = root.as_path() == folder.as_path() && !root.join("pack.toml").is_file();
            resolver.set_root(
                &pack,
                if flat {
                    PackRoot::Flat(root.clone())
                } else {
                    PackRoot::Disk(root.clone())
                },
            );
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let source = match read_text(path) {
                Ok(s) => s,
                Err(message) => {
                    errors.push(DiscoverError {
                        path: path.display().to_string(),
                        message,
                    });
                    continue;
                }
            };
            let test_path = path.with_file_name(format!("{stem}.test.toml"));
            let tests = read_text(&test_path)
                .ok()
                .map(|t| (test_path.display().to_string(), Arc::from(t)));
            let id = format!("{pack}/{stem}");
            by_id.insert(
                id.clone(),
                RuleFile {
                    id,
                    path: path.display().to_string(),
                    disk_path: Some(path.to_path_buf()),
                    source: source.into(),
                    tests,
                },
            );
        }
    }
    (by_id.into_values().collect(), errors)
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
