//! Applying rewrites: collect the fixes of a check, apply the ones that do not
//! overlap, check again, and repeat to a fixed point (bounded), detecting rules
//! that keep undoing each other.

use crate::finding::{Fix, Safety};
use crate::note::Note;
use crate::run::{Checker, NoteReport};
use crate::span::Span;
use std::sync::Arc;

/// The most check-and-fix passes on one note.
pub const MAX_PASSES: usize = 10;

/// What fixing one note did.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The note after fixing (a new `Note` with the fixed source).
    pub note: Arc<Note>,
    /// How many fixes were applied in all.
    pub applied: usize,
    /// Check-and-fix passes run.
    pub passes: usize,
    /// Why fixing stopped early: rules in conflict, or no fixed point within the cap.
    pub conflict: Option<String>,
    /// The check of the final text.
    pub report: NoteReport,
    /// The check of the text before any fix (the first pass's).
    pub original_report: NoteReport,
}

/// Applies `fixes` to `source`, in order of position; a fix overlapping one
/// already taken is skipped. Returns the new text and the indexes applied.
pub fn apply(source: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| fixes[i].edits.first().map(|e| (e.span.start, e.span.end)));
    let mut taken: Vec<Span> = Vec::new();
    let mut chosen = Vec::new();
    for i in order {
        let spans: Vec<Span> = fixes[i].edits.iter().map(|e| e.span).collect();
        if spans.iter().any(|s| {
            taken.iter().any(|t| {
                s.overlaps(t)
                    || (s.is_empty() && s.start == t.end)
                    || (t.is_empty() && t.start == s.end)
            })
        }) {
            continue;
        }
        taken.extend(spans);
        chosen.push(i);
    }
    let mut edits: Vec<_> = chosen.iter().flat_map(|&i| fixes[i].edits.iter()).collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&source[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&source[at..]);
    chosen.sort_unstable();
    (out, chosen)
}

/// Fixes `note` with every fix at least as safe as `min`, to a fixed point.
///
/// When the fixes of some rules lead back to a text seen before, the rules
/// conflict: fixing stops at the text where the cycle began, so running again
/// gives the same result, and the rules of the cycle are named.
pub fn fix_note(checker: &Checker, note: Arc<Note>, min: Safety) -> FixOutcome {
    let mut current = note;
    let mut applied = 0;
    // texts[i] became texts[i + 1] by the fixes of rules[i].
    let mut texts: Vec<String> = vec![current.source.clone()];
    let mut rules: Vec<Vec<String>> = Vec::new();
    // The first pass's check, kept once a fix moves past it.
    let mut first: Option<NoteReport> = None;
    for pass in 1..=MAX_PASSES {
        let report = checker.check(&current);
        let fixable: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.safety >= min))
            .collect();
        let fixes: Vec<&Fix> = fixable.iter().filter_map(|f| f.fix.as_ref()).collect();
        let (text, chosen) = apply(&current.source, &fixes);
        // Nothing to fix, or edits that change nothing: a fixed point.
        if text == current.source {
            return FixOutcome {
                note: current,
                applied,
                passes: pass,
                conflict: None,
                original_report: first.unwrap_or_else(|| report.clone()),
                report,
            };
        }
        rules.push(chosen.iter().map(|&i| fixable[i].rule.clone()).collect());
        if first.is_none() {
            first = Some(report.clone());
        }
        if let Some(start) = texts.iter().position(|t| *t == text) {
            let mut names: Vec<String> = rules[start..].concat();
            names.sort();
            names.dedup();
            let conflict = format!(
                "fixes of {} undo each other; kept the text before the cycle (the rules conflict)",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
            applied -= rules[start..rules.len() - 1]
                .iter()
                .map(Vec::len)
                .sum::<usize>();
            let note = Arc::new(reparse(&current, text));
            let report = checker.check(&note);
            return FixOutcome {
                note,
                applied,
                passes: pass,
                conflict: Some(conflict),
                report,
                original_report: first.unwrap_or_default(),
            };
        }
        texts.push(text.clone());
        applied += chosen.len();
        current = Arc::new(reparse(&current, text));
    }
    let report = checker.check(&current);
    let conflict = format!("fixes did not settle after {MAX_PASSES} passes");
    FixOutcome {
        note: current,
        applied,
        passes: MAX_PASSES,
        conflict: Some(conflict),
        report,
        original_report: first.unwrap_or_default(),
    }
}

/// The same note with a new source; front matter is never edited, so the body
/// starts where it did.
fn reparse(note: &Note, source: String) -> Note {
    let body = Span::new(note.body.start, source.len());
    let mut n = Note::with_front(note.origin.clone(), source, body, note.front.clone());
    n.template = note.template;
    n
}

/// A unified diff of two texts with file headers.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{old_name}"), &format!("b/{new_name}"))
        .missing_newline_hint(false)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Edit;

    fn fix(s: usize, e: usize, r: &str) -> Fix {
        Fix {
            safety: Safety::Safe,
            edits: vec![Edit {
                span: Span::new(s, e),
                replacement: r.into(),
            }],
        }
    }

    #[test]
    fn applies_in_position_order_and_skips_overlaps() {
        let a = fix(6, 11, "there");
        let b = fix(0, 5, "Hi");
        let c = fix(8, 11, "xx");
        let (out, chosen) = apply("hello world", &[&a, &b, &c]);
        assert_eq!(out, "Hi there");
        assert_eq!(chosen, vec![0, 1]);
    }

    #[test]
    fn two_inserts_at_one_point_do_not_both_apply() {
        let a = fix(3, 3, "X");
        let b = fix(3, 3, "Y");
        assert_eq!(apply("abcdef", &[&a, &b]).0, "abcXdef");
    }
}
