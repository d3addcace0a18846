//! `tact eval` on hand-written labelled files, checked against counts,
//! rates and intervals computed independently; and channels end to end.

mod common;
use common::Dir;
use serde_json::Value;

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 5e-4)
}

#[test]
fn verdicts_count_passes_catches_and_per_rule_precision_and_recall() {
    let d = Dir::new();
    d.write(
        "labelled.jsonl",
        concat!(
            r#"{"id":"g1","verdict":"good","goal":"networking","to":"Riya Sharma","text":"Hi Riya, I saw your post on SaaS pricing pages. I work in SEO and would like to connect to follow your insights."}"#,
            "\n",
            r#"{"id":"g2","verdict":"good","goal":"sales","to":"Tom Becker","text":"Hi Tom, can we schedule a quick call this week to show you a demo?"}"#,
            "\n",
            r#"{"id":"b1","verdict":"bad","expect":["core/no-pitch"],"goal":"sales","to":"Tom Becker","text":"Hi Tom, our platform helps SaaS teams cut churn. Can we schedule a quick call?"}"#,
            "\n",
            r#"{"id":"b2","verdict":"bad","expect":["core/placeholder"],"goal":"networking","text":"Hi {first_name}, I saw your talk at KubeCon and would like to connect to learn from your work."}"#,
            "\n",
            r#"{"id":"b3","verdict":"bad","expect":["core/pick-brain"],"goal":"networking","to":"Sam Lee","text":"Hi Sam, I saw your talk at KubeCon and would like to connect to learn more about your work."}"#,
            "\n",
        ),
    );
    let run = d.run(&["eval", "--format", "json", "labelled.jsonl"], "");
    run.assert_code(0);
    let j = run.json();
    assert_eq!(j["version"], 1);
    assert_eq!(j["notes"], 5);
    let v = &j["verdicts"];
    // g2 (a pitch, labelled good to test the count) fails; g1 passes.
    assert_eq!(
        (v["good"].as_u64(), v["good_passed"].as_u64()),
        (Some(2), Some(1))
    );
    // b1 and b2 are caught by an expected rule; b3 is clean.
    assert_eq!(
        (v["bad"].as_u64(), v["bad_caught"].as_u64()),
        (Some(3), Some(2))
    );
    let pitch = &j["rules"]["core/no-pitch"];
    assert_eq!(pitch["true_positives"], 1);
    assert_eq!(pitch["false_positives"], 1);
    assert_eq!(pitch["false_alarms"][0], "g2");
    assert!(close(&pitch["precision"], 0.5) && close(&pitch["recall"], 1.0));
    let brain = &j["rules"]["core/pick-brain"];
    assert_eq!(brain["false_negatives"], 1);
    assert_eq!(brain["misses"][0], "b3");
    assert!(close(&brain["recall"], 0.0));
    assert_eq!(j["rulebooks"]["sales"]["good_passed"], 0);

    // Floors: pass 1/2 is under 0.9, so the run fails with 1 and says which.
    let run = d.run(&["eval", "--min-pass", "0.9", "labelled.jsonl"], "");
    run.assert_code(1);
    assert!(
        run.stdout().contains("good notes passing") && run.stdout().contains("FAILED"),
        "{}",
        run.stdout()
    );
    d.run(&["eval", "--min-recall", "0.6", "labelled.jsonl"], "")
        .assert_code(0);
}

