//! The built-in pack's own test cases (`plugins/core/*.test.toml`) pass, as
//! run by `tact test` on the embedded copies, and every core rule has cases.

mod common;
use common::Dir;

#[test]
fn core_pack_cases_pass() {
    let d = Dir::new();
    let run = d.run(&["test"], "");
    let out = run.stdout();
    assert!(
        out.lines().any(|l| l.ends_with(" 0 failed")),
        "{out}\n{}",
        run.stderr()
    );
    assert!(
        !out.contains("no test cases"),
        "every rule needs test cases:\n{out}"
    );
    run.assert_code(0);
}

#[test]
fn a_failing_case_is_reported_with_a_diff_and_fails_the_run() {
    let d = Dir::new();
    d.write(
        "plugins/mine/shout.rhai",
        "//! Shouting.\nfn meta() { #{ level: \"warn\", triggers: [\"LOUD\"] } }\nfn check(note, options) {\n    note.find(\"loud\").map(|m| finding(m, \"no shouting\"))\n}\n",
    );
    d.write(
        "plugins/mine/shout.test.toml",
        "[[invalid]]\nnote = \"this is LOUD\"\nflagged = [\"LOUD\"]\n\n[[invalid]]\nnote = \"quiet\"\n\n[[valid]]\nnote = \"LOUD again\"\n",
    );
    let run = d.run(&["test", "plugins/mine"], "");
    run.assert_code(1);
    let out = run.stdout();
    assert!(
        out.contains("FAIL mine/shout invalid[2]") && out.contains("expected findings, found none"),
        "{out}"
    );
    assert!(
        out.contains("FAIL mine/shout valid[1]") && out.contains("\"LOUD\": no shouting"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 passed, 2 failed"), "{out}");
    let filtered = d.run(&["test", "plugins/mine", "--filter", "mine/shoot"], "");
    filtered.assert_code(2);
    assert!(
        filtered.stderr().contains("no rule matches `mine/shoot`")
            && filtered.stderr().contains("did you mean"),
        "{}",
        filtered.stderr()
    );
}
