//! A fuzz harness run by `cargo test` with a fixed budget: generated note
//! files, front matter, JSONL/CSV rows, rulebooks and `tact.toml`, each
//! checked by the real binary, which must never panic and must exit 0, 1 or
//! 2. The reproducers of issue 10 are its seed corpus, run every time.

mod common;

use common::{Dir, Run};
use proptest::prelude::*;

/// Cases per generated kind: the budget (each case runs the binary once).
const CASES: u32 = 16;

#[track_caller]
fn assert_sane(run: &Run, what: &str) {
    let code = run.code();
    let err = run.stderr();
    assert!(matches!(code, 0..=2), "{what}: exit {code}\nstderr:\n{err}");
    assert!(
        !err.contains("stopped unexpectedly") && !err.contains("panicked"),
        "{what}: a panic\nstderr:\n{err}"
    );
}

/// Fragments of notes, front matter, rows, rulebooks and configs, valid and
/// broken, that the audit found tact handling badly.
fn fragment() -> impl Strategy<Value = String> {
    const FIXED: &[&str] = &[
        "+++\n",
        "\n",
        "\r\n",
        "to = \"Riya Sharma\"\n",
        "to = 42\n",
        "goal = \"sales\"\n",
        "goall = \"sales\"\n",
        "followup = \"maybe\"\n",
        "channel = \"message\"\n",
        "[context]\ncompany = \"Acme\"\n",
        "allow = [\"core/length\"]\n",
        "Hi Riya, ",
        "Hi Nguyen, ",
        "Dear Sir/Madam, ",
        "{first_name} ",
        "[Name] ",
        "I'm sorry to bother you. ",
        "can we schedule a quick call for a demo? ",
        "u r gr8 ",
        "a , ",
        "? ",
        "https://x.io ",
        "\"",
        ",",
        "{",
        "}",
        "\u{feff}",
        "Nguyễn Đặng Thảo ",
        "🙂",
        "\u{0}",
    ];
    prop_oneof![
        3 => prop::sample::select(FIXED).prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
    ]
}

/// Text made of fragments, sometimes with one repeated to near the size caps.
fn text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(fragment(), 0..40),
        fragment(),
        prop_oneof![Just(0usize), Just(1), 1000..9000usize],
    )
        .prop_map(|(parts, rep, n)| {
            let mut t = parts.concat();
            t.push_str(&rep.repeat(n).chars().take(16_000).collect::<String>());
            t
        })
}

fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        text().prop_map(|t| serde_json::to_string(&t).unwrap()),
        Just("42".to_owned()),
        Just("12345678901234567890123".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("[\"core/length\"]".to_owned()),
        Just("{\"company\":\"Acme\"}".to_owned()),
        Just("\"maybe\"".to_owned()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("text"),
        Just("message"),
        Just("request"),
        Just("to"),
        Just("goal"),
        Just("goall"),
        Just("followup"),
        Just("channel"),
        Just("account"),
        Just("allow"),
        Just("context"),
        Just("context.company"),
        Just("id"),
        Just("verdict"),
        Just("Score1"),
        Just("tag"),
    ]
    .prop_map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_note_files(body in text(), fix in any::<bool>()) {
        let d = Dir::new();
        d.write("n.md", &body);
        let args: &[&str] = if fix { &["check", "--fix", "n.md"] } else { &["check", "n.md"] };
        assert_sane(&d.run(args, ""), "note file");
    }

    #[test]
    fn fuzz_jsonl_rows(rows in prop::collection::vec(prop::collection::vec((key(), json_value()), 0..6), 1..4), raw in text()) {
        let d = Dir::new();
        let mut file: String = rows
            .iter()
            .map(|r| {
                let fields: Vec<String> = r.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                format!("{{{}}}\n", fields.join(","))
            })
            .collect();
        file.push_str(&raw);
        d.write("b.jsonl", &file);
        assert_sane(&d.run(&["check", "--format", "json", "b.jsonl"], ""), "jsonl");
        assert_sane(&d.run(&["check", "--fix", "--output", "out.jsonl", "b.jsonl"], ""), "jsonl fix");
    }

    #[test]
    fn fuzz_csv_rows(header in prop::collection::vec(key(), 1..5), cells in prop::collection::vec(text(), 0..8)) {
        let d = Dir::new();
        let mut file = header.join(",");
        file.push('\n');
        for row in cells.chunks(header.len()) {
            file.push_str(&row.join(","));
            file.push('\n');
        }
        d.write("b.csv", &file);
        assert_sane(&d.run(&["check", "--format", "sarif", "b.csv"], ""), "csv");
        assert_sane(&d.run(&["check", "--fix", "--output", "out.csv", "b.csv"], ""), "csv fix");
    }

    #[test]
    fn fuzz_rulebooks_and_configs(book in text(), config in text(), note in text()) {
        let d = Dir::new();
        d.write("tact.toml", &format!("rulebooks = [\"rulebooks\"]\n{config}"));
        d.write("rulebooks/x.toml", &format!("extends = [\"base\"]\n[rules]\n{book}"));
        d.write("n.md", &note);
        assert_sane(&d.run(&["check", "-r", "x", "n.md"], ""), "rulebook");
        assert_sane(&d.run(&["rulebooks", "x"], ""), "rulebooks");
    }
}

