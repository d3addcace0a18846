//! The projects of a `tact check` (and `tact eval`) run, as Ruff finds its configs: each file
//! is checked with the nearest `tact.toml` above it (or `--config`), each
//! project loaded once, and a folder walk skips what that project's
//! `include`/`exclude` (and `--exclude`) leave out.

use super::config::CheckConfig;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use tact::config::{ExcludeFlag, Project};
use tact::input::WalkFilter;
use tact::problem::Problem;
use tact::render::RuleDoc;
use tact::rulebook::RuleSelection;
use tact::workspace::Workspace;

/// The loaded projects, shared by the folder walk and the check loop (both
/// on the main thread).
#[derive(Clone)]
pub struct Projects(Rc<RefCell<Inner>>);

struct Inner {
    config: Option<PathBuf>,
    plugins: Vec<PathBuf>,
    /// `--rulebook`: the one rulebook every note gets.
    rulebook: Option<String>,
    /// Compile every rule on load, not only those the rulebooks in use need.
    eager: bool,
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    exclude: ExcludeFlag,
    verbose: bool,
    force_exclude: bool,
    timings: bool,
    /// Folder → its nearest config (`None`: no `tact.toml` above it).
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    /// Config → its workspace (`None`: it failed to load, reported once).
    loaded: HashMap<Option<PathBuf>, Option<Arc<Workspace>>>,
    /// Load problems not yet reported.
    pending: Vec<Problem>,
    /// The last file looked up and its workspace: a batch's rows all come
    /// from one file, and looking it up again would cost a `stat` per row.
    last: Option<(String, Option<Arc<Workspace>>)>,
}

impl Projects {
    /// The projects of a `check` run; `--exclude` globs were checked by [`CheckConfig`].
    pub fn new(config: Option<&Path>, plugins: &[PathBuf], cfg: &CheckConfig) -> Projects {
        let projects = Projects::plain(config, plugins);
        {
            let mut inner = projects.0.borrow_mut();
            inner.rulebook = cfg.rulebook.clone();
            inner.eager = false;
            inner.select = cfg.select.clone();
            inner.extend_select = cfg.extend_select.clone();
            inner.ignore = cfg.ignore.clone();
            inner.exclude = cfg.exclude.clone();
            inner.verbose = cfg.verbose;
            inner.force_exclude = cfg.force_exclude;
            inner.timings = cfg.timings;
        }
        projects
    }

    /// The projects of a run without rule selection or walk flags that
    /// compiles every rule (`eval`: labels may name any rule).
    pub fn plain(config: Option<&Path>, plugins: &[PathBuf]) -> Projects {
        Projects(Rc::new(RefCell::new(Inner {
            config: config.map(Path::to_path_buf),
            plugins: plugins.to_vec(),
            rulebook: None,
            eager: true,
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            exclude: ExcludeFlag::default(),
            verbose: false,
            force_exclude: false,
            timings: false,
            nearest: HashMap::new(),
            loaded: HashMap::new(),
            pending: Vec::new(),
            last: None,
        })))
    }

    /// The workspace the notes of file `path` are checked with (none for an
    /// input problem), and the load problems to report before it.
    pub fn for_path(&self, path: Option<&str>) -> (Vec<Problem>, Option<Arc<Workspace>>) {
        let mut inner = self.0.borrow_mut();
        let ws = path.and_then(|p| inner.workspace_for(p));
        (std::mem::take(&mut inner.pending), ws)
    }

    /// Load problems not yet reported (of projects whose files were all skipped).
    pub fn take_pending(&self) -> Vec<Problem> {
        std::mem::take(&mut self.0.borrow_mut().pending)
    }

    /// A rule's documentation, from the first loaded project that has it.
    pub fn rule_doc(&self, id: &str) -> Option<RuleDoc> {
        if id == tact::run::UNUSED_ALLOW {
            return Some(RuleDoc {
                summary: "An allowance that silences nothing".into(),
                docs: tact::run::UNUSED_ALLOW_DOC.into(),
                level: tact::finding::Level::Warn,
                help_uri: None,
            });
        }
        let inner = self.0.borrow();
        let (ws, rule) = inner
            .loaded
            .values()
            .flatten()
            .find_map(|ws| Some((ws, ws.rules.get(id)?)))?;
        // Only a pack that says where its rules are documented gets a link:
        // none is made up (core has no public address).
        let pack = id.split_once('/').map_or(id, |(p, _)| p);
        let help_uri = ws
            .packs
            .list
            .iter()
            .find(|p| p.name == pack)
            .and_then(|p| p.manifest.as_ref()?.homepage.clone());
        Some(RuleDoc {
            summary: rule.meta.summary.clone(),
            docs: rule.docs.clone(),
            level: rule.meta.level,
            help_uri,
        })
    }

