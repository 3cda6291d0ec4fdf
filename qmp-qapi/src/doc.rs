//! Doc comments: the lines of one `##` block into a structured doc.
//!
//! QAPI documents a definition with a comment block right before it:
//!
//! ```text
//! ##
//! # @BLOCK_JOB_COMPLETED:
//! #
//! # Emitted when a block job has completed.          <- summary
//! #
//! # @type: job type                                  <- member description
//! #
//! # Since: 1.1                                       <- tagged section
//! #
//! # .. qmp-example::                                 <- rST example (QEMU >= 9.1)
//! #
//! #     <- { "event": "BLOCK_JOB_COMPLETED", ... }
//! ##
//! ```
//!
//! The block structure follows QEMU's reader (`scripts/qapi/parser.py`, `get_doc`): a first line
//! `@name:` makes a *definition* doc, anything else a *free-form* one (headings and prose between
//! definitions); member and feature descriptions run on indented continuation lines; tagged
//! sections are `Returns:`, `Errors:`, `Since:` and `TODO:`; other lines are rST paragraphs.
//!
//! Two generations of layout are read:
//! - QEMU 10's, where notes and examples are rST directives (`.. note::`, `.. qmp-example::`)
//!   inside the paragraphs;
//! - QEMU 7's, where they are tagged sections (`Note:`, `Notes:`, `Example:`, `Examples:`) that
//!   run until the next tagged section, their text unindented.
//!
//! Nothing in a doc comment changes what goes over the wire, so every problem found here is a
//! *warning*, reported where QEMU 10 reports its error, and the reader carries on with the most
//! plausible reading. Warnings of one block come out in the order QEMU would meet them.

use crate::ast::{DefinitionDoc, DocSection, SourceMap};
use qmp_ir::{Diagnostic, Direction, Doc, Example, ExampleItem, ExampleJson, FileId, Span};

/// A doc comment block as the lexer saw it: byte ranges of its comment tokens.
#[derive(Debug, Clone)]
pub(crate) struct RawBlock {
    /// The opening comment (`##`, or `##` followed by junk).
    pub open: (usize, usize),
    /// The comment lines between the opening and the end.
    pub lines: Vec<(usize, usize)>,
    /// How the block ended.
    pub end: BlockEnd,
}

/// How a doc comment block ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BlockEnd {
    /// With a comment starting with `##` (anything after the `##` is junk).
    Closed { start: usize, end: usize },
    /// At a token that is not a comment (or the end of the file), at this byte offset.
    Unterminated { at: usize },
}

/// What a doc comment block turned out to be.
#[derive(Debug, Clone)]
pub(crate) struct DocComment {
    /// The whole block.
    pub span: Span,
    /// The definition doc, or `None` for a free-form block.
    pub definition: Option<DefinitionDoc>,
}

/// Reads one block of file `file` (which must be in `map`), pushing its warnings.
pub(crate) fn read_block(
    map: &SourceMap,
    file: FileId,
    raw: &RawBlock,
    warnings: &mut Vec<Diagnostic>,
) -> DocComment {
    let text = map
        .files
        .get(file.0 as usize)
        .map_or("", |f| f.text.as_str());
    let mut reader = Reader {
        map,
        file,
        text,
        raw,
        lines: Vec::with_capacity(raw.lines.len()),
        pending: Vec::new(),
        pos: 0,
    };
    reader.check_delimiters();
    let definition = reader.read();
    // Stable: warnings keep their order within a line.
    reader.pending.sort_by_key(|p| p.key);
    warnings.extend(
        reader
            .pending
            .into_iter()
            .map(|p| map.warning(p.span, p.message)),
    );
    let end = match raw.end {
        BlockEnd::Closed { end, .. } => end,
        BlockEnd::Unterminated { .. } => raw.lines.last().map_or(raw.open.1, |l| l.1),
    };
    let span = map.span(file, raw.open.0, end);
    let definition = definition.map(|mut definition| {
        definition.span = span;
        definition.doc.span = Some(span);
        definition
    });
    DocComment { span, definition }
}

/// One line of a block: its text without the `# ` and trailing space, and where that text is.
/// Also used for a part of a line (the text after `@name:`), with `at` moved along.
#[derive(Debug, Clone, Copy)]
struct Line<'t> {
    text: &'t str,
    /// Byte offset of `text` in the file.
    at: usize,
}

impl<'t> Line<'t> {
    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    /// Width of the leading white space, in bytes.
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start().len()
    }

    /// The line without its first `n` bytes (clamped to a character boundary).
    fn skip(&self, n: usize) -> Line<'t> {
        let mut n = n.min(self.text.len());
        while !self.text.is_char_boundary(n) {
            n -= 1;
        }
        Line {
            text: &self.text[n..],
            at: self.at + n,
        }
    }

    fn trim_start(&self) -> Line<'t> {
        self.skip(self.indent())
    }
}

/// A warning, keyed by the line at which QEMU would report it (`lines.len()`: at the block's
/// end; `lines.len() + 1`: after the block is read).
struct Pending {
    key: usize,
    span: Span,
    message: String,
}

