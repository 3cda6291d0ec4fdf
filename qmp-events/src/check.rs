//! Validation of raw JSON against the generated types, without decoding it: what
//! [`Event::validate`](crate::Event::validate) and a mismatched event's violations are built from.
//!
//! Each generated type implements [`Check`] (the derives write it from the same declaration as
//! the decoder), so a named type is checked by its one impl wherever it is used, recursion
//! included. Each violation is reported as [`Drift`](crate::Drift) reports it on a decoded value,
//! in the same order, so that both readings of a message give the same list.

use crate::message::EventSet;
use qmp_schema::{JsonKind, Path, Violation, ViolationKind, check_envelope_member, describe};
use serde_json::{Map, Number, Value};

/// Checks a JSON value against a type. Implemented by the generated types and the builtins.
pub trait Check {
    /// Appends how `value`, found at `path`, differs from this type.
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>);
}

fn wrong_type(expected: JsonKind, found: String, path: &Path<'_>, out: &mut Vec<Violation>) {
    path.report(out, ViolationKind::WrongType { expected, found });
}

impl Check for String {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        if !value.is_string() {
            wrong_type(JsonKind::String, describe(value).to_owned(), path, out);
        }
    }
}

impl Check for bool {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        if !value.is_boolean() {
            wrong_type(JsonKind::Boolean, describe(value).to_owned(), path, out);
        }
    }
}

impl Check for Number {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        if !value.is_number() {
            wrong_type(JsonKind::Number, describe(value).to_owned(), path, out);
        }
    }
}

impl Check for Value {
    fn check(_: &Value, _: &Path<'_>, _: &mut Vec<Violation>) {}
}

impl Check for Map<String, Value> {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        if !value.is_object() {
            wrong_type(JsonKind::Object, describe(value).to_owned(), path, out);
        }
    }
}

/// Integers of every width: an integer in range, or a `WrongType` that says which range.
macro_rules! check_integer {
    ($($ty:ty: $name:literal),*) => {$(
        impl Check for $ty {
            fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
                let fits = match value {
                    Value::Number(n) => n
                        .as_i64()
                        .map(|v| <$ty>::try_from(v).is_ok())
                        .or_else(|| n.as_u64().map(|v| <$ty>::try_from(v).is_ok()))
                        .unwrap_or(false),
                    _ => false,
                };
                if fits {
                    return;
                }
                let found = match value {
                    // For `int`, saying what the integer is tells why it does not fit.
                    Value::Number(n) if (n.is_i64() || n.is_u64()) && $name != "int" => {
                        format!("{n}, outside the range of {}", $name)
                    }
                    other => describe(other).to_owned(),
                };
                wrong_type(JsonKind::Integer, found, path, out);
            }
        }
    )*};
}

check_integer!(
    i8: "int8", i16: "int16", i32: "int32", i64: "int",
    u8: "uint8", u16: "uint16", u32: "uint32", u64: "uint64"
);

impl<T: Check> Check for Vec<T> {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        let Value::Array(items) = value else {
            return wrong_type(JsonKind::Array, describe(value).to_owned(), path, out);
        };
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            T::check(item, &path.join(&index), out);
        }
    }
}

impl<T: Check> Check for Box<T> {
    fn check(value: &Value, path: &Path<'_>, out: &mut Vec<Violation>) {
        T::check(value, path, out);
    }
}

/// For generated structs: the object's members, or `None` after reporting that it is not one.
pub fn check_object<'v>(
    value: &'v Value,
    path: &Path<'_>,
    out: &mut Vec<Violation>,
) -> Option<&'v Map<String, Value>> {
    match value {
        Value::Object(members) => Some(members),
        other => {
            wrong_type(JsonKind::Object, describe(other).to_owned(), path, out);
            None
        }
    }
}

/// For generated structs: checks one documented member.
pub fn check_member<T: Check>(
    members: &Map<String, Value>,
    wire: &str,
    optional: bool,
    path: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    match members.get(wire) {
        Some(value) => T::check(value, &path.join(wire), out),
        None if optional => {}
        None => path.report(
            out,
            ViolationKind::MissingField {
                name: wire.to_owned(),
            },
        ),
    }
}

/// For generated structs: reports each member the spec does not describe.
pub fn report_unknown(
    members: &Map<String, Value>,
    known: &[&str],
    path: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    for key in members.keys() {
        if !known.contains(&key.as_str()) {
            path.report(out, ViolationKind::UnknownField { name: key.clone() });
        }
    }
}

/// For generated enums: a string, one of `values` (another is drift).
pub fn check_enum(value: &Value, values: &[&str], path: &Path<'_>, out: &mut Vec<Violation>) {
    match value {
        Value::String(s) => qmp_schema::check_value(values, s, path, out),
        other => wrong_type(JsonKind::String, describe(other).to_owned(), path, out),
    }
}

/// For generated unions: an object whose `tag` member is a string; `branch` checks the other
/// members against the branch that `tag` chooses (a tag outside `tags` is drift).
pub fn check_union(
    value: &Value,
    tag: &str,
    tags: &[&str],
    path: &Path<'_>,
    out: &mut Vec<Violation>,
    branch: impl FnOnce(&str, &Value, &mut Vec<Violation>),
) {
    let Some(members) = check_object(value, path, out) else {
        return;
    };
    match members.get(tag) {
        None => path.report(
            out,
            ViolationKind::MissingField {
                name: tag.to_owned(),
            },
        ),
        Some(Value::String(chosen)) => {
            if tags.contains(&chosen.as_str()) {
                let mut rest = members.clone();
                rest.remove(tag);
                branch(chosen, &Value::Object(rest), out);
            } else {
                qmp_schema::check_value(tags, chosen, &path.join(tag), out);
            }
        }
        Some(other) => wrong_type(
            JsonKind::String,
            describe(other).to_owned(),
            &path.join(tag),
            out,
        ),
    }
}

/// For the generated `Event`: the `data` of an event whose data has type `T`.
pub fn check_data<T: Check>(data: Option<&Value>, out: &mut Vec<Violation>) {
    let root = Path::ROOT;
    match data {
        Some(data) => T::check(data, &root.join("data"), out),
        None => root.report(out, ViolationKind::MissingData),
    }
}

/// For the generated `Event`: the `data` of an event that has none.
pub fn check_no_data(data: Option<&Value>, out: &mut Vec<Violation>) {
    if data.is_some() {
        Path::ROOT
            .join("data")
            .report(out, ViolationKind::UnexpectedData);
    }
}

/// Checks a whole JSON message against the events of `E`.
pub fn validate<E: EventSet>(message: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let root = Path::ROOT;
    let Value::Object(members) = message else {
        root.report(
            &mut out,
            ViolationKind::NotAnObject {
                found: describe(message).to_owned(),
            },
        );
        return out;
    };
    let name = members.get("event").and_then(Value::as_str);
    for (key, value) in members {
        match key.as_str() {
            "event" if value.is_string() => {}
            "data" if name.is_some() => {}
            _ => check_envelope_member(key, value, &mut out),
        }
    }
    match name {
        None => root.report(&mut out, ViolationKind::MissingEvent),
        Some(name) => match E::kind_of(name) {
            None => root.report(
                &mut out,
                ViolationKind::UnknownEvent {
                    name: name.to_owned(),
                },
            ),
            Some(kind) => E::check_data(kind, members.get("data"), &mut out),
        },
    }
    out
}
