//! The checked-in code for the 2015-07 document is fresh, and decodes every valid example of the
//! document into its typed variant without loss.

use qmp_events::Message;
use qmp_regen_2015::{Event, EventKind};
use serde_json::Value;
use std::path::PathBuf;

const SPEC: &str = "qmp-spec/spec/qmp-events-qemu-2015-07.txt";
const OUT: &str = "tests/regen-2015/src/generated.rs";
const COMMAND: &str = "cargo xtask regen --spec qmp-spec/spec/qmp-events-qemu-2015-07.txt \
                       --out tests/regen-2015/src/generated.rs --doctest-crate qmp_regen_2015";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn spec_text() -> String {
    std::fs::read_to_string(root().join(SPEC)).expect("the 2015-07 document is in the repo")
}

#[test]
fn checked_in_code_is_fresh() {
    let (text, warnings) =
        qmp_codegen::render_checked_in_with(SPEC, &spec_text(), "qmp_regen_2015", COMMAND)
            .expect("the document generates");
    assert_eq!(
        warnings.len(),
        4,
        "three invalid examples and MIGRATION's `Data: None.`"
    );
    let path = root().join(OUT);
    if std::fs::read_to_string(&path).unwrap_or_default() != text {
        let rewritten = std::env::var_os("CI").is_none() && std::fs::write(&path, &text).is_ok();
        panic!(
            "{OUT} is stale{}; run `{COMMAND}`",
            if rewritten { " (rewritten now)" } else { "" }
        );
    }
}

#[test]
fn every_valid_example_round_trips_into_its_typed_variant() {
    let parsed = qmp_spec::parse(SPEC, &spec_text()).expect("the document parses");
    assert_eq!(EventKind::ALL.len(), 34);
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for event in &parsed.spec.events {
        for example in &event.examples {
            match example.value() {
                Some(value) if !valid.contains(value) => valid.push(value.clone()),
                Some(_) => {}
                None => invalid.push(event.name.as_str()),
            }
        }
    }
    assert_eq!(
        invalid,
        [
            "BLOCK_JOB_READY",
            "MEM_UNPLUG_ERROR",
            "NIC_RX_FILTER_CHANGED"
        ]
    );
    assert_eq!(valid.len(), 31);
    for value in &valid {
        let line = value.to_string();
        let msg: Message<Event> = serde_json::from_str(&line).expect("decodes");
        // `str::parse` reads it with the generated direct readers: the same message, for the
        // one-line form and for the spec's own layout.
        assert_eq!(
            line.parse::<Message<Event>>().expect("parses"),
            msg,
            "{line}"
        );
        let pretty = serde_json::to_string_pretty(value).expect("serializes");
        assert_eq!(
            pretty.parse::<Message<Event>>().expect("parses"),
            msg,
            "{pretty}"
        );
        assert!(
            !matches!(
                msg.event,
                Event::Unknown(_) | Event::Mismatched(_) | Event::Absent
            ),
            "{line}: {:?}",
            msg.event
        );
        assert_eq!(msg.name(), value["event"].as_str());
        assert!(
            msg.violations().is_empty(),
            "{line}: {:?}",
            msg.violations()
        );
        assert_eq!(&serde_json::to_value(&msg).expect("serializes"), value);
    }
    // The invalid examples are not JSON, so there is nothing to decode.
    let text = spec_text();
    let nic = &text[text
        .find("{ \"event\": \"NIC_RX_FILTER_CHANGED\"")
        .expect("the example")..];
    let block = &nic[..nic.find("\n\n").expect("ends at a blank line")];
    assert!(serde_json::from_str::<Value>(block).is_err());
}
