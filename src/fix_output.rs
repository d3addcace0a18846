//! Writing fixed notes: files atomically in place, batch rows to `--output`.

use crate::problem::Problem;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Replaces `path`'s contents with `text`, if the file still holds `original`
/// (the text that was checked): a save made since wins and is reported.
///
/// The text goes to an exclusively created temporary file with a random name
/// in the same folder, renamed over the original: the file is never left
/// half-written, and nothing planted at a predictable name is followed.
/// Through a symlink the target is replaced, not the link. A hard-linked file
/// becomes a new file: its other links keep the old text. A read-only file is
/// refused and left as it was.
pub fn write_atomically(path: &Path, original: &str, text: &str) -> Result<(), Problem> {
    let fail = |why: String| {
        Problem::error(
            "tact::fix::write",
            format!("cannot write the fixed note to `{}`: {why}", path.display()),
        )
        .help("the file was left unchanged")
    };
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
    let mut tmp = tempfile::Builder::new()
        .prefix(".tact-fix-")
        .tempfile_in(dir)
        .map_err(|e| fail(e.to_string()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().set_permissions(meta.permissions()))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(e.to_string()))?;
    if !still_holds(target, original) {
        return Err(Problem::error(
            "tact::fix::changed",
            format!(
                "`{}` changed on disk since it was checked; the fix was not written",
                path.display()
            ),
        )
        .help("your save wins: run `tact check --fix` again"));
    }
    // The temporary file is removed when `persist` fails.
    tmp.persist(target)
        .map(drop)
        .map_err(|e| fail(e.error.to_string()))
}

/// Whether the file at `path` holds exactly `text` (read no further than one
/// byte past it).
fn still_holds(path: &Path, text: &str) -> bool {
    let mut now = Vec::with_capacity(text.len() + 1);
    std::fs::File::open(path)
        .and_then(|f| f.take(text.len() as u64 + 1).read_to_end(&mut now))
        .is_ok_and(|_| now == text.as_bytes())
}

/// Rewrites a JSONL or CSV batch to `output`: every row byte for byte as it
/// was (numbers, line endings, quoting, malformed rows), except that in rows
/// in `fixed` (by row number, as in diagnostics) the value of the column the
/// text was read from (`text`, `message` or `request`) is replaced. Written
/// to a temporary file first, so `output` may be the input itself.
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
        .in_input(input, None)
    };
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tact-batch-")
        .tempfile_in(dir)
        .map_err(|e| fail(e.to_string()))?;
    let file = std::fs::File::open(input).map_err(|e| fail(e.to_string()))?;
    let mut out = BufWriter::new(tmp.as_file_mut());
    match crate::input::kind_of(Path::new(input)) {
        crate::input::Kind::Csv => rewrite_csv(file, &mut out, fixed),
        _ => rewrite_jsonl(BufReader::new(file), &mut out, fixed),
    }
    .and_then(|()| out.flush().map_err(|e| e.to_string()))
    .map_err(&fail)?;
    drop(out);
    tmp.persist(output)
        .map(drop)
        .map_err(|e| fail(e.error.to_string()))
}

/// The biggest row rewritten, in bytes (rows are bounded when read too).
const MAX_ROW: usize = crate::input::MAX_ROW_BYTES;

fn rewrite_jsonl(
    mut reader: impl BufRead,
    out: &mut impl Write,
    fixed: &BTreeMap<usize, String>,
) -> Result<(), String> {
    let mut line = Vec::new();
    let mut row = 0;
    loop {
        row += 1;
        let Some(text) = fixed.get(&row) else {
            if !copy_line(&mut reader, out).map_err(|e| e.to_string())? {
                return Ok(());
            }
            continue;
        };
        crate::input::read_line_bounded(&mut reader, MAX_ROW, &mut line)
            .map_err(|e| e.to_string())?;
        let fixed_line =
            replace_json_text(&line, row == 1, text).map_err(|e| format!("row {row}: {e}"))?;
        out.write_all(&fixed_line).map_err(|e| e.to_string())?;
    }
}

/// Copies one line (with its `\n`, if any) without holding it; false at the end.
fn copy_line(reader: &mut impl BufRead, out: &mut impl Write) -> std::io::Result<bool> {
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any);
        }
        any = true;
        let (n, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        out.write_all(&chunk[..n])?;
        reader.consume(n);
        if done {
            return Ok(true);
        }
    }
}

/// A JSONL line with the value of its text key replaced, every other byte
/// kept (a byte order mark on the first line too).
fn replace_json_text(line: &[u8], first: bool, text: &str) -> Result<Vec<u8>, String> {
    let line = std::str::from_utf8(line).map_err(|e| e.to_string())?;
    let body = if first {
        line.strip_prefix('\u{feff}').unwrap_or(line)
    } else {
        line
    };
    let obj: std::collections::HashMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(body).map_err(|e| e.to_string())?;
    let key = crate::input::text_column(|k| {
        obj.get(k)
            .map(|raw| serde_json::from_str::<String>(raw.get()).is_ok_and(|s| s.trim().is_empty()))
    })
    .ok_or("no text field to write the fix to")?;
    let raw = obj[key].get();
    // The value is a slice of `line`: replace exactly its bytes.
    let start = raw.as_ptr() as usize - line.as_ptr() as usize;
    let value = serde_json::to_string(text).map_err(|e| e.to_string())?;
    Ok([&line[..start], &value, &line[start + raw.len()..]]
        .concat()
        .into_bytes())
}

