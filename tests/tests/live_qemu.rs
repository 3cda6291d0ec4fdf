//! Live tests against a real `qemu-system-x86_64` (10.x): each scenario makes QEMU emit
//! real events over a real QMP socket, and the raw lines are checked member by member.
//!
//! A `harness = false` binary on libtest-mimic ([`qmp_tests::run_live_event_tests`]): without QEMU on
//! `PATH` every test shows as ignored, with the reason, unless `QMP_REQUIRE_QEMU=1` (then it
//! fails). Install QEMU with `scripts/install-qemu.sh`. Output is never captured, so the
//! captured lines are always shown.

use qmp_events::{ACPIOSTInfo, Event, EventKind, GuestPanickedAction, Message, qemu_10_0};
use qmp_tests::scenarios::{
    BootProgram, PanicAction, SpiceFamily, capture_block_io_error, capture_block_jobs,
    capture_block_nodes, capture_boot_sector, capture_guest_panicked, capture_lifecycle,
    capture_migration, capture_quorum_failure, capture_quorum_report_bad, capture_spice,
    capture_spice_garbage_ticket, capture_vnc_netdev, lines_named, linux_guest_events,
};
use qmp_tests::{
    Completion, find_on_path, live_tests, qemu_required, record_scenario, run_live_event_tests,
};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::ExitCode;

/// Checks the envelope of one raw event line and returns it parsed.
///
/// QEMU sends one JSON object per line: `{"timestamp": {"seconds": S, "microseconds":
/// U}, "event": NAME}` plus `"data"` for events that have data.
fn check_line(raw: &str) -> Value {
    assert!(
        !raw.contains(['\n', '\r']),
        "raw line has a line break: {raw:?}"
    );
    assert!(
        raw.starts_with(r#"{"timestamp": {"seconds": "#),
        "QEMU's line layout changed: {raw}"
    );
    let value: Value = serde_json::from_str(raw).expect("QEMU sent valid JSON");
    let object = value.as_object().expect("an event line is a JSON object");
    for key in object.keys() {
        assert!(
            ["timestamp", "event", "data"].contains(&key.as_str()),
            "unexpected member {key:?} in {raw}"
        );
    }
    let timestamp = object["timestamp"].as_object().expect("timestamp object");
    assert_eq!(timestamp.len(), 2, "{raw}");
    assert!(timestamp["seconds"].is_u64(), "{raw}");
    let micros = timestamp["microseconds"]
        .as_u64()
        .expect("microseconds: u64");
    assert!(micros < 1_000_000, "{raw}");
    assert!(object["event"].is_string(), "{raw}");
    // Typed decoding keeps every byte of meaning: it serializes back to the same JSON, and the
    // typed validation agrees with the validation of the raw JSON.
    let msg = decode(raw);
    assert_eq!(msg.to_value(), value, "lossless round trip of {raw}");
    assert_eq!(
        msg.violations(),
        qmp_events::Event::validate(&value),
        "{raw}"
    );
    // QEMU 10's own schema types every line it sends: no unknown event, no mismatch, no drift.
    let typed: Message<qemu_10_0::Event> = raw.parse().expect("every JSON object parses");
    let via_serde: Message<qemu_10_0::Event> =
        serde_json::from_str(raw).expect("every JSON object decodes");
    assert_eq!(
        typed, via_serde,
        "str::parse and serde_json differ on {raw}"
    );
    assert_eq!(typed.to_value(), value, "lossless round trip of {raw}");
    assert!(
        typed.violations().is_empty(),
        "{raw} differs from QEMU 10.0.2's schema: {:?}",
        typed.violations()
    );
    assert!(
        typed.event.kind().is_some() && !matches!(typed.event, qemu_10_0::Event::Mismatched(_)),
        "not typed by QEMU 10.0.2's schema: {raw}"
    );
    value
}

/// Decodes a raw line as the typed message, both ways: `str::parse` (the crate's own reader, for
/// the lines QEMU really writes) and serde_json must agree.
fn decode(raw: &str) -> Message {
    let msg: Message = serde_json::from_str(raw).expect("every JSON object decodes");
    // What QEMU writes is what the reader covers: no line goes the slow way.
    assert!(
        qmp_events::__private::scan(raw),
        "outside the own reader: {raw}"
    );
    let parsed: Message = raw.parse().expect("every JSON object parses");
    assert_eq!(parsed, msg, "str::parse and serde_json differ on {raw}");
    msg
}

/// The typed message of the only event named `name`, and its violations as text.
fn typed(raw: &[String], name: &str) -> (Message, Vec<String>) {
    let lines = lines_named(raw, name);
    assert_eq!(lines.len(), 1, "expected exactly one {name}");
    let msg = decode(lines[0]);
    let violations = msg.violations().iter().map(ToString::to_string).collect();
    (msg, violations)
}

/// Prints and checks every line; returns the parsed events.
fn check_all(scenario: &str, events: &[String]) -> Vec<Value> {
    for raw in events {
        eprintln!("[{scenario}] {raw}");
    }
    record_scenario(scenario, events);
    events.iter().map(|raw| check_line(raw)).collect()
}

fn names(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event"].as_str().expect("event name"))
        .collect()
}

/// The only event named `name`.
fn only<'a>(events: &'a [Value], name: &str) -> &'a Value {
    let found: Vec<&Value> = events.iter().filter(|e| e["event"] == name).collect();
    assert_eq!(found.len(), 1, "expected exactly one {name}: {events:?}");
    found[0]
}

