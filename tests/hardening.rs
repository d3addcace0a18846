//! Regressions of issue 10 (hardening): each test is named after what it
//! guards, and reruns the issue's reproduction on the real binary.

mod common;

use common::Dir;

/// A rulebook line past column 65,535 made miette panic ("tact stopped
/// unexpectedly"); the diagnostic now names the right line and column.
#[test]
fn diagnostics_past_column_65535_do_not_panic() {
    let d = Dir::new();
    d.write("tact.toml", "rulebooks = [\"rulebooks\"]\n");
    d.write(
        "rulebooks/wide.toml",
        &format!("[rules]\nlength = {{{}nosuch = 1 }}\n", " ".repeat(70_000)),
    );
    d.write(
        "n.md",
        "Hi Sam, your talk on pricing was great. I'd like to connect.",
    );
    let run = d.run(&["check", "-r", "wide", "n.md"], "");
    run.assert_code(2);
    assert!(!run.stderr().contains("unexpectedly"), "{}", run.stderr());
    assert!(
        run.stderr().contains("wide.toml:2:70011"),
        "{}",
        run.stderr()
    );
}

/// Rhai clamps positions at 65,535: such a script is refused at load, so no
/// error ever names the wrong place.
#[test]
fn rule_scripts_wider_than_rhai_positions_are_refused() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    d.write(
        "plugins/wide/w.rhai",
        &format!(
            "//! Wide.\nfn meta() {{ #{{ level: \"warn\" }} }}\nfn check(note, options) {{ {}throw \"x\"; }}\n",
            " ".repeat(70_000)
        ),
    );
    d.write("rulebooks/wide.toml", "[rules]\n\"wide/w\" = \"warn\"\n");
    let run = d.run(&["check", "-r", "wide", "-"], "Hi Sam, great talk.");
    run.assert_code(2);
    assert!(
        run.stderr().contains("over 65535 characters"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("unexpectedly"), "{}", run.stderr());
}

/// `tact check /dev/zero` grew to gigabytes: a note is read no further than
/// one byte past the size cap, whatever the file is.
#[cfg(unix)]
#[test]
fn note_reads_are_bounded_for_devices_and_pipes() {
    let d = Dir::new();
    let run = d.run(&["check", "/dev/zero"], "");
    run.assert_code(2);
    assert!(run.stderr().contains("is over 16 KiB"), "{}", run.stderr());
    let big = "note ".repeat(10_000);
    let run = d.run(&["check", "-"], &big);
    run.assert_code(2);
    assert!(run.stderr().contains("is over 16 KiB"), "{}", run.stderr());
}

/// A 100 MB JSONL line was buffered whole before its size was checked; a
/// long line is now reported with its row, and the next rows still checked.
#[test]
fn huge_jsonl_rows_are_skipped_without_buffering_them() {
    let d = Dir::new();
    let huge = format!("{{\"text\":\"{}\"}}\n", "a".repeat(3_000_000));
    d.write(
        "b.jsonl",
        &format!("{huge}{{\"text\":\"Hi Sam, your talk on pricing was great.\"}}\n"),
    );
    let run = d.run(&["check", "--format", "json", "b.jsonl"], "");
    run.assert_code(2);
    let json = run.json();
    assert_eq!(json["summary"]["notes"], 1, "{json}");
    let err = &json["errors"][0];
    assert_eq!(err["file"], "b.jsonl");
    assert_eq!(err["row"], 1);
    assert!(
        err["message"].as_str().unwrap().contains("over 256 KiB"),
        "{err}"
    );
}

/// A CSV row over the row cap ends the file with a diagnostic naming the row.
#[test]
fn huge_csv_rows_are_refused_with_their_row() {
    let d = Dir::new();
    d.write(
        "b.csv",
        &format!(
            "id,text\n1,Hi Sam great talk\n2,\"{}\"\n",
            "a".repeat(1_000_000)
        ),
    );
    let run = d.run(&["check", "--format", "json", "b.csv"], "");
    run.assert_code(2);
    let json = run.json();
    assert_eq!(json["summary"]["notes"], 1, "{json}");
    assert_eq!(json["errors"][0]["row"], 3, "{json}");
}

