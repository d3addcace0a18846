//! `tact check --timings`: what each rule cost, on stderr, without changing
//! the output or the exit status.

mod common;
use common::Dir;

#[test]
fn timings_name_every_called_rule_with_its_calls_and_leave_output_alone() {
    let d = Dir::with_test_pack();
    d.write("notes/a.md", "Hi Sam,\nmaybe this is LOUD.\n");
    d.write("notes/b.md", "Hi Sam, all is LOUD here.\n");
    d.write("notes/c.md", "Hi Sam, all is well here.\n");
    let plain = d.run(&["check", "--format", "json", "notes"], "");
    let timed = d.run(&["check", "--format", "json", "--timings", "notes"], "");
    assert_eq!(plain.code(), timed.code());
    assert_eq!(plain.stdout(), timed.stdout());
    let err = timed.stderr();
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("rule"), "{err}");
    let calls = |rule: &str| -> u64 {
        let line = lines
            .iter()
            .find(|l| l.starts_with(rule))
            .unwrap_or_else(|| panic!("no row for {rule}: {err}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    // `t/shout` triggers on capitals: called on the two loud notes only.
    assert_eq!(calls("t/shout"), 2, "{err}");
    assert!(err.contains("3 notes checked"), "{err}");
    assert!(plain.stderr().is_empty(), "{}", plain.stderr());
}
