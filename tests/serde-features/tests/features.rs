//! With `arbitrary_precision` and `preserve_order` on, the seed examples and the recorded QEMU
//! 10.0.2 lines decode typed, without a violation, the same by every decode path, and round trip;
//! numbers beyond `f64` and `u64` are kept exactly.

use qmp_events::{Event, Message};
use serde_json::Value;

fn features_are_on() {
    // Without arbitrary_precision this number would be rounded through f64.
    let v: Value = serde_json::from_str("1.00000000000000000001").unwrap();
    assert_eq!(v.to_string(), "1.00000000000000000001");
    let v: Value = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
    assert_eq!(v.to_string(), r#"{"b":1,"a":2}"#);
}

fn decode_all_ways<E>(line: &str) -> Message<E>
where
    E: qmp_events::EventSet + std::fmt::Debug + PartialEq,
    Message<E>: std::str::FromStr<Err = serde_json::Error>
        + for<'de> serde::Deserialize<'de>
        + serde::Serialize,
{
    let parsed: Message<E> = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
    let from_str: Message<E> = serde_json::from_str(line).unwrap();
    let value: Value = serde_json::from_str(line).unwrap();
    let from_value: Message<E> = Message::from_value(value.clone()).unwrap();
    assert_eq!(parsed, from_str, "{line}");
    assert_eq!(parsed, from_value, "{line}");
    assert_eq!(parsed.to_value(), value, "{line}: round trip");
    // Key order is not kept (the docs say so), with or without preserve_order; the value is.
    parsed
}

#[test]
fn seed_examples_decode_typed() {
    features_are_on();
    let spec = include_str!("../../../qmp-spec/spec/qmp-events.txt");
    let read = qmp_spec::read("qmp-events.txt", spec).unwrap();
    let mut count = 0;
    for event in &read.spec.events {
        for example in &event.doc.examples {
            for message in example.server_messages() {
                let line = message.to_string();
                let msg: Message = decode_all_ways(&line);
                assert!(
                    msg.violations().is_empty(),
                    "{line}: {:?}",
                    msg.violations()
                );
                assert!(
                    !matches!(msg.event, Event::Mismatched(_) | Event::Unknown(_)),
                    "{line}"
                );
                count += 1;
            }
        }
    }
    assert!(count >= 8, "{count} examples");
}

#[test]
fn recorded_qemu_lines_decode_typed() {
    use qmp_events::qemu_10_0;
    let lines = include_str!("../../data/qemu-10.0.2-live-events.jsonl");
    let mut count = 0;
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let msg: Message<qemu_10_0::Event> = decode_all_ways(line);
        assert!(
            msg.violations().is_empty(),
            "{line}: {:?}",
            msg.violations()
        );
        count += 1;
    }
    assert!(count > 0);
}

#[test]
fn numbers_are_kept_exactly() {
    for line in [
        // An integer member given a fraction, a number beyond u64, one beyond f64: mismatched,
        // with the number as sent.
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1.00000000000000000001}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 18446744073709551616}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1e400}}"#,
        // Numbers where any JSON goes, and in extra members.
        r#"{"event": "ACPI_DEVICE_OST", "data": {"x": 123456789012345678901234567890, "y": 0.1}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "z": 2.50}, "w": 1E+2}"#,
        r#"{"event": "NOT_IN_SPEC", "data": {"n": -9223372036854775809}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 5}, "timestamp": {"seconds": 1.5, "microseconds": 0}}"#,
    ] {
        let msg: Message = decode_all_ways(line);
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(msg.to_value().to_string(), value.to_string(), "{line}");
    }
    let msg: Message = r#"{"event": "BALLOON_CHANGE", "data": {"actual": 944766976}}"#
        .parse()
        .unwrap();
    assert!(matches!(&msg.event, Event::BalloonChange(b) if b.actual == 944766976));
    // The one spelling of an integer that is not its canonical form: typed, as 0 (with
    // arbitrary_precision serde_json's own `Value` keeps the text `-0`; lib.rs says so).
    let msg: Message = r#"{"event": "BALLOON_CHANGE", "data": {"actual": -0}}"#
        .parse()
        .unwrap();
    assert!(matches!(&msg.event, Event::BalloonChange(b) if b.actual == 0));
    let msg: Message = r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1.5}}"#
        .parse()
        .unwrap();
    assert!(matches!(&msg.event, Event::Mismatched(_)), "{msg:?}");
}

#[test]
fn a_number_is_not_a_message() {
    for line in ["1", "1.5", "18446744073709551616", "[1]", "\"x\""] {
        assert!(line.parse::<Message>().is_err(), "{line}");
        assert!(serde_json::from_str::<Message>(line).is_err(), "{line}");
        let value: Value = serde_json::from_str(line).unwrap();
        assert!(Message::<Event>::from_value(value).is_err(), "{line}");
    }
}
