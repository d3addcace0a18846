//! The tone model is reproducible: trained on the Wikipedia requests of the
//! Stanford Politeness Corpus, it gives the weights committed in
//! `src/note/tone-weights.toml`.
//!
//! Runs when `../shared/eval/politeness/` is present (it is in CI); skipped
//! otherwise. `TACT_TRAIN_TONE=1 cargo test --test tone_model -- --nocapture`
//! chooses the vocabulary size and the penalty by 5-fold cross-validation on
//! the Wikipedia requests (balanced accuracy on the held-out top and bottom
//! quartiles) and rewrites the committed weights. The Stack Exchange requests
//! are never read here: they are the test set (`.ci/quality`).

use std::path::Path;
use tact::eval::stats::quartiles;
use tact::note::tone::{Document, Model, cross_validate};

const CORPUS: &str = "../shared/eval/politeness/wikipedia.annotated.csv";
const WEIGHTS: &str = "src/note/tone-weights.toml";
const TRAINED_ON: &str =
    "Stanford Politeness Corpus, Wikipedia requests, polite when the normalized score is above 0";
/// Vocabulary sizes tried: a few hundred words at most.
const SIZES: [usize; 3] = [100, 200, 300];
/// Penalties tried (per sample: 0.002 is about liblinear's C = 0.1 on 4,353 requests).
const PENALTIES: [f64; 4] = [0.0005, 0.002, 0.008, 0.03];

/// Every Wikipedia request as a training document, and whether it is in the
/// top or bottom quartile (the rows cross-validation is judged on).
fn corpus() -> (Vec<Document>, Vec<bool>) {
    let mut docs = vec![];
    let mut scores = vec![];
    for item in tact::input::notes(&[CORPUS.to_owned()], false) {
        let note = item.expect("every corpus row reads");
        let raw = &note.front.extra["normalized score"];
        let score: f64 = raw
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{}: score {raw:?}", note.origin));
        let seg = note.segments();
        docs.push(Document {
            strategies: seg.strategies.iter().map(|(s, _)| *s).collect(),
            words: seg.words.iter().map(|w| w.norm.clone()).collect(),
            polite: score > 0.0,
        });
        scores.push(score);
    }
    let (q1, q3) = quartiles(&scores).unwrap();
    let judged = scores.iter().map(|s| *s <= q1 || *s >= q3).collect();
    (docs, judged)
}

#[test]
fn committed_tone_weights_are_what_the_corpus_trains() {
    if !Path::new(CORPUS).is_file() {
        eprintln!("skipped: {CORPUS} is not here");
        return;
    }
    let (docs, judged) = corpus();
    if std::env::var_os("TACT_TRAIN_TONE").is_some() {
        let mut best = (f64::MIN, 0, 0.0);
        for size in SIZES {
            for l2 in PENALTIES {
                let ba = cross_validate(&docs, &judged, 5, size, l2);
                eprintln!("words {size:>3}, l2 {l2:<6}: cross-validated balanced accuracy {ba:.4}");
                if ba > best.0 {
                    best = (ba, size, l2);
                }
            }
        }
        let (ba, size, l2) = best;
        let model = Model::train(&docs, size, l2, TRAINED_ON);
        let text = format!(
            "# The tone model (src/note/tone.rs): a logistic regression over the politeness\n\
             # strategies a note uses and the {size} words most common in the training\n\
             # requests. Written by `TACT_TRAIN_TONE=1 cargo test --test tone_model`;\n\
             # 5-fold cross-validated balanced accuracy on the Wikipedia quartiles: {:.1}%.\n{}",
            ba * 100.0,
            model.to_toml()
        );
        std::fs::write(WEIGHTS, text).unwrap();
    }
    let committed: Model = toml::from_str(&std::fs::read_to_string(WEIGHTS).unwrap()).unwrap();
    let model = Model::train(&docs, committed.words.len(), committed.l2, TRAINED_ON);
    assert_eq!(
        committed, model,
        "the committed tone weights differ from what the corpus trains; \
         run `TACT_TRAIN_TONE=1 cargo test --test tone_model`"
    );
}
