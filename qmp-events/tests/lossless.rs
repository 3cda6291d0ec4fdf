//! Property tests: every JSON object decodes, serializes back to the same JSON, and the typed
//! validation agrees with the schema interpreter.

use proptest::prelude::*;
use qmp_events::{Event, EventKind, Message, Violation};
use serde_json::{Map, Number, Value};

/// Numbers at the edges of what `i64`, `u64` and `f64` hold.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        Just(Value::from(i64::MIN)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MAX as u64 + 1)),
        Just(Value::from(0)),
        Just(Value::from(-1)),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::Number(Number::from_f64(0.5).expect("finite"))),
        Just(Value::Number(Number::from_f64(1.0).expect("finite"))),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        // Names the spec uses, so that typed decoding is exercised, not just the catch-alls.
        prop::sample::select(vec![
            "actual",
            "action",
            "reference",
            "sector-num",
            "sector-count",
            "sectors-count",
            "node-name",
            "error",
            "server",
            "client",
            "host",
            "port",
            "family",
            "auth",
            "connection-id",
            "channel-type",
            "channel-id",
            "tls",
            "device",
            "seconds",
            "microseconds",
            "event",
            "data",
            "timestamp",
        ])
        .prop_map(str::to_owned),
        "[a-z~/\\-]{0,6}",
        "\\PC{0,4}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        prop::sample::select(vec![
            "ipv4",
            "ipv6",
            "unix",
            "pause",
            "poweroff",
            "127.0.0.1",
            ""
        ])
        .prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The `data` members of the seed document's examples.
fn seed_examples() -> Vec<Value> {
    let text = std::fs::read_to_string(qmp_spec::default_spec_path()).expect("qmp-spec's document");
    let mut out = Vec::new();
    // Every example in the seed document starts with `{` in column 1 and ends at a blank line.
    for block in text.split("\n\n") {
        if block.starts_with('{') {
            if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(block) {
                if let Some(data) = m.get("data") {
                    out.push(data.clone());
                }
            }
        }
    }
    assert!(
        out.len() >= 6,
        "the seed's examples should be found, got {}",
        out.len()
    );
    out
}

/// `data` that looks like a real event's: the spec's own examples, with one member changed,
/// one level down as often as at the top.
fn example_data() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(seed_examples()),
        key(),
        json(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(mut data, k, v, remove, nested)| {
            let target = match (&mut data, nested) {
                (Value::Object(m), true) => m.values_mut().find(|v| v.is_object()),
                _ => None,
            };
            let target = match target {
                Some(t) => t,
                None => &mut data,
            };
            if let Value::Object(m) = target {
                if remove {
                    m.remove(&k);
                } else {
                    m.insert(k, v);
                }
            }
            data
        })
}

fn message() -> impl Strategy<Value = Value> {
    let name = prop_oneof![
        4 => prop::sample::select(EventKind::ALL.to_vec()).prop_map(|k| Value::from(k.as_str())),
        1 => "[A-Z_]{1,12}".prop_map(Value::String),
        1 => json(),
    ];
    let data = prop_oneof![3 => example_data(), 1 => json()];
    let timestamp = prop_oneof![
        (any::<i64>(), any::<i64>())
            .prop_map(|(s, us)| serde_json::json!({"seconds": s, "microseconds": us})),
        Just(serde_json::json!({"seconds": -1, "microseconds": -1})),
        // Near the usual shape: a member missing, added or of another type.
        (
            number(),
            number(),
            prop::option::of((key(), json())),
            any::<bool>()
        )
            .prop_map(|(s, us, more, drop)| {
                let mut m = Map::new();
                m.insert("seconds".into(), s);
                if !drop {
                    m.insert("microseconds".into(), us);
                }
                if let Some((k, v)) = more {
                    m.insert(k, v);
                }
                Value::Object(m)
            }),
        json(),
    ];
    (
        prop::option::weighted(0.9, name),
        prop::option::weighted(0.8, data),
        prop::option::weighted(0.8, timestamp),
        prop::collection::btree_map(key(), json(), 0..3),
    )
        .prop_map(|(name, data, timestamp, extra)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            for (k, v) in [("event", name), ("data", data), ("timestamp", timestamp)] {
                match v {
                    Some(v) => {
                        m.insert(k.to_owned(), v);
                    }
                    None => {
                        m.remove(k);
                    }
                }
            }
            Value::Object(m)
        })
}

/// Writes JSON with the keys of every object in an order chosen by `seed`, so that `data` comes
/// before `event` as often as after it.
fn write(value: &Value, seed: u64, out: &mut String) {
    match value {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            let len = entries.len().max(1);
            entries.rotate_left((seed as usize) % len);
            if seed & 1 == 1 {
                entries.reverse();
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::to_string(k).expect("a string serializes"));
                out.push(':');
                write(v, seed.rotate_right(3) ^ 0x9e37, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, seed.rotate_left(5), out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The seed spec's wire shapes, read once.
fn wire_spec() -> &'static qmp_wire::WireSpec {
    static SPEC: std::sync::OnceLock<qmp_wire::WireSpec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let path = qmp_spec::default_spec_path();
        let text = std::fs::read_to_string(&path).expect("the default spec is in the repo");
        let parsed = qmp_spec::read("qmp-events.txt", &text).expect("the default spec reads");
        qmp_wire::WireSpec::new(&parsed.spec, &qmp_wire::Conditions::IncludeAll)
    })
}

