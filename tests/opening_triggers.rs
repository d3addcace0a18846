//! `opening_options`: phrases that trigger a rule only inside the note's
//! opening sentence. The rule's script runs exactly where such a phrase
//! opens the note (or where its other triggers occur), never elsewhere.

mod common;
use common::Dir;

/// Reports every call it gets, so the test sees when the host ran it.
const BARE: &str = r#"//! Counts its calls.
fn meta() {
    #{
        level: "warn",
        kind: "check",
        options: #{ bare: ["like to connect"], stock: ["expand my network"] },
        trigger_options: ["stock"],
        opening_options: ["bare"],
    }
}

fn check(note, options) {
    [finding(note.body, "called")]
}
"#;

#[test]
fn an_opening_phrase_triggers_only_in_the_opening_sentence() {
    let d = Dir::with_rule("bare", BARE, "warn");
    let called = |text: &str| {
        d.write("n.md", text);
        d.messages("n.md").len() == 1
    };
    // The opening sentence, after a greeting-only line too.
    assert!(called("Hi, I'd like to connect.\n"));
    assert!(called("Hi Sam,\nI would like to connect with you.\n"));
    // Later in the note the same words are a close: no call.
    assert!(!called(
        "Hi Sam, I saw your talk on pricing. Would like to connect.\n"
    ));
    // A plain trigger still triggers anywhere.
    assert!(called(
        "Hi Sam, I saw your talk. I want to expand my network.\n"
    ));
    // A rulebook's own list for an opening option is placed the same way.
    d.write(
        "rulebooks/t.toml",
        "[rules]\n\"t/bare\" = { level = \"warn\", bare = [\"glad to meet\"] }\n",
    );
    assert!(called("Glad to meet you here.\n"));
    assert!(!called("Hi Sam, I saw your talk. Glad to meet you here.\n"));
    assert!(!called("Hi, I'd like to connect.\n"));
}