/// Batch `--fix --output` rewrote data it did not fix: a big id became a
/// float, CRLF became LF, a fix for `message` went into `text`.
#[test]
fn batch_fix_output_keeps_unfixed_bytes() {
    let d = Dir::with_test_pack();
    let jsonl = "{\"id\":12345678901234567890123,\"message\":\"Hi, so LOUD here.\"}\r\n{\"id\":2, \"text\":\"quiet\"}\r\n";
    d.write("b.jsonl", jsonl);
    d.run(&["check", "--fix", "--output", "out.jsonl", "b.jsonl"], "")
        .assert_code(0);
    assert_eq!(
        d.read("out.jsonl"),
        jsonl.replace("LOUD", "loud"),
        "only the fixed value changes"
    );
    let csv = "id,message,other\r\n12345678901234567890123,\"Hi, so LOUD here.\",\"x\"\r\n2,quiet,\"y\"\r\n";
    d.write("b.csv", csv);
    d.run(&["check", "--fix", "--output", "out.csv", "b.csv"], "")
        .assert_code(0);
    assert_eq!(d.read("out.csv"), csv.replace("LOUD", "loud"));
}

/// Batch keys were not checked like front matter: `goall` was ignored,
/// `"followup":"maybe"` became false and `"to":42` was dropped. Labels that
/// `tact eval` reads stay usable.
#[test]
fn batch_keys_are_checked_like_front_matter() {
    let d = Dir::new();
    d.write(
        "b.jsonl",
        concat!(
            "\u{feff}{\"goall\":\"sales\",\"text\":\"Hi Sam, great talk on pricing.\"}\n",
            "{\"followup\":\"maybe\",\"text\":\"Hi Sam, great talk on pricing.\"}\n",
            "{\"to\":42,\"text\":\"Hi Sam, great talk on pricing.\"}\n",
            "{\"verdict\":\"good\",\"Score3\":\"1\",\"context.x\":\"y\",\"tag\":\"z\",\"text\":\"Hi Sam, great talk on pricing.\"}\n",
        ),
    );
    let run = d.run(&["check", "--format", "json", "b.jsonl"], "");
    run.assert_code(2);
    let json = run.json();
    let errors = json["errors"].as_array().unwrap();
    let messages: Vec<&str> = errors
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{messages:?}");
    assert!(messages[0].contains("did you mean `goal`"), "{messages:?}");
    assert!(
        messages[1].contains("`followup` must be true or false"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("`to` must be a string"),
        "{messages:?}"
    );
    let rows: Vec<_> = errors.iter().map(|e| e["row"].clone()).collect();
    assert_eq!(rows, [1, 2, 3], "the BOM does not lose row 1");
    assert_eq!(json["summary"]["notes"], 1);
}

/// An unbalanced CSV quote swallowed the next good row with a misleading message.
#[test]
fn csv_unbalanced_quotes_are_reported_on_their_row() {
    let d = Dir::new();
    d.write(
        "b.csv",
        "id,text\n1,\"Hi Sam, great talk\n2,Hi Dana great post\n",
    );
    let run = d.run(&["check", "--format", "json", "b.csv"], "");
    run.assert_code(2);
    let json = run.json();
    let err = &json["errors"][0];
    assert_eq!(err["row"], 2, "{json}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("quote is not closed"),
        "{err}"
    );
}

/// A symlinked note inside a folder was skipped without a word: it is read.
#[cfg(unix)]
#[test]
fn symlinked_notes_in_folders_are_followed() {
    let d = Dir::new();
    d.write(
        "elsewhere/a.txt",
        "Hi Sam, your talk on pricing was great. I'd like to connect.",
    );
    std::fs::create_dir_all(d.path().join("notes")).unwrap();
    std::os::unix::fs::symlink(
        d.path().join("elsewhere/a.txt"),
        d.path().join("notes/a.txt"),
    )
    .unwrap();
    let run = d.run(&["check", "--format", "json", "notes"], "");
    assert_eq!(run.json()["summary"]["notes"], 1, "{}", run.stdout());
}

/// A non-UTF-8 file name was reported as "No such file or directory".
#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_get_a_clear_message() {
    use std::os::unix::ffi::OsStrExt;
    let d = Dir::new();
    std::fs::create_dir_all(d.path().join("notes")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad\xff.txt");
    std::fs::write(d.path().join("notes").join(name), "Hi Sam, great talk.").unwrap();
    let run = d.run(&["check", "notes"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("is not valid UTF-8"),
        "{}",
        run.stderr()
    );
}

/// Batch-row problems had no file in machine output: every format names the
/// file and the row.
#[test]
fn input_problems_name_file_and_row_in_every_format() {
    let d = Dir::new();
    d.write("b.jsonl", "{\"text\":\"Hi Sam, great talk.\"}\nnot json\n");
    let json = d.run(&["check", "--format", "json", "b.jsonl"], "").json();
    assert_eq!(json["errors"][0]["file"], "b.jsonl");
    assert_eq!(json["errors"][0]["row"], 2);
    let gh = d
        .run(&["check", "--format", "github", "b.jsonl"], "")
        .stdout();
    assert!(gh.contains("::error file=b.jsonl,line=2,"), "{gh}");
    let sarif = d.run(&["check", "--format", "sarif", "b.jsonl"], "").json();
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    let loc = &note["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "b.jsonl", "{note}");
    assert_eq!(loc["region"]["startLine"], 2, "{note}");
}

/// `plugins/acme/length.rhai` made every built-in rulebook fail with
/// "unknown rule `length`": their short ids name core rules first, and an
/// ambiguous short id in a project rulebook names the candidates.
#[test]
fn team_rules_named_like_core_rules_keep_builtin_rulebooks_working() {
    let d = Dir::new();
    d.write("tact.toml", "plugins = [\"plugins\"]\n");
    d.write(
        "plugins/acme/length.rhai",
        "//! Team length.\nfn meta() { #{ level: \"warn\" } }\nfn check(note, options) { [] }\n",
    );
    d.write(
        "n.md",
        "Hi Sam, your talk on pricing was great. I'd like to connect.",
    );
    let run = d.run(&["check", "--format", "json", "n.md"], "");
    run.assert_code(0);
    assert_eq!(run.json()["summary"]["notes"], 1);
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    d.write("rulebooks/mine.toml", "[rules]\nlength = \"warn\"\n");
    let run = d.run(&["check", "-r", "mine", "n.md"], "");
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("could be `acme/length` or `core/length`"),
        "{}",
        run.stderr()
    );
}

/// A rule failing on every note was called on every note (a 10k batch took
/// 42 minutes): after `[limits] max_failures` notes it is skipped, with one
/// diagnostic saying on how many.
#[test]
fn a_rule_that_keeps_failing_is_skipped_with_one_diagnostic() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n[limits]\nmax_failures = 3\n",
    );
    d.write(
        "plugins/evil/boom.rhai",
        "//! Throws.\nfn meta() { #{ level: \"warn\" } }\nfn check(note, options) { throw \"boom\"; }\n",
    );
    d.write("rulebooks/evil.toml", "[rules]\n\"evil/boom\" = \"warn\"\n");
    let rows: String = (0..10)
        .map(|i| format!("{{\"text\":\"Hi Sam, great talk number {i}.\"}}\n"))
        .collect();
    d.write("b.jsonl", &rows);
    let run = d.run(&["check", "-r", "evil", "--format", "json", "b.jsonl"], "");
    run.assert_code(2);
    let json = run.json();
    let errors = json["errors"].as_array().unwrap();
    let failed = errors
        .iter()
        .filter(|e| e["code"] == "tact::rule::failed")
        .count();
    assert_eq!(failed, 3, "{json}");
    let skipped: Vec<_> = errors
        .iter()
        .filter(|e| e["code"] == "tact::rule::skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{json}");
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .contains("failed on 3 notes; it was not called on 7 more"),
        "{json}"
    );
}

