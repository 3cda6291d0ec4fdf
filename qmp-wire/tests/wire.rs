//! Wire shapes from small QAPI schemas and introspection replies: flattening, conditions, diff
//! lines and validation.

use qmp_wire::{Conditions, Data, IntKind, Shape, WireSpec, diff, validate};
use serde_json::json;
use std::path::Path;

/// A QAPI schema held in memory.
fn qapi(text: &str) -> qmp_ir::Spec {
    let text = text.to_owned();
    qmp_qapi::read_with(Path::new("t.json"), &mut |_| Ok(text.clone()))
        .unwrap_or_else(|d| {
            panic!(
                "{}",
                d.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
        .spec
}

fn wire(text: &str) -> WireSpec {
    WireSpec::new(&qapi(text), &Conditions::IncludeAll)
}

fn lines(old: &WireSpec, new: &WireSpec) -> Vec<String> {
    diff(old, new).iter().map(ToString::to_string).collect()
}

const UNION: &str = "
{ 'enum': 'Kind', 'data': [ 'inet', 'unix', 'fd' ] }
{ 'struct': 'Base', 'data': { 'id': 'str' } }
{ 'struct': 'Inet', 'base': 'Base', 'data': { 'host': 'str', '*port': 'uint16' } }
{ 'struct': 'Unix', 'data': { 'path': 'str', '*tight': { 'type': 'bool', 'if': 'CONFIG_LINUX' } } }
{ 'union': 'Addr', 'base': { 'type': 'Kind' }, 'discriminator': 'type',
  'data': { 'inet': 'Inet', 'unix': 'Unix' } }
{ 'alternate': 'NullOrInt', 'data': { 'n': 'null', 'i': 'int' } }
{ 'event': 'CONNECTED', 'data': { 'addr': 'Addr', 'ids': [ 'int8' ], 'x': 'NullOrInt' } }
{ 'event': 'GONE' }
{ 'event': 'ONLY_LINUX', 'if': 'CONFIG_LINUX' }
";

#[test]
fn unions_flatten_into_common_members_and_cases() {
    let spec = wire(UNION);
    let Some(Data::Value(Shape::Object(data))) = spec.event("CONNECTED").map(|e| &e.data) else {
        panic!("CONNECTED has object data");
    };
    let Some(Shape::Object(addr)) = data.members.get("addr").map(|m| &m.shape) else {
        panic!("addr is an object");
    };
    let variants = addr.variants.as_ref().expect("a union");
    assert_eq!(variants.tag, "type");
    let inet = &variants.cases["inet"];
    // The branch's struct base is flattened; integer widths are kept.
    assert_eq!(
        inet.members.keys().collect::<Vec<_>>(),
        ["host", "id", "port"]
    );
    assert_eq!(inet.members["port"].shape, Shape::Int(IntKind::Uint16));
    assert!(
        !variants.cases.contains_key("fd"),
        "a value without members has no case"
    );
    assert_eq!(
        data.members["ids"].shape,
        Shape::Array(Box::new(Shape::Int(IntKind::Int8)))
    );
    assert!(matches!(
        spec.event("GONE").map(|e| &e.data),
        Some(Data::None)
    ));
    assert_eq!(
        spec.event("ONLY_LINUX")
            .and_then(|e| e.condition.as_deref()),
        Some("CONFIG_LINUX")
    );
}

#[test]
fn conditions_are_evaluated_with_cfg() {
    let spec = qapi(UNION);
    let with = WireSpec::new(&spec, &Conditions::Cfg(["CONFIG_LINUX".to_owned()].into()));
    let without = WireSpec::new(&spec, &Conditions::Cfg(Default::default()));
    assert_eq!(
        lines(&without, &with),
        [
            "~ CONNECTED /data/addr[type=unix]/tight: member added (optional bool)",
            "+ ONLY_LINUX",
        ]
    );
    assert!(lines(&with, &wire(UNION)).is_empty());
}

#[test]
fn diff_lines_for_each_kind_of_change() {
    let old = wire(UNION);
    let new = wire(
        "
{ 'enum': 'Kind', 'data': [ 'inet', 'unix', 'vsock' ] }
{ 'struct': 'Inet', 'data': { 'id': 'str', 'host': 'str', 'port': 'number' } }
{ 'struct': 'Unix', 'data': { 'path': 'str', '*tight': 'bool' } }
{ 'struct': 'Vsock', 'data': { 'cid': 'str' } }
{ 'union': 'Addr', 'base': { 'type': 'Kind' }, 'discriminator': 'type',
  'data': { 'inet': 'Inet', 'unix': 'Unix', 'vsock': 'Vsock' } }
{ 'alternate': 'NullOrBool', 'data': { 'n': 'null', 'b': 'bool' } }
{ 'event': 'CONNECTED', 'data': { 'addr': 'Addr', '*ids': [ 'int' ], 'x': 'NullOrBool' } }
{ 'event': 'NEW' }
{ 'event': 'ONLY_LINUX', 'if': 'CONFIG_LINUX' }
",
    );
    assert_eq!(
        lines(&old, &new),
        [
            "~ CONNECTED /data/addr/type: value added: \"vsock\"",
            "~ CONNECTED /data/addr/type: value removed: \"fd\"",
            "~ CONNECTED /data/addr[type=inet]/port: made required",
            "~ CONNECTED /data/addr[type=inet]/port: type changed: int -> number",
            "~ CONNECTED /data/addr[type=vsock]/cid: member added (required str)",
            "~ CONNECTED /data/ids: made optional",
            "~ CONNECTED /data/x: alternative removed: int",
            "~ CONNECTED /data/x: alternative added: bool",
            "- GONE",
            "+ NEW",
        ]
    );
    // And back: the mirror images.
    let back = lines(&new, &old);
    assert!(
        back.contains(
            &"~ CONNECTED /data/addr[type=vsock]/cid: member removed (was required str)".to_owned()
        ),
        "{back:?}"
    );
    assert!(
        back.contains(&"~ CONNECTED /data/addr[type=inet]/port: made optional".to_owned()),
        "{back:?}"
    );
}

#[test]
fn wrappers_and_renames() {
    let flat = wire("{ 'event': 'E', 'data': { 'a': 'int', 'sector-count': 'int' } }");
    let wrapped = wire(
        "{ 'struct': 'Info', 'data': { 'a': 'int', 'sector-count': 'int' } }
         { 'event': 'E', 'data': { 'info': 'Info' } }",
    );
    assert_eq!(
        lines(&flat, &wrapped),
        ["~ E /data/info: new wrapper: what was /data is now inside member `info`"]
    );
    assert_eq!(
        lines(&wrapped, &flat),
        ["~ E /data/info: wrapper removed: what was inside member `info` is now /data"]
    );
    let renamed = wire("{ 'event': 'E', 'data': { 'a': 'int', 'sectors-count': 'int' } }");
    assert_eq!(
        lines(&flat, &renamed),
        [
            "~ E /data/sector-count: looks renamed to `sectors-count` (removed, and `sectors-count` added with the same type: required int)"
        ]
    );
    let unrelated = wire("{ 'event': 'E', 'data': { 'a': 'int', 'zzz': 'int' } }");
    assert_eq!(
        lines(&flat, &unrelated),
        [
            "~ E /data/sector-count: member removed (was required int)",
            "~ E /data/zzz: member added (required int)",
        ]
    );
}

#[test]
fn recursive_types_terminate() {
    let text = "
{ 'struct': 'Node', 'data': { 'name': 'str', '*children': [ 'Node' ] } }
{ 'event': 'TREE', 'data': { 'root': 'Node' } }";
    let spec = wire(text);
    assert!(spec.recursive.contains_key("Node"));
    assert!(lines(&spec, &wire(text)).is_empty());
    let message = json!({"event": "TREE", "data": {"root": {"name": "a",
        "children": [{"name": "b", "children": [{"name": 3}]}]}}});
    let violations: Vec<String> = validate(&spec, &message)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        violations,
        ["/data/root/children/0/children/0/name: expected string, found an integer"]
    );
}

#[test]
fn validation_follows_unions_arrays_and_alternates() {
    let spec = wire(UNION);
    let check = |message: serde_json::Value| -> Vec<String> {
        validate(&spec, &message)
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert!(
        check(
            json!({"event": "CONNECTED", "data": {"addr": {"type": "inet", "id": "x",
        "host": "h"}, "ids": [1, -2], "x": 5}})
        )
        .is_empty()
    );
    assert_eq!(
        check(
            json!({"event": "CONNECTED", "data": {"addr": {"type": "unix", "host": "h"},
            "ids": [1, "2"], "x": true}})
        ),
        [
            "/data/addr: missing required member `path`",
            "/data/addr: unknown member `host` (drift)",
            "/data/ids/1: expected integer, found a string",
            "/data/x: expected one of null, integer, found a boolean",
        ]
    );
    // An unknown discriminator value is drift, and the branch's members cannot be checked.
    assert_eq!(
        check(
            json!({"event": "CONNECTED", "data": {"addr": {"type": "vsock", "cid": 3},
            "ids": [], "x": null}})
        ),
        ["/data/addr/type: value \"vsock\" is not one of [\"fd\", \"inet\", \"unix\"] (drift)"]
    );
    assert_eq!(check(json!({"event": "GONE"})), Vec::<String>::new());
    assert_eq!(
        check(json!({"event": "GONE", "data": {}})),
        Vec::<String>::new()
    );
    assert_eq!(
        check(json!({"event": "GONE", "data": {"a": 1}})),
        ["/data: unexpected `data`: the spec says this event has none"]
    );
    assert_eq!(check(json!({"event": "CONNECTED"})), ["/: missing `data`"]);
    // Envelope members come in the map's order (sorted, unless serde_json keeps the order).
    let mut envelope = check(json!({"event": "NOPE", "timestamp": 3, "extra": 1}));
    envelope.sort();
    assert_eq!(
        envelope,
        [
            "/: unknown event `NOPE` (drift)",
            "/: unknown member `extra` (drift)",
            "/timestamp: `timestamp` is not {\"seconds\": integer, \"microseconds\": integer}",
        ]
    );
    assert_eq!(check(json!([1])), ["/: not a JSON object but an array"]);
    assert_eq!(
        check(json!({"data": 1})),
        [
            "/: unknown member `data` (drift)",
            "/: missing the string member `event`"
        ]
    );
}

#[test]
fn introspection_and_qapi_agree() {
    let reply = r#"[
 {"name": "E", "meta-type": "event", "arg-type": "0"},
 {"name": "0", "meta-type": "object", "members": [
   {"name": "addr", "type": "1"}, {"name": "ids", "type": "[int]", "default": null},
   {"name": "x", "type": "3"}]},
 {"name": "1", "meta-type": "object", "members": [{"name": "type", "type": "2"}],
  "tag": "type", "variants": [{"case": "inet", "type": "4"}, {"case": "fd", "type": "5"}]},
 {"name": "2", "meta-type": "enum", "values": ["inet", "fd"]},
 {"name": "3", "meta-type": "alternate", "members": [{"type": "null"}, {"type": "int"}]},
 {"name": "null", "meta-type": "builtin", "json-type": "null"},
 {"name": "4", "meta-type": "object", "members": [{"name": "host", "type": "str"}]},
 {"name": "5", "meta-type": "object", "members": []},
 {"name": "[int]", "meta-type": "array", "element-type": "int"},
 {"name": "int", "meta-type": "builtin", "json-type": "int"},
 {"name": "str", "meta-type": "builtin", "json-type": "string"}
]"#;
    let live = WireSpec::new(
        &qmp_introspect::read("r.json", reply).expect("reads").spec,
        &Conditions::IncludeAll,
    );
    let schema = wire(
        "{ 'enum': 'Kind', 'data': [ 'inet', 'fd' ] }
         { 'struct': 'Inet', 'data': { 'host': 'str' } }
         { 'union': 'Addr', 'base': { 'type': 'Kind' }, 'discriminator': 'type',
           'data': { 'inet': 'Inet' } }
         { 'alternate': 'NullOrInt', 'data': { 'a': 'null', 'b': 'uint32' } }
         { 'event': 'E', 'data': { 'addr': 'Addr', '*ids': [ 'size' ], 'x': 'NullOrInt' } }",
    );
    assert_eq!(lines(&schema, &live), Vec::<String>::new());
}

#[test]
fn the_legacy_document_leaves_things_open() {
    let path = qmp_spec::default_spec_path();
    let text = std::fs::read_to_string(&path).expect("the seed is readable");
    let seed = qmp_spec::read("qmp-events.txt", &text).expect("the seed reads");
    let spec = WireSpec::new(&seed.spec, &Conditions::IncludeAll);
    // ACPIOSTInfo is only named: any object goes, wrapped or not.
    assert_eq!(
        spec.event("ACPI_DEVICE_OST").map(|e| &e.data),
        Some(&Data::Value(Shape::AnyObject))
    );
    assert!(
        validate(
            &spec,
            &json!({"event": "ACPI_DEVICE_OST", "data": {"info": {}}})
        )
        .is_empty()
    );
    assert_eq!(
        validate(&spec, &json!({"event": "ACPI_DEVICE_OST", "data": 1}))
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["/data: expected object, found an integer"]
    );
    let violations = validate(
        &spec,
        &json!({"event": "GUEST_PANICKED", "data": {"action": "run"}}),
    );
    assert_eq!(violations.len(), 1);
    assert!(violations[0].is_drift());
}

/// A crafted schema whose types share members at every level (2^20 paths) or nest 1,000 deep
/// must not hang or overflow the stack: the shapes are cut off, and say so.
#[test]
fn huge_schemas_are_cut_off() {
    let mut entries = vec![
        r#"{"name": "E", "meta-type": "event", "arg-type": "t0"}"#.to_owned(),
        r#"{"name": "int", "meta-type": "builtin", "json-type": "int"}"#.to_owned(),
    ];
    for i in 0..20 {
        entries.push(format!(
            r#"{{"name": "t{i}", "meta-type": "object", "members": [{{"name": "a", "type": "t{n}"}}, {{"name": "b", "type": "t{n}"}}]}}"#,
            n = i + 1
        ));
    }
    entries.push(
        r#"{"name": "t20", "meta-type": "object", "members": [{"name": "x", "type": "int"}]}"#
            .to_owned(),
    );
    let wide = format!("[{}]", entries.join(","));
    let read = qmp_introspect::read("wide", &wide).expect("reads");
    let spec = WireSpec::new(&read.spec, &Conditions::IncludeAll);
    assert!(spec.truncated);

    let mut entries = vec![r#"{"name": "E", "meta-type": "event", "arg-type": "t0"}"#.to_owned()];
    for i in 0..1_000 {
        entries.push(format!(
            r#"{{"name": "t{i}", "meta-type": "object", "members": [{{"name": "a", "type": "t{n}"}}]}}"#,
            n = i + 1
        ));
    }
    entries.push(r#"{"name": "t1000", "meta-type": "object", "members": []}"#.to_owned());
    let deep = format!("[{}]", entries.join(","));
    let read = qmp_introspect::read("deep", &deep).expect("reads");
    let spec = WireSpec::new(&read.spec, &Conditions::IncludeAll);
    assert!(spec.truncated);
    assert!(diff(&spec, &spec).is_empty());
    let message = json!({"event": "E", "data": {"a": {"a": {"a": 1}}}});
    assert_eq!(validate(&spec, &message).len(), 1);
}
