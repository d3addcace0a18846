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
use rayon::prelude::*;
use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

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

/// Runs `meta()` and reads what it returned into [`RuleMeta`]; an error
/// comes with the metadata key it concerns, when there is one.
fn read_meta(
    engine: &Engine,
    ast: &rhai::AST,
    file: &RuleFile,
    src: &Source,
    docs: &str,
) -> Result<RuleMeta, (Problem, Option<String>)> {
    let value: Dynamic = engine
        .call_fn(&mut Scope::new(), ast, "meta", ())
        .map_err(|e| {
            let (msg, pos, hint) = describe_error(&e);
            Problem::error(
                "tact::plugin::meta",
                format!("`meta()` of rule `{}` failed: {msg}", file.id),
            )
            .at(src.clone(), span_at(&file.source, pos), "here")
            .help(hint.unwrap_or("`meta()` must return an object map of constant values"))
        })
        .map_err(|p| (p, None))?;
    meta::parse(value, docs.lines().next()).map_err(|e| {
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
        let problem = Problem::error(
            "tact::plugin::bad-meta",
            format!("bad metadata in rule `{}`: {}", file.id, e.message),
        )
        .at(src.clone(), span, "here")
        .help("see `docs/rule-api.md` for the metadata keys and their types");
        (problem, e.key)
    })
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
    if !has("meta", 0) {
        return Err(Problem::error(
            "tact::plugin::no-meta",
            format!("rule `{}` has no `meta` function", file.id),
        )
        .at(src, Span::new(0, 0), "")
        .help("define `fn meta() { #{ level: \"warn\", kind: \"check\", options: #{} } }`"));
    }
    let docs = crate::rule::meta::docs(&file.source);
    let meta = read_meta(engine, &ast, file, &src, &docs);
    // A `report` rule is data: the host reports its phrases and never calls
    // it; any other rule needs `check` (reported before its metadata).
    // A broken `report` is reported as such, not as a missing `check`.
    let report = match &meta {
        Ok(m) => m.report.is_some(),
        Err((_, key)) => key.as_deref() == Some("report"),
    };
    match (report, has("check", 2)) {
        (false, false) => {
            return Err(Problem::error(
                "tact::plugin::no-check",
                format!("rule `{}` has no `check` function", file.id),
            )
            .at(src, Span::new(0, 0), "")
            .help("define `fn check(note, options) { ... }` returning an array of findings, or declare `report` in `meta()` for a phrase rule"));
        }
        (true, true) => {
            let at = file.source.find("fn check").unwrap_or(0);
            return Err(Problem::error(
                "tact::plugin::bad-meta",
                format!(
                    "bad metadata in rule `{}`: a rule with `report` has no `check` function",
                    file.id
                ),
            )
            .at(src, Span::new(at, at + 8), "never called")
            .help("keep `report` (the host reports each phrase) or `check` (a script decides), not both"));
        }
        _ => {}
    }
    let meta = meta.map_err(|(p, _)| p)?;
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

/// A rule file a run compiles the first time it needs the rule.
struct Pending {
    engine: Arc<Engine>,
    file: RuleFile,
    /// The rule or its load problem, and whether it compiled after the load
    /// was reported (see [`RuleSet::seal`]).
    compiled: OnceLock<(Result<Arc<Rule>, Problem>, bool)>,
}

/// A rule: compiled at load, or compiled on first use.
#[derive(Clone)]
enum Entry {
    Compiled(Arc<Rule>),
    Pending(Arc<Pending>),
}

/// All loaded rules, sorted by id. A workspace loaded for one run keeps its
/// rule files uncompiled until a rulebook (or a lookup) needs them, so a run
/// compiles only the rules it uses; every other way to read the set (by id,
/// [`RuleSet::iter`]) compiles what it returns.
#[derive(Clone, Default)]
pub struct RuleSet {
    entries: BTreeMap<String, Entry>,
    /// Ids of rule files that failed to load at load time (already
    /// reported); rulebooks skip them instead of failing, so the healthy
    /// rules still run. A rule compiled on first use that fails is broken too.
    pub broken: BTreeSet<String>,
    /// Set once the load's problems are reported: later compile problems are
    /// the run's [`RuleSet::late_problems`].
    sealed: Arc<AtomicBool>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("ids", &self.entries.keys().collect::<Vec<_>>())
            .field("broken", &self.broken)
            .finish()
    }
}

impl Pending {
    fn get(&self, sealed: &AtomicBool) -> &Result<Arc<Rule>, Problem> {
        &self
            .compiled
            .get_or_init(|| {
                let rule = load(&self.engine, &self.file).map(Arc::new);
                (rule, sealed.load(Ordering::Acquire))
            })
            .0
    }
}