/// A rule declaring thousands of trigger phrases made every note 35× slower
/// with no message: it is refused at load.
#[test]
fn rules_with_too_many_triggers_are_refused_at_load() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    let triggers: Vec<String> = (0..5000).map(|i| format!("\"w{i}\"")).collect();
    d.write(
        "plugins/big/t.rhai",
        &format!(
            "//! Many triggers.\nfn meta() {{ #{{ level: \"warn\", triggers: [{}] }} }}\nfn check(note, options) {{ [] }}\n",
            triggers.join(",")
        ),
    );
    d.write("rulebooks/big.toml", "[rules]\n\"big/t\" = \"warn\"\n");
    let run = d.run(&["check", "-r", "big", "-"], "Hi Sam, great talk.");
    run.assert_code(2);
    assert!(
        run.stderr().contains("5000 trigger phrases"),
        "{}",
        run.stderr()
    );
}

/// Core rules ran into "Size of array/object map" or the operation limit on
/// long notes of repeats that tact accepts: the shipped rulebooks, on every
/// channel, now check them with no rule failure, and a rule reports at most
/// 100 findings per note plus one saying how many more.
#[test]
fn core_rules_stay_within_limits_on_repetitive_notes() {
    let d = Dir::new();
    let repeats = [
        "u ",
        "? ",
        "a  ",
        "a , ",
        "{x} ",
        "[Name] ",
        "demo ",
        "I'm sorry to bother you. ",
        "just ",
        "Dear Sir, ",
        "AMAZING ",
        "Can we talk? ",
        "https://x.io ",
        "I ",
        "we ",
        "your post ",
        "Hi Sam, ",
        "!!! ",
        "... ",
        "quick call ",
    ];
    let mut rows = String::new();
    for r in repeats {
        let text = r.repeat(15_000 / r.len());
        for extra in [
            "",
            ",\"channel\":\"message\"",
            ",\"followup\":true",
            ",\"to\":\"Sam Lee\"",
        ] {
            rows.push_str(&format!(
                "{{\"text\":{}{extra}}}\n",
                serde_json::to_string(&text).unwrap()
            ));
        }
    }
    d.write("long.jsonl", &rows);
    // The rulebooks that enable the most core rules between them.
    for book in ["general", "sales", "follow-up", "networking"] {
        let run = d.run(&["check", "-r", book, "--format", "json", "long.jsonl"], "");
        let json = run.json();
        assert_eq!(json["errors"], serde_json::json!([]), "rulebook {book}");
        let per_rule_note = json["findings"].as_array().unwrap().iter().fold(
            std::collections::HashMap::new(),
            |mut m, f| {
                *m.entry((f["row"].as_u64(), f["rule"].as_str().unwrap().to_owned()))
                    .or_insert(0) += 1;
                m
            },
        );
        assert!(per_rule_note.values().all(|&n| n <= 101), "rulebook {book}");
    }
}

