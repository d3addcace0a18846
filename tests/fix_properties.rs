//! Invariants of the rule engine and the fix loop over generated notes, with
//! the built-in rules and rulebooks:
//! - fixing is idempotent: fixing the fixed text changes nothing;
//! - every span and edit lies on char boundaries, and no rule fails;
//! - a fixed note never gains an error-level finding the original lacked.

use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use tact::config::Project;
use tact::finding::{Level, Safety};
use tact::fix::fix_note;
use tact::note::{Note, Origin};
use tact::workspace::Workspace;

fn workspace() -> &'static Workspace {
    static WS: OnceLock<Workspace> = OnceLock::new();
    WS.get_or_init(|| Workspace::load(Project::default(), &[]))
}

/// Pieces of real notes, including what the rewrites target, plus noise.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Hi Riya,".to_owned()),
        Just("Dear Sir/Madam,".to_owned()),
        Just("Hi Priya,".to_owned()),
        Just("Hi {first_name},".to_owned()),
        Just("I just wanted to say".to_owned()),
        Just("sorry to bother you".to_owned()),
        Just("can I pick your brain about pricing?".to_owned()),
        Just("Looking forward to your reply.".to_owned()),
        Just("I saw your post on [Topic].".to_owned()),
        Just("thx u r great".to_owned()),
        Just("Can we hop on a quick call?".to_owned()),
        Just("I'd like to connect and learn from you.".to_owned()),
        Just("https://calendly.com/x".to_owned()),
        Just("  ".to_owned()),
        Just(" ,".to_owned()),
        Just("\n".to_owned()),
        Just("naïve café — ok…".to_owned()),
        Just("😀".to_owned()),
        "[a-zA-Z ]{1,12}",
        "\\PC{1,6}",
    ]
}

fn note_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..12).prop_map(|v| v.join(" "))
}

fn make(text: &str, followup: bool) -> Arc<Note> {
    let src = format!(
        "+++\nto = \"Riya Sharma\"\nfollowup = {followup}\n[context]\ntopic = \"pricing\"\n+++\n{text}"
    );
    Arc::new(Note::parse(Origin::file("prop.md"), src).expect("front matter is valid"))
}

fn errors(report: &tact::run::NoteReport) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .map(|f| f.rule.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn fixes_are_idempotent_and_well_formed(text in note_text(), book in prop::sample::select(vec!["general", "sales", "recruiter", "follow-up", "networking"]), followup: bool, unsafe_too: bool) {
        let ws = workspace();
        let checker = ws.checker(book).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        let note = make(&text, followup);
        let first = checker.check(&note);
        prop_assert!(first.failures.is_empty(), "rule failures: {:?}", first.failures.iter().map(|f| &f.message).collect::<Vec<_>>());
        for f in &first.findings {
            prop_assert!(note.source.is_char_boundary(f.span.start) && note.source.is_char_boundary(f.span.end));
            for e in f.fix.iter().flat_map(|x| &x.edits) {
                prop_assert!(note.source.is_char_boundary(e.span.start) && note.source.is_char_boundary(e.span.end));
                prop_assert!(e.span.start >= note.body.start, "edits stay out of the front matter");
            }
        }
        let safety = if unsafe_too { Safety::Unsafe } else { Safety::Safe };
        let fixed = fix_note(&checker, note.clone(), safety);
        if fixed.conflict.is_none() {
            let again = fix_note(&checker, fixed.note.clone(), safety);
            prop_assert_eq!(&again.note.source, &fixed.note.source, "a second --fix changed the text");
            prop_assert_eq!(again.applied, 0);
        }
        prop_assert!(fixed.note.source.starts_with(&note.source[..note.body.start]), "front matter untouched");
        let gained: Vec<_> = errors(&fixed.report).difference(&errors(&first)).cloned().collect();
        prop_assert!(gained.is_empty(), "fixing introduced errors {:?}:\n{}\n->\n{}", gained, note.source, fixed.note.source);
    }
}
