//! Pest pairs -> IR, plus the checks a grammar cannot express.
//!
//! Lowering walks the pairs once and builds plain [`ir`](crate::ir) values; nothing after it sees
//! a pair. Prose is joined into one line per paragraph (whitespace runs become one space).
//!
//! # Recognised forms
//!
//! Field bullets read `- "wire-name": prose (annotation) more prose`, continued on the following
//! lines (hanging indent or not). Bullets indented deeper than the bullet above are members of
//! it. The type annotation is removed from the prose; everything else is kept.
//!
//! The annotation is `(json-TYPE[, ITEM]...)` (`;` may stand for `,`, and it may go on over an
//! indented next line). TYPE is one of `string`, `int`, `number`, `bool`, `object`, `array`; an
//! ITEM is one of
//! - `optional`: the member may be absent;
//! - `currently always "v"`: a [`ValueSetKind::Constant`];
//! - `"a" or "b"`, `"a", "b", or "c"`: a [`ValueSetKind::OneOf`];
//! - `"a" for some text "b" for other text`: a `OneOf` whose values carry descriptions.
//!
//! Outside the annotation, values are only taken after the words `one of the following`:
//! - indented lines `"v": description` that follow, each a described value;
//! - otherwise the quoted words written after those words (`"reset", "shutdown", ... or "none"`).
//!
//! Quoted words anywhere else (`"1" is the main control channel`) are prose. A value set is kept
//! only for `json-string` or untyped members. A member refers to a named type with
//! `See <Type> in <file> for possible values` or `<Type> type as described in <file>` (a leading
//! `~/` of the file is dropped); the bullet `- data: <Type> type as described in <file>` in
//! place of a `Data:` section makes the whole `data` that type.
//!
//! # Diagnostics
//!
//! Errors: a heading without underline, a heading that is not event names, a field list outside
//! a `Data:` section, the data described twice, two type annotations on one member, members under
//! a member that is neither untyped nor a `json-object`, a duplicate event name, no event at all;
//! a field name that is empty or has a character other than ASCII letters, digits, `-` and `_`
//! (at that character), two members of one object with the same name (with a note pointing at
//! the first), members nested more than [`MAX_NESTING`] levels deep, a tab in the indentation of
//! a field bullet (nesting goes by columns, and a tab has no agreed width).
//! Warnings: an example that is not valid JSON, or nested deeper than `serde_json` reads (kept as
//! [`ExampleJson::Invalid`]), and `Data: None.` followed by a field list (read as the fields).

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{
    Data, Event, Example, ExampleJson, Field, JsonType, Span, Spec, TypeRef, Value, ValueSet,
    ValueSetKind,
};
use crate::parser::Rule;
use crate::source::Source;
use pest::iterators::Pair;
use std::collections::{HashMap, HashSet};

/// Lowers the `document` pair. The diagnostics hold errors and warnings, in document order.
/// Lowers a document given a part at a time ([`Lowering::part`]), then finishes it.
pub(crate) struct Lowering<'s, 'a> {
    lowerer: Lowerer<'s, 'a>,
    title: Option<String>,
    events: Vec<Event>,
    sections: usize,
}

impl<'s, 'a> Lowering<'s, 'a> {
    pub(crate) fn new(source: &'s Source<'a>) -> Self {
        Lowering {
            lowerer: Lowerer {
                source,
                diagnostics: Vec::new(),
                names_at: Vec::new(),
            },
            title: None,
            events: Vec::new(),
            sections: 0,
        }
    }

    /// Lowers the document's head (its title) or one section, while the source's base is where
    /// the part starts.
    pub(crate) fn part(&mut self, pair: Pair<'_, Rule>) {
        match pair.as_rule() {
            Rule::head => {
                for inner in pair.into_inner() {
                    if inner.as_rule() == Rule::title {
                        self.title = inner.into_inner().next().map(|t| t.as_str().to_string());
                    }
                }
            }
            Rule::section => {
                self.sections += 1;
                self.lowerer.section(pair, &mut self.events);
            }
            _ => {}
        }
    }

    /// The document's model and its diagnostics in document order, once every part is lowered
    /// (the source's base back at 0).
    pub(crate) fn finish(mut self) -> (Spec, Vec<Diagnostic>) {
        let source = self.lowerer.source;
        if self.sections == 0 {
            let end = source.text().len();
            let error = source.error(
                "the document defines no events",
                end,
                end,
                "an event heading underlined with `-`",
            );
            self.lowerer.diagnostics.push(error);
        }
        self.lowerer.check_unique(&self.events);
        let mut diagnostics = self.lowerer.diagnostics;
        diagnostics.sort_by_key(|d| (d.line, d.col));
        (
            Spec {
                title: self.title,
                events: self.events,
            },
            diagnostics,
        )
    }
}

