//! The `tact` binary: parse the command line, run, map the outcome to 0/1/2.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match tact::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; usage mistakes exit 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    ExitCode::from(tact::app::run(cli).code())
}
