//! Reads the reply of QMP's `query-qmp-schema` (a running QEMU's own schema) into the
//! [`qmp_ir`] IR.
//!
//! ```text
//! query-qmp-schema reply --serde_json + positions--> entries --lower--> qmp_ir::Spec
//! ```
//!
//! The input is a JSON file holding the reply: the bare array of `SchemaInfo` entries, or the
//! whole `{"return": [...]}` message. What each entry becomes:
//!
//! | entry (`meta-type`) | IR |
//! |---|---|
//! | `builtin` | a [`Builtin`] by its `json-type`: `string` -> `Str`, `int` -> `Int`, `number` -> `Number`, `boolean` -> `Bool`, `null` -> `Null`, `value` -> `Any`, `object` -> `Object`, `array` -> an array of `Any` |
//! | `enum` | [`TypeKind::Enum`], with each value's features |
//! | `array` | no type of its own: a member of that type is a [`TypeExpr::Array`] of its element |
//! | `object` without `variants` | [`TypeKind::Struct`] (QEMU has already flattened any base into `members`) |
//! | `object` with `tag` and `variants` | [`TypeKind::Union`] with [`UnionBase::Members`]: the flattened common members, one [`Branch`] per variant |
//! | `alternate` | [`TypeKind::Alternate`], each branch named after its type |
//! | `event` | an [`Event`]: no data when its `arg-type` is an object without members; the members of a struct; the union itself otherwise (`boxed`) |
//! | `command` | left out (events are what this is for) |
//!
//! A member is optional when it has a `default` (QEMU writes `"default": null` for every
//! optional member). Names are kept as QEMU sends them, masked implicit names (`"0"`, `"[17]"`)
//! included; there are no docs and no conditions (QEMU evaluated them when it was built).
//!
//! Malformed input gives [`Diagnostic`]s pointing at the offending JSON value (`file:line:col`);
//! the library never prints and never panics. Two members of one object with the same name are
//! an error (with a note pointing at the first); JSON nested more than 128 levels deep is one
//! too (`serde_json` reads no deeper), and [`read_bytes`] reports bytes that are not UTF-8 at
//! the first invalid byte.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod json;

use json::{Kind, Node};
use qmp_ir::{
    AlternateBranch, Branch, Builtin, EnumValue, Event, EventData, Feature, FileId, Member,
    SourceFile, Span, Spec, TypeDef, TypeExpr, TypeKind, UnionBase,
};
pub use qmp_ir::{Diagnostic, Severity};
use std::collections::HashMap;

/// The result of reading a reply: the IR and the warnings.
#[derive(Debug, Clone)]
pub struct Read {
    /// The schema's events and types.
    pub spec: Spec,
    /// Flaws that were worked around (entries of a meta-type this reader does not know).
    pub warnings: Vec<Diagnostic>,
}

/// Whether `text` looks like a `query-qmp-schema` reply: after leading white space, a `[`, or a
/// `{` whose first member is `"return"`. (A QAPI schema starts with `{` and single-quoted keys,
/// or with `#` comments; the legacy document with prose.)
pub fn looks_like_introspection(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('[') {
        return true;
    }
    text.strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"return\""))
}

/// [`read`] for a reply given as bytes: bytes that are not UTF-8 are an error at the first
/// invalid byte (`file:line:col`).
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Read, Vec<Diagnostic>> {
    read(
        file,
        qmp_ir::decode_utf8(file, bytes).map_err(|e| vec![*e])?,
    )
}

/// Reads a `query-qmp-schema` reply. `file` names it in diagnostics and in [`Spec::files`].
/// Errors come with every diagnostic found (warnings included), in order.
pub fn read(file: &str, text: &str) -> Result<Read, Vec<Diagnostic>> {
    // A byte-order mark is skipped (as `looks_like_introspection` does); columns count from
    // after it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut cx = Context {
        file,
        text,
        lines: line_starts(text),
        diagnostics: Vec::new(),
        checkpoints: checkpoints(text),
    };
    if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
        cx.syntax_error(&error);
        return Err(cx.diagnostics);
    }
    let Some(root) = json::scan(text) else {
        cx.error_at(0, text.len(), "cannot read this JSON", None);
        return Err(cx.diagnostics);
    };
    let spec = cx.lower(&root);
    if cx.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(cx.diagnostics);
    }
    Ok(Read {
        spec,
        warnings: cx.diagnostics,
    })
}

