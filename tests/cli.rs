//! End-to-end tests of `tact check` and the listing commands, run on real
//! files in a temporary project with a small test pack of its own.

mod common;
use common::{Dir, Run};

/// A project with pack `t`: `t/shout` flags "LOUD" (safe fix to "loud"),
/// `t/hedge` flags "maybe" (unsafe fix: delete it), and rulebooks using them.
fn project() -> Dir {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\ndefault_rulebook = \"quiet\"\n[select]\n\"followups/**\" = \"strict\"\n",
    );
    d.write(
        "plugins/t/shout.rhai",
        r#"//! Shouting in capitals.
fn meta() { #{ level: "error", kind: "rewrite", options: #{ word: "LOUD" }, trigger_options: [] } }
fn check(note, options) {
    let found = [];
    for m in note.find_regex("\\b" + options.word + "\\b") {
        let f = finding(m, "no shouting", "write it in lower case");
        f.edits = [replace(m, "loud")];
        found.push(f);
    }
    found
}
"#,
    );
    d.write(
        "plugins/t/hedge.rhai",
        r#"//! Hedging with "maybe".
fn meta() { #{ level: "warn", kind: "rewrite", triggers: ["maybe"] } }
fn check(note, options) {
    note.find_regex("maybe ").map(|m| {
        let f = finding(m, "hedging");
        f.edits = [as_unsafe(delete(m))];
        f
    })
}
"#,
    );
    d.write(
        "rulebooks/quiet.toml",
        "description = \"no shouting\"\n[rules]\n\"t/shout\" = \"error\"\n\"t/hedge\" = \"warn\"\n",
    );
    d.write(
        "rulebooks/strict.toml",
        "extends = [\"quiet\"]\n[rules]\nhedge = \"error\"\n",
    );
    d
}

#[test]
fn exit_status_follows_levels_and_max_warnings() {
    let d = project();
    d.write("clean.txt", "Hi Sam, all calm here.");
    d.write("warn.txt", "Hi Sam, maybe we talk.");
    d.write("error.txt", "Hi Sam, LOUD news.");
    d.run(&["check", "clean.txt"], "").assert_code(0);
    d.run(&["check", "warn.txt"], "").assert_code(0);
    d.run(&["check", "warn.txt", "--max-warnings", "0"], "")
        .assert_code(1);
    d.run(&["check", "error.txt"], "").assert_code(1);
    d.run(&["check", "--no-such-flag"], "").assert_code(2);
}

#[test]
fn json_output_carries_every_field() {
    let d = project();
    d.write(
        "n.md",
        "+++\nto = \"Sam Lee\"\n+++\nHi Sam,\nthis is LOUD.\n",
    );
    let run = d.run(&["check", "n.md", "--format", "json"], "");
    run.assert_code(1);
    let json = run.json();
    assert_eq!(json["version"], 1);
    let f = &json["findings"][0];
    assert_eq!(f["file"], "n.md");
    assert!(f["row"].is_null());
    assert_eq!(f["rule"], "t/shout");
    assert_eq!(f["level"], "error");
    assert_eq!(f["rulebook"], "quiet");
    assert_eq!(f["message"], "no shouting");
    assert_eq!(f["help"], "write it in lower case");
    assert_eq!(f["text"], "LOUD");
    let start = f["span"]["start"].as_u64().unwrap() as usize;
    assert_eq!(
        &d.read("n.md")[start..start + 4],
        "LOUD",
        "spans are bytes into the whole file"
    );
    assert_eq!(f["start"]["line"], 5);
    assert_eq!(f["start"]["column"], 9);
    assert_eq!(f["fix"]["safety"], "safe");
    assert_eq!(f["fix"]["edits"][0]["replacement"], "loud");
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn human_output_shows_the_note_with_a_labelled_span() {
    let d = project();
    d.write("n.txt", "Hi Sam, this is LOUD.");
    let run = d.run(&["check", "n.txt"], "");
    let out = run.stdout();
    assert!(
        out.contains("t/shout") && out.contains("no shouting") && out.contains("n.txt:1:17"),
        "{out}"
    );
    assert!(
        out.contains("Hi Sam, this is LOUD.") && out.contains("help: write it in lower case"),
        "{out}"
    );
    assert!(out.contains("1 note checked: 1 error"), "{out}");
}

#[test]
fn rulebook_selection_order() {
    let d = project();
    d.write("followups/a.txt", "Hi Sam, maybe later.");
    d.write(
        "goal.txt",
        "+++\ngoal = \"strict\"\n+++\nHi Sam, maybe later.",
    );
    d.write("plain.txt", "Hi Sam, maybe later.");
    let book = |args: &[&str]| {
        d.run(args, "").json()["findings"][0]["rulebook"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        book(&["check", "--format", "json", "plain.txt"]),
        "quiet",
        "config default"
    );
    assert_eq!(
        book(&["check", "--format", "json", "followups/a.txt"]),
        "strict",
        "config [select]"
    );
    assert_eq!(
        book(&["check", "--format", "json", "goal.txt"]),
        "strict",
        "front matter goal"
    );
    assert_eq!(
        book(&[
            "check",
            "--format",
            "json",
            "--rulebook",
            "quiet",
            "goal.txt"
        ]),
        "quiet",
        "flag wins"
    );
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    let run = d.run(
        &["check", "--format", "json", "-"],
        "Hi, can we hop on a quick call?",
    );
    assert_eq!(
        run.json()["findings"][0]["rulebook"],
        "general",
        "no config default: general"
    );
}

#[test]
fn folders_and_stdin() {
    let d = project();
    d.write("notes/a.txt", "LOUD");
    d.write("notes/sub/b.md", "calm");
    d.write("notes/.hidden.txt", "LOUD");
    d.write("notes/ignored.rs", "LOUD");
    let run = d.run(&["check", "notes", "--format", "json"], "");
    assert_eq!(run.json()["summary"]["notes"], 2);
    assert_eq!(run.rules(), ["t/shout"]);
    let run = d.run(&["check", "-", "--format", "json"], "so LOUD");
    assert_eq!(run.json()["findings"][0]["file"], "-");
}

#[test]
fn bad_inputs_are_reported_and_the_rest_still_checked() {
    let d = project();
    std::fs::write(d.path().join("latin1.txt"), b"caf\xe9 LOUD").unwrap();
    d.write("empty.txt", "+++\nto = \"Sam\"\n+++\n  \n");
    d.write("unclosed.txt", "+++\nto = \"Sam\"\nHi");
    d.write("badfm.txt", "+++\nto = \n+++\nHi");
    d.write("typo.txt", "+++\ngaol = \"sales\"\n+++\nHi");
    d.write("huge.txt", &"LOUD ".repeat(20_000));
    d.write("good.txt", "LOUD");
    let run = d.run(
        &[
            "check",
            "--format",
            "json",
            "latin1.txt",
            "empty.txt",
            "unclosed.txt",
            "badfm.txt",
            "typo.txt",
            "huge.txt",
            "good.txt",
            "missing.txt",
        ],
        "",
    );
    run.assert_code(2);
    let json = run.json();
    let messages: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let has = |s: &str| messages.iter().any(|m| m.contains(s));
    assert!(has("`latin1.txt` is not valid UTF-8"), "{messages:?}");
    assert!(has("`empty.txt` has no note text"), "{messages:?}");
    assert!(has("never closed"), "{messages:?}");
    assert!(has("malformed front matter"), "{messages:?}");
    assert!(
        has("unknown front matter key `gaol`; did you mean `goal`?"),
        "{messages:?}"
    );
    assert!(has("`huge.txt` is 97 KiB"), "{messages:?}");
    assert!(has("cannot read `missing.txt`"), "{messages:?}");
    assert_eq!(
        json["findings"][0]["file"], "good.txt",
        "the good note is still checked"
    );
    let badfm = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "badfm.txt")
        .unwrap();
    assert_eq!(
        badfm["start"]["line"], 2,
        "front matter errors point into the file"
    );
}

#[test]
fn batches_name_the_row_and_skip_only_bad_rows() {
    let d = project();
    d.write(
        "leads.jsonl",
        "{\"id\": \"a1\", \"text\": \"calm\"}\n{\"text\": \"so LOUD\", \"to\": \"Sam\"}\nnot json\n\n{\"name\": \"no text\"}\n{\"text\": \"LOUD again\"}\n",
    );
    d.write(
        "leads.csv",
        "id,to,text\n1,Sam,calm\n2,Ana,\"LOUD, with a comma\"\n3,Bo\n4,Cy,LOUD\n",
    );
    let run = d.run(
        &["check", "--format", "json", "leads.jsonl", "leads.csv"],
        "",
    );
    run.assert_code(2);
    let json = run.json();
    let rows: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f["file"].as_str().unwrap(), f["row"]))
        .collect();
    assert_eq!(
        rows,
        [
            "leads.jsonl:2",
            "leads.jsonl:6",
            "leads.csv:3",
            "leads.csv:5"
        ]
    );
    let errors: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        errors
            .iter()
            .any(|m| m.starts_with("leads.jsonl:3: malformed JSON")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|m| m.starts_with("leads.jsonl:5:") && m.contains("no `text`")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|m| m.starts_with("leads.csv:4:") && m.contains("fields")),
        "{errors:?}"
    );
    let human = d.run(&["check", "leads.jsonl"], "").stdout();
    assert!(
        human.contains("leads.jsonl:2:1:4"),
        "row and position in the text: {human}"
    );
}

