//! The intermediate representation of a set of QMP events: plain data, with spans.
//!
//! ```text
//! legacy document --qmp-spec--------+
//! QAPI schema ----qmp-qapi-----------+--> qmp_ir::Spec --qmp-codegen--> Rust
//! query-qmp-schema --qmp-introspect--+                 --qmp-wire-----> diff, validation
//! ```
//!
//! Every front end produces a [`Spec`]; the code generator consumes one and never learns which
//! front end spoke. The IR knows nothing of Rust, and nothing of the text it came from beyond
//! [`Span`]s into a table of [`SourceFile`]s.
//!
//! What it holds:
//! - [`Event`]s, each with its [`EventData`]: none, members, or a named type;
//! - named [`TypeDef`]s: structs (with an optional base), enums, discriminated unions and
//!   alternates, in the order the schema defines them;
//! - one [`TypeExpr`] per member: a [`Builtin`], a named type, an array of a type, or what only
//!   the legacy document needs (an inline object, an inline value set, a type it only names);
//! - [`Condition`]s as a tree and [`Feature`]s as an open set of names;
//! - [`Doc`]s as structured data, with [`Example`]s as transcripts.
//!
//! Where a front end had to guess (the legacy document's `json-number` typed from its examples),
//! the guess is recorded here ([`Member::guess`]), so that nothing downstream guesses again.

pub mod diagnostic;

pub use diagnostic::{Diagnostic, InvalidUtf8, Severity, decode_utf8, read_text};

use serde::Serialize;

/// Index of a file in [`Spec::files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// A source file a spec was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The path as diagnostics show it (as given for the main file; includes relative to it).
    pub path: String,
}

/// A position range in a source file: 1-based lines and columns (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    /// The file, an index into [`Spec::files`].
    pub file: FileId,
    /// Line of the first character.
    pub line: u32,
    /// Column of the first character.
    pub col: u32,
    /// Line of the last character (inclusive).
    pub end_line: u32,
    /// Column just past the last character.
    pub end_col: u32,
}

/// A whole spec: every event one document or schema describes, and the types they use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// The files read, the main one first; [`Span::file`] indexes this table.
    pub files: Vec<SourceFile>,
    /// The document's title, if it has one (`QEMU Machine Protocol Events`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The events, in document order.
    pub events: Vec<Event>,
    /// The named types, in definition order; [`TypeExpr::Named`] refers to them by name.
    pub types: Vec<TypeDef>,
}

impl Spec {
    /// The named type called `name`, if the spec defines one.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The event called `name` (its wire name), if the spec has one.
    pub fn event(&self, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.name == name)
    }

    /// The path of the file a span points into.
    pub fn file_path(&self, file: FileId) -> Option<&str> {
        self.files.get(file.0 as usize).map(|f| f.path.as_str())
    }
}

/// One QMP event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The wire name, as in the `event` member of a message (`BALLOON_CHANGE`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// What the `data` member holds.
    pub data: EventData,
    /// The event's documentation.
    pub doc: Doc,
    /// The build options under which QEMU has this event; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Its features (`deprecated`, `unstable`, or any other name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
}

/// The shape of an event's `data` member.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventData {
    /// The spec says nothing about data (only the legacy document can).
    Unspecified,
    /// The event has no data; QEMU then omits `data`.
    None {
        /// Where the spec says so, if it says so in words (`Data: None.`).
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
    /// `data` is an object with these members.
    Members {
        /// The members, in spec order.
        members: Vec<Member>,
    },
    /// `data` is a value of a type defined elsewhere: a [`TypeExpr::Named`] struct or union, or
    /// a type the legacy document only names ([`TypeExpr::Opaque`]).
    Type {
        /// The type.
        ty: TypeExpr,
        /// QAPI's `'boxed': true`: the type is the whole of `data` rather than its members
        /// spread into it (the wire is the same; generated C differs).
        boxed: bool,
    },
}

