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
        // A column past the end, or a huge length, still renders.
        let _ = diagnostic("x".repeat(1000), 5000, u32::MAX).to_string();
    }
}
