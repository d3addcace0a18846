//! Resolving a rulebook: follow `extends`, merge levels and options, and check
//! every rule id and option against the loaded rules.

use super::{RuleEntry, Rulebook, Rulebooks, Setting};
use crate::finding::Level;
use crate::note::Channel;
use crate::plugin::{ResolveError, RuleSet};
use crate::problem::{Problem, Source, did_you_mean};
use crate::rule::meta::RuleMeta;
use crate::rule::options::{OptionValue, Options};
use std::collections::BTreeMap;

/// An enabled rule with its final level and options.
#[derive(Debug, Clone)]
pub struct ActiveSetting {
    /// The level findings are reported at (at most).
    pub level: Level,
    /// The rule's options: defaults overlaid with the rulebook's values.
    pub options: Options,
}

/// A rulebook with its whole `extends` chain applied.
#[derive(Debug, Clone)]
pub struct ResolvedRulebook {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The rulebooks applied, base first, itself last.
    pub chain: Vec<String>,
    /// The enabled rules by full id, for connection requests.
    pub rules: BTreeMap<String, ActiveSetting>,
    /// The enabled rules for the other channels (`message`, `inmail`).
    pub channel_rules: BTreeMap<Channel, BTreeMap<String, ActiveSetting>>,
}

impl ResolvedRulebook {
    /// The enabled rules for notes of `channel`.
    pub fn rules_for(&self, channel: Channel) -> &BTreeMap<String, ActiveSetting> {
        self.channel_rules.get(&channel).unwrap_or(&self.rules)
    }

    /// Keeps only the rules `keep` accepts, in every channel.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.rules.retain(|id, _| keep(id));
        for rules in self.channel_rules.values_mut() {
            rules.retain(|id, _| keep(id));
        }
    }
}

/// The rules a merged rulebook enables for `channel`, with their levels and options.
fn active(
    merged: BTreeMap<String, Merged>,
    rules: &RuleSet,
    channel: Channel,
) -> BTreeMap<String, ActiveSetting> {
    merged
        .into_iter()
        .filter_map(|(id, m)| {
            let rule = rules.get(&id)?;
            if !rule.meta.applies_to(channel) {
                return None;
            }
            let level = match m.setting {
                Some(Setting::Off) => return None,
                Some(Setting::On(l)) => l,
                None => rule.meta.level,
            };
            let mut options = rule.meta.options.clone();
            options.extend(m.options);
            Some((id, ActiveSetting { level, options }))
        })
        .collect()
}

#[derive(Default, Clone)]
struct Merged {
    setting: Option<Setting>,
    options: Options,
}

/// Why a rulebook's value for a trigger option is refused: more phrases or
/// longer ones than a rule's own metadata may declare.
fn too_many_triggers(meta: &RuleMeta, key: &str, value: &OptionValue) -> Option<String> {
    use crate::rule::meta::{MAX_TRIGGER_BYTES, MAX_TRIGGERS};
    if !meta.is_trigger_option(key) {
        return None;
    }
    let OptionValue::List(list) = value else {
        return None;
    };
    if list.len() > MAX_TRIGGERS {
        return Some(format!(
            "{} trigger phrases; at most {MAX_TRIGGERS}",
            list.len()
        ));
    }
    list.iter()
        .any(|p| p.as_str().map_or(p.to_string().len(), str::len) > MAX_TRIGGER_BYTES)
        .then(|| format!("a trigger phrase is over {MAX_TRIGGER_BYTES} bytes"))
}

