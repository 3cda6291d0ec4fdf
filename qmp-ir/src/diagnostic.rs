//! Errors and warnings about a document, as values rendered once by whoever reports them.

use serde::Serialize;
use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document cannot be turned into an IR.
    Error,
    /// The document has a flaw that was worked around (for example an example that is not JSON).
    Warning,
}

/// A message about a place in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one line (`expected a JSON type such as json-string`).
    pub message: String,
    /// The document's name as given to the parser (usually its path).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
    /// How many characters to underline (at least 1).
    pub len: u32,
    /// The text of the line the diagnostic points into, without its line ending.
    pub source_line: String,
    /// What was expected there, if that can be said (`one of "Data:", "Example:", a bullet`).
    pub expected: Option<String>,
    /// Further context, one line each: for a file reached through `include`, the chain of
    /// includes (`in file included from qapi-schema.json:42:1`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// `file:line:col`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.col)
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Lines longer than this many characters are shown in part, around the column (a JSON file
/// on one line, such as a saved `query-qmp-schema` reply, would fill the screen).
const MAX_SHOWN: usize = 160;

/// How many characters a shortened line keeps on each side of what is underlined.
const CONTEXT: usize = 60;

impl Diagnostic {
    /// The part of the source line to show, the 0-based column of the caret in it, and how many
    /// carets: the whole line, or for a long one a window around the column with `...` ends.
    fn window(&self) -> (String, usize, usize) {
        let col = self.col.saturating_sub(1) as usize;
        let len = self.len.max(1) as usize;
        let count = self.source_line.chars().count();
        if count <= MAX_SHOWN {
            return (self.source_line.clone(), col, len);
        }
        let col = col.min(count);
        let start = col.saturating_sub(CONTEXT);
        let len = len.clamp(1, CONTEXT * 2);
        let end = (col + len + CONTEXT).min(count);
        let middle: String = self
            .source_line
            .chars()
            .skip(start)
            .take(end - start)
            .collect();
        let (prefix, suffix) = (
            if start > 0 { "..." } else { "" },
            if end < count { "..." } else { "" },
        );
        (
            format!("{prefix}{middle}{suffix}"),
            col - start + prefix.len(),
            len,
        )
    }
}

/// Renders in the style of rustc:
///
/// ```text
/// error: expected a heading underline
///   --> spec.txt:4:1
///    |
///  4 | BALLOON_CHANGE
///    | ^^^^^^^^^^^^^^
///    = expected: a line of `-` under the heading
/// ```
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        writeln!(f, "{label}: {}", self.message)?;
        writeln!(f, "{gutter}--> {}", self.location())?;
        writeln!(f, "{gutter} |")?;
        let (shown, col, len) = self.window();
        // Control characters other than tabs (a stray `\r`) are shown as their Unicode
        // pictures (`␍`), one column each, rather than sent to the terminal.
        let shown: String = shown.chars().map(visible).collect();
        writeln!(f, "{number} | {shown}")?;
        // Tabs keep their width so that the caret lines up with the text above it.
        let pad: String = shown
            .chars()
            .take(col)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(len.max(1));
        write!(f, "{gutter} | {pad}{carets}")?;
        if let Some(expected) = &self.expected {
            write!(f, "\n{gutter} = expected: {expected}")?;
        }
        for note in &self.notes {
            write!(f, "\n{gutter} = note: {note}")?;
        }
        Ok(())
    }
}

/// Where text that should be UTF-8 is not: its first invalid byte, by line and column.
///
/// Also an error type, so that a loader returning [`std::io::Error`] (such as [`read_text`]) can
/// carry the position; [`InvalidUtf8::of_io`] gets it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidUtf8 {
    /// The first invalid byte.
    pub byte: u8,
    /// Its 1-based line.
    pub line: u32,
    /// Its 1-based column, in characters of the valid text before it on its line.
    pub col: u32,
    /// Its line, the invalid bytes shown as `U+FFFD`, without its line ending.
    pub source_line: String,
}

impl InvalidUtf8 {
    /// Where `bytes` stop being UTF-8, or `None` if they are UTF-8.
    pub fn find(bytes: &[u8]) -> Option<InvalidUtf8> {
        let error = std::str::from_utf8(bytes).err()?;
        let at = error.valid_up_to();
        let before = &bytes[..at];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        let line = bytes[..line_start].iter().filter(|&&b| b == b'\n').count() + 1;
        // Valid UTF-8 up to `at`, so this loses nothing before the column.
        let col = String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count()
            + 1;
        let text = String::from_utf8_lossy(&bytes[line_start..line_end]);
        Some(InvalidUtf8 {
            byte: bytes[at],
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
            source_line: text.strip_suffix('\r').unwrap_or(&text).to_owned(),
        })
    }

