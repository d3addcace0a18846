//! JSONL and CSV batches, read row by row so memory stays flat as they grow.

use super::{Item, MAX_NOTE_BYTES};
use crate::note::front_matter::from_json;
use crate::note::{Note, Origin};
use crate::problem::Problem;
use crate::span::Span;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader};

fn open(path: &str) -> Result<std::fs::File, Problem> {
    std::fs::File::open(path)
        .map_err(|e| Problem::error("tact::input::read", format!("cannot read `{path}`: {e}")))
}

fn row_problem(path: &str, row: usize, message: impl Into<String>) -> Problem {
    Problem::error(
        "tact::input::row",
        format!("{path}:{row}: {}", message.into()),
    )
}

/// The columns a row's text may be in, in order of preference (`request` is
/// the Stanford Politeness Corpus's).
const TEXT_COLUMNS: [&str; 3] = ["text", "message", "request"];

/// Builds a note from a row's fields (`text` or `message`, plus front-matter keys).
pub fn note_from_row(path: &str, row: usize, obj: &Map<String, Value>) -> Item {
    // `text` wins over `message`; an empty `text` cell falls back to `message`.
    let non_empty = |k: &str| {
        obj.get(k)
            .filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
    };
    let text = match TEXT_COLUMNS
        .iter()
        .find_map(|k| non_empty(k))
        .or_else(|| obj.get("text"))
    {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(row_problem(path, row, "`text` must be a string")),
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

/// The notes of a JSONL file, one object per line; blank lines are skipped.
pub fn jsonl(path: String) -> Box<dyn Iterator<Item = Item>> {
    let file = match open(&path) {
        Ok(f) => f,
        Err(p) => return Box::new(std::iter::once(Err(p))),
    };
    let mut lines = BufReader::new(file).split(b'\n').enumerate();
    Box::new(std::iter::from_fn(move || {
        loop {
            let (i, line) = lines.next()?;
            let row = i + 1;
            let bytes = match line {
                Ok(b) => b,
                Err(e) => return Some(Err(row_problem(&path, row, format!("cannot read: {e}")))),
            };
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    return Some(Err(row_problem(
                        &path,
                        row,
                        format!(
                            "not valid UTF-8 (bad byte at column {})",
                            e.utf8_error().valid_up_to() + 1
                        ),
                    )));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(obj)) => note_from_row(&path, row, &obj),
                Ok(_) => Err(row_problem(
                    &path,
                    row,
                    "each line must be a JSON object with a `text` field",
                )),
                Err(e) => Err(row_problem(&path, row, format!("malformed JSON: {e}"))),
            });
        }
    }))
}

/// The notes of a CSV file with a header row (`text` or `message` column required).
pub fn csv(path: String) -> Box<dyn Iterator<Item = Item>> {
    let file = match open(&path) {
        Ok(f) => f,
        Err(p) => return Box::new(std::iter::once(Err(p))),
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(super::header_name).collect(),
        Err(e) => {
            return Box::new(std::iter::once(Err(row_problem(
                &path,
                1,
                format!("cannot read the header row: {e}"),
            ))));
        }
    };
    if !headers.iter().any(|h| TEXT_COLUMNS.contains(&h.as_str())) {
        return Box::new(std::iter::once(Err(Problem::error(
            "tact::input::csv-header",
            format!(
                "`{path}` has no `text`, `message` or `request` column (columns: {})",
                headers.join(", ")
            ),
        ))));
    }
    let mut records = reader.into_byte_records();
    Box::new(std::iter::from_fn(move || {
        let rec = records.next()?;
        Some(match rec {
            Err(e) => {
                let row = e.position().map(|p| p.line() as usize).unwrap_or(0);
                Err(row_problem(&path, row, format!("malformed CSV: {e}")))
            }
            Ok(rec) => {
                let row = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                if rec.len() != headers.len() {
                    return Some(Err(row_problem(
                        &path,
                        row,
                        format!("has {} fields; the header has {}", rec.len(), headers.len()),
                    )));
                }
                let mut obj = Map::new();
                for (h, field) in headers.iter().zip(rec.iter()) {
                    match std::str::from_utf8(field) {
                        Ok(s) => {
                            obj.insert(h.clone(), Value::String(s.to_owned()));
                        }
                        Err(_) => {
                            return Some(Err(row_problem(
                                &path,
                                row,
                                format!("column `{h}` is not valid UTF-8"),
                            )));
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
                note_from_row(&path, row, &obj)
            }
        })
    }))
}
