//! What a rule author sees: scaffolds that work at once, and precise errors.

mod common;
use common::Dir;

#[test]
fn new_rule_passes_its_tests_and_checks_at_once() {
    let d = Dir::new();
    d.run(&["init"], "").assert_code(0);
    for kind in ["check", "rewrite", "phrases"] {
        let name = format!("team/my-{kind}");
        d.run(&["new", "rule", &name, "--kind", kind], "")
            .assert_code(0);
        let run = d.run(&["test", "--filter", &name], "");
        run.assert_code(0);
        assert!(
            run.stdout().contains("3 passed, 0 failed"),
            "{}",
            run.stdout()
        );
    }
    let check = d.run(&["check", "notes"], "");
    check.assert_code(0);
    assert!(
        check.stdout().contains("1 note checked"),
        "{}",
        check.stdout()
    );
    let again = d.run(&["new", "rule", "team/my-check"], "");
    again.assert_code(2);
    assert!(
        again.stderr().contains("not overwriting"),
        "{}",
        again.stderr()
    );
    let bad = d.run(&["new", "rule", "Bad Name"], "");
    bad.assert_code(2);
    assert!(bad.stderr().contains("kebab-case"), "{}", bad.stderr());
}

#[test]
fn bad_metadata_points_at_the_key() {
    let d = Dir::new();
    d.write("plugins/p/r.rhai", "//! A rule.\nfn meta() {\n    #{\n        level: \"loud\",\n    }\n}\nfn check(note, options) { [] }\n");
    let run = d.run(&["--plugins", "plugins", "rules"], "");
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains("unknown level `loud`") && err.contains("r.rhai:4:9"),
        "{err}"
    );
    d.write("plugins/p/r.rhai", "//! A rule.\nfn meta() { #{} }\n");
    let err = d.run(&["--plugins", "plugins", "rules"], "").stderr();
    assert!(
        err.contains("has no `check` function") && err.contains("fn check(note, options)"),
        "{err}"
    );
}

#[test]
fn explain_shows_docs_options_and_examples() {
    let d = Dir::new();
    let run = d.run(&["explain", "typography"], "");
    run.assert_code(0);
    let out = run.stdout();
    assert!(out.starts_with("# core/typography"), "{out}");
    assert!(
        out.contains("## Why") && out.contains("## Examples"),
        "{out}"
    );
    assert!(
        out.contains("Flagged:") && out.contains("Rewritten to:") && out.contains("Passes:"),
        "{out}"
    );
}

#[test]
fn new_rule_needs_a_plugin_folder_and_a_matching_pack() {
    let d = Dir::new();
    let run = d.run(&["new", "rule", "foo"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("no plugin folder") && run.stderr().contains("tact init"),
        "{}",
        run.stderr()
    );
    std::fs::create_dir_all(d.path().join("mydir")).unwrap();
    let run = d.run(&["new", "rule", "team/bar", "--dir", "mydir"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("holds pack `mydir`, not `team`"),
        "{}",
        run.stderr()
    );
    let run = d.run(&["new", "rule", "bar", "--dir", "mydir"], "");
    run.assert_code(0);
    assert!(
        run.stdout().contains("--filter mydir/bar"),
        "{}",
        run.stdout()
    );
    let test = d.run(&["test", "mydir", "--filter", "mydir/bar"], "");
    test.assert_code(0);
    assert!(
        test.stdout().contains("3 passed, 0 failed"),
        "{}",
        test.stdout()
    );
}
