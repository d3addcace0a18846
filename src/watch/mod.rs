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
//! # JSON events (`--format json`)
//!
//! One JSON object per line. Every update (the first check included) is
//! `reloaded`, then one `error` per current load error, then `results`:
//!
//! ```text
//! {"event":"reloaded","initial":false,"time_ms":1767225600123,"config":false,
//!  "changed":["/abs/plugins/local/shout.rhai"],"rules":["local/shout"],"rulebooks":[],
//!  "notes_checked":2,"reload_ms":1.21,"check_ms":0.35,"errors":1}
//! {"event":"error","code":"tact::plugin::syntax","message":"syntax error in rule `local/shout`: …",
//!  "file":"/abs/plugins/local/shout.rhai","span":{"start":40,"end":41},
//!  "start":{"line":3,"column":5},"end":{"line":3,"column":6},"help":"…","kept":true}
//! {"event":"results","files":[{"file":"notes/a.txt","notes":1,"findings":[…],"errors":[]}],
//!  "removed":[],"summary":{"notes":2,"errors":0,"warnings":1,"infos":0,…}}
//! ```
//!
//! - `reloaded`: `initial` is true for the first check; `changed` lists the
//!   files whose content changed, named as in findings and errors (notes as
//!   given on the command line, rules and rulebooks by path); `rules` the rule ids added, changed or
//!   removed; `rulebooks` the rulebook names added, changed or removed;
//!   `config` is true when `tact.toml` was reloaded; `notes_checked` counts
//!   the notes re-checked; `reload_ms` and `check_ms` time the update
//!   (debounce excluded); `errors` says how many `error` events follow.
//! - `error`: a load error (rule, rulebook, config, folder or the watcher),
//!   with the fields of `tact check --format json` errors plus the span's
//!   `end`, and `kept`: true when the last good version keeps running (for
//!   an unknown rule in a rulebook: the rulebook without that entry). The
//!   `error` events of an update are the complete set: an error that is not
//!   repeated has been fixed.
//! - `results`: `files` holds every note file whose results changed, each
//!   replacing what was known for it (the first update lists them all);
//!   `findings` have the fields of `tact check --format json` findings;
//!   `errors` are that file's own problems (unreadable rows, rule failures).
//!   `removed` lists note files that went away; `summary` counts over all
//!   watched notes.

pub mod output;
pub mod plan;
pub mod state;