/// Byte offsets at which lines start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

struct Context<'t> {
    file: &'t str,
    text: &'t str,
    lines: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    /// Byte offsets (at character boundaries, every [`CHECKPOINT`] bytes or so) and how many
    /// characters come before each: a column is then counted from the nearest one, which keeps
    /// a reply saved on one long line from making positions quadratic.
    checkpoints: Vec<(usize, usize)>,
}

/// The distance between two checkpoints, in bytes.
const CHECKPOINT: usize = 4096;

/// See [`Context::checkpoints`].
fn checkpoints(text: &str) -> Vec<(usize, usize)> {
    let mut out = vec![(0, 0)];
    let (mut offset, mut chars) = (0, 0);
    loop {
        let mut next = (offset + CHECKPOINT).min(text.len());
        while !text.is_char_boundary(next) {
            next += 1;
        }
        if next <= offset {
            return out;
        }
        chars += text.get(offset..next).map_or(0, |s| s.chars().count());
        offset = next;
        out.push((offset, chars));
    }
}

/// What an entry is, as far as types refer to it.
#[derive(Debug, Clone, Copy)]
enum Meta<'r> {
    Builtin(Option<Builtin>),
    Enum,
    Array(&'r Node),
    Object,
    Alternate,
    Command,
    Event,
    Other,
}

/// An entry's name and meta-type, once checked.
struct Entry<'r> {
    node: &'r Node,
    name: &'r str,
    meta: Meta<'r>,
}

