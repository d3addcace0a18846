//! The project: `tact.toml`, found by walking up from a checked file's folder
//! (or the current one), and what it says about plugin folders, rulebooks,
//! limits, templates, which files are notes, added packs and overrides.

use crate::note::{Channel, Note};
use crate::plugin::engine::Limits;
use crate::problem::{Problem, Source};
use crate::run::TemplateLengths;
use crate::span::Span;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The rulebook used when nothing else selects one.
pub const DEFAULT_RULEBOOK: &str = "general";

/// What chose a note's rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// `--rulebook`.
    Flag,
    /// The note's `goal`.
    Goal,
    /// `tact.toml` (`[select]` or `default_rulebook`).
    Config,
    /// Nothing: `general`.
    Fallback,
}

/// The config file's name.
pub const FILE_NAME: &str = "tact.toml";

/// `tact.toml` as written (the JSON schema is generated from this).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tact project config (tact.toml)")]
pub(crate) struct Raw {
    /// Plugin folders (one sub-folder per pack), relative to this file.
    #[serde(default)]
    plugins: Vec<String>,
    /// The project's own rulebook folders; they override built-ins by name.
    #[serde(default)]
    rulebooks: Vec<String>,
    /// The rulebook for notes nothing else selects one for.
    default_rulebook: Option<String>,
    /// Path glob → a rulebook name, or a table of `rulebook`, `channel`, `followup`.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::select")]
    select: BTreeMap<String, toml::Value>,
    /// Per rule call limits.
    #[serde(default)]
    limits: Limits,
    /// `--template`: chars assumed per placeholder.
    #[serde(default)]
    template: TemplateLengths,
    /// When set, a folder walk reads only files matching one of these globs.
    include: Option<Vec<String>>,
    /// A folder walk skips files matching one of these globs.
    #[serde(default)]
    exclude: Vec<String>,
    /// Packs added with `tact pack add`: name → source (a folder, an archive, `git+URL#REF`).
    #[serde(default)]
    packs: BTreeMap<String, String>,
    /// A rule id → the script replacing it, or a pack name → the folder replacing it.
    #[serde(default)]
    overrides: BTreeMap<String, String>,
}

/// A `[select]` table: it may set the rulebook, the channel and the
/// follow-up flag of the notes the glob matches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectionTable {
    rulebook: Option<String>,
    channel: Option<String>,
    followup: Option<bool>,
}

/// What `[select]` says about the notes one glob matches.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The rulebook for them.
    pub rulebook: Option<String>,
    /// Their channel, unless a note says its own.
    pub channel: Option<Channel>,
    /// Marks them as follow-ups.
    pub followup: bool,
}

/// A loaded project configuration (defaults when there is no `tact.toml`).
#[derive(Debug, Default)]
pub struct Project {
    /// The `tact.toml` file, when one was found.
    pub path: Option<PathBuf>,
    /// The folder holding it (paths in it are relative to this).
    pub root: PathBuf,
    /// Plugin folders.
    pub plugins: Vec<PathBuf>,
    /// Rulebook folders.
    pub rulebooks: Vec<PathBuf>,
    /// The rulebook for notes nothing else selects one for.
    pub default_rulebook: Option<String>,
    /// Path globs (relative to `root`) and what they select for notes they match.
    pub select: Vec<(GlobMatcher, Selection)>,
    /// Sandbox limits for rule calls.
    pub limits: Limits,
    /// Placeholder lengths for `--template`.
    pub template: TemplateLengths,
    /// Which files a folder walk reads (`include`, `exclude` and the defaults).
    pub files: FileFilter,
    /// `[packs]`: packs added with `tact pack add`, name → source (pinned in `tact.lock`).
    pub packs: BTreeMap<String, String>,
    /// `[overrides]`: a rule id → the script replacing it, or a pack name →
    /// the folder replacing it. Nothing replaces a rule or pack without one.
    pub overrides: BTreeMap<String, PathBuf>,
}

