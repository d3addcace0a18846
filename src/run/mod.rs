//! Running a resolved rulebook over notes: trigger matching in one native
//! pass, sandboxed rule calls, findings validated and levelled, allowances.

pub mod stream;
mod timings;

pub use timings::{RuleTiming, Timings};

use crate::finding::{Edit, Finding, Fix, Level};
use crate::matcher::{PatternMatcher, PhraseMatcher, TriggerMatcher};
use crate::note::{Channel, Note, Origin};
use crate::plugin::api::NoteRef;
use crate::plugin::script::{ScriptOptions, call_check};
use crate::plugin::{Rule, RuleSet};
use crate::problem::Source;
use crate::rule::gate::On;
use crate::rule::meta::Report;
use crate::rule::options::Options;
use crate::rulebook::ResolvedRulebook;
use crate::span::Span;
use rhai::Engine;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The rule id of findings about a note's own `allow` list.
pub const UNUSED_ALLOW: &str = "tact/unused-allow";

/// What [`UNUSED_ALLOW`] findings mean, for `tact explain` and SARIF.
pub const UNUSED_ALLOW_DOC: &str = "A note's `allow` list names a rule that reported nothing on it, that its \
rulebook does not enable, or that does not exist (as ESLint and Ruff report unused \
suppressions). Remove the entry from `allow`.";

/// How long placeholders may be when a template is filled in; length checks
/// of `--template` notes use the longest expansion.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TemplateLengths {
    /// Chars assumed for a placeholder without its own entry.
    pub default: usize,
    /// Chars per placeholder name (`first_name = 12`).
    pub lengths: HashMap<String, usize>,
}

impl Default for TemplateLengths {
    fn default() -> Self {
        let lengths = [
            ("first_name", 12),
            ("last_name", 15),
            ("full_name", 28),
            ("name", 12),
            ("company", 25),
            ("company_name", 25),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        TemplateLengths {
            default: 20,
            lengths,
        }
    }
}

impl TemplateLengths {
    /// The note's length in chars, with placeholders counted at their longest
    /// expansion when the note is a template.
    pub fn length_of(&self, note: &Note) -> usize {
        let body = note.body_text().trim();
        let mut len = body.chars().count();
        if note.template {
            for p in &note.segments().placeholders {
                len -= note.slice(p.span).chars().count();
                len += self.lengths.get(&p.name).copied().unwrap_or(self.default);
            }
        }
        len
    }
}

/// A rule that failed on a note: it threw, exceeded a limit, or returned
/// something that is not a list of findings.
#[derive(Debug, Clone)]
pub struct RuleFailure {
    /// The rule's id.
    pub rule: String,
    /// What went wrong.
    pub message: String,
    /// What the rule author can do.
    pub hint: Option<String>,
    /// The script, for the diagnostic.
    pub script: Source,
    /// Where in the script.
    pub span: Span,
    /// The note it failed on.
    pub note: Origin,
}

/// What checking one note produced.
#[derive(Debug, Clone, Default)]
pub struct NoteReport {
    /// Findings sorted by position, then rule id.
    pub findings: Vec<Finding>,
    /// Rules that failed on this note.
    pub failures: Vec<RuleFailure>,
}

/// A rule enabled by the rulebook, with its level and options.
#[derive(Debug, Clone)]
pub struct ActiveRule {
    /// The compiled rule.
    pub rule: Arc<Rule>,
    /// The highest level its findings get.
    pub level: Level,
    /// Its resolved options.
    pub options: Options,
    /// The options as its script receives them.
    script_options: ScriptOptions,
    /// A `report` rule's phrases (its triggers and `trigger_options` lists
    /// as resolved), compiled once.
    report_phrases: Option<Arc<PhraseMatcher>>,
}

impl ActiveRule {
    /// Enables `rule` at `level` with resolved `options`.
    pub fn new(rule: Arc<Rule>, level: Level, options: Options) -> ActiveRule {
        let report_phrases = rule.meta.report.as_ref().filter(|r| !r.at_body).map(|_| {
            let lists = rule
                .meta
                .trigger_options
                .iter()
                .filter_map(|o| options.get(o)?.as_strings())
                .flatten();
            let all: Vec<&str> = rule
                .meta
                .triggers
                .iter()
                .map(String::as_str)
                .chain(lists)
                .collect();
            Arc::new(PhraseMatcher::new(&all))
        });
        ActiveRule {
            script_options: ScriptOptions::new(&options),
            report_phrases,
            rule,
            level,
            options,
        }
    }

