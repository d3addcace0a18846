//! Rules written in Rhai: discovery, the sandboxed engine, the script API,
//! metadata, and compiling each rule once into a [`Rule`].

pub mod api;
pub mod discover;
pub mod engine;
pub mod imports;
pub mod meta;
mod output;
pub mod script;

use crate::problem::{Problem, Source, did_you_mean};
use crate::rule::meta::RuleMeta;
use crate::span::{LineIndex, Span};
use discover::RuleFile;
use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `<pack>/<name>`.
    pub id: String,
    /// The script file, as shown to the user.
    pub path: String,
    /// The script file on disk (`None` when embedded).
    pub disk_path: Option<PathBuf>,
    /// The script text.
    pub source: Arc<str>,
    /// The `//!` documentation.
    pub docs: String,
    /// What `meta()` declared.
    pub meta: RuleMeta,
    /// The compiled script.
    pub ast: Arc<AST>,
    /// The test file, if any: display path and contents.
    pub tests: Option<(String, Arc<str>)>,
    /// Its pack's version (`None` for a folder without `pack.toml`).
    pub version: Option<String>,
    /// Put in place of the pack's own rule by `[overrides]` in tact.toml.
    pub overridden: bool,
}

impl Rule {
    /// The name part of the id.
    pub fn name(&self) -> &str {
        self.id.split_once('/').map(|(_, n)| n).unwrap_or(&self.id)
    }

    /// The script as a diagnostic source.
    pub fn script_source(&self) -> Source {
        Source::new(self.path.clone(), self.source.clone())
    }

    /// The byte span in the script of a Rhai position (the word at it).
    pub fn span_of(&self, pos: Position) -> Span {
        span_at(&self.source, pos)
    }
}