/// The reproducers of issue 10, the harness's seed corpus.
#[test]
fn fuzz_seed_corpus_of_issue_10() {
    let spaces = " ".repeat(70_000);
    let d = Dir::new();
    d.write(
        "tact.toml",
        &format!("rulebooks = [\"rulebooks\"]\ndefault_rulebook = {spaces}5\n"),
    );
    d.write("n.md", "Hi Sam, your talk on pricing was great.");
    assert_sane(&d.run(&["check", "n.md"], ""), "wide tact.toml");

    let d = Dir::new();
    d.write("tact.toml", "rulebooks = [\"rulebooks\"]\n");
    d.write(
        "rulebooks/wide.toml",
        &format!("[rules]\nlength = {{{spaces}nosuch = 1 }}\n"),
    );
    d.write("n.md", "Hi Sam, your talk on pricing was great.");
    assert_sane(
        &d.run(&["check", "-r", "wide", "n.md"], ""),
        "wide rulebook",
    );

    let d = Dir::new();
    d.write("tact.toml", "plugins = [\"plugins\"]\n");
    d.write(
        "plugins/acme/length.rhai",
        "//! Team.\nfn meta() { #{ level: \"warn\" } }\nfn check(note, options) { [] }\n",
    );
    d.write("n.md", "Hi Sam, your talk on pricing was great.");
    let run = d.run(&["check", "n.md"], "");
    assert_sane(&run, "team length");

    let d = Dir::new();
    for (i, (pat, n)) in [
        ("u ", 8000),
        ("? ", 8000),
        ("a  ", 5000),
        ("a , ", 4000),
        ("{x} ", 4000),
        ("[Name] ", 2000),
        ("demo ", 3000),
        ("I'm sorry to bother you. ", 640),
    ]
    .into_iter()
    .enumerate()
    {
        d.write(&format!("n{i}.txt"), &pat.repeat(n));
    }
    let run = d.run(&["check", "."], "");
    assert_sane(&run, "core rules on long notes");
    assert!(
        !run.stderr().contains("tact::rule::failed"),
        "{}",
        run.stderr()
    );

    let d = Dir::new();
    d.write(
        "b.jsonl",
        "{\"goall\":\"sales\",\"text\":\"Hi\"}\n{\"followup\":\"maybe\",\"text\":\"Hi\"}\n{\"to\":42,\"text\":\"Hi\"}\n{\"id\":12345678901234567890123,\"message\":\"Hi {first_name},  I saw your talk at the Ops Summit , and I would be glad to connect here.\",\"to\":\"Dana Whitfield\"}\r\n",
    );
    assert_sane(
        &d.run(&["check", "--fix", "--output", "out.jsonl", "b.jsonl"], ""),
        "batch fix",
    );
    d.write("b.csv", "id,text\n1,\"unbalanced\n2,Hi Sam great talk\n");
    assert_sane(
        &d.run(&["check", "--format", "json", "b.csv"], ""),
        "csv quote",
    );
    #[cfg(unix)]
    assert_sane(&d.run(&["check", "/dev/zero"], ""), "/dev/zero");
}
