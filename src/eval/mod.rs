//! `tact eval`: measure rules on labelled notes.
//!
//! A labelled batch is an ordinary JSONL or CSV batch whose rows carry extra
//! columns, read from each note's row:
//! - `verdict` (`good`/`bad`) and `expect` (rule ids, any one of which should
//!   catch a bad note): good notes passing, bad notes caught, and per rule
//!   true and false positives;
//! - a numeric `score` (or `normalized score`, as in the Stanford Politeness
//!   Corpus), with [`Options::quartiles`]: how often each rule fires on the top
//!   and the bottom quartile, and the balanced accuracy of each rule and of the
//!   note's tone score;
//! - outcome columns `version`, `sent`, `accepted`, `replied` (and optionally
//!   `audience`), as in a weekly tracking sheet: acceptance and reply rates
//!   per version and per rule, with 95% Wilson intervals.
//!
//! A rule "fires" on a note when it reports a finding at warn or error level:
//! info-level findings are hints and never fail a note.

pub mod render;
pub mod stats;

use crate::finding::Level;
use crate::note::Note;
use crate::run::NoteReport;
use serde::Serialize;
use stats::{Rate, balanced_accuracy, quartiles, ratio};
use std::collections::{BTreeMap, BTreeSet};

/// Groups of fewer sends than this are too small to judge (seed 000:
/// "collect at least 25 to 50 sends before judging performance").
pub const MIN_SENDS: u64 = 25;

/// The tone score at or above which a note counts as polite.
pub const TONE_THRESHOLD: f64 = 0.5;

/// How many example notes to list per rule.
const EXAMPLES: usize = 5;

/// What `tact eval` measures, besides the labels it finds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Split numeric scores into quartiles.
    pub quartiles: bool,
    /// Count only these rules' findings (full ids; all rules when empty).
    pub select: BTreeSet<String>,
}

/// The labels of one note, read from its row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    /// `good` (true) or `bad` (false).
    pub good: Option<bool>,
    /// Rules that should catch a bad note (full ids).
    pub expect: Vec<String>,
    /// A numeric score, higher is better.
    pub score: Option<f64>,
    /// Outcome columns.
    pub outcome: Option<Outcome>,
}

/// What happened to a note that was sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The version label (`Recruiter V1`).
    pub version: String,
    /// The audience (`recruiter`, `founder`, …; empty when not given).
    pub audience: String,
    /// Requests sent.
    pub sent: u64,
    /// Requests accepted.
    pub accepted: u64,
    /// Replies after acceptance.
    pub replied: u64,
}

/// A column whose value is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError(pub String);

impl Labels {
    /// Reads the labels of a note's row. `resolve` turns a rule id as written
    /// into a full id, or says why it cannot.
    pub fn read(
        note: &Note,
        resolve: impl Fn(&str) -> Result<String, String>,
    ) -> Result<Labels, LabelError> {
        let get = |k: &str| {
            note.front
                .extra
                .get(k)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let good = match get("verdict").map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("good" | "pass" | "ok") => Some(true),
            Some("bad" | "fail") => Some(false),
            Some(other) => {
                return Err(LabelError(format!(
                    "`verdict` is `{other}`; expected `good` or `bad`"
                )));
            }
        };
        let expect = get("expect")
            .map(|e| {
                e.split([',', ';', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|id| resolve(id).map_err(|why| LabelError(format!("`expect`: {why}"))))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let score = match get("score").or_else(|| get("normalized score")) {
            None => None,
            Some(s) => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| LabelError(format!("the score `{s}` is not a number")))?,
            ),
        };
        let count = |k: &str| -> Result<u64, LabelError> {
            match get(k) {
                None => Ok(0),
                Some(s) => s
                    .parse::<u64>()
                    .map_err(|_| LabelError(format!("`{k}` is `{s}`; expected a whole number"))),
            }
        };
        let outcome = match get("version") {
            None => None,
            Some(version) => {
                let o = Outcome {
                    version: version.to_owned(),
                    audience: get("audience").unwrap_or_default().to_owned(),
                    sent: count("sent")?,
                    accepted: count("accepted")?,
                    replied: count("replied")?,
                };
                if o.accepted > o.sent || o.replied > o.accepted {
                    return Err(LabelError(format!(
                        "{} sent, {} accepted, {} replied: each must be at most the one before",
                        o.sent, o.accepted, o.replied
                    )));
                }
                Some(o)
            }
        };
        Ok(Labels {
            good,
            expect,
            score,
            outcome,
        })
    }
}

/// One checked note, as `tact eval` keeps it.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The row's `id`, else its position (`file:row`).
    pub name: String,
    /// The rulebook that checked it.
    pub rulebook: String,
    /// Its labels.
    pub labels: Labels,
    /// The counted rules that fired (warn or error), sorted.
    pub fired: Vec<String>,
    /// Its tone score.
    pub tone: f64,
}