fn data(event: &Value) -> &Map<String, Value> {
    event["data"].as_object().expect("data is an object")
}

fn lifecycle_stop_resume_reset_powerdown_shutdown(qemu: &Path) {
    let raw = capture_lifecycle(qemu).expect("lifecycle scenario");
    let events = check_all("lifecycle", &raw);
    assert_eq!(
        names(&events),
        ["STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN"]
    );
    for name in ["STOP", "RESUME", "POWERDOWN"] {
        assert!(
            only(&events, name).get("data").is_none(),
            "{name} has no data"
        );
    }
    assert_eq!(
        only(&events, "RESET")["data"],
        json!({ "guest": false, "reason": "host-qmp-system-reset" })
    );
    assert_eq!(
        only(&events, "SHUTDOWN")["data"],
        json!({ "guest": false, "reason": "host-qmp-quit" })
    );
    // None of these is in the seed document: each is kept whole as an unknown event (drift).
    for name in ["STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN"] {
        let (msg, violations) = typed(&raw, name);
        let Event::Unknown(unknown) = &msg.event else {
            panic!("{name}: {:?}", msg.event)
        };
        assert_eq!(unknown.name, name);
        assert_eq!(unknown.data.as_ref(), only(&events, name).get("data"));
        assert_eq!(violations, [format!("/: unknown event `{name}` (drift)")]);
    }
}

