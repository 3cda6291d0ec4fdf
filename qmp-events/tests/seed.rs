//! The seed document's events: its examples, and the messages real QEMU 10 sends that differ
//! from it (captured on this project's machines; see docs/qemu-drift.md).

use qmp_events::{
    ACPIOSTInfo, Event, EventKind, GuestPanickedAction, Message, SpiceConnectedServerFamily,
    Timestamp, ViolationKind,
};
use serde_json::{Value, json};

fn decode(line: &str) -> Message {
    let msg: Message = serde_json::from_str(line).expect("a JSON object decodes");
    let back = serde_json::to_value(&msg).expect("serializes");
    let original: Value = serde_json::from_str(line).expect("valid JSON");
    assert_eq!(back, original, "round trip of {line}");
    assert_eq!(
        msg.violations(),
        Event::validate(&original),
        "typed and interpreted validation of {line}"
    );
    msg
}

fn violations(msg: &Message) -> Vec<String> {
    msg.violations().iter().map(ToString::to_string).collect()
}

#[test]
fn every_seed_example_decodes_to_its_typed_variant() {
    let text = std::fs::read_to_string(qmp_spec::default_spec_path())
        .expect("the default spec is in the repo");
    let parsed = qmp_spec::parse("qmp-events.txt", &text).expect("the seed parses");
    let mut seen = 0;
    for event in &parsed.spec.events {
        for example in &event.examples {
            let value = example.value().expect("every seed example is valid JSON");
            let msg = decode(&value.to_string());
            let name = value["event"].as_str().expect("examples name their event");
            assert_eq!(msg.name(), Some(name));
            assert!(
                !matches!(
                    msg.event,
                    Event::Unknown(_) | Event::Mismatched(_) | Event::Absent
                ),
                "{name}: {:?}",
                msg.event
            );
            assert!(
                msg.violations().is_empty(),
                "{name}: {:?}",
                msg.violations()
            );
            seen += 1;
        }
    }
    // SPICE_CONNECTED and SPICE_DISCONNECTED share one body and its example.
    assert_eq!(seen, 8);
}

#[test]
fn balloon_change_is_typed() {
    let msg = decode(
        r#"{"timestamp": {"seconds": 1764092971, "microseconds": 123456}, "event": "BALLOON_CHANGE", "data": {"actual": 536870912}}"#,
    );
    let Event::BalloonChange(b) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(b.actual, 536870912);
    assert!(b.extra.is_empty());
    assert_eq!(
        msg.timestamp(),
        Some(Timestamp {
            seconds: 1764092971,
            microseconds: 123456
        })
    );
}

#[test]
fn quorum_sectors_count_is_kept_raw_with_the_exact_drift() {
    // QEMU 10 says `sectors-count` where the seed document says `sector-count`.
    let line = r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "QUORUM_FAILURE", "data": {"reference": "q0", "sector-num": 0, "sectors-count": 1}}"#;
    let msg = decode(line);
    let Event::Mismatched(m) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(m.kind, EventKind::QuorumFailure);
    assert_eq!(
        m.data,
        Some(json!({"reference": "q0", "sector-num": 0, "sectors-count": 1}))
    );
    assert_eq!(
        violations(&msg),
        [
            "/data: missing required member `sector-count`",
            "/data: unknown member `sectors-count` (drift)"
        ]
    );
    assert_eq!(msg.event.kind(), Some(EventKind::QuorumFailure));
    assert_eq!(msg.name(), Some("QUORUM_FAILURE"));
}

#[test]
fn new_guest_panicked_actions_stay_typed_as_drift() {
    for (action, typed) in [
        ("pause", GuestPanickedAction::Pause),
        ("poweroff", GuestPanickedAction::Other("poweroff".into())),
        ("run", GuestPanickedAction::Other("run".into())),
    ] {
        let msg =
            decode(&json!({"event": "GUEST_PANICKED", "data": {"action": action}}).to_string());
        let Event::GuestPanicked(g) = &msg.event else {
            panic!("{:?}", msg.event)
        };
        assert_eq!(g.action, typed);
        assert_eq!(g.action.as_str(), action);
        let v = msg.violations();
        if action == "pause" {
            assert!(v.is_empty());
        } else {
            assert_eq!(v.len(), 1);
            assert!(v[0].is_drift());
            assert_eq!(v[0].pointer, "/data/action");
            assert_eq!(
                v[0].kind,
                ViolationKind::UnknownValue {
                    value: action.into(),
                    expected: vec!["pause".into()]
                }
            );
        }
    }
}

#[test]
fn qemu_10_guest_panicked_info_member_is_kept() {
    let line = r#"{"event": "GUEST_PANICKED", "data": {"action": "pause", "info": {"type": "hyper-v", "arg1": 1}}}"#;
    let msg = decode(line);
    let Event::GuestPanicked(g) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(
        g.extra.get("info"),
        Some(&json!({"type": "hyper-v", "arg1": 1}))
    );
    assert_eq!(violations(&msg), ["/data: unknown member `info` (drift)"]);
}

#[test]
fn spice_unix_family_and_negative_connection_id() {
    let line = r#"{"event": "SPICE_INITIALIZED", "data": {"server": {"auth": "none", "port": "5900", "family": "ipv4", "host": "127.0.0.1"}, "client": {"port": "40000", "family": "unix", "channel-type": 1, "connection-id": -1794662478, "host": "127.0.0.1", "channel-id": 0, "tls": false}}, "timestamp": {"seconds": 3, "microseconds": 4}}"#;
    let msg = decode(line);
    let Event::SpiceInitialized(s) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(s.client.connection_id, -1794662478);
    assert_eq!(
        s.client.family,
        SpiceConnectedServerFamily::Other("unix".into())
    );
    assert_eq!(s.server.family, SpiceConnectedServerFamily::Ipv4);
    assert_eq!(s.server.auth.as_deref(), Some("none"));
    assert_eq!(
        violations(&msg),
        ["/data/client/family: value \"unix\" is not one of [\"ipv4\", \"ipv6\"] (drift)"]
    );
}

