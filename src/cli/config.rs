//! Raw flags resolved once into what a run does (ripgrep's low-level args
//! into high-level args): usage mistakes are found here, before anything
//! loads, and the rest of the command line never looks at flags.

use super::args::{CheckArgs, EvalArgs, EvalFormat, FormatArg};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tact::finding::Safety;
use tact::input::{self, Kind};
use tact::problem::Problem;
use tact::render::Format;

/// What `tact check` does with the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report them.
    Report,
    /// Apply the fixes of this safety and report what is left.
    Fix(Safety),
    /// Print the fixes of this safety as a diff; change nothing.
    Diff(Safety),
}

/// A resolved `tact check` run.
#[derive(Debug)]
pub struct CheckConfig {
    /// Notes, folders, batches or `-`.
    pub paths: Vec<String>,
    /// The rulebook for every note, overriding their own.
    pub rulebook: Option<String>,
    /// The report format.
    pub format: Format,
    /// Colour in findings (on stdout, or stderr with `report_to_stderr`).
    pub color: bool,
    /// Colour in problems (on stderr).
    pub color_err: bool,
    /// Exit 1 past this many warnings.
    pub max_warnings: Option<usize>,
    /// Placeholders are variables.
    pub template: bool,
    /// Report, fix or diff.
    pub mode: Mode,
    /// Where a fixed batch is written.
    pub output: Option<PathBuf>,
    /// Findings go to stderr because stdout carries a fixed note or a diff.
    pub report_to_stderr: bool,
    /// `--select`: only these rules or packs (as written).
    pub select: Option<Vec<String>>,
    /// `--extend-select`: these rules or packs too.
    pub extend_select: Vec<String>,
    /// `--ignore`: not these rules or packs.
    pub ignore: Vec<String>,
    /// Counts per rule instead of findings.
    pub statistics: bool,
    /// Print per-rule costs on stderr after the run.
    pub timings: bool,
    /// Findings below error level are dropped.
    pub quiet: bool,
    /// Findings never fail the run.
    pub exit_zero: bool,
    /// `--exclude` globs, compiled.
    pub exclude: tact::config::ExcludeFlag,
    /// What stdin's note is called.
    pub stdin_filename: Option<String>,
    /// Name skipped files.
    pub verbose: bool,
    /// Filter files named on the command line like walked ones.
    pub force_exclude: bool,
    /// Where the GitHub format appends its job summary (`$GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<PathBuf>,
}

