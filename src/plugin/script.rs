//! Calling a rule's `check` in the sandboxed engine: the one place the
//! runner meets Rhai. Options are converted to script values once per
//! rulebook, and each thread reuses one scope for its calls.

use super::api::{NoteRef, Phrases};
use super::{Rule, describe_error, output};
use crate::finding::{Finding, Level};
use crate::note::Note;
use crate::rule::options::{OptionValue, Options};
use crate::span::Span;
use rhai::{Array, CallFnOptions, Dynamic, Engine, ImmutableString, Map, Scope};
use std::cell::RefCell;

/// A rule's resolved options as scripts receive them: every array of strings
/// a [`Phrases`] (compiled once), other values as script values.
#[derive(Debug, Clone)]
pub struct ScriptOptions(Map);

impl ScriptOptions {
    /// Converts resolved options, once per rulebook lane.
    pub fn new(options: &Options) -> ScriptOptions {
        ScriptOptions(
            options
                .iter()
                .map(|(k, v)| {
                    let d = match v.as_strings() {
                        Some(list) => Dynamic::from(Phrases::new(
                            list.into_iter().map(ImmutableString::from).collect(),
                        )),
                        None => value(v),
                    };
                    (k.as_str().into(), d)
                })
                .collect(),
        )
    }
}

fn value(v: &OptionValue) -> Dynamic {
    match v {
        OptionValue::Bool(b) => Dynamic::from_bool(*b),
        OptionValue::Int(i) => Dynamic::from_int(*i),
        OptionValue::Float(f) => Dynamic::from_float(*f),
        OptionValue::Str(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        OptionValue::List(items) => Dynamic::from_array(items.iter().map(value).collect::<Array>()),
        OptionValue::Table(t) => Dynamic::from_map(
            t.iter()
                .map(|(k, v)| (k.as_str().into(), value(v)))
                .collect::<Map>(),
        ),
    }
}

/// Why a call failed: a message, a hint for the rule author, and where in the script.
pub struct CallError {
    /// What went wrong.
    pub message: String,
    /// What the rule author can do.
    pub hint: Option<String>,
    /// Where in the script.
    pub span: Span,
}

/// Where `check` is defined in a rule's script (the word `check`).
fn check_span(rule: &Rule) -> Span {
    static FN_CHECK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^[ \t]*fn[ \t]+(check)[ \t]*\(").expect("valid pattern")
    });
    FN_CHECK
        .captures(&rule.source)
        .and_then(|c| c.get(1))
        .map(|m| Span::new(m.start(), m.end()))
        .unwrap_or_default()
}

thread_local! {
    /// The scope of rule calls on this thread: `check` runs in a function
    /// frame of its own, and the scope is rewound after each call.
    static SCOPE: RefCell<Scope<'static>> = RefCell::new(Scope::new());
}

/// Calls `check(note, options)` of `rule`, validates what it returned, and
/// returns the findings (levelled at most `level`) and how many matches the
/// API's caps left out.
pub fn call_check(
    engine: &Engine,
    rule: &Rule,
    view: &NoteRef,
    options: &ScriptOptions,
    note: &Note,
    level: Level,
) -> Result<(Vec<Finding>, usize), CallError> {
    let call = CallFnOptions::new().eval_ast(false).rewind_scope(true);
    // A map argument is moved into the call: the script may change its copy.
    let args = (view.clone(), Dynamic::from_map(options.0.clone()));
    super::api::take_dropped();
    let value: Dynamic = super::engine::timed(|| {
        SCOPE.with(|scope| {
            let mut scope = scope.borrow_mut();
            engine.call_fn_with_options(call, &mut scope, &rule.ast, "check", args)
        })
    })
    .map_err(|e| {
        let (message, pos, hint) = describe_error(&e);
        // Limits (operations, depth, sizes) carry no position: point at `check`.
        let span = if pos.is_none() {
            check_span(rule)
        } else {
            rule.span_of(pos)
        };
        CallError {
            message,
            hint: hint.map(str::to_owned),
            span,
        }
    })?;
    let dropped = super::api::take_dropped();
    let findings = output::findings(value, note, rule, level).map_err(|message| CallError {
        message: format!("`check` returned a wrong shape: {message}"),
        hint: Some(
            "return an array of findings made with `finding(at, message)`; see docs/rule-api.md"
                .into(),
        ),
        span: check_span(rule),
    })?;
    Ok((findings, dropped))
}
