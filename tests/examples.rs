//! The shipped examples and the seeds' own notes, checked by the real binary
//! with the embedded `core` pack and rulebooks.
//!
//! - Every note in `examples/` is named `<goal>-pass*.md` or `<goal>-fail*.md`:
//!   a `-pass` note has no finding at warn or error level under its rulebook
//!   (exit 0); a `-fail` note has at least one error-level finding (exit 1).
//! - The seeds' bad examples are flagged by the rule that catches them under the
//!   goal's rulebook, and their good examples pass.
//!
//! tact runs in an empty temporary folder, so the repository's own `tact.toml`
//! (which reads `plugins/` and `rulebooks/` from disk) is not used: what is tested
//! is the copy compiled into the binary.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The goals the repository ships a rulebook and examples for.
const GOALS: &[&str] = &[
    "recruiter",
    "networking",
    "sales",
    "alumni",
    "career-change",
    "general",
    "profile-view",
    "follow-up",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every note file in `examples/`, sorted.
fn example_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "txt"))
        })
        .collect();
    files.sort();
    files
}

/// Whether an example should pass, and the goal its name starts with.
fn expectation(path: &Path) -> (bool, String) {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    for (marker, pass) in [("-pass", true), ("-fail", false)] {
        if let Some(i) = stem.find(marker) {
            let rest = &stem[i + marker.len()..];
            if rest.is_empty() || rest.starts_with('-') {
                return (pass, stem[..i].to_owned());
            }
        }
    }
    panic!(
        "{}: example names must be `<goal>-pass[-…]` or `<goal>-fail[-…]`",
        path.display()
    );
}

/// The result of one run: exit code and parsed JSON output.
struct Checked {
    code: i32,
    json: Value,
    stderr: String,
}

impl Checked {
    fn findings(&self) -> &[Value] {
        self.json["findings"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn at_levels<'a>(&'a self, levels: &'a [&str]) -> impl Iterator<Item = &'a Value> + 'a {
        self.findings()
            .iter()
            .filter(move |f| levels.contains(&f["level"].as_str().unwrap_or("")))
    }

    /// The findings as readable lines, for failure messages.
    fn describe(&self) -> String {
        let mut s = String::new();
        for f in self.findings() {
            s.push_str(&format!(
                "  [{}] {} ({}) at {}:{} {:?}: {}\n",
                f["level"].as_str().unwrap_or("?"),
                f["rule"].as_str().unwrap_or("?"),
                f["rulebook"].as_str().unwrap_or("?"),
                f["start"]["line"],
                f["start"]["column"],
                f["text"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
            ));
        }
        if let Some(errors) = self.json["errors"].as_array().filter(|e| !e.is_empty()) {
            s.push_str(&format!("  errors: {}\n", Value::Array(errors.clone())));
        }
        if s.is_empty() {
            s.push_str("  (no findings)\n");
        }
        if !self.stderr.trim().is_empty() {
            s.push_str(&format!("  stderr: {}\n", self.stderr.trim()));
        }
        s
    }
}

/// Runs `tact <args>` from an empty temporary folder, feeding `stdin`.
fn tact(args: &[&str], stdin: Option<&str>) -> Checked {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tact"));
    cmd.args(args).current_dir(dir.path()).env("NO_COLOR", "1");
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("tact runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "`tact {}` did not print JSON ({e}):\nstdout: {stdout}\nstderr: {stderr}",
            args.join(" ")
        )
    });
    Checked {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr,
    }
}

fn check_file(path: &Path) -> Checked {
    let abs = path.canonicalize().expect("example path");
    tact(&["check", abs.to_str().unwrap(), "--format", "json"], None)
}

fn check_stdin(rulebook: &str, note: &str) -> Checked {
    tact(
        &["check", "--rulebook", rulebook, "--format", "json", "-"],
        Some(note),
    )
}

#[test]
fn every_goal_has_a_passing_and_a_failing_example() {
    let files = example_files();
    for goal in GOALS {
        for want_pass in [true, false] {
            let found = files
                .iter()
                .any(|f| expectation(f) == (want_pass, goal.to_string()));
            assert!(
                found,
                "examples/ has no `{goal}-{}` note",
                if want_pass { "pass" } else { "fail" }
            );
        }
    }
    for f in &files {
        let (_, goal) = expectation(f);
        assert!(
            GOALS.contains(&goal.as_str()),
            "{}: `{goal}` is not a shipped goal",
            f.display()
        );
    }
}