    /// Every project loaded, ordered by config path.
    pub fn loaded(&self) -> Vec<Arc<Workspace>> {
        let inner = self.0.borrow();
        let mut all: Vec<_> = inner.loaded.iter().collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all.into_iter().filter_map(|(_, ws)| ws.clone()).collect()
    }
}

/// The folder whose nearest `tact.toml` governs `path`: a folder itself,
/// else the nearest existing folder above it (`--stdin-filename` may name a
/// file, and folders, not yet written); `.` for stdin.
fn home(path: &str) -> PathBuf {
    let p = Path::new(path);
    if path != "-" && p.is_dir() {
        return p.to_path_buf();
    }
    p.ancestors()
        .skip(1)
        .find(|d| path != "-" && !d.as_os_str().is_empty() && d.is_dir())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The one project of a `tact watch` run, and whether
/// `--config` forced it: else the nearest `tact.toml` above the paths, as
/// `check` finds it for each file. Paths in two projects are a usage error.
pub fn one_project(
    config: Option<&Path>,
    paths: &[String],
    command: &str,
) -> Result<(Project, bool), Problem> {
    if config.is_some() {
        return Project::load_file(config).map(|p| (p, true));
    }
    let mut found: Vec<(Option<PathBuf>, &str)> = Vec::new();
    for path in paths {
        let config = tact::config::nearest(&home(path));
        if !found.iter().any(|(c, _)| *c == config) {
            found.push((config, path));
        }
    }
    if let [(a, pa), (b, pb), ..] = found.as_slice() {
        let name = |c: &Option<PathBuf>| match c {
            Some(c) => format!("`{}`", c.display()),
            None => "no `tact.toml`".into(),
        };
        return Err(Problem::error(
            "tact::usage",
            format!(
                "`tact {command}` runs one project: `{pa}` has {}, `{pb}` has {}",
                name(a),
                name(b)
            ),
        )
        .help(format!(
            "run `tact {command}` once per project, or use one config for all with `--config FILE`"
        )));
    }
    let config = found.into_iter().next().and_then(|(c, _)| c);
    Project::load_file(config.as_deref()).map(|p| (p, false))
}

impl Inner {
    fn workspace_for(&mut self, file: &str) -> Option<Arc<Workspace>> {
        if let Some((last, ws)) = &self.last
            && last == file
        {
            return ws.clone();
        }
        let ws = self.lookup(file);
        self.last = Some((file.to_owned(), ws.clone()));
        ws
    }

    fn lookup(&mut self, file: &str) -> Option<Arc<Workspace>> {
        let key = match &self.config {
            Some(c) => Some(c.clone()),
            None => self
                .nearest
                .entry(home(file))
                .or_insert_with_key(|d| tact::config::nearest(d))
                .clone(),
        };
        if let Some(ws) = self.loaded.get(&key) {
            return ws.clone();
        }
        let ws = match Project::load_file(key.as_deref()) {
            Err(p) => {
                self.pending.push(p);
                None
            }
            Ok(project) => {
                // Only the rules of the rulebooks in use compile, unless eager.
                let mut ws = if self.eager {
                    Workspace::load(project, &self.plugins)
                } else {
                    Workspace::load_lazily(project, &self.plugins)
                };
                if self.timings {
                    ws.time_rules();
                }
                let selection = RuleSelection::resolve(
                    self.select.as_deref(),
                    &self.extend_select,
                    &self.ignore,
                    &ws.rules,
                );
                if let Ok(s) = &selection {
                    ws.selection = s.clone();
                }
                if !self.eager {
                    ws.prepare(self.rulebook.as_deref());
                }
                self.pending.extend(ws.problems().into_iter().cloned());
                match selection {
                    Ok(_) => Some(Arc::new(ws)),
                    Err(p) => {
                        self.pending.push(p);
                        None
                    }
                }
            }
        };
        self.loaded.insert(key, ws.clone());
        ws
    }
}

impl WalkFilter for Projects {
    fn skips(&mut self, file: &Path) -> Option<String> {
        let mut inner = self.0.borrow_mut();
        if let Some(why) = inner.exclude.skips(file) {
            return Some(why);
        }
        inner.workspace_for(file.to_str()?)?.project.skips(file)
    }

    fn force(&self) -> bool {
        self.0.borrow().force_exclude
    }

    fn skipped(&mut self, file: &Path, why: &str) {
        if self.0.borrow().verbose {
            eprintln!("tact: skipped `{}`: {why}", file.display());
        }
    }
}