/// Rulebooks and configs are read with a bound too: a rulebook that is
/// `/dev/zero` gets a diagnostic instead of filling memory.
#[cfg(unix)]
#[test]
fn rulebook_and_config_reads_are_bounded() {
    let d = Dir::new();
    d.write("tact.toml", "rulebooks = [\"rulebooks\"]\n");
    std::fs::create_dir_all(d.path().join("rulebooks")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path().join("rulebooks/zero.toml")).unwrap();
    let run = d.run(&["check", "-r", "zero", "-"], "Hi Sam, great talk.");
    run.assert_code(2);
    assert!(run.stderr().contains("over 4 MiB"), "{}", run.stderr());
    let run = d.run(
        &["--config", "/dev/zero", "check", "-"],
        "Hi Sam, great talk.",
    );
    run.assert_code(2);
    assert!(run.stderr().contains("over 4 MiB"), "{}", run.stderr());
}

/// A rulebook can add phrases to a rule's triggers; thousands of them are
/// refused like thousands declared in the rule's metadata.
#[test]
fn rulebooks_adding_too_many_trigger_phrases_are_refused() {
    let d = Dir::new();
    d.write("tact.toml", "rulebooks = [\"rulebooks\"]\n");
    let phrases: Vec<String> = (0..5000).map(|i| format!("\"w{i}\"")).collect();
    d.write(
        "rulebooks/big.toml",
        &format!(
            "[rules]\nno-pitch = {{ level = \"error\", phrases = [{}] }}\n",
            phrases.join(",")
        ),
    );
    let run = d.run(&["check", "-r", "big", "-"], "Hi Sam, great talk.");
    run.assert_code(2);
    assert!(
        run.stderr().contains("5000 trigger phrases"),
        "{}",
        run.stderr()
    );
}
