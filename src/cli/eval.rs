//! `tact eval`: measure the rules on labelled notes.

use super::Outcome;
use super::config::EvalConfig;
use super::report_load_problems;
use std::ops::ControlFlow;
use tact::config::{ExcludeFlag, ProjectWalk, nested_problem};
use tact::eval::render::{human, json};
use tact::eval::{Labels, Observed, Options, Tally};
use tact::input;
use tact::problem::Problem;
use tact::render;
use tact::run::stream::stream;
use tact::workspace::{Checked, ReportedOnce, Workspace};

/// What the stream hands on for one item.
enum Evaluated {
    Note(Observed),
    Problems(Vec<Problem>),
    /// Its rulebook has errors: reported once, with the first such note.
    Unchecked {
        note: std::sync::Arc<tact::note::Note>,
        rulebook: String,
        problems: Vec<Problem>,
    },
}

/// `tact eval`.
/// `forced`: `--config` chose the project, so a folder's nested projects
/// are read with it too.
pub fn eval(ws: &Workspace, forced: bool, cfg: &EvalConfig, color: bool) -> Outcome {
    let mut failed = report_load_problems(ws, color);
    let mut select = std::collections::BTreeSet::new();
    for id in &cfg.select {
        match ws.rules.resolve(id) {
            Ok(rule) => {
                select.insert(rule.id.clone());
            }
            Err(e) => {
                let p = Problem::error("tact::usage", format!("`--select`: no rule `{id}`"))
                    .help(e.help());
                eprint!("{}", p.render(color));
                return Outcome::Error;
            }
        }
    }
    let options = Options {
        quartiles: cfg.quartiles,
        select,
    };
    // Folders are walked as `tact check` walks them.
    let no_exclude = ExcludeFlag::default();
    let mut walk = ProjectWalk::new(&ws.project, &no_exclude, forced);
    let items = input::notes_filtered(&cfg.paths, cfg.template, &mut walk).map(|item| {
        item.map(|mut note| {
            if note.front.channel.is_none() {
                note.front.channel = cfg.channel;
            }
            note.front.followup |= cfg.followup;
            note
        })
    });
    let resolve = |id: &str| {
        ws.rules
            .resolve(id)
            .map(|r| r.id.clone())
            .map_err(|e| format!("no rule `{id}` ({})", e.help()))
    };
    let mut tally = Tally::new(&options);
    let mut broken = ReportedOnce::default();
    stream(
        items,
        |item| match ws.check_item(cfg.rulebook.as_deref(), None, item) {
            Checked::Problem(p) => Evaluated::Problems(vec![p]),
            Checked::Note {
                note,
                rulebook,
                result: Err(problems),
                ..
            } => Evaluated::Unchecked {
                note,
                rulebook,
                problems,
            },
            Checked::Note {
                note,
                rulebook,
                result: Ok(report),
                ..
            } => {
                let labels = match Labels::read(&note, resolve) {
                    Ok(l) => l,
                    Err(e) => {
                        return Evaluated::Problems(vec![Problem::error(
                            "tact::eval::label",
                            format!("{}: {}", note.origin, e.0),
                        )]);
                    }
                };
                let failures: Vec<Problem> = report
                    .failures
                    .iter()
                    .map(render::failure_problem)
                    .collect();
                if !failures.is_empty() {
                    return Evaluated::Problems(failures);
                }
                Evaluated::Note(Observed::new(&note, &rulebook, labels, &report, &options))
            }
        },
        |result| {
            match result {
                Evaluated::Note(observed) => tally.add(observed),
                Evaluated::Problems(problems) => {
                    failed = true;
                    tally.problem();
                    for p in problems {
                        eprint!("{}", p.render(color));
                    }
                }
                Evaluated::Unchecked {
                    note,
                    rulebook,
                    problems,
                } => {
                    failed = true;
                    tally.problem();
                    for p in broken.problems(&note, &rulebook, problems) {
                        eprint!("{}", p.render(color));
                    }
                }
            }
            ControlFlow::Continue(())
        },
    );
    for config in walk.nested() {
        eprint!("{}", nested_problem(config, "eval").render(color));
    }
    for p in ws.skipped_rules() {
        failed = true;
        eprint!("{}", p.render(color));
    }
    let report = tally.finish(&options);
    let floors = cfg.floors.check(&report);
    // A floor with nothing to measure (no labels, no scores) is a mistake in
    // the command, not a failing rule.
    let unmeasured: Vec<&str> = floors
        .iter()
        .filter(|f| f.value.is_none())
        .map(|f| f.measure)
        .collect();
    if !unmeasured.is_empty() {
        let p = Problem::error(
            "tact::eval::nothing",
            format!(
                "nothing to measure for {}: {} notes checked, none with the labels it needs",
                unmeasured.join(", "),
                report.notes
            ),
        )
        .help("verdicts need `verdict` (and `expect`) columns; quartiles need a `score` column and `--split quartiles`");
        eprint!("{}", p.render(color));
        failed = true;
    } else if report.notes == 0 && !failed {
        eprintln!("warning: no notes in {}", cfg.paths.join(", "));
    }
    let text = if cfg.json {
        json(&report, &floors)
    } else {
        human(&report, &floors)
    };
    if super::print(&text) == Outcome::Error {
        return Outcome::Error;
    }
    if failed {
        Outcome::Error
    } else if floors.iter().any(|f| !f.ok) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
