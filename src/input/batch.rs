//! JSONL and CSV batches, read row by row so memory stays flat as they grow.

use super::{Item, MAX_NOTE_BYTES, Pending};
use crate::note::front_matter::from_json;
use crate::note::{Note, Origin};
use crate::problem::Problem;
use crate::span::Span;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

/// The largest batch row read, in bytes: the note (at most
/// [`MAX_NOTE_BYTES`]) with its other fields. A longer row is reported, never
/// held whole in memory.
pub const MAX_ROW_BYTES: usize = 256 * 1024;

fn open(path: &str) -> Result<std::fs::File, Problem> {
    std::fs::File::open(path).map_err(|e| {
        Problem::error("tact::input::read", format!("cannot read `{path}`: {e}"))
            .in_input(path, None)
    })
}

fn row_problem(path: &str, row: usize, message: impl Into<String>) -> Problem {
    Problem::error(
        "tact::input::row",
        format!("{path}:{row}: {}", message.into()),
    )
    .in_input(path, Some(row))
}

/// The columns a row's text may be in, in order of preference (`request` is
/// the Stanford Politeness Corpus's).
pub const TEXT_COLUMNS: [&str; 3] = ["text", "message", "request"];

/// The column a row's text is read from: the first of [`TEXT_COLUMNS`] that
/// is present and not a blank string, else `text` if present. `blank(key)`
/// is `None` for an absent key, else whether its value is a blank string.
pub fn text_column(blank: impl Fn(&str) -> Option<bool>) -> Option<&'static str> {
    TEXT_COLUMNS
        .into_iter()
        .find(|k| blank(k) == Some(false))
        .or_else(|| blank("text").map(|_| "text"))
}

/// Reads one line (up to and including `\n`) into `buf`, keeping at most
/// `max` bytes of it; the rest of a longer line is read and dropped. Returns
/// the line's full length, 0 at the end of the input.
pub fn read_line_bounded(
    reader: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    buf.clear();
    let mut total = 0;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(total);
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total += take;
        reader.consume(take);
        if done {
            return Ok(total);
        }
    }
}