/// A member of an object: an event's data member, a struct's member, a union's base member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The wire name (`sector-num`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Its type.
    pub ty: TypeExpr,
    /// Whether the member may be absent.
    pub optional: bool,
    /// What the documentation says about the member, paragraphs joined by blank lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The build options under which the member exists; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Its features.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// How the front end chose [`Member::ty`] where the spec did not state it exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guess: Option<Guess>,
    /// A type the documentation refers to for the member's values without describing it
    /// (legacy document: `See MigrationStatus in qapi-schema.json for possible values`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<TypeRef>,
}

/// A type the front end inferred rather than read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guess {
    /// The JSON type the spec states, if any (`json-number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stated: Option<JsonType>,
    /// What the guess rests on (`every example is an integer`).
    pub evidence: String,
}

/// The type of a member, an array element or an alternate's branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeExpr {
    /// A built-in type.
    Builtin {
        /// Which one.
        builtin: Builtin,
    },
    /// A type in [`Spec::types`].
    Named {
        /// Its name.
        name: String,
    },
    /// A JSON array of a type.
    Array {
        /// The element type.
        element: Box<TypeExpr>,
    },
    /// An object described in place (legacy document: a `json-object` with its members listed).
    Object {
        /// The members, in spec order.
        members: Vec<Member>,
    },
    /// A string from a set of values described in place (legacy document: `"ipv4" or "ipv6"`).
    Values {
        /// The values.
        set: ValueSet,
    },
    /// A type the spec names but does not describe (legacy document: `ACPIOSTInfo type as
    /// described in qapi-schema.json`).
    Opaque {
        /// The reference as written.
        reference: TypeRef,
    },
}

impl TypeExpr {
    /// A built-in type.
    pub fn builtin(builtin: Builtin) -> Self {
        TypeExpr::Builtin { builtin }
    }

    /// A named type.
    pub fn named(name: impl Into<String>) -> Self {
        TypeExpr::Named { name: name.into() }
    }

    /// An array of `element`.
    pub fn array(element: TypeExpr) -> Self {
        TypeExpr::Array {
            element: Box::new(element),
        }
    }
}

/// A built-in type: QAPI's, plus the untyped object of the legacy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// `str`: a JSON string.
    Str,
    /// `int`: a JSON integer in the range of a signed 64-bit integer.
    Int,
    /// `int8`
    Int8,
    /// `int16`
    Int16,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `uint8`
    Uint8,
    /// `uint16`
    Uint16,
    /// `uint32`
    Uint32,
    /// `uint64`
    Uint64,
    /// `size`: an unsigned 64-bit byte count.
    Size,
    /// A JSON integer of any width: what a `query-qmp-schema` reply says for every integer
    /// type (its `int` masks the width), so anything from `i64::MIN` to `u64::MAX`.
    Integer,
    /// `number`: any JSON number.
    Number,
    /// `bool`
    Bool,
    /// `null`: the JSON `null`.
    Null,
    /// `any`: any JSON value.
    Any,
    /// `QType`: QAPI's built-in enum of JSON types (`none`, `qnull`, `qnum`, ...).
    Qtype,
    /// Any JSON object, its members undescribed (legacy document: a bare `json-object`).
    Object,
}