#[test]
fn examples_pass_and_fail_as_named() {
    let files = example_files();
    assert!(
        !files.is_empty(),
        "no examples found in {}",
        examples_dir().display()
    );
    let mut failures = Vec::new();
    for file in &files {
        let (pass, goal) = expectation(file);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let out = check_file(file);
        let problems = out.json["errors"].as_array().map(Vec::len).unwrap_or(0);
        let mut why = Vec::new();
        if problems > 0 {
            why.push("tact reported errors (not findings)".to_owned());
        }
        if pass {
            if out.code != 0 {
                why.push(format!("expected exit 0, got {}", out.code));
            }
            if out.at_levels(&["warn", "error"]).next().is_some() {
                why.push("a -pass note has findings at warn or error level".to_owned());
            }
        } else {
            if out.code != 1 {
                why.push(format!("expected exit 1, got {}", out.code));
            }
            if out.at_levels(&["error"]).next().is_none() {
                why.push("a -fail note has no error-level finding".to_owned());
            }
        }
        // The note's `goal` must select the rulebook its name says.
        if let Some(f) = out
            .findings()
            .iter()
            .find(|f| f["rulebook"].as_str() != Some(goal.as_str()))
        {
            why.push(format!(
                "checked with rulebook {} instead of `{goal}`",
                f["rulebook"]
            ));
        }
        if !why.is_empty() {
            failures.push(format!("{name}: {}\n{}", why.join("; "), out.describe()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) misbehave:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The seeds' bad examples, the rulebook of their goal, and the rule that must flag them.
/// Texts in quotes are the seeds' own; the rest fill in a seed's template or
/// advice with a concrete name.
const SEED_BAD: &[(&str, &str, &str)] = &[
    // "Pushy: 'Hi, can we schedule a quick call this week?'" (mistakes to avoid)
    (
        "sales",
        "Hi, can we schedule a quick call this week?",
        "core/no-pitch",
    ),
    // "The Empty Request: asking to discuss 'synergy' or 'collaboration'."
    (
        "sales",
        "Hi Marcus, I'd love to discuss synergy between our companies.",
        "core/no-pitch",
    ),
    // "Share a calendar link only after both sides agree to a conversation."
    (
        "sales",
        "Hi Tom, here is my calendar link to book a time: https://calendly.com/tom-reyes/30min",
        "core/no-links",
    ),
    // Generic: "Hi, I'd like to connect." (reply-rate section)
    ("general", "Hi, I'd like to connect.", "core/generic-opener"),
    // Don't act like you are asking a favour or just want to "pick their brain".
    (
        "networking",
        "Hi Dev, I'd love to pick your brain about growth marketing.",
        "core/pick-brain",
    ),
    // Introduce yourself to recruiters "without asking for a job upfront".
    (
        "recruiter",
        "Hi Meera, do you have any job openings for me at Northwind?",
        "core/job-ask",
    ),
    // Alumni notes are "not to immediately request introductions or recommendations".
    (
        "alumni",
        "Hi Arjun, fellow Michigan alum here! Could you refer me for the open PM role at Stripe?",
        "core/referral-ask",
    ),
    // "Never ask for confidential info like the recipient's email address or phone number."
    (
        "general",
        "Hi Laura, great meeting you at the expo. Could you share your phone number?",
        "core/contact-ask",
    ),
    // The seed's template sent as is: "Hi [Name], saw you checked my profile. ..."
    (
        "profile-view",
        "Hi [Name], saw you checked my profile.\nAs a fellow [industry/role] enthusiast, I'd love to connect and explore mutual interests.",
        "core/placeholder",
    ),
    // Follow-ups go "without urgency or pressure"; "avoid badgering".
    (
        "follow-up",
        "Hi Riya, just following up since I haven't heard back. Please respond.",
        "core/follow-up-politeness",
    ),
];

/// Seed notes that are bad in style rather than deal-breakers: flagged at warn.
const SEED_STYLE: &[(&str, &str, &str)] = &[
    // "Fake Compliments: Saying, 'I really admire your career.'"
    (
        "general",
        "Hi Sam, I really admire your career. I'd like to connect and follow your posts on hiring.",
        "core/peer-tone",
    ),
    // "Avoid sounding unprofessional by using lazy abbreviations."
    (
        "networking",
        "Hi Jo, saw ur post on SaaS pricing pages, pls accept, thx.",
        "core/abbreviations",
    ),
];

/// The seeds' good examples, under the rulebook of their goal: no warn or error findings.
const SEED_GOOD: &[(&str, &str)] = &[
    (
        "networking",
        "Hi Aditi, I saw your post on content audits for SaaS. I work in SEO and would like to connect and follow your insights.",
    ),
    (
        "networking",
        "Hi Rohan, I saw your work in product analytics. I'd like to connect and follow your insights here.",
    ),
    (
        "networking",
        "Hi John, this is Michelle from the XYZ networking event last month. I enjoyed chatting about marketing trends in the construction industry. I'd love to connect on LinkedIn to continue the conversation.",
    ),
    (
        "alumni",
        "Hi Jane, it's been a few years since we worked at ABC Company together. Hope you've been well! I'd love to reconnect on LinkedIn to stay in touch.",
    ),
    (
        "career-change",
        "Hi Sofia, I am moving into UX research and I found your comments on usability testing really helpful. I plan to follow your work closely as I learn.",
    ),
    (
        "sales",
        "Hi Priya, I work with Ledgerly in fintech, and your recent work in payment reconciliation really caught my eye. I'd love to connect and learn more about your approach.",
    ),
    (
        "general",
        "Hi Laura, it was great speaking with you at the Portland Marketing Meetup yesterday. I enjoyed our chat about email onboarding and would be happy to stay in touch here.",
    ),
    (
        "sales",
        "Hi Marcus, I saw what you said about the shipping problems last quarter; I solved a similar issue at Flexport and wanted to stay connected to your thoughts.",
    ),
    (
        "networking",
        "Hi Maya, your post in the Product Ops group about roadmaps caught my interest. I'd love to connect and chat more about our shared interests.",
    ),
    (
        "follow-up",
        "Thanks for connecting, Riya. If it helps, I can share my portfolio over email. Would you be comfortable if I send it to your work address?",
    ),
];

/// Good seed examples a rule once flagged at warn or error: (rulebook, note, the
/// rule that misfired). Each guards its fix: the rule must not flag it again.
const FORMER_MISFIRES: &[(&str, &str, &str)] = &[
    // "pricing" as a topic, not an offer.
    (
        "networking",
        "Hi Riya, I saw your post on SaaS pricing pages. I work in SEO and would like to connect.",
        "core/no-pitch",
    ),
    (
        "follow-up",
        "Thanks for connecting, Riya. When you audit pricing pages, do you start with positioning or conversion flow?",
        "core/no-pitch",
    ),
    // "our product" of a shared former employer.
    (
        "alumni",
        "Hey Matt, hope you've been well! It's been a few years since we worked together at XYZ Company. I have fond memories of brainstorming ways to improve our product. I'd love to reconnect on LinkedIn to catch up and stay in touch.",
        "core/no-pitch",
    ),
    // The seed's "Ask Something Interesting" note: the question is the reason.
    (
        "career-change",
        "Hi Sofia, I noticed you recently moved from teaching to UX research. What was the hardest thing you had to stop doing when you first made that switch?",
        "core/clear-intent",
    ),
    // The seed's "End With No Ask" line.
    (
        "networking",
        "Hi Nina, you don't need to reply or schedule anything—I just wanted to connect so I can keep seeing your updates on data contracts on my feed.",
        "core/peer-tone",
    ),
    (
        "networking",
        "Hi Nina, you don't need to reply or schedule anything—I just wanted to connect so I can keep seeing your updates on data contracts on my feed.",
        "core/personalization",
    ),
];

#[test]
fn seed_bad_examples_are_flagged_by_the_right_rule() {
    let mut failures = Vec::new();
    for (rulebook, note, rule) in SEED_BAD {
        let out = check_stdin(rulebook, note);
        let hit = out
            .findings()
            .iter()
            .any(|f| f["rule"] == *rule && f["level"] == "error" && f["rulebook"] == *rulebook);
        if !hit || out.code != 1 {
            failures.push(format!(
                "{note:?} under `{rulebook}`: expected an error from {rule} and exit 1 (got exit {})\n{}",
                out.code,
                out.describe()
            ));
        }
    }
    for (rulebook, note, rule) in SEED_STYLE {
        let out = check_stdin(rulebook, note);
        let hit = out
            .findings()
            .iter()
            .any(|f| f["rule"] == *rule && f["level"] == "warn");
        if !hit {
            failures.push(format!(
                "{note:?} under `{rulebook}`: expected a warning from {rule}\n{}",
                out.describe()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} seed example(s) not flagged:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn seed_good_examples_pass() {
    let mut failures = Vec::new();
    for (rulebook, note) in SEED_GOOD {
        let out = check_stdin(rulebook, note);
        if out.code != 0 || out.at_levels(&["warn", "error"]).next().is_some() {
            failures.push(format!(
                "{note:?} under `{rulebook}`: exit {}\n{}",
                out.code,
                out.describe()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} good seed example(s) flagged:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_goal_rulebook_resolves_and_extends_base() {
    for goal in GOALS {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_tact"))
            .args(["rulebooks", goal])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "`tact rulebooks {goal}` failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("base"),
            "`{goal}` does not extend base:\n{text}"
        );
    }
}

#[test]
fn former_misfires_on_good_seed_examples_stay_fixed() {
    let mut failures = Vec::new();
    for (rulebook, note, rule) in FORMER_MISFIRES {
        let out = check_stdin(rulebook, note);
        if out
            .at_levels(&["warn", "error"])
            .any(|f| f["rule"] == *rule)
        {
            failures.push(format!(
                "{note:?} under `{rulebook}`: still flagged by {rule}\n{}",
                out.describe()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} misfire(s) are back:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