struct Lowerer<'s, 'a> {
    source: &'s Source<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Where each event's name is, in the order of the events.
    names_at: Vec<(usize, usize)>,
}

/// What a section's body says, shared by every event its heading names.
struct Body {
    description: Vec<String>,
    notes: Vec<String>,
    data: Data,
    /// Whether a data description was seen (`Data::Unspecified` is also the default).
    data_given: bool,
    examples: Vec<Example>,
}

impl Lowerer<'_, '_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        self.source
            .span(pair.as_span().start(), pair.as_span().end())
    }

    fn error(&mut self, message: impl Into<String>, pair: &Pair<'_, Rule>, expected: &str) {
        let (start, end) = (pair.as_span().start(), pair.as_span().end());
        let error = self.source.error(message, start, end, expected);
        self.diagnostics.push(error);
    }

    fn warning(&mut self, message: impl Into<String>, offset: usize, len: usize) {
        let warning = self
            .source
            .diagnostic(Severity::Warning, message, offset, len, None);
        self.diagnostics.push(warning);
    }

    fn section(&mut self, section: Pair<'_, Rule>, events: &mut Vec<Event>) {
        let mut inner = section.into_inner();
        let names = match inner.next() {
            Some(heading) => self.heading(heading),
            None => Vec::new(),
        };
        let mut body = Body {
            description: Vec::new(),
            notes: Vec::new(),
            data: Data::Unspecified,
            data_given: false,
            examples: Vec::new(),
        };
        for item in inner {
            self.body_item(item, &mut body);
        }
        for (name, span, (start, end)) in names {
            // Kept as offsets in the whole document: they are used after every section.
            self.names_at
                .push((self.source.absolute(start), self.source.absolute(end)));
            events.push(Event {
                name,
                span,
                description: body.description.clone(),
                notes: body.notes.clone(),
                data: body.data.clone(),
                examples: body.examples.clone(),
            });
        }
    }

    /// The names a heading defines, reporting a heading that is not a proper one.
    fn heading(&mut self, heading: Pair<'_, Rule>) -> Vec<(String, Span, (usize, usize))> {
        let rule = heading.as_rule();
        let Some(first) = heading.into_inner().next() else {
            return Vec::new();
        };
        if first.as_rule() == Rule::bad_heading {
            self.error(
                "invalid event name in heading",
                &first,
                "event names in capitals, digits and `_`, separated by commas",
            );
            return Vec::new();
        }
        if rule == Rule::bare_heading {
            self.error(
                "expected a heading underline",
                &first,
                "a line of `-` under the heading",
            );
        }
        let at = |name: &Pair<'_, Rule>| (name.as_span().start(), name.as_span().end());
        first
            .into_inner()
            .map(|name| (name.as_str().to_string(), self.span(&name), at(&name)))
            .collect()
    }

    fn body_item(&mut self, item: Pair<'_, Rule>, body: &mut Body) {
        match item.as_rule() {
            Rule::paragraph => body.description.push(collapse(item.as_str())),
            Rule::note => {
                let text = item.into_inner().find(|p| p.as_rule() == Rule::note_text);
                let text = text.map(|t| collapse(t.as_str())).unwrap_or_default();
                if !text.is_empty() {
                    body.notes.push(text);
                }
            }
            Rule::data_section => {
                let mut inner = item.into_inner();
                let keyword = inner.next();
                let data = match inner.next() {
                    Some(named) if named.as_rule() == Rule::named_data => self.named_data(named),
                    Some(list) => Data::Fields {
                        fields: self.field_list(list),
                    },
                    None => Data::Unspecified,
                };
                if let Some(keyword) = keyword {
                    self.set_data(body, data, &keyword);
                }
            }
            Rule::data_none_section => {
                let mut inner = item.into_inner();
                let (Some(keyword), Some(none)) = (inner.next(), inner.next()) else {
                    return;
                };
                let data = match inner.next() {
                    Some(list) => {
                        let (start, end) = (none.as_span().start(), none.as_span().end());
                        self.warning(
                            "the document says `Data: None.` but lists fields; using the fields",
                            start,
                            end - start,
                        );
                        Data::Fields {
                            fields: self.field_list(list),
                        }
                    }
                    None => Data::None {
                        span: self.span(&none),
                    },
                };
                self.set_data(body, data, &keyword);
            }
            Rule::named_data => {
                let data = self.named_data(item.clone());
                self.set_data(body, data, &item);
            }
            Rule::examples => {
                for example in item.into_inner().filter(|p| p.as_rule() == Rule::example) {
                    let example = self.example(example);
                    body.examples.push(example);
                }
            }
            Rule::example => {
                let example = self.example(item);
                body.examples.push(example);
            }
            Rule::stray_fields => {
                // Underline the first bullet up to its colon.
                let first = item
                    .into_inner()
                    .next()
                    .and_then(|list| list.into_inner().next());
                if let Some(field) = first {
                    let parts: Vec<_> = field.into_inner().collect();
                    let at = |rule| {
                        parts
                            .iter()
                            .find(|p| p.as_rule() == rule)
                            .map(|p| p.as_span())
                    };
                    let (Some(bullet), Some(colon)) = (at(Rule::bullet), at(Rule::colon)) else {
                        return;
                    };
                    let (start, end) = (bullet.start(), colon.end());
                    let error = self.source.error(
                        "field list outside a `Data:` section",
                        start,
                        end,
                        "a `Data:` line before the fields",
                    );
                    self.diagnostics.push(error);
                }
            }
            _ => {}
        }
    }

    fn set_data(&mut self, body: &mut Body, data: Data, at: &Pair<'_, Rule>) {
        if body.data_given {
            self.error(
                "the event's data is described twice",
                at,
                "one `Data:` section (or `- data:` bullet) per event",
            );
            return;
        }
        body.data_given = true;
        body.data = data;
    }

    fn named_data(&mut self, named: Pair<'_, Rule>) -> Data {
        match named.into_inner().find(|p| p.as_rule() == Rule::type_ref) {
            Some(reference) => Data::Named {
                reference: self.type_ref(reference),
            },
            None => Data::Unspecified,
        }
    }

    /// `type_ref` or `see_ref`: a type name and the file it is described in.
    fn type_ref(&self, pair: Pair<'_, Rule>) -> TypeRef {
        let mut name = String::new();
        let mut span = self.span(&pair);
        let mut source = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::type_name => {
                    name = part.as_str().to_string();
                    span = self.span(&part);
                }
                Rule::source_file => {
                    let file = part.as_str();
                    source = Some(file.strip_prefix("~/").unwrap_or(file).to_string());
                }
                _ => {}
            }
        }
        TypeRef { name, source, span }
    }

    /// Builds the member tree from the flat list, nesting by bullet column.
    ///
    /// Reports, once per list, a tab in a bullet's indentation and members nested deeper than
    /// [`MAX_NESTING`] (the members beyond it are dropped, so that no deep tree is ever built);
    /// and each member named like an earlier member of the same object.
    fn field_list(&mut self, list: Pair<'_, Rule>) -> Vec<Field> {
        let mut top: Vec<Field> = Vec::new();
        let mut top_names: Names = HashMap::new();
        // The open fields, innermost last: bullet column, field, the names of its members.
        let mut open: Vec<(u32, Field, Names)> = Vec::new();
        let (mut tab_reported, mut depth_reported) = (false, false);
        for pair in list.into_inner() {
            let Bullet {
                col,
                name_at,
                tab,
                field,
            } = self.field(pair);
            if let (Some(tab), false) = (tab, tab_reported) {
                tab_reported = true;
                let error = self.source.error(
                    "tab in the indentation of a field bullet",
                    tab,
                    tab + 1,
                    "spaces: members nest by the column of their bullet, and a tab has no agreed width",
                );
                self.diagnostics.push(error);
            }
            while open.last().is_some_and(|(c, _, _)| *c >= col) {
                if let Some((_, done, _)) = open.pop() {
                    attach(&mut open, &mut top, done);
                }
            }
            if open.len() >= MAX_NESTING {
                if !depth_reported {
                    depth_reported = true;
                    let message = format!(
                        "member `{}` is nested {} levels deep, more than the {MAX_NESTING} allowed",
                        field.name,
                        open.len() + 1,
                    );
                    let expected = format!("members nested at most {MAX_NESTING} levels deep");
                    let error = self.source.error(message, name_at.0, name_at.1, expected);
                    self.diagnostics.push(error);
                }
                continue;
            }
            if let Some((_, parent, _)) = open.last() {
                if let Some(ty) = parent.ty.filter(|ty| *ty != JsonType::Object) {
                    let message = format!(
                        "member `{}` is nested under `{}`, which is a {}",
                        field.name,
                        parent.name,
                        ty.doc_name()
                    );
                    let expected = "members only under a `json-object` field";
                    let error = self.source.error(message, name_at.0, name_at.1, expected);
                    self.diagnostics.push(error);
                }
            }
            let siblings = match open.last_mut() {
                Some((_, _, names)) => names,
                None => &mut top_names,
            };
            match siblings.get(&field.name) {
                Some(&first) => self.duplicate_member(&field.name, name_at, first),
                None => {
                    siblings.insert(field.name.clone(), name_at.0);
                }
            }
            open.push((col, field, HashMap::new()));
        }
        while let Some((_, done, _)) = open.pop() {
            attach(&mut open, &mut top, done);
        }
        top
    }

    /// A member named `name` at `at` whose object already has one at byte offset `first`.
    fn duplicate_member(&mut self, name: &str, at: (usize, usize), first: usize) {
        let (line, col) = self.source.line_col(first);
        let message = format!("duplicate member `{name}`, first defined at line {line}");
        let mut error = self.source.error(
            message,
            at.0,
            at.1,
            "a name no other member of the object has",
        );
        error.notes.push(format!(
            "`{name}` is first defined at {}:{line}:{col}",
            error.file
        ));
        self.diagnostics.push(error);
    }

    /// One field without its members, with its bullet's column, where its name is and the
    /// first tab in its indentation. Reports a name that is not a member name.
    fn field(&mut self, pair: Pair<'_, Rule>) -> Bullet {
        let mut col = 1;
        let mut tab = None;
        let line_start = pair.as_span().start();
        let mut name_at = (pair.as_span().start(), pair.as_span().start());
        let mut field = Field {
            name: String::new(),
            span: self.span(&pair),
            ty: None,
            optional: false,
            description: String::new(),
            members: Vec::new(),
            values: None,
            reference: None,
        };
        let mut prose = Prose::default();
        let mut annotated = false;
        let mut annotation_values = None;
        let mut intro = false;
        let mut listed: Vec<(Value, usize, usize)> = Vec::new();
        let mut items: Vec<(Value, usize, usize)> = Vec::new();
        for part in pair.into_inner() {
            let (start, end) = (part.as_span().start(), part.as_span().end());
            match part.as_rule() {
                Rule::bullet => {
                    col = self.source.line_col(start).1;
                    let indent = self.source.text().get(line_start..start).unwrap_or("");
                    tab = indent.find('\t').map(|at| line_start + at);
                }
                Rule::field_name => {
                    if let Some(ident) = part.into_inner().next() {
                        field.name = ident.as_str().to_string();
                        field.span = self.span(&ident);
                        name_at = (ident.as_span().start(), ident.as_span().end());
                        self.check_name(&field.name, name_at.0);
                    }
                }
                Rule::colon => prose.skip(end),
                Rule::annotation => {
                    prose.skip(end);
                    if annotated {
                        self.error(
                            format!("field `{}` has two type annotations", field.name),
                            &part,
                            "one `(json-...)` annotation per field",
                        );
                        continue;
                    }
                    annotated = true;
                    annotation_values = self.annotation(part, &mut field);
                }
                Rule::value_item => {
                    prose.skip(end);
                    let mut inner = part.into_inner();
                    let Some(quoted) = inner.next() else { continue };
                    let text = inner
                        .next()
                        .map(|t| collapse(t.as_str()))
                        .unwrap_or_default();
                    let description = (!text.is_empty()).then_some(text);
                    let value = Value {
                        name: unquote(&quoted),
                        description,
                    };
                    items.push((value, quoted.as_span().start(), end));
                }
                Rule::see_ref | Rule::type_ref => {
                    prose.push(part.as_str(), start, end);
                    if field.reference.is_none() {
                        field.reference = Some(self.type_ref(part));
                    }
                }
                Rule::choice_intro => {
                    prose.push(part.as_str(), start, end);
                    intro = true;
                }
                Rule::quoted => {
                    prose.push(part.as_str(), start, end);
                    if intro {
                        listed.push((
                            Value {
                                name: unquote(&part),
                                description: None,
                            },
                            start,
                            end,
                        ));
                    }
                }
                _ => prose.push(part.as_str(), start, end),
            }
        }
        field.description = prose.text;
        if matches!(field.ty, None | Some(JsonType::String)) {
            field.values = annotation_values
                .or_else(|| self.value_set(items))
                .or_else(|| if intro { self.value_set(listed) } else { None });
        }
        Bullet {
            col,
            name_at,
            tab,
            field,
        }
    }

    /// Reports a field name that is empty or has a character a QMP member name cannot have,
    /// pointing at the first such character. `start` is the byte offset of the name.
    fn check_name(&mut self, name: &str, start: usize) {
        let expected = "a member name: ASCII letters, digits, `-` and `_`";
        let Some((at, c)) = name
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        else {
            if name.is_empty() {
                // Underline both quotes.
                let error = self.source.error(
                    "empty field name",
                    start.saturating_sub(1),
                    start + 1,
                    expected,
                );
                self.diagnostics.push(error);
            }
            return;
        };
        let what = match c {
            ' ' => "a space".to_string(),
            '\t' => "a tab".to_string(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c => format!("`{c}`"),
        };
        let message = format!("field name `{name}` contains {what}");
        let error = self
            .source
            .error(message, start + at, start + at + c.len_utf8(), expected);
        self.diagnostics.push(error);
    }

    /// Reads a type annotation into `field`, returning the value set it states, if any.
    fn annotation(&self, annotation: Pair<'_, Rule>, field: &mut Field) -> Option<ValueSet> {
        let mut values = None;
        for item in annotation.into_inner() {
            let span = self.span(&item);
            let set = match item.as_rule() {
                Rule::json_type => {
                    field.ty = json_type(item.as_str());
                    None
                }
                Rule::optional_kw => {
                    field.optional = true;
                    None
                }
                Rule::constant => item.into_inner().next().map(|q| ValueSet {
                    kind: ValueSetKind::Constant,
                    values: vec![Value {
                        name: unquote(&q),
                        description: None,
                    }],
                    span,
                }),
                Rule::value_list => {
                    let names = item.into_inner().map(|q| Value {
                        name: unquote(&q),
                        description: None,
                    });
                    Some(ValueSet {
                        kind: ValueSetKind::OneOf,
                        values: dedup(names),
                        span,
                    })
                }
                Rule::described_values => {
                    let described = item.into_inner().map(|value| {
                        let mut inner = value.into_inner();
                        let name = inner.next().map(|q| unquote(&q)).unwrap_or_default();
                        let description = inner.next().map(|d| collapse(d.as_str()));
                        Value { name, description }
                    });
                    Some(ValueSet {
                        kind: ValueSetKind::OneOf,
                        values: dedup(described),
                        span,
                    })
                }
                _ => None,
            };
            if values.is_none() {
                values = set;
            }
        }
        values
    }

    fn value_set(&self, values: Vec<(Value, usize, usize)>) -> Option<ValueSet> {
        let start = values.first()?.1;
        let end = values.last()?.2;
        Some(ValueSet {
            kind: ValueSetKind::OneOf,
            values: dedup(values.into_iter().map(|(v, _, _)| v)),
            span: self.source.span(start, end),
        })
    }

    fn example(&mut self, example: Pair<'_, Rule>) -> Example {
        let mut caption = None;
        let mut example_out = None;
        for part in example.into_inner() {
            match part.as_rule() {
                Rule::caption => {
                    caption = part.into_inner().next().map(|t| collapse(t.as_str()));
                }
                Rule::json_block => example_out = Some(self.json_block(&part)),
                _ => {}
            }
        }
        let (span, text, json) = example_out.unwrap_or_else(|| {
            // The grammar makes a block part of every example.
            (
                Span::default(),
                String::new(),
                ExampleJson::Invalid {
                    error: String::new(),
                    at: Span::default(),
                },
            )
        });
        Example {
            caption,
            span,
            text,
            json,
        }
    }

    fn json_block(&mut self, block: &Pair<'_, Rule>) -> (Span, String, ExampleJson) {
        let text = block.as_str();
        let json = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => ExampleJson::Valid { value },
            Err(error) => {
                let offset =
                    block.as_span().start() + json_error_offset(text, error.line(), error.column());
                let message = error.to_string();
                let suffix = format!(" at line {} column {}", error.line(), error.column());
                let message = message
                    .strip_suffix(&suffix)
                    .unwrap_or(&message)
                    .to_string();
                let len = self.source.text()[offset..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                let warning = if message == "recursion limit exceeded" {
                    // Valid JSON, perhaps, but deeper than serde_json reads.
                    format!(
                        "example nests more than {JSON_DEPTH} levels deep, which serde_json does \
                         not read ({message})"
                    )
                } else {
                    format!("example is not valid JSON: {message}")
                };
                self.warning(warning, offset, 1);
                ExampleJson::Invalid {
                    error: message,
                    at: self.source.span(offset, offset + len),
                }
            }
        };
        (self.span(block), text.to_string(), json)
    }

    fn check_unique(&mut self, events: &[Event]) {
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for (event, &(start, end)) in events.iter().zip(&self.names_at) {
            if let Some(first) = seen.get(event.name.as_str()) {
                let message = format!(
                    "duplicate event `{}`, first defined at line {first}",
                    event.name
                );
                let error = self
                    .source
                    .error(message, start, end, "a name no other event has");
                self.diagnostics.push(error);
            } else {
                seen.insert(&event.name, event.span.line);
            }
        }
    }
}

