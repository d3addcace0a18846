//! One function per subcommand: load what it needs, run it, and say how it
//! ended. `main` maps the [`Outcome`] to the exit status.

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, NewCommand, RuleKind};
use crate::config::Chosen;
use crate::config::Project;
use crate::finding::Safety;
use crate::fix::fix_note;
use crate::input;
use crate::note::Note;
use crate::problem::Problem;
use crate::render::{self, Format, Reporter, Summary};
use crate::run::NoteReport;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
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

struct FixResult {
    original: Arc<Note>,
    fixed: Arc<Note>,
    applied: usize,
    conflict: Option<String>,
    /// The findings of the original, reported when the fixed text cannot be written.
    original_report: NoteReport,
}

fn check_one(ws: &Workspace, args: &CheckArgs, item: input::Item) -> Checked {
    let note = match item {
        Ok(mut n) => {
            ws.project.apply_selection(&mut n);
            Arc::new(n)
        }
        Err(p) => return Checked::Problem(p),
    };
    let (rulebook, chosen) = ws.project.choose_rulebook(&note, args.rulebook.as_deref());
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
    if args.fix || args.diff {
        let safety = if args.unsafe_fixes {
            Safety::Unsafe
        } else {
            Safety::Safe
        };
        let outcome = fix_note(&checker, note.clone(), safety);
        // --diff changes nothing, so it reports the note as it is; --fix
        // reports what is left after fixing.
        let (shown, report) = if args.diff {
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

/// Notes are checked in parallel in chunks of this many, then reported in
/// input order, so memory stays flat however long the batch.
const CHUNK: usize = 1024;

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
    let mut batches = Batches::new();
    let mut items = input::notes(&args.paths, args.template).peekable();
    let mut io_error = None;
    while items.peek().is_some() {
        let chunk: Vec<input::Item> = items.by_ref().take(CHUNK).collect();
        let results: Vec<Checked> = chunk
            .into_par_iter()
            .map(|item| check_one(ws, args, item))
            .collect();
        for checked in results {
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
                        break;
                    }
                }
            }
        }
        if io_error.is_some() {
            break;
        }
    }
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
    crate::fix_output::write_atomically(std::path::Path::new(&original.origin.path), &fixed.source)
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
