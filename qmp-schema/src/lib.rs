//! The words of QMP message validation: a [`Violation`] (a JSON pointer and a [`ViolationKind`]),
//! how a JSON value is described in one, and the checks of the message envelope.
//!
//! `qmp-events` reports its violations with these types: the generated types check themselves
//! (each derives `Check` and `Drift`), so there is no table to interpret. `qmp-wire` checks a
//! message against a spec read at run time and words its violations the same way.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::fmt;

/// A JSON type as the validators check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// A string.
    String,
    /// An integer that fits in `i64`.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
    /// Anything (the document gives no type and no example shows one).
    Any,
}

impl JsonKind {
    /// Whether `value` is of this kind.
    pub fn matches(self, value: &Value) -> bool {
        match self {
            JsonKind::String => value.is_string(),
            JsonKind::Integer => value.is_i64(),
            JsonKind::Number => value.is_number(),
            JsonKind::Boolean => value.is_boolean(),
            JsonKind::Object => value.is_object(),
            JsonKind::Array => value.is_array(),
            JsonKind::Any => true,
        }
    }

    /// The kind's name in violation messages.
    pub fn name(self) -> &'static str {
        match self {
            JsonKind::String => "string",
            JsonKind::Integer => "integer",
            JsonKind::Number => "number",
            JsonKind::Boolean => "boolean",
            JsonKind::Object => "object",
            JsonKind::Array => "array",
            JsonKind::Any => "any value",
        }
    }
}

/// Describes what a JSON value is, for violation messages (`an integer above i64::MAX`).
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() => "an integer",
        Value::Number(n) if n.is_u64() => "an integer above i64::MAX",
        Value::Number(_) => "a fractional number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One way a message differs from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the offending place (`/data/server/family`); empty for the whole message.
    pub pointer: String,
    /// What is wrong.
    pub kind: ViolationKind,
}

impl Violation {
    /// Whether this is drift (QEMU moved on: a new event, member or value) rather than an error.
    pub fn is_drift(&self) -> bool {
        self.kind.is_drift()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.kind)
    }
}

/// The kinds of [`Violation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViolationKind {
    /// The message is not a JSON object.
    NotAnObject {
        /// What it is instead.
        found: String,
    },
    /// The message has no `event` member.
    MissingEvent,
    /// The event is not in the spec (drift).
    UnknownEvent {
        /// The event's name.
        name: String,
    },
    /// A member the spec requires is absent.
    MissingField {
        /// The member's name.
        name: String,
    },
    /// A member the spec does not describe (drift).
    UnknownField {
        /// The member's name.
        name: String,
    },
    /// A member of the wrong JSON type.
    WrongType {
        /// The type the spec gives.
        expected: JsonKind,
        /// What the message has.
        found: String,
    },
    /// A string outside the documented set of values (drift).
    UnknownValue {
        /// The value found.
        value: String,
        /// The documented values.
        expected: Vec<String>,
    },
    /// `data` on an event the spec gives no data.
    UnexpectedData,
    /// No `data` on an event whose data the spec describes.
    MissingData,
    /// `timestamp` is not `{"seconds": int, "microseconds": int}`.
    BadTimestamp,
}

impl ViolationKind {
    /// Whether this is drift (a new event, member or value) rather than an error.
    pub fn is_drift(&self) -> bool {
        matches!(
            self,
            ViolationKind::UnknownEvent { .. }
                | ViolationKind::UnknownField { .. }
                | ViolationKind::UnknownValue { .. }
        )
    }
}

// Serialization is written by hand so that building the generated crate needs no derive macros
// (serde_derive and syn dominate a clean build otherwise).

/// As its snake_case name (`"string"`, `"integer"`, ..., `"any"`).
impl Serialize for JsonKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            JsonKind::Any => "any",
            other => other.name(),
        })
    }
}

/// As `{"pointer": "/data", "kind": "unknown_field", "name": "x"}`: the kind's members inline.
impl Serialize for Violation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("pointer", &self.pointer)?;
        self.kind.serialize_members(&mut map)?;
        map.end()
    }
}

/// As `{"kind": "unknown_field", "name": "x"}`.
impl Serialize for ViolationKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        self.serialize_members(&mut map)?;
        map.end()
    }
}

