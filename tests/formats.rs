//! Snapshots of every output format for one note with a fixed rule pack, so
//! a change to what users or tools see is always a reviewed change.

mod common;
use common::Dir;

fn project() -> Dir {
    let d = Dir::with_test_pack();
    d.write(
        "note.md",
        "+++\nto = \"Sam Lee\"\n+++\nHi Sam,\nmaybe this is LOUD.\n",
    );
    d.write("rows.jsonl", "{\"id\": \"r1\", \"text\": \"so LOUD\"}\n");
    d
}

fn output(format: &str) -> String {
    let d = project();
    let run = d.run(&["check", "--format", format, "note.md", "rows.jsonl"], "");
    run.assert_code(1);
    run.stdout()
}

#[test]
fn human_format() {
    insta::assert_snapshot!(output("human"));
}

#[test]
fn json_format() {
    insta::assert_snapshot!(output("json"));
}

#[test]
fn github_format() {
    insta::assert_snapshot!(output("github"));
}

#[test]
fn sarif_format() {
    let out = output("sarif");
    let value: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn concise_format() {
    insta::assert_snapshot!(output("concise"));
}

#[test]
fn jsonl_format() {
    let out = output("jsonl");
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
    }
    insta::assert_snapshot!(out);
}
