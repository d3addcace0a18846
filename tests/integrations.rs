//! The files that fit tact into other tools: the pre-commit hooks (run with
//! the real `pre-commit` when it is installed), the GitHub Action and the
//! release workflow (their YAML parsed, their key parts checked).

mod common;
use common::Dir;
use std::path::Path;
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The YAML file as JSON, through Python's YAML parser (None when it is not
/// installed: then the file is only read).
fn yaml(rel: &str) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(Path::new(REPO).join(rel)).expect("the file exists");
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take()?.write_all(text.as_bytes()).ok()?;
            child.wait_with_output().ok()
        })?;
    if String::from_utf8_lossy(&out.stderr).contains("No module named 'yaml'") {
        return None;
    }
    assert!(
        out.status.success(),
        "{rel} is not valid YAML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_action_is_a_composite_that_runs_the_github_format() {
    let Some(action) = yaml("action.yml") else {
        return;
    };
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(
        steps.iter().all(|s| s["shell"] == "bash"),
        "composite run steps need a shell"
    );
    let run: String = steps
        .iter()
        .map(|s| s["run"].as_str().unwrap_or(""))
        .collect();
    assert!(run.contains("cargo install --locked --quiet --path \"$GITHUB_ACTION_PATH\""));
    assert!(run.contains("tact check --format github"));
    for input in ["paths", "args"] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }
}

#[test]
fn the_release_workflow_builds_for_linux_macos_and_windows() {
    let Some(wf) = yaml(".github/workflows/release.yml") else {
        return;
    };
    let include = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap();
    let targets: Vec<&str> = include
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t} in {targets:?}");
    }
    // YAML reads a bare `on` as true; the trigger is under either key.
    let on = if wf["on"].is_null() {
        &wf["true"]
    } else {
        &wf["on"]
    };
    assert_eq!(on["push"]["tags"][0], "v*");
}

#[test]
fn pre_commit_try_repo_fails_a_commit_with_a_bad_note() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    if let Some(hooks) = &hooks {
        let ids: Vec<&str> = hooks
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["tact", "tact-system"]);
    }
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("pre-commit is not installed; only the hooks file was checked");
        return;
    }
    let d = Dir::new();
    let bad = std::fs::read_to_string(Path::new(REPO).join("examples/sales-fail.md")).unwrap();
    d.write("notes/bad.md", &bad);
    d.write("README.md", &bad);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(d.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    let bin = Path::new(env!("CARGO_BIN_EXE_tact")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |files: &[&str]| {
        let mut args = vec!["try-repo", REPO, "tact-system", "--files"];
        args.extend_from_slice(files);
        Command::new("pre-commit")
            .args(&args)
            .current_dir(d.path())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", d.path().join(".cache"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&["notes/bad.md", "README.md"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("core/no-pitch") && text.contains("notes/bad.md"),
        "{text}"
    );
    assert!(!text.contains("README.md:"), "README is excluded: {text}");
    // The README alone passes: the hook skips it.
    let out = run(&["README.md"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