#[test]
fn acpi_device_ost_keeps_the_wrapped_payload() {
    // QEMU 10 wraps the ACPIOSTInfo in `info`; the document's example does not.
    let line = r#"{"event": "ACPI_DEVICE_OST", "data": {"info": {"device": "dimm1", "source": 3, "status": 0, "slot": "0", "slot-type": "DIMM"}}}"#;
    let msg = decode(line);
    let Event::AcpiDeviceOst(ACPIOSTInfo(info)) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(info["info"]["device"], "dimm1");
    assert!(msg.violations().is_empty());
}

#[test]
fn unknown_events_and_command_replies_are_kept() {
    let msg = decode(
        r#"{"event": "RTC_CHANGE", "data": {"offset": 78}, "timestamp": {"seconds": -1, "microseconds": -1}}"#,
    );
    let Event::Unknown(u) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(u.name, "RTC_CHANGE");
    assert_eq!(u.data, Some(json!({"offset": 78})));
    assert!(!msg.timestamp().expect("a timestamp").is_known());
    assert_eq!(violations(&msg), ["/: unknown event `RTC_CHANGE` (drift)"]);

    let msg = decode(r#"{"return": {}}"#);
    assert_eq!(msg.event, Event::Absent);
    assert_eq!(msg.extra.get("return"), Some(&json!({})));
    assert_eq!(
        violations(&msg),
        [
            "/: unknown member `return` (drift)",
            "/: missing the string member `event`"
        ]
    );
}

#[test]
fn data_before_event_and_malformed_timestamps() {
    let msg = decode(
        r#"{"data": {"actual": 1}, "timestamp": {"seconds": 1.5, "microseconds": 0}, "event": "BALLOON_CHANGE"}"#,
    );
    assert!(matches!(msg.event, Event::BalloonChange(ref b) if b.actual == 1));
    assert_eq!(msg.timestamp(), None);
    assert_eq!(
        violations(&msg),
        ["/timestamp: `timestamp` is not {\"seconds\": integer, \"microseconds\": integer}"]
    );
}

#[test]
fn data_that_does_not_fit_is_mismatched_not_lost() {
    for line in [
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 18446744073709551615}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1.0}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {"actual": "1"}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": {}}"#,
        r#"{"event": "BALLOON_CHANGE", "data": [1]}"#,
        r#"{"event": "BALLOON_CHANGE"}"#,
        r#"{"event": "QUORUM_REPORT_BAD", "data": {"node-name": "n", "sector-num": 0, "sector-count": 1, "error": null}}"#,
    ] {
        let msg = decode(line);
        assert!(
            matches!(msg.event, Event::Mismatched(_)),
            "{line}: {:?}",
            msg.event
        );
        assert!(msg.violations().iter().any(|v| !v.is_drift()), "{line}");
    }
}

#[test]
fn a_repeated_member_keeps_its_last_value_as_serde_json_does() {
    let msg: Message =
        serde_json::from_str(r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "actual": 2}}"#)
            .expect("decodes");
    assert!(
        matches!(msg.event, Event::BalloonChange(ref b) if b.actual == 2),
        "{:?}",
        msg.event
    );
}

#[test]
fn not_an_object_is_a_clear_error() {
    for line in [
        "[1, 2]",
        "\"event\"",
        "12",
        "null",
        "{\"event\": \"STOP\"",
        "",
    ] {
        let err = serde_json::from_str::<Message>(line).expect_err(line);
        assert!(!err.to_string().is_empty());
    }
    let err = serde_json::from_str::<Message>("[1]").expect_err("an array");
    assert!(err.to_string().contains("a QMP message"), "{err}");
    let err = serde_json::from_str::<Message>(r#"{"event": "STOP", "event": "STOP"}"#)
        .expect_err("duplicate");
    assert!(err.to_string().contains("duplicate field `event`"), "{err}");
}

#[test]
fn event_kind_names() {
    let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
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
            "SPICE_INITIALIZED"
        ]
    );
    assert_eq!(
        "SPICE_CONNECTED".parse::<EventKind>(),
        Ok(EventKind::SpiceConnected)
    );
    assert_eq!(EventKind::SpiceConnected.to_string(), "SPICE_CONNECTED");
    let err = "STOP".parse::<EventKind>().expect_err("not in the seed");
    assert_eq!(err.to_string(), "unknown QMP event `STOP`");
}

/// The estimate behind boxing holds on this target: the unboxed payloads are no larger than
/// `Mismatched`, so an `Event` is 72 bytes and a `Message` 120.
#[test]
fn events_stay_small() {
    use std::mem::size_of;
    let mismatched = size_of::<qmp_events::MismatchedEvent<qmp_events::EventKind>>();
    assert_eq!(mismatched, 64);
    for size in [
        size_of::<qmp_events::ACPIOSTInfo>(),
        size_of::<qmp_events::BalloonChange>(),
        size_of::<qmp_events::GuestPanicked>(),
        size_of::<qmp_events::QuorumFailure>(),
        size_of::<qmp_events::UnknownEvent>(),
    ] {
        assert!(size <= mismatched, "{size}");
    }
    assert_eq!(size_of::<qmp_events::Event>(), 72);
    assert_eq!(size_of::<qmp_events::Message>(), 120);
}
