//! Script-free phrase rules (`report` in `meta()`): the host reports each
//! phrase itself, and such a rule works everywhere a scripted one does.

mod common;
use common::Dir;

const BUZZ: &str = r#"//! Buzzwords that say nothing.
fn meta() {
    #{
        level: "warn",
        kind: "rewrite",
        options: #{ phrases: ["circle back", "synergy"] },
        trigger_options: ["phrases"],
        report: #{
            message: "\"{match}\" is a buzzword",
            help: "say what you mean instead of \"{match}\"",
            replace: "talk",
            safe: false,
        },
    }
}
"#;

fn project() -> Dir {
    let d = Dir::with_rule("buzz", BUZZ, "error");
    d.write(
        "notes/a.md",
        "Hi Sam, let's Circle Back on the synergy idea. No synergyism here.\n",
    );
    d
}

#[test]
fn a_report_rule_reports_every_phrase_with_its_message_and_fix() {
    let d = project();
    let r = d.run(&["check", "--format", "json", "notes/a.md"], "");
    r.assert_code(1);
    let json = r.json();
    let findings = json["findings"].as_array().unwrap().clone();
    let messages: Vec<&str> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    // Case as written, word-bounded ("synergyism" is not "synergy").
    assert_eq!(
        messages,
        ["\"Circle Back\" is a buzzword", "\"synergy\" is a buzzword"]
    );
    assert_eq!(findings[0]["level"], "error", "the rulebook's level");
    assert_eq!(
        findings[0]["help"],
        "say what you mean instead of \"Circle Back\""
    );
    // The replacement is unsafe: `--fix` leaves it, `--unsafe-fixes` applies it.
    d.run(&["check", "--fix", "notes/a.md"], "");
    assert!(d.read("notes/a.md").contains("Circle Back"));
    d.run(&["check", "--fix", "--unsafe-fixes", "notes/a.md"], "");
    assert_eq!(
        d.read("notes/a.md"),
        "Hi Sam, let's talk on the talk idea. No synergyism here.\n"
    );
}

#[test]
fn a_report_rule_is_explained_tested_and_configured_like_any_rule() {
    let d = project();
    d.write(
        "plugins/t/buzz.test.toml",
        "[[invalid]]\nnote = \"Let's circle back.\"\nflagged = [\"circle back\"]\n\n[[invalid]]\nnote = \"Let's leverage it.\"\noptions = { phrases = [\"leverage\"] }\ncount = 1\n\n[[valid]]\nnote = \"Let's talk next week.\"\n",
    );
    let t = d.run(&["test", "--filter", "t/buzz"], "");
    t.assert_code(0);
    assert!(t.stdout().contains("3 passed, 0 failed"), "{}", t.stdout());
    let e = d.run(&["explain", "t/buzz"], "");
    e.assert_code(0);
    assert!(
        e.stdout().contains("Buzzwords that say nothing"),
        "{}",
        e.stdout()
    );
    // A rulebook's phrases replace the defaults, as for a scripted rule.
    d.write(
        "rulebooks/t.toml",
        "[rules]\n\"t/buzz\" = { level = \"warn\", phrases = [\"leverage\"] }\n",
    );
    d.write("notes/a.md", "Hi Sam, let's leverage the synergy.\n");
    let r = d.run(&["check", "--format", "concise", "notes/a.md"], "");
    r.assert_code(0);
    assert_eq!(r.stdout().matches("t/buzz").count(), 1, "{}", r.stdout());
    assert!(r.stdout().contains("\"leverage\""), "{}", r.stdout());
}

#[test]
fn a_report_rule_with_a_script_or_without_phrases_is_refused() {
    let d = project();
    let refused = |source: &str, want: &str| {
        d.write("plugins/t/buzz.rhai", source);
        let r = d.run(&["rules"], "");
        r.assert_code(2);
        assert!(r.stderr().contains(want), "{}", r.stderr());
    };
    refused(
        &format!("{BUZZ}fn check(note, options) {{ [] }}\n"),
        "never called",
    );
    refused(
        &BUZZ.replace("trigger_options: [\"phrases\"],", ""),
        "`trigger_options`",
    );
    refused(&BUZZ.replace("kind: \"rewrite\",", ""), "proposes an edit");
    refused(&BUZZ.replace("message:", "mesage:"), "`mesage`");
    refused(
        &BUZZ.replace(
            "trigger_options: [\"phrases\"],",
            "trigger_options: [\"phrases\"], opening_options: [\"phrases\"],",
        ),
        "`opening_options` needs `check`",
    );
}

#[test]
fn a_body_report_fires_once_wherever_its_gates_let_it_run() {
    let d = project();
    d.write(
        "plugins/t/terse.rhai",
        "//! Too short to say anything.\nfn meta() {\n    #{\n        options: #{ min: 5 },\n        when: [\"words > 0 && words < min\"],\n        report: #{ at: \"body\", message: \"say more\" },\n    }\n}\n",
    );
    d.write("rulebooks/t.toml", "[rules]\n\"t/terse\" = \"warn\"\n");
    d.write("notes/a.md", "\n  Hi Sam!  \n");
    d.write("notes/b.md", "Hi Sam, I liked your talk on pricing.\n");
    let r = d.run(&["check", "--format", "json", "notes"], "");
    r.assert_code(0);
    let json = r.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["file"], "notes/a.md");
    assert_eq!(findings[0]["text"], "Hi Sam!", "the trimmed body");
    assert_eq!(findings[0]["message"], "say more");
    // Options reach the gate: a rulebook's `min` changes where it fires.
    d.write(
        "rulebooks/t.toml",
        "[rules]\n\"t/terse\" = { level = \"warn\", min = 20 }\n",
    );
    let r = d.run(&["check", "--format", "concise", "notes"], "");
    assert_eq!(r.stdout().matches("t/terse").count(), 2, "{}", r.stdout());
    d.write(
        "plugins/t/terse.rhai",
        "//! Too short.\nfn meta() { #{ kind: \"rewrite\", report: #{ at: \"body\", message: \"m\", replace: \"x\" } } }\n",
    );
    let r = d.run(&["rules"], "");
    r.assert_code(2);
    assert!(r.stderr().contains("not with `at"), "{}", r.stderr());
}
