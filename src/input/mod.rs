//! Reading notes: note files, folders, stdin, and JSONL/CSV batches streamed
//! row by row. Every bad input becomes a `Problem` naming the file (and row);
//! the other notes are still read.

mod batch;

pub use batch::{HashedRow, MAX_ROW_BYTES, RawCsv, RawStep, Want, read_line_bounded, text_column};

use crate::note::{Note, Origin};
use crate::plugin::discover::is_noise;
use crate::problem::{Problem, Source};
use std::io::Read;
use std::path::Path;

/// The largest note accepted, in bytes (LinkedIn's limit is 300 characters).
pub const MAX_NOTE_BYTES: usize = 16 * 1024;

/// A note or the problem that stopped it being read.
pub type Item = Result<Note, Problem>;

/// A CSV column name as tact reads it: trimmed and lowercased.
pub fn header_name(h: &str) -> String {
    h.trim().to_ascii_lowercase()
}

/// What kind of input a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One note (`.txt`, `.md`, anything else given by name, or stdin).
    Note,
    /// One note per line of JSON.
    Jsonl,
    /// One note per CSV record.
    Csv,
}

/// The kind of a file, by its extension.
pub fn kind_of(path: &Path) -> Kind {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jsonl" | "ndjson") => Kind::Jsonl,
        Some("csv") => Kind::Csv,
        _ => Kind::Note,
    }
}

/// A path as tact names it in output: without `.` components, so `tact
/// check .` shows `notes/a.md` (as Ruff and ESLint do), never `./notes/a.md`.
/// `-` (stdin) and a path that is only `.` stay as they are.
pub fn shown(path: &str) -> String {
    if path == "-" {
        return path.to_owned();
    }
    let p: std::path::PathBuf = Path::new(path)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    match p.to_str() {
        Some("") => ".".to_owned(),
        Some(s) => s.to_owned(),
        None => path.to_owned(),
    }
}

/// What a folder walk asks about the note files it finds (files named on
/// the command line are always read).
pub trait WalkFilter {
    /// Why a found file is left out (a project's `include`/`exclude`), or
    /// `None` to read it.
    fn skips(&mut self, file: &Path) -> Option<String>;
    /// Told of every found file left out, and why (for `--verbose`).
    fn skipped(&mut self, file: &Path, why: &str);
    /// Whether files named on the command line are filtered too (Ruff's
    /// `--force-exclude`, for pre-commit, which names every changed file).
    fn force(&self) -> bool {
        false
    }
}

/// A filter is one too when borrowed, so a caller can read what it learnt
/// after the walk.
impl<T: WalkFilter + ?Sized> WalkFilter for &mut T {
    fn skips(&mut self, file: &Path) -> Option<String> {
        (**self).skips(file)
    }
    fn skipped(&mut self, file: &Path, why: &str) {
        (**self).skipped(file, why);
    }
    fn force(&self) -> bool {
        (**self).force()
    }
}

/// Why a folder walk leaves out a note file it found: `filter` says so, or
/// it is a JSONL/CSV file that is not a batch of notes.
pub fn walk_skips(file: &Path, filter: &mut dyn WalkFilter) -> Option<String> {
    filter.skips(file).or_else(|| not_a_batch(file))
}

/// Reads every note file a walk finds.
pub struct ReadAll;

impl WalkFilter for ReadAll {
    fn skips(&mut self, _file: &Path) -> Option<String> {
        None
    }
    fn skipped(&mut self, _file: &Path, _why: &str) {}
}

/// The files a path stands for (named as [`shown`]): itself, or for a folder every `.txt`, `.md`,
/// `.jsonl` and `.csv` file below it in name order that `filter` keeps, and
/// of the JSONL and CSV files only batches (with a text column). Like
/// ripgrep, a folder walk skips hidden files and whatever `.gitignore` or
/// `.ignore` files exclude (so `target/` and build output stay out); a file
/// named on the command line is read unless `filter.force()`.
pub fn expand(path: &str, filter: &mut dyn WalkFilter) -> Vec<Result<String, Problem>> {
    let p = Path::new(path);
    if path == "-" || !p.is_dir() {
        if path != "-"
            && filter.force()
            && let Some(why) = walk_skips(p, filter)
        {
            filter.skipped(p, &why);
            return vec![];
        }
        return vec![Ok(shown(path))];
    }
    let mut found = false;
    let mut files: Vec<Result<String, Problem>> = walk(p)
        .filter_map(|e| match e {
            Err(e) => Some(Err(Problem::error(
                "tact::input::read",
                format!("cannot walk `{path}`: {e}"),
            )
            .in_input(path, None))),
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && is_note_file(e.path()) => {
                found = true;
                if let Some(why) = walk_skips(e.path(), filter) {
                    filter.skipped(e.path(), &why);
                    return None;
                }
                Some(match e.path().to_str() {
                    Some(name) => Ok(shown(name)),
                    None => Err(Problem::error(
                        "tact::input::file-name",
                        format!(
                            "the file name `{}` is not valid UTF-8; it was not read",
                            e.path().display()
                        ),
                    )
                    .help("rename the file; tact names files in its output as UTF-8 text")
                    .in_input(e.path().display().to_string(), None)),
                })
            }
            Ok(_) => None,
        })
        .collect();
    // A folder whose note files were all left out on purpose is not an error.
    if files.is_empty() && !found {
        files.push(Err(Problem::error(
            "tact::input::empty-folder",
            format!("no notes in `{path}`"),
        )
        .help(
            "tact reads .txt, .md, .jsonl and .csv files; hidden and git-ignored files are skipped",
        )
        .in_input(path, None)));
    }
    files
}

