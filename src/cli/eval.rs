//! `tact eval`: measure the rules on labelled notes.

use super::Outcome;
use super::config::EvalConfig;
use super::projects::Projects;
use std::ops::ControlFlow;
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
    /// Its project did not load: that was reported once.
    Unloaded,
    /// Its rulebook has errors: reported once, with the first such note.
    Unchecked {
        note: std::sync::Arc<tact::note::Note>,
        rulebook: String,
        problems: Vec<Problem>,
    },
}

/// `tact eval`: each note is checked with its own project, found as
/// `tact check` finds it (the nearest `tact.toml`, or `--config`), and
/// folders are walked as `check` walks them.
pub fn eval(projects: Projects, cfg: &EvalConfig, color: bool) -> Outcome {
    let mut failed = false;
    let show = |problems: Vec<Problem>, failed: &mut bool| {
        for p in problems {
            *failed = true;
            eprint!("{}", p.render(color));
        }
    };
    // `--select` names rules by id, the same rule in every project: it is
    // resolved against the project of each path given.
    let mut select = std::collections::BTreeSet::new();
    for path in &cfg.paths {
        let (problems, ws) = projects.for_path(Some(path));
        show(problems, &mut failed);
        let Some(ws) = ws else { continue };
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
    }
    let options = Options {
        quartiles: cfg.quartiles,
        select,
    };
    let items = input::pending(&cfg.paths, cfg.template, projects.clone()).map(|item| {
        let (problems, ws) = projects.for_path(item.path());
        (problems, ws, item)
    });
    let mut tally = Tally::new(&options);
    let mut broken = ReportedOnce::default();
    stream(
        items,
        |(problems, ws, item)| {
            let item = item.parse().map(|mut note| {
                if note.front.channel.is_none() {
                    note.front.channel = cfg.channel;
                }
                note.front.followup |= cfg.followup;
                note
            });
            let evaluated = match (ws, item) {
                (_, Err(p)) => Evaluated::Problems(vec![p]),
                (None, Ok(_)) => Evaluated::Unloaded,
                (Some(ws), item) => evaluate(&ws, cfg, &options, item),
            };
            (problems, evaluated)
        },
        |(problems, result)| {
            show(problems, &mut failed);
            match result {
                Evaluated::Note(observed) => tally.add(observed),
                Evaluated::Unloaded => {
                    failed = true;
                    tally.problem();
                }
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
    let late = projects.take_pending().into_iter();
    show(
        late.chain(projects.loaded().iter().flat_map(|ws| ws.skipped_rules()))
            .collect(),
        &mut failed,
    );
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

/// Checks one note with its project's rules and reads its labels.
fn evaluate(ws: &Workspace, cfg: &EvalConfig, options: &Options, item: input::Item) -> Evaluated {
    let resolve = |id: &str| {
        ws.rules
            .resolve(id)
            .map(|r| r.id.clone())
            .map_err(|e| format!("no rule `{id}` ({})", e.help()))
    };
    match ws.check_item(cfg.rulebook.as_deref(), None, item) {
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
            Evaluated::Note(Observed::new(&note, &rulebook, labels, &report, options))
        }
    }
}