#[test]
fn outcomes_give_rates_with_wilson_intervals_small_sample_marks_and_a_winner() {
    let d = Dir::new();
    d.write(
        "sheet.csv",
        "audience,version,sent,accepted,replied,text\n\
         recruiter,V1,50,10,2,\"Hi, I'd like to add you to my professional network.\"\n\
         recruiter,V2,50,35,10,\"Hi Riya, I saw your post on hiring data engineers. I work in data and would like to connect to follow your insights.\"\n\
         founder,V1,30,12,3,\"Hi Sam, I saw your talk on pricing at SaaStr. I work on pricing too and would like to connect to swap notes.\"\n\
         founder,V2,10,5,1,\"Hi Sam, congrats on the launch of your pricing tool. I would like to connect to follow your work.\"\n",
    );
    let run = d.run(&["eval", "--format", "json", "sheet.csv"], "");
    run.assert_code(0);
    let j = run.json();
    let versions = j["outcomes"]["versions"].as_array().unwrap();
    let find = |a: &str, v: &str| {
        versions
            .iter()
            .find(|x| x["audience"] == a && x["version"] == v)
            .unwrap()
            .clone()
    };
    let r1 = find("recruiter", "V1");
    assert_eq!(
        (
            r1["acceptance"]["hits"].as_u64(),
            r1["acceptance"]["total"].as_u64()
        ),
        (Some(10), Some(50))
    );
    assert!(close(&r1["acceptance"]["low"], 0.1124) && close(&r1["acceptance"]["high"], 0.3304));
    // Reply rate is replies over accepted: 2 of 10.
    assert!(close(&r1["reply"]["rate"], 0.2) && close(&r1["reply"]["low"], 0.0567));
    let r2 = find("recruiter", "V2");
    assert!(close(&r2["acceptance"]["low"], 0.5625) && close(&r2["acceptance"]["high"], 0.809));
    assert_eq!(r2["too_small"], false);
    let f1 = find("founder", "V1");
    assert!(close(&f1["acceptance"]["low"], 0.2459) && close(&f1["acceptance"]["high"], 0.5768));
    assert_eq!(find("founder", "V2")["too_small"], true);
    let calls = j["outcomes"]["calls"].as_array().unwrap();
    let call = |a: &str| calls.iter().find(|c| c["audience"] == a).unwrap().clone();
    assert_eq!(call("recruiter")["winner"], "V2");
    assert!(call("founder")["winner"].is_null());
    // The generic V1 line fires generic-opener: its sends against the rest.
    let opener = &j["outcomes"]["rules"]["core/generic-opener"];
    assert_eq!(opener["fired"]["acceptance"]["total"], 50);
    assert_eq!(opener["silent"]["acceptance"]["hits"], 52);
    assert!(
        close(&opener["silent"]["acceptance"]["low"], 0.4746)
            && close(&opener["silent"]["acceptance"]["high"], 0.6746),
        "{opener}"
    );
    let human = d.run(&["eval", "sheet.csv"], "").stdout();
    assert!(human.contains("too small to judge"), "{human}");
    assert!(human.contains("`V2` wins on acceptance"), "{human}");
}

