//! Packs end to end (issue 11), with the real binary, a real `git` and real
//! archives made here: team A writes and publishes pack `acme`; team B adds
//! it from git and from an archive, uses its rulebook, tests it, sees 2.0 only
//! after `tact pack update` (the dry run naming the notes that change), and
//! has a tampered copy refused. Hostile archives are refused with nothing
//! written; a pack named `core` is refused without an override.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tact(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("tact runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[track_caller]
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = tact(dir, args);
    assert_eq!(o.status.code(), Some(0), "tact {args:?}:\n{}", text(&o));
    text(&o)
}

#[track_caller]
fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let o = tact(dir, args);
    assert_eq!(o.status.code(), Some(code), "tact {args:?}:\n{}", text(&o));
    text(&o)
}

/// Output without spaces and miette's margins: a message wrapped across lines
/// reads as one.
fn flat(out: &str) -> String {
    out.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=Team A", "-c", "user.email=a@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every file under `dir` with its bytes: what "nothing changed" compares.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                vec![]
            };
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect();
    out.sort();
    out
}

const RULE_V1: &str = r#"//! Sales jargon.
fn meta() { #{ level: "error", kind: "check", options: #{ phrases: ["touch base", "synergy"] }, trigger_options: ["phrases"] } }
fn check(note, options) { note.find(options.phrases).map(|m| finding(m, `"${m.text}" is jargon`, "say it plainly")) }
"#;

const TESTS: &str = r#"[[invalid]]
note = "Hi Sam, could we touch base next week?"
flagged = ["touch base"]

[[valid]]
note = "Hi Sam, I enjoyed your talk on onboarding and would like to connect."
"#;

const RULEBOOK: &str = r#"name = "enterprise-sales"
description = "Enterprise sales notes: the sales rulebook plus our jargon rule."
extends = ["sales"]

[rules]
"acme/no-jargon" = "error"
"#;

fn manifest(version: &str) -> String {
    format!(
        "name = \"acme\"\nversion = \"{version}\"\ndescription = \"Team A's sales rules.\"\nlicense = \"MIT\"\nauthors = [\"Team A <a@example.com>\"]\ntact = \">=0.1\"\n"
    )
}

/// Team A's pack at `version`, with the jargon phrases of that version.
fn publish(repo: &Path, version: &str, phrases: &str) {
    write(&repo.join("pack.toml"), &manifest(version));
    write(
        &repo.join("plugins/no-jargon.rhai"),
        &RULE_V1.replace("[\"touch base\", \"synergy\"]", phrases),
    );
    write(&repo.join("plugins/no-jargon.test.toml"), TESTS);
    write(&repo.join("rulebooks/enterprise-sales.toml"), RULEBOOK);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", &format!("acme {version}")]);
    git(repo, &["tag", &format!("v{version}")]);
}

#[test]
fn two_teams_share_a_pack_pinned_and_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for d in [&a, &b, &c] {
        std::fs::create_dir_all(d).unwrap();
    }
    // Team A: a pack with a rule, a rulebook and rule tests, in git.
    let repo = a.join("acme");
    ok(&a, &["pack", "new", "acme"]);
    for f in [
        "no-jargon.rhai",
        "no-jargon.test.toml",
        "rulebooks/outreach.toml",
    ] {
        std::fs::remove_file(repo.join(f)).unwrap();
    }
    git(&repo, &["init", "-q"]);
    publish(&repo, "1.0.0", "[\"touch base\", \"synergy\"]");
    let tested = ok(&a, &["pack", "test", "acme"]);
    assert!(tested.contains("2 passed, 0 failed"), "{tested}");
    // A reproducible archive: same bytes from a copy with other times and order.
    ok(
        &a,
        &["pack", "build", "acme", "-o", "dist/acme-1.0.0.tar.gz"],
    );
    let copy = a.join("copy");
    for f in [
        "rulebooks/enterprise-sales.toml",
        "plugins/no-jargon.test.toml",
        "plugins/no-jargon.rhai",
        "pack.toml",
    ] {
        std::thread::sleep(std::time::Duration::from_millis(5));
        write(
            &copy.join(f),
            &std::fs::read_to_string(repo.join(f)).unwrap(),
        );
    }
    ok(&a, &["pack", "build", "copy", "-o", "dist/copy.tar.gz"]);
    let archive = a.join("dist/acme-1.0.0.tar.gz");
    assert_eq!(
        std::fs::read(&archive).unwrap(),
        std::fs::read(a.join("dist/copy.tar.gz")).unwrap()
    );

    // Team B adds it from git at a tag: the commit is what is locked.
    ok(&b, &["init"]);
    let url = format!("git+file://{}#v1.0.0", repo.display());
    let added = ok(&b, &["pack", "add", &url]);
    assert!(added.contains("acme 1.0.0"), "{added}");
    let commit = git(&repo, &["rev-parse", "v1.0.0^{commit}"]);
    let lock = std::fs::read_to_string(b.join("tact.lock")).unwrap();
    assert!(lock.contains(&format!("commit = \"{commit}\"")), "{lock}");
    assert!(
        std::fs::read_to_string(b.join("tact.toml"))
            .unwrap()
            .contains(&format!("acme = \"{url}\""))
    );
    assert!(b.join(".tact/packs/acme/plugins/no-jargon.rhai").is_file());
    let note = "+++\ngoal = \"acme/enterprise-sales\"\n+++\nHi Sam, I enjoyed your talk on onboarding. Could we touch base? I would like to connect.\n";
    write(&b.join("notes/jargon.md"), note);
    write(
        &b.join("notes/later.md"),
        &note.replace("Could we touch base?", "Let us circle back on it."),
    );
    let checked = fails(&b, &["check", "notes/jargon.md", "notes/later.md"], 1);
    assert!(checked.contains("acme/no-jargon"), "{checked}");
    assert!(!checked.contains("circle back"), "{checked}");
    assert!(ok(&b, &["pack", "test", "acme"]).contains("2 passed, 0 failed"));
    let rules = ok(&b, &["rules"]);
    assert!(
        rules.contains("acme/no-jargon") && rules.contains("[acme 1.0.0]"),
        "{rules}"
    );
    assert!(ok(&b, &["pack", "list"]).contains(&commit[..12]));

    // Team C adds the archive: the same files, so the same content checksum.
    ok(&c, &["init"]);
    ok(&c, &["pack", "add", archive.to_str().unwrap()]);
    let lock_c = std::fs::read_to_string(c.join("tact.lock")).unwrap();
    assert!(lock_c.contains("archive = \"sha256:"), "{lock_c}");
    let checksum = |l: &str| {
        l.lines()
            .find(|l| l.starts_with("checksum"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(checksum(&lock), checksum(&lock_c));

    // Team A publishes 2.0, which also flags "circle back".
    publish(
        &repo,
        "2.0.0",
        "[\"touch base\", \"synergy\", \"circle back\"]",
    );
    let before = snapshot(&b);
    // Nothing changes for team B until they update.
    fails(&b, &["check", "notes/jargon.md"], 1);
    assert!(ok(&b, &["check", "notes/later.md"]).contains("no findings"));
    let url2 = format!("git+file://{}#v2.0.0", repo.display());
    let dry = ok(
        &b,
        &["pack", "update", "acme", "--source", &url2, "--dry-run"],
    );
    assert!(dry.contains("acme 1.0.0 → acme 2.0.0"), "{dry}");
    assert!(
        dry.contains("later.md: pass → error (now flagged by acme/no-jargon)"),
        "{dry}"
    );
    assert!(!dry.contains("jargon.md:"), "{dry}");
    assert_eq!(before, snapshot(&b), "a dry run changes nothing");
    fails(
        &b,
        &["--locked", "pack", "update", "acme", "--source", &url2],
        2,
    );
    assert_eq!(before, snapshot(&b), "--locked changes nothing");
    ok(&b, &["pack", "update", "acme", "--source", &url2]);
    assert!(fails(&b, &["check", "notes/later.md"], 1).contains("circle back"));
    assert!(
        std::fs::read_to_string(b.join("tact.lock"))
            .unwrap()
            .contains("version = \"2.0.0\"")
    );
    assert!(ok(&b, &["--locked", "pack", "update"]).contains("up to date"));

    // A file edited inside the installed pack is refused on every run.
    let installed = b.join(".tact/packs/acme/plugins/no-jargon.rhai");
    std::fs::write(&installed, RULE_V1.replace("\"error\"", "\"info\"")).unwrap();
    for args in [
        &["check", "notes/later.md"][..],
        &["rules"],
        &["pack", "verify"],
        &["test"],
    ] {
        let out = fails(&b, args, 2);
        assert!(out.contains("tact::pack::tampered"), "{args:?}: {out}");
        // The message names the file (miette may wrap it across lines).
        let flat: String = out
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect();
        assert!(
            flat.contains("plugins/no-jargon.rhai(changed)"),
            "{args:?}: {out}"
        );
    }
    // Updating on purpose fetches and locks it again.
    ok(&b, &["pack", "update", "acme"]);
    ok(&b, &["pack", "verify"]);
    ok(&b, &["pack", "remove", "acme"]);
    assert!(!b.join(".tact/packs/acme").exists());
    assert!(
        !std::fs::read_to_string(b.join("tact.lock"))
            .unwrap()
            .contains("acme")
    );
}

#[test]
fn a_pack_named_core_is_refused_without_an_override() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("tact.toml"), "plugins = [\"plugins\"]\n");
    write(
        &d.join("plugins/core/pack.toml"),
        &manifest("1.0.0").replace("acme", "core"),
    );
    write(
        &d.join("plugins/core/no-pitch.rhai"),
        "fn meta() { #{ level: \"warn\", kind: \"check\" } }\nfn check(note, options) { [] }\n",
    );
    write(
        &d.join("n.txt"),
        "Hi Sam, can we hop on a quick call for a demo?\n",
    );
    let out = fails(d, &["check", "n.txt"], 2);
    assert!(out.contains("tact::pack::duplicate"), "{out}");
    assert!(
        out.contains("builtin:plugins/core") && out.contains("plugins/core"),
        "{out}"
    );
    assert!(
        out.contains("core/no-pitch"),
        "the real rule still runs: {out}"
    );
    // An explicit override of one rule is allowed, and shown.
    std::fs::remove_dir_all(d.join("plugins/core")).unwrap();
    write(
        &d.join("ours/no-pitch.rhai"),
        "//! Our pitch rule.\nfn meta() { #{ level: \"warn\", kind: \"check\" } }\nfn check(note, options) { [] }\n",
    );
    write(
        &d.join("tact.toml"),
        "[overrides]\n\"core/no-pitch\" = \"ours/no-pitch.rhai\"\n",
    );
    let rules = ok(d, &["rules"]);
    let line = rules
        .lines()
        .find(|l| l.starts_with("core/no-pitch"))
        .unwrap();
    assert!(line.contains("overridden by ours/no-pitch.rhai"), "{line}");
    let checked = text(&tact(d, &["check", "n.txt"]));
    assert!(
        !checked.contains("no-pitch"),
        "our no-op rule runs in its place: {checked}"
    );
    assert!(!checked.contains("tact::pack"), "{checked}");
}

#[test]
fn manifests_are_strict_and_requirements_enforced() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("tact.toml"), "plugins = [\"plugins\"]\n");
    write(
        &d.join("plugins/acme/pack.toml"),
        &manifest("1.0.0").replace("version", "verison"),
    );
    write(
        &d.join("plugins/acme/r.rhai"),
        "fn meta() { #{ level: \"warn\" } }\nfn check(note, options) { [] }\n",
    );
    let out = fails(d, &["rules"], 2);
    assert!(
        out.contains("unknown key `verison`") && out.contains("did you mean `version`?"),
        "{out}"
    );
    assert!(!out.contains("plugins/r"), "{out}");
    write(
        &d.join("plugins/acme/pack.toml"),
        &manifest("1.0.0").replace(">=0.1", ">=99.0"),
    );
    let out = fails(d, &["rules"], 2);
    assert!(out.contains("needs tact >=99.0"), "{out}");
    assert!(
        !out.contains("acme/r "),
        "a pack for another tact is not loaded: {out}"
    );
    // A dependency that is missing says so.
    write(
        &d.join("plugins/acme/pack.toml"),
        &(manifest("1.0.0") + "[dependencies]\nbase-team = \"^1\"\n"),
    );
    let out = fails(d, &["rules"], 2);
    assert!(out.contains("needs pack `base-team` ^1"), "{out}");
    // Two packs with one name: an error naming both folders.
    write(&d.join("plugins/acme/pack.toml"), &manifest("1.0.0"));
    write(&d.join("plugins/other/pack.toml"), &manifest("2.0.0"));
    let out = fails(d, &["rules"], 2);
    assert!(out.contains("two packs are named `acme`"), "{out}");
    assert!(
        out.contains("plugins/acme") && out.contains("plugins/other"),
        "{out}"
    );
}

