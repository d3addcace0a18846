//! Snapshots of every output format for one note with a fixed rule pack, so
//! a change to what users or tools see is always a reviewed change.

mod common;
use common::Dir;

fn project() -> Dir {
    let d = Dir::with_test_pack();
    d.write(
        "note.md",
        "+++\nto = \"Sam Lee\"\n+++\nHi Sam,\nmaybe this is LOUD.\n",
    );
    d.write("rows.jsonl", "{\"id\": \"r1\", \"text\": \"so LOUD\"}\n");
    d
}

fn output(format: &str) -> String {
    let d = project();
    let run = d.run(&["check", "--format", format, "note.md", "rows.jsonl"], "");
    run.assert_code(1);
    run.stdout()
}

#[test]
fn human_format() {
    insta::assert_snapshot!(output("human"));
}

#[test]
fn json_format() {
    insta::assert_snapshot!(output("json"));
}

#[test]
fn github_format() {
    insta::assert_snapshot!(output("github"));
}

#[test]
fn sarif_format() {
    let out = output("sarif");
    let value: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn concise_format() {
    insta::assert_snapshot!(output("concise"));
}

#[test]
fn jsonl_format() {
    let out = output("jsonl");
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
    }
    insta::assert_snapshot!(out);
}

/// Parses a workflow command line the way the Actions runner does:
/// `::level key=value,…::message`, values unescaped.
fn parse_annotation(line: &str) -> (String, std::collections::BTreeMap<String, String>, String) {
    let unescape = |s: &str| {
        s.replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("a message");
    let (level, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_owned(), unescape(v))
        })
        .collect();
    (level.to_owned(), props, unescape(message))
}

#[test]
fn github_annotations_keep_columns_only_on_one_line_and_write_a_job_summary() {
    let d = project();
    d.write("multi, 100%.md", "Hi Sam,\nso LOUD\nmaybe\n");
    d.write("p/x.rhai", "//! Spans lines.\nfn meta() { #{ level: \"warn\", triggers: [\"maybe\"] } }\nfn check(note, options) { [finding([8, 20], \"two lines\")] }\n");
    let summary = d.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tact"))
        .args([
            "check",
            "--plugins",
            "p",
            "--extend-select",
            "p/x",
            "--format",
            "github",
            "multi, 100%.md",
            "rows.jsonl",
        ])
        .current_dir(d.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let annotations: Vec<_> = stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(parse_annotation)
        .collect();
    let two = annotations
        .iter()
        .find(|a| a.2 == "two lines")
        .expect("the multi-line finding");
    assert_eq!(two.1["file"], "multi, 100%.md");
    assert_eq!(
        (two.1["line"].as_str(), two.1["endLine"].as_str()),
        ("2", "3")
    );
    assert!(
        !two.1.contains_key("col") && !two.1.contains_key("endColumn"),
        "{two:?}"
    );
    let one = annotations
        .iter()
        .find(|a| a.1["file"] == "multi, 100%.md" && a.2 == "no shouting")
        .unwrap();
    assert_eq!(
        (
            one.0.as_str(),
            one.1["line"].as_str(),
            one.1["col"].as_str(),
            one.1["endColumn"].as_str()
        ),
        ("error", "2", "4", "8")
    );
    let row = annotations
        .iter()
        .find(|a| a.1["file"] == "rows.jsonl")
        .unwrap();
    assert_eq!((row.1["line"].as_str(), row.1.get("col")), ("1", None));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n## tact\n"), "appended: {md}");
    assert!(md.contains("| `t/shout` | error | 2 |"), "{md}");
    assert!(
        md.contains("| error | `rows.jsonl:1` | `t/shout` | no shouting |"),
        "{md}"
    );
}

#[test]
fn sarif_names_odd_paths_as_uri_references_and_describes_its_rules() {
    let d = project();
    d.write("notes dir/100% é #1.md", "so LOUD\n");
    d.write(
        "rows.jsonl",
        "{\"id\": \"r1\", \"text\": \"so LOUD\"}\nnot json\n",
    );
    let run = d.run(
        &["check", "--format", "sarif", "notes dir", "rows.jsonl"],
        "",
    );
    run.assert_code(2);
    let sarif = run.json();
    let r = &sarif["runs"][0];
    assert_eq!(r["columnKind"], "unicodeCodePoints");
    let uris: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        ["notes%20dir/100%25%20%C3%A9%20%231.md", "rows.jsonl"]
    );
    let batch = &r["results"][1];
    assert_eq!(
        batch["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 1, "endLine": 1, "snippet": {"text": "LOUD"}})
    );
    assert_eq!(
        batch["partialFingerprints"]["tact/v1"]
            .as_str()
            .map(str::len),
        Some(32)
    );
    let rule = &r["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "t/shout");
    assert_eq!(rule["shortDescription"]["text"], "Shouting.");
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("tact explain t/shout")
    );
    let bad = &r["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        bad["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

/// A rule's `helpUri` is its pack's `homepage`; a pack without one (core,
/// a plain plugin folder) gives none, and a bad one is refused on load.
#[test]
fn sarif_links_a_rule_to_its_packs_homepage_and_never_makes_one_up() {
    let d = project();
    d.write(
        "plugins/t/pack.toml",
        "name = \"t\"\nversion = \"1.0.0\"\ndescription = \"Test rules.\"\nhomepage = \"https://example.com/t/rules\"\ntact = \">=0.1\"\n",
    );
    d.write(
        "note.md",
        "Dear Sir, this is LOUD. Can we hop on a quick call?\n",
    );
    let run = d.run(
        &[
            "check",
            "--format",
            "sarif",
            "--extend-select",
            "core",
            "note.md",
        ],
        "",
    );
    run.assert_code(1);
    let sarif = run.json();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .clone();
    let link = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r.get("helpUri").cloned())
    };
    assert_eq!(
        link("t/shout"),
        Some(Some(serde_json::json!("https://example.com/t/rules")))
    );
    let core: Vec<_> = rules
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("core/"))
        .collect();
    assert!(!core.is_empty(), "{rules:?}");
    assert!(core.iter().all(|r| r.get("helpUri").is_none()), "{core:?}");
    d.write(
        "plugins/t/pack.toml",
        "name = \"t\"\nversion = \"1.0.0\"\ndescription = \"Test rules.\"\nhomepage = \"example.com/t\"\ntact = \">=0.1\"\n",
    );
    let run = d.run(&["check", "note.md"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("plugins/t/pack.toml")
            && run
                .stderr()
                .contains("homepage `example.com/t` is not a URI"),
        "{}",
        run.stderr()
    );
}
