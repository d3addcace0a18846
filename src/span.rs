//! Byte spans into a note's source and their line:column form.

use serde::Serialize;

/// A half-open byte range `start..end` into the source text of a note, a rule
/// script or a rulebook. Both ends always lie on UTF-8 char boundaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    pub fn new(start: usize, end: usize) -> Self {
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: end,
                end: start,
            }
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when the two spans share at least one byte, or both are the same
    /// insertion point.
    pub fn overlaps(&self, other: &Span) -> bool {
        (self.start < other.end && other.start < self.end) || (self == other)
    }

    /// Shifts both ends by `offset` bytes.
    pub fn shifted(&self, offset: usize) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }

    /// Moves both ends down to the nearest char boundary of `text` and clamps
    /// them to its length, so slicing never panics.
    pub fn clamp_to(&self, text: &str) -> Span {
        let fix = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        Span::new(fix(self.start), fix(self.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A 1-based line and column (columns count chars, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in chars.
    pub column: usize,
}

/// A position as the Language Server Protocol counts it: 0-based line, and
/// 0-based character offset in UTF-16 code units within the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Utf16Pos {
    /// 0-based line number.
    pub line: usize,
    /// 0-based offset in UTF-16 code units.
    pub character: usize,
}

/// Converts byte offsets to line:column for one text.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// The line and column of byte `offset`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The LSP position (0-based line, UTF-16 column) of byte `offset`.
    pub fn utf16(&self, offset: usize) -> Utf16Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Utf16Pos { line, character }
    }

    /// The byte offset of a 1-based line and 1-based char column, as Rhai
    /// reports positions. Out-of-range values are clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = &self.text[start..];
        let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
        start
            + line_text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map(|(i, _)| i)
                .unwrap_or(line_text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_count_code_units() {
        // "é" is one UTF-16 unit, "😀" two; both are more than one byte.
        let text = "é😀x\nab";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.utf16(0),
            Utf16Pos {
                line: 0,
                character: 0
            }
        );
        assert_eq!(
            idx.utf16(2),
            Utf16Pos {
                line: 0,
                character: 1
            }
        );
        assert_eq!(
            idx.utf16(6),
            Utf16Pos {
                line: 0,
                character: 3
            }
        );
        assert_eq!(
            idx.utf16(8),
            Utf16Pos {
                line: 1,
                character: 0
            }
        );
        assert_eq!(
            idx.utf16(3),
            Utf16Pos {
                line: 0,
                character: 1
            },
            "inside a char"
        );
        assert_eq!(
            idx.utf16(99),
            Utf16Pos {
                line: 1,
                character: 2
            }
        );
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let idx = LineIndex::new("héllo\nwörld");
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(3), LineCol { line: 1, column: 3 });
        assert_eq!(idx.line_col(7), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(10), LineCol { line: 2, column: 3 });
        assert_eq!(
            idx.line_col(9),
            LineCol { line: 2, column: 2 },
            "mid-char offsets round down"
        );
    }

    #[test]
    fn offset_of_inverts_line_col() {
        let text = "ab\nçd ef\n";
        let idx = LineIndex::new(text);
        for (i, _) in text.char_indices() {
            let lc = idx.line_col(i);
            assert_eq!(idx.offset_of(lc.line, lc.column), i);
        }
        assert_eq!(idx.offset_of(99, 1), text.len());
    }

    #[test]
    fn clamp_keeps_char_boundaries() {
        let s = Span::new(2, 100).clamp_to("aé");
        assert_eq!(s, Span::new(1, 3));
    }
}
