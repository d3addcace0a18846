//! `tact completions SHELL` and `tact man`: shell completions and a man page
//! generated from the clap definitions, so they never drift from the flags.

use super::Outcome;
use super::args::Cli;
use clap::CommandFactory;

/// `tact completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tact", &mut out);
    super::print(&String::from_utf8_lossy(&out))
}

/// `tact man`: the man page (roff) on stdout.
pub fn man() -> Outcome {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
        eprintln!("error: cannot render the man page: {e}");
        return Outcome::Error;
    }
    super::print(&String::from_utf8_lossy(&out))
}
