//! The listing and documentation commands: `rules`, `explain`, `rulebooks`, `test`.

use crate::cli::{Outcome, print, report_load_problems};
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tact::plugin::Rule;
use tact::problem::Problem;
use tact::testing;
use tact::workspace::Workspace;

/// `tact rules [--rulebook X]`.
pub fn rules(ws: &Workspace, rulebook: Option<&str>, color: bool) -> Outcome {
    let failed = report_load_problems(ws, color);
    let mut out = String::new();
    match rulebook {
        None => {
            // The pack and version each rule comes from, and whether
            // `[overrides]` put another script in its place.
            for r in ws.rules.iter() {
                let pack = r.id.split_once('/').map(|(p, _)| p).unwrap_or("");
                let from = match &r.version {
                    Some(v) => format!("{pack} {v}"),
                    None => pack.to_owned(),
                };
                let from = if r.overridden {
                    format!("{from}, overridden by {}", r.path)
                } else {
                    from
                };
                let _ = writeln!(
                    out,
                    "{:<30} {:<5} {:<7} {} [{from}]",
                    r.id,
                    r.meta.level.as_str(),
                    r.meta.kind.as_str(),
                    r.meta.summary
                );
            }
        }
        Some(name) => match ws.rulebooks.resolve(name, &ws.rules) {
            Ok(book) => {
                for (id, s) in &book.rules {
                    let summary = ws
                        .rules
                        .get(id)
                        .map(|r| r.meta.summary.as_str())
                        .unwrap_or("");
                    let _ = writeln!(out, "{:<30} {:<5} {}", id, s.level.as_str(), summary);
                }
            }
            Err(problems) => {
                for p in problems {
                    eprint!("{}", p.render(color));
                }
                return Outcome::Error;
            }
        },
    }
    match print(&out) {
        Outcome::Clean if failed => Outcome::Error,
        o => o,
    }
}

/// `tact explain RULE`: docs, options with defaults, and the test cases as examples.
pub fn explain(ws: &Workspace, id: &str, color: bool) -> Outcome {
    // Diagnostic codes and the host's own findings have entries too.
    if let Some(code) = tact::codes::describe(id) {
        return print(&format!("# {}\n\n{}\n", code.code, code.meaning));
    }
    if id == tact::run::UNUSED_ALLOW {
        return print(&format!("# {id}\n\n{}\n", tact::run::UNUSED_ALLOW_DOC));
    }
    let rule = match ws.rules.resolve(id) {
        Ok(r) => r,
        Err(e) => {
            let p = Problem::error("tact::explain::unknown-rule", format!("no rule `{id}`"))
                .help(e.help());
            eprint!("{}", p.render(color));
            return Outcome::Error;
        }
    };
    print(&explain_text(rule))
}

/// The text `tact explain` prints for a rule.
pub fn explain_text(rule: &Rule) -> String {
    let mut out = format!("# {}\n\n{}\n\n", rule.id, rule.meta.summary);
    out += &format!(
        "Default level: {}. Kind: {}. Source: {}\n\n",
        rule.meta.level.as_str(),
        rule.meta.kind.as_str(),
        rule.path
    );
    let body = rule.docs.lines().skip(1).collect::<Vec<_>>().join("\n");
    if !body.trim().is_empty() {
        out += body.trim();
        out += "\n\n";
    }
    out += "## Options\n\n";
    if rule.meta.options.is_empty() {
        out += "None.\n";
    }
    for (k, v) in &rule.meta.options {
        out += &format!("- `{k}` (default: {v})\n");
    }
    if !rule.meta.triggers.is_empty() {
        out += &format!(
            "\nRuns only on notes containing one of {} trigger phrases.\n",
            rule.meta.triggers.len()
        );
    }
    if let Some(Ok(cases)) = testing::cases(rule) {
        let mut examples = String::new();
        for c in cases.invalid.iter().take(3) {
            examples += &format!(
                "Flagged:\n\n    {}\n",
                c.note.trim().replace('\n', "\n    ")
            );
            // An unsafe-only rewrite has `output` equal to the note; show what changes.
            let changed = |o: &&String| o.as_str() != c.note.as_str();
            if let Some(o) = c
                .output
                .as_ref()
                .filter(changed)
                .or(c.unsafe_output.as_ref().filter(changed))
            {
                examples += &format!(
                    "\nRewritten to:\n\n    {}\n",
                    o.trim().replace('\n', "\n    ")
                );
            }
            examples += "\n";
        }
        for c in cases.valid.iter().take(2) {
            examples += &format!(
                "Passes:\n\n    {}\n\n",
                c.note.trim().replace('\n', "\n    ")
            );
        }
        if !examples.is_empty() {
            out += "\n## Examples\n\n";
            out += &examples;
        }
    }
    out
}