/// Files a folder walk skips unless `include` names them: project
/// documentation is not notes. Matched without regard to case, against the
/// file name and the path below the project folder.
pub const DEFAULT_EXCLUDE: [&str; 6] = [
    "README*",
    "CHANGELOG*",
    "CONTRIBUTING*",
    "LICENSE*",
    "docs/**",
    "**/docs/**",
];

/// The `include` and `exclude` globs of a project, plus the defaults.
#[derive(Debug, Clone)]
pub struct FileFilter {
    /// When set, a walked file must match one of these.
    include: Option<Vec<(String, GlobMatcher)>>,
    /// A walked file matching one of these is skipped.
    exclude: Vec<(String, GlobMatcher)>,
}

fn compile(glob: &str, nocase: bool) -> Result<(String, GlobMatcher), String> {
    globset::GlobBuilder::new(glob)
        .case_insensitive(nocase)
        .build()
        .map(|m| (glob.to_owned(), m.compile_matcher()))
        .map_err(|e| format!("bad glob `{glob}`: {e}"))
}

impl Default for FileFilter {
    /// The default excludes only.
    fn default() -> Self {
        FileFilter {
            include: None,
            exclude: DEFAULT_EXCLUDE
                .iter()
                .filter_map(|g| compile(g, true).ok())
                .collect(),
        }
    }
}

impl FileFilter {
    /// The filter `include` and `exclude` describe, after the defaults.
    pub fn new(include: Option<&[String]>, exclude: &[String]) -> Result<FileFilter, String> {
        let mut f = FileFilter::default();
        for g in exclude {
            f.exclude.push(compile(g, false)?);
        }
        if let Some(gs) = include {
            f.include = Some(
                gs.iter()
                    .map(|g| compile(g, false))
                    .collect::<Result<_, _>>()?,
            );
        }
        Ok(f)
    }

    /// Why a folder walk skips `rel` (a path below the project folder), or
    /// `None` when it reads it. `include` wins over the default excludes.
    pub fn skips(&self, rel: &Path) -> Option<String> {
        let name = Path::new(rel.file_name().unwrap_or_default());
        let hit = |(_, g): &&(String, GlobMatcher)| g.is_match(rel) || g.is_match(name);
        if let Some(include) = &self.include {
            if !include.iter().any(|g| hit(&g)) {
                return Some("not matched by `include`".into());
            }
            return self
                .exclude
                .iter()
                .skip(DEFAULT_EXCLUDE.len())
                .find(hit)
                .map(|(g, _)| format!("excluded by `{g}`"));
        }
        self.exclude.iter().find(hit).map(|(g, _)| {
            if DEFAULT_EXCLUDE.contains(&g.as_str()) {
                format!("excluded by default (`{g}`)")
            } else {
                format!("excluded by `{g}`")
            }
        })
    }
}

/// `p` in `root`, without a leading `./`.
fn under(root: &Path, p: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(p)
    } else {
        root.join(p)
    }
}

/// `path` (at or above the current folder) relative to the current folder.
fn relative_to_cwd(path: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) else {
        return path.to_path_buf();
    };
    let Some(dir) = path.parent() else {
        return path.to_path_buf();
    };
    let Ok(below) = cwd.strip_prefix(dir) else {
        return path.to_path_buf();
    };
    let mut rel: PathBuf = below.components().map(|_| "..").collect();
    rel.push(path.file_name().unwrap_or_default());
    rel
}

/// The nearest `tact.toml` at or above the folder `dir`, named as the user
/// would type it: relative to the current folder when it is at, above or
/// below it, so every path shown (rules, rulebooks) reads naturally.
pub fn nearest(dir: &Path) -> Option<PathBuf> {
    let found = find(dir)?;
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    match cwd.as_deref().map(|c| found.strip_prefix(c)) {
        Some(Ok(below)) => Some(below.to_path_buf()),
        _ => Some(relative_to_cwd(&found)),
    }
}

