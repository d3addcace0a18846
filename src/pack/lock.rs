//! `tact.lock`: what each added pack was pinned to (version, source, resolved
//! commit or archive hash) and a SHA-256 of every installed file, so a pack
//! whose files changed after it was locked is refused.

use crate::problem::{Problem, Source};
use crate::span::Span;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The lock file's name, beside `tact.toml`.
pub const FILE_NAME: &str = "tact.lock";

/// The format of the lock file this tact writes.
const FORMAT: u32 = 1;

/// One pinned pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locked {
    /// The pack's name.
    pub name: String,
    /// Its version when locked.
    pub version: String,
    /// The source as written in `tact.toml`.
    pub source: String,
    /// For a git source: the commit the ref resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// For an archive source: `sha256:` of the archive's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// `sha256:` over the installed files in canonical order (see [`Contents`]).
    pub checksum: String,
    /// Each installed file (relative path, `/`-separated) and its SHA-256.
    pub files: BTreeMap<String, String>,
}

/// The whole lock file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The file format.
    #[serde(default)]
    pub version: u32,
    /// Pinned packs, sorted by name.
    #[serde(default, rename = "pack")]
    pub packs: Vec<Locked>,
}

impl Lock {
    /// Reads the lock file at `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<Lock, Problem> {
        if !path.exists() {
            return Ok(Lock {
                version: FORMAT,
                packs: vec![],
            });
        }
        let text = crate::plugin::discover::read_text(path).map_err(|e| {
            Problem::error(
                "tact::pack::lock",
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        let lock: Lock = toml::from_str(&text).map_err(|e| {
            let span = e.span().map(|s| Span::new(s.start, s.end)).unwrap_or_default();
            Problem::error(
                "tact::pack::lock",
                format!("malformed `{}`: {}", path.display(), e.message().trim()),
            )
            .at(Source::new(path.display().to_string(), text.clone()), span, "here")
            .help("tact.lock is written by `tact pack add|update|remove`; restore it from version control")
        })?;
        if lock.version != FORMAT {
            return Err(Problem::error(
                "tact::pack::lock",
                format!(
                    "`{}` has format {}; this tact reads format {FORMAT}",
                    path.display(),
                    lock.version
                ),
            ));
        }
        Ok(lock)
    }

    /// The entry of pack `name`.
    pub fn get(&self, name: &str) -> Option<&Locked> {
        self.packs.iter().find(|p| p.name == name)
    }

    /// Sets (or adds) an entry, keeping the packs sorted by name.
    pub fn set(&mut self, entry: Locked) {
        self.packs.retain(|p| p.name != entry.name);
        self.packs.push(entry);
        self.packs.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Removes pack `name`'s entry.
    pub fn remove(&mut self, name: &str) {
        self.packs.retain(|p| p.name != name);
    }

    /// The lock file's text: stable for the same packs.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(&Lock {
            version: FORMAT,
            packs: self.packs.clone(),
        })
        .expect("a lock serialises");
        format!(
            "# Written by `tact pack add|update|remove`; commit it. Each pack's files are\n# checked against these SHA-256 sums on every run.\n{body}"
        )
    }
}

/// A pack folder's files and their hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// Relative path (`/`-separated) → SHA-256 (hex).
    pub files: BTreeMap<String, String>,
    /// `sha256:` over every file in sorted path order: path, a NUL, the
    /// file's length (8 bytes, little-endian), its bytes. Independent of how
    /// an archive ordered or dated its entries.
    pub checksum: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