impl Observed {
    /// Keeps what eval needs of a checked note.
    pub fn new(
        note: &Note,
        rulebook: &str,
        labels: Labels,
        report: &NoteReport,
        options: &Options,
    ) -> Observed {
        let fired: BTreeSet<String> = report
            .findings
            .iter()
            .filter(|f| f.level >= Level::Warn)
            .filter(|f| options.select.is_empty() || options.select.contains(&f.rule))
            .map(|f| f.rule.clone())
            .collect();
        Observed {
            name: note
                .origin
                .id
                .clone()
                .unwrap_or_else(|| note.origin.to_string()),
            rulebook: rulebook.to_owned(),
            labels,
            fired: fired.into_iter().collect(),
            tone: note.tone(),
        }
    }

    fn caught(&self) -> bool {
        if self.labels.expect.is_empty() {
            !self.fired.is_empty()
        } else {
            self.labels.expect.iter().any(|e| self.fired.contains(e))
        }
    }
}

/// Good notes passing and bad notes caught.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdicts {
    /// Good notes.
    pub good: u64,
    /// Good notes with no finding at warn or error.
    pub good_passed: u64,
    /// Bad notes.
    pub bad: u64,
    /// Bad notes an expected rule caught (any rule, when none is expected).
    pub bad_caught: u64,
    /// Notes with a finding at warn or error.
    pub flagged: u64,
    /// Of those, bad notes.
    pub flagged_bad: u64,
}

impl Verdicts {
    fn add(&mut self, o: &Observed) {
        let Some(good) = o.labels.good else { return };
        let flagged = !o.fired.is_empty();
        self.flagged += flagged as u64;
        if good {
            self.good += 1;
            self.good_passed += !flagged as u64;
        } else {
            self.bad += 1;
            self.bad_caught += o.caught() as u64;
            self.flagged_bad += flagged as u64;
        }
    }

    /// Good notes that pass, as a fraction.
    pub fn pass_rate(&self) -> Option<f64> {
        ratio(self.good_passed, self.good)
    }

    /// Bad notes caught, as a fraction.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.bad_caught, self.bad)
    }

    /// Flagged notes that are bad, as a fraction.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.flagged_bad, self.flagged)
    }
}

/// One rule against the verdicts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleVerdicts {
    /// Fired on a bad note that expects it.
    pub true_positives: u64,
    /// Fired on a good note.
    pub false_positives: u64,
    /// Expected on a bad note, but silent.
    pub false_negatives: u64,
    /// Fired on a bad note that expects other rules.
    pub other: u64,
    /// `tp / (tp + fp)`.
    pub precision: Option<f64>,
    /// `tp / (tp + fn)`.
    pub recall: Option<f64>,
    /// Good notes it fired on (the first few).
    pub false_alarms: Vec<String>,
    /// Bad notes it missed (the first few).
    pub misses: Vec<String>,
}

/// How often a rule fires on the top and the bottom quartile.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    /// Fired on top-quartile notes.
    pub top: Rate,
    /// Fired on bottom-quartile notes.
    pub bottom: Rate,
    /// As a detector of the bottom quartile.
    pub balanced_accuracy: Option<f64>,
}

impl Split {
    fn new(top_hits: u64, top: u64, bottom_hits: u64, bottom: u64) -> Split {
        Split {
            top: Rate::new(top_hits, top),
            bottom: Rate::new(bottom_hits, bottom),
            balanced_accuracy: balanced_accuracy(bottom_hits, bottom, top_hits, top),
        }
    }
}

