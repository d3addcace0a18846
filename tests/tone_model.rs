//! The tone model is reproducible: trained on the Wikipedia requests of the
//! Stanford Politeness Corpus (top against bottom quartile), it gives the
//! weights committed in `src/note/tone-weights.toml`.
//!
//! Runs when `../shared/eval/politeness/` is present (it is in CI); skipped
//! otherwise. `TACT_TRAIN_TONE=1 cargo test --test tone_model` rewrites the
//! committed weights from the corpus.

use std::collections::BTreeSet;
use std::path::Path;
use tact::eval::stats::quartiles;
use tact::note::tone::{Model, features};

const CORPUS: &str = "../shared/eval/politeness/wikipedia.annotated.csv";
const WEIGHTS: &str = "src/note/tone-weights.toml";

#[test]
fn committed_tone_weights_are_what_the_corpus_trains() {
    if !Path::new(CORPUS).is_file() {
        eprintln!("skipped: {CORPUS} is not here");
        return;
    }
    let mut scored = vec![];
    for item in tact::input::notes(&[CORPUS.to_owned()], false) {
        let note = item.expect("every corpus row reads");
        let raw = &note.front.extra["normalized score"];
        let score: f64 = raw
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{}: score {raw:?}", note.origin));
        let used: BTreeSet<_> = note.segments().strategies.iter().map(|(s, _)| *s).collect();
        let used: Vec<_> = used.into_iter().collect();
        scored.push((score, features(&used)));
    }
    let scores: Vec<f64> = scored.iter().map(|s| s.0).collect();
    let (q1, q3) = quartiles(&scores).unwrap();
    let samples: Vec<_> = scored
        .iter()
        .filter(|(s, _)| *s <= q1 || *s >= q3)
        .map(|(s, x)| (*x, *s >= q3))
        .collect();
    let model = Model::train(
        &samples,
        "Stanford Politeness Corpus, Wikipedia requests, top vs bottom quartile",
    );
    let text = format!(
        "# The tone model (src/note/tone.rs): a logistic regression over the politeness\n\
         # strategies a note uses. Written by `TACT_TRAIN_TONE=1 cargo test --test tone_model`.\n{}",
        model.to_toml()
    );
    if std::env::var_os("TACT_TRAIN_TONE").is_some() {
        std::fs::write(WEIGHTS, &text).unwrap();
    }
    let committed: Model = toml::from_str(&std::fs::read_to_string(WEIGHTS).unwrap()).unwrap();
    assert_eq!(
        committed, model,
        "the committed tone weights differ from what the corpus trains; \
         run `TACT_TRAIN_TONE=1 cargo test --test tone_model`"
    );
}
