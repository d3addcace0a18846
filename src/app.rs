//! One function per subcommand: load what it needs, run it, and say how it
//! ended. `main` maps the [`Outcome`] to the exit status.

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, EvalArgs, EvalFormat, NewCommand, RuleKind,
};
use crate::config::Chosen;
use crate::config::Project;
use crate::finding::Safety;
use crate::fix::fix_note;
use crate::input;
use crate::note::Note;
use crate::problem::Problem;
use crate::render::{self, Format, Reporter, Summary};
use crate::run::NoteReport;
use crate::run::stream::stream;
use crate::workspace::Workspace;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::sync::Arc;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at error level; warnings within `--max-warnings`. Exit 0.
    Clean,
    /// Findings that fail the run. Exit 1.
    Findings,
    /// Usage, configuration, plugin or input error. Exit 2.
    Error,
}

impl Outcome {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Error => 2,
        }
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Outcome {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let project = match Project::load(cli.config.as_deref()) {
        Ok(p) => p,
        Err(p) => {
            eprint!("{}", p.render(color));
            return Outcome::Error;
        }
    };
    match cli.command {
        Command::Check(mut args) => {
            if args.paths.is_empty() {
                if std::io::stdin().is_terminal() {
                    eprintln!(
                        "error: nothing to check: give note files or folders, or pipe a note on stdin (`-`)"
                    );
                    return Outcome::Error;
                }
                args.paths.push("-".into());
            }
            let ws = Workspace::load(project, &cli.plugins);
            check(&ws, &args, color)
        }
        Command::Rules { rulebook } => crate::commands::rules(
            &Workspace::load(project, &cli.plugins),
            rulebook.as_deref(),
            color,
        ),
        Command::Explain { rule } => {
            crate::commands::explain(&Workspace::load(project, &cli.plugins), &rule, color)
        }
        Command::Rulebooks { name } => crate::commands::rulebooks(
            &Workspace::load(project, &cli.plugins),
            name.as_deref(),
            color,
        ),
        Command::Init { dir } => crate::scaffold::init(&dir, color),
        Command::New(NewCommand::Rule { name, kind, dir }) => {
            let kind = match kind {
                RuleKind::Check => crate::plugin::meta::Kind::Check,
                RuleKind::Rewrite => crate::plugin::meta::Kind::Rewrite,
            };
            crate::scaffold::new_rule(&project, &name, kind, dir.as_deref(), color)
        }
        Command::Eval(args) => eval(&Workspace::load(project, &cli.plugins), &args, color),
        Command::Watch(args) => crate::watch::run(project, &cli.plugins, &args, color),
        Command::Test { dirs, filter } => {
            let mut extra = cli.plugins.clone();
            extra.extend(dirs.iter().cloned());
            let ws = Workspace::load(project, &extra);
            crate::commands::test(&ws, &dirs, filter.as_deref(), color)
        }
    }
}

/// Prints load problems to stderr; true when there were any.
pub fn report_load_problems(ws: &Workspace, color: bool) -> bool {
    for p in &ws.problems {
        eprint!("{}", p.render(color));
    }
    !ws.problems.is_empty()
}

/// What checking (and maybe fixing) one input item produced.
enum Checked {
    Problem(Problem),
    Note {
        note: Arc<Note>,
        rulebook: String,
        result: Result<NoteReport, Vec<Problem>>,
        fixed: Option<FixResult>,
    },
}

/// How `check_one` fixes a note.
#[derive(Clone, Copy)]
struct FixMode {
    safety: Safety,
    /// Show the fix as a diff instead of reporting what is left.
    diff: bool,
}

struct FixResult {
    original: Arc<Note>,
    fixed: Arc<Note>,
    applied: usize,
    conflict: Option<String>,
    /// The findings of the original, reported when the fixed text cannot be written.
    original_report: NoteReport,
}

