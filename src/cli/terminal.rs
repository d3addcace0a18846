//! The terminal: colour per stream (no-color.org, `FORCE_COLOR`,
//! `CLICOLOR_FORCE`), the width to wrap to, and the progress bar on long runs.

use super::args::ColorChoice;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// What the colour variables in the environment ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `FORCE_COLOR` (other than `0`/`false`) or `CLICOLOR_FORCE` (other than `0`) is set and not empty.
    pub force: bool,
}

impl ColorEnv {
    /// Reads the environment.
    pub fn read() -> ColorEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        ColorEnv {
            no_color: var("NO_COLOR").is_some(),
            force: var("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false")
                || var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        }
    }
}

/// Whether a stream gets colour: `--color` decides when given; otherwise
/// `NO_COLOR` turns it off, `FORCE_COLOR`/`CLICOLOR_FORCE` on, and else
/// whether that stream is a terminal.
pub fn color(choice: ColorChoice, env: &ColorEnv, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env.no_color => false,
        ColorChoice::Auto => env.force || is_terminal,
    }
}

/// The terminal's width in columns, when stdout or stderr is one.
pub fn width() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout())
        .or_else(|| terminal_size::terminal_size_of(std::io::stderr()))
        .map(|(w, _)| usize::from(w.0))
}

/// Whether a run shows a progress bar: on a terminal (stderr), never in CI,
/// and not while stdout writes to the same terminal (findings would tear it).
pub fn wants_progress(stderr_tty: bool, stdout_tty: bool, ci: bool) -> bool {
    stderr_tty && !stdout_tty && !ci
}

/// A progress bar on stderr (notes done, notes per second, time left when
/// `total` can tell), or a hidden one when [`wants_progress`] says no.
pub fn progress(total: impl FnOnce() -> Option<u64>) -> ProgressBar {
    let show = wants_progress(
        std::io::stderr().is_terminal(),
        std::io::stdout().is_terminal(),
        std::env::var_os("CI").is_some_and(|v| !v.is_empty()),
    );
    if !show {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total() {
        Some(n) => (
            ProgressBar::new(n),
            "{bar:30} {human_pos}/{human_len} notes, {rate}, {eta} left",
        ),
        None => (
            ProgressBar::no_length(),
            "{spinner} {human_pos} notes, {per_sec}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        // Whole notes per second: indicatif's own `per_sec` shows four decimals.
        bar.set_style(style.with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} notes/s", s.per_sec());
            },
        ));
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar
}

/// The notes a batch file named on the command line holds, counted from its
/// lines (a CSV's header aside); `None` when any path is a folder or stdin,
/// whose count is not known before reading.
pub fn count_notes(paths: &[String]) -> Option<u64> {
    use std::io::BufRead;
    let mut total = 0u64;
    for p in paths {
        let path = std::path::Path::new(p);
        if p == "-" || path.is_dir() {
            return None;
        }
        match tact::input::kind_of(path) {
            tact::input::Kind::Note => total += 1,
            kind => {
                let file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
                let mut lines = 0u64;
                for chunk in file.split(b'\n') {
                    lines += u64::from(!chunk.ok()?.trim_ascii().is_empty());
                }
                let header = u64::from(kind == tact::input::Kind::Csv);
                total += lines.saturating_sub(header);
            }
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_no_color_then_force_then_the_stream() {
        let env = |no_color, force| ColorEnv { no_color, force };
        assert!(color(ColorChoice::Always, &env(true, false), false));
        assert!(!color(ColorChoice::Never, &env(false, true), true));
        assert!(!color(ColorChoice::Auto, &env(true, true), true));
        assert!(color(ColorChoice::Auto, &env(false, true), false));
        assert!(color(ColorChoice::Auto, &env(false, false), true));
        assert!(!color(ColorChoice::Auto, &env(false, false), false));
    }

    #[test]
    fn progress_only_on_a_terminal_outside_ci_with_stdout_elsewhere() {
        assert!(wants_progress(true, false, false));
        assert!(!wants_progress(true, false, true));
        assert!(!wants_progress(false, false, false));
        assert!(!wants_progress(true, true, false));
    }
}
