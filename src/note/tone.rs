//! The tone score: how polite a note reads, from 0 (blunt) to 1 (polite).
//!
//! A logistic model over which politeness strategies a note uses
//! ([`super::politeness`]) and which of a few hundred common words it
//! contains, trained on the Wikipedia requests of the Stanford Politeness
//! Corpus and reported on its Stack Exchange requests, which it never saw.
//! Following the corpus authors' own training script, every request is a
//! sample and it counts as polite when its normalized score is above 0, so
//! 0.5 is the line between the more and the less polite half of that data.
//! The weights are data (`tone-weights.toml`), so users need no corpus;
//! `tests/tone_model.rs` retrains them (`TACT_TRAIN_TONE=1 cargo test
//! --test tone_model`), choosing the vocabulary size and the penalty by
//! cross-validation on the Wikipedia requests alone.

use super::politeness::Strategy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// The committed model.
const WEIGHTS: &str = include_str!("tone-weights.toml");

/// A logistic model over strategy and word presence, as committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Where the weights came from.
    pub trained_on: String,
    /// The L2 penalty it was trained with (per sample; chosen by cross-validation).
    pub l2: f64,
    /// The intercept.
    pub bias: f64,
    /// One weight per strategy, by [`Strategy::name`].
    pub strategies: BTreeMap<String, f64>,
    /// One weight per vocabulary word (lowercased, as [`super::segment::normalize`] gives).
    pub words: BTreeMap<String, f64>,
}

/// The committed model, laid out for scoring.
struct Compiled {
    bias: f64,
    strategies: [f64; Strategy::ALL.len()],
    /// Word -> (its index in `weights`, its weight); looked up for every
    /// word of every note, so a fast hash.
    words: foldhash::HashMap<String, (usize, f64)>,
}

static MODEL: LazyLock<Compiled> = LazyLock::new(|| {
    let model: Model = toml::from_str(WEIGHTS).expect("the committed tone weights parse");
    let mut strategies = [0.0; Strategy::ALL.len()];
    for (w, s) in strategies.iter_mut().zip(Strategy::ALL) {
        *w = model.strategies.get(s.name()).copied().unwrap_or(0.0);
    }
    Compiled {
        bias: model.bias,
        strategies,
        words: model
            .words
            .into_iter()
            .enumerate()
            .map(|(i, (word, w))| (word, (i, w)))
            .collect(),
    }
});

/// The committed model's score for a note that uses these strategies and
/// these (normalized) words; each strategy and each word counts once.
pub fn score<'a>(used: &[Strategy], words: impl IntoIterator<Item = &'a str>) -> f64 {
    let model = &*MODEL;
    let mut z = model.bias;
    for (w, s) in model.strategies.iter().zip(Strategy::ALL) {
        if used.contains(&s) {
            z += w;
        }
    }
    // A bit per vocabulary word, so a repeated word counts once.
    let mut seen = vec![0u64; model.words.len().div_ceil(64)];
    for word in words {
        if let Some(&(i, w)) = model.words.get(word) {
            let (slot, bit) = (i / 64, 1u64 << (i % 64));
            if seen[slot] & bit == 0 {
                seen[slot] |= bit;
                z += w;
            }
        }
    }
    sigmoid(z)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A training document: the strategies a request uses, its distinct words,
/// and whether people rated it polite.
#[derive(Debug, Clone)]
pub struct Document {
    /// Strategies used (any order, repeats allowed).
    pub strategies: Vec<Strategy>,
    /// Normalized words (any order, repeats allowed).
    pub words: Vec<String>,
    /// The label.
    pub polite: bool,
}

/// The `size` words found in the most documents (ties alphabetical), sorted.
pub fn vocabulary(docs: &[Document], size: usize) -> Vec<String> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        let mut seen: Vec<&str> = d.words.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, usize)> = df.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut top: Vec<String> = ranked
        .into_iter()
        .take(size)
        .map(|(w, _)| w.to_owned())
        .collect();
    top.sort_unstable();
    top
}

/// Documents as sparse rows over (bias, strategies, `vocab`): the indices of
/// the features that are 1, sorted and distinct.
fn rows(docs: &[Document], vocab: &[String]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), 1 + Strategy::ALL.len() + i))
        .collect();
    docs.iter()
        .map(|d| {
            let mut row = vec![0];
            row.extend(d.strategies.iter().map(|s| 1 + *s as usize));
            row.extend(
                d.words
                    .iter()
                    .filter_map(|w| index.get(w.as_str()).copied()),
            );
            row.sort_unstable();
            row.dedup();
            row
        })
        .collect()
}