/// `tact rulebooks [NAME]`.
pub fn rulebooks(ws: &Workspace, name: Option<&str>, color: bool) -> Outcome {
    let failed = report_load_problems(ws, color);
    let done = |out: &str| match print(out) {
        Outcome::Clean if failed => Outcome::Error,
        o => o,
    };
    let mut out = String::new();
    let Some(name) = name else {
        for b in ws.rulebooks.books.values() {
            let extends = b
                .extends
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let extends = if extends.is_empty() {
                String::new()
            } else {
                format!(" (extends {extends})")
            };
            let _ = writeln!(out, "{:<14} {}{}", b.name, b.description, extends);
        }
        return done(&out);
    };
    match ws.rulebooks.resolve(name, &ws.rules) {
        Ok(book) => {
            let raw = &ws.rulebooks.books[name];
            let _ = writeln!(out, "# {}\n\n{}\n", book.name, book.description);
            if !raw.audience.is_empty() {
                let _ = writeln!(out, "Audience: {}", raw.audience);
            }
            if !raw.goal.is_empty() {
                let _ = writeln!(out, "Goal: {}", raw.goal);
            }
            let _ = writeln!(
                out,
                "Applies: {}  (source: {})\n",
                book.chain.join(" → "),
                raw.path
            );
            let line = |out: &mut String, id: &str, s: &tact::rulebook::ActiveSetting| {
                let opts: Vec<String> = s
                    .options
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<30} {:<5} {}",
                    id,
                    s.level.as_str(),
                    opts.join(", ")
                );
            };
            for (id, s) in &book.rules {
                line(&mut out, id, s);
            }
            // What differs for messages and InMails, where anything does.
            for (channel, rules) in &book.channel_rules {
                let changed: Vec<_> = book
                    .rules
                    .keys()
                    .chain(rules.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .filter(|id| {
                        let (a, b) = (book.rules.get(*id), rules.get(*id));
                        a.map(|s| (s.level, &s.options)) != b.map(|s| (s.level, &s.options))
                    })
                    .collect();
                if changed.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\nFor channel = \"{}\":", channel.as_str());
                for id in changed {
                    match rules.get(id) {
                        Some(s) => line(&mut out, id, s),
                        None => {
                            let _ = writeln!(out, "{id:<30} off");
                        }
                    }
                }
            }
            done(&out)
        }
        Err(problems) => {
            for p in problems {
                eprint!("{}", p.render(color));
            }
            Outcome::Error
        }
    }
}

/// `tact test [DIR…] [--filter RULE]`.
pub fn test(ws: &Workspace, dirs: &[PathBuf], filter: Option<&str>, color: bool) -> Outcome {
    let load_failed = report_load_problems(ws, color);
    let in_dirs = |r: &Rule| {
        dirs.is_empty()
            || r.disk_path.as_ref().is_some_and(|p| {
                let p = p.canonicalize().unwrap_or_else(|_| p.clone());
                dirs.iter()
                    .any(|d| d.canonicalize().is_ok_and(|d| p.starts_with(d)))
            })
    };
    let selected: Vec<&Arc<Rule>> = ws
        .rules
        .iter()
        .filter(|r| in_dirs(r))
        .filter(|r| filter.is_none_or(|f| r.id == f || r.name() == f))
        .collect();
    if let Some(f) = filter
        && selected.is_empty()
    {
        let help = match ws.rules.resolve(f) {
            Ok(r) => format!("`{}` is not under the folders given", r.id),
            Err(e) => e.help(),
        };
        eprint!(
            "{}",
            Problem::error("tact::test::no-match", format!("no rule matches `{f}`"))
                .help(help)
                .render(color)
        );
        return Outcome::Error;
    }
    let where_ = if dirs.is_empty() {
        "the project's rules".to_owned()
    } else {
        dirs.iter()
            .map(|d| format!("`{}`", d.display()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    run_cases(ws, selected, &where_, load_failed, color)
}

/// `tact pack test`: the cases of the rules `ids` (one pack's), reporting the
/// load problems first when `report` is set.
pub fn test_rules(
    ws: &Workspace,
    ids: &std::collections::BTreeSet<String>,
    pack: &str,
    report: bool,
    color: bool,
) -> Outcome {
    let load_failed = if report {
        report_load_problems(ws, color)
    } else {
        !ws.problems().is_empty()
    };
    let selected: Vec<&Arc<Rule>> = ws.rules.iter().filter(|r| ids.contains(&r.id)).collect();
    run_cases(ws, selected, &format!("pack `{pack}`"), load_failed, color)
}

/// Runs the cases of `selected`; nothing run at all is an error.
fn run_cases(
    ws: &Workspace,
    selected: Vec<&Arc<Rule>>,
    where_: &str,
    load_failed: bool,
    color: bool,
) -> Outcome {
    let (mut passed, mut failed) = (0, 0);
    let mut untested = Vec::new();
    let mut out = String::new();
    for rule in selected {
        let results = testing::run_rule(ws, rule);
        if results.is_empty() {
            untested.push(rule.id.clone());
        }
        for r in results {
            match r.failure {
                None => passed += 1,
                Some(why) => {
                    failed += 1;
                    let _ = writeln!(out, "FAIL {}\n  {}\n", r.name, why.replace('\n', "\n  "));
                }
            }
        }
    }
    if !untested.is_empty() {
        let _ = writeln!(out, "no test cases: {}", untested.join(", "));
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    if print(&out) == Outcome::Error {
        return Outcome::Error;
    }
    if passed + failed == 0 {
        // Nothing ran: a wrong folder, or rules without cases, is not a pass.
        eprint!(
            "{}",
            Problem::error("tact::test::none", format!("no test cases in {where_}"))
                .help("a rule's cases live beside it in `<rule>.test.toml`; `tact new rule` writes one")
                .render(color)
        );
        return Outcome::Error;
    }
    if failed > 0 {
        Outcome::Findings
    } else if load_failed {
        Outcome::Error
    } else {
        Outcome::Clean
    }
}
