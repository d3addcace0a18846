//! Showing a watch run: a redrawn screen for people, or JSON lines for
//! editors (the event schema is in the `watch` module's documentation).

use super::state::{Cycle, Item, NoteFile, State};
use crate::finding::Finding;
use crate::problem::{Problem, Source};
use crate::render::{JsonFinding, Summary, failure_problem, finding_problem};
use crate::span::{LineCol, LineIndex, Span};
use crate::workspace::LoadError;
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// How to show results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchFormat {
    /// Diagnostics and a status line; the screen is redrawn on a terminal.
    Human,
    /// One JSON event per line (`reloaded`, `error`, `results`).
    Json,
}

/// Writes one cycle at a time to a sink, flushing after each.
pub struct Output {
    format: WatchFormat,
    color: bool,
    redraw: bool,
    cwd: Option<std::path::PathBuf>,
    out: Box<dyn Write>,
    /// Rendered findings of the last screen, by [`finding_key`]: a redraw
    /// renders only findings it has not shown before.
    rendered: HashMap<u64, String>,
}

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

#[derive(Serialize)]
struct FileResults<'a> {
    file: &'a str,
    notes: usize,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonProblem<'a>>,
}

#[derive(Serialize)]
struct Results<'a> {
    event: &'static str,
    files: Vec<FileResults<'a>>,
    removed: Vec<&'a str>,
    summary: Summary,
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Counts over every note currently watched.
pub fn summary(state: &State) -> Summary {
    let mut s = Summary::default();
    for item in state.notes.values().flat_map(|f| &f.items) {
        match item {
            Item::Note { report: Ok(r), .. } => s.add(r),
            Item::Note { report: Err(_), .. } | Item::Problem(_) => {
                s.notes += usize::from(matches!(item, Item::Note { .. }));
                s.problems += 1;
            }
        }
    }
    s
}

/// Problems that belong to a note file: unreadable rows, rule failures,
/// notes left unchecked.
fn file_problems(file: &NoteFile) -> Vec<Problem> {
    let mut out = vec![];
    for item in &file.items {
        match item {
            Item::Problem(p) => out.push(p.clone()),
            Item::Note { report: Ok(r), .. } => out.extend(r.failures.iter().map(failure_problem)),
            Item::Note { report: Err(p), .. } => out.push(p.clone()),
        }
    }
    out
}

impl Output {
    /// An output in `format` writing to `out`; `redraw` clears the screen
    /// before each cycle (human format on a terminal).
    pub fn new(format: WatchFormat, color: bool, redraw: bool, out: Box<dyn Write>) -> Output {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok());
        Output {
            format,
            color,
            redraw,
            cwd,
            out,
            rendered: HashMap::new(),
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

    /// Shows one cycle: what changed, the current load errors (and those of
    /// the watcher itself), and the results.
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
        match self.format {
            WatchFormat::Json => self.json(state, cycle, &errors),
            WatchFormat::Human => self.human(state, cycle, &errors),
        }
    }

    fn json(
        &mut self,
        state: &State,
        cycle: &Cycle,
        errors: &[(&Problem, bool)],
    ) -> io::Result<()> {
        let mut buf = Vec::new();
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
        serde_json::to_writer(&mut buf, &reloaded)?;
        buf.push(b'\n');
        for (p, kept) in errors {
            serde_json::to_writer(
                &mut buf,
                &ErrorEvent {
                    event: "error",
                    problem: (*p).into(),
                    kept: *kept,
                },
            )?;
            buf.push(b'\n');
        }
        let problems: Vec<(&String, Vec<Problem>)> = cycle
            .rechecked
            .iter()
            .filter_map(|name| state.notes.get_key_value(name))
            .map(|(n, f)| (n, file_problems(f)))
            .collect();
        let mut files = vec![];
        for (name, problems) in &problems {
            let file = &state.notes[*name];
            let mut findings = vec![];
            let mut notes = 0;
            for item in &file.items {
                if let Item::Note {
                    note,
                    rulebook,
                    report,
                } = item
                {
                    notes += 1;
                    if let Ok(r) = report {
                        let idx = LineIndex::new(&note.source);
                        findings.extend(
                            r.findings
                                .iter()
                                .map(|f| JsonFinding::new(note, &idx, rulebook, f)),
                        );
                    }
                }
            }
            files.push(FileResults {
                file: name,
                notes,
                findings,
                errors: problems.iter().map(JsonProblem::from).collect(),
            });
        }
        let results = Results {
            event: "results",
            files,
            removed: cycle.removed.iter().map(String::as_str).collect(),
            summary: summary(state),
        };
        serde_json::to_writer(&mut buf, &results)?;
        buf.push(b'\n');
        self.out.write_all(&buf)?;
        self.out.flush()
    }

    fn human(
        &mut self,
        state: &State,
        cycle: &Cycle,
        errors: &[(&Problem, bool)],
    ) -> io::Result<()> {
        let mut s = String::new();
        if self.redraw {
            s.push_str("\x1b[2J\x1b[3J\x1b[H");
        } else if !cycle.initial {
            s.push('\n');
        }
        let mut rendered = HashMap::with_capacity(self.rendered.len());
        for file in state.notes.values() {
            for item in &file.items {
                match item {
                    Item::Problem(p) => s.push_str(&p.render(self.color)),
                    Item::Note {
                        note,
                        report: Err(p),
                        ..
                    } => {
                        let _ = note;
                        s.push_str(&p.render(self.color));
                    }
                    Item::Note {
                        note,
                        report: Ok(r),
                        ..
                    } => {
                        let name = note.origin.to_string();
                        let mut source = None;
                        for f in &r.findings {
                            let key = finding_key(&name, &note.source, f);
                            let text = self.rendered.remove(&key).unwrap_or_else(|| {
                                let source = source.get_or_insert_with(|| {
                                    Source::new(
                                        name.clone(),
                                        Arc::<str>::from(note.source.as_str()),
                                    )
                                });
                                finding_problem(source, f).render(self.color)
                            });
                            s.push_str(&text);
                            rendered.insert(key, text);
                        }
                        for f in &r.failures {
                            s.push_str(&failure_problem(f).render(self.color));
                        }
                    }
                }
            }
        }
        self.rendered = rendered;
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
