//! `tact init` and `tact new rule`: write a working project or rule that
//! passes `tact test` and `tact check` at once. Never overwrites a file.

use super::args::RuleKind;
use crate::cli::Outcome;
use std::path::{Path, PathBuf};
use tact::config::{FILE_NAME, Project};
use tact::problem::Problem;

const CONFIG: &str = r#"# tact project config. Paths are relative to this file.
plugins = ["plugins"]              # plugin folders: one sub-folder per pack
# rulebooks = ["rulebooks"]        # the project's own rulebook folders (*.toml)
default_rulebook = "team/outreach" # for notes with no `goal` and no [select] match

# Which rulebook checks which notes (globs relative to this file).
[select]
"notes/followups/**" = "follow-up"
"#;

/// A pack's rulebook: found as `PACK/outreach`.
fn rulebook(pack: &str) -> String {
    format!(
        r#"name = "outreach"
description = "Our team's rulebook: the general rules plus our own."
audience = "anyone we write to"
goal = "a short, specific first note"
extends = ["general"]

[rules]
"{pack}/no-jargon" = "warn"
"#
    )
}

/// A pack's manifest, needing this tact's minor version or later.
fn manifest(pack: &str) -> String {
    let v = semver::Version::parse(tact::pack::manifest::TACT_VERSION)
        .expect("Cargo's version is semver");
    format!(
        r#"name = "{pack}"                 # the namespace: rules are {pack}/NAME, rulebooks {pack}/NAME
version = "0.1.0"
description = "Our team's rules and rulebooks for LinkedIn notes."
license = "MIT"                 # an SPDX expression
authors = []
# homepage = "https://…"        # where the rules are documented (SARIF links each rule there)
tact = ">={}.{}"                 # the tact versions this pack works with

[dependencies]                  # other packs whose rulebooks ours extend: name = "^1.0"
"#,
        v.major, v.minor
    )
}

/// A complete pack in `dir`: manifest, one rule, its tests, a rulebook.
fn pack_files(dir: &Path, pack: &str) -> Vec<(PathBuf, String)> {
    vec![
        (dir.join("pack.toml"), manifest(pack)),
        (
            dir.join("no-jargon.rhai"),
            rule_script(&format!("{pack}/no-jargon"), RuleKind::Check),
        ),
        (dir.join("no-jargon.test.toml"), rule_tests(RuleKind::Check)),
        (dir.join("rulebooks/outreach.toml"), rulebook(pack)),
    ]
}

const NOTE: &str = r#"+++
to = "Riya Sharma"
goal = "team/outreach"
[context]
post = "SaaS pricing pages"
+++
Hi Riya, I saw your post on SaaS pricing pages and the point about annual plans
stuck with me. I work on pricing at a small startup and would like to connect.
"#;

fn rule_script(name: &str, kind: RuleKind) -> String {
    if kind == RuleKind::Phrases {
        return phrase_rule_script(name);
    }
    let (kind_str, fix_doc, edit) = match kind {
        RuleKind::Check | RuleKind::Phrases => ("check", "", ""),
        RuleKind::Rewrite => (
            "rewrite",
            "//!\n//! ## Fix safety\n//! Unsafe: the replacement changes the wording, so it needs `--unsafe-fixes`.\n",
            "        // A rewrite: `replace`, `delete`, `insert_before`, `insert_after`;\n        // `as_unsafe` marks an edit that changes the wording.\n        f.edits = [as_unsafe(replace(m, options.replacement))];\n",
        ),
    };
    let replacement = if kind == RuleKind::Rewrite {
        "            replacement: \"talk\",\n"
    } else {
        ""
    };
    format!(
        r#"//! Jargon that makes a note sound like a template ({name}).
//!
//! ## What it does
//! Flags the phrases listed in the `phrases` option.
//!
//! ## Why
//! Say where the idea comes from, so readers of `tact explain` trust it.
//!
//! ## Example
//! Flagged: "Let's touch base next week."
{fix_doc}
fn meta() {{
    #{{
        level: "warn",                 // info, warn or error
        kind: "{kind_str}",
        options: #{{
            phrases: ["touch base", "circle back", "synergize"],
{replacement}        }},
        // Only notes containing one of these phrases reach `check` (fast).
        trigger_options: ["phrases"],
    }}
}}

