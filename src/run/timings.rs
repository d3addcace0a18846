//! Where checking time goes, per rule (`tact check --timings`, like ESLint's
//! `TIMING=1`): counted only when asked for, so an ordinary run pays nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// One rule's counters in one lane, shared by all threads.
#[derive(Debug, Default)]
pub(super) struct Clock {
    calls: AtomicU64,
    nanos: AtomicU64,
    findings: AtomicU64,
}

impl Clock {
    /// Counts one call that started at `start` and reported `findings`.
    pub(super) fn record(&self, start: Instant, findings: usize) {
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.findings.fetch_add(findings as u64, Ordering::Relaxed);
    }

    fn read(&self) -> (u64, u64, u64) {
        (
            self.calls.load(Ordering::Relaxed),
            self.nanos.load(Ordering::Relaxed),
            self.findings.load(Ordering::Relaxed),
        )
    }
}

/// The whole check of each note: triggers, gates, rule calls, allowances.
#[derive(Debug, Default)]
pub(super) struct NoteClock {
    notes: AtomicU64,
    nanos: AtomicU64,
}

impl NoteClock {
    pub(super) fn record(&self, start: Instant) {
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.notes.fetch_add(1, Ordering::Relaxed);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// What one rule cost over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleTiming {
    /// The rule's id.
    pub rule: String,
    /// How many notes its code ran on (after triggers and gates).
    pub calls: u64,
    /// Time spent in those calls, in nanoseconds.
    pub nanos: u64,
    /// Findings it reported.
    pub findings: u64,
}

/// What checking cost over a run, summed over rulebooks and channels.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Timings {
    /// Notes checked.
    pub notes: u64,
    /// Time spent checking them (triggers, gates, rule calls), in nanoseconds.
    pub nanos: u64,
    /// Per rule, the most expensive first.
    pub rules: Vec<RuleTiming>,
}

impl Timings {
    pub(super) fn add_notes(&mut self, clock: &NoteClock) {
        self.notes += clock.notes.load(Ordering::Relaxed);
        self.nanos += clock.nanos.load(Ordering::Relaxed);
    }

    pub(super) fn add_rule(&mut self, rule: &str, clock: &Clock) {
        let (calls, nanos, findings) = clock.read();
        self.add(RuleTiming {
            rule: rule.to_owned(),
            calls,
            nanos,
            findings,
        });
    }

    fn add(&mut self, t: RuleTiming) {
        match self.rules.iter_mut().find(|r| r.rule == t.rule) {
            Some(r) => {
                r.calls += t.calls;
                r.nanos += t.nanos;
                r.findings += t.findings;
            }
            None => self.rules.push(t),
        }
    }

    /// Adds another run's figures (another project's, another rulebook's).
    pub fn merge(&mut self, other: Timings) {
        self.notes += other.notes;
        self.nanos += other.nanos;
        other.rules.into_iter().for_each(|r| self.add(r));
        self.sort();
    }

    /// The most expensive rule first, then by id.
    pub fn sort(&mut self) {
        self.rules
            .sort_by(|a, b| b.nanos.cmp(&a.nanos).then_with(|| a.rule.cmp(&b.rule)));
    }

    /// The table `--timings` prints: per rule its calls, calls per note,
    /// µs per call, total time and share of the checking time.
    pub fn table(&self) -> String {
        let ms = |n: u64| n as f64 / 1e6;
        let notes = self.notes.max(1) as f64;
        let width = self
            .rules
            .iter()
            .map(|r| r.rule.len())
            .chain([4])
            .max()
            .unwrap_or(4);
        let mut out = format!(
            "{:width$}  {:>10}  {:>10}  {:>9}  {:>10}  {:>8}  {:>8}\n",
            "rule", "calls", "calls/note", "µs/call", "total ms", "share", "findings"
        );
        for r in &self.rules {
            let per_call = if r.calls == 0 {
                0.0
            } else {
                r.nanos as f64 / r.calls as f64 / 1e3
            };
            let share = 100.0 * r.nanos as f64 / self.nanos.max(1) as f64;
            out += &format!(
                "{:width$}  {:>10}  {:>10.3}  {:>9.2}  {:>10.1}  {:>7.1}%  {:>8}\n",
                r.rule,
                r.calls,
                r.calls as f64 / notes,
                per_call,
                ms(r.nanos),
                share,
                r.findings
            );
        }
        let in_rules: u64 = self.rules.iter().map(|r| r.nanos).sum();
        out += &format!(
            "{} checked in {:.1} ms of thread time ({:.2} µs per note); rule code {:.1}%, triggers, gates and facts the rest\n",
            crate::render::plural(self.notes as usize, "note"),
            ms(self.nanos),
            self.nanos as f64 / notes / 1e3,
            100.0 * in_rules as f64 / self.nanos.max(1) as f64,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_sums_per_rule_and_sorts_by_cost() {
        let mut a = Timings {
            notes: 2,
            nanos: 100,
            rules: vec![RuleTiming {
                rule: "x".into(),
                calls: 1,
                nanos: 10,
                findings: 1,
            }],
        };
        a.merge(Timings {
            notes: 3,
            nanos: 200,
            rules: vec![
                RuleTiming {
                    rule: "x".into(),
                    calls: 2,
                    nanos: 20,
                    findings: 0,
                },
                RuleTiming {
                    rule: "y".into(),
                    calls: 5,
                    nanos: 50,
                    findings: 4,
                },
            ],
        });
        assert_eq!((a.notes, a.nanos), (5, 300));
        assert_eq!(a.rules[0].rule, "y");
        assert_eq!((a.rules[1].calls, a.rules[1].nanos), (3, 30));
        let table = a.table();
        assert!(table.contains("5 notes checked"), "{table}");
        assert!(table.lines().nth(1).unwrap().starts_with('y'), "{table}");
    }
}
