//! Writing fixed notes: files atomically in place, batch rows to `--output`.

use crate::cli::CheckArgs;
use crate::note::Note;
use crate::problem::Problem;
use std::io::Write;
use std::path::Path;

/// Replaces `path`'s contents with `text` by writing a sibling temporary file
/// and renaming it over the original: the file is never left half-written.
/// A read-only file is refused and left as it was.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Problem> {
    let fail = |why: String| {
        Problem::error("tact::fix::write", format!("cannot write the fixed note to `{}`: {why}", path.display()))
            .help("the file was left unchanged")
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if meta.permissions().readonly() {
        return Err(fail("the file is read-only".into()));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("note");
    let tmp = dir.join(format!(".{name}.tact-fix-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e.to_string())
    })
}

/// A fixed batch row: batches are rewritten to `--output`, never in place.
pub fn batch_row(args: &CheckArgs, original: &Note, fixed: &Note) -> Result<(), Problem> {
    if args.diff {
        if original.source != fixed.source {
            let name = original.origin.to_string();
            print!("{}", crate::app::unified_diff(&original.source, &fixed.source, &name, &name));
        }
        return Ok(());
    }
    Err(Problem::error(
        "tact::fix::batch",
        format!("{}: fixing batch files is not supported yet; use --diff to see the rewrites", original.origin),
    ))
}