impl Rulebooks {
    /// Resolves rulebook `name` against the loaded rules, for each channel:
    /// the `[rules]` tables of its `extends` chain in order, then the chain's
    /// `[channels.CHANNEL]` tables; rules that do not apply to a channel are
    /// left out of it.
    pub fn resolve(&self, name: &str, rules: &RuleSet) -> Result<ResolvedRulebook, Vec<Problem>> {
        let Some(book) = self.books.get(name) else {
            if self.broken.contains(name) {
                return Err(vec![]); // its load error is already reported
            }
            let help = match did_you_mean(name, self.books.keys().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? (`tact rulebooks` lists them)"),
                None => format!(
                    "known rulebooks: {}",
                    self.books.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            };
            return Err(vec![
                Problem::error(
                    "tact::rulebook::missing",
                    format!("no rulebook named `{name}`"),
                )
                .help(help),
            ]);
        };
        let mut merged: BTreeMap<String, Merged> = BTreeMap::new();
        let mut chain = Vec::new();
        let mut problems = Vec::new();
        self.apply(
            book,
            rules,
            &mut merged,
            &mut chain,
            &mut vec![],
            &mut problems,
        );
        let mut by_channel = BTreeMap::new();
        for channel in Channel::ALL {
            let mut merged = merged.clone();
            for book in chain.iter().filter_map(|n| self.books.get(n)) {
                for (_, entries) in book.channel_rules.iter().filter(|(c, _)| *c == channel) {
                    Self::check_channel(book, entries, rules, channel, &mut problems);
                    Self::apply_entries(book, entries, rules, &mut merged, &mut problems);
                }
            }
            by_channel.insert(channel, active(merged, rules, channel));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let request = by_channel.remove(&Channel::Request).unwrap_or_default();
        Ok(ResolvedRulebook {
            name: book.name.clone(),
            description: book.description.clone(),
            chain,
            rules: request,
            channel_rules: by_channel,
        })
    }

    fn apply(
        &self,
        book: &Rulebook,
        rules: &RuleSet,
        merged: &mut BTreeMap<String, Merged>,
        chain: &mut Vec<String>,
        stack: &mut Vec<String>,
        problems: &mut Vec<Problem>,
    ) {
        let src = Source::new(book.path.clone(), book.source.clone());
        stack.push(book.name.clone());
        for (parent, span) in &book.extends {
            if stack.contains(parent) {
                let cycle = stack
                    .iter()
                    .chain([parent])
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" → ");
                problems.push(
                    Problem::error(
                        "tact::rulebook::cycle",
                        format!("rulebook `{}` extends itself: {cycle}", book.name),
                    )
                    .at(src.clone(), *span, "this closes the cycle")
                    .help("remove one of the `extends` entries in the cycle"),
                );
                continue;
            }
            if chain.contains(parent) {
                continue; // diamond: already applied
            }
            if let Some((own, other)) = book.pack().zip(parent.split_once('/').map(|(p, _)| p))
                && own != other
                && other != "core"
                && !self
                    .dependencies
                    .get(own)
                    .is_some_and(|d| d.contains(other))
            {
                problems.push(
                    Problem::error(
                        "tact::rulebook::undeclared-pack",
                        format!(
                            "rulebook `{}` extends `{parent}`, but pack `{own}` does not depend on pack `{other}`",
                            book.name
                        ),
                    )
                    .at(src.clone(), *span, "from another pack")
                    .help(format!(
                        "add `{other} = \"^VERSION\"` under `[dependencies]` in pack `{own}`'s pack.toml"
                    )),
                );
                continue;
            }
            match self.books.get(parent) {
                Some(p) => self.apply(p, rules, merged, chain, stack, problems),
                None if self.broken.contains(parent) => {}
                None => {
                    let help = did_you_mean(parent, self.books.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "`tact rulebooks` lists the known rulebooks".into());
                    problems.push(
                        Problem::error(
                            "tact::rulebook::missing",
                            format!(
                                "rulebook `{}` extends unknown rulebook `{parent}`",
                                book.name
                            ),
                        )
                        .at(src.clone(), *span, "not found")
                        .help(help),
                    );
                }
            }
        }
        stack.pop();
        Self::apply_entries(book, &book.rules, rules, merged, problems);
        chain.push(book.name.clone());
    }

    /// A `[channels.NAME]` entry for a rule that never runs on that channel
    /// would be silently ignored: it is an error instead.
    fn check_channel(
        book: &Rulebook,
        entries: &[RuleEntry],
        rules: &RuleSet,
        channel: Channel,
        problems: &mut Vec<Problem>,
    ) {
        let src = Source::new(book.path.clone(), book.source.clone());
        for entry in entries {
            let Ok(rule) = rules.resolve(&entry.id) else {
                continue;
            };
            if rule.meta.applies_to(channel) {
                continue;
            }
            let applies: Vec<&str> = rule.meta.channels.iter().map(|c| c.as_str()).collect();
            problems.push(
                Problem::error(
                    "tact::rulebook::channel-rule",
                    format!(
                        "rule `{}` does not apply to `{}` notes, so this entry would do nothing",
                        rule.id,
                        channel.as_str()
                    ),
                )
                .at(src.clone(), entry.id_span, "never runs on this channel")
                .help(format!(
                    "`{}` applies to: {}; remove the entry, or write a rule of your own for this channel",
                    rule.id,
                    applies.join(", ")
                )),
            );
        }
    }

    /// Merges one table of a rulebook's entries into `merged`.
    fn apply_entries(
        book: &Rulebook,
        entries: &[RuleEntry],
        rules: &RuleSet,
        merged: &mut BTreeMap<String, Merged>,
        problems: &mut Vec<Problem>,
    ) {
        let src = Source::new(book.path.clone(), book.source.clone());
        let mut seen: BTreeMap<String, crate::span::Span> = BTreeMap::new();
        for entry in entries {
            let pack = book.pack();
            let rule = match rules.resolve_in(&entry.id, pack) {
                Ok(r) => r,
                Err(_) if rules.is_broken(&entry.id) => continue,
                Err(ResolveError::Ambiguous(ids)) => {
                    let ids: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
                    problems.push(
                        Problem::error(
                            "tact::rulebook::ambiguous-rule",
                            format!(
                                "rule `{}` in rulebook `{}` is ambiguous: it could be {}",
                                entry.id,
                                book.name,
                                ids.join(" or ")
                            ),
                        )
                        .at(src.clone(), entry.id_span, "several packs have this rule")
                        .help("write the full id, `pack/name`"),
                    );
                    continue;
                }
                Err(e) => {
                    problems.push(
                        Problem::error(
                            "tact::rulebook::unknown-rule",
                            format!("unknown rule `{}` in rulebook `{}`", entry.id, book.name),
                        )
                        .at(src.clone(), entry.id_span, "no such rule")
                        .help(e.help()),
                    );
                    continue;
                }
            };
            if let Some(first) = seen.insert(rule.id.clone(), entry.id_span) {
                problems.push(
                    Problem::error(
                        "tact::rulebook::duplicate",
                        format!(
                            "rule `{}` is set twice in rulebook `{}`",
                            rule.id, book.name
                        ),
                    )
                    .at(src.clone(), entry.id_span, "set again here")
                    .label(first, "first set here")
                    .help("keep one entry per rule"),
                );
                continue;
            }
            let m = merged.entry(rule.id.clone()).or_default();
            if entry.setting.is_some() {
                m.setting = entry.setting;
            }
            for (key, value, span) in &entry.options {
                let Some(default) = rule.meta.options.get(key) else {
                    let known: Vec<&str> = rule.meta.options.keys().map(|k| k.as_str()).collect();
                    let help = match did_you_mean(key, known.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if known.is_empty() => format!("`{}` takes no options", rule.id),
                        None => format!("`{}` takes: {}", rule.id, known.join(", ")),
                    };
                    problems.push(
                        Problem::error(
                            "tact::rulebook::unknown-option",
                            format!("unknown option `{key}` for rule `{}`", rule.id),
                        )
                        .at(src.clone(), *span, "unknown option")
                        .help(help),
                    );
                    continue;
                };
                match OptionValue::from_toml(value, default) {
                    Ok(v) => {
                        if let Some(why) = too_many_triggers(&rule.meta, key, &v) {
                            problems.push(
                                Problem::error(
                                    "tact::rulebook::too-many-triggers",
                                    format!("option `{key}` of rule `{}`: {why}", rule.id),
                                )
                                .at(src.clone(), *span, "too large")
                                .help("trigger phrases gate every note: keep the list short"),
                            );
                            continue;
                        }
                        m.options.insert(key.clone(), v);
                    }
                    Err(why) => problems.push(
                        Problem::error(
                            "tact::rulebook::option-type",
                            format!("option `{key}` of rule `{}`: {why}", rule.id),
                        )
                        .at(src.clone(), *span, "wrong type")
                        .help(format!(
                            "the default is {default}; `tact explain {}` documents it",
                            rule.id
                        )),
                    ),
                }
            }
        }
    }
}
