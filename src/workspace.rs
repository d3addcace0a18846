//! Everything loaded once per run: the project config, the engine, the rules
//! and the rulebooks, plus a checker per rulebook built on first use.

use crate::config::Project;
use crate::plugin::discover::discover;
use crate::plugin::imports::PackResolver;
use crate::plugin::{RuleSet, engine};
use crate::problem::Problem;
use crate::rulebook::Rulebooks;
use crate::run::Checker;
use rhai::Engine;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A rulebook's checker, or the problems that kept it from resolving.
type CheckerResult = Result<Arc<Checker>, Vec<Problem>>;

/// Loaded rules and rulebooks.
pub struct Workspace {
    /// The project config.
    pub project: Project,
    /// The one sandboxed engine.
    pub engine: Arc<Engine>,
    /// Every rule that compiled.
    pub rules: Arc<RuleSet>,
    /// Every rulebook that parsed.
    pub rulebooks: Rulebooks,
    /// What failed to load (rules, rulebooks, folders).
    pub problems: Vec<Problem>,
    checkers: Mutex<HashMap<String, CheckerResult>>,
}

impl Workspace {
    /// Loads the project's plugin folders (plus `extra`) and rulebook folders.
    pub fn load(project: Project, extra_plugins: &[PathBuf]) -> Workspace {
        let resolver = PackResolver::default();
        let engine = Arc::new(engine::build(&project.limits, resolver.clone()));
        let folders: Vec<PathBuf> = project
            .plugins
            .iter()
            .chain(extra_plugins)
            .cloned()
            .collect();
        let (files, discover_errors) = discover(&folders, &resolver);
        let mut problems: Vec<Problem> = discover_errors
            .into_iter()
            .map(|e| {
                Problem::error(
                    "tact::plugin::read",
                    format!("cannot read `{}`: {}", e.path, e.message),
                )
            })
            .collect();
        let (rules, rule_problems) = RuleSet::load(&engine, &files);
        problems.extend(rule_problems);
        let (rulebooks, book_problems) = Rulebooks::load(&project.rulebooks);
        problems.extend(book_problems);
        Workspace {
            project,
            engine,
            rules: Arc::new(rules),
            rulebooks,
            problems,
            checkers: Mutex::new(HashMap::new()),
        }
    }

    /// The checker for a rulebook, resolving it on first use. The problems are
    /// returned once, on the first call; later calls for a broken rulebook get
    /// an empty list.
    pub fn checker(&self, rulebook: &str) -> Result<Arc<Checker>, Vec<Problem>> {
        let mut cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cache.get(rulebook) {
            return c.clone().map_err(|_| vec![]);
        }
        let result = self.rulebooks.resolve(rulebook, &self.rules).map(|book| {
            Arc::new(
                Checker::new(
                    self.engine.clone(),
                    self.rules.clone(),
                    &book,
                    self.project.template.clone(),
                )
                .with_max_failures(self.project.limits.max_failures),
            )
        });
        cache.insert(rulebook.to_owned(), result.clone());
        result
    }

    /// One problem per rule that tact stopped calling after it failed on
    /// `[limits] max_failures` notes, saying on how many notes it was skipped.
    pub fn skipped_rules(&self) -> Vec<Problem> {
        let cache = self.checkers.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<&String> = cache.keys().collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|name| cache[name].as_ref().ok())
            .flat_map(|checker| {
                checker.skipped().into_iter().map(|(rule, c)| {
                    Problem::error(
                        "tact::rule::skipped",
                        format!(
                            "rule `{rule}` failed on {} notes; it was not called on {} more (rulebook `{}`)",
                            c.failed, c.skipped, checker.rulebook
                        ),
                    )
                    .help("fix the rule; `[limits] max_failures` in tact.toml sets when tact gives up on it")
                })
            })
            .collect()
    }
}
