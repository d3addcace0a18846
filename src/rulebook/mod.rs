//! Rulebooks: TOML files that pick rules, levels and options for one goal and
//! audience, and may extend other rulebooks.

mod resolve;
mod selection;

pub(crate) use resolve::convert;
pub use resolve::{ActiveSetting, ResolvedRulebook};
pub use selection::RuleSelection;

use crate::finding::Level;
use crate::note::Channel;
use crate::plugin::discover::{RULEBOOK_FILES, read_text};
use crate::problem::{Problem, Source};
use crate::span::Span;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;

/// A rule's level in a rulebook: off, or on at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The rule does not run.
    Off,
    /// The rule runs and reports at this level.
    On(Level),
}

/// One entry of a rulebook's `[rules]` table.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    /// The id as written (full or short).
    pub id: String,
    /// Where the id is written.
    pub id_span: Span,
    /// The level, when the entry sets one.
    pub setting: Option<Setting>,
    /// Options set: name, value, where the name is written.
    pub options: Vec<(String, toml::Value, Span)>,
}

/// A rulebook as written in its file.
#[derive(Debug, Clone)]
pub struct Rulebook {
    /// Its name (the `name` key, else the file stem).
    pub name: String,
    /// Where it came from, as shown to the user.
    pub path: String,
    /// The file on disk (`None` when embedded).
    pub disk_path: Option<PathBuf>,
    /// The file's text.
    pub source: Arc<str>,
    /// What it is for.
    pub description: String,
    /// Who the notes go to.
    pub audience: String,
    /// What the sender wants.
    pub goal: String,
    /// Rulebooks it builds on, in order, with where each is written.
    pub extends: Vec<(String, Span)>,
    /// Its rule entries in file order.
    pub rules: Vec<RuleEntry>,
    /// Entries of `[channels.NAME]` tables: they apply, after every
    /// `[rules]` table of the `extends` chain, to notes of that channel.
    pub channel_rules: Vec<(Channel, Vec<RuleEntry>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    channels: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

fn sp<T>(s: &Spanned<T>) -> Span {
    Span::new(s.span().start, s.span().end)
}

/// Spans from TOML include quotes around strings; point inside them.
fn unquote(source: &str, span: Span) -> Span {
    let t = &source[span.start..span.end];
    if t.len() >= 2 && (t.starts_with('"') || t.starts_with('\'')) {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

impl Rulebook {
    /// Parses a rulebook file. `stem` names it when it has no `name` key.
    pub fn parse(
        stem: &str,
        path: String,
        disk_path: Option<PathBuf>,
        source: Arc<str>,
    ) -> Result<Rulebook, Problem> {
        let src = Source::new(path.clone(), source.clone());
        let raw: Raw = toml::from_str(&source).map_err(|e| {
            let span = e
                .span()
                .map(|s| Span::new(s.start, s.end))
                .unwrap_or(Span::new(0, 0));
            Problem::error(
                "tact::rulebook::syntax",
                format!("malformed rulebook `{stem}`: {}", e.message().trim()),
            )
            .at(src.clone(), span, "here")
            .help("a rulebook has name, description, audience, goal, extends, a [rules] table and [channels.NAME] tables")
        })?;
        let rules = parse_entries(&src, &source, raw.rules)?;
        let mut channel_rules = Vec::new();
        for (name, table) in raw.channels {
            let channel = Channel::parse(name.get_ref()).ok_or_else(|| {
                Problem::error("tact::rulebook::channel", Channel::unknown(name.get_ref())).at(
                    src.clone(),
                    unquote(&source, sp(&name)),
                    "here",
                )
            })?;
            channel_rules.push((channel, parse_entries(&src, &source, table)?));
        }
        // A rulebook is found by its file name, so `name` must agree with it.
        if let Some(n) = &raw.name
            && n.get_ref() != stem
        {
            return Err(Problem::error(
                "tact::rulebook::name",
                format!(
                    "rulebook file `{stem}.toml` says `name = \"{}\"`",
                    n.get_ref()
                ),
            )
            .at(src, unquote(&source, sp(n)), "does not match the file name")
            .help(format!(
                "rename the file to `{}.toml`, or set `name = \"{stem}\"`",
                n.get_ref()
            )));
        }
        Ok(Rulebook {
            name: stem.to_owned(),
            path,
            disk_path,
            description: raw.description,
            audience: raw.audience,
            goal: raw.goal,
            extends: raw
                .extends
                .iter()
                .map(|e| (e.get_ref().clone(), unquote(&source, sp(e))))
                .collect(),
            rules,
            channel_rules,
            source,
        })
    }
}

/// Parses the rule entries of a `[rules]` or `[channels.NAME]` table, in file order.
fn parse_entries(
    src: &Source,
    source: &str,
    table: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
) -> Result<Vec<RuleEntry>, Problem> {
    let mut rules = Vec::new();
    for (key, value) in table {
        let id_span = unquote(source, sp(&key));
        let vspan = sp(&value);
        let entry = match value.into_inner() {
            toml::Value::String(s) => RuleEntry {
                id: key.into_inner(),
                id_span,
                setting: Some(
                    parse_setting(&s).ok_or_else(|| bad_level(src, unquote(source, vspan), &s))?,
                ),
                options: vec![],
            },
            toml::Value::Table(t) => {
                let mut setting = None;
                let mut options = Vec::new();
                for (k, v) in t {
                    let kspan = find_key(source, vspan, &k);
                    if k == "level" {
                        let Some(s) = v.as_str() else {
                            return Err(Problem::error(
                                "tact::rulebook::level",
                                "`level` must be a string",
                            )
                            .at(src.clone(), kspan, "here")
                            .help("one of: off, info, warn, error"));
                        };
                        setting = Some(parse_setting(s).ok_or_else(|| bad_level(src, kspan, s))?);
                    } else {
                        options.push((k, v, kspan));
                    }
                }
                RuleEntry {
                    id: key.into_inner(),
                    id_span,
                    setting,
                    options,
                }
            }
            other => {
                return Err(Problem::error(
                    "tact::rulebook::entry",
                    format!(
                        "rule `{}` must be set to a level or a table, not {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                )
                .at(src.clone(), vspan, "here")
                .help("write `rule = \"warn\"` or `rule = { level = \"warn\", option = value }`"));
            }
        };
        rules.push(entry);
    }
    rules.sort_by_key(|r| r.id_span.start);
    Ok(rules)
}

fn parse_setting(s: &str) -> Option<Setting> {
    if s == "off" {
        Some(Setting::Off)
    } else {
        Level::parse(s).map(Setting::On)
    }
}

fn bad_level(src: &Source, span: Span, s: &str) -> Problem {
    Problem::error("tact::rulebook::level", format!("unknown level `{s}`"))
        .at(src.clone(), span, "here")
        .help("one of: off, info, warn, error")
}

/// Where `key =` is written inside `within` (falls back to `within`).
fn find_key(source: &str, within: Span, key: &str) -> Span {
    let text = &source[within.start..within.end];
    regex::Regex::new(&format!(r#"(^|[{{,\s])"?({})"?\s*="#, regex::escape(key)))
        .ok()
        .and_then(|re| re.captures(text))
        .and_then(|c| c.get(2))
        .map(|m| Span::new(m.start(), m.end()).shifted(within.start))
        .unwrap_or(within)
}

/// The rulebook files (`*.toml`, no editor droppings) of a folder, sorted.
pub fn rulebook_files(folder: &std::path::Path) -> Result<Vec<PathBuf>, Problem> {
    let entries = std::fs::read_dir(folder).map_err(|_| {
        Problem::error(
            "tact::rulebook::folder",
            format!("rulebook folder `{}` not found", folder.display()),
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml") && !crate::plugin::discover::is_noise(p)
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// Every known rulebook by name.
#[derive(Debug, Clone, Default)]
pub struct Rulebooks {
    /// Rulebooks by name, sorted.
    pub books: BTreeMap<String, Rulebook>,
    /// Names of rulebook files that failed to load (already reported), so a
    /// note or an `extends` naming one is not reported again as missing.
    pub broken: std::collections::BTreeSet<String>,
}

impl Rulebook {
    /// The pack its short rule ids name first: `core` for the built-in
    /// rulebooks and files overriding one by name (they are written for the
    /// core pack), none for a project's own rulebooks.
    pub fn pack(&self) -> Option<&'static str> {
        let builtin = self.disk_path.is_none()
            || RULEBOOK_FILES
                .iter()
                .any(|(rel, _)| rel.trim_end_matches(".toml") == self.name);
        builtin.then_some("core")
    }
}

impl Rulebooks {
    /// The embedded rulebooks, then each folder's `*.toml` (later ones win by name).
    pub fn load(folders: &[PathBuf]) -> (Rulebooks, Vec<Problem>) {
        let mut books = Rulebooks::default();
        let mut problems = Vec::new();
        let add = |r: Result<Rulebook, Problem>,
                   books: &mut Rulebooks,
                   problems: &mut Vec<Problem>,
                   stem: &str| match r {
            Ok(b) => {
                books.broken.remove(stem);
                books.books.insert(b.name.clone(), b);
            }
            Err(p) => {
                books.books.remove(stem);
                books.broken.insert(stem.to_owned());
                problems.push(p)
            }
        };
        for (rel, text) in RULEBOOK_FILES {
            let stem = rel.trim_end_matches(".toml");
            add(
                Rulebook::parse(
                    stem,
                    format!("builtin:rulebooks/{rel}"),
                    None,
                    Arc::from(*text),
                ),
                &mut books,
                &mut problems,
                stem,
            );
        }
        for folder in folders {
            let paths = match rulebook_files(folder) {
                Ok(p) => p,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            for path in paths {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_owned();
                let shown = path.display().to_string();
                let parsed = match read_text(&path) {
                    Ok(text) => Rulebook::parse(&stem, shown, Some(path.clone()), text.into()),
                    Err(e) => Err(Problem::error(
                        "tact::rulebook::read",
                        format!("cannot read rulebook `{shown}`: {e}"),
                    )),
                };
                add(parsed, &mut books, &mut problems, &stem);
            }
        }
        (books, problems)
    }
}
