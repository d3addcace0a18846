//! Every diagnostic code tact reports, with what it means: the error
//! reference (`tact explain CODE` prints an entry; the README lists them).
//! A test (`tests/codes.rs`) keeps this table and the codes in the source
//! in step.

/// One diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The code, e.g. `tact::rulebook::cycle`.
    pub code: &'static str,
    /// What it means and what to do.
    pub meaning: &'static str,
}

const fn c(code: &'static str, meaning: &'static str) -> Code {
    Code { code, meaning }
}

/// Every code, sorted.
pub const ALL: &[Code] = &[
    c(
        "tact::config::channel",
        "a `[select]` table in `tact.toml` names an unknown channel (request, message, inmail)",
    ),
    c(
        "tact::config::glob",
        "a `[select]` glob in `tact.toml` is not a valid glob",
    ),
    c(
        "tact::config::nested",
        "a warning: a folder `tact watch` walks holds another project (its own `tact.toml`); its notes are left out (watch it on its own, or use `--config`)",
    ),
    c(
        "tact::config::read",
        "`tact.toml` (or `--config FILE`) cannot be read",
    ),
    c(
        "tact::config::select",
        "a `[select]` entry in `tact.toml` is neither a rulebook name nor a table of `rulebook`, `channel`, `followup`",
    ),
    c(
        "tact::config::syntax",
        "`tact.toml` is not valid TOML or has an unknown key",
    ),
    c(
        "tact::eval::label",
        "a labelled row's `verdict`, `expect`, score or outcome columns are not what `tact eval` reads",
    ),
    c(
        "tact::eval::nothing",
        "a `tact eval` floor has nothing to measure: no labelled notes, or no scores to split",
    ),
    c(
        "tact::explain::unknown-rule",
        "`tact explain` names no known rule or code",
    ),
    c(
        "tact::fix::batch",
        "the fixed batch cannot be written to `--output`",
    ),
    c(
        "tact::fix::changed",
        "a file changed on disk after it was checked; the fix was not written (your save wins)",
    ),
    c(
        "tact::fix::conflict",
        "rules' fixes undo each other or did not settle; with `--fix` nothing is written",
    ),
    c(
        "tact::fix::too-large",
        "a fixed note would grow past the note size cap; nothing was written",
    ),
    c(
        "tact::fix::write",
        "a fixed note cannot be written back (the file is left as it was)",
    ),
    c(
        "tact::input::csv-header",
        "a CSV batch has no `text`, `message` or `request` column",
    ),
    c("tact::input::empty", "a note file has no text"),
    c(
        "tact::input::empty-folder",
        "a folder holds no `.txt`, `.md`, `.jsonl` or `.csv` files",
    ),
    c(
        "tact::input::file-name",
        "a file name is not valid UTF-8; the file was not read",
    ),
    c(
        "tact::input::front-matter",
        "a note's `+++` front matter is malformed, unclosed, or has an unknown key",
    ),
    c("tact::input::read", "a note file or folder cannot be read"),
    c(
        "tact::input::row",
        "a batch row is malformed (bad JSON or CSV, no text, a wrong value)",
    ),
    c("tact::input::too-large", "a note is over the size cap"),
    c("tact::input::utf8", "a note is not valid UTF-8"),
    c(
        "tact::output",
        "output (a diff, a report) cannot be written",
    ),
    c(
        "tact::pack::build",
        "`tact pack build` cannot read the pack's files (a symlink or special file in it) or write the archive",
    ),
    c(
        "tact::pack::dependency",
        "a pack depends on a pack the project does not have, or not at a version its `[dependencies]` accept; it is not loaded",
    ),
    c(
        "tact::pack::duplicate",
        "two packs have one name (both folders are named); the second is not loaded, unless `[overrides]` in tact.toml says which replaces the other",
    ),
    c(
        "tact::pack::fetch",
        "`tact pack add` or `update` could not fetch or extract the pack (a bad source, a git error, or an archive refused as unsafe: `..`, absolute paths, links, devices, FIFOs, colliding names, too many entries or bytes); nothing was changed",
    ),
    c(
        "tact::pack::install",
        "an added pack cannot be moved into `.tact/packs/`, or tact.toml and tact.lock cannot be written; what was changed was put back",
    ),
    c(
        "tact::pack::lock",
        "`tact.lock` cannot be read or is malformed",
    ),
    c(
        "tact::pack::locked",
        "`--locked` was given and the command would change `tact.lock`",
    ),
    c(
        "tact::pack::manifest",
        "a `pack.toml` is malformed, has an unknown key, a name that is not kebab-case, a version that is not semver, or names another pack than expected",
    ),
    c(
        "tact::pack::missing",
        "a pack is pinned in `tact.lock` but its folder in `.tact/packs/` is gone; run `tact pack update`",
    ),
    c(
        "tact::pack::no-project",
        "a `tact pack` command that changes the project found no `tact.toml`",
    ),
    c(
        "tact::pack::override",
        "an `[overrides]` entry in tact.toml names a rule or pack that does not exist, or a file or folder that is not there",
    ),
    c(
        "tact::pack::stale",
        "`tact.toml` and `tact.lock` disagree (another source, or a pack in one only); run `tact pack update` or `tact pack remove`",
    ),
    c(
        "tact::pack::tact-version",
        "a pack needs another version of tact (its `tact` requirement); it is not loaded",
    ),
    c(
        "tact::pack::tampered",
        "an added pack's files no longer match the SHA-256 sums in `tact.lock` (the changed files are named); it is refused until restored or updated on purpose",
    ),
    c(
        "tact::pack::unknown",
        "a `tact pack` command names a pack the project does not have",
    ),
    c(
        "tact::pack::unlocked",
        "a pack in `[packs]` of tact.toml is not pinned in `tact.lock`; run `tact pack update NAME`",
    ),
    c(
        "tact::plugin::bad-meta",
        "a rule's `meta()` returned a map with a wrong key or value",
    ),
    c("tact::plugin::meta", "a rule's `meta()` failed when called"),
    c(
        "tact::plugin::no-check",
        "a rule file has no `check` function",
    ),
    c(
        "tact::plugin::no-meta",
        "a rule file has no `meta` function",
    ),
    c(
        "tact::plugin::read",
        "a plugin folder or rule file cannot be read",
    ),
    c("tact::plugin::syntax", "a rule script does not compile"),
    c(
        "tact::plugin::too-large",
        "a rule script is over the size cap",
    ),
    c(
        "tact::rule::failed",
        "a rule failed on a note (threw, exceeded a limit, or returned a wrong shape); the other rules still ran",
    ),
    c(
        "tact::rule::skipped",
        "a rule failed on `[limits] max_failures` notes and was not called on the rest",
    ),
    c(
        "tact::rulebook::ambiguous-rule",
        "a rulebook's short rule id matches rules of several packs; write the full id",
    ),
    c(
        "tact::rulebook::channel",
        "a rulebook's `[channels.NAME]` table names an unknown channel",
    ),
    c(
        "tact::rulebook::channel-rule",
        "a rulebook's `[channels.NAME]` table sets a rule that does not apply to that channel",
    ),
    c(
        "tact::rulebook::cycle",
        "rulebooks extend each other in a cycle",
    ),
    c(
        "tact::rulebook::duplicate",
        "a rulebook sets the same rule twice",
    ),
    c(
        "tact::rulebook::entry",
        "a rulebook entry is neither a level nor a table",
    ),
    c(
        "tact::rulebook::folder",
        "a rulebook folder from `tact.toml` does not exist",
    ),
    c(
        "tact::rulebook::level",
        "a rulebook sets an unknown level (off, info, warn, error)",
    ),
    c(
        "tact::rulebook::missing",
        "no rulebook has the name a note, the config or `--rulebook` gives",
    ),
    c(
        "tact::rulebook::name",
        "a rulebook's `name` differs from its file name",
    ),
    c(
        "tact::rulebook::option-type",
        "a rulebook sets an option to a value of the wrong type",
    ),
    c("tact::rulebook::read", "a rulebook file cannot be read"),
    c(
        "tact::rulebook::syntax",
        "a rulebook is not valid TOML or has an unknown key",
    ),
    c(
        "tact::rulebook::too-many-triggers",
        "a rulebook gives a trigger option more phrases than the trigger bounds allow",
    ),
    c(
        "tact::rulebook::undeclared-pack",
        "a pack's rulebook extends a rulebook of a pack its `pack.toml` does not list under `[dependencies]`",
    ),
    c(
        "tact::rulebook::unknown-option",
        "a rulebook sets an option the rule does not have",
    ),
    c(
        "tact::rulebook::unknown-rule",
        "a rulebook names a rule that does not exist",
    ),
    c(
        "tact::rulebook::unusable",
        "a note was not checked because its rulebook has errors (reported once, above)",
    ),
    c(
        "tact::scaffold::exists",
        "`tact init` or `tact new` would overwrite a file",
    ),
    c(
        "tact::scaffold::name",
        "`tact new rule` was given a name that is not kebab-case",
    ),
    c(
        "tact::scaffold::no-plugins",
        "`tact new rule` found no plugin folder to write to",
    ),
    c(
        "tact::scaffold::pack",
        "`tact new rule` was given a pack that does not exist",
    ),
    c(
        "tact::scaffold::write",
        "`tact init` or `tact new` cannot write a file",
    ),
    c(
        "tact::test::no-match",
        "`tact test --filter` matches no rule",
    ),
    c(
        "tact::test::none",
        "`tact test` found no test cases to run (a wrong folder, or rules without `.test.toml`)",
    ),
    c("tact::usage", "the command line's flags do not go together"),
    c("tact::watch::folder", "`tact watch` cannot watch a folder"),
    c(
        "tact::watch::not-checked",
        "in watch mode, a note was not checked because its rulebook has errors",
    ),
    c("tact::watch::notify", "the file watcher reported an error"),
];

/// What `code` means, if tact reports it.
pub fn describe(code: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        assert!(ALL.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(
            describe("tact::rulebook::cycle").map(|c| c.code),
            Some("tact::rulebook::cycle")
        );
        assert!(describe("tact::nosuch").is_none());
    }
}