/// The quartile view of a scored batch.
#[derive(Debug, Clone, Serialize)]
pub struct Quartiles {
    /// Notes with a score.
    pub scored: u64,
    /// Scores at or below this are the bottom quartile.
    pub q1: f64,
    /// Scores at or above this are the top quartile.
    pub q3: f64,
    /// Any counted rule firing.
    pub any: Split,
    /// Each rule that fired on either quartile.
    pub rules: BTreeMap<String, Split>,
    /// The tone score below [`TONE_THRESHOLD`], as a detector of the bottom quartile.
    pub tone: Split,
    /// Mean tone score of the top quartile.
    pub tone_top_mean: f64,
    /// Mean tone score of the bottom quartile.
    pub tone_bottom_mean: f64,
}

/// Acceptance and reply rates of one group of sends.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// Notes (rows) in the group.
    pub notes: u64,
    /// Accepted of sent.
    pub acceptance: Rate,
    /// Replied of accepted.
    pub reply: Rate,
    /// Fewer than [`MIN_SENDS`] sends: too small to judge.
    pub too_small: bool,
}

impl Rates {
    fn new(notes: u64, sent: u64, accepted: u64, replied: u64) -> Rates {
        Rates {
            notes,
            acceptance: Rate::new(accepted, sent),
            reply: Rate::new(replied, accepted),
            too_small: sent < MIN_SENDS,
        }
    }
}

/// One version's results.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// Its audience (empty when not given).
    pub audience: String,
    /// Its label.
    pub version: String,
    /// Its rates.
    #[serde(flatten)]
    pub rates: Rates,
}

/// A rule's effect on outcomes: notes where it fired against notes where it did not.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    /// Sends of notes it fired on.
    pub fired: Rates,
    /// Sends of notes it did not fire on.
    pub silent: Rates,
}

/// The winner of one audience, when the intervals allow a call.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// The audience.
    pub audience: String,
    /// The measure compared (`acceptance`).
    pub measure: &'static str,
    /// The winning version, or `None` when no version's interval is clear of
    /// the others' (or a version is too small to judge).
    pub winner: Option<String>,
    /// Why there is or is no winner.
    pub reason: String,
}

/// Outcome columns summed per version and per rule.
#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    /// Per audience and version, in that order.
    pub versions: Vec<Version>,
    /// Per rule that fired on any sent note.
    pub rules: BTreeMap<String, RuleOutcome>,
    /// Per audience: the version with clearly higher acceptance, if any.
    pub calls: Vec<Call>,
}

/// Everything `tact eval` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Notes checked.
    pub notes: u64,
    /// Rows that could not be read or checked.
    pub problems: u64,
    /// Good/bad verdicts, when the batch has them.
    pub verdicts: Option<Verdicts>,
    /// The same per rulebook.
    pub rulebooks: BTreeMap<String, Verdicts>,
    /// Per rule against the verdicts.
    pub rules: BTreeMap<String, RuleVerdicts>,
    /// The quartile view, with `--split quartiles`.
    pub quartiles: Option<Quartiles>,
    /// Outcome rates, when the batch has outcome columns.
    pub outcomes: Option<Outcomes>,
}

/// Collects observed notes and turns them into a [`Report`].
#[derive(Debug, Default)]
pub struct Tally {
    notes: u64,
    problems: u64,
    verdicts: Verdicts,
    rulebooks: BTreeMap<String, Verdicts>,
    rules: BTreeMap<String, RuleVerdicts>,
    /// Scored notes, kept whole because the quartile cut points are known
    /// only at the end.
    scored: Vec<Scored>,
    /// Sent notes: (audience, version, sent, accepted, replied, fired).
    sent: Vec<(Outcome, Vec<String>)>,
    /// The rules counted (all when empty): misses of others are not counted.
    select: BTreeSet<String>,
}

impl Tally {
    /// A tally counting only `options.select`'s rules (all when empty).
    pub fn new(options: &Options) -> Tally {
        Tally {
            select: options.select.clone(),
            ..Tally::default()
        }
    }

    /// Counts a row that could not be read or checked.
    pub fn problem(&mut self) {
        self.problems += 1;
    }