fn check(note, options) {{
    let found = [];
    // `note.find` is case-insensitive, on word boundaries, and compiled once.
    for m in note.find(options.phrases) {{
        let f = finding(m, `"${{m.text}}" is jargon`, "say it in plain words");
{edit}        found.push(f);
    }}
    found
}}
"#
    )
}

/// A script-free phrase rule: `report` in `meta()`, no `check`.
fn phrase_rule_script(name: &str) -> String {
    format!(
        r#"//! Jargon that makes a note sound like a template ({name}).
//!
//! ## What it does
//! Flags the phrases listed in the `phrases` option.
//!
//! ## Why
//! Say where the idea comes from, so readers of `tact explain` trust it.
//!
//! ## Example
//! Flagged: "Let's touch base next week."

fn meta() {{
    #{{
        level: "warn",                 // info, warn or error
        options: #{{
            phrases: ["touch base", "circle back", "synergize"],
        }},
        trigger_options: ["phrases"],
        // No script: tact reports each phrase found ({{match}} is its text).
        // Add `replace: "..."` (with `kind: "rewrite"`) to offer a fix.
        report: #{{
            message: "\"{{match}}\" is jargon",
            help: "say it in plain words",
        }},
    }}
}}
"#
    )
}

fn rule_tests(kind: RuleKind) -> String {
    let fix = if kind == RuleKind::Rewrite {
        "unsafe_output = \"Hi Sam, could we talk next week?\"\n"
    } else {
        ""
    };
    format!(
        r#"# Test cases for this rule: run them with `tact test`.

[[invalid]]
note = "Hi Sam, could we touch base next week?"
flagged = ["touch base"]
{fix}
[[invalid]]
note = "Let's circle back and synergize."
flagged = ["circle back", "synergize"]

[[valid]]
note = "Hi Sam, I enjoyed your talk on onboarding and would like to connect."
"#
    )
}

fn refuse_existing(files: &[(PathBuf, String)]) -> Result<(), Problem> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Problem::error(
        "tact::scaffold::exists",
        format!("not overwriting: {}", existing.join(", ")),
    )
    .help("move or delete them, or choose another name or folder"))
}

fn write_all(files: &[(PathBuf, String)]) -> Result<(), Problem> {
    refuse_existing(files)?;
    for (path, text) in files {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, text)
        };
        write().map_err(|e| {
            Problem::error(
                "tact::scaffold::write",
                format!("cannot write `{}`: {e}", path.display()),
            )
        })?;
        let cwd = std::env::current_dir().unwrap_or_default();
        println!(
            "created {}",
            path.strip_prefix(&cwd).unwrap_or(path).display()
        );
    }
    Ok(())
}

fn finish(result: Result<(), Problem>, color: bool) -> Outcome {
    match result {
        Ok(()) => Outcome::Clean,
        Err(p) => {
            eprint!("{}", p.render(color));
            Outcome::Error
        }
    }
}

/// `tact pack new NAME [--dir DIR]`: a complete pack in `DIR/NAME`.
pub fn new_pack(name: &str, dir: Option<&Path>, color: bool) -> Outcome {
    if !tact::pack::manifest::valid_name(name) {
        return finish(
            Err(Problem::error(
                "tact::scaffold::name",
                format!("`{name}` is not a pack name"),
            )
            .help("a pack name is lowercase kebab-case: `acme`, `sales-team`")),
            color,
        );
    }
    let folder = dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
    let result = write_all(&pack_files(&folder, name));
    if result.is_ok() {
        println!(
            "next: `tact pack test {}` runs its cases, `tact pack build {}` makes an archive to share",
            folder.display(),
            folder.display()
        );
    }
    finish(result, color)
}

