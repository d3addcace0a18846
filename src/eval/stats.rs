//! The arithmetic of `tact eval`: rates with Wilson intervals, quartile cut
//! points, precision, recall and balanced accuracy.

use serde::Serialize;

/// A proportion `hits / total` with its 95% Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// The numerator.
    pub hits: u64,
    /// The denominator.
    pub total: u64,
    /// `hits / total` (0 when `total` is 0).
    pub rate: f64,
    /// Lower end of the 95% Wilson interval.
    pub low: f64,
    /// Upper end of the 95% Wilson interval.
    pub high: f64,
}

/// The z value of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

impl Rate {
    /// `hits` out of `total`, with its interval (0..1 when `total` is 0).
    pub fn new(hits: u64, total: u64) -> Rate {
        if total == 0 {
            return Rate {
                hits,
                total,
                rate: 0.0,
                low: 0.0,
                high: 1.0,
            };
        }
        let n = total as f64;
        let p = hits as f64 / n;
        let z2 = Z95 * Z95;
        let denom = 1.0 + z2 / n;
        let center = (p + z2 / (2.0 * n)) / denom;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
        Rate {
            hits,
            total,
            rate: p,
            low: (center - half).max(0.0),
            high: (center + half).min(1.0),
        }
    }
}

/// `a / b`, or `None` when `b` is 0.
pub fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The first and third quartile cut points of `values` (linear interpolation
/// between order statistics, as numpy's default).
pub fn quartiles(values: &[f64]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
    };
    Some((at(0.25), at(0.75)))
}

/// Balanced accuracy of a detector of the negative class: the mean of its
/// hit rate on negatives and its pass rate on positives.
pub fn balanced_accuracy(
    flagged_negatives: u64,
    negatives: u64,
    flagged_positives: u64,
    positives: u64,
) -> Option<f64> {
    let tpr = ratio(flagged_negatives, negatives)?;
    let tnr = 1.0 - ratio(flagged_positives, positives)?;
    Some((tpr + tnr) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_interval_matches_published_values() {
        // 12 of 30: 0.4, Wilson 95% [0.246, 0.577].
        let r = Rate::new(12, 30);
        assert!(
            close(r.rate, 0.4) && close(r.low, 0.2459) && close(r.high, 0.5768),
            "{r:?}"
        );
        // 0 of 10: [0, 0.2775].
        let r = Rate::new(0, 10);
        assert!(close(r.low, 0.0) && close(r.high, 0.2775), "{r:?}");
        // 10 of 10: [0.7225, 1].
        let r = Rate::new(10, 10);
        assert!(close(r.low, 0.7225) && close(r.high, 1.0), "{r:?}");
        assert_eq!(Rate::new(0, 0).high, 1.0);
    }

    #[test]
    fn quartiles_interpolate() {
        assert_eq!(quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), Some((2.0, 4.0)));
        assert_eq!(quartiles(&[4.0, 1.0, 3.0, 2.0]), Some((1.75, 3.25)));
        assert_eq!(quartiles(&[]), None);
        assert_eq!(quartiles(&[f64::NAN, 7.0]), Some((7.0, 7.0)));
    }

    #[test]
    fn balanced_accuracy_is_the_mean_of_both_rates() {
        assert_eq!(balanced_accuracy(8, 10, 2, 10), Some(0.8));
        assert_eq!(balanced_accuracy(5, 10, 5, 10), Some(0.5));
        assert_eq!(balanced_accuracy(1, 0, 0, 1), None);
    }
}
