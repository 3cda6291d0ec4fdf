//! What a repeated key does, as the crate docs ("What is kept") state it: a repeated envelope
//! member (`event`, `data`, `timestamp`) is an error, and a repeated member anywhere else keeps
//! its last value, as `serde_json::Value` does; every decode path agrees.

use qmp_events::{Event, Message};
use serde_json::Value;

#[test]
fn a_repeated_envelope_member_is_an_error() {
    for line in [
        r#"{"event": "STOP", "event": "RESUME"}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}, "data": {"actual": 2}}"#,
        r#"{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}, "timestamp": {"seconds": 3, "microseconds": 4}}"#,
        r#"{"data": {"actual": 1}, "event": "BALLOON_CHANGE", "data": {"actual": 2}}"#,
    ] {
        let parsed = line.parse::<Message>();
        let from_str = serde_json::from_str::<Message>(line);
        assert!(parsed.is_err(), "{line}: {parsed:?}");
        assert!(from_str.is_err(), "{line}: {from_str:?}");
    }
}

#[test]
fn a_repeated_member_keeps_its_last_value() {
    for (line, last) in [
        (
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "actual": 2}}"#,
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 2}}"#,
        ),
        (
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "x": 1, "x": 2}}"#,
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "x": 2}}"#,
        ),
        (
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": "a", "actual": 2}}"#,
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 2}}"#,
        ),
        (
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 2, "actual": "a"}}"#,
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": "a"}}"#,
        ),
        (
            r#"{"event": "NEW_EVENT", "data": {"a": 1, "a": 2}, "x": 1, "x": 2}"#,
            r#"{"event": "NEW_EVENT", "data": {"a": 2}, "x": 2}"#,
        ),
        (
            r#"{"event": "STOP", "timestamp": {"seconds": 1, "seconds": 5, "microseconds": 2}}"#,
            r#"{"event": "STOP", "timestamp": {"seconds": 5, "microseconds": 2}}"#,
        ),
    ] {
        let parsed: Message = line.parse().unwrap();
        let from_str: Message = serde_json::from_str(line).unwrap();
        let from_value = Message::<Event>::from_value(serde_json::from_str(line).unwrap()).unwrap();
        let expected: Message = last.parse().unwrap();
        assert_eq!(parsed, expected, "{line}");
        assert_eq!(from_str, expected, "{line}");
        assert_eq!(from_value, expected, "{line}");
        assert_eq!(
            parsed.to_value(),
            serde_json::from_str::<Value>(last).unwrap()
        );
    }
}