/// The nearest `tact.toml` at or above `start`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Project {
    /// A path relative to the project's folder, as shown to the user.
    pub fn file(&self, rel: &str) -> PathBuf {
        under(&self.root, rel)
    }

    /// Loads `explicit`, else the nearest `tact.toml` above the current folder,
    /// else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Project, Problem> {
        match explicit {
            Some(p) => Self::load_file(Some(p)),
            None => Self::load_file(nearest(Path::new(".")).as_deref()),
        }
    }

    /// Loads the config file at `path`, or the defaults for `None`.
    pub fn load_file(path: Option<&Path>) -> Result<Project, Problem> {
        let Some(path) = path else {
            return Ok(Project {
                root: PathBuf::from("."),
                ..Project::default()
            });
        };
        let text = crate::plugin::discover::read_text(path).map_err(|e| {
            Problem::error(
                "tact::config::read",
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        Self::parse(path, &text)
    }

    /// Parses the text of a `tact.toml` at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Project, Problem> {
        let src = Source::new(path.display().to_string(), text.to_owned());
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let span = e
                .span()
                .map(|s| Span::new(s.start, s.end))
                .unwrap_or_default();
            Problem::error(
                "tact::config::syntax",
                format!("bad `{FILE_NAME}`: {}", e.message().trim()),
            )
            .at(src.clone(), span, "here")
            .help("see the README's \"Project config\" section for the keys")
        })?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        let files = FileFilter::new(raw.include.as_deref(), &raw.exclude).map_err(|why| {
            Problem::error("tact::config::glob", format!("`include`/`exclude`: {why}")).at(
                src.clone(),
                Span::default(),
                "in this file",
            )
        })?;
        let mut select = Vec::new();
        for (glob, value) in raw.select {
            let at = text
                .find(&glob)
                .map(|i| Span::new(i, i + glob.len()))
                .unwrap_or_default();
            let g = Glob::new(&glob).map_err(|e| {
                Problem::error(
                    "tact::config::glob",
                    format!("bad glob `{glob}` in [select]: {e}"),
                )
                .at(src.clone(), at, "here")
            })?;
            let bad = |why: String| {
                Problem::error(
                    "tact::config::select",
                    format!("`[select]` entry `{glob}`: {why}"),
                )
                .at(src.clone(), at, "here")
                .help("write `\"GLOB\" = \"RULEBOOK\"` or `\"GLOB\" = { rulebook = \"…\", channel = \"message\", followup = true }`")
            };
            let selection =
                match value {
                    toml::Value::String(book) => Selection {
                        rulebook: Some(book),
                        ..Selection::default()
                    },
                    toml::Value::Table(t) => {
                        let t: SelectionTable = toml::Value::Table(t)
                            .try_into()
                            .map_err(|e: toml::de::Error| bad(e.message().trim().to_owned()))?;
                        Selection {
                            rulebook: t.rulebook,
                            channel: match t.channel {
                                None => None,
                                Some(c) => Some(Channel::parse(&c).ok_or_else(|| {
                                    Problem::error("tact::config::channel", Channel::unknown(&c))
                                        .at(src.clone(), at, "in this selection")
                                })?),
                            },
                            followup: t.followup.unwrap_or(false),
                        }
                    }
                    other => {
                        return Err(bad(format!(
                            "a rulebook name or a table, not {}",
                            other.type_str()
                        )));
                    }
                };
            select.push((g.compile_matcher(), selection));
        }
        Ok(Project {
            path: Some(path.to_path_buf()),
            plugins: raw.plugins.iter().map(|p| under(&root, p)).collect(),
            rulebooks: raw.rulebooks.iter().map(|p| under(&root, p)).collect(),
            default_rulebook: raw.default_rulebook,
            select,
            limits: raw.limits,
            template: raw.template,
            files,
            packs: raw.packs,
            overrides: raw
                .overrides
                .iter()
                .map(|(k, p)| (k.clone(), under(&root, p)))
                .collect(),
            root,
        })
    }

    /// Which rulebook checks a note, and what chose it: the flag, else the
    /// note's `goal`, else the `[select]` glob, else `default_rulebook`, else
    /// `general`.
    pub fn choose_rulebook(
        &self,
        note: &crate::note::Note,
        flag: Option<&str>,
    ) -> (String, Chosen) {
        if let Some(f) = flag {
            return (f.to_owned(), Chosen::Flag);
        }
        if let Some(g) = &note.front.goal {
            return (g.clone(), Chosen::Goal);
        }
        if let Some(s) = self
            .selected_for(&note.origin.path)
            .find_map(|s| s.rulebook.as_deref())
        {
            return (s.to_owned(), Chosen::Config);
        }
        match &self.default_rulebook {
            Some(d) => (d.clone(), Chosen::Config),
            None => (DEFAULT_RULEBOOK.to_owned(), Chosen::Fallback),
        }
    }

    /// The rulebooks notes get unless their `goal` names another: `flag`,
    /// else those of `[select]` and `default_rulebook` (else `general`).
    pub fn rulebooks_in_use(&self, flag: Option<&str>) -> Vec<String> {
        if let Some(f) = flag {
            return vec![f.to_owned()];
        }
        let mut names: Vec<String> = self
            .select
            .iter()
            .filter_map(|(_, s)| s.rulebook.clone())
            .collect();
        names.push(
            self.default_rulebook
                .clone()
                .unwrap_or_else(|| DEFAULT_RULEBOOK.to_owned()),
        );
        names
    }

    /// Gives a note the channel and follow-up flag `[select]` sets for its
    /// file, where the note does not set its own channel.
    pub fn apply_selection(&self, note: &mut Note) {
        if self.select.is_empty() {
            return;
        }
        let mut found = self.selected_for(&note.origin.path);
        if note.front.channel.is_none() {
            note.front.channel = found.clone().find_map(|s| s.channel);
        }
        note.front.followup |= found.any(|s| s.followup);
    }

    /// A path below the project folder, for `[select]`, `include` and
    /// `exclude`; a path outside it as given.
    pub fn relative(&self, file: &str) -> PathBuf {
        let path = Path::new(file);
        // Canonical, so `../followups/a.txt` from a sub-folder matches too.
        let abs = std::fs::canonicalize(path)
            .or_else(|_| std::env::current_dir().map(|d| d.join(path)))
            .unwrap_or_else(|_| path.to_path_buf());
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        abs.strip_prefix(&root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }

    /// Why a folder walk skips `file` in this project (`include`, `exclude`
    /// or a default exclude, naming this `tact.toml`), or `None` to read it.
    pub fn skips(&self, file: &Path) -> Option<String> {
        let why = self.files.skips(&self.relative(file.to_str()?))?;
        Some(match &self.path {
            Some(p) => format!("{why} in `{}`", p.display()),
            None => why,
        })
    }

    /// The `[select]` entries whose glob matches a note file, in file order.
    pub fn selected_for(&self, file: &str) -> impl Iterator<Item = &Selection> + Clone {
        let path = Path::new(file);
        let rel = self.relative(file);
        self.select
            .iter()
            .filter(move |(g, _)| g.is_match(&rel) || g.is_match(path))
            .map(|(_, s)| s)
    }
}