/// Why a JSONL or CSV file found in a folder is not a batch of notes: its
/// first row has no `text`, `message` or `request` column (a contact list,
/// say). `None` for notes, batches, and files that cannot be read (reading
/// them reports why).
fn not_a_batch(path: &Path) -> Option<String> {
    let kind = kind_of(path);
    if kind == Kind::Note {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::new(file);
    let mut line = Vec::new();
    // The first non-blank line: a CSV header or a JSONL row.
    loop {
        if read_line_bounded(&mut reader, MAX_ROW_BYTES, &mut line).ok()? == 0 {
            return None;
        }
        if !line.trim_ascii().is_empty() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&line);
    let text = text.trim_start_matches('\u{feff}');
    let has = |name: &str| batch::TEXT_COLUMNS.contains(&name);
    let found = match kind {
        Kind::Csv => csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .next()?
            .ok()?
            .iter()
            .any(|h| has(&header_name(h))),
        _ => match serde_json::from_str::<serde_json::Value>(text.trim()).ok()? {
            serde_json::Value::Object(m) => m.keys().any(|k| has(k)),
            _ => return None,
        },
    };
    (!found).then(|| "no `text`, `message` or `request` column: not a batch of notes".to_owned())
}

/// Walks a folder as `tact check` and `tact watch` both do: sorted by name,
/// hidden files, editor droppings and git-ignored files skipped. Symlinks are
/// followed (a symlinked note is read like any other; a link loop is reported).
pub fn walk(dir: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .require_git(false)
        .follow_links(true)
        .filter_entry(|e| e.depth() == 0 || !is_noise(e.path()))
        .build()
}

/// A file a folder walk reads as notes: `.txt`, `.md`, `.jsonl`, `.ndjson`, `.csv` (any case).
pub fn is_note_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase);
    matches!(
        ext.as_deref(),
        Some("txt" | "md" | "jsonl" | "ndjson" | "csv")
    )
}

/// Streams the notes of every path (`-` is stdin); folder walks read every
/// note file and batch they find.
pub fn notes<'a>(paths: &'a [String], template: bool) -> impl Iterator<Item = Item> + 'a {
    notes_filtered(paths, template, ReadAll)
}

/// Streams the notes of every path (`-` is stdin); folder walks ask `filter`.
pub fn notes_filtered<'a>(
    paths: &'a [String],
    template: bool,
    filter: impl WalkFilter + 'a,
) -> impl Iterator<Item = Item> + 'a {
    pending(paths, template, filter).map(Pending::parse)
}

/// An input item as read: a note file's note (or problem), or a batch row
/// whose parsing waits for the worker thread that checks it, so the reading
/// thread only splits files into rows.
// Items are moved in chunks, never kept: their size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Pending {
    /// Read and parsed.
    Read(Item),
    /// A batch row, and whether it is checked as a template.
    Row(batch::Row, bool),
}

impl Pending {
    /// The file the item's note comes from (`None` for a problem).
    pub fn path(&self) -> Option<&str> {
        match self {
            Pending::Read(Ok(note)) => Some(&note.origin.path),
            Pending::Read(Err(_)) => None,
            Pending::Row(row, _) => Some(row.path()),
        }
    }

    /// The note, or the problem that stopped it being read.
    pub fn parse(self) -> Item {
        match self {
            Pending::Read(item) => item,
            Pending::Row(row, template) => row.parse().map(|mut n| {
                n.template = template;
                n
            }),
        }
    }
}

