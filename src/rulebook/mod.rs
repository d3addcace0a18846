//! Rulebooks: TOML files that pick rules, levels and options for one goal and
//! audience, and may extend other rulebooks.

mod resolve;
mod selection;

pub use resolve::{ActiveSetting, ResolvedRulebook};
pub use selection::RuleSelection;

use crate::finding::Level;
use crate::note::Channel;
use crate::pack::Packs;
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
    /// The pack whose rules its short ids name first: `core` for the
    /// built-in rulebooks and files overriding one by name, the pack for a
    /// pack's own rulebooks, none for a project's own.
    pub pack: Option<String>,
}

/// A rulebook file as written (the JSON schema is generated from this).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tact rulebook")]
pub(crate) struct Raw {
    /// The rulebook's name: its file name (without `.toml`).
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    /// What it is for.
    #[serde(default)]
    description: String,
    /// Who the notes go to.
    #[serde(default)]
    audience: String,
    /// What the sender wants.
    #[serde(default)]
    goal: String,
    /// Rulebooks it builds on, applied in order before its own `[rules]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    extends: Vec<Spanned<String>>,
    /// Rule id → a level (`off`, `info`, `warn`, `error`) or a table of `level` and options.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::rule_entries")]
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// `request`, `message` or `inmail` → rule entries for notes of that channel.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::channel_tables")]
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
        // A rulebook is found by its file name, so `name` must agree with it
        // (a pack's rulebook may also write it with its pack: `acme/sales`).
        if let Some(n) = &raw.name
            && n.get_ref() != stem
            && !stem.ends_with(&format!("/{}", n.get_ref()))
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
            pack: None,
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

/// Where `key =` is written inside `within` (falls back to `within`): the
/// first occurrence of `key`, maybe quoted, after the start, `{`, `,` or a
/// space and before `=`. A plain scan: a regex per key cost more than
/// parsing the file.
fn find_key(source: &str, within: Span, key: &str) -> Span {
    let text = &source[within.start..within.end];
    let written_at = |i: usize| {
        let before = &text[..i];
        let before = before.strip_suffix('"').unwrap_or(before);
        let after = &text[i + key.len()..];
        let after = after.strip_prefix('"').unwrap_or(after);
        before
            .chars()
            .next_back()
            .is_none_or(|c| c == '{' || c == ',' || c.is_whitespace())
            && after.trim_start().starts_with('=')
    };
    let mut from = 0;
    while let Some(j) = text[from..].find(key) {
        let i = from + j;
        if written_at(i) {
            return Span::new(i, i + key.len()).shifted(within.start);
        }
        // Occurrences may overlap: go on one char later.
        match text[i..].chars().next() {
            Some(c) => from = i + c.len_utf8(),
            None => break,
        }
    }
    within
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

/// The name of the rulebook file `path` in a folder of `pack`'s rulebooks
/// (`PACK/STEM`) or of the project's (`STEM`), and the pack its short rule ids
/// name first: the pack's own, or `core` for a project rulebook named like a
/// built-in one (it is written for core).
pub fn name_in_folder(path: &std::path::Path, pack: Option<&str>) -> (String, Option<String>) {
    let file_stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let Some(pack) = pack else {
        let builtin = RULEBOOK_FILES
            .iter()
            .any(|(rel, _)| rel.trim_end_matches(".toml") == file_stem);
        return (file_stem.to_owned(), builtin.then(|| "core".to_owned()));
    };
    (format!("{pack}/{file_stem}"), Some(pack.to_owned()))
}

/// Every known rulebook by name.
#[derive(Debug, Clone, Default)]
pub struct Rulebooks {
    /// Rulebooks by name, sorted.
    pub books: BTreeMap<String, Rulebook>,
    /// Names of rulebook files that failed to load (already reported), so a
    /// note or an `extends` naming one is not reported again as missing.
    pub broken: std::collections::BTreeSet<String>,
    /// Each pack's dependencies: a pack's rulebook may extend rulebooks of
    /// its own pack, of `core` and of these.
    pub dependencies: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Rulebook {
    /// The pack its short rule ids name first (see [`Rulebook::pack`]).
    pub fn pack(&self) -> Option<&str> {
        self.pack.as_deref()
    }

    /// The same rulebook, its short rule ids naming `pack`'s rules first.
    pub fn in_pack(mut self, pack: &str) -> Rulebook {
        self.pack = Some(pack.to_owned());
        self
    }
}

impl Rulebooks {
    /// No rulebooks yet, knowing what each of `packs` depends on.
    pub fn of_packs(packs: &Packs) -> Rulebooks {
        let mut books = Rulebooks::default();
        for pack in &packs.list {
            let deps = pack
                .manifest
                .iter()
                .flat_map(|m| m.dependencies.keys().cloned())
                .collect();
            books.dependencies.insert(pack.name.clone(), deps);
        }
        books
    }

    /// The embedded rulebooks, then each folder's `*.toml` (later ones win by
    /// name), then each pack's `rulebooks/*.toml` as `PACK/NAME`.
    pub fn load(folders: &[PathBuf], packs: &Packs) -> (Rulebooks, Vec<Problem>) {
        let mut books = Rulebooks::of_packs(packs);
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
                )
                .map(|b| b.in_pack("core")),
                &mut books,
                &mut problems,
                stem,
            );
        }
        let pack_folders = packs.list.iter().filter_map(|p| {
            p.rulebooks_dir
                .as_ref()
                .map(|d| (d.clone(), Some(p.name.as_str())))
        });
        let folders = folders
            .iter()
            .map(|f| (f.clone(), None))
            .chain(pack_folders);
        for (folder, pack) in folders {
            let paths = match rulebook_files(&folder) {
                Ok(p) => p,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            for path in paths {
                let (stem, owner) = name_in_folder(&path, pack);
                let shown = path.display().to_string();
                let parsed =
                    match read_text(&path) {
                        Ok(text) => Rulebook::parse(&stem, shown, Some(path.clone()), text.into())
                            .map(|b| match &owner {
                                Some(o) => b.in_pack(o),
                                None => b,
                            }),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key_at(text: &str, key: &str) -> Option<usize> {
        let whole = Span::new(0, text.len());
        let found = find_key(text, whole, key);
        (found != whole).then_some(found.start)
    }

    #[test]
    fn finds_the_key_as_written() {
        assert_eq!(key_at("{ level = \"warn\", max = 1 }", "max"), Some(18));
        assert_eq!(key_at("{ \"max\" = 1 }", "max"), Some(3));
        assert_eq!(key_at("max=1", "max"), Some(0));
        assert_eq!(key_at("{\tmax\n = 1 }", "max"), Some(2));
        // Not a key: inside another word or a value, or not before `=`.
        assert_eq!(key_at("{ a = \"max\", min = 1 }", "max"), None);
        assert_eq!(key_at("{ xmax = 1 }", "max"), None);
        assert_eq!(key_at("{ words = [\"max\"], max = 2 }", "max"), Some(19));
        // An occurrence that is no key does not hide a later one.
        assert_eq!(key_at("{ aa= 1, a = 2 }", "a"), Some(9));
        assert_eq!(key_at("{ é = 1 }", "é"), Some(2));
    }
}
