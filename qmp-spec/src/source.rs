//! Byte offsets -> lines and columns, and diagnostics anchored in the document.
//!
//! Lines are exactly those of [`str::lines`] (split at `\n`, a `\r` before it dropped), columns
//! count characters, both 1-based. Every diagnostic made here points inside the document: a
//! position past the last line break is moved to the end of the last line.
//!
//! Finding a column costs nothing on an ASCII line, and on other lines counts characters from
//! the previous position asked about when that is earlier on the same line, so that lowering,
//! which asks in document order, stays linear even on one huge line.

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::Span;
use std::cell::Cell;

/// The document being parsed, with the start offset of each of its lines.
///
/// The document is parsed a section at a time, each from its own start: offsets given to a
/// `Source` are relative to its [base](Source::set_base), the start of the part being lowered,
/// and [`Source::text`] is the text from there on.
pub(crate) struct Source<'a> {
    file: &'a str,
    text: &'a str,
    /// Where the offsets given to this source count from.
    base: Cell<usize>,
    /// `(byte offset of the line start, the line's text)`, one per line of [`str::lines`].
    lines: Vec<(usize, &'a str)>,
    /// Whether each line is ASCII (its columns are then its byte offsets).
    ascii: Vec<bool>,
    /// The last column counted on a non-ASCII line: `(line index, byte offset in the line,
    /// characters before it)`.
    counted: Cell<(usize, usize, usize)>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        let base = text.as_ptr() as usize;
        let lines: Vec<(usize, &str)> = text
            .lines()
            .map(|line| (line.as_ptr() as usize - base, line))
            .collect();
        let ascii = lines.iter().map(|(_, line)| line.is_ascii()).collect();
        Source {
            file,
            text,
            base: Cell::new(0),
            lines,
            ascii,
            counted: Cell::new((usize::MAX, 0, 0)),
        }
    }

    /// The document's text from the base on.
    pub(crate) fn text(&self) -> &'a str {
        self.text.get(self.base.get()..).unwrap_or("")
    }

    /// Offsets given from now on count from `base` (a character boundary of the document).
    pub(crate) fn set_base(&self, base: usize) {
        self.base.set(base.min(self.text.len()));
    }

    /// The offset in the whole document of `offset`, given relative to the base.
    pub(crate) fn absolute(&self, offset: usize) -> usize {
        offset + self.base.get()
    }

    /// 0-based line index, column (1-based, in characters) and line text of a byte offset.
    fn locate(&self, offset: usize) -> (usize, u32, &'a str) {
        let offset = self.absolute(offset).min(self.text.len());
        if self.lines.is_empty() {
            return (0, 1, "");
        }
        let index = self
            .lines
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1);
        let (start, line) = self.lines[index];
        // Past the line's text means on its line break, or past the last one at the very end.
        let within = (offset - start).min(line.len());
        let col = if self.ascii[index] {
            within + 1
        } else {
            self.chars_before(index, line, within) + 1
        };
        (index, to_u32(col), line)
    }

    /// How many characters of the non-ASCII `line` (number `index`) precede byte `within`
    /// (rounded down to a character boundary), counted on from the last count when it can be.
    fn chars_before(&self, index: usize, line: &str, mut within: usize) -> usize {
        while !line.is_char_boundary(within) {
            within -= 1;
        }
        let (last_index, last_within, last_chars) = self.counted.get();
        let (from, chars) = if last_index == index && last_within <= within {
            (last_within, last_chars)
        } else {
            (0, 0)
        };
        let chars = chars + line[from..within].chars().count();
        self.counted.set((index, within, chars));
        chars
    }

    /// The 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (u32, u32) {
        let (index, col, _) = self.locate(offset);
        (to_u32(index + 1), col)
    }

    /// The IR span of the bytes `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let (line, col) = self.line_col(start);
        if end <= start {
            return Span {
                line,
                col,
                end_line: line,
                end_col: col,
            };
        }
        let last = self.char_start_before(end);
        let (end_line, last_col) = self.line_col(last);
        Span {
            line,
            col,
            end_line,
            end_col: last_col + 1,
        }
    }

    /// The start of the character that ends just before `end`.
    fn char_start_before(&self, end: usize) -> usize {
        let text = self.text();
        let before = text.get(..end.min(text.len())).unwrap_or(text);
        before.char_indices().next_back().map_or(0, |(i, _)| i)
    }

    /// A diagnostic at byte offset `offset`, underlining `len` characters (clamped to the line).
    pub(crate) fn diagnostic(
        &self,
        severity: Severity,
        message: impl Into<String>,
        offset: usize,
        len: usize,
        expected: Option<String>,
    ) -> Diagnostic {
        let (index, col, line) = self.locate(offset);
        let room = (line.chars().count() + 1).saturating_sub(col as usize);
        Diagnostic {
            severity,
            message: message.into(),
            file: self.file.to_string(),
            line: to_u32(index + 1),
            col,
            len: to_u32(len.min(room).max(1)),
            source_line: line.to_string(),
            expected,
            notes: Vec::new(),
        }
    }

    /// An error at `offset` underlining the characters of `start..end` that are on its line.
    pub(crate) fn error(
        &self,
        message: impl Into<String>,
        start: usize,
        end: usize,
        expected: impl Into<String>,
    ) -> Diagnostic {
        let len = self.text().get(start..end).map_or(1, |s| s.chars().count());
        self.diagnostic(Severity::Error, message, start, len, Some(expected.into()))
    }
}