/// Like [`notes_filtered`], with batch rows left for [`Pending::parse`].
pub fn pending<'a>(
    paths: &'a [String],
    template: bool,
    mut filter: impl WalkFilter + 'a,
) -> impl Iterator<Item = Pending> + 'a {
    paths
        .iter()
        .flat_map(move |p| expand(p, &mut filter))
        .flat_map(move |file| -> Box<dyn Iterator<Item = Pending>> {
            let file = match file {
                Ok(f) => f,
                Err(p) => return Box::new(std::iter::once(Pending::Read(Err(p)))),
            };
            let with_template = move |item: Pending| match item {
                Pending::Row(row, _) => Pending::Row(row, template),
                Pending::Read(item) => Pending::Read(item.map(|mut n| {
                    n.template = template;
                    n
                })),
            };
            match kind_of(Path::new(&file)) {
                Kind::Note => Box::new(std::iter::once(with_template(Pending::Read(
                    read_note_file(&file),
                )))),
                Kind::Jsonl => Box::new(batch::jsonl(file).map(with_template)),
                Kind::Csv => Box::new(batch::csv(file).map(with_template)),
            }
        })
}

/// The rows of a JSONL or CSV batch with a hash of each (see [`HashedRow`]);
/// a row `want` declines is not parsed. Notes are marked as templates when
/// `template`.
pub fn batch_rows(path: &str, template: bool, want: Want) -> Box<dyn Iterator<Item = HashedRow>> {
    let rows = match kind_of(Path::new(path)) {
        Kind::Csv => batch::csv_rows(path.to_owned(), want),
        _ => batch::jsonl_rows(path.to_owned(), want),
    };
    Box::new(rows.map(move |mut r| {
        if let Some(Ok(note)) = &mut r.item {
            note.template = template;
        }
        r
    }))
}

/// Reads one note file (or stdin for `-`). At most one byte past the size
/// cap is read, whatever the file is (`/dev/zero`, a pipe, a growing file).
pub fn read_note_file(path: &str) -> Item {
    let name = if path == "-" { "stdin" } else { path };
    let cannot = |e: std::io::Error| {
        Problem::error("tact::input::read", format!("cannot read `{name}`: {e}"))
            .help("check the path; `tact check` takes note files, folders, .jsonl/.csv batches or `-`")
            .in_input(path, None)
    };
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .take(MAX_NOTE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    } else {
        let file = std::fs::File::open(path).map_err(cannot)?;
        // A regular file's size says it all without reading it.
        if let Ok(meta) = file.metadata()
            && meta.is_file()
            && meta.len() > MAX_NOTE_BYTES as u64
        {
            return Err(too_large(path, Some(meta.len())));
        }
        file.take(MAX_NOTE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    }
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(too_large(path, None));
    }
    let text = decode(path, bytes)?;
    note_from_text(Origin::file(path), text)
}

/// A note over the cap; `len` is its size when known (a regular file), else
/// only that it is over.
fn too_large(path: &str, len: Option<u64>) -> Problem {
    let size = match len {
        Some(len) => format!("{} KiB", len / 1024),
        None => format!("over {} KiB", MAX_NOTE_BYTES / 1024),
    };
    Problem::error(
        "tact::input::too-large",
        format!(
            "`{path}` is {size}; a note file holds at most {} KiB",
            MAX_NOTE_BYTES / 1024
        ),
    )
    .help("a connection note is at most 300 characters; put many notes in a .jsonl or .csv batch")
    .in_input(path, None)
}

/// Decodes UTF-8, naming the first bad byte.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Problem> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Problem::error(
            "tact::input::utf8",
            format!("`{name}` is not valid UTF-8 (bad byte at offset {at})"),
        )
        .help("save the note as UTF-8")
        .in_input(name, None)
    })
}

/// Parses a note file's text: front matter, body, and the empty-note check.
pub fn note_from_text(origin: Origin, text: String) -> Item {
    let name = origin.to_string();
    let split = match crate::note::front_matter::split(&text) {
        Ok(s) => s,
        Err(e) => {
            return Err(Problem::error("tact::input::front-matter", e.message)
                .at(Source::new(name, text), e.span, "here")
                .in_input(origin.path.clone(), origin.row)
                .help("front matter is TOML between two `+++` lines at the top of the file"));
        }
    };
    let note = Note::with_front(origin, text, split.body, split.front);
    if note.body_text().trim().is_empty() {
        return Err(
            Problem::error("tact::input::empty", format!("`{name}` has no note text"))
                .at(
                    Source::new(name, note.source.clone()),
                    note.body,
                    "the note is empty here",
                )
                .help("write the note below the front matter")
                .in_input(note.origin.path.clone(), note.origin.row),
        );
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn shown_paths_lose_dot_components_only() {
        assert_eq!(shown("./notes/a.md"), "notes/a.md");
        assert_eq!(shown("notes/./a.md"), "notes/a.md");
        assert_eq!(shown("././a.md"), "a.md");
        assert_eq!(shown("../x/a.md"), "../x/a.md");
        assert_eq!(shown("/abs/./a.md"), "/abs/a.md");
        assert_eq!(shown("."), ".");
        assert_eq!(shown("./"), ".");
        assert_eq!(shown("-"), "-");
    }
}
