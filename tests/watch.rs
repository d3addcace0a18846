//! `tact watch` end to end: the real binary watches a temporary project while
//! the tests save rules, rulebooks, config and notes the ways editors do, and
//! read its JSON events. Waits have a generous deadline; no sleep is an
//! assertion.

use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);

/// A rule flagging `word`, whose message starts with `tag`.
fn rule(word: &str, tag: &str) -> String {
    format!(
        r#"//! Flags "{word}".
fn meta() {{
    #{{ level: "warn", kind: "check", options: #{{}} }}
}}

fn check(note, options) {{
    let found = [];
    for m in note.find(["{word}"]) {{
        found.push(finding(m, "{tag}: {word}"));
    }}
    found
}}
"#
    )
}

fn rulebook(shout_level: &str) -> String {
    format!(
        "name = \"general\"\n[rules]\n\"local/shout\" = \"{shout_level}\"\n\"local/polite\" = \"warn\"\n"
    )
}

/// One update: `reloaded`, its `error` events, then `results`.
#[derive(Debug)]
struct Cycle {
    reloaded: Value,
    errors: Vec<Value>,
    results: Value,
}

impl Cycle {
    /// (rule, level, message) of each finding in `file`, or `None` when the
    /// update has no fresh results for it.
    fn findings(&self, file: &str) -> Option<Vec<(String, String, String)>> {
        let files = self.results["files"].as_array()?;
        let entry = files.iter().find(|f| f["file"] == file)?;
        Some(
            entry["findings"]
                .as_array()?
                .iter()
                .map(|f| (s(&f["rule"]), s(&f["level"]), s(&f["message"])))
                .collect(),
        )
    }

    fn messages(&self, file: &str) -> Option<Vec<String>> {
        self.findings(file)
            .map(|fs| fs.into_iter().map(|f| f.2).collect())
    }

    fn error_with(&self, code: &str) -> Option<&Value> {
        self.errors.iter().find(|e| e["code"] == code)
    }

