//! Rule ids and packs chosen on the command line (`--select`, `--extend-select`,
//! `--ignore`), applied on top of whichever rulebook checks a note, as Ruff's
//! flags apply on top of its config.

use super::{ActiveSetting, ResolvedRulebook};
use crate::note::Channel;
use crate::plugin::RuleSet;
use crate::problem::Problem;
use std::collections::BTreeMap;

/// A rule (`core/no-pitch`) or every rule of a pack (`core`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick {
    Rule(String),
    Pack(String),
}

impl Pick {
    fn matches(&self, id: &str) -> bool {
        match self {
            Pick::Rule(r) => r == id,
            Pick::Pack(p) => id
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
        }
    }
}

/// The rules a run adds to or removes from every rulebook.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Only these (with `--select`); `None` keeps the rulebook's rules.
    select: Option<Vec<Pick>>,
    extend: Vec<Pick>,
    ignore: Vec<Pick>,
}

impl RuleSelection {
    /// Resolves the flags' ids against the loaded rules; an id that is neither
    /// a rule nor a pack is a `tact::usage` problem naming the flag.
    pub fn resolve(
        select: Option<&[String]>,
        extend: &[String],
        ignore: &[String],
        rules: &RuleSet,
    ) -> Result<RuleSelection, Problem> {
        let picks = |flag: &str, ids: &[String]| -> Result<Vec<Pick>, Problem> {
            ids.iter().map(|id| pick(flag, id, rules)).collect()
        };
        Ok(RuleSelection {
            select: select.map(|s| picks("--select", s)).transpose()?,
            extend: picks("--extend-select", extend)?,
            ignore: picks("--ignore", ignore)?,
        })
    }

    /// Whether it adds rule `id` to rulebooks (`--select`, `--extend-select`).
    pub fn adds(&self, id: &str) -> bool {
        let any = |picks: &[Pick]| picks.iter().any(|p| p.matches(id));
        self.select.as_deref().is_some_and(any) || any(&self.extend)
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.select.is_none() && self.extend.is_empty() && self.ignore.is_empty()
    }

    /// Applies the selection to a resolved rulebook, in every channel. A rule
    /// the rulebook leaves off gets its default level and options.
    pub fn apply(&self, book: &mut ResolvedRulebook, rules: &RuleSet) {
        if self.is_empty() {
            return;
        }
        self.apply_to(&mut book.rules, Channel::Request, rules);
        for (channel, map) in &mut book.channel_rules {
            self.apply_to(map, *channel, rules);
        }
    }

    fn apply_to(
        &self,
        map: &mut BTreeMap<String, ActiveSetting>,
        channel: Channel,
        rules: &RuleSet,
    ) {
        let any = |picks: &[Pick], id: &str| picks.iter().any(|p| p.matches(id));
        if let Some(select) = &self.select {
            map.retain(|id, _| any(select, id));
        }
        let wanted = self.select.iter().flatten().chain(&self.extend);
        let wanted: Vec<&Pick> = wanted.collect();
        let picked = rules
            .ids()
            .filter(|id| wanted.iter().any(|p| p.matches(id)))
            .filter_map(|id| rules.get(id));
        for rule in picked {
            if rule.meta.applies_to(channel) && !map.contains_key(&rule.id) {
                map.insert(
                    rule.id.clone(),
                    ActiveSetting {
                        level: rule.meta.level,
                        options: rule.meta.options.clone(),
                    },
                );
            }
        }
        map.retain(|id, _| !any(&self.ignore, id));
    }
}

fn pick(flag: &str, id: &str, rules: &RuleSet) -> Result<Pick, Problem> {
    let id = id.trim();
    let prefix = format!("{id}/");
    if !id.contains('/')
        && rules
            .ids()
            .any(|k| k.starts_with(&prefix) && rules.contains(k))
    {
        return Ok(Pick::Pack(id.to_owned()));
    }
    rules
        .resolve(id)
        .map(|r| Pick::Rule(r.id.clone()))
        .map_err(|e| {
            Problem::error("tact::usage", format!("`{flag}`: no rule or pack `{id}`"))
                .help(e.help())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_matches_its_rules_only() {
        let p = Pick::Pack("core".into());
        assert!(p.matches("core/no-pitch"));
        assert!(!p.matches("corex/no-pitch"));
        assert!(!p.matches("team/core"));
        assert!(Pick::Rule("core/length".into()).matches("core/length"));
        assert!(!Pick::Rule("core/length".into()).matches("core/lengths"));
    }
}