impl Builtin {
    /// The QAPI name (`str`, `uint64`), or `json-object` for [`Builtin::Object`].
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Str => "str",
            Builtin::Int => "int",
            Builtin::Int8 => "int8",
            Builtin::Int16 => "int16",
            Builtin::Int32 => "int32",
            Builtin::Int64 => "int64",
            Builtin::Uint8 => "uint8",
            Builtin::Uint16 => "uint16",
            Builtin::Uint32 => "uint32",
            Builtin::Uint64 => "uint64",
            Builtin::Size => "size",
            Builtin::Integer => "integer",
            Builtin::Number => "number",
            Builtin::Bool => "bool",
            Builtin::Null => "null",
            Builtin::Any => "any",
            Builtin::Qtype => "QType",
            Builtin::Object => "json-object",
        }
    }

    /// The built-in type a QAPI schema calls `name`.
    pub fn from_qapi_name(name: &str) -> Option<Self> {
        Some(match name {
            "str" => Builtin::Str,
            "int" => Builtin::Int,
            "int8" => Builtin::Int8,
            "int16" => Builtin::Int16,
            "int32" => Builtin::Int32,
            "int64" => Builtin::Int64,
            "uint8" => Builtin::Uint8,
            "uint16" => Builtin::Uint16,
            "uint32" => Builtin::Uint32,
            "uint64" => Builtin::Uint64,
            "size" => Builtin::Size,
            "number" => Builtin::Number,
            "bool" => Builtin::Bool,
            "null" => Builtin::Null,
            "any" => Builtin::Any,
            "QType" => Builtin::Qtype,
            _ => return None,
        })
    }

    /// The JSON type of its values, if it has one (`any` has none).
    pub fn json_type(self) -> Option<JsonType> {
        Some(match self {
            Builtin::Str | Builtin::Qtype => JsonType::String,
            Builtin::Int
            | Builtin::Int8
            | Builtin::Int16
            | Builtin::Int32
            | Builtin::Int64
            | Builtin::Uint8
            | Builtin::Uint16
            | Builtin::Uint32
            | Builtin::Uint64
            | Builtin::Size
            | Builtin::Integer => JsonType::Int,
            Builtin::Number => JsonType::Number,
            Builtin::Bool => JsonType::Bool,
            Builtin::Null => JsonType::Null,
            Builtin::Object => JsonType::Object,
            Builtin::Any => return None,
        })
    }
}

/// A JSON type (`json-string`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// A string.
    String,
    /// An integer.
    Int,
    /// Any number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl JsonType {
    /// The name the legacy document uses (`json-string`).
    pub fn doc_name(self) -> &'static str {
        match self {
            JsonType::String => "json-string",
            JsonType::Int => "json-int",
            JsonType::Number => "json-number",
            JsonType::Bool => "json-bool",
            JsonType::Null => "json-null",
            JsonType::Object => "json-object",
            JsonType::Array => "json-array",
        }
    }
}

/// A set of string values a member may take, described in place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSet {
    /// Whether the spec lists alternatives or states a single constant.
    pub kind: ValueSetKind,
    /// The values, in spec order, without duplicates.
    pub values: Vec<EnumValue>,
    /// Where the set is written.
    pub span: Span,
}

/// How a [`ValueSet`] was stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSetKind {
    /// Alternatives: `"ipv4" or "ipv6"`, a bulleted list, an enum's values.
    OneOf,
    /// A value the document says is currently the only one (`currently always "pause"`).
    Constant,
}

/// A reference to a type the spec names but does not describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeRef {
    /// The type's name (`ACPIOSTInfo`).
    pub name: String,
    /// The document it is said to be described in (`qapi-schema.json`), if named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the name is written.
    pub span: Span,
}

/// A build condition: QAPI's `'if'`, nested to any depth.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The build option holds (`CONFIG_SPICE`).
    Name(String),
    /// Every one of these holds.
    All(Vec<Condition>),
    /// At least one of these holds.
    Any(Vec<Condition>),
    /// This does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// Whether the condition holds when exactly the build options that `holds` accepts are set.
    pub fn eval(&self, holds: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Condition::Name(name) => holds(name),
            Condition::All(all) => all.iter().all(|c| c.eval(holds)),
            Condition::Any(any) => any.iter().any(|c| c.eval(holds)),
            Condition::Not(not) => !not.eval(holds),
        }
    }
}

/// A feature of a definition, member or enum value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    /// Its name; `deprecated` and `unstable` have meanings QMP defines, others are the schema's.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// The build options under which it applies; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// What the documentation says about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A named type definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// The schema's name (`ACPIOSTInfo`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// What kind of type it is, with its members, values or branches.
    #[serde(flatten)]
    pub kind: TypeKind,
    /// Its documentation.
    pub doc: Doc,
    /// The build options under which it exists; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Its features.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
}