/// Builds a note from a row's fields (`text` or `message`, plus front-matter keys).
pub fn note_from_row(path: &str, row: usize, obj: &Map<String, Value>) -> Item {
    // `text` wins over `message`; an empty `text` cell falls back to `message`.
    let column = text_column(|k| {
        obj.get(k)
            .map(|v| v.as_str().is_some_and(|s| s.trim().is_empty()))
    });
    let text = match column.and_then(|k| obj.get(k)) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(row_problem(
                path,
                row,
                format!("`{}` must be a string", column.unwrap_or("text")),
            ));
        }
        None => {
            return Err(row_problem(
                path,
                row,
                "the row has no `text` (or `message`) field",
            ));
        }
    };
    if text.len() > MAX_NOTE_BYTES {
        return Err(row_problem(
            path,
            row,
            format!(
                "the note is {} KiB; a note holds at most {} KiB",
                text.len() / 1024,
                MAX_NOTE_BYTES / 1024
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(row_problem(path, row, "the note text is empty"));
    }
    let front = from_json(obj).map_err(|e| row_problem(path, row, e))?;
    let id = obj.get("id").and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let origin = Origin {
        path: path.to_owned(),
        row: Some(row),
        id,
    };
    let body = Span::new(0, text.len());
    Ok(Note::with_front(origin, text, body, front))
}

/// One row of a batch as read by a watch run: where it starts, a hash of
/// its raw bytes (for a CSV row, with the header's), and the note or problem
/// it holds, unless the caller did not want it read.
pub struct HashedRow<T = Item> {
    /// The line it starts on (1-based; 0 when the file could not be opened).
    pub row: usize,
    /// A hash of the raw bytes that make the row.
    pub hash: u64,
    /// The note or problem; `None` when `want` declined it.
    pub item: Option<T>,
}

impl HashedRow<Pending> {
    /// The row with its note parsed.
    fn parsed(self) -> HashedRow {
        HashedRow {
            row: self.row,
            hash: self.hash,
            item: self.item.map(Pending::parse),
        }
    }
}

/// A batch row as read, parsed into a note by [`Row::parse`] on the worker
/// that checks it: the reading thread only splits the file.
pub struct Row {
    path: Arc<str>,
    row: usize,
    fields: Fields,
}

enum Fields {
    /// A JSONL line (valid UTF-8, not blank).
    Json(String),
    /// A CSV record and the file's header.
    Csv(Arc<[String]>, csv::ByteRecord),
}

impl Row {
    /// The batch file the row is in.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Builds the row's note, or the problem that stops it.
    pub fn parse(self) -> Item {
        let path = &*self.path;
        match self.fields {
            Fields::Json(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(obj)) => note_from_row(path, self.row, &obj),
                Ok(_) => Err(row_problem(
                    path,
                    self.row,
                    "each line must be a JSON object with a `text` field",
                )),
                Err(e) => Err(row_problem(path, self.row, format!("malformed JSON: {e}"))),
            },
            Fields::Csv(headers, record) => csv_row(path, self.row, &headers, &record),
        }
    }
}

/// Decides, from a row's line and hash, whether it is parsed into a note.
pub type Want = Box<dyn FnMut(usize, u64) -> bool>;

fn raw_hash(parts: &[&[u8]]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// The rows of a JSONL file, one object per line, left for
/// [`Pending::parse`]; blank lines are skipped, and a UTF-8 byte order mark
/// before the first line is ignored.
pub fn jsonl(path: String) -> Box<dyn Iterator<Item = Pending>> {
    Box::new(jsonl_pending(path, Box::new(|_, _| true)).filter_map(|r| r.item))
}

/// The rows of a JSONL file with their hashes; a row `want` declines is
/// hashed but not parsed.
pub fn jsonl_rows(path: String, want: Want) -> Box<dyn Iterator<Item = HashedRow>> {
    Box::new(jsonl_pending(path, want).map(HashedRow::parsed))
}

fn jsonl_pending(path: String, mut want: Want) -> Box<dyn Iterator<Item = HashedRow<Pending>>> {
    let file = match open(&path) {
        Ok(f) => f,
        Err(p) => {
            return Box::new(std::iter::once(HashedRow {
                row: 0,
                hash: raw_hash(&[p.message.as_bytes()]),
                item: Some(Pending::Read(Err(p))),
            }));
        }
    };
    let path: Arc<str> = path.into();
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut row = 0;
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        loop {
            if done {
                return None;
            }
            row += 1;
            let len = match read_line_bounded(&mut reader, MAX_ROW_BYTES, &mut line) {
                Ok(0) => return None,
                Ok(len) => len,
                Err(e) => {
                    // A read error would repeat: end the file here.
                    done = true;
                    let p = row_problem(&path, row, format!("cannot read: {e}"));
                    let hash = raw_hash(&[p.message.as_bytes()]);
                    return Some(HashedRow {
                        row,
                        hash,
                        item: Some(Pending::Read(Err(p))),
                    });
                }
            };
            let hash = raw_hash(&[&line, &len.to_le_bytes()]);
            let found = |item| {
                Some(HashedRow {
                    row,
                    hash,
                    item: Some(Pending::Read(item)),
                })
            };
            if len > MAX_ROW_BYTES {
                return found(Err(row_problem(
                    &path,
                    row,
                    format!(
                        "the row is over {} KiB; a row holds at most {} KiB (it was skipped)",
                        MAX_ROW_BYTES / 1024,
                        MAX_ROW_BYTES / 1024
                    ),
                )));
            }
            let bytes = if row == 1 {
                line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line)
            } else {
                &line[..]
            };
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    return found(Err(row_problem(
                        &path,
                        row,
                        format!(
                            "not valid UTF-8 (bad byte at column {})",
                            e.valid_up_to() + 1
                        ),
                    )));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            if !want(row, hash) {
                return Some(HashedRow {
                    row,
                    hash,
                    item: None,
                });
            }
            let fields = Fields::Json(text.to_owned());
            let item = Row {
                path: path.clone(),
                row,
                fields,
            };
            return Some(HashedRow {
                row,
                hash,
                item: Some(Pending::Row(item, false)),
            });
        }
    }))
}

/// The line a CSV record starts on, from the reader's position and the raw
/// bytes from there. After a CRLF record the reader stops between `\r` and
/// `\n`, so the next record's position is a line early: count the line
/// breaks it starts with.
fn record_line(position_line: u64, raw: &[u8]) -> usize {
    let breaks = raw
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .filter(|&&b| b == b'\n')
        .count();
    position_line as usize + breaks
}

/// The bytes a CSV reader has read and not yet passed, so a record's raw
/// text can be seen (to check its quotes) and its size bounded.
#[derive(Default)]
struct Tape {
    /// The file offset of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
}