/// `tact init [DIR]`: a `tact.toml`, a complete pack (manifest, one rule and
/// its tests, a rulebook) and a note.
pub fn init(dir: &Path, color: bool) -> Outcome {
    let at = |rel: &str| {
        if dir == Path::new(".") {
            PathBuf::from(rel)
        } else {
            dir.join(rel)
        }
    };
    let mut files = vec![(at(FILE_NAME), CONFIG.to_owned())];
    files.extend(pack_files(&at("plugins/team"), "team"));
    files.push((at("notes/first.md"), NOTE.to_owned()));
    let result = write_all(&files);
    if result.is_ok() {
        println!("next: `tact test` runs the rule's cases, `tact check notes` checks the note");
    }
    finish(result, color)
}

/// Where a new rule goes and the pack it will belong to, as discovery will
/// see it: `--dir` (whose pack is its `pack.toml` name or its folder name), else
/// the project's first plugin folder, under the named pack or `local`.
fn rule_folder(
    project: &Project,
    pack: Option<&str>,
    dir: Option<&Path>,
) -> Result<(PathBuf, String), Problem> {
    if let Some(d) = dir {
        // The pack discovery will see there (a bad pack.toml is an error),
        // and its rules folder (`plugins/` when it has one).
        let found = tact::pack::Pack::at(d, tact::pack::Origin::Local)?;
        let own = found.name;
        if let Some(p) = pack
            && p != own
        {
            return Err(Problem::error(
                "tact::scaffold::pack",
                format!("`--dir {}` holds pack `{own}`, not `{p}`", d.display()),
            )
            .help(format!(
                "name the rule `{own}/…`, leave the pack out, or pick the folder of pack `{p}`"
            )));
        }
        return Ok((found.rules_dir.unwrap_or_else(|| d.to_path_buf()), own));
    }
    let Some(base) = project.plugins.first() else {
        return Err(Problem::error("tact::scaffold::no-plugins", "no plugin folder to put the rule in")
            .help("run `tact init` to create a project, add `plugins = [\"plugins\"]` to tact.toml, or pass `--dir`"));
    };
    let pack = pack.unwrap_or("local").to_owned();
    let folder = base.join(&pack);
    let rules = tact::pack::Pack::at(&folder, tact::pack::Origin::Local)?.rules_dir;
    Ok((rules.unwrap_or(folder), pack))
}

/// `tact new rule NAME`: NAME is `pack/name` or `name`; the rule goes in
/// `--dir`, else in the project's first plugin folder under its pack.
pub fn new_rule(
    project: &Project,
    name: &str,
    kind: RuleKind,
    dir: Option<&Path>,
    color: bool,
) -> Outcome {
    let (pack, rule) = match name.split_once('/') {
        Some((p, r)) => (Some(p), r),
        None => (None, name),
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !valid(rule) || pack.is_some_and(|p| !valid(p)) {
        return finish(
            Err(Problem::error(
                "tact::scaffold::name",
                format!("`{name}` is not a rule name"),
            )
            .help("use kebab-case, optionally with a pack: `team/no-jargon`")),
            color,
        );
    }
    let (folder, pack) = match rule_folder(project, pack, dir) {
        Ok(x) => x,
        Err(p) => return finish(Err(p), color),
    };
    let id = format!("{pack}/{rule}");
    let files = vec![
        (folder.join(format!("{rule}.rhai")), rule_script(&id, kind)),
        (folder.join(format!("{rule}.test.toml")), rule_tests(kind)),
    ];
    let result = write_all(&files);
    if result.is_ok() {
        println!(
            "next: edit the rule, run `tact test --filter {id}`, and enable it in a rulebook: \"{id}\" = \"warn\""
        );
    }
    finish(result, color)
}