    /// Counts one checked note.
    pub fn add(&mut self, o: Observed) {
        self.notes += 1;
        if let Some(good) = o.labels.good {
            self.verdicts.add(&o);
            self.rulebooks
                .entry(o.rulebook.clone())
                .or_default()
                .add(&o);
            for id in &o.fired {
                let r = self.rules.entry(id.clone()).or_default();
                if good {
                    r.false_positives += 1;
                    if r.false_alarms.len() < EXAMPLES {
                        r.false_alarms.push(o.name.clone());
                    }
                } else if o.labels.expect.contains(id) {
                    r.true_positives += 1;
                } else {
                    r.other += 1;
                }
            }
            if !good {
                let counted = |id: &&String| self.select.is_empty() || self.select.contains(*id);
                for id in o
                    .labels
                    .expect
                    .iter()
                    .filter(counted)
                    .filter(|e| !o.fired.contains(e))
                {
                    let r = self.rules.entry(id.clone()).or_default();
                    r.false_negatives += 1;
                    if r.misses.len() < EXAMPLES {
                        r.misses.push(o.name.clone());
                    }
                }
            }
        }
        if let Some(score) = o.labels.score {
            self.scored.push(Scored {
                score,
                fired: o.fired.clone(),
                tone: o.tone,
            });
        }
        if let Some(outcome) = o.labels.outcome {
            self.sent.push((outcome, o.fired));
        }
    }

    /// The report.
    pub fn finish(mut self, options: &Options) -> Report {
        for r in self.rules.values_mut() {
            r.precision = ratio(r.true_positives, r.true_positives + r.false_positives);
            r.recall = ratio(r.true_positives, r.true_positives + r.false_negatives);
        }
        let has_verdicts = self.verdicts.good + self.verdicts.bad > 0;
        Report {
            notes: self.notes,
            problems: self.problems,
            verdicts: has_verdicts.then_some(self.verdicts),
            rulebooks: self.rulebooks,
            rules: self.rules,
            quartiles: if options.quartiles {
                split_quartiles(&self.scored)
            } else {
                None
            },
            outcomes: (!self.sent.is_empty()).then(|| outcomes(&self.sent)),
        }
    }
}

/// A note with a score, as the quartile split needs it.
#[derive(Debug)]
struct Scored {
    score: f64,
    fired: Vec<String>,
    tone: f64,
}

fn split_quartiles(scored: &[Scored]) -> Option<Quartiles> {
    let scores: Vec<f64> = scored.iter().map(|s| s.score).collect();
    let (q1, q3) = quartiles(&scores)?;
    let top: Vec<&Scored> = scored.iter().filter(|s| s.score >= q3).collect();
    let bottom: Vec<&Scored> = scored.iter().filter(|s| s.score <= q1).collect();
    let (nt, nb) = (top.len() as u64, bottom.len() as u64);
    let count =
        |set: &[&Scored], f: &dyn Fn(&Scored) -> bool| set.iter().filter(|s| f(s)).count() as u64;
    let ids: BTreeSet<&String> = top.iter().chain(&bottom).flat_map(|s| &s.fired).collect();
    let rules = ids
        .into_iter()
        .map(|id| {
            let fired = |s: &Scored| s.fired.contains(id);
            (
                id.clone(),
                Split::new(count(&top, &fired), nt, count(&bottom, &fired), nb),
            )
        })
        .collect();
    let any = |s: &Scored| !s.fired.is_empty();
    let rude = |s: &Scored| s.tone < TONE_THRESHOLD;
    let mean = |set: &[&Scored]| set.iter().map(|s| s.tone).sum::<f64>() / set.len().max(1) as f64;
    Some(Quartiles {
        scored: scored.len() as u64,
        q1,
        q3,
        any: Split::new(count(&top, &any), nt, count(&bottom, &any), nb),
        rules,
        tone: Split::new(count(&top, &rude), nt, count(&bottom, &rude), nb),
        tone_top_mean: mean(&top),
        tone_bottom_mean: mean(&bottom),
    })
}