impl Contents {
    /// Hashes every file under `dir`. Anything but a plain file or folder
    /// (a symlink, a device) is an error: an installed pack never has one.
    pub fn of_dir(dir: &Path) -> Result<Contents, String> {
        let mut all = Sha256::new();
        let mut files = BTreeMap::new();
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .min_depth(1);
        let mut paths = Vec::new();
        for entry in walker {
            let entry = entry.map_err(|e| e.to_string())?;
            let ft = entry.file_type();
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(|e| e.to_string())?
                .to_str()
                .ok_or_else(|| {
                    format!("`{}` has a name that is not UTF-8", entry.path().display())
                })?
                .replace('\\', "/");
            if ft.is_dir() {
                continue;
            }
            if !ft.is_file() {
                return Err(format!("`{rel}` is not a plain file"));
            }
            paths.push((rel, entry.path().to_path_buf()));
        }
        // Sorted by the relative path's bytes, whatever the walk order was.
        paths.sort();
        for (rel, path) in paths {
            let mut file = std::fs::File::open(&path).map_err(|e| format!("`{rel}`: {e}"))?;
            let len = file.metadata().map_err(|e| format!("`{rel}`: {e}"))?.len();
            all.update(rel.as_bytes());
            all.update([0]);
            all.update(len.to_le_bytes());
            // Streamed into both hashes: a big file is never held whole.
            let mut one = Sha256::new();
            let mut read: u64 = 0;
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut buf).map_err(|e| format!("`{rel}`: {e}"))?;
                if n == 0 {
                    break;
                }
                one.update(&buf[..n]);
                all.update(&buf[..n]);
                read += n as u64;
            }
            if read != len {
                return Err(format!("`{rel}` changed while it was read"));
            }
            files.insert(rel, hex(&one.finalize()));
        }
        Ok(Contents {
            files,
            checksum: format!("sha256:{}", hex(&all.finalize())),
        })
    }

    /// The files that differ from a locked entry: changed, added, removed.
    pub fn differences(&self, locked: &Locked) -> Vec<String> {
        let mut out = Vec::new();
        for (path, hash) in &self.files {
            match locked.files.get(path) {
                Some(h) if h == hash => {}
                Some(_) => out.push(format!("{path} (changed)")),
                None => out.push(format!("{path} (added)")),
            }
        }
        for path in locked.files.keys() {
            if !self.files.contains_key(path) {
                out.push(format!("{path} (removed)"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(contents: &Contents) -> Locked {
        Locked {
            name: "acme".into(),
            version: "1.0.0".into(),
            source: "../acme".into(),
            commit: None,
            archive: None,
            checksum: contents.checksum.clone(),
            files: contents.files.clone(),
        }
    }

    #[test]
    fn the_checksum_depends_on_names_and_bytes_only() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        // Written in another order, at other times: the same checksum.
        std::fs::create_dir(a.path().join("sub")).unwrap();
        std::fs::write(a.path().join("x.rhai"), "x").unwrap();
        std::fs::write(a.path().join("sub/y.toml"), "y").unwrap();
        std::fs::create_dir(b.path().join("sub")).unwrap();
        std::fs::write(b.path().join("sub/y.toml"), "y").unwrap();
        std::fs::write(b.path().join("x.rhai"), "x").unwrap();
        let (ca, cb) = (
            Contents::of_dir(a.path()).unwrap(),
            Contents::of_dir(b.path()).unwrap(),
        );
        assert_eq!(ca, cb);
        assert!(ca.differences(&entry(&cb)).is_empty());
        // Moving bytes between files changes it.
        std::fs::write(b.path().join("x.rhai"), "xy").unwrap();
        std::fs::write(b.path().join("sub/y.toml"), "").unwrap();
        let cb = Contents::of_dir(b.path()).unwrap();
        assert_ne!(ca.checksum, cb.checksum);
        assert_eq!(
            cb.differences(&entry(&ca)),
            ["sub/y.toml (changed)", "x.rhai (changed)"]
        );
        std::fs::write(b.path().join("z"), "").unwrap();
        std::fs::remove_file(b.path().join("x.rhai")).unwrap();
        let cb = Contents::of_dir(b.path()).unwrap();
        assert_eq!(
            cb.differences(&entry(&ca)),
            ["sub/y.toml (changed)", "z (added)", "x.rhai (removed)"]
        );
    }

    #[test]
    fn a_lock_round_trips_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "x").unwrap();
        let c = Contents::of_dir(dir.path()).unwrap();
        let mut lock = Lock::default();
        lock.set(Locked {
            name: "zed".into(),
            ..entry(&c)
        });
        lock.set(entry(&c));
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, lock.to_text()).unwrap();
        let read = Lock::read(&path).unwrap();
        assert_eq!(
            read.packs
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["acme", "zed"]
        );
        assert_eq!(read.to_text(), lock.to_text());
        std::fs::write(&path, "version = 1\n[[pack]]\nnmae = 1\n").unwrap();
        assert_eq!(Lock::read(&path).unwrap_err().code, "tact::pack::lock");
    }
}
