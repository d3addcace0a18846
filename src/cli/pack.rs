//! `tact pack new|build|add|list|update|remove|verify|test`: the commands
//! around the library's `pack` module. Changes to the project (the installed
//! folder, `tact.lock`, `tact.toml`) are made only after the pack was
//! fetched and checked in full, and undone if a later step fails.

use crate::cli::args::PackCommand;
use crate::cli::{Outcome, info, print, scaffold};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tact::config::Project;
use tact::pack::install::{self, Staged};
use tact::pack::lock::{self, Lock};
use tact::pack::{self as packs, Origin, Pack};
use tact::problem::{Problem, did_you_mean};
use tact::workspace::{Checked, Workspace};

/// What the pack commands need besides their arguments.
pub struct Context<'a> {
    /// `--config`, to load the project again for a dry run.
    pub config: Option<&'a Path>,
    /// `--plugins` folders.
    pub extra: &'a [PathBuf],
    /// `--locked`.
    pub locked: bool,
    /// Colour on stderr.
    pub color: bool,
}

fn fail(p: Problem, color: bool) -> Outcome {
    eprint!("{}", p.render(color));
    Outcome::Error
}

/// Runs one `tact pack` command.
pub fn run(cmd: PackCommand, project: Project, cx: &Context) -> Outcome {
    let result = match cmd {
        PackCommand::New { name, dir } => {
            return scaffold::new_pack(&name, dir.as_deref(), cx.color);
        }
        PackCommand::Build { dir, output } => build(&dir, output.as_deref()),
        PackCommand::Add { source } => add(&project, &source, cx),
        PackCommand::List => return list(&project, cx),
        PackCommand::Update {
            name,
            source,
            dry_run,
        } => update(&project, name.as_deref(), source.as_deref(), dry_run, cx),
        PackCommand::Remove { name } => remove(&project, &name, cx),
        PackCommand::Verify => return verify(&project, cx),
        PackCommand::Test { name } => return test(project, name.as_deref(), cx),
    };
    match result {
        Ok(text) => print(&text),
        Err(p) => fail(p, cx.color),
    }
}

/// `tact pack build [DIR] [-o FILE]`.
fn build(dir: &Path, output: Option<&Path>) -> Result<String, Problem> {
    let pack = Pack::at(dir, Origin::Local)?;
    let Some(manifest) = &pack.manifest else {
        return Err(Problem::error(
            "tact::pack::manifest",
            format!("`{}` has no pack.toml, so it is not a pack", dir.display()),
        )
        .help("`tact pack new NAME` creates a pack; or write a pack.toml (see the README)"));
    };
    let out = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.tar.gz", manifest.name, manifest.version)));
    let io = |e: String| {
        Problem::error(
            "tact::pack::build",
            format!("cannot build `{}`: {e}", out.display()),
        )
    };
    let files = packs::archive::pack_files(dir, Some(&out)).map_err(io)?;
    let bytes = packs::archive::gzip(&packs::archive::tar_of(&files).map_err(io)?);
    write_atomically(&out, &bytes).map_err(io)?;
    Ok(format!(
        "built {} ({} files, {}): pack {} {}\n",
        out.display(),
        files.len(),
        lock::sha256(&bytes),
        manifest.name,
        manifest.version
    ))
}

/// Writes a file by renaming a finished temporary file over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    tmp.write_all(bytes).map_err(|e| e.to_string())?;
    tmp.persist(path).map_err(|e| e.error.to_string())?;
    Ok(())
}

/// `rel` in the project's folder, without a leading `./` when that is here.
fn in_root(root: &Path, rel: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(rel)
    } else {
        root.join(rel)
    }
}

fn no_project() -> Problem {
    Problem::error(
        "tact::pack::no-project",
        "no tact.toml here or above: packs are added to a project",
    )
    .help("run `tact init` first, or pass `--config FILE`")
}

/// The project's `tact.toml` path and the folder it is in.
fn project_files(project: &Project) -> Result<(PathBuf, PathBuf), Problem> {
    let config = project.path.clone().ok_or_else(no_project)?;
    Ok((config, project.root.clone()))
}