    fn summary(&self, key: &str) -> u64 {
        self.results["summary"][key].as_u64().unwrap_or(u64::MAX)
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A running `tact watch --format json` over `notes/` in a temporary project.
struct Watch {
    dir: tempfile::TempDir,
    child: Child,
    events: Receiver<Value>,
    seen: Vec<Cycle>,
}

impl Watch {
    fn start(setup: impl FnOnce(&Path)) -> Watch {
        Watch::start_in(setup, ".", &["notes"])
    }

    /// Watches `paths` from the folder `cwd` (relative to the project).
    fn start_in(setup: impl FnOnce(&Path), cwd: &str, paths: &[&str]) -> Watch {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["plugins/local", "rulebooks", "notes"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(
            root.join("tact.toml"),
            "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
        )
        .unwrap();
        fs::write(root.join("plugins/local/shout.rhai"), rule("hello", "v1")).unwrap();
        fs::write(root.join("rulebooks/general.toml"), rulebook("warn")).unwrap();
        fs::write(
            root.join("notes/a.txt"),
            "hello there, I would like to connect.\n",
        )
        .unwrap();
        setup(root);
        let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
            .arg("watch")
            .args(paths)
            .args(["--format", "json", "--debounce", "30"])
            .current_dir(root.join(cwd))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                fs::File::create(root.join("stderr.txt")).unwrap(),
            ))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Watch {
            dir,
            child,
            events,
            seen: vec![],
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        fs::write(self.path(rel), text).unwrap();
    }

    fn next_event(&self, deadline: Instant) -> Value {
        match self
            .events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!(
                "no event before the deadline; seen: {:#?}\nstderr: {}",
                self.seen,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "tact watch exited; seen: {:#?}\nstderr: {}",
                self.seen,
                self.stderr()
            ),
        }
    }

    fn stderr(&self) -> String {
        fs::read_to_string(self.path("stderr.txt")).unwrap_or_default()
    }

    /// Reads updates until one satisfies `done`; panics after the deadline.
    fn wait(&mut self, what: &str, done: impl Fn(&Cycle) -> bool) -> usize {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let reloaded = self.next_event(deadline);
            assert_eq!(
                reloaded["event"], "reloaded",
                "an update starts with `reloaded`: {reloaded}"
            );
            let mut errors = vec![];
            let results = loop {
                let e = self.next_event(deadline);
                match e["event"].as_str() {
                    Some("error") => errors.push(e),
                    Some("results") => break e,
                    _ => panic!("unexpected event inside an update: {e}"),
                }
            };
            assert_eq!(
                reloaded["errors"].as_u64(),
                Some(errors.len() as u64),
                "`errors` counts the error events"
            );
            self.seen.push(Cycle {
                reloaded,
                errors,
                results,
            });
            if done(self.seen.last().unwrap()) {
                return self.seen.len() - 1;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for: {what}; seen: {:#?}",
                self.seen
            );
        }
    }

    fn last(&self) -> &Cycle {
        self.seen.last().unwrap()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const A: &str = "notes/a.txt";

#[test]
fn rule_saves_of_every_kind_reload_the_rule() {
    let mut w = Watch::start(|_| {});
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    let first = w.last();
    assert_eq!(first.messages(A), Some(vec!["v1: hello".to_owned()]));
    // The rulebook names `local/polite`, which does not exist yet: shown, and skipped.
    let unknown = first
        .error_with("tact::rulebook::unknown-rule")
        .expect("unknown rule reported");
    assert!(s(&unknown["message"]).contains("local/polite"), "{unknown}");
    assert_eq!(unknown["kept"], true);

    // Written in place.
    w.write("plugins/local/shout.rhai", &rule("hello", "v2"));
    w.wait("in-place edit", |c| {
        c.messages(A) == Some(vec!["v2: hello".into()])
    });
    assert_eq!(
        w.last().reloaded["rules"],
        serde_json::json!(["local/shout"])
    );
    assert!(
        s(&w.last().reloaded["changed"][0]).ends_with("shout.rhai"),
        "{}",
        w.last().reloaded
    );

    // Written to a temporary file, renamed over the rule (vim, VS Code, JetBrains).
    w.write("plugins/local/shout.rhai.tmp", &rule("hello", "v3"));
    fs::rename(
        w.path("plugins/local/shout.rhai.tmp"),
        w.path("plugins/local/shout.rhai"),
    )
    .unwrap();
    w.wait("rename-over", |c| {
        c.messages(A) == Some(vec!["v3: hello".into()])
    });
    // And again: a watch on the file itself would have died with the first rename.
    w.write("plugins/local/shout.rhai.tmp", &rule("hello", "v4"));
    fs::rename(
        w.path("plugins/local/shout.rhai.tmp"),
        w.path("plugins/local/shout.rhai"),
    )
    .unwrap();
    w.wait("second rename-over", |c| {
        c.messages(A) == Some(vec!["v4: hello".into()])
    });

    // Deleted: the rule disappears from the results; the rulebook naming it is reported.
    fs::remove_file(w.path("plugins/local/shout.rhai")).unwrap();
    w.wait("rule deleted", |c| c.messages(A) == Some(vec![]));
    assert_eq!(
        w.last().reloaded["rules"],
        serde_json::json!(["local/shout"])
    );
    assert!(
        w.last()
            .errors
            .iter()
            .any(|e| s(&e["message"]).contains("local/shout")),
        "{:#?}",
        w.last().errors
    );

    // Re-created.
    w.write("plugins/local/shout.rhai", &rule("hello", "v5"));
    w.wait("rule re-created", |c| {
        c.messages(A) == Some(vec!["v5: hello".into()])
    });
    assert!(
        !w.last()
            .errors
            .iter()
            .any(|e| s(&e["message"]).contains("local/shout")),
        "{:#?}",
        w.last().errors
    );

    // Deleted and re-created at once.
    fs::remove_file(w.path("plugins/local/shout.rhai")).unwrap();
    w.write("plugins/local/shout.rhai", &rule("hello", "v6"));
    w.wait("delete + re-create", |c| {
        c.messages(A) == Some(vec!["v6: hello".into()])
    });

    // A new rule file: it appears, and its error goes away.
    w.write("plugins/local/polite.rhai", &rule("connect", "new"));
    w.wait("new rule", |c| {
        c.messages(A) == Some(vec!["v6: hello".into(), "new: connect".into()])
    });
    assert!(w.last().errors.is_empty(), "{:#?}", w.last().errors);
    assert_eq!(
        w.last().reloaded["rules"],
        serde_json::json!(["local/polite"])
    );
}

#[test]
fn a_broken_rule_keeps_its_last_good_version_until_fixed() {
    let mut w = Watch::start(|root| {
        fs::write(
            root.join("plugins/local/polite.rhai"),
            rule("connect", "p1"),
        )
        .unwrap()
    });
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    assert_eq!(
        w.last().messages(A),
        Some(vec!["v1: hello".into(), "p1: connect".into()])
    );
    assert!(w.last().errors.is_empty(), "{:#?}", w.last().errors);

    // Editor droppings beside the rule change nothing.
    w.write("plugins/local/4913", "");
    w.write("plugins/local/.shout.rhai.swp", "swap");
    w.write("plugins/local/shout.rhai~", "backup");
    w.write("plugins/local/.#shout.rhai", "lock");

    // A syntax error: an error event with the position, the old rule still runs.
    w.write("plugins/local/shout.rhai", "//! Broken.\nfn meta( {\n");
    let at = w.wait("syntax error", |c| {
        c.error_with("tact::plugin::syntax").is_some()
    });
    let cycle = &w.seen[at];
    let err = cycle.error_with("tact::plugin::syntax").unwrap();
    assert!(s(&err["file"]).ends_with("shout.rhai"), "{err}");
    assert_eq!(err["start"]["line"], 2, "{err}");
    assert_eq!(err["start"]["column"], 10, "{err}");
    assert_eq!(err["kept"], true, "{err}");
    assert_eq!(
        cycle.summary("warnings"),
        2,
        "the old results stand: {}",
        cycle.results
    );
    assert_eq!(
        cycle.findings(A),
        None,
        "nothing was re-checked: {}",
        cycle.results
    );

    // Other rules still reload meanwhile, run with the last good `shout`.
    w.write("plugins/local/polite.rhai", &rule("connect", "p2"));
    w.wait("other rule edited", |c| {
        c.messages(A) == Some(vec!["v1: hello".into(), "p2: connect".into()])
    });
    assert!(
        w.last().error_with("tact::plugin::syntax").is_some(),
        "the error stays until fixed"
    );

    // A rule with no `check` is a load error too.
    w.write(
        "plugins/local/shout.rhai",
        "fn meta() { #{ level: \"warn\", kind: \"check\", options: #{} } }\n",
    );
    w.wait("missing check", |c| {
        c.error_with("tact::plugin::no-check").is_some()
    });
    assert!(w.last().error_with("tact::plugin::syntax").is_none());

    // Fixed: fresh results replace the old ones, the error is gone.
    w.write("plugins/local/shout.rhai", &rule("hello", "v2"));
    w.wait("fixed", |c| {
        c.messages(A) == Some(vec!["v2: hello".into(), "p2: connect".into()])
    });
    assert!(w.last().errors.is_empty(), "{:#?}", w.last().errors);

    for c in &w.seen {
        for changed in c.reloaded["changed"].as_array().unwrap() {
            let name = s(changed);
            assert!(
                !name.contains("4913")
                    && !name.contains(".swp")
                    && !name.ends_with('~')
                    && !name.contains(".#"),
                "{name}"
            );
        }
    }
}

#[test]
fn rulebook_config_and_note_changes() {
    let mut w = Watch::start(|root| {
        fs::write(
            root.join("plugins/local/polite.rhai"),
            rule("connect", "p1"),
        )
        .unwrap();
        fs::write(
            root.join("notes/b.txt"),
            "Hi Sam, good talk on pricing pages.\n",
        )
        .unwrap();
    });
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    assert_eq!(w.last().findings("notes/b.txt"), Some(vec![]));
    assert_eq!(w.last().summary("notes"), 2);

    // A rulebook level changes: the notes checked with it are re-checked.
    w.write("rulebooks/general.toml", &rulebook("error"));
    w.wait("level changed", |c| {
        c.findings(A)
            .is_some_and(|f| f.iter().any(|f| f.0 == "local/shout" && f.1 == "error"))
    });
    assert_eq!(
        w.last().reloaded["rulebooks"],
        serde_json::json!(["general"])
    );

    // A broken rulebook: error with its position, the last good one still runs.
    w.write("rulebooks/general.toml", "name = \"general\"\n[rules\n");
    w.wait("broken rulebook", |c| {
        c.error_with("tact::rulebook::syntax").is_some()
    });
    let err = w.last().error_with("tact::rulebook::syntax").unwrap();
    assert_eq!(err["start"]["line"], 2, "{err}");
    assert_eq!(err["kept"], true, "{err}");
    assert_eq!(w.last().summary("errors"), 1, "{}", w.last().results);

    // Fixed by a rename-over.
    w.write("rulebooks/general.toml.new", &rulebook("info"));
    fs::rename(
        w.path("rulebooks/general.toml.new"),
        w.path("rulebooks/general.toml"),
    )
    .unwrap();
    w.wait("rulebook fixed", |c| {
        c.findings(A)
            .is_some_and(|f| f.iter().any(|f| f.0 == "local/shout" && f.1 == "info"))
    });
    assert!(w.last().errors.is_empty(), "{:#?}", w.last().errors);

    // A note edited: only that note is re-checked.
    w.write("notes/b.txt", "Hi Sam, hello from the pricing talk.\n");
    w.wait("note edited", |c| {
        c.messages("notes/b.txt") == Some(vec!["v1: hello".into()])
    });
    assert_eq!(
        w.last().findings(A),
        None,
        "a.txt was not re-checked: {}",
        w.last().results
    );
    assert_eq!(w.last().reloaded["notes_checked"], 1);

    // A note added, then removed.
    w.write("notes/c.md", "hello hello\n");
    w.wait("note added", |c| {
        c.findings("notes/c.md").is_some_and(|f| f.len() == 2)
    });
    fs::remove_file(w.path("notes/c.md")).unwrap();
    w.wait("note removed", |c| {
        c.results["removed"] == serde_json::json!(["notes/c.md"])
    });
    assert_eq!(w.last().summary("notes"), 2);

    // tact.toml broken: the old config stays; fixed with another rulebook folder.
    w.write("tact.toml", "plugins = [\"plugins\"\n");
    w.wait("broken config", |c| {
        c.error_with("tact::config::syntax").is_some()
    });
    fs::create_dir_all(w.path("books2")).unwrap();
    w.write(
        "books2/general.toml",
        "name = \"general\"\n[rules]\n\"local/polite\" = \"error\"\n",
    );
    w.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"books2\"]\n",
    );
    w.wait("config fixed", |c| {
        c.reloaded["config"] == true && c.messages(A) == Some(vec!["p1: connect".into()])
    });
    assert!(w.last().errors.is_empty(), "{:#?}", w.last().errors);
    // The new rulebook folder is watched.
    w.write(
        "books2/general.toml",
        "name = \"general\"\n[rules]\n\"local/shout\" = \"error\"\n",
    );
    w.wait("new rulebook folder watched", |c| {
        c.messages(A) == Some(vec!["v1: hello".into()])
    });
}

#[test]
fn human_output_has_a_status_line_per_update() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("notes")).unwrap();
    fs::write(root.join("tact.toml"), "").unwrap();
    fs::write(
        root.join("notes/a.txt"),
        "Hi, can we schedule a quick call this week?\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args([
            "watch",
            "notes",
            "--rulebook",
            "sales",
            "--debounce",
            "30",
            "--color",
            "never",
        ])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + DEADLINE;
    let mut screen = String::new();
    let read_until_status = |screen: &mut String| loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no status line in: {screen}"));
        screen.push_str(&line);
        screen.push('\n');
        if line.starts_with("── ") {
            return line;
        }
    };
    let status = read_until_status(&mut screen);
    assert!(
        status.contains("started") && status.contains("Ctrl-C"),
        "{status}"
    );
    assert!(
        screen.contains("core/no-pitch") && screen.contains("quick call"),
        "{screen}"
    );
    fs::write(
        root.join("notes/a.txt"),
        "Hi Sam, I enjoyed your talk on pricing pages.\n",
    )
    .unwrap();
    let status = read_until_status(&mut screen);
    assert!(
        status.contains("changed notes/a.txt") && status.contains("1 note checked"),
        "{status}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// `tact watch` and `tact check` agree on which notes they read (a hidden
/// file and a git-ignored note are skipped by both) and on every finding,
/// on the shipped examples and on a batch with channels.
#[test]
fn watch_and_check_agree_on_notes_and_findings() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut w = Watch::start(|root| {
        fs::write(
            root.join("rulebooks/general.toml"),
            "name = \"general\"\nextends = [\"base\"]\n[rules]\n\"local/shout\" = \"warn\"\n",
        )
        .unwrap();
        for e in fs::read_dir(&examples).unwrap().flatten() {
            if e.path()
                .extension()
                .is_some_and(|x| x == "md" || x == "txt")
            {
                fs::copy(e.path(), root.join("notes").join(e.file_name())).unwrap();
            }
        }
        fs::write(
            root.join("notes/.hidden.md"),
            "hello, can we hop on a quick call?",
        )
        .unwrap();
        fs::write(root.join(".gitignore"), "ignored.md\n").unwrap();
        fs::write(
            root.join("notes/ignored.md"),
            "hello, can we hop on a quick call?",
        )
        .unwrap();
        fs::write(
            root.join("notes/batch.jsonl"),
            "{\"text\":\"hello Sam, can we schedule a quick call this week? https://cal.com/x\"}\n\
             {\"channel\":\"message\",\"text\":\"hello Sam, thanks for connecting. Here is the guide: https://example.com/g\"}\n\
             {\"goal\":\"sales\",\"text\":\"I have a solution for you. Want it?\"}\n",
        )
        .unwrap();
    });
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    let key = |f: &Value| {
        (
            s(&f["file"]),
            f["row"].as_u64(),
            s(&f["rule"]),
            f["span"]["start"].as_u64(),
            f["span"]["end"].as_u64(),
            s(&f["level"]),
        )
    };
    let mut watched: Vec<_> = w.last().results["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|file| file["findings"].as_array().unwrap().iter().map(key))
        .collect();
    let files: Vec<String> = w.last().results["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| s(&f["file"]))
        .collect();
    let check = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["check", "--format", "json", "notes"])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&check.stdout).unwrap();
    let mut checked: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    watched.sort();
    checked.sort();
    assert!(
        !files
            .iter()
            .any(|f| f.contains("hidden") || f.contains("ignored")),
        "{files:?}"
    );
    assert!(
        !checked
            .iter()
            .any(|k| k.0.contains("hidden") || k.0.contains("ignored"))
    );
    assert!(checked.len() > 20, "{checked:?}");
    assert!(checked.iter().any(|k| k.0.ends_with("batch.jsonl")));
    assert_eq!(watched, checked);
}