fn sorted(v: Vec<Violation>) -> Vec<String> {
    let mut out: Vec<String> = v.into_iter().map(|v| format!("{v:?}")).collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_object_round_trips_and_validates_alike(value in message(), seed in any::<u64>()) {
        let mut text = String::new();
        write(&value, seed, &mut text);
        // Compare with the text as serde_json reads it (its float parsing is not exact).
        let value: Value = serde_json::from_str(&text).expect("the writer writes JSON");

        let msg: Message = serde_json::from_str(&text).expect("every JSON object decodes");
        prop_assert_eq!(serde_json::to_value(&msg).expect("serializes"), value.clone(), "text: {}", text);

        // The crate's own reader (`str::parse`) decodes exactly as serde_json does.
        let parsed: Message = text.parse().expect("every JSON object parses");
        prop_assert_eq!(&parsed, &msg, "text: {}", text);

        // Decoding from a Value takes the owned path; same result.
        let from_value = Message::from_value(value.clone()).expect("decodes from a Value");
        prop_assert_eq!(&from_value, &msg);

        let interpreted = Event::validate(&value);
        prop_assert_eq!(sorted(msg.violations()), sorted(interpreted.clone()), "text: {}", text);
        // The run-time validator of qmp-wire, built from the spec and not from the generated
        // code, agrees on the text of every violation.
        let mut wire: Vec<String> = qmp_wire::validate(wire_spec(), &value).iter().map(ToString::to_string).collect();
        wire.sort();
        let mut typed: Vec<String> = interpreted.iter().map(ToString::to_string).collect();
        typed.sort();
        prop_assert_eq!(typed, wire, "text: {}", text);

        // A typed event has only drift; a mismatched one has at least one hard violation.
        let hard = interpreted.iter().any(|v| !v.is_drift());
        match &msg.event {
            Event::Mismatched(m) => {
                prop_assert!(hard, "mismatched without a hard violation: {:?}", m);
                prop_assert_eq!(m.data.as_ref(), value.get("data"));
            }
            Event::Unknown(u) => {
                prop_assert_eq!(Some(&Value::from(u.name.clone())), value.get("event"));
                prop_assert!(EventKind::from_name(&u.name).is_none());
            }
            Event::Absent => prop_assert!(!value.get("event").is_some_and(Value::is_string)),
            typed => {
                let top_level_only = interpreted.iter().filter(|v| !v.is_drift()).all(|v| !v.pointer.starts_with("/data") && !v.pointer.is_empty());
                prop_assert!(top_level_only, "typed {:?} despite {:?}", typed, interpreted);
                prop_assert_eq!(typed.name(), value.get("event").and_then(Value::as_str));
            }
        }
    }

    /// Broken and unusual input (edits with the bytes that matter to a JSON reader): `parse`
    /// gives serde_json's result, the same message or the same error at the same place.
    #[test]
    fn parse_agrees_with_serde_json_on_any_text(
        value in message(),
        seed in any::<u64>(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0..3u8, prop::sample::select(vec![
                b'{', b'}', b'[', b']', b',', b':', b'"', b'\\', b' ', b'\n', b'\t', 0x01, b'-',
                b'0', b'1', b'9', b'.', b'e', b'E', b'+', b'n', b't', b'f', b'u', b'x',
            ])),
            0..3,
        ),
    ) {
        let mut text = String::new();
        write(&value, seed, &mut text);
        let mut bytes = text.into_bytes();
        for (at, how, byte) in edits {
            let at = at.index(bytes.len() + 1);
            match how {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => bytes.push(byte),
            }
        }
        let expected = serde_json::from_slice::<Message>(&bytes).map_err(|e| e.to_string());
        let parsed = Message::from_slice(&bytes).map_err(|e| e.to_string());
        prop_assert_eq!(&parsed, &expected, "text: {}", String::from_utf8_lossy(&bytes));
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let parsed = text.parse::<Message>().map_err(|e| e.to_string());
            prop_assert_eq!(parsed, expected, "text: {}", text);
        }
    }

    #[test]
    fn anything_but_an_object_is_an_error(
        value in prop_oneof![json().prop_map(|v| Value::Array(vec![v])), number(), "\\PC{0,8}".prop_map(Value::String)]
    ) {
        prop_assert!(serde_json::from_str::<Message>(&value.to_string()).is_err());
        prop_assert!(value.to_string().parse::<Message>().is_err());
    }
}
