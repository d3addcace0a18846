//! The command-line conventions users of Ruff, ESLint and Vale reach for:
//! rule selection, statistics, quiet, exit-zero, format aliases, and the
//! exit status of each, run on the real binary.

mod common;
use common::Dir;

/// `note.md`: one error (`t/shout`, safe fix) and one warning (`t/hedge`, unsafe fix).
fn project() -> Dir {
    let d = Dir::with_test_pack();
    d.write("notes/note.md", "Hi Sam,\nmaybe this is LOUD.\n");
    d.write("notes/calm.md", "Hi Sam, all is well here.\n");
    d
}

fn concise_rules(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.contains(": error ") || l.contains(": warn ") || l.contains(": info "))
        .map(|l| l.split(' ').nth(2).unwrap().to_owned())
        .collect()
}

#[test]
fn select_ignore_and_extend_select_work_on_top_of_the_rulebook() {
    let d = project();
    d.write("plugins/t/quiet.rhai", "//! Whispering.\nfn meta() { #{ level: \"warn\", triggers: [\"Hi\"] } }\nfn check(note, options) { note.find([\"Hi\"]).map(|m| finding(m, \"hi\")) }\n");
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--format", "concise", "notes/note.md"];
        all.extend_from_slice(args);
        d.run(&all, "")
    };
    let r = run(&[]);
    r.assert_code(1);
    assert_eq!(concise_rules(&r.stdout()), ["t/hedge", "t/shout"]);
    // Only the selected rule runs; a warning alone does not fail the run.
    let r = run(&["--select", "t/hedge"]);
    r.assert_code(0);
    assert_eq!(concise_rules(&r.stdout()), ["t/hedge"]);
    // A short id and a pack both work; `--ignore` wins.
    let r = run(&["--select", "shout,t", "--ignore", "hedge"]);
    assert_eq!(concise_rules(&r.stdout()), ["t/quiet", "t/shout"]);
    // A rule the rulebook leaves off runs at its own level with `--extend-select`.
    let r = run(&["--extend-select", "t/quiet"]);
    assert_eq!(
        concise_rules(&r.stdout()),
        ["t/quiet", "t/hedge", "t/shout"]
    );
    let r = run(&["--ignore", "t"]);
    r.assert_code(0);
    assert!(concise_rules(&r.stdout()).is_empty());
    // An unknown id is a usage error with a suggestion.
    let r = run(&["--ignore", "t/shuot"]);
    r.assert_code(2);
    assert!(
        r.stderr().contains("no rule or pack `t/shuot`"),
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr().contains("did you mean `t/shout`"),
        "{}",
        r.stderr()
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let d = project();
    d.write("notes/more.md", "LOUD and LOUD\n");
    let r = d.run(&["check", "--statistics", "notes"], "");
    r.assert_code(1);
    let out = r.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["3", "t/shout", "error", "(3", "fixable)"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["1", "t/hedge", "warn", "(1", "fixable)"]
    );
    assert!(
        out.contains("3 notes checked: 3 errors, 1 warning, 0 hints"),
        "{out}"
    );
    assert!(
        !out.contains("no shouting"),
        "no findings, only counts: {out}"
    );
    let r = d.run(&["check", "--statistics", "--format", "json", "notes"], "");
    r.assert_code(1);
    assert_eq!(
        r.json(),
        serde_json::json!([
            {"rule": "t/shout", "level": "error", "count": 3, "fixable": 3},
            {"rule": "t/hedge", "level": "warn", "count": 1, "fixable": 1}
        ])
    );
    let r = d.run(&["check", "--statistics", "--format", "sarif", "notes"], "");
    r.assert_code(2);
    assert!(r.stderr().contains("tact::usage"), "{}", r.stderr());
}