/// The entry of `file` in an update's `results`, when it has one.
fn entry(c: &Cycle, file: &str) -> Option<Value> {
    c.results["files"]
        .as_array()?
        .iter()
        .find(|f| f["file"] == file)
        .cloned()
}

fn batch_row(i: usize, word: &str) -> String {
    format!("{{\"id\":{i},\"text\":\"{word} there, this is note {i}.\"}}\n")
}

const B: &str = "notes/b.jsonl";

/// Issue 10 #14: a watched batch keeps a hash per row, so appending,
/// editing or deleting rows re-checks and re-sends only those rows (a
/// row-level entry: `rows` and `removed_rows`), never the whole batch.
#[test]
fn a_batch_resends_only_the_rows_that_changed() {
    let rows = |words: &[&str]| -> String {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| batch_row(i + 1, w))
            .collect()
    };
    let mut w = Watch::start(|root| {
        fs::write(root.join(B), rows(&["hello"; 5])).unwrap();
    });
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    let first = entry(w.last(), B).expect("the batch is sent whole at first");
    assert_eq!(first["notes"], 5, "{first}");
    assert!(first.get("rows").is_none(), "{first}");
    assert_eq!(first["findings"].as_array().unwrap().len(), 5, "{first}");
    assert_eq!(w.last().summary("warnings"), 6, "{}", w.last().results);

    // Appended: only row 6 is checked and sent.
    let mut f = fs::OpenOptions::new().append(true).open(w.path(B)).unwrap();
    std::io::Write::write_all(&mut f, batch_row(6, "hello").as_bytes()).unwrap();
    drop(f);
    w.wait("row appended", |c| entry(c, B).is_some());
    let e = entry(w.last(), B).unwrap();
    assert_eq!(e["rows"], serde_json::json!([6]), "{e}");
    assert_eq!(e["removed_rows"], serde_json::json!([]), "{e}");
    let found = e["findings"].as_array().unwrap();
    assert!(found.len() == 1 && found[0]["row"] == 6, "{e}");
    assert_eq!(e["notes"], 6, "{e}");
    assert_eq!(w.last().reloaded["notes_checked"], 1);
    assert_eq!(entry(w.last(), A), None, "a.txt is not sent again");
    assert_eq!(w.last().summary("notes"), 7);
    assert_eq!(w.last().summary("warnings"), 7);

    // Edited: row 3 no longer says hello; it alone is sent, with no findings.
    let mut words = vec!["hello"; 6];
    words[2] = "hi";
    w.write(B, &rows(&words));
    w.wait("row edited", |c| entry(c, B).is_some());
    let e = entry(w.last(), B).unwrap();
    assert_eq!(e["rows"], serde_json::json!([3]), "{e}");
    assert_eq!(e["findings"], serde_json::json!([]), "{e}");
    assert_eq!(w.last().reloaded["notes_checked"], 1);
    assert_eq!(w.last().summary("warnings"), 6);

    // Deleted: the last two rows go; nothing is checked.
    w.write(B, &rows(&words[..4]));
    w.wait("rows deleted", |c| entry(c, B).is_some());
    let e = entry(w.last(), B).unwrap();
    assert_eq!(e["rows"], serde_json::json!([]), "{e}");
    assert_eq!(e["removed_rows"], serde_json::json!([5, 6]), "{e}");
    assert_eq!(e["notes"], 4, "{e}");
    assert_eq!(w.last().reloaded["notes_checked"], 0);
    assert_eq!(w.last().summary("notes"), 5);
    assert_eq!(w.last().summary("warnings"), 4);

    // A rule change re-checks every row it affects, and says so.
    w.write("plugins/local/shout.rhai", &rule("hello", "v2"));
    w.wait("rule changed", |c| entry(c, B).is_some());
    let e = entry(w.last(), B).unwrap();
    let messages: Vec<String> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| s(&f["message"]))
        .collect();
    assert_eq!(messages, ["v2: hello"; 3], "{e}");
}