/// A source as `tact.toml` keeps it: a path relative to the project's folder
/// (it was typed relative to the current one), or a git URL as it is.
fn source_for_config(source: &str, root: &Path) -> String {
    if source.starts_with("git+") {
        return source.to_owned();
    }
    let abs = std::env::current_dir()
        .map(|c| c.join(source))
        .unwrap_or_else(|_| PathBuf::from(source));
    let abs = abs.canonicalize().unwrap_or(abs);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match abs.strip_prefix(&root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => abs.to_string_lossy().into_owned(),
    }
}

fn locked_refusal(what: &str) -> Problem {
    Problem::error(
        "tact::pack::locked",
        format!("--locked: {what} would change tact.lock"),
    )
    .help("run the command without --locked, review the change and commit tact.lock")
}

/// The text of `tact.toml` with `[packs] NAME` set to `source` (or removed),
/// its comments and layout kept.
fn config_with(text: &str, name: &str, source: Option<&str>) -> Result<String, Problem> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Problem::error("tact::config::syntax", format!("bad `tact.toml`: {e}"))
    })?;
    if !doc.contains_key("packs") {
        doc["packs"] = toml_edit::table();
    }
    let table = doc["packs"].as_table_like_mut().ok_or_else(|| {
        Problem::error(
            "tact::config::syntax",
            "`packs` in tact.toml is not a table",
        )
    })?;
    match source {
        Some(s) => {
            table.insert(name, toml_edit::value(s));
        }
        None => {
            table.remove(name);
        }
    }
    Ok(doc.to_string())
}

/// The files a pack change writes, with what they held before, so a failed
/// step puts everything back.
struct Change {
    config: PathBuf,
    lock: PathBuf,
    old_config: String,
    old_lock: Option<String>,
}

impl Change {
    fn new(config: &Path, root: &Path) -> Result<Change, Problem> {
        let lock = in_root(root, lock::FILE_NAME);
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| {
                Problem::error(
                    "tact::pack::install",
                    format!("cannot read `{}`: {e}", p.display()),
                )
            })
        };
        Ok(Change {
            config: config.to_path_buf(),
            old_config: read(config)?,
            old_lock: if lock.exists() {
                Some(read(&lock)?)
            } else {
                None
            },
            lock,
        })
    }

    /// Writes the new lock and config; on failure restores both.
    fn write(&self, lock_text: &str, config_text: &str) -> Result<(), Problem> {
        let io = |p: &Path, e: String| {
            Problem::error(
                "tact::pack::install",
                format!("cannot write `{}`: {e}", p.display()),
            )
        };
        write_atomically(&self.lock, lock_text.as_bytes()).map_err(|e| io(&self.lock, e))?;
        if config_text != self.old_config
            && let Err(e) = write_atomically(&self.config, config_text.as_bytes())
        {
            self.undo();
            return Err(io(&self.config, e));
        }
        Ok(())
    }

    fn undo(&self) {
        match &self.old_lock {
            Some(t) => {
                let _ = write_atomically(&self.lock, t.as_bytes());
            }
            None => {
                let _ = std::fs::remove_file(&self.lock);
            }
        }
        let _ = write_atomically(&self.config, self.old_config.as_bytes());
    }
}

/// Installs a staged pack, then writes the lock and config; all or nothing.
fn commit(
    staged: &Staged,
    root: &Path,
    change: &Change,
    lock: &Lock,
    config: &str,
) -> Result<(), Problem> {
    let dest = in_root(root, packs::INSTALL_DIR).join(&staged.locked.name);
    let aside = install::put_in_place(staged, &dest)?;
    if let Err(p) = change.write(&lock.to_text(), config) {
        install::restore(&dest, aside.as_deref());
        return Err(p);
    }
    Ok(())
}

/// Where a locked pack came from: its source and what that resolved to.
fn pinned(locked: &lock::Locked) -> String {
    let pin = match (&locked.commit, &locked.archive) {
        (Some(c), _) => format!(", commit {}", &c[..c.len().min(12)]),
        (None, Some(a)) => format!(", archive {}", &a[..a.len().min(19)]),
        _ => String::new(),
    };
    format!("from {}{pin}", locked.source)
}

fn describe(locked: &lock::Locked) -> String {
    format!("{} {} ({})", locked.name, locked.version, pinned(locked))
}

