//! The tone score: how polite a note reads, from 0 (blunt) to 1 (polite).
//!
//! A logistic model over which politeness strategies a note uses
//! ([`super::politeness`]), trained on the Wikipedia requests of the Stanford
//! Politeness Corpus (top against bottom quartile) and reported on its Stack
//! Exchange requests, which it never saw. The weights are data
//! (`tone-weights.toml`), so users need no corpus; `tests/tone_model.rs`
//! retrains them (`TACT_TRAIN_TONE=1 cargo test --test tone_model`).

use super::politeness::Strategy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The committed model.
const WEIGHTS: &str = include_str!("tone-weights.toml");

/// A logistic model over strategy presence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Where the weights came from.
    pub trained_on: String,
    /// The intercept.
    pub bias: f64,
    /// One weight per strategy, by [`Strategy::name`].
    pub weights: BTreeMap<String, f64>,
}

static MODEL: LazyLock<Vec<f64>> = LazyLock::new(|| {
    let model: Model = toml::from_str(WEIGHTS).expect("the committed tone weights parse");
    model.vector()
});

/// The features of a note: 1 for each strategy it uses, in [`Strategy::ALL`] order.
pub fn features(used: &[Strategy]) -> [f64; Strategy::ALL.len()] {
    let mut x = [0.0; Strategy::ALL.len()];
    for (i, s) in Strategy::ALL.iter().enumerate() {
        x[i] = f64::from(u8::from(used.contains(s)));
    }
    x
}

/// The committed model's score for a note that uses these strategies.
pub fn score(used: &[Strategy]) -> f64 {
    let w = &*MODEL;
    let x = features(used);
    sigmoid(w[0] + w[1..].iter().zip(x).map(|(w, x)| w * x).sum::<f64>())
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Bias first, then the weights in [`Strategy::ALL`] order (0 when missing).
    fn vector(&self) -> Vec<f64> {
        std::iter::once(self.bias)
            .chain(
                Strategy::ALL
                    .iter()
                    .map(|s| self.weights.get(s.name()).copied().unwrap_or(0.0)),
            )
            .collect()
    }

    /// Fits a model to (features, polite) samples: logistic regression by
    /// full-batch gradient descent with a small L2 penalty; deterministic.
    pub fn train(samples: &[([f64; Strategy::ALL.len()], bool)], trained_on: &str) -> Model {
        const STEPS: usize = 3000;
        const RATE: f64 = 0.5;
        const L2: f64 = 1e-3;
        let n = samples.len().max(1) as f64;
        let mut w = vec![0.0; Strategy::ALL.len() + 1];
        for _ in 0..STEPS {
            let mut grad = vec![0.0; w.len()];
            for (x, y) in samples {
                let z = w[0] + w[1..].iter().zip(x).map(|(w, x)| w * x).sum::<f64>();
                let err = sigmoid(z) - f64::from(u8::from(*y));
                grad[0] += err;
                for (g, x) in grad[1..].iter_mut().zip(x) {
                    *g += err * x;
                }
            }
            for (i, (w, g)) in w.iter_mut().zip(&grad).enumerate() {
                let penalty = if i == 0 { 0.0 } else { L2 * *w };
                *w -= RATE * (g / n + penalty);
            }
        }
        // Rounded so the committed file reads well and retraining is stable.
        let round = |x: f64| (x * 1e4).round() / 1e4;
        Model {
            trained_on: trained_on.to_owned(),
            bias: round(w[0]),
            weights: Strategy::ALL
                .iter()
                .zip(&w[1..])
                .map(|(s, w)| (s.name().to_owned(), round(*w)))
                .collect(),
        }
    }

    /// The model as the TOML committed in `tone-weights.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a model serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_weights_name_every_strategy_and_score_in_range() {
        let model: Model = toml::from_str(WEIGHTS).unwrap();
        for s in Strategy::ALL {
            assert!(model.weights.contains_key(s.name()), "{}", s.name());
        }
        for used in [
            &[][..],
            &[Strategy::Gratitude, Strategy::Please],
            &Strategy::ALL,
        ] {
            let t = score(used);
            assert!((0.0..=1.0).contains(&t), "{t}");
        }
        assert!(score(&[Strategy::Gratitude]) > score(&[Strategy::DirectQuestion]));
    }

    #[test]
    fn training_separates_a_separable_set() {
        let mut polite = [0.0; Strategy::ALL.len()];
        polite[0] = 1.0;
        let rude = [0.0; Strategy::ALL.len()];
        let samples: Vec<_> = (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    (polite, true)
                } else {
                    (rude, false)
                }
            })
            .collect();
        let m = Model::train(&samples, "test");
        assert!(m.weights[Strategy::ALL[0].name()] > 1.0, "{m:?}");
        assert_eq!(m, Model::train(&samples, "test"), "deterministic");
    }
}