/// `--exclude` globs: a walked file is skipped when one matches its path
/// (as shown, without `./`) or its name.
#[derive(Debug, Clone, Default)]
pub struct ExcludeFlag(Vec<(String, GlobMatcher)>);

impl ExcludeFlag {
    /// The globs, compiled; the error names the bad one.
    pub fn new(globs: &[String]) -> Result<ExcludeFlag, String> {
        globs
            .iter()
            .map(|g| {
                Glob::new(g)
                    .map(|m| (g.clone(), m.compile_matcher()))
                    .map_err(|e| format!("`--exclude {g}`: {e}"))
            })
            .collect::<Result<_, _>>()
            .map(ExcludeFlag)
    }

    /// Why `file` is skipped, or `None`.
    pub fn skips(&self, file: &Path) -> Option<String> {
        let shown: PathBuf = file
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        let name = Path::new(file.file_name().unwrap_or_default());
        self.0
            .iter()
            .find(|(_, m)| m.is_match(&shown) || m.is_match(name))
            .map(|(g, _)| format!("excluded by `--exclude {g}`"))
    }
}

/// The folder walk of a run that checks with one project (`tact watch`,
/// `tact pack update --dry-run`): the project's `include`/`exclude` and default excludes, as
/// `tact check` applies them, and none of the files of a nested project
/// (a folder below with a nearer `tact.toml` of its own, whose files `check`
/// would check with that one), unless `--config` forced this project on
/// every file. The nested projects met are kept for [`ProjectWalk::nested`].
pub struct ProjectWalk<'a> {
    project: &'a Project,
    exclude: &'a ExcludeFlag,
    /// The project's config, canonical; `None` when the walk ignores nesting.
    own: Option<Option<PathBuf>>,
    /// Folder → its nearest config, canonical.
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    /// Nested configs met, as shown.
    nested: BTreeSet<PathBuf>,
}

