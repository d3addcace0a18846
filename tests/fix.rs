//! `tact check --fix` and `--diff`: files in place, stdin to stdout, batches to
//! `--output`, conflicts reported, failures leave files untouched.

mod common;
use common::Dir;

fn project() -> Dir {
    // Safe: LOUD → loud. Unsafe: delete "maybe ".
    let d = Dir::with_test_pack();
    // Two rules that undo each other: ping → pong → ping.
    d.write(
        "plugins/t/ping.rhai",
        "//! Ping.\nfn meta() { #{ kind: \"rewrite\" } }\nfn check(note, options) {\n    note.find(\"ping\").map(|m| { let f = finding(m, \"say pong\"); f.edits = [replace(m, \"pong\")]; f })\n}\n",
    );
    d.write(
        "plugins/t/pong.rhai",
        "//! Pong.\nfn meta() { #{ kind: \"rewrite\" } }\nfn check(note, options) {\n    note.find(\"pong\").map(|m| { let f = finding(m, \"say ping\"); f.edits = [replace(m, \"ping\")]; f })\n}\n",
    );
    d.write(
        "rulebooks/cycle.toml",
        "[rules]\n\"t/ping\" = \"warn\"\n\"t/pong\" = \"warn\"\n",
    );
    d.write(
        "rulebooks/cycle-and-loud.toml",
        "extends = [\"cycle\"]\n[rules]\n\"t/shout\" = \"error\"\n",
    );
    d
}

const NOTE: &str = "+++\nto = \"Sam\"   # LOUD in front matter is never touched\n+++\nHi Sam, maybe a LOUD idea, LOUD.\n";

#[test]
fn fix_rewrites_files_in_place_and_is_idempotent() {
    let d = project();
    d.write("n.md", NOTE);
    let run = d.run(&["check", "--fix", "n.md"], "");
    run.assert_code(0);
    assert_eq!(
        d.read("n.md"),
        NOTE.replace("a LOUD idea, LOUD.", "a loud idea, loud.")
    );
    assert!(
        run.stdout().contains("fixed 2 findings"),
        "{}",
        run.stdout()
    );
    let again = d.run(&["check", "--fix", "n.md"], "");
    assert_eq!(
        d.read("n.md"),
        NOTE.replace("a LOUD idea, LOUD.", "a loud idea, loud.")
    );
    assert!(!again.stdout().contains("fixed"), "{}", again.stdout());
    d.run(&["check", "--fix", "--unsafe-fixes", "n.md"], "")
        .assert_code(0);
    assert!(d.read("n.md").ends_with("Hi Sam, a loud idea, loud.\n"));
}

#[test]
fn diff_shows_the_change_and_writes_nothing() {
    let d = project();
    d.write("n.md", NOTE);
    let run = d.run(&["check", "--diff", "n.md"], "");
    assert_eq!(d.read("n.md"), NOTE, "--diff changes nothing");
    let out = run.stdout();
    assert!(
        out.contains("--- a/n.md") && out.contains("+++ b/n.md"),
        "{out}"
    );
    assert!(
        out.contains("-Hi Sam, maybe a LOUD idea, LOUD.")
            && out.contains("+Hi Sam, maybe a loud idea, loud."),
        "{out}"
    );
    let unsafe_diff = d
        .run(&["check", "--diff", "--unsafe-fixes", "n.md"], "")
        .stdout();
    assert!(
        unsafe_diff.contains("+Hi Sam, a loud idea, loud."),
        "{unsafe_diff}"
    );
}

#[test]
fn stdin_fix_goes_to_stdout_and_findings_to_stderr() {
    let d = project();
    let run = d.run(&["check", "--fix", "-"], "so LOUD, maybe not");
    assert_eq!(run.stdout(), "so loud, maybe not");
    assert!(run.stderr().contains("hedging"), "{}", run.stderr());
}

