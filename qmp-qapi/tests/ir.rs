//! The IR of real schemas: QEMU 10.0.2's events and the types they reach as a reviewed snapshot,
//! and QEMU 7.2's schema, whose doc comments QEMU 10's own generator refuses, read with warnings
//! only.

use qmp_ir::{EventData, Spec, TypeDef, TypeExpr, TypeKind, UnionBase};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

/// Reads `schema` (a path from the repository's root), files named from there in diagnostics
/// and spans, wherever the repository is.
fn read(schema: &str) -> qmp_qapi::Parsed {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    qmp_qapi::read_with(Path::new(schema), &mut |p| {
        std::fs::read_to_string(root.join(p))
    })
    .unwrap_or_else(|diagnostics| {
        let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!("{schema} does not read:\n{}", rendered.join("\n\n"))
    })
}

/// The named types `ty` refers to.
fn names_in(ty: &TypeExpr, out: &mut Vec<String>) {
    match ty {
        TypeExpr::Named { name } => out.push(name.clone()),
        TypeExpr::Array { element } => names_in(element, out),
        _ => {}
    }
}

/// Every type reachable from an event, in definition order.
fn reachable(spec: &Spec) -> Vec<&TypeDef> {
    let mut pending = Vec::new();
    for event in &spec.events {
        match &event.data {
            EventData::Members { members } => {
                members.iter().for_each(|m| names_in(&m.ty, &mut pending))
            }
            EventData::Type { ty, .. } => names_in(ty, &mut pending),
            EventData::None { .. } | EventData::Unspecified => {}
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(def) = spec.type_def(&name) else {
            panic!("{name} is used but not defined");
        };
        match &def.kind {
            TypeKind::Struct { base, members } => {
                pending.extend(base.clone());
                members.iter().for_each(|m| names_in(&m.ty, &mut pending));
            }
            TypeKind::Enum { .. } => {}
            TypeKind::Union { base, branches, .. } => {
                match base {
                    UnionBase::Named(b) => pending.push(b.clone()),
                    UnionBase::Members(m) => m.iter().for_each(|m| names_in(&m.ty, &mut pending)),
                }
                pending.extend(branches.iter().map(|b| b.ty.clone()));
            }
            TypeKind::Alternate { branches } => {
                branches.iter().for_each(|b| names_in(&b.ty, &mut pending));
            }
        }
    }
    spec.types
        .iter()
        .filter(|t| seen.contains(&t.name))
        .collect()
}

#[test]
fn qemu_10_0_2_events_and_their_types_snapshot() {
    let parsed = read("vendor/qemu-10.0.2/qapi/qapi-schema.json");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.files.len(), 43);
    let spec = &parsed.spec;
    assert_eq!(spec.events.len(), 56);
    // Every definition is documented (the schema's `doc-required` pragma says so).
    assert!(spec.events.iter().all(|e| e.doc.span.is_some()));
    assert!(spec.types.iter().all(|t| t.doc.span.is_some()));
    let examples: usize = spec.events.iter().map(|e| e.doc.examples.len()).sum();
    assert!(examples >= 53, "{examples}");
    let types = reachable(spec);
    insta::assert_json_snapshot!(
        "qemu-10.0.2-events",
        json!({ "files": spec.files, "events": spec.events, "types": types })
    );
}

/// QEMU 7.2's schema: its layout (`Example:` and `Note:` sections, a `=` heading after text) is
/// refused by QEMU 10's generator; here it reads, with every doc problem a warning.
#[test]
fn qemu_7_2_schema_reads_with_warnings_only() {
    let parsed = read("vendor/qemu-7.2/qapi/qapi-schema.json");
    let spec = &parsed.spec;
    assert_eq!(spec.events.len(), 52);
    assert!(
        parsed
            .warnings
            .iter()
            .all(|w| w.severity == qmp_qapi::Severity::Warning)
    );
    let heading = parsed
        .warnings
        .iter()
        .find(|w| w.message.contains("heading must come first"))
        .expect("the heading QEMU 10 refuses is reported");
    assert_eq!(
        (heading.file.ends_with("qapi-schema.json"), heading.line),
        (true, 32)
    );
    // 7.x's sections are read into the same structured docs as 10.0's directives.
    let event = |name: &str| spec.event(name).unwrap_or_else(|| panic!("no {name}"));
    let shutdown = event("SHUTDOWN");
    assert_eq!(shutdown.doc.since.as_deref(), Some("0.12"));
    assert!(!shutdown.doc.notes.is_empty(), "{:?}", shutdown.doc);
    let example = shutdown.doc.examples.first().expect("an example");
    assert_eq!(
        example
            .server_messages()
            .next()
            .and_then(|m| m["event"].as_str()),
        Some("SHUTDOWN")
    );
    let with_examples = spec
        .events
        .iter()
        .filter(|e| !e.doc.examples.is_empty())
        .count();
    assert_eq!(with_examples, 49);
}
