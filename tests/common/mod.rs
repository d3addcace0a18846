//! A temporary project folder and a way to run the real `tact` binary in it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary folder to run tact in (no `tact.toml` unless a test writes one).
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A project whose default rulebook `t` runs pack `t`: `t/shout` flags
    /// "LOUD" (error, safe fix to "loud"), `t/hedge` flags "maybe " (warn,
    /// unsafe fix deleting it).
    pub fn with_test_pack() -> Dir {
        let d = Dir::new();
        d.write(
            "tact.toml",
            "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\ndefault_rulebook = \"t\"\n",
        );
        d.write(
            "plugins/t/shout.rhai",
            "//! Shouting.\nfn meta() { #{ level: \"error\", kind: \"rewrite\", triggers: [\"LOUD\"] } }\nfn check(note, options) {\n    note.find_regex(\"\\\\bLOUD\\\\b\").map(|m| { let f = finding(m, \"no shouting\", \"write it in lower case\"); f.edits = [replace(m, \"loud\")]; f })\n}\n",
        );
        d.write(
            "plugins/t/hedge.rhai",
            "//! Hedging.\nfn meta() { #{ level: \"warn\", kind: \"rewrite\", triggers: [\"maybe\"] } }\nfn check(note, options) {\n    note.find_regex(\"maybe \").map(|m| { let f = finding(m, \"hedging\"); f.edits = [as_unsafe(delete(m))]; f })\n}\n",
        );
        d.write(
            "rulebooks/t.toml",
            "[rules]\n\"t/shout\" = \"error\"\n\"t/hedge\" = \"warn\"\n",
        );
        d
    }

    /// A project whose default rulebook `t` enables one rule, `t/NAME`
    /// written from `source`, at `level`.
    pub fn with_rule(name: &str, source: &str, level: &str) -> Dir {
        let d = Dir::new();
        d.write(
            "tact.toml",
            "plugins = [\"plugins\"]\nrulebooks = [\"rulebooks\"]\ndefault_rulebook = \"t\"\n",
        );
        d.write(&format!("plugins/t/{name}.rhai"), source);
        d.write(
            "rulebooks/t.toml",
            &format!("[rules]\n\"t/{name}\" = \"{level}\"\n"),
        );
        d
    }

    /// The messages of `check --format json FILE`'s findings, in order.
    pub fn messages(&self, file: &str) -> Vec<String> {
        self.run(&["check", "--format", "json", file], "").json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.tmp.path().join(rel)).unwrap()
    }

    /// Runs tact with `args` in this folder, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tact"))
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tact runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        Run(child.wait_with_output().unwrap())
    }
}

/// The output of one run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0
            .status
            .code()
            .expect("exited normally, not by a signal")
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}\n{}", self.stdout(), self.stderr()))
    }
    /// The rule ids of the JSON findings.
    pub fn rules(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    }
    #[track_caller]
    pub fn assert_code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code(),
            want,
            "exit status\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}