impl<'a> ProjectWalk<'a> {
    /// A walk over `project`'s files, less those `exclude` matches; `forced`
    /// (`--config`) reads the files of nested projects too, as `tact check
    /// --config` does.
    pub fn new(project: &'a Project, exclude: &'a ExcludeFlag, forced: bool) -> ProjectWalk<'a> {
        let own = (!forced).then(|| project.path.as_deref().and_then(|p| p.canonicalize().ok()));
        ProjectWalk {
            project,
            exclude,
            own,
            nearest: HashMap::new(),
            nested: BTreeSet::new(),
        }
    }

    /// The nested projects whose files the walk left out (their `tact.toml`).
    pub fn nested(&self) -> &BTreeSet<PathBuf> {
        &self.nested
    }

    /// The nearest config of `file` when it is not this project's.
    fn other_project(&mut self, file: &Path) -> Option<PathBuf> {
        let own = self.own.as_ref()?;
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty())?;
        let found = self
            .nearest
            .entry(dir.to_path_buf())
            .or_insert_with(|| find(dir));
        (found.as_ref() != own.as_ref())
            .then(|| nearest(dir))
            .flatten()
    }
}

impl crate::input::WalkFilter for ProjectWalk<'_> {
    fn skips(&mut self, file: &Path) -> Option<String> {
        if let Some(why) = self
            .exclude
            .skips(file)
            .or_else(|| self.project.skips(file))
        {
            return Some(why);
        }
        let other = self.other_project(file)?;
        let why = format!("in another project (`{}`)", other.display());
        self.nested.insert(other);
        Some(why)
    }
    fn skipped(&mut self, _file: &Path, _why: &str) {}
}

/// The warning for a nested project `tact watch` leaves out.
pub fn nested_problem(config: &Path) -> Problem {
    let dir = config.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    Problem::error(
        "tact::config::nested",
        format!(
            "`{}` is another project: `tact watch` leaves out its notes",
            config.display()
        ),
    )
    .severity(miette::Severity::Warning)
    .help(format!(
        "run `tact watch {}` for them, or check every note with one config: `--config FILE`",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_excludes_skip_project_docs_in_any_case_and_include_wins() {
        let f = FileFilter::default();
        for p in [
            "README.md",
            "sub/readme.txt",
            "CHANGELOG.md",
            "docs/a.md",
            "x/docs/b.md",
            "LICENSE.txt",
        ] {
            assert!(f.skips(Path::new(p)).is_some(), "{p}");
        }
        assert_eq!(f.skips(Path::new("notes/a.md")), None);
        let f = FileFilter::new(Some(&["docs/**".into()]), &["docs/old*".into()]).unwrap();
        assert_eq!(f.skips(Path::new("docs/a.md")), None);
        assert!(f.skips(Path::new("docs/old.md")).is_some());
        assert!(f.skips(Path::new("notes/a.md")).is_some());
        assert!(FileFilter::new(None, &["[".into()]).is_err());
    }
}