fn outcomes(sent: &[(Outcome, Vec<String>)]) -> Outcomes {
    #[derive(Default, Clone, Copy)]
    struct Sums {
        notes: u64,
        sent: u64,
        accepted: u64,
        replied: u64,
    }
    impl Sums {
        fn add(&mut self, o: &Outcome) {
            self.notes += 1;
            self.sent += o.sent;
            self.accepted += o.accepted;
            self.replied += o.replied;
        }
        fn rates(self) -> Rates {
            Rates::new(self.notes, self.sent, self.accepted, self.replied)
        }
    }
    let mut by_version: BTreeMap<(String, String), Sums> = BTreeMap::new();
    let mut total = Sums::default();
    let mut by_rule: BTreeMap<&String, Sums> = BTreeMap::new();
    for (o, fired) in sent {
        by_version
            .entry((o.audience.clone(), o.version.clone()))
            .or_default()
            .add(o);
        total.add(o);
        for id in fired {
            by_rule.entry(id).or_default().add(o);
        }
    }
    let rules = by_rule
        .into_iter()
        .map(|(id, fired)| {
            let silent = Sums {
                notes: total.notes - fired.notes,
                sent: total.sent - fired.sent,
                accepted: total.accepted - fired.accepted,
                replied: total.replied - fired.replied,
            };
            (
                id.clone(),
                RuleOutcome {
                    fired: fired.rates(),
                    silent: silent.rates(),
                },
            )
        })
        .collect();
    let versions: Vec<Version> = by_version
        .into_iter()
        .map(|((audience, version), s)| Version {
            audience,
            version,
            rates: s.rates(),
        })
        .collect();
    let audiences: BTreeSet<&String> = versions.iter().map(|v| &v.audience).collect();
    let calls = audiences
        .into_iter()
        .map(|a| call(a, versions.iter().filter(|v| &v.audience == a).collect()))
        .collect();
    Outcomes {
        versions,
        rules,
        calls,
    }
}