#[test]
fn read_only_file_is_left_as_it_was() {
    let d = project();
    let path = d.write("ro.txt", "LOUD");
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let run = d.run(&["check", "--fix", "ro.txt"], "");
    run.assert_code(2);
    assert_eq!(d.read("ro.txt"), "LOUD");
    assert!(
        run.stderr()
            .contains("cannot write the fixed note to `ro.txt`: the file is read-only"),
        "{}",
        run.stderr()
    );
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("tact-fix"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

#[test]
fn conflicting_rules_end_stable_and_are_reported() {
    let d = project();
    d.write("c.txt", "one ping here");
    let run = d.run(&["check", "--fix", "--rulebook", "cycle", "c.txt"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("undo each other")
            && run.stderr().contains("`t/ping`")
            && run.stderr().contains("`t/pong`"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        d.read("c.txt"),
        "one ping here",
        "the text before the cycle is kept"
    );
    d.run(&["check", "--fix", "--rulebook", "cycle", "c.txt"], "");
    assert_eq!(
        d.read("c.txt"),
        "one ping here",
        "running again gives the same result"
    );
}

#[test]
fn batch_fix_writes_output_with_the_same_rows_and_columns() {
    let d = project();
    let jsonl = "{\"id\":\"a\",\"text\":\"LOUD one\",\"to\":\"Sam\"}\nbroken row\n{\"text\":\"calm\",\"id\":\"b\"}\n";
    d.write("in.jsonl", jsonl);
    let run = d.run(&["check", "--fix", "in.jsonl", "--output", "out.jsonl"], "");
    run.assert_code(2); // the broken row is an input error
    assert_eq!(d.read("in.jsonl"), jsonl, "the input is untouched");
    assert_eq!(
        d.read("out.jsonl"),
        "{\"id\":\"a\",\"text\":\"loud one\",\"to\":\"Sam\"}\nbroken row\n{\"text\":\"calm\",\"id\":\"b\"}\n"
    );

    d.write("in.csv", "id,text,to\n1,\"LOUD, really\",Sam\n2,calm,Ana\n");
    d.run(&["check", "--fix", "in.csv", "-o", "out.csv"], "")
        .assert_code(0);
    assert_eq!(
        d.read("out.csv"),
        "id,text,to\n1,\"loud, really\",Sam\n2,calm,Ana\n"
    );

    let no_output = d.run(&["check", "--fix", "in.csv"], "");
    no_output.assert_code(2);
    assert!(
        no_output.stderr().contains("needs `--output FILE`"),
        "{}",
        no_output.stderr()
    );
}

#[test]
fn json_output_marks_fixable_findings() {
    let d = project();
    let json = d
        .run(&["check", "--format", "json", "-"], "LOUD maybe x")
        .json();
    let safeties: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fix"]["safety"].as_str().unwrap())
        .collect();
    assert_eq!(safeties, ["safe", "unsafe"]);
    assert_eq!(json["summary"]["fixable"], 1);
    assert_eq!(json["summary"]["unsafe_fixable"], 1);
}

#[test]
fn diff_reports_the_note_as_it_is_and_keeps_stdout_for_the_diff() {
    let d = project();
    d.write("n.md", NOTE);
    // The error-level finding is still in the file: --diff must not hide it.
    let run = d.run(&["check", "--diff", "--format", "json", "n.md"], "");
    run.assert_code(1);
    assert!(
        run.stdout().starts_with("--- a/n.md"),
        "stdout is only the diff: {}",
        run.stdout()
    );
    let json: serde_json::Value =
        serde_json::from_str(&run.stderr()).expect("findings on stderr as JSON");
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(d.read("n.md"), NOTE);
}

#[test]
fn failed_write_reports_the_file_as_it_is() {
    let d = project();
    let path = d.write("ro.txt", "calm and LOUD");
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let run = d.run(&["check", "--fix", "--format", "json", "ro.txt"], "");
    run.assert_code(2);
    assert_eq!(
        run.json()["findings"][0]["text"],
        "LOUD",
        "positions match the unchanged file"
    );
}

#[test]
fn fix_through_a_symlink_writes_the_target() {
    let d = project();
    let target = d.write("real/note.txt", "so LOUD");
    std::os::unix::fs::symlink(&target, d.path().join("link.txt")).unwrap();
    d.run(&["check", "--fix", "link.txt"], "").assert_code(0);
    assert!(
        std::fs::symlink_metadata(d.path().join("link.txt"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert_eq!(d.read("real/note.txt"), "so loud");
}

/// A fix that did not settle, or that grows the note past the size cap, is
/// not written: the report says why and the file stays as it was.
#[test]
fn unsettled_or_oversized_fixes_are_not_written() {
    let d = project();
    // LOUD → loud would apply, but ping and pong never settle.
    d.write("c.txt", "one LOUD ping here");
    let run = d.run(
        &["check", "--fix", "--rulebook", "cycle-and-loud", "c.txt"],
        "",
    );
    run.assert_code(2);
    assert!(
        run.stderr().contains("nothing was written"),
        "{}",
        run.stderr()
    );
    assert_eq!(d.read("c.txt"), "one LOUD ping here");
    // A rewrite that grows the note to 20 KiB.
    d.write(
        "plugins/t/grow.rhai",
        "//! Grow.\nfn meta() { #{ kind: \"rewrite\", triggers: [\"grow\"] } }\nfn check(note, options) {\n    let big = \"x\"; for i in 0..14 { big += big; }\n    note.find(\"grow\").map(|m| { let f = finding(m, \"grow\"); f.edits = [replace(m, big)]; f })\n}\n",
    );
    d.write("rulebooks/grow.toml", "[rules]\n\"t/grow\" = \"warn\"\n");
    d.write("g.txt", "please grow");
    let run = d.run(&["check", "--fix", "--rulebook", "grow", "g.txt"], "");
    run.assert_code(2);
    assert!(run.stderr().contains("over the 16 KiB"), "{}", run.stderr());
    assert_eq!(d.read("g.txt"), "please grow");
}
