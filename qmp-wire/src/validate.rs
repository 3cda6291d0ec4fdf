//! Checking a QMP message against a [`WireSpec`].
//!
//! The messages and their JSON form are those of `qmp-schema` (which checks against the legacy
//! document's tables), so that a tool can report both alike: `/data: missing required member
//! `x``, `/data/family: value "unix" is not one of ["ipv4", "ipv6"] (drift)`.

use crate::{Data, IntKind, Object, Shape, WireSpec};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;

/// One way a message differs from the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// JSON pointer to the offending place (`/data/client/family`); empty for the whole message.
    pub pointer: String,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ViolationKind,
}

impl Violation {
    /// Whether this is drift (a new event, member or value) rather than an error.
    pub fn is_drift(&self) -> bool {
        matches!(
            self.kind,
            ViolationKind::UnknownEvent { .. }
                | ViolationKind::UnknownField { .. }
                | ViolationKind::UnknownValue { .. }
        )
    }
}

/// The kinds of [`Violation`]; serialized as `{"kind": "unknown_field", "name": "x"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    /// A value of the wrong JSON type.
    WrongType {
        /// What the spec takes (`integer`, `one of string, integer`).
        expected: String,
        /// What the message has (`a string`).
        found: String,
    },
    /// A string outside the set of values (drift).
    UnknownValue {
        /// The value found.
        value: String,
        /// The values of the set.
        expected: Vec<String>,
    },
    /// `data` on an event that has none.
    UnexpectedData,
    /// No `data` on an event that has some.
    MissingData,
    /// `timestamp` is not `{"seconds": int, "microseconds": int}`.
    BadTimestamp,
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

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViolationKind::NotAnObject { found } => write!(f, "not a JSON object but {found}"),
            ViolationKind::MissingEvent => f.write_str("missing the string member `event`"),
            ViolationKind::UnknownEvent { name } => write!(f, "unknown event `{name}` (drift)"),
            ViolationKind::MissingField { name } => write!(f, "missing required member `{name}`"),
            ViolationKind::UnknownField { name } => write!(f, "unknown member `{name}` (drift)"),
            ViolationKind::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
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

/// What a JSON value is, for messages (`an integer`, `a string`).
fn describe(value: &Value) -> &'static str {
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

/// Checks one message (`{"event": ..., "data": ..., "timestamp": ...}`) and returns every
/// violation: of the envelope, then of `data` (members in name order, then unknown members in
/// message order).
pub fn validate(spec: &WireSpec, message: &Value) -> Vec<Violation> {
    let mut checker = Checker {
        spec,
        out: Vec::new(),
    };
    let Value::Object(members) = message else {
        checker.report(
            "",
            ViolationKind::NotAnObject {
                found: describe(message).to_owned(),
            },
        );
        return checker.out;
    };
    let name = members.get("event").and_then(Value::as_str);
    for (key, value) in members {
        match key.as_str() {
            "event" if value.is_string() => {}
            "data" if name.is_some() => {}
            "timestamp" => {
                if !is_timestamp(value) {
                    checker.report("/timestamp", ViolationKind::BadTimestamp);
                }
            }
            "event" => checker.report(
                "/event",
                ViolationKind::WrongType {
                    expected: "string".to_owned(),
                    found: describe(value).to_owned(),
                },
            ),
            _ => checker.report(
                "",
                ViolationKind::UnknownField {
                    name: key.to_owned(),
                },
            ),
        }
    }
    let Some(name) = name else {
        checker.report("", ViolationKind::MissingEvent);
        return checker.out;
    };
    let Some(event) = spec.event(name) else {
        checker.report(
            "",
            ViolationKind::UnknownEvent {
                name: name.to_owned(),
            },
        );
        return checker.out;
    };
    match (&event.data, members.get("data")) {
        (Data::Unspecified, _) | (Data::None, None) => {}
        // An empty object says "no data" too.
        (Data::None, Some(Value::Object(data))) if data.is_empty() => {}
        (Data::None, Some(_)) => checker.report("/data", ViolationKind::UnexpectedData),
        (Data::Value(_), None) => checker.report("", ViolationKind::MissingData),
        (Data::Value(shape), Some(data)) => checker.check(shape, data, "/data", 0),
    }
    checker.out
}

fn is_timestamp(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.len() == 2
            && o.get("seconds").is_some_and(Value::is_i64)
            && o.get("microseconds").is_some_and(Value::is_i64)
    })
}

/// Values nest at most this deep through recursive types (`serde_json` stops at 128 anyway).
const MAX_DEPTH: usize = 256;

