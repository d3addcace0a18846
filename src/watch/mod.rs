//! `tact watch`: check notes, then check them again whenever a note, a rule,
//! a rulebook or `tact.toml` changes.
//!
//! The pieces:
//! - [`plan`] turns a batch of file events into what to look at again (pure,
//!   table-tested);
//! - [`state`] keeps a [`crate::workspace::Workspace`] (which reloads what
//!   changed, by content hash, keeping the last good rules and rulebooks) and
//!   every note's results, and re-checks only the notes a change affects;
//! - [`output`] shows each update;
//! - the command line (`tact watch`) runs the loop: `notify` with
//!   `notify-debouncer-full`, watching folders (never single files, which a
//!   save by rename-over kills).
//!
//! Watch mode never exits on a bad edit, a deleted file or a read error: a
//! rule, rulebook or config that fails to load keeps its last good version
//! running, and its error is shown until the file is fixed. Ctrl-C stops it
//! (output is flushed after every update, so the default SIGINT handling
//! loses nothing).
//!
//! Each row of a batch is kept as a content hash, the rulebook that checked
//! it and its counts, not as its note and findings, so memory stays flat
//! however large the batch; appending, editing or deleting rows re-checks and
//! re-sends only those rows. Results are handed to the output as they are
//! checked (see [`state::Sink`]) and spooled until the update is written.
//!
//! # JSON events (`--format json`)
//!
//! One JSON object per line. Every update (the first check included) is
//! `reloaded`, then one `error` per current load error, then `results`:
//!
//! ```text
//! {"event":"reloaded","initial":false,"time_ms":1767225600123,"config":false,
//!  "changed":["notes/leads.jsonl"],"rules":[],"rulebooks":[],
//!  "notes_checked":1,"reload_ms":1.21,"check_ms":0.35,"errors":1}
//! {"event":"error","code":"tact::plugin::syntax","message":"syntax error in rule `local/shout`: …",
//!  "file":"/abs/plugins/local/shout.rhai","span":{"start":40,"end":41},
//!  "start":{"line":3,"column":5},"end":{"line":3,"column":6},"help":"…","kept":true}
//! {"event":"results","files":[{"file":"notes/leads.jsonl","notes":4001,"rows":[4001],
//!  "removed_rows":[],"findings":[…],"errors":[]}],"removed":[],
//!  "summary":{"notes":4002,"errors":0,"warnings":1,"infos":0,…}}
//! ```
//!
//! - `reloaded`: `initial` is true for the first check; `changed` lists the
//!   files whose content changed, named as in findings and errors (notes as
//!   given on the command line, rules and rulebooks by path); `rules` the rule ids added, changed or
//!   removed; `rulebooks` the rulebook names added, changed or removed;
//!   `config` is true when `tact.toml` was reloaded; `notes_checked` counts
//!   the notes re-checked; `reload_ms` and `check_ms` time the update
//!   (debounce excluded); `errors` says how many `error` events follow.
//! - `error`: a load error (rule, rulebook, config, folder or the watcher)
//!   or a nested project whose notes are left out,
//!   with the fields of `tact check --format json` errors plus the span's
//!   `end`, and `kept`: true when the last good version keeps running (for
//!   an unknown rule in a rulebook: the rulebook without that entry). The
//!   `error` events of an update are the complete set: an error that is not
//!   repeated has been fixed.
//! - `results`: `files` holds every note file with fresh results. An entry
//!   without `rows` replaces what was known for the file (a note file, or a
//!   batch seen for the first time); a batch entry with `rows` replaces the
//!   results of just those rows and drops the rows in `removed_rows`, every
//!   other row keeping what was sent before. `findings` have the fields of
//!   `tact check --format json` findings; `errors` are the sent rows' own
//!   problems (unreadable rows, rule failures); `notes` counts the file's
//!   notes. `removed` lists note files that went away; `summary` counts over
//!   all watched notes.

pub mod output;
pub mod plan;
pub mod state;