/// What a section of a definition doc is.
#[derive(Debug, Clone, PartialEq)]
enum Kind<'t> {
    /// Paragraphs (the first section is the one before any tagged or member section).
    Plain,
    /// `@name:` before the sections (the name as written in the comment).
    Member(&'t str),
    /// `@name:` after `Features:`.
    Feature(&'t str),
    /// `Returns:`, `Errors:`, `Since:`, `TODO:`.
    Tagged(&'static str),
    /// QEMU 7's `Note:` / `Notes:`.
    Note,
    /// QEMU 7's `Example:` / `Examples:`.
    Example,
    /// Text of a section that was rejected (a duplicate), kept out of the result.
    Discard,
}

struct Section<'t> {
    kind: Kind<'t>,
    /// Index of the line that starts it.
    line: usize,
    /// Where its name or tag is written.
    name_span: Span,
    /// Text on the line of the tag, after it (`@name: text`), if any.
    head: Option<Line<'t>>,
    /// The following lines, as written (blank lines included).
    lines: Vec<Line<'t>>,
}

impl Section<'_> {
    fn is_empty(&self) -> bool {
        self.head.is_none() && self.lines.iter().all(Line::is_blank)
    }
}

/// The tags of sections, in the order they are tried (`Notes` before `Note`).
const TAGS: [&str; 8] = [
    "Returns", "Errors", "Since", "Notes", "Note", "Examples", "Example", "TODO",
];

/// `@name:` at the start of `text`: the name and the offset of the text after `: *`.
fn at_name_colon(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix('@')?;
    let colon = rest.find(':')?;
    let after = 1 + colon + 1;
    let spaces = text[after..].len() - text[after..].trim_start_matches(' ').len();
    Some((&rest[..colon], after + spaces))
}

/// A section tag (`Since:`) at the start of `text` (not `Since::`, which is rST): the tag and
/// the offset of the text after `: *`.
fn tag_at(text: &str) -> Option<(&'static str, usize)> {
    TAGS.iter().find_map(|&tag| {
        let rest = text.strip_prefix(tag)?;
        if !rest.starts_with(':') || rest.starts_with("::") {
            return None;
        }
        let after = tag.len() + 1;
        let spaces = text[after..].len() - text[after..].trim_start_matches(' ').len();
        Some((tag, after + spaces))
    })
}

struct Reader<'m, 't> {
    map: &'m SourceMap,
    file: FileId,
    text: &'t str,
    raw: &'m RawBlock,
    lines: Vec<Line<'t>>,
    pending: Vec<Pending>,
    /// The next line to read.
    pos: usize,
}

