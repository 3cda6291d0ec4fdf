//! The generated code: the checked-in file is fresh, and snapshots of both documents' output.

use qmp_codegen::plan::{Payload, RustType, TypeSpace};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn space(path: &str) -> TypeSpace {
    let parsed = qmp_spec::read(path, &read(path)).expect("the spec parses");
    qmp_codegen::plan::plan(&parsed.spec)
}

/// Like rust-analyzer's: a stale file is rewritten (outside CI) and the test fails, so that a
/// contributor only has to rerun it, or `cargo xtask regen`, and commit.
#[test]
fn checked_in_generated_file_is_fresh() {
    let spec = "qmp-spec/spec/qmp-events.txt";
    let (text, _warnings) =
        qmp_codegen::render_checked_in(spec, &read(spec)).expect("the seed generates");
    let path = root().join("qmp-events/src/generated.rs");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != text {
        let rewritten = std::env::var_os("CI").is_none() && std::fs::write(&path, &text).is_ok();
        panic!(
            "qmp-events/src/generated.rs is stale{}; run `cargo xtask regen` and commit it",
            if rewritten { " (rewritten now)" } else { "" }
        );
    }
}

fn snapshot(path: &str) -> String {
    let parsed = qmp_spec::read(path, &read(path)).expect("the spec parses");
    let tokens = qmp_codegen::generate(&parsed.spec, &qmp_codegen::Config::default());
    qmp_codegen::render_file(
        tokens,
        &format!("snapshot of the code generated from {path}"),
    )
    .expect("formats")
}

#[test]
fn generated_code_for_the_seed() {
    insta::assert_snapshot!("qmp-events", snapshot("qmp-spec/spec/qmp-events.txt"));
}

#[test]
fn generated_code_for_the_2015_document() {
    insta::assert_snapshot!(
        "qmp-events-qemu-2015-07",
        snapshot("qmp-spec/spec/qmp-events-qemu-2015-07.txt")
    );
}

fn struct_names(space: &TypeSpace) -> Vec<&str> {
    space.structs.iter().map(|s| s.name.as_str()).collect()
}

