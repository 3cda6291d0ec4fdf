//! QEMU 10.0.2's real traffic read with QEMU 9.1's types: what moved between the versions is
//! reported as drift or as a mismatch with its violations, and nothing is lost.

use qmp_events::Message;
use qmp_regen_9_1::{Event, EventKind};
use serde_json::Value;
use std::collections::BTreeMap;

const CORPUS: &str = include_str!("../../data/qemu-10.0.2-live-events.jsonl");

#[test]
fn qemu_10_lines_decode_with_9_1_types_without_loss() {
    let mut outcome: BTreeMap<String, String> = BTreeMap::new();
    for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
        let msg: Message<Event> = line.parse().expect("every JSON object parses");
        let value: Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(msg.to_value(), value, "lossless round trip of {line}");
        assert_eq!(msg.violations(), Event::validate(&value), "{line}");
        let name = msg.name().expect("an event").to_owned();
        let what = match &msg.event {
            Event::Unknown(_) => "unknown".to_owned(),
            Event::Mismatched(m) => format!("mismatched: {:?}", m.violations),
            _ if msg.violations().is_empty() => "typed".to_owned(),
            _ => format!(
                "typed with drift: {}",
                msg.violations()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        outcome.entry(name).or_insert(what);
    }
    for (name, what) in &outcome {
        println!("{name}: {what}");
    }
    // Every event QEMU 10 sent in the live tests exists in 9.1 too. One moved: BLOCK_IO_ERROR
    // gained `qom-path` in 9.2, which 9.1's types keep in `extra` and report as drift.
    let not_typed: Vec<_> = outcome.iter().filter(|(_, w)| *w != "typed").collect();
    assert_eq!(
        not_typed,
        [(
            &"BLOCK_IO_ERROR".to_owned(),
            &"typed with drift: /data: unknown member `qom-path` (drift)".to_owned()
        )]
    );
    assert!(outcome.len() >= 30, "{}", outcome.len());
}

#[test]
fn events_new_in_10_0_are_unknown_to_9_1_and_kept() {
    // NETDEV_VHOST_USER_CONNECTED is new in QEMU 10.0 (its schema says `Since: 10.0`).
    assert_eq!(EventKind::from_name("NETDEV_VHOST_USER_CONNECTED"), None);
    let line = r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "NETDEV_VHOST_USER_CONNECTED", "data": {"netdev-id": "n0", "chardev-id": "c0"}}"#;
    let msg: Message<Event> = line.parse().expect("parses");
    let Event::Unknown(event) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(event.name, "NETDEV_VHOST_USER_CONNECTED");
    let violations: Vec<String> = msg.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        violations,
        ["/: unknown event `NETDEV_VHOST_USER_CONNECTED` (drift)"]
    );
    assert_eq!(
        msg.to_value(),
        serde_json::from_str::<Value>(line).expect("JSON")
    );
    assert_eq!(EventKind::ALL.len(), 54);
}