impl<'t> Reader<'_, 't> {
    fn span(&self, start: usize, end: usize) -> Span {
        self.map.span(self.file, start, end)
    }

    /// The span QEMU reports for line `index`: its comment token, or the block's end.
    fn line_span(&self, index: usize) -> Span {
        match self.raw.lines.get(index) {
            Some(&(start, end)) => self.span(start, end),
            None => match self.raw.end {
                BlockEnd::Closed { start, end } => self.span(start, end),
                BlockEnd::Unterminated { at } => self.span(at, at + 1),
            },
        }
    }

    fn warn(&mut self, key: usize, message: impl Into<String>) {
        let span = self.line_span(key);
        self.warn_at(key, span, message);
    }

    fn warn_at(&mut self, key: usize, span: Span, message: impl Into<String>) {
        self.pending.push(Pending {
            key,
            span,
            message: message.into(),
        });
    }

    /// The `##` lines and the `#` of every line; fills `self.lines`.
    fn check_delimiters(&mut self) {
        let (start, end) = self.raw.open;
        if self.text.get(start..end).is_some_and(|t| t != "##") {
            let span = self.span(start, end);
            self.warn_at(0, span, "junk after '##' at start of documentation comment");
        }
        for (index, &(start, end)) in self.raw.lines.iter().enumerate() {
            let comment = self.text.get(start..end).unwrap_or("#");
            let body = &comment[1..];
            let line = if body.trim_end().is_empty() {
                Line {
                    text: "",
                    at: start,
                }
            } else if let Some(text) = body.strip_prefix(' ') {
                Line {
                    text: text.trim_end(),
                    at: start + 2,
                }
            } else {
                self.warn(index, "missing space after #");
                Line {
                    text: body.trim_end(),
                    at: start + 1,
                }
            };
            self.lines.push(line);
        }
        let last = self.lines.len();
        match self.raw.end {
            BlockEnd::Closed { start, end } => {
                if self.text.get(start..end).is_some_and(|t| t != "##") {
                    self.warn(last, "junk after '##' at end of documentation comment");
                }
            }
            BlockEnd::Unterminated { .. } => {
                self.warn(last, "documentation comment must end with '##'");
            }
        }
    }

    fn next(&mut self) -> Option<usize> {
        (self.pos < self.lines.len()).then(|| {
            self.pos += 1;
            self.pos - 1
        })
    }

    fn is_blank(&self, index: Option<usize>) -> bool {
        index.is_some_and(|i| self.lines[i].is_blank())
    }

    /// Reads the block: a definition doc if its first line is `@name:`.
    fn read(&mut self) -> Option<DefinitionDoc> {
        let first = self.next()?;
        let line = self.lines[first];
        let Some(rest) = line.text.strip_prefix('@') else {
            self.pos = 0;
            self.free_form();
            return None;
        };
        let symbol = match rest.strip_suffix(':') {
            Some(symbol) => symbol,
            None => {
                self.warn(first, "line should end with ':'");
                rest.split(':').next().unwrap_or("").trim_end()
            }
        };
        if symbol.is_empty() {
            self.warn(first, "name required after '@'");
            self.free_form();
            return None;
        }
        let symbol_span = self.span(line.at + 1, line.at + 1 + symbol.len());
        Some(self.definition(symbol.to_owned(), symbol_span))
    }

    /// A free-form block: headings and prose; only layout is checked.
    fn free_form(&mut self) {
        let mut first = true;
        while let Some(index) = self.next() {
            let text = self.lines[index].text;
            if let Some((name, _)) = at_name_colon(text) {
                self.warn(
                    index,
                    format!("'@{name}:' not allowed in free-form documentation"),
                );
            }
            if text.starts_with('=') && !first {
                self.warn(index, "'=' heading must come first in a comment block");
            }
            first = false;
        }
    }

    /// Starts a section at line `index` whose tag or name is `name_len` bytes after its `@`.
    fn section(
        &self,
        kind: Kind<'t>,
        index: usize,
        name_start: usize,
        name_len: usize,
    ) -> Section<'t> {
        let line = self.lines[index];
        Section {
            kind,
            line: index,
            name_span: self.span(line.at + name_start, line.at + name_start + name_len),
            head: None,
            lines: Vec::new(),
        }
    }

    fn definition(&mut self, symbol: String, symbol_span: Span) -> DefinitionDoc {
        let mut sections: Vec<Section<'t>> = vec![Section {
            kind: Kind::Plain,
            line: 0,
            name_span: symbol_span,
            head: None,
            lines: Vec::new(),
        }];
        let mut no_more_args = false;
        let mut features_line = false;
        let mut current = self.next();
        while let Some(index) = current {
            let line = self.lines[index];
            if line.is_blank() {
                current = self.next();
                continue;
            }
            if line.text == "Features:" {
                if features_line {
                    self.warn(index, "duplicated 'Features:' line");
                }
                features_line = true;
                current = self.next();
                while self.is_blank(current) {
                    current = self.next();
                }
                current = self.descriptions(&mut sections, current, true);
                if !sections.iter().any(|s| matches!(s.kind, Kind::Feature(_))) {
                    let key = current.unwrap_or(self.lines.len());
                    self.warn(key, "feature descriptions expected");
                }
                no_more_args = true;
            } else if let Some((name, _)) = at_name_colon(line.text) {
                if no_more_args {
                    self.warn(
                        index,
                        format!("description of '@{name}:' follows a section"),
                    );
                }
                current = self.descriptions(&mut sections, current, false);
                no_more_args = true;
            } else if let Some((tag, after)) = tag_at(line.text) {
                current = self.tagged(&mut sections, index, tag, after);
                no_more_args = true;
            } else {
                if line.text.starts_with('=') {
                    self.warn(index, "unexpected '=' markup in definition documentation");
                }
                current = self.paragraph(&mut sections, index);
            }
        }
        for section in &sections {
            if section.kind == Kind::Plain || !section.is_empty() {
                continue;
            }
            let what = match &section.kind {
                Kind::Member(name) | Kind::Feature(name) => format!("@{name}"),
                Kind::Tagged(tag) => (*tag).to_owned(),
                Kind::Note => "Note".to_owned(),
                Kind::Example => "Example".to_owned(),
                Kind::Plain | Kind::Discard => continue,
            };
            let span = self.line_span(section.line);
            self.warn_at(
                self.lines.len() + 1,
                span,
                format!("text required after '{what}:'"),
            );
        }
        self.build(symbol, symbol_span, sections)
    }

    /// Member (or feature) descriptions from line `current` on, while lines are `@name:`.
    fn descriptions(
        &mut self,
        sections: &mut Vec<Section<'t>>,
        mut current: Option<usize>,
        features: bool,
    ) -> Option<usize> {
        while let Some(index) = current {
            let line = self.lines[index];
            let Some((name, after)) = at_name_colon(line.text) else {
                break;
            };
            let duplicate = sections.iter().any(|s| match &s.kind {
                Kind::Member(n) if !features => *n == name,
                Kind::Feature(n) if features => *n == name,
                _ => false,
            });
            let kind = if name.is_empty() {
                self.warn(index, "invalid parameter name");
                Kind::Discard
            } else if duplicate {
                self.warn(index, format!("'{name}' parameter name duplicated"));
                Kind::Discard
            } else if features {
                Kind::Feature(name)
            } else {
                Kind::Member(name)
            };
            let mut section = self.section(kind, index, 1, name.len());
            let head = line.skip(after);
            section.head = (!head.is_blank()).then_some(head);
            current = self.indented(&mut section);
            sections.push(section);
        }
        current
    }

    /// The indented continuation of a description or tagged section: blank lines, then lines
    /// indented at least as much as the first one. Returns the line that ends it.
    fn indented(&mut self, section: &mut Section<'t>) -> Option<usize> {
        let mut current = self.next();
        while let Some(index) = current.filter(|&i| self.lines[i].is_blank()) {
            section.lines.push(self.lines[index]);
            current = self.next();
        }
        let first = current?;
        let indent = self.lines[first].indent();
        if indent == 0 {
            return current;
        }
        section.lines.push(self.lines[first]);
        let mut previous_blank = false;
        loop {
            let index = self.next()?;
            let line = self.lines[index];
            if at_name_colon(line.text).is_some() {
                return Some(index);
            }
            if !line.is_blank() && line.indent() < indent {
                if !previous_blank {
                    self.warn(
                        index,
                        format!("unexpected de-indent (expected at least {indent} spaces)"),
                    );
                }
                return Some(index);
            }
            section.lines.push(line);
            previous_blank = line.is_blank();
        }
    }

    /// A tagged section starting at line `index`, its text `after` bytes into the line.
    fn tagged(
        &mut self,
        sections: &mut Vec<Section<'t>>,
        index: usize,
        tag: &'static str,
        after: usize,
    ) -> Option<usize> {
        let line = self.lines[index];
        let kind = match tag {
            "Note" | "Notes" => Kind::Note,
            "Example" | "Examples" => Kind::Example,
            _ => {
                let duplicate = matches!(tag, "Returns" | "Errors" | "Since")
                    && sections.iter().any(|s| s.kind == Kind::Tagged(tag));
                if duplicate {
                    self.warn(index, format!("duplicated '{tag}' section"));
                    Kind::Discard
                } else {
                    Kind::Tagged(tag)
                }
            }
        };
        let mut section = self.section(kind, index, 0, tag.len());
        let head = line.skip(after);
        section.head = (!head.is_blank()).then_some(head);
        let current = if matches!(section.kind, Kind::Note | Kind::Example) {
            self.old_style(&mut section)
        } else {
            self.indented(&mut section)
        };
        sections.push(section);
        current
    }

    /// QEMU 7's `Note:` and `Example:` sections: every line up to the next section.
    fn old_style(&mut self, section: &mut Section<'t>) -> Option<usize> {
        loop {
            let index = self.next()?;
            let text = self.lines[index].text;
            if text == "Features:" || tag_at(text).is_some() || at_name_colon(text).is_some() {
                return Some(index);
            }
            section.lines.push(self.lines[index]);
        }
    }

    /// A paragraph starting at line `index`, added to the current plain section (or a new one).
    fn paragraph(&mut self, sections: &mut Vec<Section<'t>>, index: usize) -> Option<usize> {
        let extend = sections.last().is_some_and(|s| s.kind == Kind::Plain);
        if !extend {
            let section = self.section(Kind::Plain, index, 0, 0);
            sections.push(section);
        }
        let section = sections.last_mut()?;
        if !section.lines.is_empty() {
            // A blank line between this paragraph and the previous one.
            section.lines.push(Line {
                text: "",
                at: self.lines[index].at,
            });
        }
        section.lines.push(self.lines[index]);
        loop {
            let next = self.next()?;
            if self.lines[next].is_blank() {
                return Some(next);
            }
            section.lines.push(self.lines[next]);
        }
    }

    /// The structured doc from the sections.
    fn build(
        &self,
        symbol: String,
        symbol_span: Span,
        sections: Vec<Section<'t>>,
    ) -> DefinitionDoc {
        let mut doc = DefinitionDoc {
            symbol,
            symbol_span,
            ..DefinitionDoc::default()
        };
        let mut out = Doc::default();
        for (number, section) in sections.iter().enumerate() {
            match &section.kind {
                Kind::Plain => {
                    for block in blocks(&section.lines) {
                        self.plain_block(&mut out, block, number == 0);
                    }
                }
                Kind::Member(name) | Kind::Feature(name) => {
                    let entry = DocSection {
                        name: (*name).to_owned(),
                        span: section.name_span,
                        text: described(section),
                    };
                    if matches!(section.kind, Kind::Member(_)) {
                        doc.args.push(entry);
                    } else {
                        doc.features.push(entry);
                    }
                }
                Kind::Tagged(tag) => {
                    let text = described(section);
                    if *tag == "Since" && out.since.is_none() {
                        out.since = Some(text.clone());
                    }
                    doc.sections.push(DocSection {
                        name: (*tag).to_owned(),
                        span: section.name_span,
                        text,
                    });
                }
                Kind::Note => {
                    let text = described(section);
                    if !text.is_empty() {
                        out.notes.push(text);
                    }
                }
                Kind::Example => {
                    let lines: Vec<Line<'t>> =
                        section.head.iter().chain(&section.lines).copied().collect();
                    out.examples
                        .extend(self.transcript(&lines, true, None, section.name_span));
                }
                Kind::Discard => {}
            }
        }
        doc.doc = out;
        doc
    }

    /// One paragraph or directive of a plain section.
    fn plain_block(&self, out: &mut Doc, block: &[Line<'t>], intro: bool) {
        let Some(first) = block.first() else {
            return;
        };
        if let Some((name, argument)) = directive(first.text) {
            let body = dedent(&block[1..]);
            match name {
                "note" => {
                    let mut text = argument.to_owned();
                    if !body.is_empty() {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(&body);
                    }
                    out.notes.push(text);
                    return;
                }
                "admonition" if argument.to_ascii_lowercase().starts_with("note") => {
                    out.notes.push(body);
                    return;
                }
                "qmp-example" => {
                    out.examples.push(self.qmp_example(block));
                    return;
                }
                _ => {}
            }
        }
        let text = join(block);
        if intro && out.summary.is_none() && out.body.is_empty() {
            out.summary = Some(text);
        } else {
            out.body.push(text);
        }
    }

    /// A `.. qmp-example::` directive: options, then a transcript.
    fn qmp_example(&self, block: &[Line<'t>]) -> Example {
        let directive_span = self.span(block[0].at, block[0].at + block[0].text.len());
        let content = &block[1..];
        let indent = content
            .iter()
            .filter(|l| !l.is_blank())
            .map(Line::indent)
            .min()
            .unwrap_or(0);
        let content: Vec<Line<'t>> = content.iter().map(|l| l.skip(indent)).collect();
        let mut title = None;
        let mut start = 0;
        while let Some(line) = content.get(start) {
            let Some(option) = line.text.strip_prefix(':') else {
                break;
            };
            let Some((name, value)) = option.split_once(':') else {
                break;
            };
            if name == "title" {
                title = Some(value.trim().to_owned());
            }
            start += 1;
        }
        let mut examples = self.transcript(&content[start..], false, title, directive_span);
        let mut example = examples.pop().unwrap_or_else(|| Example {
            caption: None,
            span: directive_span,
            text: String::new(),
            items: Vec::new(),
        });
        let end = block.last().map_or(block[0].at, |l| l.at + l.text.len());
        example.span = self.span(block[0].at, end);
        example
    }

    /// Reads `->` / `<-` messages, `...` elisions and prose. With `split`, prose after messages
    /// starts a new example (QEMU 7's `Examples:` sections hold several); without, it is a
    /// [`ExampleItem::Text`] and there is exactly one example.
    fn transcript(
        &self,
        lines: &[Line<'t>],
        split: bool,
        title: Option<String>,
        fallback: Span,
    ) -> Vec<Example> {
        let mut examples = Vec::new();
        let mut draft = Draft::new(title);
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim_start();
            let text = line.text;
            if text.is_empty() || text == "::" {
                i += 1;
                continue;
            }
            let direction = if text.starts_with("->") {
                Some(Direction::ToServer)
            } else if text.starts_with("<-") {
                Some(Direction::FromServer)
            } else {
                None
            };
            if let Some(direction) = direction {
                let (item, next) = self.message(lines, i, direction);
                draft.add(i, next, item);
                i = next;
                continue;
            }
            if text == "..." {
                let span = self.span(line.at, line.at + 3);
                draft.add(i, i + 1, ExampleItem::Elision { span });
                i += 1;
                continue;
            }
            let prose = text
                .strip_suffix("::")
                .map_or_else(|| text.to_owned(), |t| format!("{}:", t.trim_end()));
            if draft.has_messages() {
                if split {
                    examples.push(self.finish(draft, lines, fallback));
                    draft = Draft::new(None);
                    draft.caption(i, prose);
                } else {
                    draft.add(i, i + 1, ExampleItem::Text { text: prose });
                }
            } else {
                draft.caption(i, prose);
            }
            i += 1;
        }
        if draft.first.is_some() || examples.is_empty() {
            examples.push(self.finish(draft, lines, fallback));
        }
        examples
    }

    fn finish(&self, draft: Draft, lines: &[Line<'t>], fallback: Span) -> Example {
        let (first, last) = (draft.first.unwrap_or(0), draft.last);
        let part = lines.get(first..last.max(first)).unwrap_or(&[]);
        let span = match (part.first(), part.last()) {
            (Some(a), Some(b)) => self.span(a.at, b.at + b.text.len()),
            _ => fallback,
        };
        Example {
            caption: draft
                .title
                .or_else(|| (!draft.captions.is_empty()).then(|| draft.captions.join("\n"))),
            span,
            text: dedent(part),
            items: draft.items,
        }
    }

    /// The message whose marker is on `lines[start]`, and the index of the line after it.
    fn message(
        &self,
        lines: &[Line<'t>],
        start: usize,
        direction: Direction,
    ) -> (ExampleItem, usize) {
        let marker = lines[start].trim_start();
        let marker_indent = lines[start].indent();
        let first = marker.skip(2).trim_start();
        // Where the JSON starts on the marker's line: continuation lines lose as much of their
        // indentation, so that the text reads as if the marker were not there.
        let column = first.at - lines[start].at;
        let mut parts = vec![first];
        let mut depth = Depth::default();
        depth.scan(first.text);
        let mut next = start + 1;
        while let Some(line) = lines.get(next) {
            let text = line.text.trim_start();
            if line.is_blank() || text.starts_with("->") || text.starts_with("<-") {
                break;
            }
            if line.indent() <= marker_indent && !depth.open() {
                break;
            }
            let part = line.skip(line.indent().min(column));
            depth.scan(part.text);
            parts.push(part);
            next += 1;
        }
        let text = parts.iter().map(|p| p.text).collect::<Vec<_>>().join("\n");
        let last = parts.last().copied().unwrap_or(first);
        let span = self.span(first.at, last.at + last.text.len());
        let json = match serde_json::from_str(&text) {
            Ok(value) => ExampleJson::Valid { value },
            Err(error) => {
                let row = error.line().saturating_sub(1).min(parts.len() - 1);
                let part = parts[row];
                let col = error.column().saturating_sub(1).min(part.text.len());
                let at = part.at + col;
                let message = error.to_string();
                let message = message
                    .rfind(" at line ")
                    .map_or(message.as_str(), |p| &message[..p]);
                ExampleJson::Invalid {
                    error: message.to_owned(),
                    at: self.span(at, at + 1),
                }
            }
        };
        let item = ExampleItem::Message {
            direction: Some(direction),
            span,
            text,
            json,
        };
        (item, next)
    }
}

/// The text of a member, feature or tagged section: the text after the tag, then the following
/// lines without their common indentation, leading and trailing blank lines dropped.
fn described(section: &Section<'_>) -> String {
    let mut text = String::new();
    match section.head {
        Some(head) => {
            text.reserve(head.text.len() + joined_len(&section.lines));
            text.push_str(head.text);
            text.push('\n');
            dedent_into(&mut text, &section.lines);
            // No line below the head: no line break either.
            if text.len() == head.text.len() + 1 {
                text.pop();
            }
        }
        None => dedent_into(&mut text, &section.lines),
    }
    text
}

/// Lines without their common indentation, leading and trailing blank lines dropped, joined.
fn dedent(lines: &[Line<'_>]) -> String {
    let mut text = String::new();
    dedent_into(&mut text, lines);
    text
}

/// [`dedent`], appended to `out`.
fn dedent_into(out: &mut String, lines: &[Line<'_>]) {
    let indent = lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(Line::indent)
        .min()
        .unwrap_or(0);
    join_into(out, lines, indent);
}

/// Lines joined as written, leading and trailing blank lines dropped.
fn join(lines: &[Line<'_>]) -> String {
    let mut text = String::new();
    join_into(&mut text, lines, 0);
    text
}

/// [`join`] of the lines without their first `indent` bytes, appended to `out` (written in
/// place: doc comments have thousands of these texts, and building each from a list of its
/// lines would allocate twice more).
fn join_into(out: &mut String, lines: &[Line<'_>], indent: usize) {
    let start = lines
        .iter()
        .position(|l| !l.is_blank())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_blank())
        .map_or(start, |e| e + 1);
    let lines = &lines[start..end];
    out.reserve(joined_len(lines));
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.skip(indent).text);
    }
}

/// An upper bound of the length of lines joined.
fn joined_len(lines: &[Line<'_>]) -> usize {
    lines.iter().map(|l| l.text.len() + 1).sum()
}

/// `.. name:: argument` at the start of a line.
fn directive(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(".. ")?;
    let (name, argument) = rest.split_once("::")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| (name, argument.trim()))
}

/// Splits a plain section into paragraphs and directives: a paragraph ends at a blank line; a
/// directive (`.. name::` unindented) runs over blank lines while its lines are indented.
fn blocks<'a, 't>(lines: &'a [Line<'t>]) -> Vec<&'a [Line<'t>]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].is_blank() {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if lines[start].indent() == 0 && directive(lines[start].text).is_some() {
            while i < lines.len() && (lines[i].is_blank() || lines[i].indent() > 0) {
                i += 1;
            }
            let mut end = i;
            while end > start + 1 && lines[end - 1].is_blank() {
                end -= 1;
            }
            out.push(&lines[start..end]);
        } else {
            while i < lines.len() && !lines[i].is_blank() {
                i += 1;
            }
            out.push(&lines[start..i]);
        }
    }
    out
}