/// L2-penalized logistic regression by Newton's method: exact to rounding
/// and deterministic, so retraining gives the committed weights. Minimizes
/// the mean log loss plus `l2 / 2` times the squared weights (not the bias).
fn fit(rows: &[Vec<usize>], labels: &[bool], dim: usize, l2: f64) -> Vec<f64> {
    let n = rows.len().max(1) as f64;
    let mut w = vec![0.0; dim];
    for _ in 0..50 {
        let mut grad: Vec<f64> = w.iter().map(|w| l2 * w).collect();
        grad[0] = 0.0;
        let mut hess = vec![0.0; dim * dim];
        for i in 1..dim {
            hess[i * dim + i] = l2;
        }
        for (row, &y) in rows.iter().zip(labels) {
            let p = sigmoid(row.iter().map(|&j| w[j]).sum());
            let err = (p - f64::from(u8::from(y))) / n;
            let curv = p * (1.0 - p) / n;
            for &j in row {
                grad[j] += err;
                for &k in row {
                    hess[j * dim + k] += curv;
                }
            }
        }
        let step = solve(&mut hess, &grad, dim);
        let mut largest = 0.0f64;
        for (w, s) in w.iter_mut().zip(&step) {
            *w -= s;
            largest = largest.max(s.abs());
        }
        if largest < 1e-10 {
            break;
        }
    }
    w
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky, in place).
fn solve(a: &mut [f64], b: &[f64], dim: usize) -> Vec<f64> {
    for j in 0..dim {
        let mut d = a[j * dim + j];
        for k in 0..j {
            d -= a[j * dim + k] * a[j * dim + k];
        }
        // The penalty keeps the matrix positive definite; the floor guards
        // a never-seen feature with no penalty (only the bias has none).
        let d = d.max(1e-12).sqrt();
        a[j * dim + j] = d;
        for i in j + 1..dim {
            let mut s = a[i * dim + j];
            for k in 0..j {
                s -= a[i * dim + k] * a[j * dim + k];
            }
            a[i * dim + j] = s / d;
        }
    }
    let mut y = b.to_vec();
    for i in 0..dim {
        for k in 0..i {
            y[i] -= a[i * dim + k] * y[k];
        }
        y[i] /= a[i * dim + i];
    }
    for i in (0..dim).rev() {
        for k in i + 1..dim {
            y[i] -= a[k * dim + i] * y[k];
        }
        y[i] /= a[i * dim + i];
    }
    y
}

impl Model {
    /// Trains on `docs` with the `size` most common words and penalty `l2`.
    pub fn train(docs: &[Document], size: usize, l2: f64, trained_on: &str) -> Model {
        let vocab = vocabulary(docs, size);
        let labels: Vec<bool> = docs.iter().map(|d| d.polite).collect();
        let w = fit(
            &rows(docs, &vocab),
            &labels,
            1 + Strategy::ALL.len() + vocab.len(),
            l2,
        );
        // Rounded so the committed file reads well and retraining is stable.
        let round = |x: f64| (x * 1e4).round() / 1e4;
        let words = &w[1 + Strategy::ALL.len()..];
        Model {
            trained_on: trained_on.to_owned(),
            l2,
            bias: round(w[0]),
            strategies: Strategy::ALL
                .iter()
                .zip(&w[1..])
                .map(|(s, w)| (s.name().to_owned(), round(*w)))
                .collect(),
            words: vocab
                .into_iter()
                .zip(words)
                .map(|(v, w)| (v, round(*w)))
                .collect(),
        }
    }

    /// Scores a document with this model (as [`score`] does with the committed one).
    pub fn score(&self, doc: &Document) -> f64 {
        let mut strategies = doc.strategies.clone();
        strategies.sort_unstable();
        strategies.dedup();
        let mut words: Vec<&str> = doc.words.iter().map(String::as_str).collect();
        words.sort_unstable();
        words.dedup();
        let z = self.bias
            + strategies
                .iter()
                .filter_map(|s| self.strategies.get(s.name()))
                .sum::<f64>()
            + words.iter().filter_map(|w| self.words.get(*w)).sum::<f64>();
        sigmoid(z)
    }

    /// The model as the TOML committed in `tone-weights.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a model serializes")
    }
}