#[test]
fn quartiles_split_rule_firing_by_score() {
    let d = Dir::new();
    let mut csv = String::from("Request,Normalized Score\n");
    for i in 0..8 {
        let text = if i < 2 {
            "Why is this broken? Fix it now, pick your brain later."
        } else {
            "Thanks so much for the detailed answer, it helped a lot."
        };
        csv.push_str(&format!("\"{text}\",{}\n", i as f64 / 4.0 - 1.0));
    }
    d.write("scored.csv", &csv);
    let run = d.run(
        &[
            "eval",
            "--format",
            "json",
            "--split",
            "quartiles",
            "-r",
            "general",
            "scored.csv",
        ],
        "",
    );
    run.assert_code(0);
    let q = &run.json()["quartiles"];
    assert_eq!(q["scored"], 8);
    let brain = &q["rules"]["core/pick-brain"];
    assert_eq!(
        (
            brain["bottom"]["hits"].as_u64(),
            brain["bottom"]["total"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(brain["top"]["hits"], 0);
    assert!(close(&brain["balanced_accuracy"], 1.0));
    assert!(q["tone"]["balanced_accuracy"].as_f64().is_some());
}

#[test]
fn a_bad_row_is_named_and_the_other_rows_still_count() {
    let d = Dir::new();
    d.write(
        "labelled.jsonl",
        "{\"verdict\":\"good\",\"text\":\"Hi Riya, I saw your post on pricing and would like to connect to follow your insights.\"}\n\
         {\"verdict\":\"maybe\",\"text\":\"Hi Sam\"}\n\
         not json\n\
         {\"verdict\":\"bad\",\"expect\":[\"core/nosuch\"],\"text\":\"Hi Sam\"}\n",
    );
    let run = d.run(&["eval", "--format", "json", "labelled.jsonl"], "");
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains("labelled.jsonl:2") && err.contains("`verdict` is `maybe`"),
        "{err}"
    );
    assert!(
        err.contains("labelled.jsonl:3") && err.contains("malformed JSON"),
        "{err}"
    );
    assert!(
        err.contains("labelled.jsonl:4") && err.contains("core/nosuch"),
        "{err}"
    );
    let j = run.json();
    assert_eq!(j["notes"], 1);
    assert_eq!(j["problems"], 3);
    assert_eq!(j["verdicts"]["good_passed"], 1);
}

#[test]
fn usage_errors_are_clear() {
    let d = Dir::new();
    d.write("a.jsonl", "{\"text\":\"Hi\"}\n");
    let run = d.run(&["eval", "--select", "nosuch", "a.jsonl"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("no rule `nosuch`"),
        "{}",
        run.stderr()
    );
    let run = d.run(&["eval", "--min-pass", "90", "a.jsonl"], "");
    run.assert_code(2);
    assert!(run.stderr().contains("between 0 and 1"), "{}", run.stderr());
    d.run(&["eval", "--min-tone", "0.6", "a.jsonl"], "")
        .assert_code(2);
}

/// A message after the request was accepted is not held to the 300
/// characters of a connection request.
#[test]
fn a_long_message_after_acceptance_passes_follow_up_but_not_as_a_request() {
    let d = Dir::new();
    let body = "Hi Riya, thanks for connecting. I have been reading your posts on pricing pages for a while, \
        and the one on anchoring enterprise tiers changed how our team runs experiments. We tried your \
        three-tier layout on two product pages last quarter and saw cleaner signals than before. I am \
        curious about one thing: when you audit a pricing page, do you start with positioning or with the \
        conversion flow? No rush at all.";
    assert!(body.chars().count() > 400, "{}", body.chars().count());
    let note = |channel: &str| {
        format!(
            "+++\nto = \"Riya Sharma\"\nchannel = \"{channel}\"\nfollowup = true\n+++\n{body}\n"
        )
    };
    d.write("message.md", &note("message"));
    d.write("request.md", &note("request"));
    let run = d.run(
        &["check", "-r", "follow-up", "--format", "json", "message.md"],
        "",
    );
    run.assert_code(0);
    let serious: Vec<Value> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] != "info")
        .cloned()
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    let run = d.run(
        &["check", "-r", "follow-up", "--format", "json", "request.md"],
        "",
    );
    run.assert_code(1);
    assert!(
        run.rules().contains(&"core/length".to_owned()),
        "{}",
        run.stdout()
    );
}

#[test]
fn channels_come_from_batch_columns_and_select_tables() {
    let d = Dir::new();
    d.write(
        "tact.toml",
        "[select]\n\"dms/**\" = { rulebook = \"networking\", channel = \"message\" }\n",
    );
    let link =
        "Hi Riya, thanks for connecting. Here is the guide I mentioned: https://example.com/guide";
    d.write(
        "dms/a.md",
        &format!("+++\nto = \"Riya Sharma\"\n+++\n{link}\n"),
    );
    d.write(
        "req/a.md",
        &format!("+++\nto = \"Riya Sharma\"\n+++\n{link}\n"),
    );
    let run = d.run(&["check", "--format", "json", "dms/a.md"], "");
    assert!(
        !run.rules().contains(&"core/no-links".to_owned()),
        "{}",
        run.stdout()
    );
    let run = d.run(&["check", "--format", "json", "req/a.md"], "");
    assert!(
        run.rules().contains(&"core/no-links".to_owned()),
        "{}",
        run.stdout()
    );
    d.write(
        "b.jsonl",
        &format!(
            "{{\"channel\":\"message\",\"text\":\"{link}\"}}\n{{\"channel\":\"letter\",\"text\":\"{link}\"}}\n"
        ),
    );
    let run = d.run(&["check", "--format", "json", "b.jsonl"], "");
    run.assert_code(2);
    assert!(
        !run.rules().contains(&"core/no-links".to_owned()),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout().contains("unknown channel `letter`"),
        "{}",
        run.stdout()
    );
}

/// A floor with nothing to measure is a mistake in the command (exit 2),
/// not a failing rule; `--select` counts only the selected rules.
#[test]
fn floors_need_something_to_measure_and_select_narrows_the_table() {
    let d = Dir::new();
    d.write("plain.jsonl", "{\"text\":\"Hi Sam, I saw your talk at SaaStr and would like to connect to follow your work.\"}\n");
    let run = d.run(&["eval", "--min-pass", "0.9", "plain.jsonl"], "");
    run.assert_code(2);
    assert!(
        run.stderr().contains("nothing to measure"),
        "{}",
        run.stderr()
    );
    d.write(
        "labelled.jsonl",
        "{\"verdict\":\"bad\",\"expect\":[\"core/clear-intent\",\"core/no-pitch\"],\"goal\":\"sales\",\"text\":\"Hi, can we schedule a quick call this week?\"}\n",
    );
    let run = d.run(
        &[
            "eval",
            "--format",
            "json",
            "--select",
            "core/no-pitch",
            "labelled.jsonl",
        ],
        "",
    );
    run.assert_code(0);
    let rules = run.json()["rules"].as_object().unwrap().clone();
    assert_eq!(
        rules.keys().collect::<Vec<_>>(),
        ["core/no-pitch"],
        "{rules:#?}"
    );
}

/// `tact eval` finds each note's project as `tact check` does: the nearest
/// `tact.toml` above it (not the current folder's), or `--config` for all;
/// a folder is walked with that project's filters.
#[test]
fn eval_checks_each_note_with_its_own_project_and_walks_folders_like_check() {
    let d = Dir::new();
    d.write(
        "proj/tact.toml",
        "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\ndefault_rulebook = \"t\"\n",
    );
    d.write(
        "proj/plugins/t/shout.rhai",
        "//! Shouting.\nfn meta() { #{ level: \"error\", triggers: [\"LOUD\"] } }\nfn check(note, options) { note.find([\"LOUD\"]).map(|m| finding(m, \"no shouting\")) }\n",
    );
    d.write(
        "proj/rulebooks/t.toml",
        "[rules]\n\"t/shout\" = \"error\"\n",
    );
    d.write(
        "proj/labelled.jsonl",
        "{\"id\":\"b\",\"verdict\":\"bad\",\"expect\":[\"t/shout\"],\"text\":\"so LOUD here\"}\n{\"id\":\"g\",\"verdict\":\"good\",\"text\":\"a calm note\"}\n",
    );
    d.write("proj/README.md", "LOUD docs, not a note\n");
    d.write("proj/contacts.csv", "name,email\nAnn,ann@example.com\n");
    // A nested project with a default rulebook of its own.
    d.write("proj/sub/tact.toml", "default_rulebook = \"sales\"\n");
    d.write(
        "proj/sub/more.jsonl",
        "{\"id\":\"s\",\"verdict\":\"good\",\"text\":\"a calm note\"}\n",
    );
    let run = d.run(&["eval", "--format", "json", "proj"], "");
    run.assert_code(0);
    let j = run.json();
    assert_eq!(j["notes"], 3, "{j}");
    assert_eq!(j["rules"]["t/shout"]["true_positives"], 1, "{j}");
    assert_eq!(j["rulebooks"]["t"]["good"], 1, "{j}");
    assert_eq!(j["rulebooks"]["sales"]["good"], 1, "{j}");
    // Named from outside, a file gets its project too.
    let run = d.run(
        &[
            "eval",
            "--format",
            "json",
            "--select",
            "shout",
            "proj/labelled.jsonl",
        ],
        "",
    );
    run.assert_code(0);
    assert_eq!(run.json()["rules"]["t/shout"]["recall"], 1.0);
    // `--config` forces one project on every note.
    let run = d.run(
        &[
            "--config",
            "proj/tact.toml",
            "eval",
            "--format",
            "json",
            "proj",
        ],
        "",
    );
    run.assert_code(0);
    let j = run.json();
    assert_eq!(j["rulebooks"]["t"]["good"], 2, "{j}");
    assert!(j["rulebooks"].get("sales").is_none(), "{j}");
}