impl Source<'_> {
    /// An error at the first `\r` that is not part of a `\r\n` line break, if there is one.
    pub(crate) fn lone_carriage_return(&self) -> Option<Diagnostic> {
        let bytes = self.text().as_bytes();
        let at =
            (0..bytes.len()).find(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))?;
        let doubled = bytes[at + 1..].starts_with(b"\r\n");
        let message = if doubled {
            "line ends in `\\r\\r\\n`: a `\\r` without its `\\n` (line endings converted twice?)"
        } else {
            "a `\\r` without a `\\n` after it (old Mac line endings?)"
        };
        Some(self.diagnostic(
            Severity::Error,
            message,
            at,
            1,
            Some("lines ending in `\\n` or `\\r\\n`".to_string()),
        ))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_counted_in_characters_and_clamped_to_the_last_line() {
        let source = Source::new("f", "ab\r\nçd\n");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(2), (1, 3));
        // The `\n` of a `\r\n` is still at the end of the line's text.
        assert_eq!(source.line_col(3), (1, 3));
        assert_eq!(source.line_col(6), (2, 2));
        assert_eq!(source.line_col(source.text().len()), (2, 3));
        assert_eq!(
            source.span(4, 7),
            Span {
                line: 2,
                col: 1,
                end_line: 2,
                end_col: 3
            }
        );
    }

    #[test]
    fn offsets_count_from_the_base() {
        let source = Source::new("f", "ab\nçd\nef\n");
        source.set_base(3);
        assert_eq!(source.text(), "çd\nef\n");
        assert_eq!(source.line_col(0), (2, 1));
        assert_eq!(source.line_col(2), (2, 2));
        assert_eq!(source.line_col(4), (3, 1));
        assert_eq!(source.absolute(4), 7);
        assert_eq!(source.error("m", 4, 6, "x").len, 2);
        source.set_base(0);
        assert_eq!(source.line_col(5), (2, 2));
    }

    #[test]
    fn an_empty_document_has_one_empty_line() {
        let source = Source::new("f", "");
        let d = source.diagnostic(Severity::Error, "m", 0, 5, None);
        assert_eq!(
            (d.line, d.col, d.len, d.source_line.as_str()),
            (1, 1, 1, "")
        );
    }
}