/// Balanced accuracy of `folds`-fold cross-validation on `docs` (folds by
/// position: fold `i % folds`), each fold's model trained with `size` words
/// and penalty `l2`, measured on the held-out documents `judged` keeps.
pub fn cross_validate(
    docs: &[Document],
    judged: &[bool],
    folds: usize,
    size: usize,
    l2: f64,
) -> f64 {
    let (mut tp, mut pos, mut tn, mut neg) = (0usize, 0usize, 0usize, 0usize);
    for fold in 0..folds {
        let train: Vec<Document> = docs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, d)| d.clone())
            .collect();
        let model = Model::train(&train, size, l2, "fold");
        for (i, doc) in docs.iter().enumerate() {
            if i % folds != fold || !judged[i] {
                continue;
            }
            let said_polite = model.score(doc) >= 0.5;
            if doc.polite {
                pos += 1;
                tp += usize::from(said_polite);
            } else {
                neg += 1;
                tn += usize::from(!said_polite);
            }
        }
    }
    (tp as f64 / pos.max(1) as f64 + tn as f64 / neg.max(1) as f64) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_weights_name_every_strategy_and_score_in_range() {
        let model: Model = toml::from_str(WEIGHTS).unwrap();
        for s in Strategy::ALL {
            assert!(model.strategies.contains_key(s.name()), "{}", s.name());
        }
        assert!(!model.words.is_empty());
        for used in [
            &[][..],
            &[Strategy::Gratitude, Strategy::Please],
            &Strategy::ALL,
        ] {
            let t = score(used, ["the", "you", "not-a-word"]);
            assert!((0.0..=1.0).contains(&t), "{t}");
        }
        assert!(score(&[Strategy::Gratitude], []) > score(&[Strategy::DirectQuestion], []));
    }

    #[test]
    fn a_repeated_word_counts_once() {
        let model: Model = toml::from_str(WEIGHTS).unwrap();
        let word = model.words.keys().next().unwrap().as_str();
        assert_eq!(score(&[], [word]), score(&[], [word, word, word]));
        assert_ne!(score(&[], [word]), score(&[], []));
    }

    #[test]
    fn the_training_scorer_and_the_runtime_scorer_agree() {
        let model: Model = toml::from_str(WEIGHTS).unwrap();
        let words: Vec<&str> = model.words.keys().step_by(7).map(String::as_str).collect();
        let used = [Strategy::Gratitude, Strategy::Hedges, Strategy::Gratitude];
        let d = doc(&used, &words, true);
        let (a, b) = (model.score(&d), score(&used, words.iter().copied()));
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    fn doc(strategies: &[Strategy], words: &[&str], polite: bool) -> Document {
        Document {
            strategies: strategies.to_vec(),
            words: words.iter().map(|w| (*w).to_owned()).collect(),
            polite,
        }
    }

    #[test]
    fn training_separates_a_separable_set_and_is_deterministic() {
        let docs: Vec<Document> = (0..40)
            .map(|i| match i % 4 {
                0 => doc(&[Strategy::Gratitude], &["kindly"], true),
                1 => doc(&[], &["kindly", "hello"], true),
                2 => doc(&[Strategy::DirectQuestion], &["now"], false),
                _ => doc(&[], &["now", "hello"], false),
            })
            .collect();
        let m = Model::train(&docs, 2, 0.01, "test");
        assert!(m.strategies["gratitude"] > 0.5, "{m:?}");
        assert!(m.strategies["direct_question"] < -0.5, "{m:?}");
        assert_eq!(m.words.keys().collect::<Vec<_>>(), ["hello", "kindly"]);
        assert!(m.words["kindly"] > 1.0, "{m:?}");
        assert_eq!(m, Model::train(&docs, 2, 0.01, "test"), "deterministic");
        let judged = vec![true; docs.len()];
        assert_eq!(cross_validate(&docs, &judged, 5, 2, 0.01), 1.0);
    }

    #[test]
    fn newton_matches_the_closed_form_of_a_one_feature_model() {
        // Feature on in 3 polite and 1 impolite sample, off in 1 and 3: with
        // no penalty the fit gives each group its own odds exactly.
        let mut docs = vec![];
        for (on, polite, n) in [
            (true, true, 3),
            (true, false, 1),
            (false, true, 1),
            (false, false, 3),
        ] {
            for _ in 0..n {
                let s: &[Strategy] = if on { &[Strategy::Please] } else { &[] };
                docs.push(doc(s, &[], polite));
            }
        }
        let m = Model::train(&docs, 0, 0.0, "test");
        assert!((m.bias - (1.0f64 / 3.0).ln()).abs() < 1e-3, "{m:?}");
        assert!((m.strategies["please"] - 9.0f64.ln()).abs() < 1e-3, "{m:?}");
    }

    #[test]
    fn vocabulary_takes_the_most_common_words_once_per_document() {
        let docs = [
            doc(&[], &["a", "a", "a", "b"], true),
            doc(&[], &["b", "c"], true),
            doc(&[], &["c", "b"], false),
        ];
        assert_eq!(vocabulary(&docs, 2), ["b", "c"]);
        assert_eq!(vocabulary(&docs, 10), ["a", "b", "c"]);
    }
}
