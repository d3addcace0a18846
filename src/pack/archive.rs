//! Pack archives: a reproducible `.tar.gz` of a pack folder, and extraction of
//! an untrusted archive that refuses anything but plain files and folders
//! inside the destination, and stops archive bombs by counting the bytes it
//! actually writes.

use crate::plugin::discover::is_noise;
use flate2::Compression;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Limits on what one archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries (files and folders).
    pub entries: usize,
    /// Bytes in one file.
    pub file_bytes: u64,
    /// Bytes in all files.
    pub total_bytes: u64,
    /// Bytes written per byte of compressed archive, once past `ratio_floor`.
    pub ratio: u64,
    /// Bytes that may be written whatever the ratio (small packs compress well).
    pub ratio_floor: u64,
    /// Folders deep.
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 10_000,
            file_bytes: crate::plugin::discover::MAX_TEXT_BYTES as u64,
            total_bytes: 64 << 20,
            ratio: 100,
            ratio_floor: 1 << 20,
            depth: 16,
        }
    }
}

/// The files of a pack folder to archive, sorted by relative path: hidden
/// files and folders (`.git`), editor droppings and archives (earlier builds)
/// are left out; a symlink or anything but a plain file is an error.
pub fn pack_files(dir: &Path, skip: Option<&Path>) -> Result<Vec<(String, PathBuf)>, String> {
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !is_noise(e.path()));
    for entry in walker {
        let entry = entry.map_err(|e| e.to_string())?;
        let rel = entry
            .path()
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_str()
            .ok_or_else(|| format!("`{}`: the name is not UTF-8", entry.path().display()))?
            .replace('\\', "/");
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return Err(format!(
                "`{rel}` is a symlink or special file; a pack holds plain files only"
            ));
        }
        // The archive being written, and earlier builds, are not pack content.
        let archive = [".tar.gz", ".tgz", ".tar"].iter().any(|x| rel.ends_with(x));
        if archive || (skip.is_some() && entry.path().canonicalize().ok() == skip) {
            continue;
        }
        out.push((rel, entry.path().to_path_buf()));
    }
    out.sort();
    Ok(out)
}

/// A tar of `files` whose bytes depend only on their names and contents:
/// sorted entries, mode 0644, owner 0:0, no user or group names, time 0.
pub fn tar_of(files: &[(String, PathBuf)]) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    for (rel, path) in files {
        let bytes = std::fs::read(path).map_err(|e| format!("`{rel}`: {e}"))?;
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        builder
            .append_data(&mut header, rel, bytes.as_slice())
            .map_err(|e| format!("`{rel}`: {e}"))?;
    }
    builder.into_inner().map_err(|e| e.to_string())
}

/// A gzip of `bytes` with a fixed header (no name, time 0, OS unknown).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    gz.write_all(bytes).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// What went wrong extracting, and the entry it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A safe relative path of an archive entry, or why not.
fn checked_path(raw: &[u8], depth: usize) -> Result<PathBuf, Refused> {
    let name = std::str::from_utf8(raw).map_err(|_| {
        Refused(format!(
            "entry `{}`: the name is not UTF-8",
            String::from_utf8_lossy(raw)
        ))
    })?;
    let path = Path::new(name);
    if name.is_empty() {
        return Err(Refused("an entry has an empty name".into()));
    }
    if path.is_absolute() || name.starts_with('/') || name.starts_with('\\') || name.contains(':') {
        return Err(Refused(format!("entry `{name}` has an absolute path")));
    }
    if name.contains('\\') {
        return Err(Refused(format!(
            "entry `{name}` has a backslash in its path"
        )));
    }
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(Refused(format!("entry `{name}` has `..` in its path")));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(Refused(format!("entry `{name}` has an absolute path")));
            }
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(Refused(format!("entry `{name}` names no file")));
    }
    if clean.components().count() > depth {
        return Err(Refused(format!(
            "entry `{name}` is more than {depth} folders deep"
        )));
    }
    Ok(clean)
}

