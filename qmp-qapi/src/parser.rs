//! Reads the schema's files: the pest grammar (`grammar.pest`), `include` and `pragma`, and
//! doc comment blocks attached to the definitions after them.
//!
//! The reader follows QEMU's own (`scripts/qapi/parser.py`), because what it accepts and where
//! it reports a problem are part of the language: the schema is read a token at a time, a
//! lexical error (a stray character, a bad escape) is reported when the parser reaches that
//! token, and a syntax error names the token where parsing stopped, with QEMU's message
//! ("expected ':'"). pest cuts the text into tokens (see `grammar.pest`); the recursive descent
//! over them is written by hand so that each error can say what it expected, where QEMU says it.
//!
//! Syntax, `include` and `pragma` problems are errors and stop the reading at the first one,
//! as QEMU does: what follows a syntax error cannot be trusted. Doc comment problems are
//! warnings (see [`crate::doc`]); a definition doc that is not followed by its definition is
//! dropped with a warning.
//!
//! `include` paths are joined to the directory of the including file's path as shown (so the
//! main file's path as given, then its includes, are the paths diagnostics show, as in QEMU);
//! each file is read once, identified by its lexically normalised absolute path, and a file
//! that includes itself, directly or not, is an error.

use crate::ast::{Dict, Expr, Key, LoadedFile, ParsedSchema, Pragmas, SourceMap, Value, ValueKind};
use crate::doc::{self, BlockEnd, DocComment, RawBlock};
use pest::Parser as _;
use qmp_ir::{Diagnostic, FileId, Severity, Span};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The pest tokenizer generated from `grammar.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct Lexer;

/// How deeply values may nest: deeper input is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 256;

/// How deeply files may include each other (a loader could make up files without end).
const MAX_INCLUDE_DEPTH: usize = 64;

/// Parses the main file and everything it includes.
///
/// On error, the diagnostics are the warnings met before the error, then the error, in the
/// order QEMU would meet them (QEMU stops at a doc comment problem, which is a warning here).
pub(crate) fn parse(
    path: &Path,
    load: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<ParsedSchema, Vec<Diagnostic>> {
    let mut reader = Reader {
        load,
        schema: ParsedSchema::default(),
        included: HashSet::new(),
        chain: Vec::new(),
    };
    let display = path.to_string_lossy().into_owned();
    let identity = identity(path);
    let text = match (reader.load)(path) {
        Ok(text) => text,
        Err(error) => {
            if let Some(invalid) = qmp_ir::InvalidUtf8::of_io(&error) {
                return Err(vec![invalid.diagnostic(&display)]);
            }
            let message = format!("can't read schema file '{display}': {}", strerror(&error));
            return Err(vec![file_diagnostic(display, message)]);
        }
    };
    match reader.file(display, identity, text, None) {
        Ok(()) => Ok(reader.schema),
        Err(error) => {
            let mut diagnostics = std::mem::take(&mut reader.schema.warnings);
            diagnostics.push(*error);
            Err(diagnostics)
        }
    }
}

/// A diagnostic about a file as a whole (it could not be read).
fn file_diagnostic(file: String, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message,
        file,
        line: 1,
        col: 1,
        len: 1,
        source_line: String::new(),
        expected: None,
        notes: Vec::new(),
    }
}

/// An I/O error as the C library words it (`No such file or directory`), without Rust's
/// `(os error 2)`.
fn strerror(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// What identifies a file: its absolute path, `.` and `..` resolved without asking the file
/// system (as Python's `os.path.abspath`, which QEMU uses).
fn identity(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The state shared by all files: the loader, what has been read, the include chain.
struct Reader<'l> {
    load: &'l mut dyn FnMut(&Path) -> std::io::Result<String>,
    schema: ParsedSchema,
    /// Identities of the files read so far.
    included: HashSet<PathBuf>,
    /// Identities of the file being read and of those that include it.
    chain: Vec<PathBuf>,
}

/// The kinds of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// `#...` to the end of the line.
    Comment,
    /// One of `{ } : , [ ]`.
    Punct(u8),
    /// A quoted string, possibly bad (checked when reached).
    Str,
    True,
    False,
    /// Characters that belong to no token.
    Stray,
    /// The end of the file.
    Eof,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
    /// Line and column of `start` and of `end`, for the spans of keys and values: working them
    /// out token by token, in order, is cheaper than looking each one up.
    from: LineCol,
    to: LineCol,
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, Default)]
struct LineCol {
    line: u32,
    col: u32,
}