impl CheckConfig {
    /// Resolves the flags of `tact check`, or says what is wrong with them.
    pub fn resolve(
        args: CheckArgs,
        color_out: bool,
        color_err: bool,
    ) -> Result<CheckConfig, Problem> {
        let usage = |m: &str| Problem::error("tact::usage", m.to_owned());
        // Named as output names them, so a batch given as `./leads.csv` is
        // still the one `--fix --output` writes.
        let mut paths: Vec<String> = args.paths.iter().map(|p| input::shown(p)).collect();
        if paths.is_empty() {
            if std::io::stdin().is_terminal() {
                return Err(usage(
                    "nothing to check: give note files or folders, or pipe a note on stdin (`-`)",
                ));
            }
            paths.push("-".into());
        }
        if args.unsafe_fixes && !args.fix && !args.diff {
            return Err(usage(
                "`--unsafe-fixes` applies with `--fix` or `--diff`; add one of them",
            ));
        }
        let safety = if args.unsafe_fixes {
            Safety::Unsafe
        } else {
            Safety::Safe
        };
        let mode = match (args.fix, args.diff) {
            (true, _) => Mode::Fix(safety),
            (false, true) => Mode::Diff(safety),
            (false, false) => Mode::Report,
        };
        let fixing_stdin = args.fix && paths.iter().any(|p| p == "-");
        if fixing_stdin && args.format != FormatArg::Human {
            return Err(usage(
                "`--fix` on stdin writes the fixed note to stdout; use the human format",
            ));
        }
        if args.statistics && !matches!(args.format, FormatArg::Human | FormatArg::Json) {
            return Err(usage(
                "`--statistics` prints a table (human format) or a JSON array (`--format json`)",
            ));
        }
        let exclude = tact::config::ExcludeFlag::new(&args.exclude).map_err(|e| usage(&e))?;
        if args.stdin_filename.is_some() && !paths.iter().any(|p| p == "-") {
            return Err(usage(
                "`--stdin-filename` names the note on stdin; there is none (add `-`)",
            ));
        }
        let batches = paths
            .iter()
            .filter(|p| input::kind_of(Path::new(p)) != Kind::Note)
            .count();
        if args.output.is_some() && !args.fix {
            return Err(usage(
                "`--output` is where `--fix` writes a fixed batch; add `--fix`",
            ));
        }
        if args.fix && batches > 0 {
            if args.output.is_none() {
                return Err(
                    usage("`--fix` on a JSONL or CSV batch needs `--output FILE`").help(
                        "the batch is written to FILE with the same rows and columns, only the text fixed",
                    ),
                );
            }
            if batches > 1 || paths.len() > 1 {
                return Err(usage("`--fix --output` takes one batch file"));
            }
        }
        Ok(CheckConfig {
            report_to_stderr: fixing_stdin || args.diff,
            paths,
            rulebook: args.rulebook,
            format: args.format.into(),
            color: if fixing_stdin || args.diff {
                color_err
            } else {
                color_out
            },
            color_err,
            max_warnings: args.max_warnings,
            template: args.template,
            mode,
            output: args.output,
            select: args.select,
            extend_select: args.extend_select,
            ignore: args.ignore,
            statistics: args.statistics,
            timings: args.timings,
            quiet: args.quiet,
            exit_zero: args.exit_zero,
            exclude,
            stdin_filename: args.stdin_filename.as_deref().map(input::shown),
            verbose: args.verbose,
            force_exclude: args.force_exclude,
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        })
    }

    /// How notes are fixed, when they are.
    pub fn fix_mode(&self) -> Option<tact::workspace::FixMode> {
        match self.mode {
            Mode::Report => None,
            Mode::Fix(safety) => Some(tact::workspace::FixMode {
                safety,
                diff: false,
            }),
            Mode::Diff(safety) => Some(tact::workspace::FixMode { safety, diff: true }),
        }
    }
}

/// A resolved `tact eval` run.
#[derive(Debug)]
pub struct EvalConfig {
    /// Labelled batches.
    pub paths: Vec<String>,
    /// The rulebook for every note, overriding their own.
    pub rulebook: Option<String>,
    /// JSON instead of tables.
    pub json: bool,
    /// The channel of notes that do not say theirs.
    pub channel: Option<tact::note::Channel>,
    /// Every note is a follow-up.
    pub followup: bool,
    /// Placeholders are variables.
    pub template: bool,
    /// Rule ids to count, as written (resolved against the loaded rules).
    pub select: Vec<String>,
    /// Split scores into quartiles.
    pub quartiles: bool,
    /// The floors that fail the run.
    pub floors: tact::eval::render::Floors,
}

impl EvalConfig {
    /// Resolves the flags of `tact eval` (clap has checked their values).
    pub fn resolve(args: EvalArgs) -> EvalConfig {
        EvalConfig {
            json: args.format == EvalFormat::Json,
            quartiles: args.split.is_some(),
            floors: tact::eval::render::Floors {
                precision: args.min_precision,
                recall: args.min_recall,
                pass: args.min_pass,
                balanced_accuracy: args.min_balanced_accuracy,
                tone: args.min_tone,
            },
            paths: args.paths,
            rulebook: args.rulebook,
            channel: args.channel,
            followup: args.followup,
            template: args.template,
            select: args.select,
        }
    }
}
