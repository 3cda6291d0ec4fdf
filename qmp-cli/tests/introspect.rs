//! `qmp-events validate` with a QAPI schema or a `query-qmp-schema` reply (`--spec`), and with a
//! schema asked of a QMP server (`--spec-from`, here a fake one on a unix socket).

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;

fn validate(args: &[&str]) -> std::process::Output {
    let mut all = vec!["validate".to_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    run(&all)
}

#[test]
fn real_events_of_qemu_10_validate_against_its_own_schema() {
    let output = validate(&["--spec", &at(CAPTURE), &at(EVENTS)]);
    assert_eq!(
        stdout(&output),
        "messages: 14, known: 14, unknown: 0, violations: 0, invalid-json: 0\n"
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn and_against_the_qapi_schema_under_x86_64_options() {
    let mut args = x86_64_cfg();
    args.extend(["--spec".to_owned(), at(QAPI_10), at(EVENTS)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = validate(&args);
    assert_eq!(
        stdout(&output),
        "messages: 14, known: 14, unknown: 0, violations: 0, invalid-json: 0\n"
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("conditions evaluated with"));
}

/// The corpus (examples of the seed document, then drifted and broken lines) against the live
/// schema: the seed's examples are what drifted.
#[test]
fn corpus_against_the_live_schema() {
    let corpus = at("qmp-cli/tests/data/corpus.jsonl");
    let output = validate(&["--spec", &at(CAPTURE), &corpus]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let expected = [
        "1: ACPI_DEVICE_OST: /data: missing required member `info`",
        "1: ACPI_DEVICE_OST: /data: unknown member `device` (drift)",
        "1: ACPI_DEVICE_OST: /data: unknown member `slot` (drift)",
        "1: ACPI_DEVICE_OST: /data: unknown member `slot-type` (drift)",
        "1: ACPI_DEVICE_OST: /data: unknown member `source` (drift)",
        "1: ACPI_DEVICE_OST: /data: unknown member `status` (drift)",
        "4: QUORUM_FAILURE: /data: missing required member `sectors-count`",
        "4: QUORUM_FAILURE: /data: unknown member `sector-count` (drift)",
        "5: QUORUM_REPORT_BAD: /data: missing required member `sectors-count`",
        "5: QUORUM_REPORT_BAD: /data: missing required member `type`",
        "5: QUORUM_REPORT_BAD: /data: unknown member `sector-count` (drift)",
    ];
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(&lines[..expected.len()], expected, "{text}");
    assert!(lines.contains(&"22: BALLOON_CHANGE: /data/actual: expected integer, found a string"));
    assert_eq!(
        lines.last().copied(),
        Some("messages: 24, known: 19, unknown: 0, violations: 17, invalid-json: 3")
    );
}

#[test]
fn json_output_of_wire_violations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"event\": \"SPICE_CONNECTED\", \"data\": {\"server\": {\"host\": \"h\", \"port\": \"1\", \
         \"family\": \"carrier-pigeon\"}, \"client\": {\"host\": \"h\", \"port\": 2, \"family\": \"ipv4\"}}}\n",
    )
    .expect("writes");
    let output = validate(&[
        "--json",
        "--spec",
        &at(CAPTURE),
        input.to_str().expect("UTF-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["pointer"], "/data/client/port");
    assert_eq!(lines[0]["kind"], "wrong_type");
    assert_eq!(lines[0]["expected"], "string");
    assert_eq!(lines[0]["drift"], false);
    assert_eq!(lines[1]["pointer"], "/data/server/family");
    assert_eq!(lines[1]["kind"], "unknown_value");
    assert_eq!(lines[1]["value"], "carrier-pigeon");
    assert_eq!(lines[1]["drift"], true);
    assert_eq!(lines[2]["summary"]["violations"], 2);
}

#[test]
fn a_malformed_reply_is_a_spec_error_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("schema.json");
    std::fs::write(
        &spec,
        "{\"return\": [\n  {\"name\": \"X\", \"meta-type\": 7}\n]}\n",
    )
    .expect("writes");
    let output = validate(&["--spec", spec.to_str().expect("UTF-8"), "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("error: `meta-type` must be a string, not a number"),
        "{err}"
    );
    assert!(err.contains("schema.json:2:30"), "{err}");
    std::fs::write(&spec, "[{\"name\": ").expect("writes");
    let output = validate(&["--spec", spec.to_str().expect("UTF-8"), "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("error: invalid JSON: EOF while parsing"),
        "{}",
        stderr(&output)
    );
}

/// A QMP server that greets, accepts `qmp_capabilities`, sends an event, then answers
/// `query-qmp-schema` with the checked-in reply; returns what the client sent.
fn fake_qemu(listener: UnixListener, schema: String) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accepts");
        let mut writer = stream.try_clone().expect("clones");
        let mut reader = BufReader::new(stream);
        let mut received = Vec::new();
        writer
            .write_all(b"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n")
            .expect("greets");
        let mut line = String::new();
        while reader.read_line(&mut line).expect("reads") > 0 {
            received.push(line.trim_end().to_owned());
            let command: serde_json::Value = serde_json::from_str(&line).expect("JSON");
            line.clear();
            match command["execute"].as_str() {
                Some("qmp_capabilities") => {
                    // With the command's `id`, as QEMU does.
                    let reply = serde_json::json!({"return": {}, "id": command["id"]});
                    writer
                        .write_all(format!("{reply}\r\n").as_bytes())
                        .expect("replies");
                }
                Some("query-qmp-schema") => {
                    writer
                        .write_all(b"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n")
                        .expect("sends an event");
                    let mut reply = serde_json::json!({"return": serde_json::from_str::<serde_json::Value>(&schema).expect("JSON")["return"]});
                    reply["id"] = command["id"].clone();
                    writer
                        .write_all(format!("{reply}\r\n").as_bytes())
                        .expect("replies");
                }
                _ => break,
            }
        }
        received
    })
}

#[test]
fn spec_from_asks_the_server_for_its_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("qmp.sock");
    let listener = UnixListener::bind(&socket).expect("binds");
    let schema = std::fs::read_to_string(at(CAPTURE)).expect("reads the capture");
    let server = fake_qemu(listener, schema);
    let output = validate(&["--spec-from", socket.to_str().expect("UTF-8"), &at(EVENTS)]);
    assert_eq!(
        stdout(&output),
        "messages: 14, known: 14, unknown: 0, violations: 0, invalid-json: 0\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    let received = server.join().expect("the server ran");
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received[1].contains("query-qmp-schema"), "{received:?}");
}

#[test]
fn spec_from_a_socket_nobody_listens_on_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("none.sock");
    let output = validate(&["--spec-from", socket.to_str().expect("UTF-8"), "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot connect"),
        "{}",
        stderr(&output)
    );
}

/// No input makes the introspection reader, the wire shapes, the diff or the validator panic:
/// every truncation of a real reply (at a stride), and replies with values swapped for others.
#[test]
fn no_panic_on_damaged_replies() {
    let text = std::fs::read_to_string(at(QSD_CAPTURE)).expect("reads the capture");
    let good = qmp_introspect::read("good", &text)
        .expect("the capture reads")
        .spec;
    let good = qmp_wire::WireSpec::new(&good, &qmp_wire::Conditions::IncludeAll);
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            assert!(qmp_introspect::read("cut", &text[..cut]).is_err() || cut == 0);
        }
        cut += 3989;
    }
    let swaps = [
        ("\"object\"", "\"enum\""),
        ("\"enum\"", "\"object\""),
        ("\"str\"", "\"0\""),
        ("\"members\"", "\"values\""),
        ("\"type\"", "\"tag\""),
        ("\"int\"", "\"[int]\""),
        ("\"default\": null", "\"default\": 1"),
        ("\"event\"", "\"alternate\""),
        ("\"case\"", "\"name\""),
        ("\"arg-type\": \"", "\"arg-type\": \"[str"),
    ];
    let message =
        serde_json::json!({"event": "JOB_STATUS_CHANGE", "data": {"id": "j", "status": 3}});
    for (from, to) in swaps {
        for nth in [0, 7] {
            let Some((at, _)) = text.match_indices(from).nth(nth) else {
                continue;
            };
            let damaged = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
            if let Ok(read) = qmp_introspect::read("damaged", &damaged) {
                let wire = qmp_wire::WireSpec::new(&read.spec, &qmp_wire::Conditions::IncludeAll);
                let _ = qmp_wire::diff(&good, &wire);
                let _ = qmp_wire::diff(&wire, &good);
                let _ = qmp_wire::validate(&wire, &message);
            }
        }
    }
}

#[test]
fn real_schemas_are_not_cut_off() {
    for path in [CAPTURE, QSD_CAPTURE] {
        let text = std::fs::read_to_string(at(path)).expect("reads the capture");
        let read = qmp_introspect::read(path, &text).expect("reads");
        let spec = qmp_wire::WireSpec::new(&read.spec, &qmp_wire::Conditions::IncludeAll);
        assert!(!spec.truncated, "{path}");
    }
}