    /// A `report` rule's findings: one per occurrence of its phrases in the
    /// body, with the declared message, help and replacement.
    fn reported(&self, report: &Report, note: &Note) -> Vec<Finding> {
        if report.at_body {
            return vec![Finding {
                rule: self.rule.id.clone(),
                level: self.level,
                span: note.trimmed_body(),
                message: report.message.clone(),
                help: report.help.clone(),
                fix: None,
            }];
        }
        let Some(matcher) = &self.report_phrases else {
            return vec![];
        };
        let body = note.body;
        matcher
            .find_iter(&note.source[body.start..body.end])
            .map(|hit| {
                let span = hit.span.shifted(body.start);
                let found = note.slice(span);
                Finding {
                    rule: self.rule.id.clone(),
                    level: self.level,
                    span,
                    message: Report::fill(&report.message, found),
                    help: report.help.as_deref().map(|h| Report::fill(h, found)),
                    fix: report.replace.as_ref().map(|(text, safety)| Fix {
                        safety: *safety,
                        edits: vec![Edit {
                            span,
                            replacement: Report::fill(text, found),
                        }],
                    }),
                }
            })
            .collect()
    }
}

/// Which rules a note can trigger, found in one native pass.
struct Triggers {
    phrases: TriggerMatcher,
    patterns: PatternMatcher,
    always: Vec<bool>,
}

/// What the trigger pass found in a note: the rules it triggered, and the
/// phrases of `opening_options` that count only inside the opening sentence
/// (rule, start, end in bytes of the body), for the checker to place.
struct Selected {
    run: Vec<bool>,
    opening: Vec<(usize, usize, usize)>,
}

impl Selected {
    /// Whether rule `i` was triggered, placing its opening phrases (if it has
    /// any) against the note's opening sentence only when asked.
    fn runs(&self, i: usize, note: &Note) -> bool {
        self.run[i]
            || self.opening.iter().any(|&(rule, start, end)| {
                rule == i
                    && note.segments().opening.is_some_and(|o| {
                        o.start <= note.body.start + start && note.body.start + end <= o.end
                    })
            })
    }
}

impl Triggers {
    fn new(rules: &[ActiveRule]) -> Triggers {
        let mut phrases: Vec<String> = Vec::new();
        let mut phrase_owner = Vec::new();
        let mut patterns = Vec::new();
        let mut pattern_owner = Vec::new();
        let mut always = Vec::new();
        let n = rules.len();
        for (i, r) in rules.iter().enumerate() {
            // Owner `n + i` marks an `unless` phrase of rule `i`, `2n + i` an
            // opening phrase.
            let lists = |names: &[String]| -> Vec<String> {
                names
                    .iter()
                    .filter_map(|o| r.options.get(o)?.as_strings())
                    .flatten()
                    .map(str::to_owned)
                    .collect()
            };
            let meta = &r.rule.meta;
            for (list, owner) in [
                (lists(&meta.unless_options), n + i),
                (lists(&meta.opening_options), 2 * n + i),
            ] {
                phrase_owner.extend(std::iter::repeat_n(owner, list.len()));
                phrases.extend(list);
            }
            let from_options = lists(&meta.trigger_options);
            for p in meta.triggers.iter().cloned().chain(from_options) {
                phrases.push(p);
                phrase_owner.push(i);
            }
            for p in &meta.patterns {
                patterns.push(p.as_str());
                pattern_owner.push(i);
            }
            always.push(meta.always_runs());
        }
        Triggers {
            phrases: TriggerMatcher::new(phrases.into_iter().zip(phrase_owner)),
            patterns: PatternMatcher::new(patterns.into_iter().zip(pattern_owner)),
            always,
        }
    }