/// How deep members may nest under an event's `data`: deeper is an error.
///
/// QEMU's documents nest three levels at most, and a message nested more than 128 levels deep
/// cannot be decoded anyway (`serde_json`'s recursion limit). Everything downstream walks the
/// member tree recursively (the general IR, wire shapes, generated code, dropping the tree);
/// at 64 levels all of them stay far from the end of a 2 MiB thread stack, also in debug builds.
pub(crate) const MAX_NESTING: usize = 64;

/// How deep `serde_json` reads JSON values (its recursion limit).
const JSON_DEPTH: usize = 128;

/// Member names seen in one object, with the byte offset of the first of each.
type Names = HashMap<String, usize>;

/// A field bullet read by [`Lowerer::field`].
struct Bullet {
    /// The column of its `-`.
    col: u32,
    /// The byte range of its name.
    name_at: (usize, usize),
    /// The byte offset of the first tab in its indentation.
    tab: Option<usize>,
    /// The field, without members.
    field: Field,
}

fn attach(open: &mut [(u32, Field, Names)], top: &mut Vec<Field>, field: Field) {
    match open.last_mut() {
        Some((_, parent, _)) => parent.members.push(field),
        None => top.push(field),
    }
}

/// Prose with some parts left out, joined with one space where the document has blanks.
#[derive(Default)]
struct Prose {
    text: String,
    last_end: usize,
}