/// The name part of an id (`core/length` → `length`).
fn short(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, n)| n)
}

impl RuleSet {
    /// Adds a compiled rule.
    pub fn insert(&mut self, rule: Arc<Rule>) {
        self.entries.insert(rule.id.clone(), Entry::Compiled(rule));
    }

    /// Adds a rule file to compile on first use.
    pub fn insert_pending(&mut self, engine: Arc<Engine>, file: RuleFile) {
        let pending = Pending {
            engine,
            file,
            compiled: OnceLock::new(),
        };
        self.entries
            .insert(pending.file.id.clone(), Entry::Pending(Arc::new(pending)));
    }

    /// Takes rule `id` as `old` has it (compiled or not); false when `old`
    /// has no such rule.
    pub fn keep(&mut self, old: &RuleSet, id: &str) -> bool {
        let Some(entry) = old.entries.get(id) else {
            return false;
        };
        self.entries.insert(id.to_owned(), entry.clone());
        true
    }

    /// The rule with full id `id`, compiled if it was not yet; `None` when
    /// there is none or it does not load.
    pub fn get(&self, id: &str) -> Option<&Arc<Rule>> {
        match self.entries.get(id)? {
            Entry::Compiled(rule) => Some(rule),
            Entry::Pending(p) => p.get(&self.sealed).as_ref().ok(),
        }
    }

    /// True when `id` is a full id of a rule that loads.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The ids of every rule, loaded or still to compile on first use
    /// (never those known broken at load).
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }

    /// Every rule that loads, by id: compiles those not compiled yet (in parallel).
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.compile(self.entries.keys().map(String::as_str));
        self.entries.keys().filter_map(|id| self.get(id))
    }

    /// Compiles the rules `ids` names that are not compiled yet, in parallel.
    pub fn compile<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let todo: Vec<&Pending> = ids
            .into_iter()
            .filter_map(|id| match self.entries.get(id)? {
                Entry::Pending(p) if p.compiled.get().is_none() => Some(&**p),
                _ => None,
            })
            .collect();
        todo.par_iter().for_each(|p| {
            p.get(&self.sealed);
        });
    }

    /// Marks the load's problems as reported: rules compiled from now on
    /// report theirs through [`RuleSet::late_problems`].
    pub fn seal(&self) {
        self.sealed.store(true, Ordering::Release);
    }

    /// Problems of rules compiled on first use before [`RuleSet::seal`], by id.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.compile_problems(false)
    }

    /// Problems of rules first compiled after [`RuleSet::seal`] (a rulebook
    /// that only a note's `goal` chose), by id.
    pub fn late_problems(&self) -> impl Iterator<Item = &Problem> {
        self.compile_problems(true)
    }

    fn compile_problems(&self, late: bool) -> impl Iterator<Item = &Problem> {
        self.entries.values().filter_map(move |e| match e {
            Entry::Pending(p) => match p.compiled.get()? {
                (Err(problem), l) if *l == late => Some(problem),
                _ => None,
            },
            Entry::Compiled(_) => None,
        })
    }

    /// True when `id` (full or short) names a rule file that failed to load
    /// (compiling the rules it may name).
    pub fn is_broken(&self, id: &str) -> bool {
        self.broken.contains(id)
            || self.broken.iter().any(|b| short(b) == id)
            || self.entries.iter().any(|(k, e)| {
                (k == id || short(k) == id)
                    && matches!(e, Entry::Pending(p) if p.get(&self.sealed).is_err())
            })
    }

    /// Resolves an id written in a rulebook of `pack`: a short id names that
    /// pack's rule when it has one (so a team's `acme/length` cannot capture
    /// the `length` of the built-in rulebooks), else resolves as [`Self::resolve`].
    pub fn resolve_in(&self, id: &str, pack: Option<&str>) -> Result<&Arc<Rule>, ResolveError> {
        if let Some(pack) = pack
            && !id.contains('/')
            && let Some(r) = self.get(&format!("{pack}/{id}"))
        {
            return Ok(r);
        }
        self.resolve(id)
    }

    /// Resolves a full id, or a short id when exactly one pack has it.
    /// The error carries a "did you mean" suggestion where one is close.
    pub fn resolve(&self, id: &str) -> Result<&Arc<Rule>, ResolveError> {
        if let Some(r) = self.get(id) {
            return Ok(r);
        }
        if !id.contains('/') {
            let matches: Vec<&Arc<Rule>> = self
                .entries
                .keys()
                .filter(|k| short(k) == id)
                .filter_map(|k| self.get(k))
                .collect();
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
        // Not found: suggest among the rules, without compiling any (a rule
        // compiled on first use may turn out broken).
        let names = self.entries.keys().flat_map(|k| [k.as_str(), short(k)]);
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
