//! The command line (clap derive). Flags are documented here, next to their fields.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// tact: a linter for LinkedIn connection notes and follow-ups.
#[derive(Debug, Parser)]
// Help wraps to the terminal's width, however wide (clap stops at 100 by default).
#[command(name = "tact", version, about, long_about = None, propagate_version = true, max_term_width = 1000)]
pub struct Cli {
    /// Use this config file instead of the nearest `tact.toml`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra plugin folder (repeatable): its packs are loaded beside the project's.
    #[arg(long = "plugins", global = true, value_name = "DIR")]
    pub plugins: Vec<PathBuf>,
    /// Fail instead of changing tact.lock (for CI); check and watch never change it.
    #[arg(long, global = true)]
    pub locked: bool,
    /// Colour: auto (each stream on a terminal; NO_COLOR off, FORCE_COLOR/CLICOLOR_FORCE on), always or never.
    #[arg(long, global = true, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check notes, folders, JSONL/CSV batches or stdin (`-`).
    Check(CheckArgs),
    /// List the rules (those a rulebook enables, with --rulebook).
    Rules {
        /// Show the rules this rulebook enables, with their levels.
        #[arg(long)]
        rulebook: Option<String>,
    },
    /// Show a rule's documentation, options and examples.
    Explain {
        /// The rule id (`core/no-pitch`, or `no-pitch` when unambiguous).
        rule: String,
    },
    /// List the rulebooks, or show one fully resolved.
    Rulebooks {
        /// The rulebook to show.
        name: Option<String>,
    },
    /// Create a tact.toml, a pack with one rule and its tests, a rulebook and a note.
    Init {
        /// Where to create the project.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Scaffold something new.
    #[command(subcommand)]
    New(NewCommand),
    /// Check notes, then again on every change to notes, rules, rulebooks or tact.toml.
    Watch(super::watch::WatchArgs),
    /// Measure the rules on labelled notes: verdicts, score quartiles or outcomes.
    Eval(EvalArgs),
    /// Share rules and rulebooks between teams: packs, pinned in tact.lock.
    #[command(subcommand)]
    Pack(PackCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `tact man > tact.1`.
    Man,
    /// Run the rules' test cases (`<rule>.test.toml` beside each rule).
    Test {
        /// Plugin folders to test (default: the built-in pack and the project's plugin folders).
        dirs: Vec<PathBuf>,
        /// Run only this rule's cases.
        #[arg(long)]
        filter: Option<String>,
    },
}

/// `tact pack …`.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Create a pack folder NAME: pack.toml, a rule with its tests, a rulebook.
    New {
        /// The pack's name (its namespace), lowercase kebab-case.
        name: String,
        /// The folder to create it in (default: the current folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Build a reproducible .tar.gz of a pack folder (same files, same bytes).
    Build {
        /// The pack folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the archive (default: NAME-VERSION.tar.gz here).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Add a pack from a folder, an archive, or git+URL#TAG-OR-COMMIT; pin it in tact.lock.
    Add {
        /// A pack folder, a .tar.gz/.tgz/.tar file, or `git+file:///repo#v1.0.0`.
        source: String,
    },
    /// List the project's packs: name, version, where from, state.
    List,
    /// Fetch added packs again from their sources and lock what they are now.
    Update {
        /// Only this pack.
        name: Option<String>,
        /// Fetch the pack from this source instead (written to tact.toml).
        #[arg(long, requires = "name")]
        source: Option<String>,
        /// Change nothing: show the version change and which of the
        /// project's notes would change verdict.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove an added pack: from tact.toml, tact.lock and .tact/packs.
    Remove {
        /// The pack's name.
        name: String,
    },
    /// Check every added pack's files against tact.lock.
    Verify,
    /// Run a pack's test cases; a pack without any fails.
    Test {
        /// A pack's name or folder (default: every pack but core).
        name: Option<String>,
    },
}

/// What `tact new` creates.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A rule (`NAME` or `PACK/NAME`) and its test file.
    Rule {
        /// The rule's name, kebab-case, optionally with its pack: `team/no-jargon`.
        name: String,
        /// A check reports; a rewrite also proposes edits; a phrase rule is
        /// data only (`report` in `meta()`, no script to run).
        #[arg(long, value_enum, default_value = "check")]
        kind: RuleKind,
        /// The folder to write to (default: the project's first plugin folder / the pack).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// The kind of rule `tact new rule` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleKind {
    /// Reports findings.
    Check,
    /// Reports findings with edits.
    Rewrite,
    /// Reports its phrases with no script (`report` in `meta()`).
    Phrases,
}

/// The output formats of `tact check` (see `render::Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Diagnostics with the note's text and labelled spans.
    Human,
    /// One JSON document: findings, errors and a summary (schema in README).
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// One line per finding: `file:line:col: level rule message` (`file:row:line:col` in a batch).
    Concise,
    /// JSON Lines: one finding or error per line, written as each note is checked.
    Jsonl,
}

impl From<FormatArg> for tact::render::Format {
    fn from(f: FormatArg) -> Self {
        use tact::render::Format;
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Concise => Format::Concise,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

/// Options of `tact check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Note files (.txt, .md), folders, batches (.jsonl, .csv), or `-` for
    /// stdin (the default when stdin is not a terminal).
    pub paths: Vec<String>,
    /// Check every note with this rulebook (overrides the note's `goal`).
    #[arg(long, short)]
    pub rulebook: Option<String>,
    /// Output format.
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "human"
    )]
    pub format: FormatArg,
    /// Run only these rules or packs (comma-separated or repeated), with the
    /// rulebook's levels where it sets them.
    #[arg(long, value_delimiter = ',', value_name = "RULE|PACK")]
    pub select: Option<Vec<String>>,
    /// Run these rules or packs too, on top of the rulebook's.
    #[arg(long, value_delimiter = ',', value_name = "RULE|PACK")]
    pub extend_select: Vec<String>,
    /// Do not run these rules or packs.
    #[arg(long, value_delimiter = ',', value_name = "RULE|PACK")]
    pub ignore: Vec<String>,
    /// Print how many findings each rule made instead of the findings (human or json format).
    #[arg(long)]
    pub statistics: bool,
    /// After the run, print on stderr what each rule cost: calls, calls per
    /// note, µs per call, total time and share, the slowest first.
    #[arg(long)]
    pub timings: bool,
    /// Report errors only: findings below error level are neither shown nor counted.
    #[arg(long, short)]
    pub quiet: bool,
    /// Exit 0 even when findings fail the run (problems still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 1 when there are more warnings than this.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,
    /// Treat placeholders as template variables: not unfilled, and counted at their longest expansion.
    #[arg(long)]
    pub template: bool,
    /// Apply safe rewrites (files in place, stdin to stdout, batches to --output).
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, apply unsafe rewrites too.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the rewrites as a unified diff; change nothing.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Where `--fix` writes a fixed JSONL or CSV batch.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip files matching this glob in folder walks (repeatable), on top of
    /// the project's `exclude`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The path stdin's note stands for: its project, `[select]` and name in the output.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,
    /// Name the files a folder walk skipped, and why, on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// Skip files named on the command line as a folder walk would (the
    /// defaults, include/exclude, --exclude, non-batches): for pre-commit.
    #[arg(long)]
    pub force_exclude: bool,
}

/// How `tact eval` splits a numeric score column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitBy {
    /// Top quartile against bottom quartile.
    Quartiles,
}

/// The report format of `tact eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    /// Tables for people.
    Human,
    /// One JSON object (`version` 1).
    Json,
}