fn quorum_report_bad_names_the_odd_child(qemu: &Path) {
    let raw = capture_quorum_report_bad(qemu).expect("quorum report-bad scenario");
    let events = check_all("quorum_report_bad", &raw);
    assert_eq!(names(&events), ["QUORUM_REPORT_BAD"]);
    // The document says "sector-count"; QEMU 10 sends "sectors-count" and adds "type".
    assert_eq!(
        only(&events, "QUORUM_REPORT_BAD")["data"],
        json!({ "node-name": "raw2", "sector-num": 0, "sectors-count": 1, "type": "read" })
    );
    let line = lines_named(&raw, "QUORUM_REPORT_BAD")[0];
    assert!(line.contains(r#""sectors-count": 1"#) && !line.contains("sector-count"));
    // Not the document's shape: kept as raw JSON, with exactly what differs.
    let (msg, violations) = typed(&raw, "QUORUM_REPORT_BAD");
    let Event::Mismatched(m) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(m.kind, EventKind::QuorumReportBad);
    assert_eq!(
        m.data.as_ref(),
        only(&events, "QUORUM_REPORT_BAD").get("data")
    );
    assert_eq!(
        violations,
        [
            "/data: missing required member `sector-count`",
            "/data: unknown member `sectors-count` (drift)",
            "/data: unknown member `type` (drift)",
        ]
    );
}

fn quorum_failure_when_no_two_children_agree(qemu: &Path) {
    let raw = capture_quorum_failure(qemu).expect("quorum failure scenario");
    let events = check_all("quorum_failure", &raw);
    assert_eq!(names(&events), ["QUORUM_FAILURE"]);
    assert_eq!(
        only(&events, "QUORUM_FAILURE")["data"],
        json!({ "reference": "quorum0", "sector-num": 0, "sectors-count": 1 })
    );
    let (msg, violations) = typed(&raw, "QUORUM_FAILURE");
    let Event::Mismatched(m) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(m.kind, EventKind::QuorumFailure);
    assert_eq!(m.data.as_ref(), only(&events, "QUORUM_FAILURE").get("data"));
    assert_eq!(
        violations,
        [
            "/data: missing required member `sector-count`",
            "/data: unknown member `sectors-count` (drift)",
        ]
    );
}

/// Runs the pvpanic boot sector under `action`; checks GUEST_PANICKED and the rest.
fn guest_panicked(
    qemu: &Path,
    action: PanicAction,
    reported: &str,
    expected_names: &[&str],
) -> Vec<Value> {
    let scenario = format!("guest_panicked_{}", action.option_value());
    let raw = capture_guest_panicked(qemu, action).expect("guest panic scenario");
    let events = check_all(&scenario, &raw);
    assert_eq!(names(&events), expected_names);
    // pvpanic carries no crash information, so there is no "info" member.
    assert_eq!(
        only(&events, "GUEST_PANICKED")["data"],
        json!({ "action": reported })
    );
    // Typed: "pause" is the documented value; QEMU 10's others decode as drift, not errors.
    let (msg, violations) = typed(&raw, "GUEST_PANICKED");
    let Event::GuestPanicked(panicked) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(panicked.action, GuestPanickedAction::from(reported));
    assert_eq!(panicked.action.as_str(), reported);
    if reported == "pause" {
        assert_eq!(panicked.action, GuestPanickedAction::Pause);
        assert!(violations.is_empty(), "{violations:?}");
    } else {
        assert_eq!(
            panicked.action,
            GuestPanickedAction::Other(reported.to_owned())
        );
        assert_eq!(
            violations,
            [format!(
                "/data/action: value \"{reported}\" is not one of [\"pause\"] (drift)"
            )]
        );
    }
    events
}

fn guest_panicked_pause(qemu: &Path) {
    let events = guest_panicked(
        qemu,
        PanicAction::Pause,
        "pause",
        &["RESUME", "GUEST_PANICKED", "STOP", "SHUTDOWN"],
    );
    if let Some(shutdown) = events.last() {
        assert_eq!(
            shutdown["data"],
            json!({ "guest": false, "reason": "host-qmp-quit" })
        );
    }
}

fn guest_panicked_shutdown_reports_poweroff(qemu: &Path) {
    let events = guest_panicked(
        qemu,
        PanicAction::Shutdown,
        "poweroff",
        &["RESUME", "GUEST_PANICKED", "SHUTDOWN"],
    );
    if let Some(shutdown) = events.last() {
        assert_eq!(
            shutdown["data"],
            json!({ "guest": true, "reason": "guest-panic" })
        );
    }
}

fn guest_panicked_exit_failure_reports_poweroff(qemu: &Path) {
    let events = guest_panicked(
        qemu,
        PanicAction::ExitFailure,
        "poweroff",
        &["RESUME", "GUEST_PANICKED", "SHUTDOWN"],
    );
    if let Some(shutdown) = events.last() {
        assert_eq!(
            shutdown["data"],
            json!({ "guest": true, "reason": "guest-panic" })
        );
    }
}

fn guest_panicked_none_reports_run(qemu: &Path) {
    let events = guest_panicked(
        qemu,
        PanicAction::None,
        "run",
        &["RESUME", "GUEST_PANICKED", "SHUTDOWN"],
    );
    if let Some(shutdown) = events.last() {
        assert_eq!(
            shutdown["data"],
            json!({ "guest": false, "reason": "host-qmp-quit" })
        );
    }
}

/// Checks an address object (`host`, `port` as a decimal string, `family`).
fn check_address(address: &Value, host: &str, family: &str, extra: &[&str]) -> u16 {
    let object = address.as_object().expect("address is an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = vec!["family", "host", "port"];
    expected.extend_from_slice(extra);
    expected.sort_unstable();
    assert_eq!(keys, expected, "{address}");
    assert_eq!(object["host"], host);
    assert_eq!(object["family"], family);
    object["port"]
        .as_str()
        .expect("port is a JSON string")
        .parse()
        .expect("port string is a port number")
}

fn spice(qemu: &Path, family: SpiceFamily) -> Completion {
    let (scenario, host, family_name) = match family {
        SpiceFamily::Ipv4 => ("spice_ipv4", "127.0.0.1", "ipv4"),
        SpiceFamily::Ipv6 => ("spice_ipv6", "::1", "ipv6"),
    };
    if family.free_port().is_none() {
        return Completion::ignored_with(format!("cannot bind {host} on this machine"));
    }
    let raw = capture_spice(qemu, family).expect("SPICE scenario");
    let events = check_all(scenario, &raw);
    assert_eq!(
        names(&events),
        [
            "SPICE_CONNECTED",
            "SPICE_INITIALIZED",
            "SPICE_DISCONNECTED",
            "SHUTDOWN"
        ]
    );
    let mut server_ports = Vec::new();
    let mut client_ports = Vec::new();
    for name in ["SPICE_CONNECTED", "SPICE_DISCONNECTED"] {
        let data = data(only(&events, name));
        assert_eq!(data.len(), 2, "{name}: server and client only");
        server_ports.push(check_address(&data["server"], host, family_name, &[]));
        client_ports.push(check_address(&data["client"], host, family_name, &[]));
    }
    let initialized = data(only(&events, "SPICE_INITIALIZED"));
    assert_eq!(initialized.len(), 2);
    let server = &initialized["server"];
    server_ports.push(check_address(server, host, family_name, &["auth"]));
    // Ticketing disabled: the document's example says "spice", QEMU 10 says "none".
    assert_eq!(server["auth"], "none");
    let client = &initialized["client"];
    client_ports.push(check_address(
        client,
        host,
        family_name,
        &["channel-id", "channel-type", "connection-id", "tls"],
    ));
    assert_eq!(client["channel-type"], 1, "main channel");
    assert_eq!(client["channel-id"], 0);
    assert_eq!(client["tls"], false);
    // A random 32-bit session id, sent as a signed int (it can be negative).
    let connection_id = client["connection-id"]
        .as_i64()
        .expect("connection-id is an integer");
    assert!(i32::try_from(connection_id).is_ok(), "{connection_id}");
    assert!(
        server_ports.windows(2).all(|w| w[0] == w[1]),
        "{server_ports:?}"
    );
    assert!(
        client_ports.windows(2).all(|w| w[0] == w[1]),
        "{client_ports:?}"
    );
    // Typed: all three match the document, with the family decoded into its enum.
    let typed_family = match family {
        SpiceFamily::Ipv4 => qmp_events::SpiceConnectedServerFamily::Ipv4,
        SpiceFamily::Ipv6 => qmp_events::SpiceConnectedServerFamily::Ipv6,
    };
    for name in ["SPICE_CONNECTED", "SPICE_DISCONNECTED"] {
        let (msg, violations) = typed(&raw, name);
        assert!(violations.is_empty(), "{name}: {violations:?}");
        let (server, client) = match &msg.event {
            Event::SpiceConnected(e) => (&e.server, &e.client),
            Event::SpiceDisconnected(e) => (&e.server, &e.client),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!((&server.host[..], &server.family), (host, &typed_family));
        assert_eq!((&client.host[..], &client.family), (host, &typed_family));
        assert_eq!(
            server.port.parse::<u16>().ok(),
            server_ports.first().copied()
        );
    }
    let (msg, violations) = typed(&raw, "SPICE_INITIALIZED");
    assert!(violations.is_empty(), "{violations:?}");
    let Event::SpiceInitialized(init) = &msg.event else {
        panic!("{:?}", msg.event)
    };
    assert_eq!(init.server.auth.as_deref(), Some("none"));
    assert_eq!(init.client.connection_id, connection_id);
    assert_eq!(
        (
            init.client.channel_type,
            init.client.channel_id,
            init.client.tls
        ),
        (1, 0, false)
    );
    assert_eq!(init.client.family, typed_family);
    Completion::Completed
}

fn spice_connected_initialized_disconnected_ipv4(qemu: &Path) -> Completion {
    spice(qemu, SpiceFamily::Ipv4)
}

fn spice_connected_initialized_disconnected_ipv6(qemu: &Path) -> Completion {
    spice(qemu, SpiceFamily::Ipv6)
}

/// Measured: the server needs a decryptable ticket even with ticketing disabled.
fn spice_garbage_ticket_is_refused(qemu: &Path) {
    let (link_result, raw) = capture_spice_garbage_ticket(qemu).expect("SPICE scenario");
    let events = check_all("spice_garbage_ticket", &raw);
    // SPICE_LINK_ERR_PERMISSION_DENIED, and no SPICE_INITIALIZED.
    assert_eq!(link_result.expect("a link result"), 7);
    assert_eq!(names(&events), ["SPICE_CONNECTED", "SPICE_DISCONNECTED"]);
}

fn balloon_change_reports_actual_bytes(qemu: &Path) {
    use qmp_tests::scenarios::linux_guest::{BALLOON_TARGET, GUEST_RAM_MIB};
    let raw = linux_guest_events(qemu).expect("Linux guest scenario");
    let events = check_all("linux_guest", &raw);
    let actuals: Vec<u64> = events
        .iter()
        .filter(|e| e["event"] == "BALLOON_CHANGE")
        .map(|e| {
            let data = data(e);
            assert_eq!(data.len(), 1, "only \"actual\": {e}");
            data["actual"].as_u64().expect("actual: bytes as u64")
        })
        .collect();
    assert!(!actuals.is_empty());
    assert_eq!(actuals.last(), Some(&BALLOON_TARGET));
    for actual in &actuals {
        assert!(*actual >= BALLOON_TARGET && *actual < GUEST_RAM_MIB << 20);
        assert_eq!(actual % 4096, 0, "whole pages");
    }
    assert!(
        actuals.windows(2).all(|w| w[0] > w[1]),
        "inflating: {actuals:?}"
    );
    // Typed: the document's json-number is an i64 here; every message matches the spec.
    let typed_actuals: Vec<u64> = lines_named(&raw, "BALLOON_CHANGE")
        .into_iter()
        .map(|line| {
            let msg = decode(line);
            assert!(msg.violations().is_empty(), "{line}");
            match msg.event {
                Event::BalloonChange(b) => u64::try_from(b.actual).expect("a size"),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(typed_actuals, actuals);
}

fn acpi_device_ost_on_dimm_plug_and_unplug(qemu: &Path) {
    let raw = linux_guest_events(qemu).expect("Linux guest scenario");
    let events = check_all("linux_guest", &raw);
    let osts: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "ACPI_DEVICE_OST")
        .collect();
    // QEMU 10 wraps the ACPIOSTInfo in "info" (the document shows it unwrapped).
    // source 1 = device check (insert), status 0 = success;
    // source 3 = eject request, status 0x84 (132) = ejection in progress, then status 0
    // once ejected: that last one has no "device" member, the DIMM being gone by then.
    assert_eq!(
        osts.iter().map(|e| &e["data"]).collect::<Vec<_>>(),
        [
            &json!({ "info": { "device": "dimm1", "slot": "0", "slot-type": "DIMM", "source": 1, "status": 0 } }),
            &json!({ "info": { "device": "dimm1", "slot": "0", "slot-type": "DIMM", "source": 3, "status": 132 } }),
            &json!({ "info": { "slot": "0", "slot-type": "DIMM", "source": 3, "status": 0 } }),
        ]
    );
    assert_eq!(
        only(&events, "DEVICE_DELETED")["data"],
        json!({ "device": "dimm1", "path": "/machine/peripheral/dimm1" })
    );
    // Typed: the document only names ACPIOSTInfo, so the whole object is kept as it came,
    // wrapper included; nothing about its members is assumed, so nothing is reported either.
    for (line, event) in lines_named(&raw, "ACPI_DEVICE_OST").into_iter().zip(&osts) {
        let msg = decode(line);
        let Event::AcpiDeviceOst(ACPIOSTInfo(info)) = &msg.event else {
            panic!("{:?}", msg.event)
        };
        assert_eq!(Some(&Value::Object(info.clone())), event.get("data"));
        assert!(msg.violations().is_empty());
    }
}

/// The `data` of every event named `name`, in order.
fn all_data<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["event"] == name)
        .map(|e| &e["data"])
        .collect()
}

/// The statuses job `id` went through, from its JOB_STATUS_CHANGE events.
fn job_statuses<'a>(events: &'a [Value], id: &str) -> Vec<&'a str> {
    all_data(events, "JOB_STATUS_CHANGE")
        .into_iter()
        .filter(|data| data["id"] == id)
        .map(|data| {
            assert_eq!(data.as_object().map(Map::len), Some(2), "{data}");
            data["status"].as_str().expect("status is a string")
        })
        .collect()
}

/// Events outside the seed document: each line named `name` decodes as an unknown event, kept
/// whole (its data as QEMU sent it), and reported as drift, not as an error.
fn assert_kept_as_unknown(raw: &[String], name: &str) {
    let lines = lines_named(raw, name);
    assert!(!lines.is_empty(), "no {name}");
    for line in lines {
        let msg = decode(line);
        let Event::Unknown(unknown) = &msg.event else {
            panic!("{name}: {:?}", msg.event)
        };
        assert_eq!(unknown.name, name);
        let value: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(unknown.data.as_ref(), value.get("data"), "{line}");
        let violations: Vec<String> = msg.violations().iter().map(ToString::to_string).collect();
        assert_eq!(violations, [format!("/: unknown event `{name}` (drift)")]);
    }
}

fn block_jobs_on_the_storage_daemon(_qemu: &Path) -> Completion {
    let Some(daemon) = find_on_path("qemu-storage-daemon") else {
        let reason = "qemu-storage-daemon not found on PATH (package qemu-utils; \
                      scripts/install-qemu.sh installs it)";
        assert!(!qemu_required(), "{reason} and QMP_REQUIRE_QEMU=1");
        return Completion::ignored_with(reason);
    };
    let raw = capture_block_jobs(&daemon).expect("block jobs scenario");
    let events = check_all("block_jobs", &raw);
    let mirror = |id: &str, offset: u64| json!({ "device": id, "len": 1048576, "offset": offset, "speed": 0, "type": "mirror" });
    // Every job is "created" then "running"; the mirror jobs become "ready" once in sync.
    let completed = [
        "created",
        "running",
        "ready",
        "waiting",
        "pending",
        "concluded",
        "null",
    ];
    assert_eq!(job_statuses(&events, "mirror-complete"), completed);
    assert_eq!(job_statuses(&events, "mirror-pending"), completed);
    assert_eq!(
        job_statuses(&events, "mirror-cancel"),
        [
            "created",
            "running",
            "ready",
            "aborting",
            "concluded",
            "null"
        ]
    );
    assert_eq!(
        job_statuses(&events, "mirror-error"),
        ["created", "running", "aborting", "concluded", "null"]
    );
    assert_eq!(
        all_data(&events, "BLOCK_JOB_READY"),
        [
            &mirror("mirror-complete", 1048576),
            &mirror("mirror-pending", 1048576),
            &mirror("mirror-cancel", 1048576),
        ]
    );
    // BLOCK_JOB_PENDING names the job by "id", not "device" as the other BLOCK_JOB_* do.
    assert_eq!(
        only(&events, "BLOCK_JOB_PENDING")["data"],
        json!({ "type": "mirror", "id": "mirror-pending" })
    );
    // Cancelled once READY: in sync, so offset == len.
    assert_eq!(
        only(&events, "BLOCK_JOB_CANCELLED")["data"],
        mirror("mirror-cancel", 1048576)
    );
    let completed = all_data(&events, "BLOCK_JOB_COMPLETED");
    assert_eq!(completed.len(), 3, "{completed:?}");
    assert_eq!(completed[0], &mirror("mirror-complete", 1048576));
    assert_eq!(completed[1], &mirror("mirror-pending", 1048576));
    // The failed job completes too, with "error" (the strerror text) and its progress so far.
    let failed = completed[2].as_object().expect("data");
    assert_eq!(failed["device"], "mirror-error");
    assert_eq!(failed["error"], "Input/output error");
    assert_eq!(failed["len"], 1048576);
    assert!(failed["offset"].as_u64().expect("offset") < 1048576);
    assert_eq!(failed.len(), 6, "{failed:?}");
    // Every write to the target fails: at least one BLOCK_JOB_ERROR, all alike.
    let errors = all_data(&events, "BLOCK_JOB_ERROR");
    assert!(!errors.is_empty());
    for error in errors {
        assert_eq!(
            error,
            &json!({ "device": "mirror-error", "operation": "write", "action": "report" })
        );
    }
    // The export is deleted after block-export-del returns.
    assert_eq!(
        only(&events, "BLOCK_EXPORT_DELETED")["data"],
        json!({ "id": "export0" })
    );
    // qemu-storage-daemon has no run state: `quit` sends no SHUTDOWN.
    assert!(!names(&events).contains(&"SHUTDOWN"));
    for name in [
        "JOB_STATUS_CHANGE",
        "BLOCK_JOB_READY",
        "BLOCK_JOB_PENDING",
        "BLOCK_JOB_CANCELLED",
        "BLOCK_JOB_COMPLETED",
        "BLOCK_JOB_ERROR",
        "BLOCK_EXPORT_DELETED",
    ] {
        assert_kept_as_unknown(&raw, name);
    }
    Completion::Completed
}

fn tray_write_threshold_and_corrupt_qcow2(qemu: &Path) {
    use qmp_tests::scenarios::block_nodes::{
        CDROM_ID, CORRUPT_NODE, THRESHOLD_NODE, WRITE_LENGTH, WRITE_THRESHOLD,
    };
    let raw = capture_block_nodes(qemu).expect("block nodes scenario");
    let events = check_all("block_nodes", &raw);
    assert_eq!(
        names(&events),
        [
            "DEVICE_TRAY_MOVED",
            "DEVICE_TRAY_MOVED",
            "DEVICE_TRAY_MOVED",
            "BLOCK_WRITE_THRESHOLD",
            "BLOCK_IMAGE_CORRUPTED",
            "SHUTDOWN",
        ]
    );
    // "device" is the BlockBackend name: empty for a -device without a drive; "id" is the
    // qdev id.
    let trays: Vec<&Value> = all_data(&events, "DEVICE_TRAY_MOVED");
    for (data, open) in trays.iter().zip([true, false, true]) {
        assert_eq!(
            **data,
            json!({ "device": "", "id": CDROM_ID, "tray-open": open })
        );
    }
    assert_eq!(
        only(&events, "BLOCK_WRITE_THRESHOLD")["data"],
        json!({
            "node-name": THRESHOLD_NODE,
            "amount-exceeded": WRITE_LENGTH - WRITE_THRESHOLD,
            "write-threshold": WRITE_THRESHOLD,
        })
    );
    let l1 = 0x30000; // qemu-img's layout: header, refcount table, refcount block, L1.
    assert_eq!(
        only(&events, "BLOCK_IMAGE_CORRUPTED")["data"],
        json!({
            "device": "",
            "node-name": CORRUPT_NODE,
            "msg": "Preventing invalid write on metadata (overlaps with active L1 table)",
            "offset": l1,
            "size": 512,
            "fatal": true,
        })
    );
    for name in [
        "DEVICE_TRAY_MOVED",
        "BLOCK_WRITE_THRESHOLD",
        "BLOCK_IMAGE_CORRUPTED",
    ] {
        assert_kept_as_unknown(&raw, name);
    }
}

fn dump_and_migration_to_a_file(qemu: &Path) {
    use qmp_tests::scenarios::migration::RAM_MIB;
    let raw = capture_migration(qemu).expect("migration scenario");
    let events = check_all("migration", &raw);
    let dump = only(&events, "DUMP_COMPLETED");
    let result = dump["data"]["result"].as_object().expect("result object");
    assert_eq!(result["status"], "completed");
    assert_eq!(result["completed"], result["total"]);
    // The ELF dump: all of RAM plus headers and notes.
    let total = result["total"].as_u64().expect("total: bytes");
    assert!(total > RAM_MIB << 20, "{total}");
    assert_eq!(data(dump).len(), 1, "no \"error\" when it worked");
    let statuses: Vec<&Value> = all_data(&events, "MIGRATION")
        .into_iter()
        .map(|data| &data["status"])
        .collect();
    assert_eq!(
        statuses,
        [
            &json!("setup"),
            &json!("active"),
            &json!("device"),
            &json!("completed")
        ]
    );
    let passes = all_data(&events, "MIGRATION_PASS");
    assert!(!passes.is_empty());
    for (i, pass) in passes.iter().enumerate() {
        assert_eq!(**pass, json!({ "pass": i + 1 }));
    }
    assert_eq!(
        names(&events).last(),
        Some(&"SHUTDOWN"),
        "quit after the migration"
    );
    for name in ["DUMP_COMPLETED", "MIGRATION", "MIGRATION_PASS"] {
        assert_kept_as_unknown(&raw, name);
    }
}

fn vnc_client_and_stream_netdev(qemu: &Path) {
    use qmp_tests::scenarios::vnc_netdev::NETDEV_ID;
    let seen = capture_vnc_netdev(qemu).expect("VNC and netdev scenario");
    let raw = seen.events;
    let events = check_all("vnc_netdev", &raw);
    assert_eq!(
        names(&events),
        [
            "VNC_CONNECTED",
            "VNC_INITIALIZED",
            "VNC_DISCONNECTED",
            "NETDEV_STREAM_CONNECTED",
            "NETDEV_STREAM_DISCONNECTED",
            "SHUTDOWN",
        ]
    );
    // No display device (-nodefaults): QEMU's placeholder surface, 640x480.
    assert_eq!(
        (seen.server_init.width, seen.server_init.height),
        (640, 480)
    );
    assert_eq!(seen.server_init.name, "QEMU");
    // On a unix socket, the server's "service" is the socket path, its "host" and the client's
    // "host" and "service" are empty strings.
    let server = json!({
        "auth": "none",
        "family": "unix",
        "host": "",
        "service": seen.vnc_socket,
        "websocket": false,
    });
    let client = json!({ "family": "unix", "host": "", "service": "", "websocket": false });
    for name in ["VNC_CONNECTED", "VNC_INITIALIZED", "VNC_DISCONNECTED"] {
        assert_eq!(
            only(&events, name)["data"],
            json!({ "server": server, "client": client }),
            "{name}"
        );
    }
    assert_eq!(
        only(&events, "NETDEV_STREAM_CONNECTED")["data"],
        json!({
            "netdev-id": NETDEV_ID,
            "addr": { "type": "unix", "path": seen.netdev_socket },
        })
    );
    assert_eq!(
        only(&events, "NETDEV_STREAM_DISCONNECTED")["data"],
        json!({ "netdev-id": NETDEV_ID })
    );
    for name in [
        "VNC_CONNECTED",
        "VNC_INITIALIZED",
        "VNC_DISCONNECTED",
        "NETDEV_STREAM_CONNECTED",
        "NETDEV_STREAM_DISCONNECTED",
    ] {
        assert_kept_as_unknown(&raw, name);
    }
}

/// Boots `program` and checks the event names; returns the raw lines and the parsed events.
fn boot(qemu: &Path, program: BootProgram, expected: &[&str]) -> (Vec<String>, Vec<Value>) {
    let raw = capture_boot_sector(qemu, program).expect("boot sector scenario");
    let events = check_all(program.name(), &raw);
    assert_eq!(names(&events), expected);
    (raw, events)
}

fn pvpanic_crashloaded_and_pvshutdown(qemu: &Path) {
    let (raw, events) = boot(
        qemu,
        BootProgram::Pvpanic,
        &[
            "RESUME",
            "GUEST_CRASHLOADED",
            "GUEST_PVSHUTDOWN",
            "SHUTDOWN",
        ],
    );
    // The VM keeps running after "crash loaded": the action is "run"; no "info" from pvpanic.
    assert_eq!(
        only(&events, "GUEST_CRASHLOADED")["data"],
        json!({ "action": "run" })
    );
    assert!(only(&events, "GUEST_PVSHUTDOWN").get("data").is_none());
    assert_eq!(
        only(&events, "SHUTDOWN")["data"],
        json!({ "guest": true, "reason": "guest-shutdown" })
    );
    for name in ["GUEST_CRASHLOADED", "GUEST_PVSHUTDOWN"] {
        assert_kept_as_unknown(&raw, name);
    }
}

fn rtc_change_when_the_guest_sets_the_year(qemu: &Path) {
    let (raw, events) = boot(
        qemu,
        BootProgram::RtcYear,
        &["RESUME", "RTC_CHANGE", "SHUTDOWN"],
    );
    let rtc = data(only(&events, "RTC_CHANGE"));
    assert_eq!(rtc.len(), 2, "offset and qom-path");
    // The RTC now reads 2099 (century register 0x20, year 0x99): the offset from the host's
    // clock is positive and less than a century, in seconds.
    let offset = rtc["offset"].as_i64().expect("offset: seconds");
    assert!(offset > 0 && offset < 100 * 366 * 86400, "{offset}");
    // The board's RTC: a child of the ISA bridge, under /machine/unattached.
    let path = rtc["qom-path"].as_str().expect("qom-path");
    assert!(
        path.starts_with("/machine/unattached/device[") && path.ends_with("]/rtc"),
        "{path}"
    );
    assert_kept_as_unknown(&raw, "RTC_CHANGE");
}

fn suspend_to_ram_and_wakeup(qemu: &Path) {
    let (raw, events) = boot(
        qemu,
        BootProgram::SuspendToRam,
        &[
            "RESUME", "SUSPEND", "WAKEUP", "RESET", "SUSPEND", "SHUTDOWN",
        ],
    );
    for name in ["SUSPEND", "WAKEUP"] {
        assert!(
            events
                .iter()
                .filter(|e| e["event"] == name)
                .all(|e| e.get("data").is_none()),
            "{name} has no data"
        );
    }
    // SeaBIOS finds no OS wake vector and resets: a reset the guest asked for.
    assert_eq!(
        only(&events, "RESET")["data"],
        json!({ "guest": true, "reason": "guest-reset" })
    );
    for name in ["SUSPEND", "WAKEUP"] {
        assert_kept_as_unknown(&raw, name);
    }
}

fn suspend_to_disk(qemu: &Path) {
    let (raw, events) = boot(
        qemu,
        BootProgram::SuspendToDisk,
        &["RESUME", "SUSPEND_DISK", "SHUTDOWN"],
    );
    assert!(only(&events, "SUSPEND_DISK").get("data").is_none());
    // QEMU does not save anything: S4 is a guest-initiated power-off.
    assert_eq!(
        only(&events, "SHUTDOWN")["data"],
        json!({ "guest": true, "reason": "guest-shutdown" })
    );
    assert_kept_as_unknown(&raw, "SUSPEND_DISK");
}

fn watchdog_fires_and_pauses(qemu: &Path) {
    let (raw, events) = boot(
        qemu,
        BootProgram::Watchdog,
        &["RESUME", "WATCHDOG", "STOP", "SHUTDOWN"],
    );
    assert_eq!(
        only(&events, "WATCHDOG")["data"],
        json!({ "action": "pause" })
    );
    assert_kept_as_unknown(&raw, "WATCHDOG");
}

fn block_io_error_stops_the_vm(qemu: &Path) {
    use qmp_tests::scenarios::boot_sector::{FAILING_DISK_ID, FAILING_NODE};
    let raw = capture_block_io_error(qemu).expect("block I/O error scenario");
    let events = check_all("block_io_error", &raw);
    assert_eq!(
        names(&events),
        ["RESUME", "BLOCK_IO_ERROR", "STOP", "SHUTDOWN"]
    );
    assert_eq!(
        only(&events, "BLOCK_IO_ERROR")["data"],
        json!({
            "device": "",
            "node-name": FAILING_NODE,
            "qom-path": format!("/machine/peripheral/{FAILING_DISK_ID}"),
            "operation": "read",
            "action": "stop",
            "nospace": false,
            "reason": "Input/output error",
        })
    );
    assert_kept_as_unknown(&raw, "BLOCK_IO_ERROR");
}

fn main() -> ExitCode {
    run_live_event_tests(live_tests![
        lifecycle_stop_resume_reset_powerdown_shutdown,
        quorum_report_bad_names_the_odd_child,
        quorum_failure_when_no_two_children_agree,
        guest_panicked_pause,
        guest_panicked_shutdown_reports_poweroff,
        guest_panicked_exit_failure_reports_poweroff,
        guest_panicked_none_reports_run,
        spice_connected_initialized_disconnected_ipv4,
        spice_connected_initialized_disconnected_ipv6,
        spice_garbage_ticket_is_refused,
        balloon_change_reports_actual_bytes,
        acpi_device_ost_on_dimm_plug_and_unplug,
        block_jobs_on_the_storage_daemon,
        tray_write_threshold_and_corrupt_qcow2,
        dump_and_migration_to_a_file,
        vnc_client_and_stream_netdev,
        pvpanic_crashloaded_and_pvshutdown,
        rtc_change_when_the_guest_sets_the_year,
        suspend_to_ram_and_wakeup,
        suspend_to_disk,
        watchdog_fires_and_pauses,
        block_io_error_stops_the_vm,
    ])
}
