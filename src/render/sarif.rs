//! SARIF 2.1.0 output, for code-scanning dashboards, on typed structures
//! that follow the official schema. Results are streamed as notes are
//! checked; the rules they name are described once at the end, from their
//! documentation, so GitHub shows a title, a description and help for each.

use super::{Reporter, Spool, Summary, failure_problem};
use crate::finding::{Finding, Level};
use crate::note::Note;
use crate::problem::Problem;
use crate::run::NoteReport;
use crate::span::LineIndex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What a SARIF rule descriptor says about a rule.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    /// One line: the rule's summary.
    pub summary: String,
    /// The rule's documentation (Markdown).
    pub docs: String,
    /// Its default level.
    pub level: Level,
    /// Where it is documented: its pack's `homepage`, when the pack gives one.
    pub help_uri: Option<String>,
}

/// Looks up a rule's documentation by id.
pub type RuleDocs = Box<dyn Fn(&str) -> Option<RuleDoc>>;

/// `{"text": …}`: a SARIF message or multiformat message string.
#[derive(Serialize)]
struct Text {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

impl Text {
    fn plain(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            markdown: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
}

/// A region: lines and columns (Unicode code points, 1-based) and bytes.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

impl Location {
    fn new(file: &str, region: Option<Region>) -> Location {
        Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(file) },
                region,
            },
        }
    }
}

/// Where a finding is, beyond SARIF's own fields.
#[derive(Serialize)]
struct ResultProperties<'a> {
    row: Option<usize>,
    id: Option<&'a str>,
    rulebook: &'a str,
    span: crate::span::Span,
    fixable: Option<crate::finding::Safety>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
struct NotificationProperties {
    row: Option<usize>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    locations: Vec<Location>,
    properties: NotificationProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Info => "note",
    }
}