#[test]
fn a_pack_test_without_cases_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("acme/pack.toml"), &manifest("1.0.0"));
    write(
        &d.join("acme/r.rhai"),
        "fn meta() { #{ level: \"warn\" } }\nfn check(note, options) { [] }\n",
    );
    let out = fails(d, &["pack", "test", "acme"], 2);
    assert!(out.contains("no test cases"), "{out}");
}

// --- hostile archives --------------------------------------------------------

fn header(kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h
}

/// A tar whose first entry is a valid manifest, then `more`.
fn hostile(more: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let m = manifest("1.0.0");
    let mut h = header(tar::EntryType::Regular, m.len() as u64);
    b.append_data(&mut h, "pack.toml", m.as_bytes()).unwrap();
    more(&mut b);
    b.into_inner().unwrap()
}

fn raw_name(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
    let mut h = header(tar::EntryType::Regular, data.len() as u64);
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn hostile_archives_are_refused_with_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("project");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    write(&d.join("tact.toml"), "# a project\n");
    let link = |kind: tar::EntryType, target: &str| {
        hostile(move |b| {
            let mut h = header(kind, 0);
            h.set_link_name(target).unwrap();
            h.set_path("evil.rhai").unwrap();
            h.set_cksum();
            b.append(&h, &[][..]).unwrap();
        })
    };
    let special = |kind: tar::EntryType| {
        hostile(move |b| {
            let mut h = header(kind, 0);
            h.set_path("dev").unwrap();
            h.set_cksum();
            b.append(&h, &[][..]).unwrap();
        })
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            hostile(|b| raw_name(b, "../outside/evil.rhai", b"x")),
            "`..`",
        ),
        (
            "absolute",
            hostile(|b| raw_name(b, &format!("{}/abs.rhai", outside.display()), b"x")),
            "absolute",
        ),
        (
            "symlink",
            link(tar::EntryType::Symlink, "/etc/passwd"),
            "symbolic link",
        ),
        (
            "hard link",
            link(tar::EntryType::Link, "/etc/passwd"),
            "hard link",
        ),
        ("device", special(tar::EntryType::Char), "device"),
        ("fifo", special(tar::EntryType::Fifo), "FIFO"),
        (
            "case",
            hostile(|b| {
                raw_name(b, "Rule.rhai", b"x");
                raw_name(b, "rule.rhai", b"y");
            }),
            "collide",
        ),
        (
            "unicode",
            hostile(|b| {
                raw_name(b, "caf\u{e9}.rhai", b"x");
                raw_name(b, "cafe\u{301}.rhai", b"y");
            }),
            "collide",
        ),
        (
            "entries",
            hostile(|b| (0..10_001).for_each(|i| raw_name(b, &format!("f{i}"), b""))),
            "entries",
        ),
    ];
    for (name, tar, says) in cases {
        let before = snapshot(&d);
        let path = tmp
            .path()
            .join(format!("{}.tar.gz", name.replace(' ', "-")));
        std::fs::write(&path, gz(&tar)).unwrap();
        let out = fails(&d, &["pack", "add", path.to_str().unwrap()], 2);
        assert!(out.contains(says), "{name}: {out}");
        assert_eq!(before, snapshot(&d), "{name}: the project is as it was");
        assert!(
            std::fs::read_dir(&outside).unwrap().next().is_none(),
            "{name}: nothing outside"
        );
    }
    // A bomb: 64 MiB of zeros in kilobytes (the same shape as a 1 GiB one,
    // quicker to make); refused after a few MiB are written.
    let bomb = tmp.path().join("bomb.tar.gz");
    {
        use std::io::Write;
        let f = std::fs::File::create(&bomb).unwrap();
        let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        let mut b = tar::Builder::new(&mut e);
        let m = manifest("1.0.0");
        b.append_data(
            &mut header(tar::EntryType::Regular, m.len() as u64),
            "pack.toml",
            m.as_bytes(),
        )
        .unwrap();
        let mut h = header(tar::EntryType::Regular, 64 << 20);
        h.set_path("big.rhai").unwrap();
        h.set_cksum();
        b.append(&h, std::io::Read::take(std::io::repeat(0), 64 << 20))
            .unwrap();
        b.finish().unwrap();
        drop(b);
        e.finish().unwrap().flush().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let before = snapshot(&d);
    let out = fails(&d, &["pack", "add", bomb.to_str().unwrap()], 2);
    assert!(out.contains("over 4 MiB") || out.contains("fold"), "{out}");
    assert_eq!(before, snapshot(&d));
    // Git sources cannot run commands: the `ext::` transport and refs read
    // as options are refused.
    let pwned = outside.join("pwned");
    let ext = format!("git+ext::sh -c touch% {}#v1", pwned.display());
    fails(&d, &["pack", "add", &ext], 2);
    assert!(!pwned.exists());
    let opt = format!("git+file://{}#--output=x", outside.display());
    assert!(flat(&fails(&d, &["pack", "add", &opt], 2)).contains("cannotstartwith`-`"));
    assert_eq!(before, snapshot(&d));
}