/// The kinds of named types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "meta", rename_all = "snake_case")]
pub enum TypeKind {
    /// A JSON object with fixed members.
    Struct {
        /// The struct whose members come first, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        base: Option<String>,
        /// Its own members, in schema order.
        members: Vec<Member>,
    },
    /// A string from a fixed set.
    Enum {
        /// The values, in schema order.
        values: Vec<EnumValue>,
        /// QAPI's `'prefix'` for the generated C names (no effect on the wire).
        #[serde(skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    /// An object whose members depend on the value of one of its common members.
    Union {
        /// The common members.
        base: UnionBase,
        /// The common member (of an enum type) whose value picks the branch.
        discriminator: String,
        /// The branches, by discriminator value; values without a branch add no members.
        branches: Vec<Branch>,
    },
    /// A value of one of several types, told apart by its JSON type.
    Alternate {
        /// The alternatives.
        branches: Vec<AlternateBranch>,
    },
}

/// The common members of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnionBase {
    /// A named struct.
    Named(String),
    /// Members written in place.
    Members(Vec<Member>),
}

/// A value of an enum or value set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumValue {
    /// The value as it appears on the wire (`ipv4`).
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// What the documentation says about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The build options under which it exists; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Its features.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
}

/// A branch of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// The discriminator value that selects it.
    pub value: String,
    /// Where the value is written.
    pub span: Span,
    /// The struct whose members the branch adds.
    pub ty: String,
    /// The build options under which it exists; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

/// A branch of an alternate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlternateBranch {
    /// The branch's name (used in generated code and docs, not on the wire).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// The branch's type.
    pub ty: TypeExpr,
    /// What the documentation says about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The build options under which it exists; `None`: always.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

/// Documentation of an event or type, as structured data.
///
/// Member, value, branch and feature texts are kept with what they describe
/// ([`Member::description`], [`Feature::description`], ...), not here.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Doc {
    /// The first paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The paragraphs after the summary, in order, each as written (rST for a QAPI schema,
    /// lines joined with single spaces for the legacy document).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<String>,
    /// Notes: `.. note::` blocks, `Note:` sections and remarks such as rate limits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `Since: ...`, as written (`0.13`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Examples, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// Where the doc comment is, if the definition has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Doc {
    /// The summary and body paragraphs, in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.summary
            .iter()
            .chain(self.body.iter())
            .map(String::as_str)
    }
}

/// An example: a transcript of messages, possibly with elisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// The caption written before it (`Read operation:`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Where the example's text is.
    pub span: Span,
    /// The example's text exactly as written.
    pub text: String,
    /// The messages and elisions, in order.
    pub items: Vec<ExampleItem>,
}

impl Example {
    /// The messages the server sends, parsed, in order: the items marked `<-`, and those without
    /// a direction (the legacy document shows only what QEMU sends).
    pub fn server_messages(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.items.iter().filter_map(|item| match item {
            ExampleItem::Message {
                direction: Some(Direction::FromServer) | None,
                json: ExampleJson::Valid { value },
                ..
            } => Some(value),
            _ => None,
        })
    }
}

/// One item of an [`Example`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum ExampleItem {
    /// A message.
    Message {
        /// `->` (client to server) or `<-` (server to client); `None` where not marked.
        #[serde(skip_serializing_if = "Option::is_none")]
        direction: Option<Direction>,
        /// Where its text is.
        span: Span,
        /// Its text exactly as written (without the direction marker).
        text: String,
        /// The parsed JSON, or why it is not JSON.
        json: ExampleJson,
    },
    /// `...`: messages left out.
    Elision {
        /// Where it is.
        span: Span,
    },
    /// A line of prose between messages.
    Text {
        /// The text.
        text: String,
    },
}

/// Who sends an example message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `->`: the client sends it.
    ToServer,
    /// `<-`: QEMU sends it.
    FromServer,
}

/// The result of reading an example message's text as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExampleJson {
    /// The text is one valid JSON value.
    Valid {
        /// The value.
        value: serde_json::Value,
    },
    /// The text is not valid JSON: the author made a mistake, or elided part of it.
    Invalid {
        /// Why (what the JSON parser reported).
        error: String,
        /// Where the JSON parser stopped.
        at: Span,
    },
}

impl ExampleJson {
    /// The parsed value, if the text is valid JSON.
    pub fn value(&self) -> Option<&serde_json::Value> {
        match self {
            ExampleJson::Valid { value } => Some(value),
            ExampleJson::Invalid { .. } => None,
        }
    }
}