/// The name two paths collide under on a case-insensitive or
/// normalising file system (macOS, Windows).
fn collision_key(path: &Path) -> String {
    path.to_string_lossy()
        .nfc()
        .collect::<String>()
        .to_lowercase()
}

/// A tar or tar.gz, maybe compressed, as a reader of the tar bytes.
fn tar_reader<'a>(reader: impl Read + 'a) -> Result<Box<dyn Read + 'a>, Refused> {
    let mut reader = std::io::BufReader::new(reader);
    let gzipped = {
        use std::io::BufRead;
        let head = reader
            .fill_buf()
            .map_err(|e| Refused(format!("cannot read the archive: {e}")))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    Ok(if gzipped {
        Box::new(flate2::read::GzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

/// Reads only the headers of an archive in memory, refusing one whose entry
/// count or declared sizes are past `limits` before anything is written.
/// ([`extract`] still counts the bytes it writes: headers can lie.)
pub fn precheck(bytes: &[u8], limits: Limits) -> Result<(), Refused> {
    let mut archive = tar::Archive::new(tar_reader(bytes)?);
    let entries = archive
        .entries()
        .map_err(|e| Refused(format!("not a tar archive: {e}")))?;
    let (mut count, mut total) = (0usize, 0u64);
    for entry in entries {
        let entry = entry.map_err(|e| Refused(format!("a damaged archive: {e}")))?;
        count += 1;
        let size = entry.header().size().unwrap_or(0);
        total = total.saturating_add(size);
        if count > limits.entries {
            return Err(too_many(limits));
        }
        if size > limits.file_bytes {
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            return Err(Refused(format!(
                "entry `{name}` is over {} MiB",
                limits.file_bytes >> 20
            )));
        }
        if total > limits.total_bytes {
            return Err(too_large(limits));
        }
    }
    Ok(())
}

fn too_many(limits: Limits) -> Refused {
    Refused(format!(
        "more than {} entries; a pack is never that large",
        limits.entries
    ))
}

fn too_large(limits: Limits) -> Refused {
    Refused(format!(
        "the files are over {} MiB in all",
        limits.total_bytes >> 20
    ))
}

/// Extracts a tar (gzip-compressed or not: told by its first bytes) from
/// `reader` into the empty folder `dest`. `compressed_len` is the archive's
/// size on disk, for the compression-ratio limit (`None` for a stream made
/// here, such as `git archive`). Refuses `..`, absolute paths, links,
/// devices, FIFOs, names that collide by case or Unicode normalisation, and
/// anything past `limits`; on error `dest` may hold a part, and the caller
/// throws the folder away.
pub fn extract(
    reader: impl Read,
    compressed_len: Option<u64>,
    dest: &Path,
    limits: Limits,
) -> Result<usize, Refused> {
    let mut archive = tar::Archive::new(tar_reader(reader)?);
    let entries = archive
        .entries()
        .map_err(|e| Refused(format!("not a tar archive: {e}")))?;
    let mut seen: BTreeMap<String, (String, bool)> = BTreeMap::new();
    let mut count = 0;
    let mut written: u64 = 0;
    for entry in entries {
        let mut entry = entry.map_err(|e| Refused(format!("a damaged archive: {e}")))?;
        count += 1;
        if count > limits.entries {
            return Err(too_many(limits));
        }
        // `git archive` starts with a global pax header holding the commit id:
        // metadata, not a file.
        if entry.header().entry_type() == tar::EntryType::XGlobalHeader {
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let rel = checked_path(&raw, limits.depth)?;
        let shown = rel.display().to_string();
        let kind = entry.header().entry_type();
        let is_dir = match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous => false,
            tar::EntryType::Directory => true,
            tar::EntryType::Symlink => {
                return Err(Refused(format!("entry `{shown}` is a symbolic link")));
            }
            tar::EntryType::Link => return Err(Refused(format!("entry `{shown}` is a hard link"))),
            tar::EntryType::Char | tar::EntryType::Block => {
                return Err(Refused(format!("entry `{shown}` is a device")));
            }
            tar::EntryType::Fifo => return Err(Refused(format!("entry `{shown}` is a FIFO"))),
            other => {
                return Err(Refused(format!(
                    "entry `{shown}` is of a kind a pack never holds ({other:?})"
                )));
            }
        };
        // Each folder on the way is a name too: `A/x` and `a/y` collide.
        let mut prefix = PathBuf::new();
        let parts: Vec<_> = rel.components().collect();
        for (i, part) in parts.iter().enumerate() {
            prefix.push(part);
            let last = i + 1 == parts.len();
            let key = collision_key(&prefix);
            let this = prefix.display().to_string();
            let dir_here = !last || is_dir;
            match seen.get(&key) {
                Some((other, other_dir)) if *other == this && *other_dir && dir_here => {}
                Some((other, _)) if *other == this => {
                    return Err(Refused(format!("entry `{this}` appears twice")));
                }
                Some((other, _)) => {
                    return Err(Refused(format!(
                        "entries `{other}` and `{this}` collide on a case-insensitive or Unicode-normalising file system"
                    )));
                }
                None => {
                    seen.insert(key, (this, dir_here));
                }
            }
        }
        let target = dest.join(&rel);
        if is_dir {
            std::fs::create_dir_all(&target)
                .map_err(|e| Refused(format!("cannot create `{shown}`: {e}")))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Refused(format!("cannot create the folder of `{shown}`: {e}")))?;
        }
        // `create_new`: never through something already there.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(|e| Refused(format!("cannot write `{shown}`: {e}")))?;
        // Counted as written, whatever the header claims.
        let mut this_file: u64 = 0;
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| Refused(format!("cannot read `{shown}`: {e}")))?;
            if n == 0 {
                break;
            }
            this_file += n as u64;
            written += n as u64;
            if this_file > limits.file_bytes {
                return Err(Refused(format!(
                    "entry `{shown}` is over {} MiB",
                    limits.file_bytes >> 20
                )));
            }
            if written > limits.total_bytes {
                return Err(too_large(limits));
            }
            if let Some(len) = compressed_len
                && written > limits.ratio_floor
                && written > len.saturating_mul(limits.ratio)
            {
                return Err(Refused(format!(
                    "the archive expands more than {}-fold (an archive bomb?)",
                    limits.ratio
                )));
            }
            file.write_all(&buf[..n])
                .map_err(|e| Refused(format!("cannot write `{shown}`: {e}")))?;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        build(&mut b);
        b.into_inner().unwrap()
    }

    fn file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // Raw names, so hostile ones (`..`, absolute) are written as they are.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, data).unwrap();
    }

    fn refused(tar: Vec<u8>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let e = extract(tar.as_slice(), None, dir.path(), Limits::default()).unwrap_err();
        e.0
    }

    #[test]
    fn a_built_archive_is_the_same_bytes_whatever_the_files_times_and_order() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir(a.path().join("rulebooks")).unwrap();
        std::fs::write(a.path().join("rulebooks/x.toml"), "x").unwrap();
        std::fs::write(a.path().join("pack.toml"), "p").unwrap();
        std::fs::write(a.path().join(".hidden"), "h").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(b.path().join("pack.toml"), "p").unwrap();
        std::fs::create_dir(b.path().join("rulebooks")).unwrap();
        std::fs::write(b.path().join("rulebooks/x.toml"), "x").unwrap();
        let build = |d: &Path| gzip(&tar_of(&pack_files(d, None).unwrap()).unwrap());
        assert_eq!(build(a.path()), build(b.path()));
        let out = tempfile::tempdir().unwrap();
        let n = extract(
            build(a.path()).as_slice(),
            None,
            out.path(),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            std::fs::read_to_string(out.path().join("rulebooks/x.toml")).unwrap(),
            "x"
        );
    }

    #[test]
    fn traversal_absolute_and_links_are_refused() {
        assert!(refused(tar_with(|b| file(b, "../evil", b"x"))).contains("`..`"));
        assert!(refused(tar_with(|b| file(b, "a/../../evil", b"x"))).contains("`..`"));
        assert!(refused(tar_with(|b| file(b, "/etc/evil", b"x"))).contains("absolute"));
        for (kind, says) in [
            (tar::EntryType::Symlink, "symbolic link"),
            (tar::EntryType::Link, "hard link"),
            (tar::EntryType::Char, "device"),
            (tar::EntryType::Block, "device"),
            (tar::EntryType::Fifo, "FIFO"),
        ] {
            let t = tar_with(|b| {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(kind);
                h.set_size(0);
                h.set_link_name("/etc/passwd").unwrap();
                h.set_path("x").unwrap();
                h.set_cksum();
                b.append(&h, &[][..]).unwrap();
            });
            assert!(refused(t).contains(says), "{kind:?}");
        }
    }

    #[test]
    fn names_colliding_by_case_or_normalisation_are_refused() {
        let t = tar_with(|b| {
            file(b, "Rule.rhai", b"x");
            file(b, "rule.rhai", b"y");
        });
        assert!(refused(t).contains("collide"));
        let t = tar_with(|b| {
            file(b, "caf\u{e9}.rhai", b"x");
            file(b, "cafe\u{301}.rhai", b"y");
        });
        assert!(refused(t).contains("collide"));
        let t = tar_with(|b| {
            file(b, "A/x", b"x");
            file(b, "a/y", b"y");
        });
        assert!(refused(t).contains("collide"));
        let t = tar_with(|b| {
            file(b, "x", b"x");
            file(b, "x", b"y");
        });
        assert!(refused(t).contains("twice"));
    }

    #[test]
    fn precheck_refuses_by_headers_before_anything_is_written() {
        let small = Limits {
            file_bytes: 1000,
            total_bytes: 1500,
            entries: 3,
            ..Limits::default()
        };
        let big = gzip(&tar_with(|b| file(b, "big", &[0; 2000])));
        assert!(precheck(&big, small).unwrap_err().0.contains("over"));
        let many = tar_with(|b| (0..5).for_each(|i| file(b, &format!("f{i}"), b"")));
        assert!(precheck(&many, small).unwrap_err().0.contains("entries"));
        let total = tar_with(|b| {
            file(b, "a", &[0; 900]);
            file(b, "b", &[0; 900]);
        });
        assert!(precheck(&total, small).unwrap_err().0.contains("in all"));
        let fine = tar_with(|b| file(b, "a", &[0; 900]));
        assert_eq!(precheck(&fine, small), Ok(()));
    }

    #[test]
    fn bombs_are_stopped_by_the_bytes_written() {
        let dir = tempfile::tempdir().unwrap();
        let small = Limits {
            file_bytes: 1000,
            total_bytes: 1500,
            entries: 3,
            ..Limits::default()
        };
        let big = tar_with(|b| file(b, "big", &[0; 2000]));
        let e = extract(big.as_slice(), None, dir.path(), small).unwrap_err();
        assert!(e.0.contains("over"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let total = tar_with(|b| {
            file(b, "a", &[0; 900]);
            file(b, "b", &[0; 900]);
        });
        assert!(
            extract(total.as_slice(), None, dir.path(), small)
                .unwrap_err()
                .0
                .contains("in all")
        );
        let dir = tempfile::tempdir().unwrap();
        let many = tar_with(|b| (0..5).for_each(|i| file(b, &format!("f{i}"), b"")));
        assert!(
            extract(many.as_slice(), None, dir.path(), small)
                .unwrap_err()
                .0
                .contains("entries")
        );
        let dir = tempfile::tempdir().unwrap();
        let zeros = gzip(&tar_with(|b| file(b, "z", &vec![0; 3 << 20])));
        let ratio = Limits {
            ratio_floor: 1 << 20,
            ..Limits::default()
        };
        let e = extract(
            zeros.as_slice(),
            Some(zeros.len() as u64),
            dir.path(),
            ratio,
        )
        .unwrap_err();
        assert!(e.0.contains("fold"), "{e}");
    }
}