/// The version of one audience whose acceptance interval lies wholly above
/// every other version's, when all are big enough to judge.
fn call(audience: &str, versions: Vec<&Version>) -> Call {
    let mk = |winner: Option<String>, reason: String| Call {
        audience: audience.to_owned(),
        measure: "acceptance",
        winner,
        reason,
    };
    if versions.len() < 2 {
        return mk(None, "only one version: nothing to compare".into());
    }
    if let Some(v) = versions.iter().find(|v| v.rates.too_small) {
        return mk(
            None,
            format!(
                "`{}` has {} sends; judge after at least {MIN_SENDS} per version",
                v.version, v.rates.acceptance.total
            ),
        );
    }
    let best = versions
        .iter()
        .max_by(|a, b| a.rates.acceptance.rate.total_cmp(&b.rates.acceptance.rate))
        .expect("at least two versions");
    let clear = versions
        .iter()
        .filter(|v| v.version != best.version)
        .all(|v| v.rates.acceptance.high < best.rates.acceptance.low);
    if clear {
        mk(
            Some(best.version.clone()),
            format!(
                "`{}`'s 95% interval lies above every other version's",
                best.version
            ),
        )
    } else {
        mk(
            None,
            "the 95% intervals overlap: keep sending both, or test a bigger change".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Origin;

    fn note(extra: &[(&str, &str)]) -> Note {
        let mut n = Note::parse(Origin::file("n.txt"), "Hi".into()).unwrap();
        for (k, v) in extra {
            n.front.extra.insert((*k).into(), (*v).into());
        }
        n
    }

    fn full(id: &str) -> Result<String, String> {
        if id.contains('/') {
            Ok(id.to_owned())
        } else if id == "nosuch" {
            Err("no rule `nosuch`".into())
        } else {
            Ok(format!("core/{id}"))
        }
    }

    fn observed(good: bool, expect: &[&str], fired: &[&str]) -> Observed {
        Observed {
            name: format!("{good}{fired:?}"),
            rulebook: "general".into(),
            labels: Labels {
                good: Some(good),
                expect: expect.iter().map(|s| s.to_string()).collect(),
                ..Labels::default()
            },
            fired: fired.iter().map(|s| s.to_string()).collect(),
            tone: 0.5,
        }
    }

    #[test]
    fn labels_are_read_from_the_row() {
        let l = Labels::read(&note(&[("verdict", "bad"), ("expect", "core/a, b")]), full).unwrap();
        assert_eq!(l.good, Some(false));
        assert_eq!(l.expect, ["core/a", "core/b"]);
        let l = Labels::read(&note(&[("normalized score", "-0.25")]), full).unwrap();
        assert_eq!(l.score, Some(-0.25));
        let l = Labels::read(
            &note(&[
                ("version", "V1"),
                ("sent", "30"),
                ("accepted", "12"),
                ("replied", "3"),
            ]),
            full,
        )
        .unwrap();
        assert_eq!(l.outcome.unwrap().accepted, 12);
        for bad in [
            vec![("verdict", "meh")],
            vec![("expect", "nosuch")],
            vec![("score", "high")],
            vec![("version", "V1"), ("sent", "3"), ("accepted", "4")],
            vec![("version", "V1"), ("sent", "-1")],
        ] {
            assert!(Labels::read(&note(&bad), full).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn verdicts_count_passes_catches_and_rule_confusion() {
        let mut t = Tally::default();
        t.add(observed(true, &[], &[]));
        t.add(observed(true, &[], &["core/a"]));
        t.add(observed(false, &["core/a"], &["core/a", "core/b"]));
        t.add(observed(false, &["core/a"], &["core/b"]));
        t.add(observed(false, &[], &["core/c"]));
        let r = t.finish(&Options::default());
        let v = r.verdicts.unwrap();
        assert_eq!((v.good, v.good_passed, v.bad, v.bad_caught), (2, 1, 3, 2));
        assert_eq!((v.flagged, v.flagged_bad), (4, 3));
        let a = &r.rules["core/a"];
        assert_eq!(
            (
                a.true_positives,
                a.false_positives,
                a.false_negatives,
                a.other
            ),
            (1, 1, 1, 0)
        );
        assert_eq!((a.precision, a.recall), (Some(0.5), Some(0.5)));
        assert_eq!(r.rules["core/b"].other, 2);
    }

    #[test]
    fn quartiles_split_fire_rates_and_tone() {
        let mut t = Tally::default();
        for i in 0..8 {
            let mut o = observed(true, &[], if i < 2 { &["core/x"] } else { &[] });
            o.labels.good = None;
            o.labels.score = Some(i as f64);
            o.tone = if i < 4 { 0.2 } else { 0.9 };
            t.add(o);
        }
        let q = t
            .finish(&Options {
                quartiles: true,
                ..Options::default()
            })
            .quartiles
            .unwrap();
        // Q1 = 1.75, Q3 = 5.25: bottom {0, 1}, top {6, 7}.
        assert_eq!((q.q1, q.q3), (1.75, 5.25));
        let x = &q.rules["core/x"];
        assert_eq!((x.bottom.hits, x.bottom.total, x.top.hits), (2, 2, 0));
        assert_eq!(x.balanced_accuracy, Some(1.0));
        assert_eq!(q.tone.balanced_accuracy, Some(1.0));
    }

    #[test]
    fn outcomes_give_rates_small_sample_marks_and_calls() {
        let mut t = Tally::default();
        let mut send = |audience: &str, version: &str, sent, accepted, replied, fired: &[&str]| {
            let mut o = observed(true, &[], fired);
            o.labels.good = None;
            o.labels.outcome = Some(Outcome {
                version: version.into(),
                audience: audience.into(),
                sent,
                accepted,
                replied,
            });
            t.add(o);
        };
        send("recruiter", "V1", 50, 10, 2, &["core/a"]);
        send("recruiter", "V2", 50, 35, 10, &[]);
        send("founder", "V1", 30, 12, 3, &[]);
        send("founder", "V2", 10, 5, 1, &[]);
        let o = t.finish(&Options::default()).outcomes.unwrap();
        let v1 = &o
            .versions
            .iter()
            .find(|v| v.audience == "recruiter" && v.version == "V1")
            .unwrap()
            .rates;
        assert_eq!((v1.acceptance.hits, v1.acceptance.total), (10, 50));
        assert_eq!((v1.reply.hits, v1.reply.total), (2, 10));
        assert!(!v1.too_small);
        let a = &o.rules["core/a"];
        assert_eq!(
            (a.fired.acceptance.total, a.silent.acceptance.total),
            (50, 90)
        );
        assert_eq!(a.silent.acceptance.hits, 52);
        let rec = o.calls.iter().find(|c| c.audience == "recruiter").unwrap();
        assert_eq!(rec.winner.as_deref(), Some("V2"));
        let founder = o.calls.iter().find(|c| c.audience == "founder").unwrap();
        assert!(founder.winner.is_none() && founder.reason.contains("10 sends"));
    }
}
