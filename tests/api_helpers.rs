//! Native helpers scripts use instead of regexes and loops: `word_before`,
//! `word_after` and `sentence_index`, seen through a rule's findings.

mod common;
use common::Dir;

/// Reports, for each "demo", the words around it and its sentence's index.
const AROUND: &str = r#"//! Describes what is around each "demo".
fn meta() { #{ level: "warn", triggers: ["demo"] } }

fn check(note, options) {
    let out = [];
    for m in note.find("demo") {
        let b = note.word_before(m);
        let a = note.word_after(m);
        let before = if type_of(b) == "()" { "-" } else { `${b.text}/${b.inner}` };
        let after = if type_of(a) == "()" { "-" } else { a.text };
        let at = note.sentence_index(m);
        out.push(finding(m, `${before} ${after} ${at} ${note.sentence_index(m.start)}`));
    }
    out.push(finding(note.body, `${note.sentence_index(-5)} ${note.sentence_index([0, 1000])}`));
    out
}
"#;

#[test]
fn words_around_a_span_and_its_sentence() {
    let d = Dir::with_rule("around", AROUND, "warn");
    d.write(
        "n.md",
        "Hi Sam, I saw Priya’s  demo talk. (demo) Your\ndemo!\n",
    );
    let messages = d.messages("n.md");
    assert_eq!(
        messages,
        [
            // Curly apostrophe made straight in `inner`; any white space between.
            "-1 -1",
            "Priya’s/priya's talk 0 0",
            // Punctuation between: no word before or after.
            "- - 1 1",
            "Your/your - 2 2",
        ]
    );
}