struct Checker<'s> {
    spec: &'s WireSpec,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn report(&mut self, pointer: &str, kind: ViolationKind) {
        self.out.push(Violation {
            pointer: pointer.to_owned(),
            kind,
        });
    }

    fn wrong_type(&mut self, pointer: &str, expected: &str, value: &Value) {
        self.report(
            pointer,
            ViolationKind::WrongType {
                expected: expected.to_owned(),
                found: describe(value).to_owned(),
            },
        );
    }

    fn check(&mut self, shape: &Shape, value: &Value, pointer: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match shape {
            Shape::Any => {}
            Shape::Recursive(name) => {
                if let Some(shape) = self.spec.recursive.get(name) {
                    self.check(shape, value, pointer, depth + 1);
                }
            }
            Shape::Alternate(branches) => {
                match branches.iter().find(|b| takes_type(b, value, self.spec)) {
                    Some(branch) => self.check(branch, value, pointer, depth + 1),
                    None => {
                        let mut kinds: Vec<&str> = branches.iter().map(type_name).collect();
                        kinds.dedup();
                        self.wrong_type(pointer, &format!("one of {}", kinds.join(", ")), value);
                    }
                }
            }
            _ if !takes_type(shape, value, self.spec) => {
                self.wrong_type(pointer, type_name(shape), value)
            }
            Shape::Int(kind) => {
                let (min, max) = kind.range();
                let n = value
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| value.as_u64().map(i128::from));
                if n.is_some_and(|n| n < min || n > max) {
                    // `int` says what an integer is: that is enough to tell it is too large.
                    let found = match kind {
                        IntKind::Int => describe(value).to_owned(),
                        _ => format!("{value}, outside the range of {}", kind.name()),
                    };
                    self.report(
                        pointer,
                        ViolationKind::WrongType {
                            expected: "integer".to_owned(),
                            found,
                        },
                    );
                }
            }
            Shape::Enum(values) => {
                if let Some(s) = value.as_str() {
                    if !values.contains(s) {
                        self.report(
                            pointer,
                            ViolationKind::UnknownValue {
                                value: s.to_owned(),
                                expected: values.iter().cloned().collect(),
                            },
                        );
                    }
                }
            }
            Shape::Array(element) => {
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        self.check(element, item, &format!("{pointer}/{i}"), depth + 1);
                    }
                }
            }
            Shape::Object(object) => {
                if let Some(members) = value.as_object() {
                    let mut known = HashSet::new();
                    let certain = self.object(object, members, pointer, &mut known, depth);
                    if certain {
                        for key in members.keys() {
                            if !known.contains(key.as_str()) {
                                self.report(
                                    pointer,
                                    ViolationKind::UnknownField { name: key.clone() },
                                );
                            }
                        }
                    }
                }
            }
            Shape::AnyObject | Shape::Null | Shape::Bool | Shape::Number | Shape::Str => {}
        }
    }

    /// Checks the members of `object` (and of the case its discriminator picks), adding their
    /// names to `known`. Returns whether the members the message may have are all known (not
    /// when the discriminator's value is one the spec does not know).
    fn object<'o>(
        &mut self,
        object: &'o Object,
        members: &Map<String, Value>,
        pointer: &str,
        known: &mut HashSet<&'o str>,
        depth: usize,
    ) -> bool {
        for (name, member) in &object.members {
            known.insert(name.as_str());
            match members.get(name) {
                None if member.optional => {}
                None => self.report(pointer, ViolationKind::MissingField { name: name.clone() }),
                Some(value) => self.check(
                    &member.shape,
                    value,
                    &format!("{pointer}/{}", escape(name)),
                    depth + 1,
                ),
            }
        }
        let Some(variants) = &object.variants else {
            return true;
        };
        let Some(tag) = members.get(&variants.tag).and_then(Value::as_str) else {
            // Missing or mistyped: reported above; the branch is unknown.
            return false;
        };
        match variants.cases.get(tag) {
            Some(case) => self.object(case, members, pointer, known, depth + 1),
            // A value without members of its own, or one the spec does not know (reported as
            // drift by the discriminator's own check when its type is an enum).
            None => object
                .members
                .get(&variants.tag)
                .is_none_or(|m| !matches!(&m.shape, Shape::Enum(values) if !values.contains(tag))),
        }
    }
}

/// Whether `value` has the JSON type of `shape` (not looking inside).
fn takes_type(shape: &Shape, value: &Value, spec: &WireSpec) -> bool {
    match shape {
        Shape::Any => true,
        Shape::AnyObject | Shape::Object(_) => value.is_object(),
        Shape::Recursive(name) => spec.recursive.get(name).is_none_or(|_| value.is_object()),
        Shape::Null => value.is_null(),
        Shape::Bool => value.is_boolean(),
        Shape::Int(_) => value.is_i64() || value.is_u64(),
        Shape::Number => value.is_number(),
        Shape::Str | Shape::Enum(_) => value.is_string(),
        Shape::Array(_) => value.is_array(),
        Shape::Alternate(branches) => branches.iter().any(|b| takes_type(b, value, spec)),
    }
}

/// The JSON type a shape takes, in messages.
fn type_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::Any => "any value",
        Shape::Alternate(_) => "one of several types",
        other => other.json_kind(),
    }
}

/// One JSON pointer token, escaped as RFC 6901 says.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