/// Reads a file into a shared [`Tape`], refusing to hold more than a row's
/// worth (plus the CSV reader's read-ahead) at once.
struct Tapped {
    file: std::fs::File,
    tape: Arc<Mutex<Tape>>,
}

/// How far the CSV reader reads ahead of a record (its buffer is 8 KiB).
const READ_AHEAD: usize = 64 * 1024;

impl Read for Tapped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut tape = self.tape.lock().unwrap_or_else(|e| e.into_inner());
        if tape.bytes.len() > MAX_ROW_BYTES + READ_AHEAD {
            return Err(std::io::Error::other("row too large"));
        }
        let n = self.file.read(buf)?;
        tape.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Tape {
    /// The raw bytes from file offset `start` to `end`.
    fn slice(&self, start: u64, end: u64) -> &[u8] {
        let from = (start.saturating_sub(self.base) as usize).min(self.bytes.len());
        let to = (end.saturating_sub(self.base) as usize).clamp(from, self.bytes.len());
        &self.bytes[from..to]
    }

    /// Forgets the bytes before file offset `at`.
    fn pass(&mut self, at: u64) {
        let n = (at.saturating_sub(self.base) as usize).min(self.bytes.len());
        self.bytes.drain(..n);
        self.base += n as u64;
    }
}

/// A CSV file read record by record, each with its raw bytes, never holding
/// more than a row (plus the reader's read-ahead). The header is the first
/// record. Consecutive raw slices cover the file: copying them all copies it.
pub struct RawCsv {
    reader: csv::Reader<Tapped>,
    tape: Arc<Mutex<Tape>>,
    record: csv::ByteRecord,
}

/// One step through a [`RawCsv`].
pub enum RawStep {
    /// A record.
    Record {
        /// The line it starts on (1-based), as diagnostics name rows.
        line: usize,
        /// Its bytes, from the end of the record before.
        raw: Vec<u8>,
    },
    /// The end of the file.
    End {
        /// Whatever followed the last record.
        tail: Vec<u8>,
    },
}

impl RawCsv {
    /// Reads `file` as CSV (`,` and `"`; rows may have any number of fields).
    pub fn new(file: std::fs::File) -> RawCsv {
        let tape = Arc::new(Mutex::new(Tape::default()));
        let tapped = Tapped {
            file,
            tape: tape.clone(),
        };
        RawCsv {
            reader: csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(tapped),
            tape,
            record: csv::ByteRecord::new(),
        }
    }

    /// The fields of the last record read.
    pub fn fields(&self) -> &csv::ByteRecord {
        &self.record
    }

    /// Reads the next record. An error (a row over [`MAX_ROW_BYTES`], or a
    /// read error) names the line it happened on; the file cannot be read on.
    pub fn step(&mut self) -> Result<RawStep, (usize, String)> {
        let start = self.reader.position().clone();
        let read = self.reader.read_byte_record(&mut self.record);
        let end = self.reader.position().clone();
        let mut tape = self.tape.lock().unwrap_or_else(|e| e.into_inner());
        let raw = tape.slice(start.byte(), end.byte()).to_vec();
        tape.pass(end.byte());
        drop(tape);
        let line = record_line(start.line(), &raw);
        match read {
            Ok(true) => Ok(RawStep::Record { line, raw }),
            Ok(false) => Ok(RawStep::End { tail: raw }),
            Err(e) if e.is_io_error() => Err((
                line,
                format!(
                    "the row is over {} KiB; a row holds at most {} KiB (the rest of the file was not read)",
                    MAX_ROW_BYTES / 1024,
                    MAX_ROW_BYTES / 1024
                ),
            )),
            Err(e) => Err((line, format!("malformed CSV: {e}"))),
        }
    }
}

/// The notes of a CSV file with a header row (`text` or `message` column
/// required). A row over [`MAX_ROW_BYTES`] ends the file (a CSV row cannot be
/// skipped without reading it); a row with an unbalanced quote, which runs on
/// into the rows after it, is reported.
pub fn csv(path: String) -> Box<dyn Iterator<Item = Pending>> {
    Box::new(csv_pending(path, Box::new(|_, _| true)).filter_map(|r| r.item))
}

/// The rows of a CSV file with their hashes (each with the header's); a row
/// `want` declines is hashed but not parsed.
pub fn csv_rows(path: String, want: Want) -> Box<dyn Iterator<Item = HashedRow>> {
    Box::new(csv_pending(path, want).map(HashedRow::parsed))
}

