//! Showing a watch run: diagnostics and a status line for people, or JSON
//! lines for editors (the event schema is in the `watch` module's
//! documentation). Only what changed is shown. Results arrive through
//! [`Sink`] while notes are checked and are spooled (in memory, then to a
//! temporary file past 1 MiB), so an update's output never grows memory
//! with the size of a batch.

use super::state::{Cycle, Fresh, Sink, State};
use crate::finding::Finding;
use crate::problem::{Problem, Source};
use crate::render::{JsonFinding, Summary, failure_problem, finding_problem};
use crate::span::{LineCol, LineIndex, Span};
use crate::workspace::LoadError;
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tempfile::SpooledTempFile;

/// How to show results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchFormat {
    /// Diagnostics of what changed and a status line per update.
    Human,
    /// One JSON event per line (`reloaded`, `error`, `results`).
    Json,
}

/// Bytes a spool holds in memory before it moves to a temporary file.
const SPOOL_MEMORY: usize = 1 << 20;

/// Text written now and read back later, in memory while small.
struct Spool {
    file: SpooledTempFile,
    /// Items written (to place commas between JSON values).
    items: usize,
}

impl Spool {
    fn new() -> Spool {
        Spool {
            file: SpooledTempFile::new(SPOOL_MEMORY),
            items: 0,
        }
    }

    /// Writes one JSON value, after a comma when it is not the first.
    fn json(&mut self, value: &impl Serialize) -> io::Result<()> {
        if self.items > 0 {
            self.file.write_all(b",")?;
        }
        self.items += 1;
        serde_json::to_writer(&mut self.file, value).map_err(io::Error::other)
    }

    /// Copies what was written to `out`, then empties the spool.
    fn drain_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0))?;
        io::copy(&mut self.file, out)?;
        self.clear()
    }

    fn clear(&mut self) -> io::Result<()> {
        self.items = 0;
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0)).map(drop)
    }
}

/// Writes one update at a time to a sink, flushing after each.
pub struct Output {
    format: WatchFormat,
    color: bool,
    cwd: Option<std::path::PathBuf>,
    out: Box<dyn Write>,
    /// This update's results: rendered diagnostics, or JSON file entries.
    results: Spool,
    /// The findings and errors of the file being written (JSON).
    findings: Spool,
    errors: Spool,
    /// The first write error of this update, reported by [`Output::cycle`].
    failed: Option<io::Error>,
    /// Findings rendered in the last update, by [`finding_key`], and those
    /// of this one: a note checked again renders only findings it has not
    /// shown before (at most [`RENDERED_KEPT`] are kept).
    rendered: HashMap<u64, String>,
    rendering: HashMap<u64, String>,
}

/// How many rendered findings are kept for the next update: enough for a
/// project of note files, bounded for a large batch.
const RENDERED_KEPT: usize = 4096;

/// What a rendered finding depends on: the note's name and text, and the
/// finding's rule, level, span, message, help and fix safety.
fn finding_key(name: &str, source: &str, f: &Finding) -> u64 {
    let mut h = DefaultHasher::new();
    (name, source, &f.rule, f.level, f.span.start, f.span.end).hash(&mut h);
    (&f.message, &f.help, f.fix.as_ref().map(|x| x.safety)).hash(&mut h);
    h.finish()
}

/// A problem as JSON: the same fields as the `errors` of `tact check --format json`.
#[derive(Serialize)]
struct JsonProblem<'a> {
    code: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    row: Option<usize>,
    span: Option<Span>,
    start: Option<LineCol>,
    end: Option<LineCol>,
    help: Option<&'a str>,
}

