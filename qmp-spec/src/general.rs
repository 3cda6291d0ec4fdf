//! The document model ([`crate::ir`]) into the general IR ([`qmp_ir`]) that every front end
//! produces.
//!
//! The legacy document leaves some types to be guessed, and the guesses are made here, once,
//! and recorded as [`qmp_ir::Guess`]es, so that nothing downstream guesses again:
//! - a `json-number` member is an integer when every example of its event shows an integer;
//! - a member without a JSON type takes the type every example shows (a string, an integer, ...),
//!   or any JSON when there is no example or they disagree.
//!
//! The examples of an event are the valid examples anywhere in the document whose `event` is
//! its name, each counted once.

use crate::ir;
use qmp_ir::{
    Doc, EventData, ExampleItem, FileId, Guess, JsonType, Member, SourceFile, Span, TypeExpr,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// The general IR of a document read from `file`. The document's prose and examples move into
/// it rather than being copied, so that a large document is not held twice.
pub fn into_general(file: &str, spec: ir::Spec) -> qmp_ir::Spec {
    // The types first: a guess may rest on the examples of every event.
    let data: Vec<EventData> = {
        let examples = example_data(&spec);
        spec.events
            .iter()
            .map(|event| {
                let examples = examples
                    .get(event.name.as_str())
                    .map_or(&[][..], Vec::as_slice);
                data(&event.data, examples)
            })
            .collect()
    };
    let events = spec
        .events
        .into_iter()
        .zip(data)
        .map(|(event, data)| qmp_ir::Event {
            span: span(event.span),
            data,
            doc: doc(event.description, event.notes, event.examples),
            name: event.name,
            condition: None,
            features: Vec::new(),
        })
        .collect();
    qmp_ir::Spec {
        files: vec![SourceFile {
            path: file.to_owned(),
        }],
        title: spec.title,
        events,
        types: Vec::new(),
    }
}

/// A span of the one file a legacy document is.
fn span(s: ir::Span) -> Span {
    Span {
        file: FileId(0),
        line: s.line,
        col: s.col,
        end_line: s.end_line,
        end_col: s.end_col,
    }
}

fn data(data: &ir::Data, examples: &[&Value]) -> EventData {
    match data {
        ir::Data::Unspecified => EventData::Unspecified,
        ir::Data::None { span: at } => EventData::None {
            span: Some(span(*at)),
        },
        ir::Data::Fields { fields } => EventData::Members {
            members: members(fields, examples),
        },
        ir::Data::Named { reference } => EventData::Type {
            ty: TypeExpr::Opaque {
                reference: type_ref(reference),
            },
            boxed: false,
        },
    }
}

fn members(fields: &[ir::Field], examples: &[&Value]) -> Vec<Member> {
    fields
        .iter()
        .map(|field| {
            let values: Vec<&Value> = examples.iter().filter_map(|d| d.get(&field.name)).collect();
            let (ty, guess) = member_type(field, &values);
            Member {
                name: field.name.clone(),
                span: span(field.span),
                ty,
                optional: field.optional,
                description: (!field.description.trim().is_empty())
                    .then(|| field.description.clone()),
                condition: None,
                features: Vec::new(),
                guess,
                refers_to: field.reference.as_ref().map(type_ref),
            }
        })
        .collect()
}

/// The type of a member, and the guess it rests on if the document does not state it exactly.
/// `examples` are the member's values in the examples of its event.
fn member_type(field: &ir::Field, examples: &[&Value]) -> (TypeExpr, Option<Guess>) {
    use qmp_ir::Builtin;
    if !field.members.is_empty() {
        let members = members(&field.members, examples);
        return (TypeExpr::Object { members }, None);
    }
    let string_like = matches!(field.ty, None | Some(ir::JsonType::String));
    if let (Some(set), true) = (&field.values, string_like) {
        return (
            TypeExpr::Values {
                set: value_set(set),
            },
            None,
        );
    }
    let builtin = |b| TypeExpr::builtin(b);
    match field.ty {
        Some(ir::JsonType::String) => (builtin(Builtin::Str), None),
        Some(ir::JsonType::Int) => (builtin(Builtin::Int), None),
        Some(ir::JsonType::Bool) => (builtin(Builtin::Bool), None),
        Some(ir::JsonType::Object) => (builtin(Builtin::Object), None),
        Some(ir::JsonType::Array) => (TypeExpr::array(builtin(Builtin::Any)), None),
        Some(ir::JsonType::Number) => {
            if !examples.is_empty() && examples.iter().all(|v| v.is_i64()) {
                let guess = Guess {
                    stated: Some(JsonType::Number),
                    evidence: "every example is an integer".into(),
                };
                (builtin(Builtin::Int), Some(guess))
            } else {
                (builtin(Builtin::Number), None)
            }
        }
        None => infer(examples),
    }
}

/// The type of a member the document gives no JSON type, from the examples that show it.
fn infer(examples: &[&Value]) -> (TypeExpr, Option<Guess>) {
    use qmp_ir::Builtin;
    let all = |f: fn(&Value) -> bool| !examples.is_empty() && examples.iter().all(|v| f(v));
    let (ty, what) = if all(Value::is_string) {
        (TypeExpr::builtin(Builtin::Str), "every example is a string")
    } else if all(Value::is_i64) {
        (
            TypeExpr::builtin(Builtin::Int),
            "every example is an integer",
        )
    } else if all(Value::is_boolean) {
        (
            TypeExpr::builtin(Builtin::Bool),
            "every example is a boolean",
        )
    } else if all(Value::is_number) {
        (
            TypeExpr::builtin(Builtin::Number),
            "every example is a number",
        )
    } else if all(Value::is_object) {
        (
            TypeExpr::builtin(Builtin::Object),
            "every example is an object",
        )
    } else if all(Value::is_array) {
        (
            TypeExpr::array(TypeExpr::builtin(Builtin::Any)),
            "every example is an array",
        )
    } else {
        (
            TypeExpr::builtin(Builtin::Any),
            "no example to infer one from: any JSON",
        )
    };
    let guess = Guess {
        stated: None,
        evidence: what.into(),
    };
    (ty, Some(guess))
}

fn value_set(set: &ir::ValueSet) -> qmp_ir::ValueSet {
    qmp_ir::ValueSet {
        kind: match set.kind {
            ir::ValueSetKind::OneOf => qmp_ir::ValueSetKind::OneOf,
            ir::ValueSetKind::Constant => qmp_ir::ValueSetKind::Constant,
        },
        values: set
            .values
            .iter()
            .map(|v| qmp_ir::EnumValue {
                name: v.name.clone(),
                // The document model keeps one span for the whole set.
                span: span(set.span),
                description: v.description.clone(),
                condition: None,
                features: Vec::new(),
            })
            .collect(),
        span: span(set.span),
    }
}

fn type_ref(r: &ir::TypeRef) -> qmp_ir::TypeRef {
    qmp_ir::TypeRef {
        name: r.name.clone(),
        source: r.source.clone(),
        span: span(r.span),
    }
}

fn doc(description: Vec<String>, notes: Vec<String>, examples: Vec<ir::Example>) -> Doc {
    let mut paragraphs = description.into_iter();
    Doc {
        summary: paragraphs.next(),
        body: paragraphs.collect(),
        notes,
        since: None,
        examples: examples.into_iter().map(example).collect(),
        span: None,
    }
}

/// A legacy example is one message QEMU sends, without a direction marker.
fn example(e: ir::Example) -> qmp_ir::Example {
    let json = match e.json {
        ir::ExampleJson::Valid { value } => qmp_ir::ExampleJson::Valid { value },
        ir::ExampleJson::Invalid { error, at } => qmp_ir::ExampleJson::Invalid {
            error,
            at: span(at),
        },
    };
    qmp_ir::Example {
        caption: e.caption,
        span: span(e.span),
        text: e.text.clone(),
        items: vec![ExampleItem::Message {
            direction: None,
            span: span(e.span),
            text: e.text,
            json,
        }],
    }
}

/// By event name, the `data` of every valid example across the document that names the event,
/// in document order, each example once (a heading naming several events shares its examples).
fn example_data(spec: &ir::Spec) -> BTreeMap<&str, Vec<&Value>> {
    let mut out: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for e in &spec.events {
        for example in &e.examples {
            let Some(value) = example.value() else {
                continue;
            };
            if let (Some(event), Some(data)) = (
                value.get("event").and_then(Value::as_str),
                value.get("data"),
            ) {
                out.entry(event).or_default().push(data);
            }
        }
    }
    for data in out.values_mut() {
        data.dedup_by(|a, b| std::ptr::eq(*a, *b));
    }
    out
}