/// Checks one input item with the rulebook `flag` names (else the note's
/// own), fixing it when `fix` says how.
fn check_one(
    ws: &Workspace,
    flag: Option<&str>,
    fix: Option<FixMode>,
    item: input::Item,
) -> Checked {
    let note = match item {
        Ok(mut n) => {
            ws.project.apply_selection(&mut n);
            Arc::new(n)
        }
        Err(p) => return Checked::Problem(p),
    };
    let (rulebook, chosen) = ws.project.choose_rulebook(&note, flag);
    let checker = match ws.checker(&rulebook) {
        Ok(c) => c,
        Err(problems) => {
            let mut problems: Vec<Problem> = problems
                .into_iter()
                .map(|p| locate_missing_rulebook(ws, p, &note, &rulebook, chosen))
                .collect();
            if problems.is_empty() {
                // The rulebook's errors were reported with the first note that needed it.
                problems.push(Problem::error(
                    "tact::rulebook::unusable",
                    format!(
                        "`{}` not checked: rulebook `{rulebook}` has errors (reported above)",
                        note.origin
                    ),
                ));
            }
            return Checked::Note {
                note,
                rulebook,
                result: Err(problems),
                fixed: None,
            };
        }
    };
    if let Some(FixMode { safety, diff }) = fix {
        let outcome = fix_note(&checker, note.clone(), safety);
        // --diff changes nothing, so it reports the note as it is; --fix
        // reports what is left after fixing.
        let (shown, report) = if diff {
            (note.clone(), outcome.original_report.clone())
        } else {
            (outcome.note.clone(), outcome.report)
        };
        let fixed = FixResult {
            original: note,
            fixed: outcome.note,
            applied: outcome.applied,
            conflict: outcome.conflict,
            original_report: outcome.original_report,
        };
        return Checked::Note {
            note: shown,
            rulebook,
            result: Ok(report),
            fixed: Some(fixed),
        };
    }
    let report = checker.check(&note);
    Checked::Note {
        note,
        rulebook,
        result: Ok(report),
        fixed: None,
    }
}

/// A missing rulebook points at what named it: the note's `goal`, or the
/// value in `tact.toml`.
fn locate_missing_rulebook(
    ws: &Workspace,
    p: Problem,
    note: &Note,
    name: &str,
    chosen: Chosen,
) -> Problem {
    if p.code != "tact::rulebook::missing" || p.source.is_some() {
        return p;
    }
    match chosen {
        Chosen::Goal if !note.front.goal_span.is_empty() => {
            let src = crate::problem::Source::new(note.origin.to_string(), note.source.as_str());
            p.at(src, note.front.goal_span, "the note's goal")
        }
        Chosen::Goal => {
            let mut p = p;
            p.message = format!("{} (the `goal` of {})", p.message, note.origin);
            p
        }
        Chosen::Config => {
            let Some(path) = &ws.project.path else {
                return p;
            };
            let Ok(text) = std::fs::read_to_string(path) else {
                return p;
            };
            let quoted = format!("\"{name}\"");
            let span = text
                .rfind(&quoted)
                .map(|i| crate::span::Span::new(i + 1, i + 1 + name.len()))
                .unwrap_or_default();
            p.at(
                crate::problem::Source::new(path.display().to_string(), text),
                span,
                "named here",
            )
        }
        Chosen::Flag | Chosen::Fallback => p,
    }
}