/// Cuts the text of `file` into tokens (white space and newlines dropped), ending with
/// [`Tok::Eof`] where QEMU puts it: on the file's last newline, or just past the end if it has
/// none.
fn tokenize(file: &LoadedFile) -> Vec<Token> {
    let text = file.text.as_str();
    let mut tokens = Vec::with_capacity(text.len() / 16);
    match Lexer::parse(Rule::tokens, text) {
        Ok(pairs) => {
            // The one `tokens` pair holds the tokens.
            for pair in pairs.flat_map(|tokens| tokens.into_inner()) {
                let kind = match pair.as_rule() {
                    Rule::comments => {
                        split_comments(pair.as_str(), pair.as_span().start(), &mut tokens);
                        continue;
                    }
                    Rule::punct => {
                        Tok::Punct(pair.as_str().as_bytes().first().copied().unwrap_or(b'?'))
                    }
                    Rule::string => {
                        split_string(pair.as_str(), pair.as_span().start(), &mut tokens);
                        continue;
                    }
                    Rule::true_lit => Tok::True,
                    Rule::false_lit => Tok::False,
                    Rule::stray => Tok::Stray,
                    _ => continue,
                };
                let span = pair.as_span();
                tokens.push(Token::new(kind, span.start(), span.end()));
            }
        }
        // The grammar accepts every text; should it not, what is left is one stray token.
        Err(_) => tokens.push(Token::new(Tok::Stray, 0, text.len())),
    }
    let eof = if text.ends_with('\n') {
        text.len() - 1
    } else {
        text.len()
    };
    tokens.push(Token::new(Tok::Eof, eof, eof));
    // Tokens come in order: one pass along the line table places them all.
    let mut lines = Lines { file, index: 0 };
    for token in &mut tokens {
        token.from = lines.locate(token.start);
        token.to = lines.locate(token.end);
    }
    tokens
}

/// Adds a token for each line of a run of comment lines that starts at byte `start` (every
/// line of a run starts with its `#`).
fn split_comments(run: &str, start: usize, tokens: &mut Vec<Token>) {
    let mut offset = start;
    for line in run.split('\n') {
        tokens.push(Token::new(Tok::Comment, offset, offset + line.len()));
        offset += line.len() + 1;
    }
}

/// Adds the token of the string that starts at byte `start`, and the one of the punctuation
/// the grammar took along, if any.
fn split_string(text: &str, start: usize, tokens: &mut Vec<Token>) {
    // The grammar takes punctuation only after a closing quote, and a string holds no quote
    // but its opening and closing ones: a token that ends with punctuation is a string up to
    // the quote before it, spaces between.
    let punct = match text.as_bytes().last() {
        Some(&last) if matches!(last, b':' | b',' | b'{' | b'}' | b'[' | b']') => {
            let string = text[..text.len() - 1].trim_end_matches(' ');
            (string.len() >= 2 && string.ends_with('\'')).then_some((string.len(), last))
        }
        _ => None,
    };
    let Some((end, punct)) = punct else {
        tokens.push(Token::new(Tok::Str, start, start + text.len()));
        return;
    };
    tokens.push(Token::new(Tok::Str, start, start + end));
    let at = start + text.len() - 1;
    tokens.push(Token::new(Tok::Punct(punct), at, at + 1));
}

impl Token {
    /// A token not placed yet.
    fn new(kind: Tok, start: usize, end: usize) -> Self {
        Token {
            kind,
            start,
            end,
            from: LineCol::default(),
            to: LineCol::default(),
        }
    }
}

/// Line and column of offsets in increasing order: a walk along the line table.
struct Lines<'f> {
    file: &'f LoadedFile,
    /// The line (0-based) of the last offset.
    index: usize,
}

