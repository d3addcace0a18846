//! Rule tests: the `<rule>.test.toml` beside each rule, run by `tact test`
//! (and by `cargo test` for the built-in pack).
//!
//! ```toml
//! [[valid]]                       # must produce no finding
//! note = "Hi Riya, I saw your post on pricing pages."
//!
//! [[invalid]]                     # must produce at least one finding
//! note = "Can we hop on a quick call?"
//! options = { max = 0 }           # optional, overrides the defaults
//! flagged = ["quick call"]        # optional: the flagged texts, in order
//! messages = ["pitch"]            # optional: fragments found in the messages
//! count = 1                       # optional: exact number of findings
//! output = "…"                    # optional: the note after `--fix`
//! unsafe_output = "…"             # optional: after `--fix --unsafe-fixes`
//! ```
//! A `note` may start with `+++` front matter; `template = true` checks it as a template.

use crate::finding::Safety;
use crate::fix::fix_note;
use crate::note::Origin;
use crate::plugin::Rule;
use crate::run::Checker;
use crate::workspace::Workspace;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    valid: Vec<Case>,
    #[serde(default)]
    invalid: Vec<Case>,
}

/// One test case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The note's text, front matter allowed.
    pub note: String,
    /// Options for the rule (merged over its defaults).
    #[serde(default)]
    pub options: toml::Table,
    /// Check the note as a template.
    #[serde(default)]
    pub template: bool,
    /// Expected flagged texts, in order.
    pub flagged: Option<Vec<String>>,
    /// Fragments expected in the messages.
    #[serde(default)]
    pub messages: Vec<String>,
    /// Expected number of findings.
    pub count: Option<usize>,
    /// Expected text after safe fixes.
    pub output: Option<String>,
    /// Expected text after all fixes.
    pub unsafe_output: Option<String>,
}

/// The cases of one rule, or why they could not be read.
pub struct RuleCases {
    /// `valid` cases.
    pub valid: Vec<Case>,
    /// `invalid` cases.
    pub invalid: Vec<Case>,
}

/// Reads a rule's test file.
pub fn cases(rule: &Rule) -> Option<Result<RuleCases, String>> {
    let (path, text) = rule.tests.as_ref()?;
    Some(
        toml::from_str::<TestFile>(text)
            .map(|f| RuleCases {
                valid: f.valid,
                invalid: f.invalid,
            })
            .map_err(|e| format!("{path}: {}", e.to_string().trim())),
    )
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// `core/no-pitch invalid[2]`.
    pub name: String,
    /// `None` when it passed, else what differed.
    pub failure: Option<String>,
}

/// Runs one rule's cases.
pub fn run_rule(ws: &Workspace, rule: &Arc<Rule>) -> Vec<CaseResult> {
    let file = match cases(rule) {
        None => return vec![],
        Some(Err(e)) => {
            return vec![CaseResult {
                name: format!("{} (test file)", rule.id),
                failure: Some(e),
            }];
        }
        Some(Ok(f)) => f,
    };
    let mut out = Vec::new();
    for (kind, list) in [("valid", &file.valid), ("invalid", &file.invalid)] {
        for (i, case) in list.iter().enumerate() {
            let name = format!("{} {kind}[{}]", rule.id, i + 1);
            let failure = run_case(ws, rule, case, kind == "valid", &name).err();
            out.push(CaseResult { name, failure });
        }
    }
    out
}

fn run_case(
    ws: &Workspace,
    rule: &Arc<Rule>,
    case: &Case,
    valid: bool,
    name: &str,
) -> Result<(), String> {
    let mut options = rule.meta.options.clone();
    for (k, v) in &case.options {
        let Some(default) = rule.meta.options.get(k) else {
            return Err(format!("unknown option `{k}`"));
        };
        let value = crate::rule::options::OptionValue::from_toml(v, default)
            .map_err(|e| format!("option `{k}`: {e}"))?;
        options.insert(k.clone(), value);
    }
    let mut note = crate::input::note_from_text(Origin::file(name), case.note.clone())
        .map_err(|p| p.message)?;
    note.template = case.template;
    let note = Arc::new(note);
    let template = ws.project.template.clone();
    let checker = Checker::single(
        ws.engine.clone(),
        ws.rules.clone(),
        rule.clone(),
        options,
        template,
    );
    let report = checker.check(&note);
    if let Some(f) = report.failures.first() {
        return Err(format!("the rule failed: {}", f.message));
    }
    let found: Vec<&str> = report.findings.iter().map(|f| note.slice(f.span)).collect();
    let describe = || {
        report
            .findings
            .iter()
            .map(|f| format!("  - {:?}: {}", note.slice(f.span), f.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if valid {
        if !report.findings.is_empty() {
            return Err(format!(
                "expected no findings, found {}:\n{}",
                found.len(),
                describe()
            ));
        }
        return Ok(());
    }
    if report.findings.is_empty() {
        return Err("expected findings, found none".into());
    }
    if let Some(want) = &case.flagged
        && want.iter().map(String::as_str).ne(found.iter().copied())
    {
        return Err(format!(
            "flagged texts differ\n  expected: {want:?}\n  actual:   {found:?}\n{}",
            describe()
        ));
    }
    if let Some(n) = case.count
        && n != found.len()
    {
        return Err(format!(
            "expected {n} findings, found {}:\n{}",
            found.len(),
            describe()
        ));
    }
    for m in &case.messages {
        if !report
            .findings
            .iter()
            .any(|f| f.message.contains(m.as_str()))
        {
            return Err(format!("no message contains {m:?}:\n{}", describe()));
        }
    }
    for (want, safety) in [
        (&case.output, Safety::Safe),
        (&case.unsafe_output, Safety::Unsafe),
    ] {
        if let Some(want) = want {
            let outcome = fix_note(&checker, note.clone(), safety);
            if let Some(c) = outcome.conflict {
                return Err(c);
            }
            if &outcome.note.source != want {
                return Err(format!(
                    "fixed text differs\n{}",
                    crate::fix::unified_diff(want, &outcome.note.source, "expected", "actual")
                ));
            }
        }
    }
    Ok(())
}
