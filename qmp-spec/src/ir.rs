//! The intermediate representation: plain data describing a set of QMP events.
//!
//! The IR is what every front end produces (today the legacy `qmp-events.txt` document, later the
//! QAPI schema) and what the code generator consumes. It carries no trace of the legacy text's
//! layout: headings, underlines, bullets and indentation are gone; what is left is events, their
//! prose, their data fields and their examples, each with the [`Span`] it came from.

use serde::Serialize;

/// A position range in a source document, 1-based lines and columns (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    /// Line of the first character.
    pub line: u32,
    /// Column of the first character.
    pub col: u32,
    /// Line of the last character (inclusive).
    pub end_line: u32,
    /// Column just past the last character.
    pub end_col: u32,
}

/// A whole events document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// The document's title, if it has one (`QEMU Machine Protocol Events`).
    pub title: Option<String>,
    /// The events, in document order. A heading naming several events yields one entry each.
    pub events: Vec<Event>,
}

/// One QMP event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The wire name, as in the `event` member of a message (`BALLOON_CHANGE`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Prose paragraphs describing the event, each joined into one line of text.
    pub description: Vec<String>,
    /// `Note:` paragraphs (without the `Note:` prefix) and other remarks such as rate limits.
    pub notes: Vec<String>,
    /// What the `data` member holds.
    pub data: Data,
    /// The examples given for this event, in document order.
    pub examples: Vec<Example>,
}

/// The shape of an event's `data` member.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Data {
    /// The document says nothing about data.
    Unspecified,
    /// The document says the event has no data (`Data: None.`); QEMU then omits `data`.
    None {
        /// Where `None` is written.
        span: Span,
    },
    /// `data` is an object with these members.
    Fields {
        /// The members, in document order.
        fields: Vec<Field>,
    },
    /// `data` is a named type described elsewhere (`ACPIOSTInfo type as described in ...`).
    Named {
        /// The referenced type.
        reference: TypeRef,
    },
}

/// A member of an object: an event's data field or a nested member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The wire name (`sector-num`).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// The JSON type, if the document states one.
    pub ty: Option<JsonType>,
    /// Whether the member may be absent.
    pub optional: bool,
    /// The member's prose, continuation lines joined with single spaces.
    pub description: String,
    /// Members of a `json-object`, in document order (empty otherwise).
    pub members: Vec<Field>,
    /// The values the document allows, if it lists them.
    pub values: Option<ValueSet>,
    /// A named type the document refers to for this member's value or its possible values.
    pub reference: Option<TypeRef>,
}

/// A JSON type as the document names it (`json-string`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// `json-string`
    String,
    /// `json-int`
    Int,
    /// `json-number`
    Number,
    /// `json-bool`
    Bool,
    /// `json-object`
    Object,
    /// `json-array`
    Array,
}

impl JsonType {
    /// The name used in the document (`json-string`).
    pub fn doc_name(self) -> &'static str {
        match self {
            JsonType::String => "json-string",
            JsonType::Int => "json-int",
            JsonType::Number => "json-number",
            JsonType::Bool => "json-bool",
            JsonType::Object => "json-object",
            JsonType::Array => "json-array",
        }
    }
}

/// A set of string values a member may take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSet {
    /// Whether the document lists alternatives or states a single constant.
    pub kind: ValueSetKind,
    /// The values, in document order, without duplicates.
    pub values: Vec<Value>,
    /// Where the set is written.
    pub span: Span,
}

/// How a [`ValueSet`] was stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSetKind {
    /// Alternatives: `"ipv4" or "ipv6"`, a bulleted list, `"stream" for ... "commit" for ...`.
    OneOf,
    /// A value the document says is currently the only one (`currently always "pause"`).
    Constant,
}

/// One allowed value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// The value as it appears on the wire (`ipv4`).
    pub name: String,
    /// What the document says about it, if anything (`error has been ignored`).
    pub description: Option<String>,
}

/// A reference to a type described in another document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeRef {
    /// The type's name (`ACPIOSTInfo`).
    pub name: String,
    /// The document it is said to be described in (`qapi-schema.json`), if named.
    pub source: Option<String>,
    /// Where the name is written.
    pub span: Span,
}

/// An example message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// The caption written before it (`Read operation:`), if any.
    pub caption: Option<String>,
    /// Where the example's text is.
    pub span: Span,
    /// The example's text exactly as written.
    pub text: String,
    /// The parsed JSON, or why it is not valid JSON.
    pub json: ExampleJson,
}

/// The result of reading an example's text as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExampleJson {
    /// The text is one valid JSON value.
    Valid {
        /// The value.
        value: serde_json::Value,
    },
    /// The text is not valid JSON; the document's author made a mistake.
    Invalid {
        /// What the JSON parser reported.
        error: String,
        /// Where in the document the JSON parser stopped.
        at: Span,
    },
}

impl Example {
    /// The parsed value, if the example is valid JSON.
    pub fn value(&self) -> Option<&serde_json::Value> {
        match &self.json {
            ExampleJson::Valid { value } => Some(value),
            ExampleJson::Invalid { .. } => None,
        }
    }
}