/// `tact check`.
pub fn check(ws: &Workspace, args: &CheckArgs, color: bool) -> Outcome {
    let fixing_stdin = args.fix && args.paths.iter().any(|p| p == "-");
    // With --diff the diff owns stdout and the findings go to stderr.
    let report_to_stderr = fixing_stdin || args.diff;
    if fixing_stdin && args.format != Format::Human {
        eprintln!("error: `--fix` on stdin writes the fixed note to stdout; use the human format");
        return Outcome::Error;
    }
    // With --fix on stdin the fixed note owns stdout; diagnostics go to stderr.
    let mut reporter: Box<dyn Reporter> = render::reporter(args.format, color, report_to_stderr);
    let mut summary = Summary {
        dry_run: args.diff,
        ..Summary::default()
    };
    let mut failed = false;
    for p in &ws.problems {
        failed = true;
        summary.problems += 1;
        let _ = reporter.problem(p);
    }
    if let Err(p) = check_fix_args(args) {
        eprint!("{}", p.render(color));
        return Outcome::Error;
    }
    let fix = (args.fix || args.diff).then_some(FixMode {
        safety: if args.unsafe_fixes {
            Safety::Unsafe
        } else {
            Safety::Safe
        },
        diff: args.diff,
    });
    let mut batches = Batches::new();
    let mut io_error = None;
    stream(
        input::notes(&args.paths, args.template),
        |item| check_one(ws, args.rulebook.as_deref(), fix, item),
        |checked| {
            match checked {
                Checked::Problem(p) => {
                    failed = true;
                    summary.problems += 1;
                    let _ = reporter.problem(&p);
                }
                Checked::Note {
                    result: Err(problems),
                    ..
                } => {
                    failed = true;
                    for p in problems {
                        summary.problems += 1;
                        let _ = reporter.problem(&p);
                    }
                }
                Checked::Note {
                    mut note,
                    rulebook,
                    result: Ok(mut report),
                    fixed,
                } => {
                    if let Some(fx) = fixed {
                        match write_fix(args, &fx, &mut batches) {
                            Ok(()) => summary.fixed += fx.applied,
                            Err(p) => {
                                failed = true;
                                summary.problems += 1;
                                let _ = reporter.problem(&p);
                                // Nothing was written: report the note as it is on disk.
                                report = fx.original_report.clone();
                                note = fx.original.clone();
                            }
                        }
                        if let Some(c) = &fx.conflict {
                            failed = true;
                            summary.problems += 1;
                            let _ = reporter.problem(&Problem::error(
                                "tact::fix::conflict",
                                format!("{}: {c}", note.origin),
                            ));
                        }
                    }
                    failed |= !report.failures.is_empty();
                    summary.add(&report);
                    if let Err(e) = reporter.note(&note, &report, &rulebook) {
                        io_error = Some(e);
                        return ControlFlow::Break(());
                    }
                }
            }
            ControlFlow::Continue(())
        },
    );
    if let Some(e) = io_error {
        // A closed pipe (`tact check … | head`) is not an error.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return if failed {
                Outcome::Error
            } else {
                Outcome::Clean
            };
        }
        eprintln!("error: cannot write output: {e}");
        return Outcome::Error;
    }
    if args.fix {
        for p in write_batches(args, &batches) {
            failed = true;
            summary.problems += 1;
            let _ = reporter.problem(&p);
        }
    }
    for p in ws.skipped_rules() {
        failed = true;
        summary.problems += 1;
        let _ = reporter.problem(&p);
    }
    let _ = reporter.finish(&summary);
    if let Some(max) = args.max_warnings
        && summary.warnings > max
    {
        eprintln!(
            "error: {} warnings, more than --max-warnings {max}",
            summary.warnings
        );
    }
    if failed {
        Outcome::Error
    } else if summary.errors > 0 || args.max_warnings.is_some_and(|m| summary.warnings > m) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Fixed texts of batch rows: file → row → text.
type Batches = BTreeMap<String, BTreeMap<usize, String>>;

/// Where a fixed note goes: `--diff` prints a diff, stdin goes to stdout,
/// a file is rewritten in place (atomically; front matter untouched), and a
/// batch row is kept for [`write_batches`].
/// Fixed batch rows are collected by file and written out at the end.
fn write_fix(args: &CheckArgs, fx: &FixResult, batches: &mut Batches) -> Result<(), Problem> {
    let (original, fixed) = (&fx.original, &fx.fixed);
    if args.diff {
        if original.source != fixed.source {
            let name = original.origin.to_string();
            print!(
                "{}",
                unified_diff(&original.source, &fixed.source, &name, &name)
            );
        }
        return Ok(());
    }
    if let Some(row) = original.origin.row {
        if original.source != fixed.source {
            batches
                .entry(original.origin.path.clone())
                .or_default()
                .insert(row, fixed.source.clone());
        }
        return Ok(());
    }
    if original.origin.path == "-" {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(fixed.source.as_bytes());
        let _ = out.flush();
        return Ok(());
    }
    if original.source == fixed.source {
        return Ok(());
    }
    crate::fix_output::write_atomically(
        std::path::Path::new(&original.origin.path),
        &original.source,
        &fixed.source,
    )
}

