//! Hostile and broken plugins: each is reported with its position, the
//! healthy rules still check the note, tact exits 2 promptly and never panics.

mod common;
use common::Dir;
use std::time::{Duration, Instant};

const HEAD: &str = "fn meta() { #{ level: \"warn\" } }\n";

fn hostile_project() -> Dir {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    d.write(
        "plugins/evil/loop.rhai",
        &format!("//! Loops.\n{HEAD}fn check(note, options) {{\n    loop {{ }}\n}}\n"),
    );
    d.write(
        "plugins/evil/syntax.rhai",
        &format!("//! Broken.\n{HEAD}fn check(note, options) {{\n    let x = ;\n}}\n"),
    );
    d.write(
        "plugins/evil/boom.rhai",
        &format!("//! Throws.\n{HEAD}fn check(note, options) {{\n    throw \"boom\";\n}}\n"),
    );
    d.write("plugins/evil/huge.rhai", &format!("//! Grows.\n{HEAD}fn check(note, options) {{\n    let s = \"x\";\n    loop {{ s += s; }}\n}}\n"));
    d.write(
        "plugins/evil/deep.rhai",
        &format!(
            "//! Recurses.\n{HEAD}fn f(n) {{ f(n + 1) }}\nfn check(note, options) {{ f(0) }}\n"
        ),
    );
    d.write(
        "plugins/evil/shape.rhai",
        &format!("//! Wrong shape.\n{HEAD}fn check(note, options) {{ [42] }}\n"),
    );
    d.write(
        "plugins/evil/escape.rhai",
        &format!(
            "//! Escapes.\nimport \"../../secret\" as s;\n{HEAD}fn check(note, options) {{ [] }}\n"
        ),
    );
    d.write("secret.rhai", "fn x() { 1 }\n");
    d.write(
        "rulebooks/hostile.toml",
        "extends = [\"sales\"]\n[rules]\n\"evil/loop\" = \"warn\"\n\"evil/syntax\" = \"warn\"\n\"evil/boom\" = \"warn\"\n\"evil/huge\" = \"warn\"\n\"evil/deep\" = \"warn\"\n\"evil/shape\" = \"warn\"\n\"evil/escape\" = \"warn\"\n",
    );
    d
}

#[test]
fn hostile_rules_fail_alone_and_healthy_rules_still_run() {
    let d = hostile_project();
    let started = Instant::now();
    let run = d.run(
        &["check", "--rulebook", "hostile", "--format", "json", "-"],
        "Hi, can we schedule a quick call this week?",
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    run.assert_code(2);
    let json = run.json();
    // The healthy built-in rule still flagged the pitch.
    assert!(run.rules().contains(&"core/no-pitch".to_owned()), "{json}");
    let errors = json["errors"].as_array().unwrap();
    let find = |needle: &str| {
        errors
            .iter()
            .find(|e| e["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no error mentioning {needle:?} in {errors:#?}"))
    };
    let line_of = |e: &serde_json::Value| e["start"]["line"].as_u64().unwrap();
    assert_eq!(
        line_of(find("evil/syntax")),
        4,
        "syntax error points at `let x = ;`"
    );
    assert!(
        find("evil/loop")["message"]
            .as_str()
            .unwrap()
            .contains("too many operations")
    );
    assert_eq!(
        line_of(find("evil/boom")),
        4,
        "runtime error points at the throw"
    );
    assert!(
        find("evil/huge")["message"]
            .as_str()
            .unwrap()
            .contains("too large")
    );
    assert!(
        find("evil/deep")["message"]
            .as_str()
            .unwrap()
            .contains("too deeply")
    );
    assert!(
        find("evil/shape")["message"]
            .as_str()
            .unwrap()
            .contains("wrong shape")
    );
    assert!(
        find("evil/escape")["message"]
            .as_str()
            .unwrap()
            .contains("inside the rule's own pack")
    );
    for e in errors {
        assert!(
            e["file"].as_str().is_some_and(|f| f.ends_with(".rhai")),
            "every plugin error names its script: {e}"
        );
    }
}

#[test]
fn runtime_failure_names_the_note() {
    let d = hostile_project();
    d.write(
        "notes/a.txt",
        "Hi Sam, your talk on pricing was great. I'd like to connect.",
    );
    let run = d.run(&["check", "--rulebook", "hostile", "notes/a.txt"], "");
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("rule `evil/boom` failed on note `notes/a.txt`"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
}

#[test]
fn limits_are_adjustable_in_tact_toml() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n[limits]\noperations = 50\n",
    );
    d.write(
        "plugins/mine/count.rhai",
        &format!("//! Counts.\n{HEAD}fn check(note, options) {{\n    let n = 0;\n    for i in 0..100 {{ n += i; }}\n    []\n}}\n"),
    );
    d.write(
        "rulebooks/mine.toml",
        "[rules]\n\"mine/count\" = \"warn\"\n",
    );
    let run = d.run(&["check", "--rulebook", "mine", "-"], "Hi Sam, great talk.");
    run.assert_code(2);
    assert!(
        run.stderr().contains("too many operations"),
        "{}",
        run.stderr()
    );
}