#[test]
fn rulebook_errors_have_spans_and_suggestions() {
    let d = project();
    let cases = [
        (
            "[rules]\nshoot = \"warn\"\n",
            "unknown rule `shoot`",
            "did you mean `shout`?",
        ),
        (
            "[rules]\nshout = { level = \"warn\", wrd = \"X\" }\n",
            "unknown option `wrd`",
            "did you mean `word`?",
        ),
        (
            "[rules]\nshout = { word = 3 }\n",
            "expected string, found integer",
            "tact explain",
        ),
        (
            "[rules]\nshout = \"loud\"\n",
            "unknown level `loud`",
            "off, info, warn, error",
        ),
        ("extends = [\"bad\"]\n", "extends itself", "remove one"),
        (
            "[rules]\nshout = \"warn\"\n\"t/shout\" = \"error\"\n",
            "is set twice",
            "one entry per rule",
        ),
        (
            "name = \"good\"\n",
            "says `name = \"good\"`",
            "rename the file",
        ),
        (
            "extends = [\"quite\"]\n",
            "unknown rulebook `quite`",
            "did you mean `quiet`?",
        ),
    ];
    for (text, message, help) in cases {
        d.write("rulebooks/bad.toml", text);
        let run = d.run(&["check", "--rulebook", "bad", "-"], "calm");
        run.assert_code(2);
        let err = run.stderr();
        assert!(err.contains(message) && err.contains(help), "{text}\n{err}");
        assert!(
            err.contains("rulebooks/bad.toml:"),
            "names the file with a position: {err}"
        );
    }
    let run = d.run(&["check", "--rulebook", "quite", "-"], "calm");
    run.assert_code(2);
    assert!(
        run.stderr().contains("no rulebook named `quite`")
            && run.stderr().contains("did you mean `quiet`?")
    );
}