impl Lines<'_> {
    fn locate(&mut self, offset: usize) -> LineCol {
        let starts = &self.file.line_starts;
        // Should an offset go back, the walk starts over from a search.
        if starts.get(self.index).is_some_and(|&start| offset < start) {
            self.index = starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1);
        }
        while starts
            .get(self.index + 1)
            .is_some_and(|&next| next <= offset)
        {
            self.index += 1;
        }
        let start = starts.get(self.index).copied().unwrap_or(0);
        LineCol {
            line: to_u32(self.index + 1),
            col: to_u32(self.file.column(start, offset) + 1),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The problem with a string token, if any, in QEMU's words: the first one met reading it.
fn check_string(token: &str) -> Result<String, String> {
    // Most strings are printable ASCII without escapes: taken in one piece, they cost one
    // allocation of the right size.
    let body = token.get(1..).unwrap_or("");
    let stop = body
        .bytes()
        .position(|b| matches!(b, b'\'' | b'\\') || !(b' '..=b'~').contains(&b));
    if let Some(end) = stop.filter(|&end| body.as_bytes()[end] == b'\'') {
        return Ok(body[..end].to_owned());
    }
    let mut value = String::new();
    let mut chars = token.chars().skip(1);
    loop {
        let Some(c) = chars.next() else {
            return Err("missing terminating \"'\"".to_owned());
        };
        let c = match c {
            '\\' => match chars.next() {
                Some('\\') => '\\',
                Some(other) => return Err(format!("unknown escape \\{other}")),
                None => return Err("missing terminating \"'\"".to_owned()),
            },
            '\'' => return Ok(value),
            c => c,
        };
        if !(' '..='~').contains(&c) {
            return Err("funny character in string".to_owned());
        }
        value.push(c);
    }
}

/// Reading one file: its tokens and the position in them.
struct Cursor {
    file: FileId,
    /// The path as shown, for joining includes to.
    path: String,
    text: String,
    tokens: Vec<Token>,
    pos: usize,
    /// Where the last token consumed ends (a value's closing bracket).
    prev_end: LineCol,
    /// The value of the current token if it is a string (checked when reached).
    string: String,
}

/// A result whose error is boxed: errors are rare, and values are returned all the time.
type Parsed<T> = Result<T, Box<Diagnostic>>;

impl Cursor {
    fn tok(&self) -> Token {
        // Past the end is at the end: the last token is the `Eof` one.
        let last = self.tokens.len().saturating_sub(1);
        self.tokens
            .get(self.pos.min(last))
            .copied()
            .unwrap_or_else(|| Token::new(Tok::Eof, self.text.len(), self.text.len()))
    }

    fn is(&self, c: u8) -> bool {
        self.tok().kind == Tok::Punct(c)
    }

    fn token_text(&self, token: Token) -> &str {
        self.text.get(token.start..token.end).unwrap_or("")
    }

    fn span(&self, map: &SourceMap, start: usize, end: usize) -> Span {
        map.span(self.file, start, end)
    }

    /// The span from `from` to `to`, as the tokens placed them.
    fn place(&self, from: LineCol, to: LineCol) -> Span {
        Span {
            file: self.file,
            line: from.line,
            col: from.col,
            end_line: to.line,
            end_col: to.col,
        }
    }

    /// An error at the current token, as QEMU's parse errors are.
    fn error(&self, map: &SourceMap, message: String, expected: Option<&str>) -> Box<Diagnostic> {
        let token = self.tok();
        let span = self.span(map, token.start, token.end.max(token.start + 1));
        Box::new(map.diagnostic(Severity::Error, span, message, expected.map(str::to_owned)))
    }

    /// Whether the current token is a comment that is a token: in a doc block every comment
    /// is; elsewhere only those starting with `##`.
    fn is_doc_comment(&self) -> bool {
        let token = self.tok();
        token.kind == Tok::Comment && self.token_text(token).starts_with("##")
    }

    /// Moves to the next token, skipping plain comments unless `comments`, and reports it if it
    /// is a lexical error (QEMU's lexer raises when it reads the token).
    fn advance(&mut self, map: &SourceMap, comments: bool) -> Parsed<()> {
        self.prev_end = self.tok().to;
        self.pos += 1;
        self.settle(map, comments)
    }

    /// Skips plain comments at the current token (unless `comments`) and checks it.
    fn settle(&mut self, map: &SourceMap, comments: bool) -> Parsed<()> {
        while !comments && self.tok().kind == Tok::Comment && !self.is_doc_comment() {
            self.pos += 1;
        }
        let token = self.tok();
        match token.kind {
            Tok::Stray => Err(self.error(
                map,
                format!("stray '{}'", self.token_text(token)),
                Some("a 'string', true, false, or one of { } [ ] : ,"),
            )),
            Tok::Str => match check_string(self.token_text(token)) {
                Ok(value) => {
                    self.string = value;
                    Ok(())
                }
                Err(message) => Err(self.error(map, message, None)),
            },
            _ => Ok(()),
        }
    }

    /// A value (QEMU's `get_expr`).
    fn value(&mut self, map: &SourceMap, depth: usize) -> Parsed<Value> {
        let token = self.tok();
        if depth > MAX_DEPTH && matches!(token.kind, Tok::Punct(b'{' | b'[')) {
            return Err(self.error(
                map,
                format!("values nested more than {MAX_DEPTH} deep"),
                None,
            ));
        }
        let kind = match token.kind {
            Tok::Punct(b'{') => {
                self.advance(map, false)?;
                ValueKind::Dict(self.members(map, depth)?)
            }
            Tok::Punct(b'[') => {
                self.advance(map, false)?;
                ValueKind::List(self.elements(map, depth)?)
            }
            Tok::Str => {
                let value = std::mem::take(&mut self.string);
                self.advance(map, false)?;
                ValueKind::Str(value)
            }
            Tok::True | Tok::False => {
                self.advance(map, false)?;
                ValueKind::Bool(token.kind == Tok::True)
            }
            _ => {
                return Err(self.error(
                    map,
                    "expected '{', '[', string, or boolean".to_owned(),
                    Some("a value: '{', '[', a 'string', true or false"),
                ));
            }
        };
        Ok(Value {
            kind,
            // The value ends where its last token (the token itself, or a closing bracket)
            // does.
            span: self.place(token.from, self.prev_end),
        })
    }

    /// The members of a dictionary, after its `{` (QEMU's `get_members`).
    fn members(&mut self, map: &SourceMap, depth: usize) -> Parsed<Dict> {
        let mut dict = Dict::default();
        if self.is(b'}') {
            self.advance(map, false)?;
            return Ok(dict);
        }
        if self.tok().kind != Tok::Str {
            return Err(self.error(
                map,
                "expected string or '}'".to_owned(),
                Some("a key ('name') or '}'"),
            ));
        }
        // Keys seen, once the dictionary is too long for a linear search to be cheap.
        let mut seen: Option<HashSet<String>> = None;
        loop {
            let token = self.tok();
            let name = std::mem::take(&mut self.string);
            let key = Key {
                span: self.place(token.from, token.to),
                name,
            };
            self.advance(map, false)?;
            if !self.is(b':') {
                return Err(self.error(map, "expected ':'".to_owned(), Some("':' after the key")));
            }
            self.advance(map, false)?;
            if is_duplicate(&dict, &mut seen, &key.name) {
                return Err(self.error(map, format!("duplicate key '{}'", key.name), None));
            }
            let value = self.value(map, depth + 1)?;
            dict.entries.push((key, value));
            if self.is(b'}') {
                self.advance(map, false)?;
                return Ok(dict);
            }
            if !self.is(b',') {
                return Err(self.error(
                    map,
                    "expected ',' or '}'".to_owned(),
                    Some("',' before the next member, or '}' to close the object"),
                ));
            }
            self.advance(map, false)?;
            if self.tok().kind != Tok::Str {
                return Err(self.error(
                    map,
                    "expected string".to_owned(),
                    Some("a key ('name'): QAPI allows no trailing comma"),
                ));
            }
        }
    }

    /// The elements of a list, after its `[` (QEMU's `get_values`).
    fn elements(&mut self, map: &SourceMap, depth: usize) -> Parsed<Vec<Value>> {
        let mut list = Vec::new();
        if self.is(b']') {
            self.advance(map, false)?;
            return Ok(list);
        }
        if !matches!(
            self.tok().kind,
            Tok::Punct(b'{' | b'[') | Tok::Str | Tok::True | Tok::False
        ) {
            return Err(self.error(
                map,
                "expected '{', '[', ']', string, or boolean".to_owned(),
                Some("a value, or ']' to close the list"),
            ));
        }
        loop {
            list.push(self.value(map, depth + 1)?);
            if self.is(b']') {
                self.advance(map, false)?;
                return Ok(list);
            }
            if !self.is(b',') {
                return Err(self.error(
                    map,
                    "expected ',' or ']'".to_owned(),
                    Some("',' before the next element, or ']' to close the list"),
                ));
            }
            self.advance(map, false)?;
        }
    }

    /// A doc comment block, at its opening `##` (QEMU's `get_doc`, less the doc itself).
    fn doc_block(&mut self, map: &SourceMap) -> Parsed<RawBlock> {
        let open = self.tok();
        let mut lines = Vec::new();
        self.advance(map, true)?;
        loop {
            let token = self.tok();
            if token.kind != Tok::Comment {
                return Ok(RawBlock {
                    open: (open.start, open.end),
                    lines,
                    end: BlockEnd::Unterminated { at: token.start },
                });
            }
            if self.token_text(token).starts_with("##") {
                self.advance(map, false)?;
                return Ok(RawBlock {
                    open: (open.start, open.end),
                    lines,
                    end: BlockEnd::Closed {
                        start: token.start,
                        end: token.end,
                    },
                });
            }
            lines.push((token.start, token.end));
            self.advance(map, true)?;
        }
    }
}

/// Whether `dict` already has `name`: a linear search while it is short (as QAPI's are), then
/// a set of its keys (a pathological input must not make the reader quadratic).
fn is_duplicate(dict: &Dict, seen: &mut Option<HashSet<String>>, name: &str) -> bool {
    const LINEAR: usize = 16;
    if dict.entries.len() < LINEAR {
        return dict.get(name).is_some();
    }
    let seen =
        seen.get_or_insert_with(|| dict.entries.iter().map(|(k, _)| k.name.clone()).collect());
    !seen.insert(name.to_owned())
}

impl Reader<'_> {
    fn map(&self) -> &SourceMap {
        &self.schema.map
    }

    fn error(&self, span: Span, message: String) -> Box<Diagnostic> {
        Box::new(self.schema.map.error(span, message))
    }

    fn warn(&mut self, span: Span, message: String) {
        let warning = self.schema.map.warning(span, message);
        self.schema.warnings.push(warning);
    }

    /// QEMU's `reject_expr_doc`: a definition doc must be followed by its definition.
    fn reject_doc(&mut self, doc: Option<DocComment>) {
        if let Some(DocComment {
            span,
            definition: Some(definition),
        }) = doc
        {
            self.warn(
                span,
                format!(
                    "documentation for '{}' is not followed by the definition",
                    definition.symbol
                ),
            );
        }
    }

    /// Reads one file whose text is `text` (QEMU's `_parse`).
    fn file(
        &mut self,
        path: String,
        identity: PathBuf,
        text: String,
        included_from: Option<Span>,
    ) -> Parsed<()> {
        let file = FileId(u32::try_from(self.schema.map.files.len()).unwrap_or(u32::MAX));
        self.included.insert(identity.clone());
        self.schema
            .map
            .files
            .push(LoadedFile::new(path.clone(), text.clone(), included_from));
        let tokens = self
            .schema
            .map
            .files
            .last()
            .map(tokenize)
            .unwrap_or_default();
        let mut cursor = Cursor {
            file,
            path,
            text,
            tokens,
            pos: 0,
            prev_end: LineCol::default(),
            string: String::new(),
        };
        self.chain.push(identity);
        let result = self.items(&mut cursor);
        self.chain.pop();
        result
    }

    /// The top-level items of a file: doc blocks and expressions.
    fn items(&mut self, cursor: &mut Cursor) -> Parsed<()> {
        cursor.settle(self.map(), false)?;
        let mut pending_doc: Option<DocComment> = None;
        while cursor.tok().kind != Tok::Eof {
            if cursor.tok().kind == Tok::Comment {
                self.reject_doc(pending_doc.take());
                let raw = cursor.doc_block(self.map())?;
                let doc = doc::read_block(
                    &self.schema.map,
                    cursor.file,
                    &raw,
                    &mut self.schema.warnings,
                );
                pending_doc = Some(doc);
                continue;
            }
            let value = cursor.value(self.map(), 0)?;
            let Value {
                kind: ValueKind::Dict(dict),
                span,
            } = value
            else {
                return Err(self.error(
                    value.span,
                    "top-level expression must be an object".to_owned(),
                ));
            };
            if dict.get("include").is_some() {
                self.reject_doc(pending_doc.take());
                self.include(cursor, &dict, span)?;
            } else if dict.get("pragma").is_some() {
                self.reject_doc(pending_doc.take());
                self.pragma(&dict, span)?;
            } else {
                let doc = match pending_doc.take() {
                    Some(DocComment {
                        definition: Some(definition),
                        ..
                    }) => Some(definition),
                    Some(DocComment { span, .. }) => {
                        self.warn(span, "definition documentation required".to_owned());
                        None
                    }
                    None => None,
                };
                self.schema.exprs.push(Expr { dict, span, doc });
            }
        }
        self.reject_doc(pending_doc);
        Ok(())
    }

    /// `{ 'include': 'file.json' }` (QEMU's `_include`).
    fn include(&mut self, cursor: &Cursor, dict: &Dict, span: Span) -> Parsed<()> {
        if dict.entries.len() != 1 {
            return Err(self.error(span, "invalid 'include' directive".to_owned()));
        }
        let Some(include) = dict.get("include").and_then(Value::as_str) else {
            return Err(self.error(span, "value of 'include' must be a string".to_owned()));
        };
        let directory = Path::new(&cursor.path).parent().unwrap_or(Path::new(""));
        let path = directory.join(include);
        let identity = identity(&path);
        if self.chain.contains(&identity) {
            return Err(self.error(span, format!("inclusion loop for {include}")));
        }
        if self.included.contains(&identity) {
            return Ok(());
        }
        let display = path.to_string_lossy().into_owned();
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            return Err(self.error(
                span,
                format!(
                    "can't include '{display}': includes nested more than {MAX_INCLUDE_DEPTH} deep"
                ),
            ));
        }
        match (self.load)(&path) {
            Ok(text) => self.file(display, identity, text, Some(span)),
            Err(error) if qmp_ir::InvalidUtf8::of_io(&error).is_some() => {
                let mut diagnostic = qmp_ir::InvalidUtf8::of_io(&error)
                    .map(|invalid| invalid.diagnostic(&display))
                    .unwrap_or_else(|| file_diagnostic(display.clone(), error.to_string()));
                // Where the include is, as a note, as for any error in an included file.
                let include = self.error(span, String::new());
                diagnostic
                    .notes
                    .push(format!("in file included from {}", include.location()));
                diagnostic.notes.extend(include.notes);
                Err(Box::new(diagnostic))
            }
            Err(error) => Err(self.error(
                span,
                format!("can't read include file '{display}': {}", strerror(&error)),
            )),
        }
    }

    /// `{ 'pragma': { ... } }` (QEMU's `_pragma`).
    fn pragma(&mut self, dict: &Dict, span: Span) -> Parsed<()> {
        if dict.entries.len() != 1 {
            return Err(self.error(span, "invalid 'pragma' directive".to_owned()));
        }
        let Some(pragmas) = dict.get("pragma").and_then(Value::as_dict) else {
            return Err(self.error(span, "value of 'pragma' must be an object".to_owned()));
        };
        for (key, value) in &pragmas.entries {
            let name = key.name.as_str();
            if name == "doc-required" {
                let Some(required) = value.as_bool() else {
                    return Err(
                        self.error(span, "pragma 'doc-required' must be boolean".to_owned())
                    );
                };
                self.schema.pragmas.doc_required = required;
                continue;
            }
            if !Pragmas::NAMES.contains(&name) {
                let mut error = self.error(span, format!("unknown pragma '{name}'"));
                error.expected = Some(format!("one of '{}'", Pragmas::NAMES.join("', '")));
                return Err(error);
            }
            let strings: Option<Vec<String>> = value
                .as_list()
                .and_then(|l| l.iter().map(|v| v.as_str().map(str::to_owned)).collect());
            let Some(strings) = strings else {
                return Err(self.error(span, format!("pragma {name} must be a list of strings")));
            };
            let pragmas = &mut self.schema.pragmas;
            match name {
                "command-name-exceptions" => pragmas.command_name_exceptions = strings,
                "command-returns-exceptions" => pragmas.command_returns_exceptions = strings,
                "documentation-exceptions" => pragmas.documentation_exceptions = strings,
                _ => pragmas.member_name_exceptions = strings,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Parses in-memory files, the first being the main one.
    pub(crate) fn parse_files(files: &[(&str, &str)]) -> Result<ParsedSchema, Vec<Diagnostic>> {
        let mut load = |path: &Path| {
            files
                .iter()
                .find(|(name, _)| Path::new(name) == path)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        parse(Path::new(files[0].0), &mut load)
    }

    /// The first diagnostic, as `file:line:col: message`.
    fn first_error(files: &[(&str, &str)]) -> String {
        let diagnostics = parse_files(files).err().unwrap_or_default();
        diagnostics
            .first()
            .map(|d| format!("{}:{}:{}: {}", d.file, d.line, d.col, d.message))
            .unwrap_or_default()
    }

    #[test]
    fn values_with_spans() {
        let schema = parse_files(&[(
            "s.json",
            "# comment\n{ 'struct': 'Foo',\n  'data': { 'a': ['str'], 'b': true } }\n",
        )])
        .expect("parses");
        assert_eq!(schema.exprs.len(), 1);
        let expr = &schema.exprs[0];
        assert_eq!((expr.span.line, expr.span.col), (2, 1));
        assert_eq!((expr.span.end_line, expr.span.end_col), (3, 40));
        let data = expr
            .dict
            .get("data")
            .and_then(Value::as_dict)
            .expect("data");
        let a = data.get("a").expect("a");
        assert_eq!((a.span.line, a.span.col, a.span.end_col), (3, 18, 25));
        assert_eq!(a.as_list().map(<[Value]>::len), Some(1));
        assert_eq!(data.get("b").and_then(Value::as_bool), Some(true));
        let key = data.key("b").expect("key b");
        assert_eq!((key.span.line, key.span.col), (3, 27));
    }

    #[test]
    fn syntax_errors_at_qemus_token() {
        let cases = [
            ("{ 'a' 'b' }", "s.json:1:7: expected ':'"),
            ("{ 'a': 'b' 'c': 'd' }", "s.json:1:12: expected ',' or '}'"),
            ("{ 'a': 'b', }", "s.json:1:13: expected string"),
            ("{ 'a': 1 }", "s.json:1:8: stray '1'"),
            ("{ 'a': 'b\\x' }", "s.json:1:8: unknown escape \\x"),
            ("{ 'a': 'b\\\\' }", ""),
            ("{ 'a': 'b\n}", "s.json:1:8: missing terminating \"'\""),
            ("{ 'a': 'b', 'a': 'c' }", "s.json:1:18: duplicate key 'a'"),
            ("{ 'a': [ 'b' 'c' ] }", "s.json:1:14: expected ',' or ']'"),
            (
                "{ 'a': [ , ] }",
                "s.json:1:10: expected '{', '[', ']', string, or boolean",
            ),
            (
                "[ 'a' ]",
                "s.json:1:1: top-level expression must be an object",
            ),
            ("{ 'a': trueish }", "s.json:1:12: stray 'ish'"),
            (
                "{ 'a':",
                "s.json:1:7: expected '{', '[', string, or boolean",
            ),
            ("{ 'a': 'é' }", "s.json:1:8: funny character in string"),
            ("{ 'a': 'bé\n}", "s.json:1:8: funny character in string"),
            ("{ 'a': 'b:\n}", "s.json:1:8: missing terminating \"'\""),
            ("{ 'a' :'b' }", ""),
            ("{ 'a':'b'}", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(first_error(&[("s.json", text)]), expected, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{{ 'a': {} }}", "[".repeat(100_000));
        let error = first_error(&[("s.json", &text)]);
        assert!(error.contains("nested more than"), "{error}");
        // Valid but deep: 10,000 levels of lists, or of objects, on a test thread's stack.
        let lists = format!(
            "{{ 'a': {}'int'{} }}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let objects = format!(
            "{{ 'a': {}'int'{} }}",
            "{ 'b': ".repeat(10_000),
            " }".repeat(10_000)
        );
        for text in [lists, objects] {
            let error = first_error(&[("s.json", &text)]);
            assert!(
                error.contains(": values nested more than 256 deep"),
                "{error}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_an_error_at_its_byte() {
        let invalid = |bytes: &[u8]| {
            let found = qmp_ir::InvalidUtf8::find(bytes).expect("invalid");
            std::io::Error::new(std::io::ErrorKind::InvalidData, found)
        };
        let mut load = |path: &Path| match path.to_str() {
            Some("main.json") => Ok("{ 'include': 'sub.json' }\n".to_owned()),
            _ => Err(invalid(b"# ok\n# \xe9t\xe9\n")),
        };
        let diagnostics = parse(Path::new("main.json"), &mut load)
            .err()
            .unwrap_or_default();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].to_string(),
            "\
error: invalid UTF-8: byte 0xE9 is not part of a character
 --> sub.json:2:3
  |
2 | # \u{fffd}t\u{fffd}
  |   ^
  = expected: text in UTF-8
  = note: in file included from main.json:1:1"
        );
        let mut main = |_: &Path| Err(invalid(b"\xff"));
        let diagnostics = parse(Path::new("main.json"), &mut main)
            .err()
            .unwrap_or_default();
        assert_eq!(diagnostics[0].location(), "main.json:1:1");
    }

    #[test]
    fn includes() {
        let files = [
            (
                "dir/main.json",
                "{ 'include': 'sub/a.json' }\n{ 'include': 'sub/a.json' }\n",
            ),
            (
                "dir/sub/a.json",
                "{ 'include': 'b.json' }\n{ 'enum': 'A', 'data': [] }\n",
            ),
            ("dir/sub/b.json", "{ 'enum': 'B', 'data': [] }\n"),
        ];
        let schema = parse_files(&files).expect("parses");
        let paths: Vec<&str> = schema.map.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["dir/main.json", "dir/sub/a.json", "dir/sub/b.json"]);
        let names: Vec<&str> = schema
            .exprs
            .iter()
            .filter_map(|e| e.dict.get("enum").and_then(Value::as_str))
            .collect();
        assert_eq!(names, ["B", "A"]);
        let from = schema.map.files[2].included_from.expect("included");
        assert_eq!((from.file, from.line), (FileId(1), 1));

        let cycle = [
            ("a.json", "{ 'include': 'b.json' }\n"),
            ("b.json", "\n{ 'include': './a.json' }\n"),
        ];
        let diagnostics = parse_files(&cycle).err().unwrap_or_default();
        assert_eq!(diagnostics[0].location(), "b.json:2:1");
        assert_eq!(diagnostics[0].message, "inclusion loop for ./a.json");
        assert_eq!(diagnostics[0].notes, ["in file included from a.json:1:1"]);

        let missing = first_error(&[("a.json", "{ 'include': 'nope.json' }")]);
        assert!(
            missing.starts_with("a.json:1:1: can't read include file 'nope.json': "),
            "{missing}"
        );
        let main = first_error(&[("a.json", ""), ("b.json", "")]);
        assert_eq!(main, "");
    }

    #[test]
    fn pragmas() {
        let schema = parse_files(&[(
            "s.json",
            "{ 'pragma': { 'doc-required': true, 'member-name-exceptions': ['X'] } }",
        )])
        .expect("parses");
        assert!(schema.pragmas.doc_required);
        assert_eq!(schema.pragmas.member_name_exceptions, ["X"]);
        let cases = [
            (
                "{ 'pragma': { 'x': true } }",
                "s.json:1:1: unknown pragma 'x'",
            ),
            (
                "{ 'pragma': [] }",
                "s.json:1:1: value of 'pragma' must be an object",
            ),
            (
                "{ 'pragma': {}, 'a': 'b' }",
                "s.json:1:1: invalid 'pragma' directive",
            ),
            (
                "{ 'pragma': { 'doc-required': 'yes' } }",
                "s.json:1:1: pragma 'doc-required' must be boolean",
            ),
            (
                "{ 'pragma': { 'command-name-exceptions': [ true ] } }",
                "s.json:1:1: pragma command-name-exceptions must be a list of strings",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(first_error(&[("s.json", text)]), expected, "{text}");
        }
    }

    #[test]
    fn docs_attach_to_the_next_definition() {
        let text = "##\n# = Heading\n##\n\n##\n# @Foo:\n#\n# A foo.\n##\n{ 'enum': 'Foo', 'data': [] }\n\n##\n# @Bar:\n##\n{ 'include': 'x.json' }\n";
        let files = [("s.json", text), ("x.json", "")];
        let schema = parse_files(&files).expect("parses");
        let doc = schema.exprs[0].doc.as_ref().expect("doc");
        assert_eq!(doc.symbol, "Foo");
        assert_eq!(doc.doc.summary.as_deref(), Some("A foo."));
        assert_eq!((doc.span.line, doc.span.end_line), (5, 9));
        let warnings: Vec<String> = schema
            .warnings
            .iter()
            .map(|w| format!("{}:{}", w.location(), w.message))
            .collect();
        assert_eq!(
            warnings,
            ["s.json:12:1:documentation for 'Bar' is not followed by the definition"]
        );
    }

    #[test]
    fn errors_come_after_earlier_warnings() {
        let diagnostics = parse_files(&[("s.json", "##\n# @Foo\n##\n{ 'a' }")])
            .err()
            .unwrap_or_default();
        let found: Vec<(bool, String)> = diagnostics
            .iter()
            .map(|d| (d.is_error(), d.location()))
            .collect();
        assert_eq!(
            found,
            [
                (false, "s.json:2:1".to_owned()),
                (true, "s.json:4:7".to_owned())
            ]
        );
    }
}
