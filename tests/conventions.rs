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
    let r = d.run(&["check", "--ignore", "t/shuot", "notes/note.md"], "");
    r.assert_code(2);
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
    // Only findings, as `ruff check -q`: no summary, no "fixable" lines.
    assert_eq!(r.stdout().lines().count(), 1, "{}", r.stdout());
    let r = d.run(&["check", "-q", "notes/note.md"], "");
    r.assert_code(1);
    assert!(r.stdout().contains("no shouting"), "{}", r.stdout());
    for line in ["checked", "fixable with `tact check --fix`", "more fixable"] {
        assert!(!r.stdout().contains(line), "{line}: {}", r.stdout());
    }
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
    for path in [
        "notes/note.md",
        "./notes/note.md",
        here.to_str().unwrap(),
        ".",
        "./notes",
    ] {
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

/// Paths are shown as Ruff shows them: relative, without a `./` prefix,
/// whether found in `.` or named as `./x`.
#[test]
fn paths_are_shown_without_a_dot_prefix() {
    let d = project();
    d.write("leads.jsonl", "{\"text\":\"LOUD hello\"}\n");
    for args in [
        &["check", "--format", "concise", "."][..],
        &["check", "--format", "concise", "./notes", "./leads.jsonl"],
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "./notes/x.md",
            "-",
        ],
    ] {
        let r = d.run(args, "LOUD\n");
        r.assert_code(1);
        let out = r.stdout();
        assert!(!out.contains("./"), "{args:?}: {out}");
        assert!(
            out.contains("notes/note.md:2:") || out.contains("notes/x.md:1:1:"),
            "{args:?}: {out}"
        );
    }
    let r = d.run(&["check", "--format", "concise", "."], "");
    assert!(r.stdout().contains("leads.jsonl:1:1:1:"), "{}", r.stdout());
    let r = d.run(&["check", "."], "");
    assert!(r.stdout().contains("[notes/note.md:2:"), "{}", r.stdout());
    // A batch named as `./x` is still the one `--fix --output` writes.
    let r = d.run(
        &["check", "--fix", "./leads.jsonl", "--output", "fixed.jsonl"],
        "",
    );
    r.assert_code(0);
    assert!(d.read("fixed.jsonl").contains("loud hello"));
}

#[test]
fn explain_knows_tacts_own_finding_ids() {
    let r = Dir::new().run(&["explain", "tact/unused-allow"], "");
    r.assert_code(0);
    assert!(r.stdout().contains("allow"), "{}", r.stdout());
}

fn files_checked(run: &common::Run) -> Vec<String> {
    let mut files: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().replace('\\', "/"))
        .collect();
    files.dedup();
    files
}