    fn select(&self, text: &str) -> Selected {
        let n = self.always.len();
        let mut run = self.always.clone();
        let mut blocked = vec![false; n];
        let mut opening = Vec::new();
        self.phrases
            .for_each_owner(text, |owner, start, end| match owner / n.max(1) {
                0 => run[owner] = true,
                1 => blocked[owner - n] = true,
                _ => opening.push((owner - 2 * n, start, end)),
            });
        self.patterns.for_each_owner(text, |rule| run[rule] = true);
        run.iter_mut().zip(&blocked).for_each(|(r, b)| *r &= !b);
        opening.retain(|&(rule, _, _)| !blocked[rule]);
        Selected { run, opening }
    }
}

/// The rules one channel's notes get, with their trigger pass; built on the
/// first note of that channel.
struct Lane {
    rules: Vec<ActiveRule>,
    triggers: Triggers,
    /// Per rule, what its calls cost (kept when timing).
    clocks: Vec<timings::Clock>,
}

impl Lane {
    fn new(rules: Vec<ActiveRule>) -> Lane {
        Lane {
            triggers: Triggers::new(&rules),
            clocks: rules.iter().map(|_| timings::Clock::default()).collect(),
            rules,
        }
    }
}

/// The most findings one rule reports on one note; a last finding says how
/// many more there were.
pub const MAX_FINDINGS: usize = 100;

/// Keeps the first [`MAX_FINDINGS`] findings, and says how many more there
/// were (`dropped` counts matches the API left out, so the count is an upper bound then).
fn cap_findings(mut findings: Vec<Finding>, dropped: usize, rule: &str) -> Vec<Finding> {
    if findings.len() <= MAX_FINDINGS {
        return findings;
    }
    let more = findings.len() - MAX_FINDINGS + dropped;
    let span = findings[MAX_FINDINGS].span;
    findings.truncate(MAX_FINDINGS);
    findings.push(Finding {
        rule: rule.to_owned(),
        level: Level::Info,
        span,
        message: format!(
            "{}{more} more like these not shown: tact reports at most {MAX_FINDINGS} findings of a rule per note",
            if dropped > 0 { "up to " } else { "" }
        ),
        help: None,
        fix: None,
    });
    findings
}

/// How often each rule failed in a run, so a rule failing on every note
/// stops being called after `max` notes.
#[derive(Debug)]
struct Tally {
    max: usize,
    /// Set on the first failure: until then no call takes the lock.
    any: AtomicBool,
    counts: Mutex<HashMap<String, FailureCount>>,
}

/// A rule's failures in a run, and the notes it was then skipped on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureCount {
    /// Notes it failed on.
    pub failed: usize,
    /// Notes it was not called on because it had failed too often.
    pub skipped: usize,
}