/// `tact pack add SOURCE`.
fn add(project: &Project, source: &str, cx: &Context) -> Result<String, Problem> {
    let (config, root) = project_files(project)?;
    let source = source_for_config(source, &root);
    let staged = install::stage(&source, &root, &root, None)?;
    let name = staged.locked.name.clone();
    if let Some(existing) = project.packs.get(&name) {
        return Err(Problem::error(
            "tact::pack::duplicate",
            format!("pack `{name}` is already added (from `{existing}`)"),
        )
        .help(format!(
            "`tact pack update {name} --source {source}` switches it to this source"
        )));
    }
    let (loaded, _) = packs::load(project, cx.extra);
    if let Some(other) = loaded.get(&name) {
        return Err(Problem::error(
            "tact::pack::duplicate",
            format!("the project already has a pack named `{name}`: `{}`", other.shown()),
        )
        .help(format!(
            "two packs cannot share a name; to replace `{name}` on purpose use `[overrides] {name} = \"FOLDER\"` in tact.toml"
        )));
    }
    if cx.locked {
        return Err(locked_refusal(&format!("adding pack `{name}`")));
    }
    let change = Change::new(&config, &root)?;
    let mut lock = Lock::read(&change.lock)?;
    lock.set(staged.locked.clone());
    let new_config = config_with(&change.old_config, &name, Some(&source))?;
    commit(&staged, &root, &change, &lock, &new_config)?;
    Ok(format!(
        "added {}\n  into {}/{name}, pinned in {}\n",
        describe(&staged.locked),
        packs::INSTALL_DIR,
        lock::FILE_NAME
    ))
}

/// A note's verdict: its worst finding's level (or `pass`) and the rules that flagged it.
type Verdicts = BTreeMap<String, (String, BTreeSet<String>)>;

/// Every note of the project (its folder, walked like `tact check .`: the
/// project's `include`/`exclude` and default excludes, no nested project's
/// notes), checked.
fn verdicts(ws: &Workspace, root: &Path) -> Verdicts {
    let paths = vec![root.display().to_string()];
    let no_exclude = tact::config::ExcludeFlag::default();
    let filter = tact::config::ProjectWalk::new(&ws.project, &no_exclude, false);
    let mut out = BTreeMap::new();
    for item in tact::input::notes_filtered(&paths, false, filter) {
        if let Checked::Note {
            note,
            result: Ok(report),
            ..
        } = ws.check_item(None, None, item)
        {
            let worst = report
                .findings
                .iter()
                .map(|f| f.level)
                .max()
                .map(|l| l.as_str().to_owned())
                .unwrap_or_else(|| "pass".into());
            let rules = report.findings.iter().map(|f| f.rule.clone()).collect();
            out.insert(note.origin.to_string(), (worst, rules));
        }
    }
    out
}

/// What `--dry-run` prints: the notes whose verdict the new version changes.
fn dry_run(project: &Project, staged: &Staged, cx: &Context) -> Result<String, Problem> {
    let root = project.root.clone();
    let before = verdicts(&Workspace::load(Project::load(cx.config)?, cx.extra), &root);
    // The same project with the fetched version in place of the installed one.
    let mut with_new = Project::load(cx.config)?;
    with_new.packs.remove(&staged.locked.name);
    let mut extra = cx.extra.to_vec();
    extra.push(staged.root.clone());
    let after_ws = Workspace::load(with_new, &extra);
    let mut out = String::new();
    for p in after_ws
        .problems()
        .into_iter()
        .filter(|p| p.code != "tact::pack::stale")
    {
        eprint!("{}", p.render(cx.color));
    }
    let after = verdicts(&after_ws, &root);
    let mut changed = 0;
    for (note, (was, was_rules)) in &before {
        let Some((now, now_rules)) = after.get(note) else {
            continue;
        };
        if was == now && was_rules == now_rules {
            continue;
        }
        changed += 1;
        let gained: Vec<&str> = now_rules
            .difference(was_rules)
            .map(String::as_str)
            .collect();
        let lost: Vec<&str> = was_rules
            .difference(now_rules)
            .map(String::as_str)
            .collect();
        let mut why = Vec::new();
        if !gained.is_empty() {
            why.push(format!("now flagged by {}", gained.join(", ")));
        }
        if !lost.is_empty() {
            why.push(format!("no longer by {}", lost.join(", ")));
        }
        let _ = writeln!(out, "  {note}: {was} → {now} ({})", why.join("; "));
    }
    let _ = writeln!(
        out,
        "{changed} of {} notes would change verdict; nothing was changed (--dry-run)",
        before.len()
    );
    Ok(out)
}