impl Context<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (u32, u32, &str) {
        let index = self
            .lines
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.lines.get(index).copied().unwrap_or(0);
        let end = self
            .lines
            .get(index + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1));
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let offset = offset.min(self.text.len()).max(start);
        let col = self
            .chars_before(offset)
            .saturating_sub(self.chars_before(start));
        (
            u32::try_from(index + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
            line,
        )
    }

    /// How many characters come before a byte offset.
    fn chars_before(&self, offset: usize) -> usize {
        let index = self
            .checkpoints
            .partition_point(|&(b, _)| b <= offset)
            .saturating_sub(1);
        let (at, chars) = self.checkpoints.get(index).copied().unwrap_or((0, 0));
        chars + self.text.get(at..offset).map_or(0, |s| s.chars().count())
    }

    fn span(&self, node: &Node) -> Span {
        let (line, col, _) = self.position(node.start);
        let (end_line, end_col, _) = self.position(node.end);
        Span {
            file: FileId(0),
            line,
            col,
            end_line,
            end_col,
        }
    }

    fn push(
        &mut self,
        severity: Severity,
        start: usize,
        end: usize,
        message: String,
        expected: Option<&str>,
    ) {
        let (line, col, source_line) = self.position(start);
        let source_line = source_line.to_owned();
        let rest = source_line.chars().count().saturating_sub(col as usize - 1);
        let len = self
            .text
            .get(start..end.max(start))
            .map_or(1, |s| s.chars().count())
            .clamp(1, rest.max(1));
        self.diagnostics.push(Diagnostic {
            severity,
            message,
            file: self.file.to_owned(),
            line,
            col,
            len: u32::try_from(len).unwrap_or(1),
            source_line,
            expected: expected.map(str::to_owned),
            notes: Vec::new(),
        });
    }

    fn error_at(&mut self, start: usize, end: usize, message: &str, expected: Option<&str>) {
        self.push(Severity::Error, start, end, message.to_owned(), expected);
    }

    fn error(&mut self, node: &Node, message: impl Into<String>, expected: Option<&str>) {
        self.push(
            Severity::Error,
            node.start,
            node.end,
            message.into(),
            expected,
        );
    }

    fn syntax_error(&mut self, error: &serde_json::Error) {
        // serde_json counts lines from 1 and columns in bytes from 1 (0 at a line's start).
        let line = error.line().max(1);
        let start = self.lines.get(line - 1).copied().unwrap_or(self.text.len());
        let offset = (start + error.column().saturating_sub(1)).min(self.text.len());
        let offset = (0..=offset)
            .rev()
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(0);
        let message = error.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        let message = if message == "recursion limit exceeded" {
            // Perhaps valid JSON, but deeper than serde_json reads.
            format!(
                "JSON nested more than 128 levels deep, which serde_json does not read ({message})"
            )
        } else {
            format!("invalid JSON: {message}")
        };
        self.push(Severity::Error, offset, offset + 1, message, None);
    }

    /// A member that must be a string.
    fn string<'r>(&mut self, entry: &'r Node, key: &str) -> Option<(&'r str, &'r Node)> {
        match entry.get(key) {
            Some(node) => match node.as_str() {
                Some(s) => Some((s, node)),
                None => {
                    self.error(
                        node,
                        format!("`{key}` must be a string, not {}", node.describe()),
                        None,
                    );
                    None
                }
            },
            None => {
                self.error(
                    entry,
                    format!("missing the member `{key}`"),
                    Some(&format!("an object with a string member `{key}`")),
                );
                None
            }
        }
    }

    /// A member that must be an array of objects (`Some(&[])` when absent and optional).
    fn objects<'r>(&mut self, entry: &'r Node, key: &str, required: bool) -> Option<&'r [Node]> {
        let Some(node) = entry.get(key) else {
            if required {
                self.error(entry, format!("missing the member `{key}`"), None);
                return None;
            }
            return Some(&[]);
        };
        let Some(items) = node.as_array() else {
            self.error(
                node,
                format!("`{key}` must be an array, not {}", node.describe()),
                None,
            );
            return None;
        };
        let mut ok = true;
        for item in items {
            if !matches!(item.kind, Kind::Object(_)) {
                self.error(
                    item,
                    format!(
                        "an element of `{key}` must be an object, not {}",
                        item.describe()
                    ),
                    None,
                );
                ok = false;
            }
        }
        ok.then_some(items)
    }

    /// The `features` of an entry or member: an array of strings.
    fn features(&mut self, node: &Node) -> Vec<Feature> {
        let Some(list) = node.get("features") else {
            return Vec::new();
        };
        let Some(items) = list.as_array() else {
            self.error(list, "`features` must be an array of strings", None);
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item.as_str() {
                Some(name) => Some(Feature {
                    name: name.to_owned(),
                    span: self.span(item),
                    condition: None,
                    description: None,
                }),
                None => {
                    self.error(item, "a feature must be a string", None);
                    None
                }
            })
            .collect()
    }

    fn lower(&mut self, root: &Node) -> Spec {
        let mut spec = Spec {
            files: vec![SourceFile {
                path: self.file.to_owned(),
            }],
            title: None,
            events: Vec::new(),
            types: Vec::new(),
        };
        let entries = match (&root.kind, root.get("return"), root.get("error")) {
            (Kind::Array(items), _, _) => items.as_slice(),
            (Kind::Object(_), Some(ret), _) if ret.as_array().is_some() => {
                ret.as_array().unwrap_or_default()
            }
            (Kind::Object(_), _, Some(error)) => {
                let desc = error.get("desc").and_then(Node::as_str).unwrap_or("");
                self.error(error, format!("the reply is an error: {desc}"), None);
                return spec;
            }
            _ => {
                self.error(
                    root,
                    "not a query-qmp-schema reply",
                    Some("the array of SchemaInfo objects, or {\"return\": [...]}"),
                );
                return spec;
            }
        };
        let mut index: HashMap<&str, Entry<'_>> = HashMap::new();
        let mut order = Vec::new();
        for node in entries {
            if !matches!(node.kind, Kind::Object(_)) {
                self.error(
                    node,
                    format!("a schema entry must be an object, not {}", node.describe()),
                    None,
                );
                continue;
            }
            let (Some((name, name_node)), Some((meta, meta_node))) =
                (self.string(node, "name"), self.string(node, "meta-type"))
            else {
                continue;
            };
            let meta = match meta {
                "builtin" => match self.string(node, "json-type") {
                    Some((json_type, at)) => {
                        let builtin = builtin(json_type);
                        if builtin.is_none() && json_type != "array" {
                            self.error(
                                at,
                                format!("unknown json-type `{json_type}`"),
                                Some("string, number, int, boolean, null, object, array or value"),
                            );
                        }
                        Meta::Builtin(builtin)
                    }
                    None => continue,
                },
                "enum" => Meta::Enum,
                "array" => match self.string(node, "element-type") {
                    Some((_, element)) => Meta::Array(element),
                    None => continue,
                },
                "object" => Meta::Object,
                "alternate" => Meta::Alternate,
                "command" => Meta::Command,
                "event" => Meta::Event,
                other => {
                    self.push(
                        Severity::Warning,
                        meta_node.start,
                        meta_node.end,
                        format!("unknown meta-type `{other}`: entry `{name}` ignored"),
                        None,
                    );
                    Meta::Other
                }
            };
            if index.contains_key(name) {
                self.error(
                    name_node,
                    format!("`{name}` is defined twice"),
                    Some("a name no other entry has"),
                );
                continue;
            }
            index.insert(name, Entry { node, name, meta });
            order.push(name);
        }
        let lower = Lower { index: &index };
        for name in order {
            let Some(entry) = index.get(name) else {
                continue;
            };
            match entry.meta {
                Meta::Enum => {
                    if let Some(def) = lower.enum_def(self, entry) {
                        spec.types.push(def);
                    }
                }
                Meta::Object => {
                    if let Some(def) = lower.object_def(self, entry) {
                        spec.types.push(def);
                    }
                }
                Meta::Alternate => {
                    if let Some(def) = lower.alternate_def(self, entry) {
                        spec.types.push(def);
                    }
                }
                Meta::Event => {
                    if let Some(event) = lower.event(self, entry) {
                        spec.events.push(event);
                    }
                }
                Meta::Array(element) => {
                    // Checked here so that an unknown element type is reported once, even when
                    // no member uses the array.
                    let _ = lower.resolve(self, element, 0);
                }
                Meta::Builtin(_) | Meta::Command | Meta::Other => {}
            }
        }
        spec
    }
}