impl Tally {
    fn new(max: usize) -> Tally {
        Tally {
            max,
            any: AtomicBool::new(false),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, FailureCount>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `rule` may still be called; if not, counts the skip.
    fn admit(&self, rule: &str) -> bool {
        if !self.any.load(Ordering::Relaxed) {
            return true;
        }
        match self.lock().get_mut(rule) {
            Some(c) if c.failed >= self.max => {
                c.skipped += 1;
                false
            }
            _ => true,
        }
    }

    /// Counts a failure; false when the rule had already failed `max` times
    /// (a call admitted on another thread just before): that note counts as
    /// skipped, so no more than `max` failures are ever reported.
    fn failed(&self, rule: &str) -> bool {
        self.any.store(true, Ordering::Relaxed);
        let mut counts = self.lock();
        let c = counts.entry(rule.to_owned()).or_default();
        if c.failed >= self.max {
            c.skipped += 1;
            return false;
        }
        c.failed += 1;
        true
    }
}

/// Checks notes against one resolved rulebook, each note with the rules of
/// its channel. Shared by all threads.
pub struct Checker {
    engine: Arc<Engine>,
    /// The rulebook's name.
    pub rulebook: String,
    /// The resolved rulebook (levels and options per channel).
    book: Option<ResolvedRulebook>,
    lanes: [OnceLock<Lane>; 3],
    all_rules: Arc<RuleSet>,
    template: TemplateLengths,
    tally: Tally,
    /// Whole-note times, when timing (`None` otherwise: no clock is read).
    timed: Option<timings::NoteClock>,
}

impl Checker {
    /// Prepares the rules of `book` for checking.
    pub fn new(
        engine: Arc<Engine>,
        rules: Arc<RuleSet>,
        book: &ResolvedRulebook,
        template: TemplateLengths,
    ) -> Checker {
        Checker {
            engine,
            rulebook: book.name.clone(),
            book: Some(book.clone()),
            lanes: Default::default(),
            all_rules: rules,
            template,
            tally: Tally::new(usize::MAX),
            timed: None,
        }
    }

    /// Stops calling a rule once it has failed on `max` notes.
    pub fn with_max_failures(mut self, max: usize) -> Checker {
        self.tally = Tally::new(max);
        self
    }

    /// Measures each rule's calls and each note's check (`--timings`).
    pub fn with_timings(mut self) -> Checker {
        self.timed = Some(timings::NoteClock::default());
        self
    }

    /// What checking cost so far, per rule, when timing (see [`Checker::with_timings`]).
    pub fn timings(&self) -> Option<Timings> {
        let clock = self.timed.as_ref()?;
        let mut out = Timings::default();
        out.add_notes(clock);
        for lane in self.lanes.iter().filter_map(OnceLock::get) {
            for (active, clock) in lane.rules.iter().zip(&lane.clocks) {
                out.add_rule(&active.rule.id, clock);
            }
        }
        out.sort();
        Some(out)
    }

    /// The rules that were skipped on some notes after failing too often,
    /// with their counts, sorted by id.
    pub fn skipped(&self) -> Vec<(String, FailureCount)> {
        let mut out: Vec<_> = self
            .tally
            .lock()
            .iter()
            .filter(|(_, c)| c.skipped > 0)
            .map(|(r, c)| (r.clone(), *c))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// A checker running one rule with the given options on notes of every
    /// channel the rule applies to (for rule tests).
    pub fn single(
        engine: Arc<Engine>,
        rules: Arc<RuleSet>,
        rule: Arc<Rule>,
        options: Options,
        template: TemplateLengths,
    ) -> Checker {
        let checker = Checker {
            engine,
            rulebook: String::new(),
            book: None,
            lanes: Default::default(),
            all_rules: rules,
            template,
            tally: Tally::new(usize::MAX),
            timed: None,
        };
        for (lane, channel) in checker.lanes.iter().zip(Channel::ALL) {
            let rules = if rule.meta.applies_to(channel) {
                vec![ActiveRule::new(
                    rule.clone(),
                    rule.meta.level,
                    options.clone(),
                )]
            } else {
                vec![]
            };
            let _ = lane.set(Lane::new(rules));
        }
        checker
    }

    /// The rules notes of `channel` get, sorted by id.
    pub fn rules(&self, channel: Channel) -> &[ActiveRule] {
        &self.lane(channel).rules
    }

    fn lane(&self, channel: Channel) -> &Lane {
        let i = Channel::ALL.iter().position(|c| *c == channel).unwrap_or(0);
        self.lanes[i].get_or_init(|| {
            let settings = self.book.as_ref().map(|b| b.rules_for(channel));
            Lane::new(
                settings
                    .into_iter()
                    .flatten()
                    .filter_map(|(id, s)| {
                        Some(ActiveRule::new(
                            self.all_rules.get(id)?.clone(),
                            s.level,
                            s.options.clone(),
                        ))
                    })
                    .collect(),
            )
        })
    }

    /// Runs every triggered rule of the note's channel on `note`.
    pub fn check(&self, note: &Arc<Note>) -> NoteReport {
        let started = self.timed.as_ref().map(|_| std::time::Instant::now());
        let lane = self.lane(note.channel());
        let mut report = NoteReport::default();
        let selected = lane.triggers.select(note.body_text());
        let on = On {
            note,
            length: self.template.length_of(note),
        };
        // Built on the first script call: most notes call few rules.
        let mut view = None;
        let mut fired = vec![false; lane.rules.len()];
        for (i, active) in lane.rules.iter().enumerate() {
            let meta = &active.rule.meta;
            let triggered = selected.runs(i, note)
                || meta
                    .trigger_facts
                    .iter()
                    .any(|c| c.holds(&on, &active.options));
            if !triggered
                || !meta.requires.iter().all(|r| r.holds(note, &active.options))
                || !(meta.when.is_empty()
                    || meta.when.iter().any(|c| c.holds(&on, &active.options)))
            {
                continue;
            }
            if !self.tally.admit(&active.rule.id) {
                continue;
            }
            let call_started = started.map(|_| std::time::Instant::now());
            let result = match &meta.report {
                Some(report) => Ok(cap_findings(
                    active.reported(report, note),
                    0,
                    &active.rule.id,
                )),
                None => {
                    let view = view.get_or_insert_with(|| NoteRef::new(note.clone(), on.length));
                    self.call(active, view, note)
                }
            };
            if let Some(t) = call_started {
                lane.clocks[i].record(t, result.as_ref().map_or(0, Vec::len));
            }
            match result {
                Ok(findings) => {
                    fired[i] = !findings.is_empty();
                    report.findings.extend(findings);
                }
                Err(f) => {
                    if self.tally.failed(&active.rule.id) {
                        report.failures.push(f);
                    }
                }
            }
        }
        self.apply_allowances(note, &lane.rules, &mut report, &fired);
        report.findings.sort_by(|a, b| {
            (a.span.start, &a.rule, a.span.end).cmp(&(b.span.start, &b.rule, b.span.end))
        });
        if let (Some(clock), Some(t)) = (&self.timed, started) {
            clock.record(t);
        }
        report
    }

    fn call(
        &self,
        active: &ActiveRule,
        view: &NoteRef,
        note: &Note,
    ) -> Result<Vec<Finding>, RuleFailure> {
        let rule = &active.rule;
        match call_check(
            &self.engine,
            rule,
            view,
            &active.script_options,
            note,
            active.level,
        ) {
            Ok((findings, dropped)) => Ok(cap_findings(findings, dropped, &rule.id)),
            Err(e) => Err(RuleFailure {
                rule: rule.id.clone(),
                message: e.message,
                hint: e.hint,
                script: rule.script_source(),
                span: e.span,
                note: note.origin.clone(),
            }),
        }
    }

    fn apply_allowances(
        &self,
        note: &Note,
        rules: &[ActiveRule],
        report: &mut NoteReport,
        fired: &[bool],
    ) {
        for allow in &note.front.allow {
            let resolved = self.all_rules.resolve(&allow.rule);
            let id = match &resolved {
                Ok(r) => r.id.clone(),
                Err(_) => allow.rule.clone(),
            };
            let idx = rules.iter().position(|r| r.rule.id == id);
            let used = idx.is_some_and(|i| fired[i]);
            if used {
                report.findings.retain(|f| f.rule != id);
                continue;
            }
            let (message, help) = match resolved {
                Err(e) => (
                    format!("`allow` names unknown rule `{}`", allow.rule),
                    Some(e.help()),
                ),
                Ok(_) if idx.is_none() => (
                    format!(
                        "`allow` silences `{id}`, which rulebook `{}` does not enable",
                        self.rulebook
                    ),
                    Some("remove it from `allow`".into()),
                ),
                Ok(_) => (
                    format!("unused allowance: `{id}` reports nothing on this note"),
                    Some("remove it from `allow`".into()),
                ),
            };
            let span = if allow.span.is_empty() {
                Span::new(note.body.start, note.body.start)
            } else {
                allow.span
            };
            report.findings.push(Finding {
                rule: UNUSED_ALLOW.into(),
                level: Level::Warn,
                span,
                message,
                help,
                fix: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two threads admitted at once could both report a failure past the cap
    // (4 reported with a cap of 3): the cap on reported failures is exact.
    #[test]
    fn failure_tally_reports_at_most_max_failures_under_contention() {
        let tally = Tally::new(3);
        let reported = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..25 {
                        if tally.admit("r") && tally.failed("r") {
                            reported.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(reported.load(Ordering::Relaxed), 3);
        let c = tally.lock()["r"];
        assert_eq!(c.failed + c.skipped, 100);
    }
}