fn enum_names(space: &TypeSpace) -> Vec<&str> {
    space.enums.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn seed_types_are_shared_and_named_from_their_first_use() {
    let space = space("qmp-spec/spec/qmp-events.txt");
    assert_eq!(
        struct_names(&space),
        [
            "BalloonChange",
            "GuestPanicked",
            "QuorumFailure",
            "QuorumReportBad",
            "SpiceConnectedServer",
            "SpiceConnected",
            "SpiceDisconnected",
            "SpiceInitializedServer",
            "SpiceInitializedClient",
            "SpiceInitialized",
        ]
    );
    assert_eq!(
        enum_names(&space),
        ["GuestPanickedAction", "SpiceConnectedServerFamily"]
    );
    assert_eq!(
        space
            .opaques
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["ACPIOSTInfo"]
    );
    // SPICE server and client share one struct across both events.
    let connected = space
        .events
        .iter()
        .find(|e| e.wire == "SPICE_CONNECTED")
        .expect("SPICE_CONNECTED");
    let Payload::Struct(i) = connected.payload else {
        panic!("SPICE_CONNECTED has data")
    };
    let [server, client] = &space.structs[i].fields[..] else {
        panic!("two members")
    };
    assert_eq!(server.ty, client.ty);
    assert!(
        matches!(server.ty, RustType::Struct(j) if space.structs[j].name == "SpiceConnectedServer")
    );
    // Untyped members are inferred from the examples; json-number with integer examples is i64.
    let quorum = &space
        .structs
        .iter()
        .find(|s| s.name == "QuorumFailure")
        .expect("QuorumFailure")
        .fields;
    let types: Vec<RustType> = quorum.iter().map(|f| f.ty.clone()).collect();
    assert_eq!(types, [RustType::String, RustType::I64, RustType::I64]);
}

#[test]
fn the_2015_document_names_its_value_sets_after_their_first_use() {
    let space = space("qmp-spec/spec/qmp-events-qemu-2015-07.txt");
    assert_eq!(space.events.len(), 34);
    let enums = enum_names(&space);
    for name in [
        "BlockIoErrorOperation",
        "BlockIoErrorAction",
        "BlockJobErrorAction",
        "BlockJobCancelledType",
        "WatchdogAction",
        // `family` of SPICE_* and VNC_* alike: named from its first use, shared by the rest.
        "SpiceConnectedServerFamily",
    ] {
        assert!(enums.contains(&name), "{name} in {enums:?}");
    }
    // The events without data are unit variants.
    let stop = space
        .events
        .iter()
        .find(|e| e.wire == "STOP")
        .expect("STOP");
    assert_eq!(stop.payload, Payload::None);
}

/// The generated validators and the wire shapes of the same document read at run time (what
/// `qmp-events validate --spec` uses) give the same violations on every example of the document
/// and on each example with a member removed or retyped.
#[test]
fn generated_validators_agree_with_the_run_time_wire_shapes() {
    let path = "qmp-spec/spec/qmp-events.txt";
    let parsed = qmp_spec::read(path, &read(path)).expect("the seed parses");
    let wire = qmp_wire::WireSpec::new(&parsed.spec, &qmp_wire::Conditions::IncludeAll);
    let texts = |v: Vec<String>| {
        let mut v = v;
        v.sort();
        v
    };
    let mut checked = 0;
    for event in &parsed.spec.events {
        for example in &event.doc.examples {
            for item in &example.items {
                let qmp_ir::ExampleItem::Message { json, .. } = item else {
                    continue;
                };
                let Some(value) = json.value() else { continue };
                let mut variants = vec![value.clone()];
                if let Some(data) = value.get("data").and_then(|d| d.as_object()) {
                    for key in data.keys() {
                        let mut without = value.clone();
                        without["data"].as_object_mut().map(|d| d.remove(key));
                        variants.push(without);
                        let mut retyped = value.clone();
                        retyped["data"][key] = serde_json::json!([1.5]);
                        variants.push(retyped);
                    }
                }
                for message in variants {
                    let typed = qmp_events::Event::validate(&message);
                    let interpreted = qmp_wire::validate(&wire, &message);
                    assert_eq!(
                        texts(typed.iter().map(ToString::to_string).collect()),
                        texts(interpreted.iter().map(ToString::to_string).collect()),
                        "{message}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} messages checked");
}

/// Large payloads are boxed so that `Event` stays as small as its `Mismatched` variant.
#[test]
fn large_event_payloads_are_boxed() {
    let seed = space("qmp-spec/spec/qmp-events.txt");
    let boxed: Vec<&str> = seed
        .events
        .iter()
        .filter(|e| seed.boxed(e))
        .map(|e| e.variant.as_str())
        .collect();
    assert_eq!(
        boxed,
        [
            "QuorumReportBad",
            "SpiceConnected",
            "SpiceDisconnected",
            "SpiceInitialized"
        ]
    );
    // Every unboxed struct payload fits, by the estimate; every boxed one does not.
    for doc in [
        "qmp-spec/spec/qmp-events.txt",
        "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
    ] {
        let space = space(doc);
        for event in &space.events {
            if let Payload::Struct(i) = event.payload {
                let fits = space.struct_size(i) <= qmp_codegen::plan::MAX_INLINE_PAYLOAD;
                assert_eq!(space.boxed(event), !fits, "{doc}: {}", event.wire);
            }
        }
    }
    // QUORUM_FAILURE: a string, two integers and the extra map, exactly at the bound.
    let failure = seed
        .events
        .iter()
        .find(|e| e.wire == "QUORUM_FAILURE")
        .expect("in the seed");
    let Payload::Struct(i) = failure.payload else {
        panic!("QUORUM_FAILURE has a struct")
    };
    assert_eq!(seed.struct_size(i), 64);
}