#[test]
fn allowances_silence_and_unused_ones_are_reported() {
    let d = project();
    d.write(
        "a.txt",
        "+++\nallow = [\"t/shout\"]\nreason = \"quoting a band\"\n+++\nLOUD is a band.",
    );
    d.write("b.txt", "+++\nallow = [\"shout\", \"t/nope\"]\n+++\ncalm");
    let run = d.run(&["check", "--format", "json", "a.txt", "b.txt"], "");
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{json}");
    assert!(
        findings
            .iter()
            .all(|f| f["file"] == "b.txt" && f["rule"] == "tact/unused-allow")
    );
    assert_eq!(findings[0]["text"], "shout");
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("unknown rule `t/nope`")
    );
}

#[test]
fn template_mode_treats_placeholders_as_variables() {
    let d = Dir::new();
    let note = "Hi {first_name}, I saw your post on pricing pages. I work in SEO and would like to connect.";
    let plain = d.run(
        &["check", "--format", "json", "--rulebook", "general", "-"],
        note,
    );
    assert!(
        plain.rules().contains(&"core/placeholder".to_owned()),
        "{}",
        plain.stdout()
    );
    let tpl = d.run(
        &[
            "check",
            "--format",
            "json",
            "--rulebook",
            "general",
            "--template",
            "-",
        ],
        note,
    );
    assert!(
        !tpl.rules().contains(&"core/placeholder".to_owned()),
        "{}",
        tpl.stdout()
    );
}

