//! What the parser hands to the checks: the schema's files, its expressions as QAPI values with
//! spans, the doc comments attached to them, and the pragmas.
//!
//! This is the meeting point of `parser.rs` (which builds it) and `check.rs` / `lower.rs` (which
//! read it); nothing here knows about pest.

use qmp_ir::{Diagnostic, FileId, Severity, Span};

/// Every file read, with its text, so that spans can be turned into diagnostics.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    pub files: Vec<LoadedFile>,
}

/// One file of the schema.
#[derive(Debug)]
pub(crate) struct LoadedFile {
    /// The path as diagnostics show it: the main file as given, an include joined to the
    /// directory of the file that includes it.
    pub path: String,
    /// Its text.
    pub text: String,
    /// Byte offset of the start of each line.
    pub line_starts: Vec<usize>,
    /// Whether the text is all ASCII (as schemas are), where a column is a byte count.
    ascii: bool,
    /// The `include` expression that brought it in, for `in file included from ...` notes.
    pub included_from: Option<Span>,
}

impl LoadedFile {
    /// A file and its line table.
    pub fn new(path: String, text: String, included_from: Option<Span>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = text.is_ascii();
        LoadedFile {
            path,
            text,
            line_starts,
            ascii,
            included_from,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts[index];
        (to_u32(index + 1), to_u32(self.column(start, offset) + 1))
    }

    /// The 0-based column, in characters, of byte `offset` on the line that starts at `start`.
    pub fn column(&self, start: usize, offset: usize) -> usize {
        let bytes = offset.saturating_sub(start);
        if self.ascii {
            return bytes;
        }
        self.text
            .get(start..offset)
            .map_or(bytes, |s| s.chars().count())
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: u32) -> &str {
        let index = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(index) else {
            return "";
        };
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        line.trim_end_matches('\n').trim_end_matches('\r')
    }
}

impl SourceMap {
    /// The span of bytes `start..end` of `file`.
    pub fn span(&self, file: FileId, start: usize, end: usize) -> Span {
        let Some(f) = self.files.get(file.0 as usize) else {
            return Span {
                file,
                ..Span::default()
            };
        };
        let (line, col) = f.line_col(start);
        let (end_line, end_col) = f.line_col(end.max(start));
        Span {
            file,
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// A diagnostic at `span`: `file:line:col`, the line's text, a caret under the span's part
    /// on its first line, and the include chain as notes.
    pub fn diagnostic(
        &self,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
        expected: Option<String>,
    ) -> Diagnostic {
        let file = self.files.get(span.file.0 as usize);
        let source_line = file.map_or("", |f| f.line_text(span.line)).to_owned();
        let room = (source_line.chars().count() + 1).saturating_sub(span.col as usize);
        let len = if span.end_line == span.line {
            span.end_col.saturating_sub(span.col)
        } else {
            to_u32(room)
        };
        let mut notes = Vec::new();
        let mut from = file.and_then(|f| f.included_from);
        while let Some(at) = from {
            let Some(parent) = self.files.get(at.file.0 as usize) else {
                break;
            };
            notes.push(format!(
                "in file included from {}:{}:{}",
                parent.path, at.line, at.col
            ));
            from = parent.included_from;
        }
        Diagnostic {
            severity,
            message: message.into(),
            file: file.map_or_else(String::new, |f| f.path.clone()),
            line: span.line.max(1),
            col: span.col.max(1),
            len: len.min(to_u32(room)).max(1),
            source_line,
            expected,
            notes,
        }
    }

    /// An error at `span`.
    pub fn error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Severity::Error, span, message, None)
    }

    /// A warning at `span`.
    pub fn warning(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Severity::Warning, span, message, None)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A QAPI value: what the schema's JSON-like syntax can write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Value {
    pub kind: ValueKind,
    /// From the opening quote, bracket or brace to the closing one.
    pub span: Span,
}

/// The kinds of QAPI values. QAPI has no numbers and no `null`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueKind {
    Str(String),
    Bool(bool),
    List(Vec<Value>),
    Dict(Dict),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match &self.kind {
            ValueKind::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// A dictionary, keys in the order written (the parser rejects duplicate keys).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Dict {
    pub entries: Vec<(Key, Value)>,
}

impl Dict {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The key `key`, if present (for its span).
    pub fn key(&self, key: &str) -> Option<&Key> {
        self.entries.iter().map(|(k, _)| k).find(|k| k.name == key)
    }
}

/// A dictionary key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub name: String,
    pub span: Span,
}

/// A top-level expression other than `include` and `pragma` (which the parser handles).
#[derive(Debug, Clone)]
pub(crate) struct Expr {
    /// The expression's dictionary.
    pub dict: Dict,
    /// From `{` to `}`.
    pub span: Span,
    /// The definition doc comment just before it, if any.
    pub doc: Option<DefinitionDoc>,
}

/// A doc comment that documents a definition (its first line is `@name:`).
#[derive(Debug, Clone, Default)]
pub(crate) struct DefinitionDoc {
    /// The name after `@` on the first line.
    pub symbol: String,
    /// Where that name is written.
    pub symbol_span: Span,
    /// The whole comment block, from the opening `##` to the closing one.
    pub span: Span,
    /// Summary, body, notes, `Since`, examples.
    pub doc: qmp_ir::Doc,
    /// `@member: text` sections describing members, enum values or alternate branches.
    pub args: Vec<DocSection>,
    /// `@feature: text` sections under `Features:`.
    pub features: Vec<DocSection>,
    /// Other tagged sections (`Returns:`, `Errors:`, `TODO:`, ...), by tag, for the checks.
    pub sections: Vec<DocSection>,
}

/// A named part of a doc comment.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocSection {
    /// The member or feature name, or the section tag (`Returns`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Its text, as written (rST), paragraphs separated by blank lines; may be empty.
    pub text: String,
}

/// The schema's pragmas (`{ 'pragma': { ... } }`), which hold for the whole schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pragmas {
    /// `doc-required`: every definition must have a doc comment.
    pub doc_required: bool,
    /// `command-name-exceptions`
    pub command_name_exceptions: Vec<String>,
    /// `command-returns-exceptions`
    pub command_returns_exceptions: Vec<String>,
    /// `documentation-exceptions`
    pub documentation_exceptions: Vec<String>,
    /// `member-name-exceptions`
    pub member_name_exceptions: Vec<String>,
}

/// The whole schema as parsed: everything the checks and the lowering need.
#[derive(Debug, Default)]
pub(crate) struct ParsedSchema {
    pub map: SourceMap,
    /// Every definition expression of every file, in the order QEMU reads them (an included
    /// file's expressions where its `include` is).
    pub exprs: Vec<Expr>,
    pub pragmas: Pragmas,
    /// Doc-comment layout problems and other flaws the parser worked around.
    pub warnings: Vec<Diagnostic>,
}

impl Pragmas {
    /// The pragmas QAPI knows, as written in a schema.
    pub const NAMES: [&str; 5] = [
        "doc-required",
        "command-name-exceptions",
        "command-returns-exceptions",
        "documentation-exceptions",
        "member-name-exceptions",
    ];
}