impl ViolationKind {
    /// The kind's snake_case name (`unknown_field`).
    pub fn name(&self) -> &'static str {
        match self {
            ViolationKind::NotAnObject { .. } => "not_an_object",
            ViolationKind::MissingEvent => "missing_event",
            ViolationKind::UnknownEvent { .. } => "unknown_event",
            ViolationKind::MissingField { .. } => "missing_field",
            ViolationKind::UnknownField { .. } => "unknown_field",
            ViolationKind::WrongType { .. } => "wrong_type",
            ViolationKind::UnknownValue { .. } => "unknown_value",
            ViolationKind::UnexpectedData => "unexpected_data",
            ViolationKind::MissingData => "missing_data",
            ViolationKind::BadTimestamp => "bad_timestamp",
        }
    }

    fn serialize_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry("kind", self.name())?;
        match self {
            ViolationKind::NotAnObject { found } => map.serialize_entry("found", found),
            ViolationKind::UnknownEvent { name }
            | ViolationKind::MissingField { name }
            | ViolationKind::UnknownField { name } => map.serialize_entry("name", name),
            ViolationKind::WrongType { expected, found } => {
                map.serialize_entry("expected", expected)?;
                map.serialize_entry("found", found)
            }
            ViolationKind::UnknownValue { value, expected } => {
                map.serialize_entry("value", value)?;
                map.serialize_entry("expected", expected)
            }
            ViolationKind::MissingEvent
            | ViolationKind::UnexpectedData
            | ViolationKind::MissingData
            | ViolationKind::BadTimestamp => Ok(()),
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViolationKind::NotAnObject { found } => write!(f, "not a JSON object but {found}"),
            ViolationKind::MissingEvent => f.write_str("missing the string member `event`"),
            ViolationKind::UnknownEvent { name } => write!(f, "unknown event `{name}` (drift)"),
            ViolationKind::MissingField { name } => write!(f, "missing required member `{name}`"),
            ViolationKind::UnknownField { name } => write!(f, "unknown member `{name}` (drift)"),
            ViolationKind::WrongType { expected, found } => {
                write!(f, "expected {}, found {found}", expected.name())
            }
            ViolationKind::UnknownValue { value, expected } => {
                write!(f, "value {value:?} is not one of {expected:?} (drift)")
            }
            ViolationKind::UnexpectedData => {
                f.write_str("unexpected `data`: the spec says this event has none")
            }
            ViolationKind::MissingData => f.write_str("missing `data`"),
            ViolationKind::BadTimestamp => {
                f.write_str("`timestamp` is not {\"seconds\": integer, \"microseconds\": integer}")
            }
        }
    }
}

/// A JSON pointer under construction, built only when a violation is reported.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: &'a str,
}

impl<'a> Path<'a> {
    /// The whole message.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: "",
    };

    /// The member `key` of the value at this path.
    pub fn join(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: key,
        }
    }

    /// The JSON pointer (RFC 6901: `~` and `/` escaped).
    pub fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            if path.parent.is_some() {
                segments.push(path.segment);
            }
            at = path.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            out.push('/');
            out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        out
    }

    /// Records a violation at this path.
    pub fn report(&self, out: &mut Vec<Violation>, kind: ViolationKind) {
        out.push(Violation {
            pointer: self.pointer(),
            kind,
        });
    }
}

/// Whether `value` is a timestamp: exactly `{"seconds": integer, "microseconds": integer}`.
pub fn is_timestamp(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.len() == 2
            && o.get("seconds").is_some_and(Value::is_i64)
            && o.get("microseconds").is_some_and(Value::is_i64)
    })
}

/// Checks a top-level member other than a string `event`, and `data` of a named event: a
/// malformed `timestamp`, an `event` that is not a string, anything else unknown. Shared by the
/// interpreter and the typed walk so that they report the same thing.
pub fn check_envelope_member(key: &str, value: &Value, out: &mut Vec<Violation>) {
    let root = Path::ROOT;
    match key {
        "timestamp" => {
            if !is_timestamp(value) {
                root.join("timestamp")
                    .report(out, ViolationKind::BadTimestamp);
            }
        }
        "event" => root.join("event").report(
            out,
            ViolationKind::WrongType {
                expected: JsonKind::String,
                found: describe(value).to_owned(),
            },
        ),
        _ => root.report(
            out,
            ViolationKind::UnknownField {
                name: key.to_owned(),
            },
        ),
    }
}

/// Reports a string outside a non-empty documented set.
pub fn check_value<V: AsRef<str>>(
    values: &[V],
    value: &str,
    path: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    if !values.is_empty() && !values.iter().any(|v| v.as_ref() == value) {
        path.report(
            out,
            ViolationKind::UnknownValue {
                value: value.to_owned(),
                expected: values.iter().map(|v| v.as_ref().to_owned()).collect(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_serialize_with_their_kind_inline() {
        let v = Violation {
            pointer: "/data/family".into(),
            kind: ViolationKind::UnknownValue {
                value: "unix".into(),
                expected: vec!["ipv4".into(), "ipv6".into()],
            },
        };
        assert_eq!(
            serde_json::to_string(&v).expect("serializes"),
            r#"{"pointer":"/data/family","kind":"unknown_value","value":"unix","expected":["ipv4","ipv6"]}"#
        );
        let w = ViolationKind::WrongType {
            expected: JsonKind::Any,
            found: "null".into(),
        };
        assert_eq!(
            serde_json::to_string(&w).expect("serializes"),
            r#"{"kind":"wrong_type","expected":"any","found":"null"}"#
        );
        assert_eq!(
            serde_json::to_string(&ViolationKind::MissingData).expect("serializes"),
            r#"{"kind":"missing_data"}"#
        );
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let root = Path::ROOT;
        let data = root.join("data");
        let odd = data.join("a/b~c");
        assert_eq!(odd.pointer(), "/data/a~1b~0c");
        assert_eq!(root.pointer(), "");
    }
}