/// `tact pack update [NAME] [--source S] [--dry-run]`.
fn update(
    project: &Project,
    name: Option<&str>,
    new_source: Option<&str>,
    dry: bool,
    cx: &Context,
) -> Result<String, Problem> {
    let (config, root) = project_files(project)?;
    let names: Vec<String> = match name {
        Some(n) if project.packs.contains_key(n) => vec![n.to_owned()],
        Some(n) => return Err(not_added(project, n)),
        None => project.packs.keys().cloned().collect(),
    };
    if names.is_empty() {
        return Ok("no packs added; nothing to update\n".into());
    }
    let mut out = String::new();
    for name in names {
        let change = Change::new(&config, &root)?;
        let mut lock = Lock::read(&change.lock)?;
        let source = match new_source {
            Some(s) => source_for_config(s, &root),
            None => project.packs[&name].clone(),
        };
        let staged = install::stage(&source, &root, &root, Some(&name))?;
        let old = lock.get(&name).cloned();
        let installed_ok = old.as_ref().is_some_and(|o| {
            packs::verify(
                &name,
                &in_root(&root, packs::INSTALL_DIR).join(&name),
                o,
                &change.lock,
            )
            .is_ok()
        });
        let from = old
            .as_ref()
            .map(|o| o.version.clone())
            .unwrap_or_else(|| "(not locked)".into());
        if old.as_ref() == Some(&staged.locked) && installed_ok {
            let _ = writeln!(out, "{name} {from}: up to date");
            continue;
        }
        let _ = writeln!(out, "{name} {from} → {}", describe(&staged.locked));
        if dry {
            out += &dry_run(project, &staged, cx)?;
            continue;
        }
        if cx.locked {
            return Err(locked_refusal(&format!("updating pack `{name}`")));
        }
        lock.set(staged.locked.clone());
        let new_config = config_with(&change.old_config, &name, Some(&source))?;
        commit(&staged, &root, &change, &lock, &new_config)?;
    }
    Ok(out)
}

/// `name` is not an added pack: maybe a close one is.
fn not_added(project: &Project, name: &str) -> Problem {
    let help = did_you_mean(name, project.packs.keys().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| {
            "`tact pack list` shows the packs; `tact pack add SOURCE` adds one".into()
        });
    Problem::error(
        "tact::pack::unknown",
        format!("no added pack `{name}` in tact.toml"),
    )
    .help(help)
}

/// `tact pack remove NAME`.
fn remove(project: &Project, name: &str, cx: &Context) -> Result<String, Problem> {
    let (config, root) = project_files(project)?;
    let change = Change::new(&config, &root)?;
    let mut lock = Lock::read(&change.lock)?;
    if !project.packs.contains_key(name) && lock.get(name).is_none() {
        return Err(not_added(project, name));
    }
    if cx.locked {
        return Err(locked_refusal(&format!("removing pack `{name}`")));
    }
    lock.remove(name);
    let new_config = config_with(&change.old_config, name, None)?;
    change.write(&lock.to_text(), &new_config)?;
    let dir = in_root(&root, packs::INSTALL_DIR).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| {
            Problem::error(
                "tact::pack::install",
                format!("cannot remove `{}`: {e}", dir.display()),
            )
        })?;
    }
    Ok(format!("removed pack {name}\n"))
}