#[test]
fn quiet_reports_errors_only_and_exit_zero_never_fails_on_findings() {
    let d = project();
    let r = d.run(&["check", "-q", "--format", "concise", "notes/note.md"], "");
    r.assert_code(1);
    assert_eq!(concise_rules(&r.stdout()), ["t/shout"]);
    assert!(
        r.stdout().contains("1 note checked: 1 error, 0 warnings"),
        "{}",
        r.stdout()
    );
    // Warnings are not counted either, so --max-warnings does not see them.
    let r = d.run(
        &[
            "check",
            "--quiet",
            "--select",
            "t/hedge",
            "--max-warnings",
            "0",
            "notes",
        ],
        "",
    );
    r.assert_code(0);
    assert_eq!(r.stdout(), "", "a clean quiet run prints nothing");
    let r = d.run(&["check", "--exit-zero", "notes/note.md"], "");
    r.assert_code(0);
    assert!(r.stdout().contains("no shouting"));
    let r = d.run(
        &[
            "check",
            "--exit-zero",
            "--max-warnings",
            "0",
            "notes/note.md",
        ],
        "",
    );
    r.assert_code(0);
    // Problems still exit 2.
    d.write("bad.md", "");
    d.run(&["check", "--exit-zero", "bad.md"], "")
        .assert_code(2);
}

#[test]
fn output_format_is_the_long_name_of_format() {
    let d = project();
    let r = d.run(&["check", "--output-format", "json", "notes/note.md"], "");
    r.assert_code(1);
    assert_eq!(r.rules(), ["t/hedge", "t/shout"]);
}

#[test]
fn concise_positions_name_the_row_in_a_batch_and_jsonl_streams_one_object_a_line() {
    let d = project();
    d.write("rows.csv", "id,text\na,fine\nb,\"so\nLOUD\"\n");
    let r = d.run(&["check", "--format", "concise", "rows.csv"], "");
    r.assert_code(1);
    // file:row:line:col, the line and column within the row's text.
    assert!(
        r.stdout()
            .starts_with("rows.csv:3:2:1: error t/shout no shouting\n"),
        "{}",
        r.stdout()
    );
    d.write("rows.jsonl", "{\"text\": \"LOUD\"}\nnot json\n");
    let r = d.run(&["check", "--format", "jsonl", "rows.jsonl"], "");
    r.assert_code(2);
    let lines: Vec<serde_json::Value> = r
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["rule"].as_str(), lines[0]["row"].as_u64()),
        (Some("t/shout"), Some(1))
    );
    assert_eq!(
        (lines[1]["code"].as_str(), lines[1]["row"].as_u64()),
        (Some("tact::input::row"), Some(2))
    );
}

#[test]
fn diff_headers_apply_with_git_and_a_diff_exits_1() {
    let d = project();
    let here = d.path().join("notes/note.md");
    for path in ["notes/note.md", "./notes/note.md", here.to_str().unwrap()] {
        let r = d.run(&["check", "--diff", path], "");
        r.assert_code(1);
        assert!(
            r.stdout()
                .starts_with("--- a/notes/note.md\n+++ b/notes/note.md\n"),
            "{path}: {}",
            r.stdout()
        );
        if let Ok(git) = std::process::Command::new("git").arg("--version").output()
            && git.status.success()
        {
            std::fs::write(d.path().join("fix.patch"), r.stdout()).unwrap();
            let apply = std::process::Command::new("git")
                .args(["apply", "--check", "fix.patch"])
                .current_dir(d.path())
                .output()
                .unwrap();
            assert!(
                apply.status.success(),
                "{path}: {}",
                String::from_utf8_lossy(&apply.stderr)
            );
        }
    }
    // No diff: exit 0, even with a warning left that has only an unsafe fix.
    d.write("notes/note.md", "maybe so\n");
    let r = d.run(&["check", "--diff", "notes/note.md"], "");
    r.assert_code(0);
    assert_eq!(r.stdout(), "");
}

#[test]
fn explain_knows_tacts_own_finding_ids() {
    let r = Dir::new().run(&["explain", "tact/unused-allow"], "");
    r.assert_code(0);
    assert!(r.stdout().contains("allow"), "{}", r.stdout());
}