/// The human format prints what changed, not every note again.
#[test]
fn human_output_prints_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("notes")).unwrap();
    fs::write(root.join("tact.toml"), "").unwrap();
    let pitch = "Hi Sam, can we schedule a quick call this week?\n";
    fs::write(root.join("notes/a.txt"), pitch).unwrap();
    fs::write(root.join("notes/b.txt"), pitch).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["watch", "notes", "--rulebook", "sales", "--debounce", "30"])
        .args(["--color", "never"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + DEADLINE;
    let update = || {
        let mut screen = String::new();
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no status line in: {screen}"));
            screen.push_str(&line);
            screen.push('\n');
            if line.starts_with("── ") {
                return screen;
            }
        }
    };
    let first = update();
    assert!(
        first.contains("a.txt") && first.contains("b.txt"),
        "{first}"
    );
    fs::write(
        root.join("notes/a.txt"),
        "Hi Sam, can we hop on a quick call, or a demo?\n",
    )
    .unwrap();
    let second = update();
    assert!(
        second.contains("a.txt") && second.contains("quick call"),
        "{second}"
    );
    assert!(!second.contains("b.txt"), "b.txt did not change: {second}");
    assert!(
        second.contains("2 notes checked"),
        "the summary counts every note: {second}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn files_in(c: &Cycle) -> Vec<String> {
    c.results["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| s(&f["file"]))
        .collect()
}

/// A watched folder is walked as `tact check` walks it: default excludes
/// (README, docs/), `exclude` and `--exclude`, no contact lists, and no
/// notes of a nested project (a warning names it); files saved later are
/// filtered the same way.
#[test]
fn watch_walks_folders_with_checks_filter() {
    let setup = |root: &Path| {
        fs::write(
            root.join("tact.toml"),
            "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\nexclude = [\"notes/drafts/**\"]\n",
        )
        .unwrap();
        fs::write(
            root.join("rulebooks/general.toml"),
            "name = \"general\"\n[rules]\n\"local/shout\" = \"warn\"\n",
        )
        .unwrap();
        for d in ["notes/docs", "notes/drafts", "notes/team"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join("notes/README.md"), "hello readme").unwrap();
        fs::write(root.join("notes/docs/guide.md"), "hello docs").unwrap();
        fs::write(root.join("notes/drafts/d.md"), "hello draft").unwrap();
        fs::write(root.join("notes/contacts.csv"), "name,email\nhello,x@y.z\n").unwrap();
        fs::write(
            root.join("notes/leads.csv"),
            "name,message\nAnn,hello lead\n",
        )
        .unwrap();
        fs::write(root.join("notes/team/tact.toml"), "").unwrap();
        fs::write(root.join("notes/team/b.txt"), "hello team").unwrap();
        fs::write(root.join("notes/old.md"), "hello old").unwrap();
    };
    let mut w = Watch::start_in(setup, ".", &["notes", "--exclude", "old.md"]);
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    let mut files = files_in(w.last());
    files.sort();
    assert_eq!(files, ["notes/a.txt", "notes/leads.csv"]);
    let nested = w.last().error_with("tact::config::nested").cloned();
    let nested = nested.unwrap_or_else(|| panic!("{:#?}", w.last().errors));
    assert!(s(&nested["message"]).contains("team/tact.toml"), "{nested}");
    // `tact check` reads the same files (the nested project with its own config).
    let check = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["check", "--format", "json", "--exclude", "old.md", "notes"])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&check.stdout).unwrap();
    let mut checked: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| s(&f["file"]))
        .filter(|f| !f.starts_with("notes/team/"))
        .collect();
    checked.dedup();
    checked.sort();
    assert_eq!(checked, files);
    // Saved later: an excluded file is never checked; a note is.
    w.write("notes/docs/new.md", "hello new docs");
    w.write("notes/drafts/e.md", "hello new draft");
    w.write("notes/old.md", "hello old, saved again");
    w.write("notes/c.txt", "hello c");
    w.wait("the new note", |c| entry(c, "notes/c.txt").is_some());
    for c in &w.seen {
        for f in files_in(c) {
            assert!(
                !f.contains("docs")
                    && !f.contains("drafts")
                    && !f.contains("team")
                    && !f.contains("old"),
                "{f} was checked: {c:#?}"
            );
        }
    }
}