fn rewrite_csv(
    file: std::fs::File,
    out: &mut impl Write,
    fixed: &BTreeMap<usize, String>,
) -> Result<(), String> {
    use crate::input::RawStep;
    let mut csv = crate::input::RawCsv::new(file);
    let mut header: Option<Vec<String>> = None;
    loop {
        let (line, raw) = match csv
            .step()
            .map_err(|(line, why)| format!("line {line}: {why}"))?
        {
            RawStep::End { tail } => return out.write_all(&tail).map_err(|e| e.to_string()),
            RawStep::Record { line, raw } => (line, raw),
        };
        let rec = csv.fields();
        let Some(header) = &header else {
            header = Some(
                rec.iter()
                    .map(|h| crate::input::header_name(&String::from_utf8_lossy(h)))
                    .collect(),
            );
            out.write_all(&raw).map_err(|e| e.to_string())?;
            continue;
        };
        let Some(text) = fixed.get(&line) else {
            out.write_all(&raw).map_err(|e| e.to_string())?;
            continue;
        };
        let col = crate::input::text_column(|k| {
            let i = header.iter().position(|h| h == k)?;
            Some(rec.get(i).is_none_or(|f| f.trim_ascii().is_empty()))
        })
        .and_then(|k| header.iter().position(|h| h == k))
        .ok_or("no `text`, `message` or `request` column to write the fixes to")?;
        out.write_all(&replace_csv_field(&raw, col, text))
            .map_err(|e| e.to_string())?;
    }
}

/// A raw CSV record with field `col` replaced by `text`, every other byte kept.
fn replace_csv_field(record: &[u8], col: usize, text: &str) -> Vec<u8> {
    // Find the field's raw span: fields split at commas outside quotes.
    let mut field = 0;
    let mut start = record
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(record.len());
    let mut quoted = false;
    let mut end = record.len();
    for (i, &b) in record.iter().enumerate().skip(start) {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                if field == col {
                    end = i;
                    break;
                }
                field += 1;
                start = i + 1;
            }
            b'\r' | b'\n' if !quoted => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let value = if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    };
    [&record[..start], value.as_bytes(), &record[end..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(name: &str, input: &str, fixed: &[(usize, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, input).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let fixed = fixed.iter().map(|(r, t)| (*r, t.to_string())).collect();
        write_batch(path.to_str().unwrap(), &out, &fixed).unwrap();
        std::fs::read_to_string(out).unwrap()
    }

    // Big integer ids became floats, CRLF became LF, a fix for a note read
    // from `message` went into `text`: unfixed bytes must survive as they were.
    #[test]
    fn batch_fix_output_copies_unfixed_jsonl_bytes() {
        let input = "\u{feff}{\"id\": 12345678901234567890123, \"message\":\"Hi  there\", \"text\":\"\"}\r\n{\"id\":1.50,\"text\":\"x\"}\r\nnot json\n{\"text\":\"b\"}";
        let out = rewrite("b.jsonl", input, &[(1, "Hi there"), (4, "c")]);
        assert_eq!(
            out,
            "\u{feff}{\"id\": 12345678901234567890123, \"message\":\"Hi there\", \"text\":\"\"}\r\n{\"id\":1.50,\"text\":\"x\"}\r\nnot json\n{\"text\":\"c\"}"
        );
    }

    #[test]
    fn batch_fix_output_copies_unfixed_csv_bytes() {
        let input = "id,Request,note\r\n12345678901234567890123,\"Hi  there\",\"a\"\r\n2,\"x\",\"unquoted\"\"odd\"\r\n3,y, z \r\n";
        let out = rewrite("b.csv", input, &[(2, "Hi, there"), (4, "w")]);
        assert_eq!(
            out,
            "id,Request,note\r\n12345678901234567890123,\"Hi, there\",\"a\"\r\n2,\"x\",\"unquoted\"\"odd\"\r\n3,w, z \r\n"
        );
    }

    // The old temporary name `.{name}.tact-fix-{pid}` was predictable and
    // followed symlinks: a link planted there made --fix overwrite its target.
    #[cfg(unix)]
    #[test]
    fn fix_write_ignores_a_link_planted_at_a_predictable_temporary_name() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let note = dir.path().join("b.md");
        let victim = dir.path().join("victim");
        std::fs::write(&note, "old").unwrap();
        std::fs::write(&victim, "secret").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
        let planted = dir
            .path()
            .join(format!(".b.md.tact-fix-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, planted).unwrap();
        write_atomically(&note, "old", "new").unwrap();
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret");
        let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A save made between the check and the write must not be overwritten.
    #[test]
    fn fix_write_keeps_a_file_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let note = dir.path().join("n.txt");
        std::fs::write(&note, "edited by the user").unwrap();
        let err = write_atomically(&note, "as checked", "fixed").unwrap_err();
        assert_eq!(err.code, "tact::fix::changed");
        assert_eq!(
            std::fs::read_to_string(&note).unwrap(),
            "edited by the user"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    // The rewrite read CSV rows whole, however long: it is bounded like input.
    #[test]
    fn batch_fix_output_refuses_csv_rows_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        let huge = "a".repeat(crate::input::MAX_ROW_BYTES + 100_000);
        std::fs::write(&path, format!("id,text\n1,hi\n2,\"{huge}\"\n")).unwrap();
        let out = dir.path().join("out.csv");
        let fixed = BTreeMap::from([(2, "hello".to_owned())]);
        let err = write_batch(path.to_str().unwrap(), &out, &fixed).unwrap_err();
        assert!(err.message.contains("line 3"), "{}", err.message);
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fix_write_keeps_the_mode_and_writes_through_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, "old", "new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
