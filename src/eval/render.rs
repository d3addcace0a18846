//! `tact eval` output: a plain-text report or JSON, and the floors that fail a run.

use super::stats::Rate;
use super::{Report, Split, TONE_THRESHOLD, Verdicts};
use serde::Serialize;
use std::fmt::Write;

/// Minimums a report must reach (`--min-…`); each is a fraction 0..1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Floors {
    /// Flagged notes that are bad.
    pub precision: Option<f64>,
    /// Bad notes caught (with `--split quartiles`: bottom-quartile notes flagged).
    pub recall: Option<f64>,
    /// Good notes passing (with `--split quartiles`: top-quartile notes passing).
    pub pass: Option<f64>,
    /// Balanced accuracy of the counted rules on the quartiles.
    pub balanced_accuracy: Option<f64>,
    /// Balanced accuracy of the tone score on the quartiles.
    pub tone: Option<f64>,
}

/// One floor as checked.
#[derive(Debug, Clone, Serialize)]
pub struct FloorCheck {
    /// What is measured.
    pub measure: &'static str,
    /// Its value (`None` when there was nothing to measure).
    pub value: Option<f64>,
    /// The floor.
    pub floor: f64,
    /// Whether the value reaches the floor.
    pub ok: bool,
}

impl Floors {
    /// Checks every floor that is set; a measure with nothing to measure fails.
    pub fn check(&self, report: &Report) -> Vec<FloorCheck> {
        let v = report.verdicts.as_ref();
        let q = report.quartiles.as_ref();
        // With quartiles, the top quartile plays the good notes and the bottom the bad.
        let pass = q
            .map(|q| Some(1.0 - q.any.top.rate).filter(|_| q.any.top.total > 0))
            .unwrap_or_else(|| v.and_then(Verdicts::pass_rate));
        let recall = q
            .map(|q| Some(q.any.bottom.rate).filter(|_| q.any.bottom.total > 0))
            .unwrap_or_else(|| v.and_then(Verdicts::recall));
        let measures = [
            ("good notes passing", self.pass, pass),
            ("bad notes caught", self.recall, recall),
            ("precision", self.precision, v.and_then(Verdicts::precision)),
            (
                "balanced accuracy of the rules",
                self.balanced_accuracy,
                q.and_then(|q| q.any.balanced_accuracy),
            ),
            (
                "balanced accuracy of the tone score",
                self.tone,
                q.and_then(|q| q.tone.balanced_accuracy),
            ),
        ];
        measures
            .into_iter()
            .filter_map(|(measure, floor, value)| {
                let floor = floor?;
                Some(FloorCheck {
                    measure,
                    value,
                    floor,
                    ok: value.is_some_and(|v| v >= floor),
                })
            })
            .collect()
    }
}

/// The report and the floors as JSON (`version` 1).
pub fn json(report: &Report, floors: &[FloorCheck]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        version: u32,
        #[serde(flatten)]
        report: &'a Report,
        floors: &'a [FloorCheck],
    }
    let out = Out {
        version: 1,
        report,
        floors,
    };
    serde_json::to_string_pretty(&out).expect("the report serializes") + "\n"
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |x| format!("{:.1}%", x * 100.0))
}

fn frac(hits: u64, total: u64) -> String {
    let rate = (total > 0).then(|| hits as f64 / total as f64);
    format!("{hits}/{total} {}", pct(rate))
}

fn interval(r: &Rate) -> String {
    if r.total == 0 {
        return "-".into();
    }
    format!(
        "{} [{:.1}–{:.1}%]",
        pct(Some(r.rate)),
        r.low * 100.0,
        r.high * 100.0
    )
}

