//! One message per event of each hostile spec decodes as its typed variant (a known event
//! without a violation: not mismatched), the same by every decode path, and serializes back to
//! the same JSON.

use qmp_events::Message;
use qmp_hostile::{legacy, qapi};
use serde_json::Value;

macro_rules! check {
    ($events:ty, $lines:expr) => {
        for line in $lines {
            let msg: Message<$events> = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(
                msg.event.kind().is_some(),
                "{line}: not known: {:?}",
                msg.event
            );
            assert!(
                msg.violations().is_empty(),
                "{line}: {:?}",
                msg.violations()
            );
            let value: Value = serde_json::from_str(line).unwrap();
            assert_eq!(msg.to_value(), value, "{line}: round trip");
            assert_eq!(serde_json::from_str::<Message<$events>>(line).unwrap(), msg);
            assert_eq!(Message::<$events>::from_value(value).unwrap(), msg);
        }
    };
}

const LEGACY: &[&str] = &[
    r#"{"event": "SELF", "data": {"self": "s", "type": "t", "extra": 1, "a-b": 2, "a_b": 3, "9lives": true, "Self": "S", "_": "u"}}"#,
    r#"{"event": "SUPER", "data": {"kind": "self"}}"#,
    r#"{"event": "CRATE", "data": {"result": "ok"}}"#,
    r#"{"event": "TYPE", "data": {"result": "fail"}}"#,
    r#"{"event": "EVENT", "data": {"event": "e", "data": {"data": "d", "extra": "x"}}}"#,
    r#"{"event": "EVENT_KIND"}"#,
    r#"{"event": "MESSAGE", "data": {"a": 1}}"#,
    r#"{"event": "OPAQUE_STRING", "data": {"a": [1]}}"#,
    r#"{"event": "OPAQUE_OPTION", "data": {}}"#,
    r#"{"event": "OPAQUE_RESULT", "data": {}}"#,
    r#"{"event": "OPAQUE_VEC", "data": {}}"#,
    r#"{"event": "OPAQUE_BOX", "data": {}}"#,
    r#"{"event": "OPAQUE_SOME", "data": {}}"#,
    r#"{"event": "OPAQUE_NONE", "data": {}}"#,
    r#"{"event": "OPAQUE_OK", "data": {}}"#,
    r#"{"event": "OPAQUE_ERR", "data": {}}"#,
    r#"{"event": "OPAQUE_SELF", "data": {}}"#,
    r#"{"event": "OPAQUE_OBJECT", "data": {}}"#,
    r#"{"event": "OPAQUE_VALUE", "data": {}}"#,
    r#"{"event": "OPAQUE_MAP", "data": {}}"#,
    r#"{"event": "OPAQUE_EVENT", "data": {}}"#,
    r#"{"event": "OPAQUE_DEFAULT", "data": {}}"#,
    r#"{"event": "OPAQUE_SELF_", "data": {}}"#,
    r#"{"event": "OPAQUE_LOWER", "data": {}}"#,
    r#"{"event": "OPAQUE_KEYWORD", "data": {}}"#,
    r#"{"event": "UNKNOWN"}"#,
    r#"{"event": "MISMATCHED"}"#,
    r#"{"event": "ABSENT"}"#,
    r#"{"event": "A_B"}"#,
    r#"{"event": "A__B"}"#,
];

const QAPI: &[&str] = &[
    r#"{"event": "SELF", "data": {"self": "s", "type": "t", "extra": 1, "a-b": 2, "result": "ok"}}"#,
    r#"{"event": "SUPER", "data": {"s": {"self": "s", "type": "t", "extra": 1}, "o": "none", "b": {"inner": {"children": [{}, {"inner": {}}]}}, "un": {"kind": "other", "children": []}}}"#,
    r#"{"event": "CRATE", "data": {"value": "v"}}"#,
    r#"{"event": "TYPE", "data": {}}"#,
    r#"{"event": "EVENT", "data": {"value": "v"}}"#,
    r#"{"event": "EVENT_KIND"}"#,
    r#"{"event": "MESSAGE", "data": {"ok": {"value": "ok"}, "err": {"value": "fail"}, "self": {"value": "self"}, "object": {"value": "o"}, "value": {"value": "v"}, "map": {"value": "m"}, "default": {"value": "d"}}}"#,
    r#"{"event": "RESULT", "data": {"result": "fail"}}"#,
];

#[test]
fn legacy_events_decode_typed() {
    assert_eq!(LEGACY.len(), legacy::EventKind::ALL.len());
    check!(legacy::Event, LEGACY);
}

#[test]
fn qapi_events_decode_typed() {
    assert_eq!(QAPI.len(), qapi::EventKind::ALL.len());
    check!(qapi::Event, QAPI);
}

#[test]
fn hostile_names_are_distinct_and_usable() {
    // Prelude names stay the prelude's under a glob import of the generated items.
    #[allow(unused_imports)]
    use legacy::*;
    let some: Option<i32> = Some(1);
    let ok: Result<Vec<String>, Box<str>> = Ok(vec![String::new()]);
    assert!(some.is_some() && ok.is_ok());
    // Two spellings of one member are two fields.
    let msg: Message<legacy::Event> = LEGACY[0].parse().unwrap();
    let legacy::Event::Self_(data) = msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!((data.a_b, data.a_b2, data.extra), (2, 3, 1));
    assert!(data.extra2.is_empty());
    assert!(data._9lives);
    assert_eq!(data.self_, "s");
    assert_eq!(data.r#type, "t");
    // Values that collide in Rust case are distinct variants.
    let kinds = [
        "self", "Self", "type", "_", "1abc", "é", "", "other", "Other", "new",
    ];
    let decoded: Vec<String> = kinds
        .iter()
        .map(|k| {
            let line = format!(r#"{{"event": "SUPER", "data": {{"kind": "{k}"}}}}"#);
            let msg: Message<legacy::Event> = line.parse().unwrap();
            let legacy::Event::Super(data) = &msg.event else {
                panic!("{line}")
            };
            assert_eq!(msg.to_value()["data"]["kind"], *k);
            format!("{:?}", data.kind)
        })
        .collect();
    let distinct: std::collections::BTreeSet<&String> = decoded.iter().collect();
    assert_eq!(distinct.len(), kinds.len(), "{decoded:?}");
}
