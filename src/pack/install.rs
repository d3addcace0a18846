//! Fetching a pack from a source (a folder, an archive, or a git repository
//! at a tag or commit) into a staging folder inside the project, checking it,
//! and moving it into `.tact/packs/NAME` only when everything succeeded.
//! Every source goes through the same safe extraction ([`super::archive`]);
//! git runs with hooks, submodules and the user's config filters off. No
//! code from a pack runs at install.

use super::archive::{self, Limits};
use super::lock::{Contents, Locked, sha256};
use super::manifest::{self, Manifest};
use crate::problem::Problem;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where a pack comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A pack folder.
    Folder(PathBuf),
    /// A `.tar.gz`, `.tgz` or `.tar` file.
    Archive(PathBuf),
    /// A git repository (`git+URL#REF`): the ref is resolved to a commit.
    Git {
        /// What `git clone` is given.
        url: String,
        /// A tag, branch or commit (`HEAD` when none is given).
        rev: String,
    },
}

/// Reads a source as written in `tact.toml` or on the command line; paths
/// are relative to `base` (the project's folder).
pub fn parse_source(source: &str, base: &Path) -> SourceKind {
    if let Some(rest) = source.strip_prefix("git+") {
        let (url, rev) = match rest.rsplit_once('#') {
            Some((u, r)) if !r.is_empty() => (u, r),
            _ => (rest.trim_end_matches('#'), "HEAD"),
        };
        return SourceKind::Git {
            url: url.to_owned(),
            rev: rev.to_owned(),
        };
    }
    let path = base.join(source);
    if path.is_dir() {
        SourceKind::Folder(path)
    } else {
        SourceKind::Archive(path)
    }
}

/// A pack fetched into a staging folder, checked, not yet in place.
pub struct Staged {
    /// The staging folder (removed when dropped).
    pub tmp: tempfile::TempDir,
    /// The pack's folder inside it.
    pub root: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// What the lock will say.
    pub locked: Locked,
}

fn fail(source: &str, why: impl std::fmt::Display) -> Problem {
    Problem::error(
        "tact::pack::fetch",
        format!("cannot add pack from `{source}`: {why}"),
    )
}

/// Runs git with hooks off and the user's and system's config ignored (so no
/// filter or hook command of theirs or the repository's runs).
fn git(args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "submodule.recurse=false",
            // The `ext::` transport runs a command: never, whatever the URL says.
            "-c",
            "protocol.ext.allow=never",
        ])
        .args(args)
        .stdin(Stdio::null());
    cmd
}

