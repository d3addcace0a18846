//! `tact check`: check notes on the stream, report them in input order, and
//! write fixes where they go.

use super::Outcome;
use super::config::{CheckConfig, Mode};
use super::projects::Projects;
use super::terminal;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;
use tact::finding::Level;
use tact::input;
use tact::problem::Problem;
use tact::render::{self, Reporter, Summary};
use tact::run::stream::stream;
use tact::workspace::{Checked, FixResult, ReportedOnce};

/// `tact check`.
pub fn check(projects: Projects, cfg: &CheckConfig) -> Outcome {
    // With --fix on stdin the fixed note owns stdout, and with --diff the
    // diff does: diagnostics go to stderr.
    let docs = projects.clone();
    let mut reporter: Box<dyn Reporter> = render::reporter(
        cfg.format,
        render::ReporterOptions {
            color: cfg.color,
            color_err: cfg.color_err,
            to_stderr: cfg.report_to_stderr,
            statistics: cfg.statistics,
            docs: Box::new(move |id| docs.rule_doc(id)),
            step_summary: cfg.step_summary.clone(),
        },
    );
    let mut summary = Summary {
        dry_run: matches!(cfg.mode, Mode::Diff(_)),
        quiet: cfg.quiet,
        ..Summary::default()
    };
    let mut diffs = 0;
    let mut failed = false;
    let fix = cfg.fix_mode();
    let mut batches = Batches::default();
    let mut broken = ReportedOnce::default();
    let mut io_error = None;
    // Batch rows are parsed on the workers: this thread only splits files.
    let items = input::pending(&cfg.paths, cfg.template, projects.clone()).map(|mut item| {
        // stdin's note takes the name `--stdin-filename` gives it, before its
        // project and `[select]` are looked up.
        if let (input::Pending::Read(Ok(n)), Some(name)) = (&mut item, &cfg.stdin_filename)
            && n.origin.path == "-"
        {
            n.origin.path = name.clone();
        }
        let (load_problems, ws) = projects.for_path(item.path());
        (load_problems, ws, item)
    });
    let bar = terminal::progress(|| terminal::count_notes(&cfg.paths));
    // Without fixes, a note's findings are rendered on the worker too.
    let ahead = reporter.ahead().filter(|_| fix.is_none());
    stream(
        items,
        |(load_problems, ws, item)| {
            let mut checked = match (ws, item.parse()) {
                (_, Err(p)) => Some(Checked::Problem(p)),
                (Some(ws), item) => Some(ws.check_item(cfg.rulebook.as_deref(), fix, item)),
                // Its project did not load: that was reported once.
                (None, Ok(_)) => None,
            };
            let mut rendered = None;
            if let (
                Some(ahead),
                Some(Checked::Note {
                    note,
                    rulebook,
                    result: Ok(report),
                    fixed: None,
                }),
            ) = (&ahead, &mut checked)
            {
                if cfg.quiet {
                    report.findings.retain(|f| f.level == Level::Error);
                }
                rendered = Some(ahead.render(note, report, rulebook));
            }
            (load_problems, checked, rendered)
        },
        |(load_problems, checked, rendered)| {
            bar.inc(1);
            for p in &load_problems {
                failed = true;
                summary.problems += 1;
                let _ = reporter.problem(p);
            }
            let Some(checked) = checked else {
                failed = true;
                return ControlFlow::Continue(());
            };
            match checked {
                Checked::Problem(p) => {
                    failed = true;
                    summary.problems += 1;
                    let _ = reporter.problem(&p);
                }
                Checked::Note {
                    note,
                    rulebook,
                    result: Err(problems),
                    ..
                } => {
                    failed = true;
                    for p in broken.problems(&note, &rulebook, problems) {
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
                        match unsettled(cfg, &fx)
                            .map_or_else(|| write_fix(cfg, &fx, &mut batches), |p| Err(Some(p)))
                        {
                            Ok(()) => {
                                summary.fixed += fx.applied;
                                diffs += usize::from(fx.original.source != fx.fixed.source);
                            }
                            Err(p) => {
                                failed = true;
                                if let Some(p) = p {
                                    summary.problems += 1;
                                    let _ = reporter.problem(&p);
                                }
                                // Nothing was written: report the note as it is on disk.
                                report = fx.original_report.clone();
                                note = fx.original.clone();
                            }
                        }
                        // With --diff the conflict is reported here; with --fix,
                        // `unsettled` already did, and nothing was written.
                        if let (Some(c), Mode::Diff(_)) = (&fx.conflict, cfg.mode) {
                            failed = true;
                            summary.problems += 1;
                            let _ = reporter.problem(&Problem::error(
                                "tact::fix::conflict",
                                format!("{}: {c}", note.origin),
                            ));
                        }
                    }
                    failed |= !report.failures.is_empty();
                    if cfg.quiet {
                        report.findings.retain(|f| f.level == Level::Error);
                    }
                    summary.add(&report);
                    let written = match rendered {
                        Some(bytes) => reporter.note_rendered(&note, &report, &rulebook, bytes),
                        None => reporter.note(&note, &report, &rulebook),
                    };
                    if let Err(e) = written {
                        io_error = Some(e);
                        return ControlFlow::Break(());
                    }
                }
            }
            ControlFlow::Continue(())
        },
    );
    bar.finish_and_clear();
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
    if matches!(cfg.mode, Mode::Fix(_)) {
        for p in write_batches(cfg, &batches) {
            failed = true;
            summary.problems += 1;
            let _ = reporter.problem(&p);
        }
    }
    let late = projects.take_pending().into_iter();
    let after_run = projects
        .loaded()
        .iter()
        .flat_map(|ws| ws.late_problems().into_iter().chain(ws.skipped_rules()))
        .collect::<Vec<_>>();
    for p in late.chain(after_run) {
        failed = true;
        summary.problems += 1;
        let _ = reporter.problem(&p);
    }
    let _ = reporter.finish(&summary);
    if cfg.timings {
        let mut all = tact::run::Timings::default();
        projects
            .loaded()
            .iter()
            .for_each(|ws| all.merge(ws.timings()));
        eprint!("{}", all.table());
    }
    if let Some(max) = cfg.max_warnings
        && summary.warnings > max
    {
        eprintln!(
            "error: {} warnings, more than --max-warnings {max}",
            summary.warnings
        );
    }
    // `--diff` fails when there is a diff (as `ruff check --diff` does);
    // otherwise errors, or warnings past `--max-warnings`, fail the run.
    let findings_fail = match cfg.mode {
        Mode::Diff(_) => diffs > 0,
        _ => summary.errors > 0 || cfg.max_warnings.is_some_and(|m| summary.warnings > m),
    };
    if failed {
        Outcome::Error
    } else if findings_fail && !cfg.exit_zero {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// A note's path as a diff header names it, relative to the current folder
/// and without `./`, so `git apply` takes the diff from the repository root;
/// an absolute path outside the current folder loses its leading `/`.
fn diff_path(path: &str) -> String {
    use std::path::{Component, Path};
    let p = Path::new(path);
    let cwd = std::env::current_dir().ok();
    let p = cwd
        .as_deref()
        .and_then(|d| p.strip_prefix(d).ok())
        .unwrap_or(p);
    let parts: Vec<String> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    parts.join("/")
}

/// Why a fixed note must not be written (`--fix` only): its fixes did not
/// settle, or it grew past the note size cap.
fn unsettled(cfg: &CheckConfig, fx: &FixResult) -> Option<Problem> {
    if !matches!(cfg.mode, Mode::Fix(_)) {
        return None;
    }
    let origin = &fx.original.origin;
    if let Some(c) = &fx.conflict {
        return Some(Problem::error(
            "tact::fix::conflict",
            format!("{origin}: {c}; nothing was written"),
        ));
    }
    let size = fx.fixed.source.len();
    (size > input::MAX_NOTE_BYTES).then(|| {
        Problem::error(
            "tact::fix::too-large",
            format!(
                "{origin}: the fixed note would be {} KiB, over the {} KiB a note may hold; nothing was written",
                size / 1024,
                input::MAX_NOTE_BYTES / 1024
            ),
        )
    })
}

/// Fixed texts of batch rows (file → row → text), and the batches found in
/// folders that `--fix` cannot write (reported once each).
#[derive(Default)]
struct Batches {
    rows: BTreeMap<String, BTreeMap<usize, String>>,
    refused: std::collections::BTreeSet<String>,
}

/// Where a fixed note goes: `--diff` prints a diff, stdin goes to stdout,
/// a file is rewritten in place (atomically; front matter untouched), and a
/// batch row is kept for [`write_batches`].
/// Fixed batch rows are collected by file and written out at the end.
/// `Err(None)`: not written, and already reported.
fn write_fix(
    cfg: &CheckConfig,
    fx: &FixResult,
    batches: &mut Batches,
) -> Result<(), Option<Problem>> {
    let (original, fixed) = (&fx.original, &fx.fixed);
    if matches!(cfg.mode, Mode::Diff(_)) {
        if original.source != fixed.source {
            let name = diff_path(&original.origin.path);
            let diff = tact::fix::unified_diff(&original.source, &fixed.source, &name, &name);
            let mut out = std::io::stdout().lock();
            // A closed pipe (`--diff | head`) ends the diff quietly.
            if let Err(e) = out.write_all(diff.as_bytes())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(Some(Problem::error(
                    "tact::output",
                    format!("cannot write the diff: {e}"),
                )));
            }
        }
        return Ok(());
    }
    if let Some(row) = original.origin.row {
        // Only a batch named on the command line has an `--output`; one found
        // in a folder cannot be fixed, and is reported as it is.
        if cfg.output.is_none() || !cfg.paths.contains(&original.origin.path) {
            if !batches.refused.insert(original.origin.path.clone()) {
                return Err(None);
            }
            return Err(Some(Problem::error(
                "tact::usage",
                format!(
                    "`{}` not fixed: `--fix` on a JSONL or CSV batch needs it named with `--output FILE`",
                    original.origin.path
                ),
            )
            .help("run `tact check --fix BATCH --output FIXED` for the batch on its own")));
        }
        if original.source != fixed.source {
            batches
                .rows
                .entry(original.origin.path.clone())
                .or_default()
                .insert(row, fixed.source.clone());
        }
        return Ok(());
    }
    if original.origin.path == "-"
        || (cfg.stdin_filename.as_ref() == Some(&original.origin.path)
            && cfg.paths.iter().any(|p| p == "-"))
    {
        let mut out = std::io::stdout().lock();
        let _ = out
            .write_all(fixed.source.as_bytes())
            .and_then(|()| out.flush());
        return Ok(());
    }
    if original.source == fixed.source {
        return Ok(());
    }
    tact::fix_output::write_atomically(
        std::path::Path::new(&original.origin.path),
        &original.source,
        &fixed.source,
    )
    .map_err(Some)
}

/// Writes each fixed batch to `--output` (every batch input, even one without fixes).
fn write_batches(cfg: &CheckConfig, batches: &Batches) -> Vec<Problem> {
    let Some(output) = &cfg.output else {
        return vec![];
    };
    let empty = BTreeMap::new();
    cfg.paths
        .iter()
        .filter(|p| input::kind_of(std::path::Path::new(p)) != input::Kind::Note)
        .filter_map(|p| {
            tact::fix_output::write_batch(p, output, batches.rows.get(p).unwrap_or(&empty)).err()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff_path;

    #[test]
    fn diff_paths_have_no_dot_or_root_component() {
        assert_eq!(diff_path("./notes/a.md"), "notes/a.md");
        assert_eq!(diff_path("notes/./a.md"), "notes/a.md");
        let here = std::env::current_dir().unwrap().join("notes/a.md");
        assert_eq!(diff_path(here.to_str().unwrap()), "notes/a.md");
        assert_eq!(diff_path("/elsewhere/a.md"), "elsewhere/a.md");
    }
}