/// Reads `tact watch --format json` events until one `results` event
/// satisfies `done` (seeing the `error` events before it); panics after 30 s.
fn wait_for(
    events: &std::sync::mpsc::Receiver<serde_json::Value>,
    what: &str,
    done: impl Fn(&[serde_json::Value], &serde_json::Value) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut errors = vec![];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let e = events
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no watch event before the deadline: {what}"));
        match e["event"].as_str() {
            Some("reloaded") => errors.clear(),
            Some("error") => errors.push(e),
            Some("results") if done(&errors, &e) => return,
            _ => {}
        }
    }
}

#[test]
fn watch_reloads_an_updated_pack_and_refuses_a_tampered_one() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let word_rule = |tag: &str| {
        format!(
            "//! Flags there.\nfn meta() {{ #{{ level: \"warn\", kind: \"check\" }} }}\nfn check(note, options) {{ note.find([\"there\"]).map(|m| finding(m, \"{tag}\")) }}\n"
        )
    };
    write(&d.join("src/pack.toml"), &manifest("1.0.0"));
    write(&d.join("src/word.rhai"), &word_rule("v1"));
    write(&d.join("tact.toml"), "default_rulebook = \"acme/only\"\n");
    write(
        &d.join("src/rulebooks/only.toml"),
        "[rules]\n\"acme/word\" = \"warn\"\n",
    );
    write(
        &d.join("notes/a.txt"),
        "Hello there, I would like to connect.\n",
    );
    ok(d, &["pack", "add", "src"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(["watch", "notes", "--format", "json", "--debounce", "30"])
        .current_dir(d)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, events) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(v) = serde_json::from_str(&line) else {
                break;
            };
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let says = |results: &serde_json::Value, tag: &str| {
        results["files"].as_array().is_some_and(|files| {
            files.iter().any(|f| {
                f["findings"]
                    .as_array()
                    .is_some_and(|fs| fs.iter().any(|x| x["message"] == tag))
            })
        })
    };
    wait_for(&events, "the first check", |_, r| says(r, "v1"));
    // `tact pack update` with a new version: watch reloads it.
    write(&d.join("src/pack.toml"), &manifest("1.1.0"));
    write(&d.join("src/word.rhai"), &word_rule("v2"));
    ok(d, &["pack", "update", "acme"]);
    wait_for(&events, "the updated pack", |_, r| says(r, "v2"));
    // A file edited inside the installed pack: refused, like `check` does.
    write(&d.join(".tact/packs/acme/word.rhai"), &word_rule("evil"));
    wait_for(&events, "the tampered pack refused", |errors, r| {
        errors.iter().any(|e| e["code"] == "tact::pack::tampered") && !says(r, "evil")
    });
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_pack_rulebook_extends_only_packs_its_pack_depends_on() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("tact.toml"), "plugins = [\"plugins\"]\n");
    write(&d.join("plugins/acme/pack.toml"), &manifest("1.2.0"));
    write(
        &d.join("plugins/acme/rulebooks/enterprise-sales.toml"),
        RULEBOOK,
    );
    write(&d.join("plugins/acme/no-jargon.rhai"), RULE_V1);
    let team = |deps: &str| manifest("0.1.0").replace("\"acme\"", "\"team\"") + deps;
    write(&d.join("plugins/team/pack.toml"), &team(""));
    write(
        &d.join("plugins/team/rulebooks/ours.toml"),
        "extends = [\"acme/enterprise-sales\"]\n[rules]\n",
    );
    let out = fails(d, &["rulebooks", "team/ours"], 2);
    assert!(out.contains("tact::rulebook::undeclared-pack"), "{out}");
    assert!(
        flat(&out).contains("pack`team`doesnotdependonpack`acme`"),
        "{out}"
    );
    write(
        &d.join("plugins/team/pack.toml"),
        &team("[dependencies]\nacme = \"^1.1\"\n"),
    );
    let shown = ok(d, &["rulebooks", "team/ours"]);
    assert!(
        shown.contains("acme/enterprise-sales → team/ours"),
        "{shown}"
    );
    assert!(shown.contains("acme/no-jargon"), "{shown}");
    // A dependency at a version the requirement refuses: the pack is not loaded.
    write(
        &d.join("plugins/team/pack.toml"),
        &team("[dependencies]\nacme = \"^2\"\n"),
    );
    let out = fails(d, &["rulebooks", "team/ours"], 2);
    assert!(
        flat(&out).contains("needspack`acme`^2,buttheprojecthas1.2.0"),
        "{out}"
    );
}

#[test]
fn new_rules_go_where_their_pack_keeps_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("tact.toml"), "plugins = [\"plugins\"]\n");
    write(&d.join("plugins/acme/pack.toml"), &manifest("1.0.0"));
    std::fs::create_dir_all(d.join("plugins/acme/plugins")).unwrap();
    ok(d, &["new", "rule", "acme/no-x"]);
    ok(d, &["new", "rule", "no-y", "--dir", "plugins/acme"]);
    assert!(d.join("plugins/acme/plugins/no-x.rhai").is_file());
    assert!(d.join("plugins/acme/plugins/no-y.rhai").is_file());
    assert!(ok(d, &["pack", "test", "acme"]).contains("6 passed, 0 failed"));
}
