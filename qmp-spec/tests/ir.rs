//! The IR of the two real documents: snapshots, plus the facts the snapshots must show.

use qmp_spec::ir::{Data, ExampleJson, JsonType, ValueSetKind};
use qmp_spec::{Parsed, Severity, parse};
use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("spec")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_ok(name: &str) -> Parsed {
    match parse(name, &read(name)) {
        Ok(parsed) => parsed,
        Err(diagnostics) => {
            let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!("{name} does not parse:\n{}", rendered.join("\n\n"))
        }
    }
}

/// The general IR ([`qmp_ir::Spec`]) of a document, which is what the snapshots show.
fn read_ok(name: &str) -> qmp_ir::Spec {
    match qmp_spec::read(name, &read(name)) {
        Ok(read) => read.spec,
        Err(diagnostics) => panic!("{name} does not read: {diagnostics:?}"),
    }
}

#[test]
fn seed_document_snapshot() {
    insta::assert_json_snapshot!("qmp-events", read_ok("qmp-events.txt"));
}

#[test]
fn qemu_2015_07_document_snapshot() {
    insta::assert_json_snapshot!(
        "qmp-events-qemu-2015-07",
        read_ok("qmp-events-qemu-2015-07.txt")
    );
}

/// The legacy front end records its type guesses in the IR, so that the planner makes none.
#[test]
fn guesses_are_recorded_with_their_evidence() {
    use qmp_ir::{Builtin, EventData, TypeExpr};
    let spec = read_ok("qmp-events.txt");
    let member = |event: &str, name: &str| {
        let Some(EventData::Members { members }) = spec.event(event).map(|e| &e.data) else {
            panic!("{event} has no members");
        };
        members
            .iter()
            .find(|m| m.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("{event} has no member {name}"))
    };
    // `json-number` whose every example is an integer.
    let actual = member("BALLOON_CHANGE", "actual");
    assert_eq!(actual.ty, TypeExpr::builtin(Builtin::Int));
    let guess = actual.guess.expect("a guess");
    assert_eq!(guess.stated, Some(qmp_ir::JsonType::Number));
    assert_eq!(guess.evidence, "every example is an integer");
    // No JSON type: the examples decide, and say so.
    let reference = member("QUORUM_FAILURE", "reference");
    assert_eq!(reference.ty, TypeExpr::builtin(Builtin::Str));
    let guess = reference.guess.expect("a guess");
    assert_eq!(
        (guess.stated, guess.evidence.as_str()),
        (None, "every example is a string")
    );
    // Stated exactly: no guess.
    assert_eq!(member("QUORUM_REPORT_BAD", "error").guess, None);
}

#[test]
fn seed_document_has_its_eight_events_and_no_warning() {
    let parsed = parse_ok("qmp-events.txt");
    let names: Vec<&str> = parsed.spec.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ACPI_DEVICE_OST",
            "BALLOON_CHANGE",
            "GUEST_PANICKED",
            "QUORUM_FAILURE",
            "QUORUM_REPORT_BAD",
            "SPICE_CONNECTED",
            "SPICE_DISCONNECTED",
            "SPICE_INITIALIZED",
        ]
    );
    assert_eq!(parsed.warnings, []);
    assert_eq!(
        parsed.spec.title.as_deref(),
        Some("QEMU Machine Protocol Events")
    );
}

#[test]
fn qemu_2015_07_document_has_34_events_and_four_warnings() {
    let parsed = parse_ok("qmp-events-qemu-2015-07.txt");
    assert_eq!(parsed.spec.events.len(), 34);
    let warnings: Vec<(u32, u32, &str)> = parsed
        .warnings
        .iter()
        .map(|w| (w.line, w.col, w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            // BLOCK_JOB_READY: no `,` after the `data` object.
            (180, 5, "example is not valid JSON: expected `,` or `}`"),
            // MEM_UNPLUG_ERROR: no `,` after the `event` member.
            (247, 3, "example is not valid JSON: expected `,` or `}`"),
            // NIC_RX_FILTER_CHANGED: a stray `}` line after the example.
            (267, 1, "example is not valid JSON: trailing characters"),
            // MIGRATION: `Data: None.` then a field list.
            (
                481,
                7,
                "the document says `Data: None.` but lists fields; using the fields"
            ),
        ]
    );
    assert!(
        parsed
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    assert!(
        parsed
            .warnings
            .iter()
            .all(|w| w.file == "qmp-events-qemu-2015-07.txt")
    );
}

#[test]
fn invalid_examples_are_kept_with_their_position() {
    let parsed = parse_ok("qmp-events-qemu-2015-07.txt");
    let invalid: Vec<(&str, u32, u32)> = parsed
        .spec
        .events
        .iter()
        .flat_map(|e| e.examples.iter().map(move |x| (e, x)))
        .filter_map(|(e, x)| match &x.json {
            ExampleJson::Invalid { at, .. } => Some((e.name.as_str(), at.line, at.col)),
            ExampleJson::Valid { .. } => None,
        })
        .collect();
    assert_eq!(
        invalid,
        [
            ("BLOCK_JOB_READY", 180, 5),
            ("MEM_UNPLUG_ERROR", 247, 3),
            ("NIC_RX_FILTER_CHANGED", 267, 1)
        ]
    );
    let nic = parsed
        .spec
        .events
        .iter()
        .find(|e| e.name == "NIC_RX_FILTER_CHANGED");
    let example = &nic
        .expect("NIC_RX_FILTER_CHANGED is in the document")
        .examples[0];
    assert!(
        example.text.ends_with("326866 } }\n}"),
        "the stray `}}` belongs to the block"
    );
    assert_eq!((example.span.line, example.span.end_line), (263, 267));
}

#[test]
fn every_event_of_both_documents_has_one_example() {
    for name in ["qmp-events.txt", "qmp-events-qemu-2015-07.txt"] {
        for event in parse_ok(name).spec.events {
            assert_eq!(event.examples.len(), 1, "{name}: {}", event.name);
        }
    }
}

#[test]
fn qemu_2015_07_data_kinds() {
    let parsed = parse_ok("qmp-events-qemu-2015-07.txt");
    let event = |name: &str| {
        parsed
            .spec
            .events
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(matches!(event("ACPI_DEVICE_OST").data, Data::Named { .. }));
    assert!(matches!(event("RESET").data, Data::None { .. }));
    let Data::Fields { fields } = &event("MIGRATION").data else {
        panic!("MIGRATION lists fields")
    };
    let reference = fields[0]
        .reference
        .as_ref()
        .expect("status refers to MigrationStatus");
    assert_eq!(
        (reference.name.as_str(), reference.source.as_deref()),
        ("MigrationStatus", Some("qapi-schema.json"))
    );
    let Data::Fields { fields } = &event("WATCHDOG").data else {
        panic!("WATCHDOG lists fields")
    };
    let values = fields[0]
        .values
        .as_ref()
        .expect("WATCHDOG's action lists its values");
    assert_eq!(values.kind, ValueSetKind::OneOf);
    let names: Vec<&str> = values.values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["reset", "shutdown", "poweroff", "pause", "debug", "none"]
    );
    let Data::Fields { fields } = &event("SPICE_INITIALIZED").data else {
        panic!()
    };
    for member in &fields[1].members {
        if member.ty == Some(JsonType::Int) {
            assert_eq!(
                member.values, None,
                "{} is a json-int: quoted words are prose",
                member.name
            );
        }
    }
}