#[test]
fn folder_walks_skip_docs_non_batches_and_excluded_files() {
    let d = project();
    for f in [
        "README.md",
        "CHANGELOG.md",
        "notes/CONTRIBUTING.md",
        "LICENSE.txt",
        "docs/guide.md",
    ] {
        d.write(f, "LOUD docs\n");
    }
    d.write("contacts.csv", "name,email\nAnn,LOUD@example.com\n");
    d.write("leads.csv", "name,message\nAnn,LOUD hello\n");
    d.write("drafts/old.md", "LOUD draft\n");
    let r = d.run(
        &[
            "check", "--format", "json", "--select", "t/shout", "-v", ".",
        ],
        "",
    );
    r.assert_code(1);
    let mut got = files_checked(&r);
    got.sort();
    assert_eq!(got, ["drafts/old.md", "leads.csv", "notes/note.md"]);
    let err = r.stderr();
    for f in [
        "README.md",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
        "LICENSE.txt",
        "docs/guide.md",
    ] {
        assert!(
            err.contains(&format!("{f}`: excluded by default")),
            "{f}: {err}"
        );
    }
    assert!(
        err.contains("contacts.csv`: no `text`, `message` or `request` column"),
        "{err}"
    );
    // Without --verbose nothing is said about them.
    let quiet = d.run(&["check", "--format", "json", "."], "");
    assert!(!quiet.stderr().contains("skipped"), "{}", quiet.stderr());
    // --exclude on the command line, `exclude` and `include` in tact.toml.
    let r = d.run(
        &[
            "check",
            "--format",
            "json",
            "--exclude",
            "drafts/**",
            "--exclude",
            "*.csv",
            ".",
        ],
        "",
    );
    assert_eq!(files_checked(&r), ["notes/note.md"]);
    d.write(
        "tact.toml",
        &(d.read("tact.toml") + "exclude = [\"drafts\", \"drafts/**\"]\n"),
    );
    let r = d.run(&["check", "--format", "json", "."], "");
    let mut got = files_checked(&r);
    got.sort();
    assert_eq!(got, ["leads.csv", "notes/note.md"]);
    d.write(
        "tact.toml",
        &(d.read("tact.toml") + "include = [\"docs/**\", \"drafts/**\"]\n"),
    );
    let r = d.run(&["check", "--format", "json", "."], "");
    assert_eq!(
        files_checked(&r),
        ["docs/guide.md"],
        "include wins over the defaults, exclude over include"
    );
    // A file named on the command line is always read.
    let r = d.run(
        &["check", "--format", "json", "README.md", "contacts.csv"],
        "",
    );
    r.assert_code(2);
    assert_eq!(files_checked(&r), ["README.md"]);
    assert!(
        r.stdout().contains("tact::input::csv-header"),
        "{}",
        r.stdout()
    );
}

#[test]
fn each_file_gets_the_nearest_config_and_config_forces_one() {
    let d = Dir::new();
    // A project in a sub-folder, checked from outside it.
    d.write("team/tact.toml", "rulebooks = [\"books\"]\ndefault_rulebook = \"team\"\n[select]\n\"dms/**\" = { channel = \"inmail\" }\n");
    d.write(
        "team/books/team.toml",
        "extends = [\"base\"]\n[rules]\n\"core/no-pitch\" = \"error\"\n",
    );
    d.write(
        "team/notes/a.md",
        "Hi Ann, our platform could help; I'd like to connect since we both work on pricing.\n",
    );
    d.write(
        "other/b.md",
        "Hi Ann, our platform could help; I'd like to connect since we both work on pricing.\n",
    );
    let r = d.run(
        &["check", "--format", "json", "team/notes/a.md", "other/b.md"],
        "",
    );
    let findings = r.json()["findings"].as_array().unwrap().clone();
    let book = |file: &str| {
        findings
            .iter()
            .find(|f| f["file"] == file)
            .map(|f| f["rulebook"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        book("team/notes/a.md").as_deref(),
        Some("team"),
        "{findings:#?}"
    );
    assert_eq!(
        book("other/b.md").as_deref(),
        Some("general"),
        "{findings:#?}"
    );
    // --config makes every file use one project.
    let r = d.run(
        &[
            "check",
            "--config",
            "team/tact.toml",
            "--format",
            "json",
            "other/b.md",
        ],
        "",
    );
    assert_eq!(r.json()["findings"][0]["rulebook"], "team");
    // A broken config is reported once, naming its file, and exits 2.
    d.write("bad/tact.toml", "nonsense = 1\n");
    d.write("bad/a.md", "Hi\n");
    d.write("bad/b.md", "Hi\n");
    let r = d.run(&["check", "bad/a.md", "bad/b.md"], "");
    r.assert_code(2);
    assert_eq!(
        r.stderr().matches("tact::config::syntax").count(),
        1,
        "{}",
        r.stderr()
    );
    // stdin named into the project: its rulebook, `[select]` and name.
    let r = d.run(
        &[
            "check",
            "--stdin-filename",
            "team/dms/x.md",
            "--format",
            "json",
            "-",
        ],
        "Hi Ann, our platform could help; I'd like to connect since we both work on pricing.",
    );
    let f = &r.json()["findings"][0];
    assert_eq!(
        (f["file"].as_str(), f["rulebook"].as_str()),
        (Some("team/dms/x.md"), Some("team"))
    );
    let r = d.run(&["check", "--stdin-filename", "x.md", "other/b.md"], "");
    r.assert_code(2);
    assert!(r.stderr().contains("--stdin-filename"), "{}", r.stderr());
}

/// In tact's own repository, `tact check .` checks the examples and nothing else.
#[test]
fn the_repository_checks_only_its_examples() {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["check", "--format", "json", "."])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.len() > 10, "{files:?}");
    assert!(
        files.iter().all(|f| f.starts_with("examples/")),
        "{files:?}"
    );
    assert_eq!(json["errors"], serde_json::json!([]));
}