#[test]
fn listing_commands() {
    let d = project();
    let rules = d.run(&["rules"], "").stdout();
    assert!(
        rules.contains("t/shout") && rules.contains("core/no-pitch"),
        "{rules}"
    );
    let strict = d.run(&["rules", "--rulebook", "strict"], "").stdout();
    assert!(
        strict.contains("t/hedge") && strict.contains("error") && !strict.contains("core/"),
        "{strict}"
    );
    let books = d.run(&["rulebooks"], "").stdout();
    assert!(
        books.contains("quiet") && books.contains("sales"),
        "{books}"
    );
    let resolved = d.run(&["rulebooks", "strict"], "").stdout();
    assert!(
        resolved.contains("quiet → strict") && resolved.contains("word = \"LOUD\""),
        "{resolved}"
    );
    let explain = d.run(&["explain", "shout"], "");
    explain.assert_code(0);
    assert!(
        explain.stdout().contains("# t/shout")
            && explain.stdout().contains("`word` (default: \"LOUD\")")
    );
    let unknown = d.run(&["explain", "shoot"], "");
    unknown.assert_code(2);
    assert!(unknown.stderr().contains("did you mean `shout`?"));
}

/// A batch found by walking a folder is handled like one named on the
/// command line: never reported as fixed when it was not written.
#[test]
fn fix_on_a_folder_never_drops_a_batch_fix() {
    let d = Dir::new();
    d.write(
        "dir/b.jsonl",
        "{\"to\":\"Dana Whitfield\",\"text\":\"Hi {first_name},  I saw your talk at the Ops Summit , and I would be glad to connect here.\"}\n",
    );
    let before = d.read("dir/b.jsonl");
    let run = d.run(&["check", "--fix", "dir"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("dir/b.jsonl` not fixed") && run.stderr().contains("--output FILE"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("fixed 3"), "{}", run.stderr());
    // The findings shown are those of the batch as it is on disk.
    assert!(run.stdout().contains("core/placeholder") || run.stderr().contains("core/placeholder"));
    assert_eq!(d.read("dir/b.jsonl"), before);
}

/// A closed stdout (`tact … | head -c1`) is a quiet success, never a panic.
#[test]
fn a_closed_pipe_is_a_quiet_success() {
    use std::process::{Command, Stdio};
    let d = Dir::new();
    for i in 0..200 {
        d.write(
            &format!("dir/n{i:03}.md"),
            "Hi, can we schedule a quick call this week?\u{20}\u{20}Let's connect !",
        );
    }
    for args in [
        vec!["rules"],
        vec!["rulebooks", "general"],
        vec!["explain", "core/no-pitch"],
        vec!["check", "--diff", "dir"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
            .args(&args)
            .current_dir(d.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the pipe before tact writes, as a `head` that has had enough does.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            !err.contains("stopped unexpectedly") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{args:?}: {:?}",
            output.status
        );
    }
}

/// A broken rulebook used by many notes of a batch: its errors come once,
/// before the first note that needed it, the same way on every run.
#[test]
fn a_broken_rulebooks_errors_come_once_in_input_order() {
    let d = Dir::new();
    d.write("tact.toml", "rulebooks = [\"books\"]\n");
    d.write("books/broken.toml", "[rules]\nnosuch-rule = \"warn\"\n");
    let mut batch = String::new();
    for i in 0..5000 {
        let goal = if i % 2 == 0 { "broken" } else { "general" };
        batch.push_str(&format!(
            "{{\"goal\":\"{goal}\",\"text\":\"Hi Sam, I saw your talk at SaaStr and would like to connect to follow your work. {i}\"}}\n"
        ));
    }
    d.write("b.jsonl", &batch);
    let first = d.run(&["check", "--format", "json", "b.jsonl"], "");
    first.assert_code(2);
    let errors = first.json()["errors"].as_array().unwrap().clone();
    let unknown: Vec<_> = errors
        .iter()
        .filter(|e| e["code"] == "tact::rulebook::unknown-rule")
        .collect();
    assert_eq!(unknown.len(), 1, "{errors:#?}");
    // The first error is the rulebook's own, then one line per later note.
    assert_eq!(errors[0]["code"], "tact::rulebook::unknown-rule");
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("b.jsonl:3` not checked")
    );
    let again = d.run(&["check", "--format", "json", "b.jsonl"], "");
    assert_eq!(again.json()["errors"], first.json()["errors"]);
}

#[test]
fn tact_test_with_nothing_to_run_fails_and_unsafe_fixes_need_a_fix_mode() {
    let d = Dir::new();
    std::fs::create_dir_all(d.path().join("empty")).unwrap();
    let run = d.run(&["test", "empty"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("no test cases in `empty`"),
        "{}",
        run.stderr()
    );
    let run = d.run(&["check", "--unsafe-fixes", "-"], "Hi Sam");
    run.assert_code(2);
    assert!(run.stderr().contains("add one of them"), "{}", run.stderr());
}

/// `--rulebook nosuch` on a batch: the missing rulebook is reported once,
/// then one line per later row points back to it.
#[test]
fn a_missing_rulebook_for_a_whole_batch_is_reported_once() {
    let d = Dir::new();
    d.write(
        "b.jsonl",
        "{\"text\":\"Hi\"}\n{\"text\":\"Hello\"}\n{\"text\":\"Hey\"}\n",
    );
    let run = d.run(
        &["check", "-r", "nosuch", "--format", "json", "b.jsonl"],
        "",
    );
    run.assert_code(2);
    let errors = run.json()["errors"].as_array().unwrap().clone();
    let missing = errors
        .iter()
        .filter(|e| e["code"] == "tact::rulebook::missing")
        .count();
    assert_eq!(missing, 1, "{errors:#?}");
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn a_run_compiles_and_reports_only_the_rules_it_uses() {
    let d = Dir::with_test_pack();
    // One broken rule no rulebook uses, one that only rulebook `g` uses.
    d.write("plugins/t/unused.rhai", "//! Unused.\nfn meta( {\n");
    d.write(
        "plugins/t/goal-only.rhai",
        "//! Goal only.\nfn meta() { #{} }\n",
    );
    d.write(
        "rulebooks/g.toml",
        "[rules]\n\"t/shout\" = \"error\"\n\"t/goal-only\" = \"warn\"\n",
    );
    d.write("a.md", "Say it LOUD.\n");
    d.write("b.md", "+++\ngoal = \"g\"\n+++\nSay it LOUD.\n");
    let codes = |run: &Run| -> Vec<String> {
        let json = run.json();
        json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["code"].as_str().unwrap(), e["message"]))
            .collect()
    };
    // Rulebook `t` needs neither broken rule: the run is clean but for its finding.
    let run = d.run(&["check", "--format", "json", "a.md"], "");
    run.assert_code(1);
    assert_eq!(codes(&run), Vec::<String>::new());
    // A note whose goal needs the broken rule: it is reported, the note checked.
    for args in [
        &["check", "--format", "json", "a.md", "b.md"][..],
        &["check", "--format", "json", "--rulebook", "g", "a.md"][..],
    ] {
        let run = d.run(args, "");
        run.assert_code(2);
        let errors = codes(&run);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0].starts_with("tact::plugin::no-check"),
            "{errors:#?}"
        );
        assert!(errors[0].contains("t/goal-only"), "{errors:#?}");
        assert!(run.rules().contains(&"t/shout".to_owned()));
    }
    // Listing and testing rules still compile every rule.
    let rules = d.run(&["rules"], "");
    rules.assert_code(2);
    let err = rules.stderr();
    assert!(
        err.contains("t/unused") && err.contains("t/goal-only"),
        "{err}"
    );
}