/// Options of `tact eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSONL or CSV batches (columns `verdict`/`expect`, a `score`,
    /// or `version`/`sent`/`accepted`/`replied`; see the README).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Check every note with this rulebook (overrides the note's `goal`).
    #[arg(long, short)]
    pub rulebook: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: EvalFormat,
    /// Split a numeric `score` (or `normalized score`) column.
    #[arg(long, value_enum, value_name = "HOW")]
    pub split: Option<SplitBy>,
    /// Count only these rules' findings (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// The channel of notes that do not say theirs.
    #[arg(long, value_parser = parse_channel)]
    pub channel: Option<tact::note::Channel>,
    /// Treat every note as a follow-up (a nudge after no reply).
    #[arg(long)]
    pub followup: bool,
    /// Treat placeholders as template variables.
    #[arg(long)]
    pub template: bool,
    /// Exit 1 when fewer flagged notes than this (0..1) are bad.
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub min_precision: Option<f64>,
    /// Exit 1 when fewer bad notes than this (0..1) are caught (bottom-quartile notes, with --split).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub min_recall: Option<f64>,
    /// Exit 1 when fewer good notes than this (0..1) pass (top-quartile notes, with --split).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub min_pass: Option<f64>,
    /// Exit 1 when the rules' balanced accuracy on the quartiles is below this (0..1).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction, requires = "split")]
    pub min_balanced_accuracy: Option<f64>,
    /// Exit 1 when the tone score's balanced accuracy on the quartiles is below this (0..1).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction, requires = "split")]
    pub min_tone: Option<f64>,
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{s}` is not a fraction between 0 and 1 (e.g. 0.9)"
        )),
    }
}

fn parse_channel(s: &str) -> Result<tact::note::Channel, String> {
    tact::note::Channel::parse(s).ok_or_else(|| tact::note::Channel::unknown(s))
}