/// Runs tact in `d` with the colour variables given and no others.
fn run_with_env(d: &Dir, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tact"));
    cmd.args(args).current_dir(d.path());
    for k in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CI"] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn colour_follows_no_color_force_color_and_clicolor_force() {
    let d = project();
    d.write("bad.md", "");
    let coloured = |env: &[(&str, &str)]| {
        let out = run_with_env(&d, &["check", "notes/note.md", "bad.md"], env);
        (out.stdout.contains(&0x1b), out.stderr.contains(&0x1b))
    };
    // Piped: no colour unless forced.
    assert_eq!(coloured(&[]), (false, false));
    assert_eq!(coloured(&[("FORCE_COLOR", "1")]), (true, true));
    assert_eq!(coloured(&[("CLICOLOR_FORCE", "1")]), (true, true));
    assert_eq!(coloured(&[("FORCE_COLOR", "0")]), (false, false));
    // An empty NO_COLOR is not set (no-color.org); a non-empty one wins.
    assert_eq!(
        coloured(&[("NO_COLOR", ""), ("FORCE_COLOR", "1")]),
        (true, true)
    );
    assert_eq!(
        coloured(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]),
        (false, false)
    );
    // The flag wins over the environment.
    let out = run_with_env(
        &d,
        &["check", "--color", "always", "notes/note.md"],
        &[("NO_COLOR", "1")],
    );
    assert!(out.stdout.contains(&0x1b));
}

#[test]
fn no_progress_bar_when_piped_and_completions_and_man_page_generate() {
    let d = project();
    let rows: String = (0..3000)
        .map(|i| format!("{{\"text\": \"row {i} LOUD\"}}\n"))
        .collect();
    d.write("big.jsonl", &rows);
    let out = run_with_env(&d, &["check", "--statistics", "big.jsonl"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing but findings when piped"
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = d.run(&["completions", shell], "");
        r.assert_code(0);
        assert!(r.stdout().contains("extend-select"), "{shell}");
    }
    let bash = d.run(&["completions", "bash"], "").stdout();
    if let Ok(check) = std::process::Command::new("bash")
        .args(["-n", "-c", &bash])
        .output()
    {
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let man = d.run(&["man"], "");
    man.assert_code(0);
    assert!(man.stdout().contains(".TH tact 1"), "{}", man.stdout());
    d.run(&["completions", "tcsh"], "").assert_code(2);
}

#[test]
fn force_exclude_filters_named_files_like_a_walk() {
    let d = project();
    d.write("README.md", "LOUD\n");
    d.write("contacts.csv", "name\nAnn\n");
    let r = d.run(
        &[
            "check",
            "--format",
            "json",
            "--force-exclude",
            "-v",
            "README.md",
            "contacts.csv",
            "notes/note.md",
        ],
        "",
    );
    r.assert_code(1);
    assert_eq!(files_checked(&r), ["notes/note.md"]);
    assert!(r.stderr().contains("skipped `README.md`"), "{}", r.stderr());
    // Without it, a named file is always read.
    let r = d.run(&["check", "--format", "json", "README.md"], "");
    assert_eq!(files_checked(&r), ["README.md"]);
}