/// The report as plain text, with the floors last.
pub fn human(report: &Report, floors: &[FloorCheck]) -> String {
    let mut o = String::new();
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        o,
        "{} checked, {} not checked",
        plural(report.notes, "note", "notes"),
        plural(report.problems, "row", "rows")
    );
    if let Some(v) = &report.verdicts {
        let _ = writeln!(
            o,
            "\nVerdicts (a rule catches a note at warn or error level)"
        );
        let _ = writeln!(
            o,
            "  {:<16} {:>18} {:>16} {:>10}",
            "rulebook", "good notes passing", "bad notes caught", "precision"
        );
        let mut row = |name: &str, v: &Verdicts| {
            let _ = writeln!(
                o,
                "  {:<16} {:>18} {:>16} {:>10}",
                name,
                frac(v.good_passed, v.good),
                frac(v.bad_caught, v.bad),
                pct(v.precision())
            );
        };
        for (name, b) in &report.rulebooks {
            row(name, b);
        }
        row("all", v);
    }
    if !report.rules.is_empty() {
        let _ = writeln!(
            o,
            "\n  {:<28} {:>6} {:>6} {:>6} {:>6} {:>10} {:>8}",
            "rule", "hits", "false+", "missed", "other", "precision", "recall"
        );
        for (id, r) in &report.rules {
            let _ = writeln!(
                o,
                "  {:<28} {:>6} {:>6} {:>6} {:>6} {:>10} {:>8}",
                id,
                r.true_positives,
                r.false_positives,
                r.false_negatives,
                r.other,
                pct(r.precision),
                pct(r.recall)
            );
        }
        let worst = report
            .rules
            .iter()
            .filter(|(_, r)| !r.false_alarms.is_empty() || !r.misses.is_empty());
        for (id, r) in worst {
            if !r.false_alarms.is_empty() {
                let _ = writeln!(o, "  {id} false alarms: {}", r.false_alarms.join(", "));
            }
            if !r.misses.is_empty() {
                let _ = writeln!(o, "  {id} missed: {}", r.misses.join(", "));
            }
        }
    }
    if let Some(q) = &report.quartiles {
        let _ = writeln!(
            o,
            "\nQuartiles of {} scored notes: top ≥ {:.3}, bottom ≤ {:.3}",
            q.scored, q.q3, q.q1
        );
        let _ = writeln!(
            o,
            "  {:<30} {:>14} {:>14} {:>18}",
            "fires on", "top quartile", "bottom", "balanced accuracy"
        );
        let mut row = |name: &str, s: &Split| {
            let _ = writeln!(
                o,
                "  {:<30} {:>14} {:>14} {:>18}",
                name,
                frac(s.top.hits, s.top.total),
                frac(s.bottom.hits, s.bottom.total),
                pct(s.balanced_accuracy)
            );
        };
        for (id, s) in &q.rules {
            row(id, s);
        }
        row("any rule", &q.any);
        row(&format!("tone score < {TONE_THRESHOLD}"), &q.tone);
        let _ = writeln!(
            o,
            "  mean tone score: top {:.3}, bottom {:.3}",
            q.tone_top_mean, q.tone_bottom_mean
        );
    }
    if let Some(out) = &report.outcomes {
        let _ = writeln!(o, "\nOutcomes (95% Wilson intervals)");
        let _ = writeln!(
            o,
            "  {:<12} {:<14} {:>6} {:>24} {:>24}",
            "audience", "version", "sent", "acceptance", "reply"
        );
        for v in &out.versions {
            let _ = writeln!(
                o,
                "  {:<12} {:<14} {:>6} {:>24} {:>24}{}",
                if v.audience.is_empty() {
                    "-"
                } else {
                    &v.audience
                },
                v.version,
                v.rates.acceptance.total,
                interval(&v.rates.acceptance),
                interval(&v.rates.reply),
                if v.rates.too_small {
                    "  too small to judge"
                } else {
                    ""
                }
            );
        }
        for c in &out.calls {
            let audience = if c.audience.is_empty() {
                "all"
            } else {
                &c.audience
            };
            let _ = match &c.winner {
                Some(w) => writeln!(
                    o,
                    "  {audience}: `{w}` wins on {} ({})",
                    c.measure, c.reason
                ),
                None => writeln!(o, "  {audience}: no winner yet ({})", c.reason),
            };
        }
        if !out.rules.is_empty() {
            let _ = writeln!(
                o,
                "\n  {:<28} {:>30} {:>30}",
                "acceptance when a rule", "fired", "did not fire"
            );
            for (id, r) in &out.rules {
                let _ = writeln!(
                    o,
                    "  {:<28} {:>30} {:>30}",
                    id,
                    format!(
                        "{} of {}",
                        interval(&r.fired.acceptance),
                        r.fired.acceptance.total
                    ),
                    format!(
                        "{} of {}",
                        interval(&r.silent.acceptance),
                        r.silent.acceptance.total
                    )
                );
            }
        }
    }
    if !floors.is_empty() {
        let _ = writeln!(o, "\nFloors");
        for f in floors {
            let _ = writeln!(
                o,
                "  {:<38} {:>8} {} {:>6}  {}",
                f.measure,
                pct(f.value),
                if f.ok { "≥" } else { "<" },
                pct(Some(f.floor)),
                if f.ok { "ok" } else { "FAILED" }
            );
        }
    }
    o
}