/// The byte span of the token at a Rhai position (line, char column).
pub fn span_at(source: &str, pos: Position) -> Span {
    let (Some(line), col) = (pos.line(), pos.position().unwrap_or(1)) else {
        return Span::new(0, 0);
    };
    let start = LineIndex::new(source).offset_of(line, col);
    let len = source[start..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(source.len() - start);
    let end = if len == 0 {
        source[start..]
            .chars()
            .next()
            .map(|c| start + c.len_utf8())
            .unwrap_or(start)
    } else {
        start + len
    };
    Span::new(start, end)
}

/// Turns a Rhai error into the message, position and a hint for the rule author.
pub fn describe_error(err: &EvalAltResult) -> (String, Position, Option<&'static str>) {
    use EvalAltResult as E;
    let (msg, hint) = match err {
        E::ErrorTooManyOperations(_) => (
            "the rule ran too many operations (an endless loop?)".to_owned(),
            Some(
                "loops must end; raise `[limits] operations` in tact.toml only if the rule really needs more",
            ),
        ),
        E::ErrorStackOverflow(_) => (
            "the rule called functions too deeply (unbounded recursion?)".to_owned(),
            Some("recursion must stop; raise `[limits] call_depth` in tact.toml only if needed"),
        ),
        E::ErrorDataTooLarge(what, _) => (
            format!("the rule built data that is too large: {what}"),
            Some("rules work on short notes; see `[limits]` in tact.toml"),
        ),
        E::ErrorTerminated(..) => (
            "the rule ran out of time".to_owned(),
            Some(
                "the wall-clock limit is a last resort: the rule did far more than its operations show (huge data?); make it do less",
            ),
        ),
        E::ErrorFunctionNotFound(sig, _) => (
            format!("function not found: {sig}"),
            Some("check the name and argument types against docs/rule-api.md"),
        ),
        E::ErrorInFunctionCall(name, _, inner, _) if name != "check" && name != "meta" => {
            let (m, p, h) = describe_error(inner);
            return (
                format!("in `{name}`: {m}"),
                if p.is_none() { err.position() } else { p },
                h,
            );
        }
        E::ErrorInFunctionCall(_, _, inner, _) => return describe_error(inner),
        E::ErrorInModule(path, inner, _) => {
            let (m, _, h) = describe_error(inner);
            return (format!("import `{path}`: {m}"), err.position(), h);
        }
        E::ErrorRuntime(v, _) => (format!("the rule threw: {v}"), None),
        other => (
            other
                .to_string()
                .split(" (line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
            None,
        ),
    };
    (msg, err.position(), hint)
}

/// Refuses a script Rhai could not point into: its positions are 16-bit line
/// and column numbers, clamped past 65,535, so errors would name the wrong place.
fn check_positions_fit(file: &RuleFile, src: &Source) -> Result<(), Problem> {
    let max = usize::from(u16::MAX);
    let mut start = 0;
    for (i, line) in file.source.split('\n').enumerate() {
        if i >= max {
            return Err(Problem::error(
                "tact::plugin::too-large",
                format!("rule `{}` has more than {max} lines", file.id),
            )
            .at(src.clone(), Span::new(start, start), "here")
            .help("split the rule; Rhai positions stop at line 65,535"));
        }
        if line.len() > max && line.chars().count() > max {
            return Err(Problem::error(
                "tact::plugin::too-large",
                format!(
                    "line {} of rule `{}` is over {max} characters",
                    i + 1,
                    file.id
                ),
            )
            .at(src.clone(), Span::new(start, start), "this line")
            .help("break the line; Rhai positions stop at column 65,535"));
        }
        start += line.len() + 1;
    }
    Ok(())
}

/// Compiles a rule file and reads its metadata (running `meta()`, never `check`).
pub fn load(engine: &Engine, file: &RuleFile) -> Result<Rule, Problem> {
    let src = Source::new(file.path.clone(), file.source.clone());
    check_positions_fit(file, &src)?;
    let mut ast = engine.compile(&*file.source).map_err(|e| {
        let pos = e.position();
        let msg = e.err_type().to_string();
        Problem::error(
            "tact::plugin::syntax",
            format!("syntax error in rule `{}`: {msg}", file.id),
        )
        .at(src.clone(), span_at(&file.source, pos), msg)
        .help("fix the script; the rule is skipped until it compiles")
    })?;
    ast.set_source(file.id.clone());
    let has = |name: &str, params: usize| {
        ast.iter_functions()
            .any(|f| f.name == name && f.params.len() == params)
    };
    if !has("check", 2) {
        return Err(Problem::error(
            "tact::plugin::no-check",
            format!("rule `{}` has no `check` function", file.id),
        )
        .at(src, Span::new(0, 0), "")
        .help("define `fn check(note, options) { ... }` returning an array of findings"));
    }
    if !has("meta", 0) {
        return Err(Problem::error(
            "tact::plugin::no-meta",
            format!("rule `{}` has no `meta` function", file.id),
        )
        .at(src, Span::new(0, 0), "")
        .help("define `fn meta() { #{ level: \"warn\", kind: \"check\", options: #{} } }`"));
    }
    let docs = crate::rule::meta::docs(&file.source);
    let value: Dynamic = engine
        .call_fn(&mut Scope::new(), &ast, "meta", ())
        .map_err(|e| {
            let (msg, pos, hint) = describe_error(&e);
            Problem::error(
                "tact::plugin::meta",
                format!("`meta()` of rule `{}` failed: {msg}", file.id),
            )
            .at(src.clone(), span_at(&file.source, pos), "here")
            .help(hint.unwrap_or("`meta()` must return an object map of constant values"))
        })?;
    let meta = meta::parse(value, docs.lines().next()).map_err(|e| {
        let span = e
            .key
            .as_deref()
            .and_then(|k| {
                regex::Regex::new(&format!(r"\b{}\s*:", regex::escape(k)))
                    .ok()?
                    .find(&file.source)
            })
            .map(|m| Span::new(m.start(), m.end() - 1))
            .unwrap_or_else(|| {
                file.source
                    .find("fn meta")
                    .map(|i| Span::new(i, i + 7))
                    .unwrap_or(Span::new(0, 0))
            });
        Problem::error(
            "tact::plugin::bad-meta",
            format!("bad metadata in rule `{}`: {}", file.id, e.message),
        )
        .at(src.clone(), span, "here")
        .help("see `docs/rule-api.md` for the metadata keys and their types")
    })?;
    Ok(Rule {
        id: file.id.clone(),
        path: file.path.clone(),
        disk_path: file.disk_path.clone(),
        source: file.source.clone(),
        docs,
        meta,
        ast: Arc::new(ast),
        tests: file.tests.clone(),
        version: file.version.clone(),
        overridden: file.overridden,
    })
}

/// All loaded rules, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Rules by full id.
    pub rules: BTreeMap<String, Arc<Rule>>,
    /// Ids of rule files that failed to load (already reported); rulebooks
    /// skip them instead of failing, so the healthy rules still run.
    pub broken: BTreeSet<String>,
}

impl RuleSet {
    /// Compiles every file; a file that fails is reported and skipped.
    pub fn load(engine: &Engine, files: &[RuleFile]) -> (RuleSet, Vec<Problem>) {
        let mut set = RuleSet::default();
        let mut problems = Vec::new();
        for f in files {
            match load(engine, f) {
                Ok(rule) => {
                    set.rules.insert(rule.id.clone(), Arc::new(rule));
                }
                Err(p) => {
                    set.broken.insert(f.id.clone());
                    problems.push(p);
                }
            }
        }
        (set, problems)
    }

    /// True when `id` (full or short) names a rule file that failed to load.
    pub fn is_broken(&self, id: &str) -> bool {
        self.broken.contains(id)
            || self
                .broken
                .iter()
                .any(|b| b.split_once('/').is_some_and(|(_, n)| n == id))
    }

    /// Resolves an id written in a rulebook of `pack`: a short id names that
    /// pack's rule when it has one (so a team's `acme/length` cannot capture
    /// the `length` of the built-in rulebooks), else resolves as [`Self::resolve`].
    pub fn resolve_in(&self, id: &str, pack: Option<&str>) -> Result<&Arc<Rule>, ResolveError> {
        if let Some(pack) = pack
            && !id.contains('/')
            && let Some(r) = self.rules.get(&format!("{pack}/{id}"))
        {
            return Ok(r);
        }
        self.resolve(id)
    }

    /// Resolves a full id, or a short id when exactly one pack has it.
    /// The error carries a "did you mean" suggestion where one is close.
    pub fn resolve(&self, id: &str) -> Result<&Arc<Rule>, ResolveError> {
        if let Some(r) = self.rules.get(id) {
            return Ok(r);
        }
        if !id.contains('/') {
            let matches: Vec<_> = self.rules.values().filter(|r| r.name() == id).collect();
            match matches.len() {
                1 => return Ok(matches[0]),
                n if n > 1 => {
                    return Err(ResolveError::Ambiguous(
                        matches.iter().map(|r| r.id.clone()).collect(),
                    ));
                }
                _ => {}
            }
        }
        let names = self.rules.values().flat_map(|r| [r.id.as_str(), r.name()]);
        Err(ResolveError::Unknown(
            did_you_mean(id, names).map(str::to_owned),
        ))
    }
}

/// Why a rule id did not resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolveError {
    /// No such rule; maybe a close one.
    Unknown(Option<String>),
    /// A short id several packs have.
    Ambiguous(Vec<String>),
}

impl ResolveError {
    /// A help line for a diagnostic.
    pub fn help(&self) -> String {
        match self {
            ResolveError::Unknown(Some(s)) => format!("did you mean `{s}`?"),
            ResolveError::Unknown(None) => "run `tact rules` to list the rules".into(),
            ResolveError::Ambiguous(ids) => {
                format!("several packs have it; write one of: {}", ids.join(", "))
            }
        }
    }
}
