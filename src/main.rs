//! The `tact` binary: parse the command line, run, map the outcome to 0/1/2.

// `Problem` carries its source text for miette; it is built only on the cold
// error path, so its size in `Result` does not matter.
#![allow(clippy::result_large_err)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; usage mistakes exit 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Rule scripts may build deeply nested data within their size limits, and
    // Rhai clones and drops it recursively: give every thread a deep stack.
    const STACK: usize = 256 << 20;
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK)
        .build_global();
    let run = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || cli::run(cli).code());
    let code = match run.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!(
                "error: tact stopped unexpectedly (please report this with the input that caused it)"
            );
            2
        }
    };
    ExitCode::from(code)
}