/// Watch finds its project as `tact check` does: the nearest `tact.toml`
/// above the watched paths, not the current folder's; `--config` forces one.
#[test]
fn watch_uses_the_project_of_its_paths() {
    let setup = |root: &Path| {
        fs::create_dir_all(root.join("elsewhere")).unwrap();
        fs::write(root.join("elsewhere/tact.toml"), "").unwrap();
    };
    let mut w = Watch::start_in(setup, "elsewhere", &["../notes"]);
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    assert_eq!(
        w.last().messages("../notes/a.txt"),
        Some(vec!["v1: hello".to_owned()]),
        "{:#?}",
        w.last()
    );
    drop(w);
    let mut w = Watch::start_in(setup, "elsewhere", &["--config", "tact.toml", "../notes"]);
    w.wait("the first check", |c| c.reloaded["initial"] == true);
    let messages = w.last().messages("../notes/a.txt").unwrap();
    assert!(
        !messages.iter().any(|m| m.starts_with("v1")),
        "{messages:?}"
    );
    drop(w);
    // Paths in two projects: a usage error naming both.
    let d = tempfile::tempdir().unwrap();
    for p in ["a", "b"] {
        fs::create_dir_all(d.path().join(p)).unwrap();
        fs::write(d.path().join(p).join("tact.toml"), "").unwrap();
        fs::write(d.path().join(p).join("n.txt"), "hello").unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["watch", "a", "b"])
        .current_dir(d.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("runs one project")
            && err.contains("a/tact.toml")
            && err.contains("b/tact.toml"),
        "{err}"
    );
}