/// An example being read.
struct Draft {
    /// The `:title:` option.
    title: Option<String>,
    /// Prose before the first message.
    captions: Vec<String>,
    items: Vec<ExampleItem>,
    /// The range of lines it covers.
    first: Option<usize>,
    last: usize,
}

impl Draft {
    fn new(title: Option<String>) -> Self {
        Draft {
            title,
            captions: Vec::new(),
            items: Vec::new(),
            first: None,
            last: 0,
        }
    }

    fn has_messages(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, ExampleItem::Message { .. }))
    }

    fn cover(&mut self, start: usize, end: usize) {
        self.first.get_or_insert(start);
        self.last = end;
    }

    fn add(&mut self, start: usize, end: usize, item: ExampleItem) {
        self.cover(start, end);
        self.items.push(item);
    }

    fn caption(&mut self, line: usize, text: String) {
        self.cover(line, line + 1);
        self.captions.push(text);
    }
}

/// Bracket depth of JSON text read so far, strings skipped: a message whose brackets are still
/// open goes on over lines that are not indented.
#[derive(Default)]
struct Depth {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn scan(&mut self, text: &str) {
        for c in text.chars() {
            if self.in_string {
                match c {
                    _ if self.escaped => self.escaped = false,
                    '\\' => self.escaped = true,
                    '"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '{' | '[' => self.depth += 1,
                '}' | ']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
    }

    fn open(&self) -> bool {
        self.depth > 0
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::DefinitionDoc;
    use crate::parser::tests::parse_files;
    use qmp_ir::{Direction, ExampleItem, ExampleJson};

    /// The doc of the single definition of `text`, and the warnings as `line:col: message`.
    fn doc_of(text: &str) -> (DefinitionDoc, Vec<String>) {
        let schema = match parse_files(&[("s.json", text)]) {
            Ok(schema) => schema,
            Err(diagnostics) => panic!("{diagnostics:?}"),
        };
        let warnings = schema
            .warnings
            .iter()
            .map(|w| format!("{}:{}: {}", w.line, w.col, w.message))
            .collect();
        let doc = schema.exprs.into_iter().next().and_then(|e| e.doc);
        (doc.unwrap_or_default(), warnings)
    }

    #[test]
    fn qemu_10_layout() {
        let (doc, warnings) = doc_of(
            "##
# @BLOCK_JOB_COMPLETED:
#
# Emitted when a block job has completed.
#
# Second paragraph,
# two lines.
#
# @type: job type
#
# @len: maximum progress value, spanning
#     two lines
#
#     and a second paragraph
#
# @error: error message.  Only present on failure.
#
# Features:
#
# @deprecated: Member @len is deprecated.
#
# .. note:: This event is rate-limited.
#    Really.
#
# Since: 1.1
#
# .. qmp-example::
#    :title: Completion
#
#    <- { \"event\": \"BLOCK_JOB_COMPLETED\",
#         \"data\": { \"type\": \"stream\" } }
#    ...
#    -> { \"execute\": \"x\", ... }
##
{ 'event': 'BLOCK_JOB_COMPLETED' }
",
        );
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(doc.symbol, "BLOCK_JOB_COMPLETED");
        assert_eq!((doc.symbol_span.line, doc.symbol_span.col), (2, 4));
        assert_eq!(
            doc.doc.summary.as_deref(),
            Some("Emitted when a block job has completed.")
        );
        assert_eq!(doc.doc.body, ["Second paragraph,\ntwo lines."]);
        let args: Vec<(&str, &str, u32)> = doc
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.text.as_str(), a.span.line))
            .collect();
        assert_eq!(
            args,
            [
                ("type", "job type", 9),
                (
                    "len",
                    "maximum progress value, spanning\ntwo lines\n\nand a second paragraph",
                    11
                ),
                ("error", "error message.  Only present on failure.", 16),
            ]
        );
        assert_eq!(doc.features.len(), 1);
        assert_eq!(doc.features[0].text, "Member @len is deprecated.");
        assert_eq!(doc.doc.notes, ["This event is rate-limited.\nReally."]);
        assert_eq!(doc.doc.since.as_deref(), Some("1.1"));
        assert_eq!(doc.sections.len(), 1);
        let [example] = doc.doc.examples.as_slice() else {
            panic!("{:?}", doc.doc.examples)
        };
        assert_eq!(example.caption.as_deref(), Some("Completion"));
        assert_eq!((example.span.line, example.span.end_line), (27, 33));
        let [first, elision, second] = example.items.as_slice() else {
            panic!("{:?}", example.items)
        };
        let ExampleItem::Message {
            direction,
            json,
            text,
            span,
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!(*direction, Some(Direction::FromServer));
        assert_eq!(
            text,
            "{ \"event\": \"BLOCK_JOB_COMPLETED\",\n  \"data\": { \"type\": \"stream\" } }"
        );
        assert_eq!((span.line, span.col, span.end_line), (30, 9, 31));
        assert_eq!(
            json.value().and_then(|v| v["data"]["type"].as_str()),
            Some("stream")
        );
        assert!(matches!(elision, ExampleItem::Elision { span } if span.line == 32));
        let ExampleItem::Message { json, .. } = second else {
            panic!("{second:?}")
        };
        let ExampleJson::Invalid { at, .. } = json else {
            panic!("{json:?}")
        };
        assert_eq!((at.line, at.col), (33, 27));
    }

    #[test]
    fn qemu_7_layout() {
        let (doc, warnings) = doc_of(
            "##
# @query-status:
#
# Query the run status of all VCPUs
#
# @x: the x,
#     aligned
#
# Returns: @StatusInfo reflecting all VCPUs
#
# Notes: 1. one
#           more
#        2. two
#
# Since: 0.14
#
# Examples:
#
# 1. Read:
#
# -> { \"execute\": \"query-status\" }
# <- { \"return\": { \"running\": true,
#                  \"status\": \"running\" } }
#
# 2. Write:
# -> { \"execute\": \"query-status\" }
##
{ 'command': 'query-status' }
",
        );
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(
            doc.doc.summary.as_deref(),
            Some("Query the run status of all VCPUs")
        );
        assert_eq!(doc.args[0].text, "the x,\naligned");
        assert_eq!(doc.sections[0].name, "Returns");
        assert_eq!(doc.sections[0].text, "@StatusInfo reflecting all VCPUs");
        assert_eq!(doc.doc.notes, ["1. one\n   more\n2. two"]);
        assert_eq!(doc.doc.since.as_deref(), Some("0.14"));
        let captions: Vec<Option<&str>> = doc
            .doc
            .examples
            .iter()
            .map(|e| e.caption.as_deref())
            .collect();
        assert_eq!(captions, [Some("1. Read:"), Some("2. Write:")]);
        assert_eq!(doc.doc.examples[0].items.len(), 2);
        assert!(doc.doc.examples[0].items.iter().all(|i| matches!(
            i,
            ExampleItem::Message {
                json: ExampleJson::Valid { .. },
                ..
            }
        )));
        assert_eq!(doc.doc.examples[1].items.len(), 1);
    }

    #[test]
    fn annotated_example() {
        let (doc, _) = doc_of(
            "##
# @x:
#
# .. qmp-example::
#    :annotated:
#
#    Remove all latency histograms::
#
#     -> { \"execute\": \"x\",
#          \"arguments\": { \"id\": \"drive0\" } }
#     <- { \"return\": {} }
#
#    And that is it.
##
{ 'command': 'x' }
",
        );
        let [example] = doc.doc.examples.as_slice() else {
            panic!("{:?}", doc.doc.examples)
        };
        assert_eq!(
            example.caption.as_deref(),
            Some("Remove all latency histograms:")
        );
        assert_eq!(example.items.len(), 3);
        let ExampleItem::Message { text, .. } = &example.items[0] else {
            panic!()
        };
        assert_eq!(
            text,
            "{ \"execute\": \"x\",\n  \"arguments\": { \"id\": \"drive0\" } }"
        );
        assert!(
            matches!(&example.items[2], ExampleItem::Text { text } if text == "And that is it.")
        );
    }

    #[test]
    fn layout_problems_are_warnings() {
        let cases = [
            (
                "##\n# @foo:\n# @a: one\n#   two\n# three\n##\n",
                "5:1: unexpected de-indent (expected at least 2 spaces)",
            ),
            (
                "##\n#\n# = Not first\n##\n",
                "3:1: '=' heading must come first in a comment block",
            ),
            (
                "##\n# @foo:\n#\n# = Heading\n##\n",
                "4:1: unexpected '=' markup in definition documentation",
            ),
            ("##\n# @foo\n##\n", "2:1: line should end with ':'"),
            ("##\n# @:\n##\n", "2:1: name required after '@'"),
            ("##\n#x\n##\n", "2:1: missing space after #"),
            (
                "## x\n##\n",
                "1:1: junk after '##' at start of documentation comment",
            ),
            (
                "##\n#\n## x\n",
                "3:1: junk after '##' at end of documentation comment",
            ),
            (
                "##\n# text\n",
                "2:7: documentation comment must end with '##'",
            ),
            (
                "##\n# @foo:\n# @a: x\n# @a: y\n##\n",
                "4:1: 'a' parameter name duplicated",
            ),
            (
                "##\n# @foo:\n# Since:\n##\n",
                "3:1: text required after 'Since:'",
            ),
            (
                "##\n# @foo:\n# Since: 1\n# Since: 2\n##\n",
                "4:1: duplicated 'Since' section",
            ),
            (
                "##\n# @foo:\n#\n# Features:\n# none\n##\n",
                "5:1: feature descriptions expected",
            ),
            (
                "##\n# @foo:\n# TODO: x\n# @a: y\n##\n",
                "4:1: description of '@a:' follows a section",
            ),
            (
                "##\n# text\n# @a: b\n##\n",
                "3:1: '@a:' not allowed in free-form documentation",
            ),
            (
                "##\n# text\n##\n{ 'enum': 'E', 'data': [] }",
                "1:1: definition documentation required",
            ),
        ];
        for (text, expected) in cases {
            let schema = parse_files(&[("s.json", text)]).expect("only warnings");
            let first = schema
                .warnings
                .first()
                .map(|w| format!("{}:{}: {}", w.line, w.col, w.message));
            assert_eq!(first.as_deref(), Some(expected), "{text}");
        }
    }
}