/// Regression: on a long note (still under the 16 KiB input limit) the core
/// rules hit their operation limit (`contact-ask` was quadratic in its matches).
#[test]
fn core_rules_cope_with_the_longest_accepted_note() {
    let d = Dir::new();
    let note = format!("Hi Sam, {}", "could you send me your email? ".repeat(540));
    assert!(note.len() < 16 * 1024);
    let run = d.run(
        &["check", "--rulebook", "general", "--format", "json", "-"],
        &note,
    );
    run.assert_code(1);
    assert_eq!(
        run.json()["errors"].as_array().unwrap().len(),
        0,
        "{}",
        run.stdout()
    );
}

/// Regressions: each of these once aborted or hung the whole process.
#[test]
fn hostile_scripts_that_crashed_the_process_now_fail_alone() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\n",
    );
    // Nested maps thousands deep: Rhai clones them recursively.
    d.write(
        "plugins/evil/nest.rhai",
        &format!("//! Nests.\n{HEAD}fn check(note, options) {{\n    let m = #{{start: 0, end: 1}};\n    for i in 0..5000 {{ m = #{{span: m}}; }}\n    [#{{span: m, message: \"x\"}}]\n}}\n"),
    );
    // An import cycle inside one pack.
    d.write(
        "plugins/evil/lib/loop.rhai",
        "import \"lib/loop\" as l;\nfn x() { 1 }\n",
    );
    d.write("plugins/evil/cycle.rhai", &format!("//! Cycles.\n{HEAD}fn check(note, options) {{\n    import \"lib/loop\" as l;\n    []\n}}\n"));
    // Native work the operation count does not see.
    d.write(
        "plugins/evil/distance.rhai",
        &format!("//! Measures.\n{HEAD}fn check(note, options) {{\n    let a = \"a\"; let b = \"b\";\n    for i in 0..15 {{ a += a; b += b; }}\n    edit_distance(a, b);\n    []\n}}\n"),
    );
    d.write(
        "rulebooks/evil.toml",
        "extends = [\"sales\"]\n[rules]\n\"evil/nest\" = \"warn\"\n\"evil/cycle\" = \"warn\"\n\"evil/distance\" = \"warn\"\n",
    );
    let started = Instant::now();
    let run = d.run(
        &["check", "--rulebook", "evil", "--format", "json", "-"],
        "Hi, can we schedule a quick call this week?",
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    run.assert_code(2);
    assert!(
        run.rules().contains(&"core/no-pitch".to_owned()),
        "the healthy rules still ran: {}",
        run.stdout()
    );
    let errors = run.json()["errors"].to_string();
    for rule in ["evil/nest", "evil/cycle", "evil/distance"] {
        assert!(errors.contains(rule), "{rule} is reported: {errors}");
    }
    assert!(
        errors.contains("cycle") && errors.contains("too long"),
        "{errors}"
    );
}

/// Regression: a note starting with `Hİ` panicked in greeting detection
/// (lowercasing `İ` changes its byte length).
#[test]
fn unicode_case_changes_do_not_panic() {
    let d = Dir::new();
    let run = d.run(&["check", "--format", "json", "-"], "Hİ there, nice post.");
    assert!(matches!(run.code(), 0 | 1), "{}", run.stderr());
}