impl Prose {
    fn push(&mut self, part: &str, start: usize, end: usize) {
        if !self.text.is_empty() && start > self.last_end {
            self.text.push(' ');
        }
        self.text.push_str(part);
        self.last_end = end;
    }

    /// Leaves a part out: what directly follows it sticks to what came before (`taken (...).`).
    fn skip(&mut self, end: usize) {
        self.last_end = end;
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unquote(quoted: &Pair<'_, Rule>) -> String {
    let text = quoted.as_str();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .to_string()
}

/// The values without repeats, the first of each name kept (in linear time: a value list may be
/// as long as a hostile document makes it).
fn dedup(values: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut seen: HashSet<String> = HashSet::new();
    values
        .into_iter()
        .filter(|value| seen.insert(value.name.clone()))
        .collect()
}

fn json_type(name: &str) -> Option<JsonType> {
    Some(match name {
        "json-string" => JsonType::String,
        "json-int" => JsonType::Int,
        "json-number" => JsonType::Number,
        "json-bool" => JsonType::Bool,
        "json-object" => JsonType::Object,
        "json-array" => JsonType::Array,
        _ => return None,
    })
}

/// The byte offset in `text` of serde_json's 1-based line and column (columns count bytes, and
/// are 0 just after a line break).
fn json_error_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_len = text[start..].find('\n').unwrap_or(text.len() - start);
    let mut offset = start + column.saturating_sub(1).min(line_len);
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_sticks_what_follows_a_left_out_part_to_what_precedes_it() {
        // "taken (json-string)." and "taken (json-string) Next"
        let mut prose = Prose::default();
        prose.push("taken", 0, 5);
        prose.skip(19);
        prose.push(".", 19, 20);
        prose.push("Next", 21, 25);
        assert_eq!(prose.text, "taken. Next");
    }

    #[test]
    fn json_positions_are_mapped_into_the_block() {
        let text = "{ \"a\": 1\n  \"b\": 2 }";
        assert_eq!(json_error_offset(text, 2, 3), 11);
        assert_eq!(json_error_offset(text, 1, 0), 0);
        assert_eq!(json_error_offset(text, 9, 99), text.len());
        assert_eq!(json_error_offset("{\"é", 1, 3), 2);
    }
}