/// `tact pack list`.
fn list(project: &Project, cx: &Context) -> Outcome {
    let (loaded, problems) = packs::load(project, cx.extra);
    for p in &problems {
        eprint!("{}", p.render(cx.color));
    }
    let lock = Lock::read(&project.file(lock::FILE_NAME)).unwrap_or_default();
    let mut out = String::new();
    for pack in &loaded.list {
        let origin = match pack.origin {
            Origin::Builtin => "builtin",
            Origin::Local => "local",
            Origin::Added => "added",
            Origin::Replacement => "override",
        };
        let from = match lock
            .get(&pack.name)
            .filter(|_| pack.origin == Origin::Added)
        {
            Some(l) => format!("{} ({})", pack.shown(), pinned(l)),
            None => pack.shown(),
        };
        let _ = writeln!(
            out,
            "{:<16} {:<10} {:<9} {}",
            pack.name,
            pack.version().unwrap_or_else(|| "-".into()),
            origin,
            from
        );
    }
    match print(&out) {
        Outcome::Clean if !problems.is_empty() => Outcome::Error,
        o => o,
    }
}

/// `tact pack verify`.
fn verify(project: &Project, cx: &Context) -> Outcome {
    let (loaded, problems) = packs::load(project, cx.extra);
    let pack_problems: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.code.starts_with("tact::pack::"))
        .collect();
    for p in &pack_problems {
        eprint!("{}", p.render(cx.color));
    }
    let lock = Lock::read(&project.file(lock::FILE_NAME)).unwrap_or_default();
    let mut out = String::new();
    for pack in loaded.list.iter().filter(|p| p.origin == Origin::Added) {
        if let Some(l) = lock.get(&pack.name) {
            let _ = writeln!(out, "ok {} ({})", describe(l), l.checksum);
        }
    }
    let _ = writeln!(
        out,
        "{} added packs match tact.lock, {} problems",
        loaded
            .list
            .iter()
            .filter(|p| p.origin == Origin::Added)
            .count(),
        pack_problems.len()
    );
    match print(&out) {
        Outcome::Clean if !pack_problems.is_empty() => Outcome::Error,
        o => o,
    }
}

/// `tact pack test [NAME]`: each pack's cases; a pack with none fails.
fn test(project: Project, name: Option<&str>, cx: &Context) -> Outcome {
    let mut extra = cx.extra.to_vec();
    // A folder given by path (a pack being written) is loaded for the run.
    let folder = name.map(Path::new).filter(|p| p.is_dir());
    if let Some(f) = folder {
        extra.push(f.to_path_buf());
    }
    let ws = Workspace::load(project, &extra);
    let wanted: Option<String> = match (name, folder) {
        (_, Some(f)) => match Pack::at(f, Origin::Local) {
            Ok(p) => Some(p.name),
            Err(p) => return fail(p, cx.color),
        },
        (Some(n), None) => Some(n.to_owned()),
        (None, None) => None,
    };
    let selected: Vec<&Pack> = ws
        .packs
        .list
        .iter()
        .filter(|p| match &wanted {
            Some(n) => p.name == *n,
            None => p.origin != Origin::Builtin,
        })
        .collect();
    if let Some(n) = &wanted
        && selected.is_empty()
    {
        crate::cli::report_load_problems(&ws, cx.color);
        let help = did_you_mean(n, ws.packs.list.iter().map(|p| p.name.as_str()))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| "`tact pack list` shows the packs".into());
        return fail(
            Problem::error("tact::pack::unknown", format!("no pack `{n}` is loaded")).help(help),
            cx.color,
        );
    }
    if selected.is_empty() {
        return fail(
            Problem::error(
                "tact::test::none",
                "the project has no packs of its own to test",
            )
            .help("`tact pack new NAME` creates one; `tact test` runs core's cases"),
            cx.color,
        );
    }
    let mut worst = Outcome::Clean;
    for (i, pack) in selected.iter().enumerate() {
        let _ = print(&format!(
            "pack {} {}\n",
            pack.name,
            pack.version().unwrap_or_default()
        ));
        let ids: BTreeSet<String> = ws
            .rules
            .ids()
            .filter(|id| id.split('/').next() == Some(pack.name.as_str()))
            .cloned()
            .collect();
        let outcome = info::test_rules(&ws, &ids, &pack.name, i == 0, cx.color);
        worst = match (worst, outcome) {
            (Outcome::Error, _) | (_, Outcome::Error) => Outcome::Error,
            (Outcome::Findings, _) | (_, Outcome::Findings) => Outcome::Findings,
            _ => Outcome::Clean,
        };
    }
    worst
}
