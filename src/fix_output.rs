//! Writing fixed notes: files atomically in place, batch rows to `--output`.

use crate::problem::Problem;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Replaces `path`'s contents with `text` by writing a sibling temporary file
/// and renaming it over the original: the file is never left half-written.
/// A read-only file is refused and left as it was.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Problem> {
    let fail = |why: String| {
        Problem::error(
            "tact::fix::write",
            format!("cannot write the fixed note to `{}`: {why}", path.display()),
        )
        .help("the file was left unchanged")
    };
    // Through a symlink, replace the file it points to, not the link.
    let resolved = std::fs::canonicalize(path);
    let target = resolved.as_deref().unwrap_or(path);
    let meta = std::fs::metadata(target).map_err(|e| fail(e.to_string()))?;
    if meta.permissions().readonly() {
        return Err(fail("the file is read-only".into()));
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("note");
    let tmp = dir.join(format!(".{name}.tact-fix-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        std::fs::rename(&tmp, target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e.to_string())
    })
}

/// Rewrites a JSONL or CSV batch to `output`: every row as it was, except
/// that rows in `fixed` (by row number, as in diagnostics) get the fixed text.
/// Malformed rows are copied unchanged. Written to a temporary file first, so
/// `output` may be the input itself.
pub fn write_batch(
    input: &str,
    output: &Path,
    fixed: &BTreeMap<usize, String>,
) -> Result<(), Problem> {
    let fail = |why: String| {
        Problem::error(
            "tact::fix::batch",
            format!("cannot write the fixed batch `{}`: {why}", output.display()),
        )
    };
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".tact-batch-{}.tmp", std::process::id()));
    let result = match crate::input::kind_of(Path::new(input)) {
        crate::input::Kind::Csv => rewrite_csv(input, &tmp, fixed),
        _ => rewrite_jsonl(input, &tmp, fixed),
    }
    .and_then(|()| std::fs::rename(&tmp, output).map_err(|e| e.to_string()));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

fn rewrite_jsonl(input: &str, tmp: &Path, fixed: &BTreeMap<usize, String>) -> Result<(), String> {
    let reader = BufReader::new(std::fs::File::open(input).map_err(|e| e.to_string())?);
    let mut out = BufWriter::new(std::fs::File::create(tmp).map_err(|e| e.to_string())?);
    for (i, line) in reader.split(b'\n').enumerate() {
        let mut line = line.map_err(|e| e.to_string())?;
        if let Some(text) = fixed.get(&(i + 1)) {
            let mut obj: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&line).map_err(|e| format!("row {}: {e}", i + 1))?;
            let key = if obj.contains_key("text") {
                "text"
            } else {
                "message"
            };
            obj.insert(key.to_owned(), serde_json::Value::String(text.clone()));
            line = serde_json::to_vec(&obj).map_err(|e| e.to_string())?;
        }
        out.write_all(&line)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

fn rewrite_csv(input: &str, tmp: &Path, fixed: &BTreeMap<usize, String>) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_path(input)
        .map_err(|e| e.to_string())?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(tmp)
        .map_err(|e| e.to_string())?;
    let mut text_col = None;
    for (i, rec) in reader.byte_records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        if i == 0 {
            let header: Vec<String> = rec
                .iter()
                .map(|h| crate::input::header_name(&String::from_utf8_lossy(h)))
                .collect();
            text_col = header
                .iter()
                .position(|h| h == "text")
                .or_else(|| header.iter().position(|h| h == "message"));
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        match (fixed.get(&line), text_col) {
            (Some(text), Some(col)) if i > 0 => {
                let fields: Vec<&[u8]> = rec
                    .iter()
                    .enumerate()
                    .map(|(j, f)| if j == col { text.as_bytes() } else { f })
                    .collect();
                writer.write_record(fields)
            }
            _ => writer.write_byte_record(&rec),
        }
        .map_err(|e| e.to_string())?;
    }
    if text_col.is_none() && !fixed.is_empty() {
        return Err("no `text` or `message` column to write the fixes to".into());
    }
    writer.flush().map_err(|e| e.to_string())
}