/// A file path as a SARIF URI reference: relative paths stay relative
/// (without `./`), absolute ones become `file://` URIs; every byte outside
/// the unreserved set and `/` is percent-encoded (spaces, `%`, `#`, `:`,
/// non-ASCII), so the value is a valid `uri-reference`.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rel = path.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let mut out = String::with_capacity(rel.len() + 8);
    let drive = matches!(rel.as_bytes(), [d, b':', b'/', ..] if d.is_ascii_alphabetic());
    let absolute = rel.starts_with('/') || drive;
    if absolute {
        out.push_str("file://");
        if !rel.starts_with('/') {
            out.push('/');
        }
    }
    for (i, b) in rel.bytes().enumerate() {
        // A drive letter's colon (`C:`) stays: it is part of a file URI's path.
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (absolute && i == 1 && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A result's identity across runs: the rule, the file, the flagged text and
/// which occurrence of that text it is, so it survives edits elsewhere in the
/// note (and a batch row moving).
fn fingerprint(rule: &str, file: &str, id: Option<&str>, text: &str, nth: usize) -> String {
    let mut h = Sha256::new();
    for part in [rule, file, id.unwrap_or(""), text, &nth.to_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SARIF reporter.
pub struct Sarif {
    out: Box<dyn Write>,
    first: bool,
    rules: BTreeMap<String, Level>,
    docs: RuleDocs,
    notifications: Spool,
}

impl Sarif {
    /// A reporter writing to `out`, describing rules with `docs`.
    pub fn new(out: Box<dyn Write>, docs: RuleDocs) -> Self {
        Sarif {
            out,
            first: true,
            rules: BTreeMap::new(),
            docs,
            notifications: Spool::new(),
        }
    }

    fn open(&mut self) -> io::Result<()> {
        if self.first {
            self.first = false;
            writeln!(
                self.out,
                "{{\"version\":\"2.1.0\",\"$schema\":\"{SCHEMA}\",\"runs\":[{{\"columnKind\":\"unicodeCodePoints\",\"results\":["
            )
        } else {
            self.out.write_all(b",\n")
        }
    }

    fn result<'a>(
        note: &'a Note,
        idx: &LineIndex,
        rulebook: &'a str,
        f: &'a Finding,
        nth: usize,
    ) -> SarifResult<'a> {
        let (s, e) = (idx.line_col(f.span.start), idx.line_col(f.span.end));
        let text = note.slice(f.span);
        let snippet = (!text.is_empty()).then(|| Text::plain(text));
        // A batch row's text is one record of the file, but positions inside
        // it do not map to file columns (JSON escapes, CSV quotes): the
        // region is the row's line, the flagged text its snippet, and the
        // position in the text stays under `properties`.
        let region = match note.origin.row {
            Some(row) => Region {
                start_line: row,
                end_line: Some(row),
                snippet,
                ..Region::default()
            },
            None => Region {
                start_line: s.line,
                start_column: Some(s.column),
                end_line: Some(e.line),
                end_column: Some(e.column),
                byte_offset: Some(f.span.start),
                byte_length: Some(f.span.len()),
                snippet,
            },
        };
        let mut message = f.message.clone();
        if let Some(h) = &f.help {
            message = format!("{message} ({h})");
        }
        let print = fingerprint(
            &f.rule,
            &note.origin.path,
            note.origin.id.as_deref(),
            text,
            nth,
        );
        SarifResult {
            rule_id: &f.rule,
            level: sarif_level(f.level),
            message: Text::plain(message),
            locations: vec![Location::new(&note.origin.path, Some(region))],
            partial_fingerprints: BTreeMap::from([("tact/v1", print)]),
            properties: ResultProperties {
                row: note.origin.row,
                id: note.origin.id.as_deref(),
                rulebook,
                span: f.span,
                fixable: f.fix.as_ref().map(|x| x.safety),
            },
        }
    }

    fn descriptor(&self, id: &str, level: Level) -> ReportingDescriptor {
        let doc = (self.docs)(id).unwrap_or(RuleDoc {
            summary: id.to_owned(),
            docs: String::new(),
            level,
            help_uri: None,
        });
        let full = if doc.docs.trim().is_empty() {
            doc.summary.clone()
        } else {
            doc.docs.trim().to_owned()
        };
        let explain = format!("Run `tact explain {id}` for its options and examples.");
        ReportingDescriptor {
            id: id.to_owned(),
            short_description: Text::plain(doc.summary.clone()),
            full_description: Text::plain(full.clone()),
            help: Text {
                text: format!("{full}\n\n{explain}"),
                markdown: Some(format!("{full}\n\n{explain}")),
            },
            help_uri: doc.help_uri,
            default_configuration: Configuration {
                level: sarif_level(doc.level),
            },
        }
    }
}

impl Reporter for Sarif {
    fn note(&mut self, note: &Note, report: &NoteReport, rulebook: &str) -> io::Result<()> {
        let idx = LineIndex::new(&note.source);
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for f in &report.findings {
            self.rules.entry(f.rule.clone()).or_insert(f.level);
            let nth = seen.entry((&f.rule, note.slice(f.span))).or_default();
            let result = Self::result(note, &idx, rulebook, f, *nth);
            *nth += 1;
            self.open()?;
            serde_json::to_writer(&mut self.out, &result)?;
        }
        for f in &report.failures {
            self.problem(&failure_problem(f))?;
        }
        Ok(())
    }

    fn problem(&mut self, p: &Problem) -> io::Result<()> {
        // A batch row's problem points at its row; a file's at its label.
        let region = match (p.row, p.line_col()) {
            (Some(row), _) => Some(Region {
                start_line: row,
                ..Region::default()
            }),
            (None, Some(at)) => Some(Region {
                start_line: at.line,
                start_column: Some(at.column),
                ..Region::default()
            }),
            (None, None) => None,
        };
        self.notifications.push(&Notification {
            level: "error",
            message: Text::plain(p.message.clone()),
            descriptor: Descriptor { id: p.code.clone() },
            locations: p
                .file()
                .map(|f| vec![Location::new(f, region)])
                .unwrap_or_default(),
            properties: NotificationProperties { row: p.row },
        })
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.first {
            self.open()?;
        }
        let rules = self
            .rules
            .iter()
            .map(|(id, level)| self.descriptor(id, *level))
            .collect();
        let tool = Tool {
            driver: Driver {
                name: "tact",
                version: env!("CARGO_PKG_VERSION"),
                semantic_version: env!("CARGO_PKG_VERSION"),
                rules,
            },
        };
        self.out.write_all(b"\n],\"tool\":")?;
        serde_json::to_writer(&mut self.out, &tool)?;
        write!(
            self.out,
            ",\"invocations\":[{{\"executionSuccessful\":{},\"toolExecutionNotifications\":",
            self.notifications.is_empty()
        )?;
        self.notifications.write_array(&mut self.out)?;
        self.out.write_all(b"}]}]}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_references() {
        assert_eq!(uri("./notes/a b.md"), "notes/a%20b.md");
        assert_eq!(uri("100%.md"), "100%25.md");
        assert_eq!(uri("notes/café.md"), "notes/caf%C3%A9.md");
        assert_eq!(uri("a:b#c?.md"), "a%3Ab%23c%3F.md");
        assert_eq!(uri("/tmp/x y.md"), "file:///tmp/x%20y.md");
        assert_eq!(uri("C:\\notes\\a.md"), "file:///C:/notes/a.md");
    }

    #[test]
    fn fingerprints_are_stable_and_tell_occurrences_apart() {
        let a = fingerprint("core/x", "a.md", None, "demo", 0);
        assert_eq!(a, fingerprint("core/x", "a.md", None, "demo", 0));
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint("core/x", "a.md", None, "demo", 1));
        assert_ne!(a, fingerprint("core/y", "a.md", None, "demo", 0));
    }
}
