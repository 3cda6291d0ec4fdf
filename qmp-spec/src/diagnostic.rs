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
        writeln!(f, "{number} | {}", self.source_line)?;
        // Tabs keep their width so that the caret lines up with the text above it.
        let pad: String = self
            .source_line
            .chars()
            .take(self.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(self.len.max(1) as usize);
        write!(f, "{gutter} | {pad}{carets}")?;
        if let Some(expected) = &self.expected {
            write!(f, "\n{gutter} = expected: {expected}")?;
        }
        Ok(())
    }
}