impl<'a> From<&'a Problem> for JsonProblem<'a> {
    fn from(p: &'a Problem) -> Self {
        let span = p.labels.first().map(|(s, _)| *s);
        let (start, end) = match (&p.source, span) {
            (Some(src), Some(s)) => {
                let idx = LineIndex::new(&src.text);
                (Some(idx.line_col(s.start)), Some(idx.line_col(s.end)))
            }
            _ => (None, None),
        };
        JsonProblem {
            code: &p.code,
            message: &p.message,
            file: p.file(),
            row: p.row,
            span,
            start,
            end,
            help: p.help.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Reloaded<'a> {
    event: &'static str,
    initial: bool,
    time_ms: u128,
    config: bool,
    changed: Vec<&'a str>,
    rules: Vec<&'a str>,
    rulebooks: Vec<&'a str>,
    notes_checked: usize,
    reload_ms: f64,
    check_ms: f64,
    errors: usize,
}

#[derive(Serialize)]
struct ErrorEvent<'a> {
    event: &'static str,
    #[serde(flatten)]
    problem: JsonProblem<'a>,
    kept: bool,
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Counts over every note currently watched.
pub fn summary(state: &State) -> Summary {
    let mut s = Summary::default();
    for row in state.notes.values().flat_map(|f| &f.rows) {
        row.counts.add_to(&mut s);
    }
    s
}

impl Output {
    /// An output in `format` writing to `out`.
    pub fn new(format: WatchFormat, color: bool, out: Box<dyn Write>) -> Output {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok());
        Output {
            format,
            color,
            cwd,
            out,
            results: Spool::new(),
            findings: Spool::new(),
            errors: Spool::new(),
            failed: None,
            rendered: HashMap::new(),
            rendering: HashMap::new(),
        }
    }

    /// A path as shown: relative to the current folder when under it.
    fn short(&self, path: &str) -> String {
        match &self.cwd {
            Some(cwd) => Path::new(path)
                .strip_prefix(cwd)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| path.to_owned()),
            None => path.to_owned(),
        }
    }

    /// Keeps the first write error for [`Output::cycle`].
    fn note_error(&mut self, r: io::Result<()>) {
        if let Err(e) = r {
            self.failed.get_or_insert(e);
        }
    }

    /// Writes a fresh result into the spools.
    fn write_fresh(&mut self, fresh: Fresh<'_>) -> io::Result<()> {
        match (self.format, fresh) {
            (WatchFormat::Json, Fresh::Problem(p)) => self.errors.json(&JsonProblem::from(p)),
            (WatchFormat::Json, Fresh::Note { report: Err(p), .. }) => {
                self.errors.json(&JsonProblem::from(p))
            }
            (
                WatchFormat::Json,
                Fresh::Note {
                    note,
                    rulebook,
                    report: Ok(r),
                },
            ) => {
                let idx = LineIndex::new(&note.source);
                for f in &r.findings {
                    self.findings
                        .json(&JsonFinding::new(note, &idx, rulebook, f))?;
                }
                for f in &r.failures {
                    self.errors.json(&JsonProblem::from(&failure_problem(f)))?;
                }
                Ok(())
            }
            (WatchFormat::Human, Fresh::Problem(p))
            | (WatchFormat::Human, Fresh::Note { report: Err(p), .. }) => {
                let text = p.render(self.color);
                self.results.file.write_all(text.as_bytes())
            }
            (
                WatchFormat::Human,
                Fresh::Note {
                    note,
                    report: Ok(r),
                    ..
                },
            ) => {
                let mut text = String::new();
                let name = note.origin.to_string();
                let mut source = None;
                for f in &r.findings {
                    let key = finding_key(&name, &note.source, f);
                    let shown = self.rendered.remove(&key).unwrap_or_else(|| {
                        let source = source.get_or_insert_with(|| {
                            Source::new(name.clone(), Arc::<str>::from(note.source.as_str()))
                        });
                        finding_problem(source, f).render(self.color)
                    });
                    text.push_str(&shown);
                    if self.rendering.len() < RENDERED_KEPT {
                        self.rendering.insert(key, shown);
                    }
                }
                for f in &r.failures {
                    text.push_str(&failure_problem(f).render(self.color));
                }
                self.results.file.write_all(text.as_bytes())
            }
        }
    }

    /// Writes a finished file's entry into the results spool.
    fn write_end(
        &mut self,
        file: &str,
        notes: usize,
        rows: Option<&[usize]>,
        removed: &[usize],
    ) -> io::Result<()> {
        let sent = rows.is_none_or(|r| !r.is_empty()) || !removed.is_empty();
        if self.format == WatchFormat::Human {
            if !removed.is_empty() {
                let text = format!(
                    "{}: {} removed ({})\n",
                    self.short(file),
                    plural(removed.len(), "row"),
                    list(removed.iter().map(usize::to_string).collect())
                );
                self.results.file.write_all(text.as_bytes())?;
            }
            return Ok(());
        }
        if !sent {
            self.findings.clear()?;
            return self.errors.clear();
        }
        let out = &mut self.results;
        out.file.write_all(if out.items > 0 { b"," } else { b"" })?;
        out.items += 1;
        write!(
            out.file,
            "{{\"file\":{},\"notes\":{notes}",
            serde_json::to_string(file)?
        )?;
        if let Some(rows) = rows {
            write!(
                out.file,
                ",\"rows\":{},\"removed_rows\":{}",
                serde_json::to_string(rows)?,
                serde_json::to_string(removed)?
            )?;
        }
        out.file.write_all(b",\"findings\":[")?;
        self.findings.drain_to(&mut out.file)?;
        out.file.write_all(b"],\"errors\":[")?;
        self.errors.drain_to(&mut out.file)?;
        out.file.write_all(b"]}")
    }

    /// Shows one update: what changed, the current load errors (and those of
    /// the watcher itself), the results sent to this output while checking,
    /// and the summary.
    pub fn cycle(
        &mut self,
        state: &State,
        cycle: &Cycle,
        watch_errors: &[Problem],
    ) -> io::Result<()> {
        let load_errors = state.errors();
        let mut errors: Vec<(&Problem, bool)> = load_errors
            .iter()
            .map(|e: &LoadError| (&e.problem, e.kept))
            .collect();
        errors.extend(watch_errors.iter().map(|p| (p, true)));
        let written = match self.failed.take() {
            Some(e) => Err(e),
            None => match self.format {
                WatchFormat::Json => self.json(state, cycle, &errors),
                WatchFormat::Human => self.human(state, cycle, &errors),
            },
        };
        // This update's findings first, then earlier ones while there is room.
        let earlier = std::mem::take(&mut self.rendered);
        for (key, text) in earlier {
            if self.rendering.len() >= RENDERED_KEPT {
                break;
            }
            self.rendering.entry(key).or_insert(text);
        }
        self.rendered = std::mem::take(&mut self.rendering);
        // Whatever happened, the next update starts empty.
        let cleared = self
            .results
            .clear()
            .and_then(|()| self.findings.clear())
            .and_then(|()| self.errors.clear());
        written.and(cleared)
    }

    fn json(
        &mut self,
        state: &State,
        cycle: &Cycle,
        errors: &[(&Problem, bool)],
    ) -> io::Result<()> {
        let reloaded = Reloaded {
            event: "reloaded",
            initial: cycle.initial,
            time_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0),
            config: cycle.config,
            changed: cycle.changed.iter().map(String::as_str).collect(),
            rules: cycle.rules.iter().map(String::as_str).collect(),
            rulebooks: cycle.rulebooks.iter().map(String::as_str).collect(),
            notes_checked: cycle.notes_checked,
            reload_ms: ms(cycle.reload),
            check_ms: ms(cycle.check),
            errors: errors.len(),
        };
        let mut head = serde_json::to_vec(&reloaded)?;
        head.push(b'\n');
        for (p, kept) in errors {
            serde_json::to_writer(
                &mut head,
                &ErrorEvent {
                    event: "error",
                    problem: (*p).into(),
                    kept: *kept,
                },
            )?;
            head.push(b'\n');
        }
        head.extend_from_slice(b"{\"event\":\"results\",\"files\":[");
        self.out.write_all(&head)?;
        self.results.drain_to(&mut self.out)?;
        let removed: Vec<&str> = cycle.removed.iter().map(String::as_str).collect();
        writeln!(
            self.out,
            "],\"removed\":{},\"summary\":{}}}",
            serde_json::to_string(&removed)?,
            serde_json::to_string(&summary(state))?
        )?;
        self.out.flush()
    }

    fn human(
        &mut self,
        state: &State,
        cycle: &Cycle,
        errors: &[(&Problem, bool)],
    ) -> io::Result<()> {
        if !cycle.initial {
            self.out.write_all(b"\n")?;
        }
        self.results.drain_to(&mut self.out)?;
        let mut s = String::new();
        for name in &cycle.removed {
            s.push_str(&format!("{}: removed\n", self.short(name)));
        }
        for (p, kept) in errors {
            s.push_str(&p.render(self.color));
            if *kept {
                s.push_str("  (the last good version keeps running until this is fixed)\n\n");
            }
        }
        s.push_str(&summary_line(&summary(state)));
        s.push_str(&self.status_line(cycle, errors.len()));
        self.out.write_all(s.as_bytes())?;
        self.out.flush()
    }
    fn status_line(&self, cycle: &Cycle, errors: usize) -> String {
        let mut what: Vec<String> = vec![];
        if cycle.initial {
            what.push("started".into());
        }
        if cycle.config {
            what.push("config reloaded".into());
        }
        let list = |items: Vec<String>| {
            let n = items.len();
            let mut shown: Vec<String> = items.into_iter().take(3).collect();
            if n > 3 {
                shown.push(format!("+{} more", n - 3));
            }
            shown.join(", ")
        };
        if !cycle.rules.is_empty() {
            what.push(format!(
                "rules {}",
                list(cycle.rules.iter().cloned().collect())
            ));
        }
        if !cycle.rulebooks.is_empty() {
            what.push(format!(
                "rulebooks {}",
                list(cycle.rulebooks.iter().cloned().collect())
            ));
        }
        if what.is_empty() && !cycle.changed.is_empty() {
            what.push(format!(
                "changed {}",
                list(cycle.changed.iter().map(|p| self.short(p)).collect())
            ));
        }
        if !cycle.removed.is_empty() {
            what.push(format!(
                "removed {}",
                list(cycle.removed.iter().cloned().collect())
            ));
        }
        if what.is_empty() {
            what.push("no change in results".into());
        }
        let errors = match errors {
            0 => String::new(),
            1 => " · 1 load error".into(),
            n => format!(" · {n} load errors"),
        };
        format!(
            "── {} {} · {} note{} checked in {:.1} ms (reload {:.1} ms + check {:.1} ms){errors} · Ctrl-C to stop\n",
            clock(),
            what.join("; "),
            cycle.notes_checked,
            if cycle.notes_checked == 1 { "" } else { "s" },
            ms(cycle.reload + cycle.check),
            ms(cycle.reload),
            ms(cycle.check),
        )
    }

    /// Shows errors of the watcher itself (events lost, a folder unwatchable).
    pub fn watcher_errors(&mut self, errors: &[notify::Error]) -> io::Result<()> {
        for e in errors {
            let p = Problem::error("tact::watch::notify", format!("file watcher: {e}"))
                .help("changes may have been missed; save the file again, or restart `tact watch`");
            match self.format {
                WatchFormat::Json => {
                    serde_json::to_writer(
                        &mut self.out,
                        &ErrorEvent {
                            event: "error",
                            problem: (&p).into(),
                            kept: true,
                        },
                    )?;
                    self.out.write_all(b"\n")?;
                }
                WatchFormat::Human => self.out.write_all(p.render(self.color).as_bytes())?,
            }
        }
        self.out.flush()
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary_line(s: &Summary) -> String {
    let found = s.errors + s.warnings + s.infos;
    if found == 0 && s.problems == 0 {
        return format!("✓ {} checked, no findings\n", plural(s.notes, "note"));
    }
    let mut line = format!(
        "{} checked: {}, {}, {}",
        plural(s.notes, "note"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "hint")
    );
    if s.problems > 0 {
        line.push_str(&format!(", {}", plural(s.problems, "problem")));
    }
    line.push('\n');
    line
}

/// The time of day, UTC, as `HH:MM:SS`.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

impl Sink for Output {
    fn start(&mut self, _file: &str) {
        // A file's findings and errors start empty (JSON).
        let r = self.findings.clear().and_then(|()| self.errors.clear());
        self.note_error(r);
    }

    fn fresh(&mut self, fresh: Fresh<'_>) {
        let r = self.write_fresh(fresh);
        self.note_error(r);
    }

    fn end(&mut self, file: &str, notes: usize, rows: Option<&[usize]>, removed: &[usize]) {
        let r = self.write_end(file, notes, rows, removed);
        self.note_error(r);
    }
}

/// Up to ten items, then how many more.
fn list(items: Vec<String>) -> String {
    let n = items.len();
    let mut shown: Vec<String> = items.into_iter().take(10).collect();
    if n > 10 {
        shown.push(format!("+{} more", n - 10));
    }
    shown.join(", ")
}