/// The built-in type of a `json-type` (`array` has none: it is an array of anything).
fn builtin(json_type: &str) -> Option<Builtin> {
    Some(match json_type {
        "string" => Builtin::Str,
        "number" => Builtin::Number,
        "int" => Builtin::Integer,
        "boolean" => Builtin::Bool,
        "null" => Builtin::Null,
        "value" => Builtin::Any,
        "object" => Builtin::Object,
        _ => return None,
    })
}

/// Arrays of arrays nest at most this deep (a cycle of arrays is an error).
const MAX_ARRAY_DEPTH: usize = 32;

struct Lower<'i, 'r> {
    index: &'i HashMap<&'r str, Entry<'r>>,
}

impl<'r> Lower<'_, 'r> {
    /// The type a type name (`int`, `"12"`, `"[12]"`) stands for; `at` holds the name.
    fn resolve(&self, cx: &mut Context<'_>, at: &Node, depth: usize) -> Option<TypeExpr> {
        let name = at.as_str()?;
        let Some(entry) = self.index.get(name) else {
            cx.error(at, format!("type `{name}` is not in the schema"), None);
            return None;
        };
        match entry.meta {
            Meta::Builtin(Some(builtin)) => Some(TypeExpr::builtin(builtin)),
            Meta::Builtin(None) => Some(TypeExpr::array(TypeExpr::builtin(Builtin::Any))),
            Meta::Array(element) => {
                if depth >= MAX_ARRAY_DEPTH {
                    cx.error(
                        at,
                        format!("array type `{name}` nests too deep (a cycle?)"),
                        None,
                    );
                    return None;
                }
                Some(TypeExpr::array(self.resolve(cx, element, depth + 1)?))
            }
            Meta::Enum | Meta::Object | Meta::Alternate => Some(TypeExpr::named(name)),
            Meta::Command | Meta::Event | Meta::Other => {
                cx.error(at, format!("`{name}` is not a type"), None);
                None
            }
        }
    }

    /// The name `at` holds, which must be an object type.
    fn object_name<'s>(&'s self, cx: &mut Context<'_>, at: &Node) -> Option<&'s Entry<'r>> {
        let name = at.as_str()?;
        match self.index.get(name) {
            Some(entry) if matches!(entry.meta, Meta::Object) => Some(entry),
            Some(_) => {
                cx.error(at, format!("`{name}` is not an object type"), None);
                None
            }
            None => {
                cx.error(at, format!("type `{name}` is not in the schema"), None);
                None
            }
        }
    }

    fn type_def(&self, cx: &mut Context<'_>, entry: &Entry<'_>, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: entry.name.to_owned(),
            span: cx.span(entry.node),
            kind,
            doc: qmp_ir::Doc::default(),
            condition: None,
            features: cx.features(entry.node),
        }
    }

    fn enum_def(&self, cx: &mut Context<'_>, entry: &Entry<'_>) -> Option<TypeDef> {
        let node = entry.node;
        let values = match node.get("members") {
            Some(_) => {
                let members = cx.objects(node, "members", true)?;
                let mut values = Vec::new();
                for member in members {
                    let (name, at) = cx.string(member, "name")?;
                    values.push(EnumValue {
                        name: name.to_owned(),
                        span: cx.span(at),
                        description: None,
                        condition: None,
                        features: cx.features(member),
                    });
                }
                values
            }
            None => {
                let Some(list) = node.get("values").and_then(Node::as_array) else {
                    cx.error(node, "an enum needs `values`, an array of strings", None);
                    return None;
                };
                let mut values = Vec::new();
                for item in list {
                    let Some(name) = item.as_str() else {
                        cx.error(item, "an enum value must be a string", None);
                        return None;
                    };
                    values.push(EnumValue {
                        name: name.to_owned(),
                        span: cx.span(item),
                        description: None,
                        condition: None,
                        features: Vec::new(),
                    });
                }
                values
            }
        };
        Some(self.type_def(
            cx,
            entry,
            TypeKind::Enum {
                values,
                prefix: None,
            },
        ))
    }

    fn members(&self, cx: &mut Context<'_>, node: &Node) -> Option<Vec<Member>> {
        let items = cx.objects(node, "members", true)?;
        let mut members = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut ok = true;
        for item in items {
            let (Some((name, name_at)), Some((_, ty_at))) =
                (cx.string(item, "name"), cx.string(item, "type"))
            else {
                ok = false;
                continue;
            };
            if let Some(&first) = seen.get(name) {
                let (line, col, _) = cx.position(first);
                cx.error(
                    name_at,
                    format!("duplicate member `{name}`, first defined at line {line}"),
                    Some("a name no other member of the object has"),
                );
                let note = format!("`{name}` is first defined at {}:{line}:{col}", cx.file);
                if let Some(error) = cx.diagnostics.last_mut() {
                    error.notes.push(note);
                }
                ok = false;
                continue;
            }
            seen.insert(name, name_at.start);
            let Some(ty) = self.resolve(cx, ty_at, 0) else {
                ok = false;
                continue;
            };
            members.push(Member {
                name: name.to_owned(),
                span: cx.span(name_at),
                ty,
                optional: item.get("default").is_some(),
                description: None,
                condition: None,
                features: cx.features(item),
                guess: None,
                refers_to: None,
            });
        }
        ok.then_some(members)
    }

    fn object_def(&self, cx: &mut Context<'_>, entry: &Entry<'_>) -> Option<TypeDef> {
        let node = entry.node;
        let members = self.members(cx, node)?;
        let kind = match (node.get("tag"), node.get("variants")) {
            (None, None) => TypeKind::Struct {
                base: None,
                members,
            },
            (Some(_), Some(_)) => {
                let (tag, tag_at) = cx.string(node, "tag")?;
                if !members.iter().any(|m| m.name == tag) {
                    cx.error(tag_at, format!("the tag `{tag}` is not a member"), None);
                    return None;
                }
                let mut branches = Vec::new();
                for variant in cx.objects(node, "variants", true)? {
                    let (Some((case, case_at)), Some((_, ty_at))) =
                        (cx.string(variant, "case"), cx.string(variant, "type"))
                    else {
                        return None;
                    };
                    let ty = self.object_name(cx, ty_at)?;
                    branches.push(Branch {
                        value: case.to_owned(),
                        span: cx.span(case_at),
                        ty: ty.name.to_owned(),
                        condition: None,
                    });
                }
                TypeKind::Union {
                    base: UnionBase::Members(members),
                    discriminator: tag.to_owned(),
                    branches,
                }
            }
            (Some(at), None) | (None, Some(at)) => {
                cx.error(at, "`tag` and `variants` go together", None);
                return None;
            }
        };
        Some(self.type_def(cx, entry, kind))
    }

    fn alternate_def(&self, cx: &mut Context<'_>, entry: &Entry<'_>) -> Option<TypeDef> {
        let mut branches = Vec::new();
        for item in cx.objects(entry.node, "members", true)? {
            let (name, at) = cx.string(item, "type")?;
            let ty = self.resolve(cx, at, 0)?;
            branches.push(AlternateBranch {
                name: name.to_owned(),
                span: cx.span(at),
                ty,
                description: None,
                condition: None,
            });
        }
        Some(self.type_def(cx, entry, TypeKind::Alternate { branches }))
    }

    fn event(&self, cx: &mut Context<'_>, entry: &Entry<'_>) -> Option<Event> {
        let (_, at) = cx.string(entry.node, "arg-type")?;
        let arg = self.object_name(cx, at)?;
        let node = arg.node;
        let data = if node.get("variants").is_some() {
            EventData::Type {
                ty: TypeExpr::named(arg.name),
                boxed: true,
            }
        } else {
            let members = self.members(cx, node)?;
            if members.is_empty() {
                EventData::None { span: None }
            } else {
                EventData::Members { members }
            }
        };
        Some(Event {
            name: entry.name.to_owned(),
            span: cx.span(entry.node.get("name").unwrap_or(entry.node)),
            data,
            doc: qmp_ir::Doc::default(),
            condition: None,
            features: cx.features(entry.node),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"return": [
  {"name": "SHUTDOWN", "meta-type": "event", "arg-type": "1"},
  {"name": "STOP", "meta-type": "event", "arg-type": "0"},
  {"name": "0", "meta-type": "object", "members": []},
  {"name": "1", "meta-type": "object", "members": [
    {"name": "guest", "type": "bool"},
    {"name": "reason", "type": "2", "default": null},
    {"name": "ids", "type": "[int]", "features": ["deprecated"]}]},
  {"name": "2", "meta-type": "enum", "values": ["a", "b"],
   "members": [{"name": "a"}, {"name": "b", "features": ["unstable"]}]},
  {"name": "[int]", "meta-type": "array", "element-type": "int"},
  {"name": "bool", "meta-type": "builtin", "json-type": "boolean"},
  {"name": "int", "meta-type": "builtin", "json-type": "int"},
  {"name": "U", "meta-type": "event", "arg-type": "3"},
  {"name": "3", "meta-type": "object", "members": [{"name": "k", "type": "2"}],
   "tag": "k", "variants": [{"case": "a", "type": "1"}, {"case": "b", "type": "0"}]},
  {"name": "4", "meta-type": "alternate", "members": [{"type": "int"}, {"type": "2"}]},
  {"name": "q", "meta-type": "command", "arg-type": "0", "ret-type": "0"}
]}"#;

    fn errors(text: &str) -> Vec<String> {
        match read("s.json", text) {
            Ok(read) => panic!("expected errors, got {:?}", read.spec.events),
            Err(d) => d
                .iter()
                .map(|d| format!("{}: {}", d.location(), d.message))
                .collect(),
        }
    }

    #[test]
    fn lowers_every_meta_type() {
        let read = read("s.json", SMALL).expect("reads");
        assert!(read.warnings.is_empty());
        let spec = read.spec;
        let names: Vec<_> = spec.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["SHUTDOWN", "STOP", "U"]);
        let EventData::Members { members } = &spec.events[0].data else {
            panic!("SHUTDOWN has members");
        };
        assert_eq!(members[0].ty, TypeExpr::builtin(Builtin::Bool));
        assert!(!members[0].optional && members[1].optional);
        assert_eq!(members[1].ty, TypeExpr::named("2"));
        assert_eq!(
            members[2].ty,
            TypeExpr::array(TypeExpr::builtin(Builtin::Integer)),
        );
        assert_eq!(members[2].features[0].name, "deprecated");
        assert_eq!((members[0].span.line, members[0].span.col), (6, 14));
        assert!(matches!(spec.events[1].data, EventData::None { .. }));
        assert!(matches!(
            spec.events[2].data,
            EventData::Type { boxed: true, .. }
        ));
        let Some(TypeDef {
            kind:
                TypeKind::Union {
                    discriminator,
                    branches,
                    ..
                },
            ..
        }) = spec.type_def("3")
        else {
            panic!("3 is a union");
        };
        assert_eq!(discriminator, "k");
        assert_eq!(branches.len(), 2);
        assert!(matches!(
            spec.type_def("4").map(|t| &t.kind),
            Some(TypeKind::Alternate { branches }) if branches.len() == 2
        ));
        let Some(TypeKind::Enum { values, .. }) = spec.type_def("2").map(|t| &t.kind) else {
            panic!("2 is an enum");
        };
        assert_eq!(values[1].features[0].name, "unstable");
    }

    #[test]
    fn bare_array_reads_too() {
        let bare = SMALL
            .trim_start_matches("{\"return\": ")
            .trim_end_matches('}');
        assert!(looks_like_introspection(bare));
        assert!(looks_like_introspection(SMALL));
        assert_eq!(read("s", bare).map(|r| r.spec.events.len()).ok(), Some(3));
        assert!(!looks_like_introspection("{ 'include': 'x.json' }"));
        assert!(!looks_like_introspection("# comment\n{ 'enum': 'E' }"));
        assert!(!looks_like_introspection("QMP events\n==="));
    }

    #[test]
    fn malformed_input_points_at_the_value() {
        assert_eq!(
            errors("[1,]")[0],
            "s.json:1:4: invalid JSON: trailing comma"
        );
        assert_eq!(
            errors("{\"return\": 5}")[0],
            "s.json:1:1: not a query-qmp-schema reply"
        );
        assert_eq!(
            errors("[\n  {\"name\": \"E\", \"meta-type\": \"event\", \"arg-type\": \"9\"}]"),
            ["s.json:2:51: type `9` is not in the schema"]
        );
        assert_eq!(
            errors("[{\"name\": 3, \"meta-type\": \"enum\"}]"),
            ["s.json:1:11: `name` must be a string, not a number"]
        );
        assert_eq!(
            errors(r#"[{"name": "a", "meta-type": "array", "element-type": "a"}]"#),
            ["s.json:1:54: array type `a` nests too deep (a cycle?)"]
        );
        assert_eq!(
            errors(
                r#"[{"name": "x", "meta-type": "enum", "values": []}, {"name": "x", "meta-type": "enum", "values": []}]"#
            ),
            ["s.json:1:61: `x` is defined twice"]
        );
        assert_eq!(
            errors(r#"{"error": {"desc": "no"}}"#)[0],
            "s.json:1:11: the reply is an error: no"
        );
    }

    #[test]
    fn columns_count_characters_on_long_lines() {
        let filler: Vec<String> = (0..400)
            .map(|i| format!(r#"{{"name": "é{i}", "meta-type": "enum", "values": ["ü"]}}"#))
            .collect();
        let text = format!(
            r#"[{}, {{"name": "E", "meta-type": "event", "arg-type": "nope"}}]"#,
            filler.join(", ")
        );
        let at = text.find("\"nope\"").unwrap_or_default();
        let col = text[..at].chars().count() + 1;
        assert_eq!(
            errors(&text),
            [format!("s.json:1:{col}: type `nope` is not in the schema")]
        );
    }

    #[test]
    fn duplicate_members_are_errors() {
        let text = r#"[{"name": "E", "meta-type": "event", "arg-type": "o"},
{"name": "o", "meta-type": "object", "members": [{"name": "a", "type": "int"},
  {"name": "a", "type": "str"}]},
{"name": "int", "meta-type": "builtin", "json-type": "int"},
{"name": "str", "meta-type": "builtin", "json-type": "string"}]"#;
        let diagnostics = read("s.json", text).err().unwrap_or_default();
        assert_eq!(
            diagnostics[0].to_string(),
            "\
error: duplicate member `a`, first defined at line 2
 --> s.json:3:12
  |
3 |   {\"name\": \"a\", \"type\": \"str\"}]},
  |            ^^^
  = expected: a name no other member of the object has
  = note: `a` is first defined at s.json:2:59"
        );
    }

    #[test]
    fn deep_nesting_and_invalid_utf8_are_errors_at_their_place() {
        let deep = format!("[{}{}]", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            errors(&deep),
            [
                "s.json:1:128: JSON nested more than 128 levels deep, which serde_json does not \
              read (recursion limit exceeded)"
            ]
        );
        let invalid = read_bytes("s.json", b"[\n {\"name\": \"\xc3\"}]")
            .err()
            .unwrap_or_default();
        assert_eq!(invalid[0].location(), "s.json:2:12");
        assert_eq!(
            invalid[0].message,
            "invalid UTF-8: byte 0xC3 is not part of a character"
        );
        // A byte-order mark is skipped.
        assert!(read("s.json", "\u{feff}[]").is_ok());
    }

    #[test]
    fn unknown_meta_types_are_warnings() {
        let read = read("s", r#"[{"name": "x", "meta-type": "frob"}]"#).expect("reads");
        assert_eq!(read.warnings.len(), 1);
        assert_eq!(read.warnings[0].severity, Severity::Warning);
    }

    #[test]
    fn no_panic_on_junk() {
        for text in [
            "",
            "[",
            "\u{feff}[]",
            "[[]]",
            "[{}]",
            "[{\"name\":\"é\",\"meta-type\":1}]",
            "\"x\"",
            "[\n\n",
        ] {
            let _ = read("s", text);
        }
    }
}
