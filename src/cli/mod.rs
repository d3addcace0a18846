//! The command line: everything clap- and terminal-specific, at the edge of
//! the engine. `args` holds the clap types; `config` turns raw flags into a
//! resolved run; one file per command. Nothing in the library imports this.

pub mod args;
mod check;
mod config;
mod eval;
mod generate;
mod info;
mod pack;
mod projects;
mod scaffold;
mod terminal;
mod watch;

use args::{Cli, Command, NewCommand};
use std::io::{IsTerminal, Write};
use tact::config::Project;
use tact::workspace::Workspace;

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
    // Each stream gets colour by its own terminal status: diagnostics go to
    // stderr, findings and listings to stdout.
    let env = terminal::ColorEnv::read();
    let color = terminal::color(cli.color, &env, std::io::stderr().is_terminal());
    let color_out = terminal::color(cli.color, &env, std::io::stdout().is_terminal());
    if let Some(w) = terminal::width() {
        tact::problem::set_width(w);
    }
    // Each command loads the project of the current folder (or --config);
    // `check` and `eval` find the nearest one for each file, `watch` the
    // nearest one above its paths.
    let with_project =
        |f: &mut dyn FnMut(Project) -> Outcome| match Project::load(cli.config.as_deref()) {
            Ok(p) => f(p),
            Err(p) => {
                eprint!("{}", p.render(color));
                Outcome::Error
            }
        };
    let plugins = &cli.plugins;
    match cli.command {
        Command::Check(args) => {
            // Usage mistakes are found before anything loads.
            match config::CheckConfig::resolve(args, color_out, color) {
                Ok(cfg) => {
                    let projects = projects::Projects::new(cli.config.as_deref(), plugins, &cfg);
                    let outcome = check::check(projects.clone(), &cfg);
                    // The process ends next: freeing every compiled rule one
                    // by one would cost a twentieth of a one-note run.
                    std::mem::forget(projects);
                    outcome
                }
                Err(p) => {
                    eprint!("{}", p.render(color));
                    Outcome::Error
                }
            }
        }
        Command::Rules { rulebook } => with_project(&mut |p| {
            info::rules(&Workspace::load(p, plugins), rulebook.as_deref(), color)
        }),
        Command::Explain { rule } => {
            with_project(&mut |p| info::explain(&Workspace::load(p, plugins), &rule, color))
        }
        Command::Rulebooks { name } => with_project(&mut |p| {
            info::rulebooks(&Workspace::load(p, plugins), name.as_deref(), color)
        }),
        Command::Init { dir } => scaffold::init(&dir, color),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man => generate::man(),
        Command::New(NewCommand::Rule { name, kind, dir }) => {
            with_project(&mut |p| scaffold::new_rule(&p, &name, kind, dir.as_deref(), color))
        }
        Command::Eval(args) => {
            let cfg = config::EvalConfig::resolve(args);
            eval::eval(
                projects::Projects::plain(cli.config.as_deref(), plugins),
                &cfg,
                color,
            )
        }
        Command::Pack(cmd) => match Project::load(cli.config.as_deref()) {
            Ok(p) => pack::run(
                cmd,
                p,
                &pack::Context {
                    config: cli.config.as_deref(),
                    extra: plugins,
                    locked: cli.locked,
                    color,
                },
            ),
            Err(p) => {
                eprint!("{}", p.render(color));
                Outcome::Error
            }
        },
        Command::Watch(args) => {
            match projects::one_project(cli.config.as_deref(), &args.paths, "watch") {
                Ok((p, forced)) => watch::run(p, forced, plugins, &args, color_out),
                Err(p) => {
                    eprint!("{}", p.render(color));
                    Outcome::Error
                }
            }
        }
        Command::Test { dirs, filter } => with_project(&mut |p| {
            let mut extra = plugins.clone();
            extra.extend(dirs.iter().cloned());
            let ws = Workspace::load(p, &extra);
            info::test(&ws, &dirs, filter.as_deref(), color)
        }),
    }
}

/// Prints load problems to stderr; true when there were any.
pub fn report_load_problems(ws: &Workspace, color: bool) -> bool {
    for p in ws.problems() {
        eprint!("{}", p.render(color));
    }
    !ws.problems().is_empty()
}

/// Writes `text` to stdout. A closed pipe (`tact rules | head`) is a quiet
/// success; any other write error is reported.
pub fn print(text: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Clean,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            Outcome::Error
        }
    }
}