/// Batches are fixed into `--output`, so `--fix` on a batch needs exactly one
/// batch input and an output file.
fn check_fix_args(args: &CheckArgs) -> Result<(), Problem> {
    let batch_inputs: Vec<&String> = args
        .paths
        .iter()
        .filter(|p| input::kind_of(std::path::Path::new(p)) != input::Kind::Note)
        .collect();
    if args.output.is_some() && !args.fix {
        return Err(Problem::error(
            "tact::usage",
            "`--output` is where `--fix` writes a fixed batch; add `--fix`",
        ));
    }
    if args.fix && !batch_inputs.is_empty() {
        if args.output.is_none() {
            return Err(Problem::error(
                "tact::usage",
                "`--fix` on a JSONL or CSV batch needs `--output FILE`",
            )
            .help(
                "the batch is written to FILE with the same rows and columns, only the text fixed",
            ));
        }
        if batch_inputs.len() > 1 || args.paths.len() > 1 {
            return Err(Problem::error(
                "tact::usage",
                "`--fix --output` takes one batch file",
            ));
        }
    }
    Ok(())
}

/// Writes each fixed batch to `--output` (every batch input, even one without fixes).
fn write_batches(args: &CheckArgs, batches: &Batches) -> Vec<Problem> {
    let Some(output) = &args.output else {
        return vec![];
    };
    let empty = BTreeMap::new();
    args.paths
        .iter()
        .filter(|p| input::kind_of(std::path::Path::new(p)) != input::Kind::Note)
        .filter_map(|p| {
            crate::fix_output::write_batch(p, output, batches.get(p).unwrap_or(&empty)).err()
        })
        .collect()
}

/// A unified diff of two texts with file headers.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{old_name}"), &format!("b/{new_name}"))
        .missing_newline_hint(false)
        .to_string()
}

/// `tact eval`.
pub fn eval(ws: &Workspace, args: &EvalArgs, color: bool) -> Outcome {
    use crate::eval::render::{Floors, human, json};
    use crate::eval::{Labels, Observed, Options, Tally};
    let mut failed = report_load_problems(ws, color);
    let mut select = std::collections::BTreeSet::new();
    for id in &args.select {
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
        quartiles: args.split.is_some(),
        select,
    };
    let items = input::notes(&args.paths, args.template).map(|item| {
        item.map(|mut note| {
            if note.front.channel.is_none() {
                note.front.channel = args.channel;
            }
            note.front.followup |= args.followup;
            note
        })
    });
    let resolve = |id: &str| {
        ws.rules
            .resolve(id)
            .map(|r| r.id.clone())
            .map_err(|e| format!("no rule `{id}` ({})", e.help()))
    };
    let mut tally = Tally::default();
    stream(
        items,
        |item| match check_one(ws, args.rulebook.as_deref(), None, item) {
            Checked::Problem(p) => Err(vec![p]),
            Checked::Note {
                result: Err(problems),
                ..
            } => Err(problems),
            Checked::Note {
                note,
                rulebook,
                result: Ok(report),
                ..
            } => {
                let labels = Labels::read(&note, resolve).map_err(|e| {
                    vec![Problem::error(
                        "tact::eval::label",
                        format!("{}: {}", note.origin, e.0),
                    )]
                })?;
                let failures: Vec<Problem> = report
                    .failures
                    .iter()
                    .map(render::failure_problem)
                    .collect();
                if !failures.is_empty() {
                    return Err(failures);
                }
                Ok(Observed::new(&note, &rulebook, labels, &report, &options))
            }
        },
        |result| {
            match result {
                Ok(observed) => tally.add(observed),
                Err(problems) => {
                    failed = true;
                    tally.problem();
                    for p in problems {
                        eprint!("{}", p.render(color));
                    }
                }
            }
            ControlFlow::Continue(())
        },
    );
    for p in ws.skipped_rules() {
        failed = true;
        eprint!("{}", p.render(color));
    }
    let report = tally.finish(&options);
    let floors = Floors {
        precision: args.min_precision,
        recall: args.min_recall,
        pass: args.min_pass,
        balanced_accuracy: args.min_balanced_accuracy,
        tone: args.min_tone,
    }
    .check(&report);
    let text = match args.format {
        EvalFormat::Human => human(&report, &floors),
        EvalFormat::Json => json(&report, &floors),
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write output: {e}");
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
