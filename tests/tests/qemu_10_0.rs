//! Every event line real QEMU 10.0.2 sent in the live scenarios (`tests/data`, written by
//! `QMP_CAPTURE_CORPUS=... cargo test -p qmp-tests --test live_qemu`) decodes as
//! `qmp_events::qemu_10_0::Event`: typed, without a violation, and without loss.

use qmp_events::Message;
use qmp_events::qemu_10_0::{Event, EventKind};
use serde_json::Value;
use std::collections::BTreeSet;

const CORPUS: &str = include_str!("../data/qemu-10.0.2-live-events.jsonl");

#[test]
fn every_captured_line_is_typed_without_violation() {
    let mut kinds = BTreeSet::new();
    for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
        let msg: Message<Event> = serde_json::from_str(line).expect("a JSON object decodes");
        let parsed: Message<Event> = line.parse().expect("a JSON object parses");
        assert_eq!(parsed, msg, "str::parse and serde_json differ on {line}");
        let value: Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(msg.to_value(), value, "round trip of {line}");
        assert_eq!(msg.violations(), Event::validate(&value), "{line}");
        assert!(
            msg.violations().is_empty(),
            "{line}: {:?}",
            msg.violations()
        );
        match &msg.event {
            Event::Unknown(_) | Event::Mismatched(_) | Event::Absent => {
                panic!("not typed: {line}: {:?}", msg.event)
            }
            event => {
                kinds.insert(event.kind().expect("a known event"));
            }
        }
    }
    assert!(kinds.len() >= 30, "only {} kinds: {kinds:?}", kinds.len());
    assert!(kinds.contains(&EventKind::BlockJobCompleted));
}

#[test]
fn all_56_events_of_the_schema_are_typed() {
    assert_eq!(EventKind::ALL.len(), 56);
    for kind in EventKind::ALL {
        assert_eq!(EventKind::from_name(kind.as_str()), Some(*kind));
    }
}

/// The seed document's differences (docs/qemu-drift.md) are typed members of QEMU 10's schema.
#[test]
fn what_the_seed_document_got_wrong_is_typed_here() {
    use qmp_events::qemu_10_0::{GuestPanicAction, QuorumOpType};
    let mut seen = BTreeSet::new();
    for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
        let msg: Message<Event> = line.parse().expect("parses");
        match &msg.event {
            Event::QuorumReportBad(q) => {
                assert_eq!(q.r#type, QuorumOpType::Read, "{line}");
                assert!(q.sectors_count > 0, "{line}");
                seen.insert("QUORUM_REPORT_BAD");
            }
            Event::GuestPanicked(p) => {
                assert!(p.info.is_none(), "{line}");
                assert!(
                    matches!(
                        p.action,
                        GuestPanicAction::Pause
                            | GuestPanicAction::Poweroff
                            | GuestPanicAction::Run
                    ),
                    "{line}"
                );
                seen.insert("GUEST_PANICKED");
            }
            Event::AcpiDeviceOst(a) if a.info.device.is_none() => {
                seen.insert("ACPI_DEVICE_OST without device");
            }
            Event::SpiceInitialized(s) => {
                // An i64 holds every connection id, the negative ones QEMU sends included.
                let _: i64 = s.client.connection_id;
                seen.insert("SPICE_INITIALIZED");
            }
            _ => {}
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "ACPI_DEVICE_OST without device",
            "GUEST_PANICKED",
            "QUORUM_REPORT_BAD",
            "SPICE_INITIALIZED"
        ]
    );
}