fn run_git(source: &str, args: &[&str]) -> Result<String, Problem> {
    let out = git(args)
        .output()
        .map_err(|e| fail(source, format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(fail(source, format!("git {}: {}", args[0], err.trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Fetches `source` (as written; resolved against `base`) into a staging
/// folder in `project_root`, extracts it safely, and checks its manifest
/// (and, when given, that it is pack `expect`).
pub fn stage(
    source: &str,
    base: &Path,
    project_root: &Path,
    expect: Option<&str>,
) -> Result<Staged, Problem> {
    let tmp = tempfile::Builder::new()
        .prefix(".tact-staging-")
        .tempdir_in(project_root)
        .map_err(|e| fail(source, format!("cannot make a staging folder: {e}")))?;
    let out = tmp.path().join("pack");
    std::fs::create_dir(&out).map_err(|e| fail(source, e))?;
    let limits = Limits::default();
    let (mut commit, mut archive_hash) = (None, None);
    match parse_source(source, base) {
        SourceKind::Folder(dir) => {
            let files = archive::pack_files(&dir, None).map_err(|e| fail(source, e))?;
            let tar = archive::tar_of(&files).map_err(|e| fail(source, e))?;
            archive::extract(tar.as_slice(), None, &out, limits).map_err(|e| fail(source, e))?;
        }
        SourceKind::Archive(path) => {
            let bytes = read_archive(&path, &limits).map_err(|e| fail(source, e))?;
            archive_hash = Some(sha256(&bytes));
            archive::precheck(&bytes, limits).map_err(|e| fail(source, e))?;
            archive::extract(bytes.as_slice(), Some(bytes.len() as u64), &out, limits)
                .map_err(|e| fail(source, e))?;
        }
        SourceKind::Git { url, rev } => {
            // Neither may be read by git as an option.
            if url.starts_with('-') || rev.starts_with('-') {
                return Err(fail(source, "a git URL or ref cannot start with `-`"));
            }
            let repo = tmp.path().join("repo");
            let repo_s = repo.to_string_lossy().into_owned();
            // No checkout: nothing of the repository is written but its objects.
            run_git(
                source,
                &[
                    "clone",
                    "--quiet",
                    "--no-checkout",
                    "--no-recurse-submodules",
                    "--",
                    &url,
                    &repo_s,
                ],
            )?;
            let resolved = run_git(
                source,
                &[
                    "-C",
                    &repo_s,
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{rev}^{{commit}}"),
                ],
            )
            .map_err(|_| {
                fail(
                    source,
                    format!("no tag, branch or commit `{rev}` in the repository"),
                )
            })?;
            // `git archive` gives the tree at the commit as a tar stream, which
            // goes through the same checks as any archive.
            let mut child = git(&["-C", &repo_s, "archive", "--format=tar", &resolved])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| fail(source, format!("cannot run git: {e}")))?;
            let stdout = child.stdout.take().expect("piped");
            let extracted = archive::extract(stdout, None, &out, limits);
            let status = child.wait().map_err(|e| fail(source, e))?;
            extracted.map_err(|e| fail(source, e))?;
            if !status.success() {
                return Err(fail(source, "git archive failed"));
            }
            std::fs::remove_dir_all(&repo).map_err(|e| fail(source, e))?;
            commit = Some(resolved);
        }
    }
    let root = pack_root(&out).ok_or_else(|| {
        fail(
            source,
            "it holds no pack.toml (at its top, or in its one top folder)",
        )
    })?;
    let manifest_path = root.join(manifest::FILE_NAME);
    let text = crate::plugin::discover::read_text(&manifest_path).map_err(|e| fail(source, e))?;
    let shown = format!("{source}: pack.toml");
    let manifest = Manifest::parse(&shown, &text)?;
    if let Some(name) = expect
        && manifest.name != name
    {
        return Err(fail(
            source,
            format!("it is pack `{}`, not `{name}`", manifest.name),
        ));
    }
    if !manifest.supports_this_tact() {
        return Err(Problem::error(
            "tact::pack::tact-version",
            format!(
                "pack `{}` {} needs tact {}; this is tact {}",
                manifest.name,
                manifest.version,
                manifest.tact,
                manifest::TACT_VERSION
            ),
        )
        .help("upgrade tact, or add a version of the pack made for this one"));
    }
    let contents = Contents::of_dir(&root).map_err(|e| fail(source, e))?;
    let locked = Locked {
        name: manifest.name.clone(),
        version: manifest.version.to_string(),
        source: source.to_owned(),
        commit,
        archive: archive_hash,
        checksum: contents.checksum,
        files: contents.files,
    };
    Ok(Staged {
        tmp,
        root,
        manifest,
        locked,
    })
}

/// Reads an archive file, refusing one larger than any pack could need.
fn read_archive(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("`{}`: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limits.total_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("`{}`: {e}", path.display()))?;
    if bytes.len() as u64 > limits.total_bytes {
        return Err(format!(
            "the archive is over {} MiB",
            limits.total_bytes >> 20
        ));
    }
    Ok(bytes)
}

/// The pack inside an extracted folder: the folder itself, or its one
/// top folder (`tar czf acme.tgz acme/` makes one).
fn pack_root(dir: &Path) -> Option<PathBuf> {
    if dir.join(manifest::FILE_NAME).is_file() {
        return Some(dir.to_path_buf());
    }
    let entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
    match entries.as_slice() {
        [one] if one.path().join(manifest::FILE_NAME).is_file() => Some(one.path()),
        _ => None,
    }
}

/// Puts a staged pack at `dest` (`.tact/packs/NAME`), replacing what was
/// there only once the new one is in place. Returns the old folder, moved
/// aside, for the caller to delete when everything else succeeded (or to
/// put back with [`restore`]).
pub fn put_in_place(staged: &Staged, dest: &Path) -> Result<Option<PathBuf>, Problem> {
    let io = |e: std::io::Error| {
        Problem::error(
            "tact::pack::install",
            format!("cannot install into `{}`: {e}", dest.display()),
        )
    };
    let parent = dest.parent().expect("a pack folder has a parent");
    std::fs::create_dir_all(parent).map_err(io)?;
    let aside = if dest.exists() {
        let aside = staged.tmp.path().join("old");
        std::fs::rename(dest, &aside).map_err(io)?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&staged.root, dest) {
        if let Some(a) = &aside {
            let _ = std::fs::rename(a, dest);
        }
        return Err(io(e));
    }
    Ok(aside)
}

/// Puts back what [`put_in_place`] moved aside (or removes the new pack when
/// there was none), after a later step failed.
pub fn restore(dest: &Path, aside: Option<&Path>) {
    let _ = std::fs::remove_dir_all(dest);
    if let Some(a) = aside {
        let _ = std::fs::rename(a, dest);
    }
}