fn csv_pending(path: String, mut want: Want) -> Box<dyn Iterator<Item = HashedRow<Pending>>> {
    let whole = |row: usize, p: Problem| -> Box<dyn Iterator<Item = HashedRow<Pending>>> {
        Box::new(std::iter::once(HashedRow {
            row,
            hash: raw_hash(&[p.message.as_bytes()]),
            item: Some(Pending::Read(Err(p))),
        }))
    };
    let file = match open(&path) {
        Ok(f) => f,
        Err(p) => return whole(0, p),
    };
    let mut csv = RawCsv::new(file);
    let (headers, header_hash): (Vec<String>, u64) = match csv.step() {
        Ok(RawStep::Record { raw, .. }) => (
            csv.fields()
                .iter()
                .map(|h| super::header_name(&String::from_utf8_lossy(h)))
                .collect(),
            raw_hash(&[&raw]),
        ),
        Ok(RawStep::End { .. }) => (vec![], 0),
        Err((line, why)) => {
            let p = row_problem(&path, line, format!("cannot read the header row: {why}"));
            return whole(line, p);
        }
    };
    if !headers.iter().any(|h| TEXT_COLUMNS.contains(&h.as_str())) {
        let p = Problem::error(
            "tact::input::csv-header",
            format!(
                "`{path}` has no `text`, `message` or `request` column (columns: {})",
                headers.join(", ")
            ),
        )
        .in_input(&path, Some(1));
        return whole(1, p);
    }
    if let Some(p) = unknown_column(&path, &headers) {
        return whole(1, p);
    }
    let headers: Arc<[String]> = headers.into();
    let path: Arc<str> = path.into();
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let (line, raw) = match csv.step() {
            Ok(RawStep::End { .. }) => return None,
            Err((row, why)) => {
                done = true;
                let p = row_problem(&path, row, why);
                let hash = raw_hash(&[p.message.as_bytes()]);
                return Some(HashedRow {
                    row,
                    hash,
                    item: Some(Pending::Read(Err(p))),
                });
            }
            Ok(RawStep::Record { line, raw }) => (line, raw),
        };
        let hash = raw_hash(&[&header_hash.to_le_bytes(), &raw]);
        let item = if raw.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            let last = line
                + raw
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    .saturating_sub(1);
            Some(Pending::Read(Err(row_problem(
                &path,
                line,
                format!(
                    "a quote is not closed: the row runs on to line {last}, taking in the rows between (they were not checked)",
                ),
            ))))
        } else if want(line, hash) {
            let fields = Fields::Csv(headers.clone(), csv.fields().clone());
            let item = Row {
                path: path.clone(),
                row: line,
                fields,
            };
            Some(Pending::Row(item, false))
        } else {
            None
        };
        Some(HashedRow {
            row: line,
            hash,
            item,
        })
    }))
}

/// A header naming a misspelt front-matter key, as an error.
fn unknown_column(path: &str, headers: &[String]) -> Option<Problem> {
    headers.iter().find_map(|h| {
        crate::note::front_matter::misspelt_key(h).map(|p| {
            Problem::error(
                "tact::input::csv-header",
                format!("{path}:1: unknown column `{h}`; did you mean `{p}`?"),
            )
            .in_input(path, Some(1))
        })
    })
}

/// Builds a note from one CSV record.
fn csv_row(path: &str, row: usize, headers: &[String], rec: &csv::ByteRecord) -> Item {
    if rec.len() != headers.len() {
        return Err(row_problem(
            path,
            row,
            format!("has {} fields; the header has {}", rec.len(), headers.len()),
        ));
    }
    let mut obj = Map::new();
    for (h, field) in headers.iter().zip(rec.iter()) {
        match std::str::from_utf8(field) {
            Ok(s) => {
                obj.insert(h.clone(), Value::String(s.to_owned()));
            }
            Err(_) => {
                return Err(row_problem(
                    path,
                    row,
                    format!("column `{h}` is not valid UTF-8"),
                ));
            }
        }
    }
    // Columns named `context.<key>` fill the context table.
    let ctx: Map<String, Value> = obj
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("context.")
                .map(|k| (k.to_owned(), v.clone()))
        })
        .collect();
    if !ctx.is_empty() {
        obj.insert("context".into(), Value::Object(ctx));
    }
    note_from_row(path, row, &obj)
}