    /// The position carried by an I/O error made by [`read_text`], if it is one.
    pub fn of_io(error: &std::io::Error) -> Option<&InvalidUtf8> {
        error.get_ref()?.downcast_ref::<InvalidUtf8>()
    }

    /// The error about `file`, pointing at the invalid byte.
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: format!(
                "invalid UTF-8: byte 0x{:02X} is not part of a character",
                self.byte
            ),
            file: file.to_owned(),
            line: self.line,
            col: self.col,
            len: 1,
            source_line: self.source_line.clone(),
            expected: Some("text in UTF-8".to_owned()),
            notes: Vec::new(),
        }
    }
}

impl fmt::Display for InvalidUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid UTF-8 at line {}, column {} (byte 0x{:02X})",
            self.line, self.col, self.byte
        )
    }
}

impl std::error::Error for InvalidUtf8 {}

/// `bytes` as text, or an error at the first byte that is not UTF-8 (`file:line:col`, the line,
/// a caret), for front ends given bytes rather than text.
pub fn decode_utf8<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Box<Diagnostic>> {
    std::str::from_utf8(bytes).map_err(|_| {
        Box::new(match InvalidUtf8::find(bytes) {
            Some(invalid) => invalid.diagnostic(file),
            // `from_utf8` failed, so `find` finds the byte.
            None => InvalidUtf8 {
                byte: 0,
                line: 1,
                col: 1,
                source_line: String::new(),
            }
            .diagnostic(file),
        })
    })
}

/// Reads a file as text, like [`std::fs::read_to_string`], except that text which is not UTF-8
/// gives an [`std::io::ErrorKind::InvalidData`] error that says where (and holds an
/// [`InvalidUtf8`], see [`InvalidUtf8::of_io`]) rather than only `stream did not contain valid
/// UTF-8`.
pub fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    String::from_utf8(bytes).map_err(|error| {
        let invalid = InvalidUtf8::find(error.as_bytes());
        match invalid {
            Some(invalid) => std::io::Error::new(std::io::ErrorKind::InvalidData, invalid),
            None => std::io::Error::new(std::io::ErrorKind::InvalidData, error),
        }
    })
}

/// `c`, or for a control character other than a tab its picture in the Control Pictures block.
fn visible(c: char) -> char {
    match c {
        '\t' => c,
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or(c),
        '\u{7f}' => '\u{2421}',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(source_line: String, col: u32, len: u32) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: "m".into(),
            file: "f".into(),
            line: 1,
            col,
            len,
            source_line,
            expected: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn long_lines_are_shown_around_the_column() {
        let line = format!("{}[X]{}", "a".repeat(500), "b".repeat(500));
        let text = diagnostic(line, 501, 3).to_string();
        let shown: Vec<&str> = text.lines().collect();
        assert_eq!(shown[1], " --> f:1:501");
        assert_eq!(
            shown[3],
            format!("1 | ...{}[X]{}...", "a".repeat(60), "b".repeat(60))
        );
        assert_eq!(shown[4], format!("  | {}^^^", " ".repeat(63)));
        let short = diagnostic("abc".into(), 2, 1).to_string();
        assert!(short.ends_with("1 | abc\n  |  ^"), "{short}");
        let control = diagnostic("a\rb".into(), 2, 1).to_string();
        assert!(control.ends_with("1 | a\u{240d}b\n  |  ^"), "{control}");
        // A column past the end, or a huge length, still renders.
        let _ = diagnostic("x".repeat(1000), 5000, u32::MAX).to_string();
    }

    #[test]
    fn invalid_utf8_is_found_by_line_and_column() {
        let bytes = b"ab\r\n\xc3\xa9x\xffy\r\nz";
        let invalid = InvalidUtf8::find(bytes).expect("invalid");
        assert_eq!((invalid.byte, invalid.line, invalid.col), (0xff, 2, 3));
        assert_eq!(invalid.source_line, "\u{e9}x\u{fffd}y");
        let error = decode_utf8("f", bytes).expect_err("invalid");
        assert_eq!(
            error.to_string(),
            "error: invalid UTF-8: byte 0xFF is not part of a character\n --> f:2:3\n  |\n\
             2 | \u{e9}x\u{fffd}y\n  |   ^\n  = expected: text in UTF-8"
        );
        assert_eq!(decode_utf8("f", b"ok"), Ok("ok"));
        assert_eq!(InvalidUtf8::find(b"ok"), None);
        // A truncated character at the very end.
        let end = InvalidUtf8::find(b"a\n\xc3").expect("invalid");
        assert_eq!((end.byte, end.line, end.col), (0xc3, 2, 1));
    }
}
