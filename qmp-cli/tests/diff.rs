//! `qmp-events diff OLD NEW`, run as the built binary on the seed document, the vendored QAPI
//! schemas and the checked-in `query-qmp-schema` replies of QEMU 10.0.2.

mod common;

use common::*;

#[test]
fn seed_against_live_qemu_10_lists_the_known_drift() {
    let output = diff(&[&at(SEED), &at(CAPTURE)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "~ ACPI_DEVICE_OST /data/info: new wrapper: what was /data is now inside member `info`",
        "~ ACPI_DEVICE_OST /data/info: any object before, now object {device?, slot, slot-type, source, status}",
        "~ GUEST_PANICKED /data/action: value added: \"poweroff\"",
        "~ GUEST_PANICKED /data/action: value added: \"run\"",
        "~ GUEST_PANICKED /data/info: member added (optional object {type} by `type`)",
        "~ QUORUM_FAILURE /data/sector-count: looks renamed to `sectors-count` (removed, and `sectors-count` added with the same type: required int)",
        "~ QUORUM_REPORT_BAD /data/sector-count: looks renamed to `sectors-count` (removed, and `sectors-count` added with the same type: required int)",
        "~ QUORUM_REPORT_BAD /data/type: member added (required one of \"flush\", \"read\", \"write\")",
        "~ SPICE_CONNECTED /data/client/family: value added: \"unix\"",
        "+ STOP",
        "+ SHUTDOWN",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
    }
    assert_eq!(lines.iter().filter(|l| l.starts_with("+ ")).count(), 47);
    assert_eq!(lines.iter().filter(|l| l.starts_with("- ")).count(), 0);
    assert_eq!(lines.iter().filter(|l| l.starts_with("~ ")).count(), 26);
    // Deterministic: events in name order.
    let names: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').nth(1)).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{text}");
}

fn diff(args: &[&str]) -> std::process::Output {
    let mut all = vec!["diff".to_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    run(&all)
}

#[test]
fn qapi_schema_under_x86_64_options_equals_live_qemu_10() {
    let mut args = x86_64_cfg();
    args.extend([at(QAPI_10), at(CAPTURE)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = diff(&args);
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("1 of 8 conditional event(s) left out: CPU_POLARIZATION_CHANGE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn without_cfg_every_condition_counts_and_stderr_says_so() {
    let output = diff(&[&at(QAPI_10), &at(CAPTURE)]);
    assert_eq!(stdout(&output), "- CPU_POLARIZATION_CHANGE\n");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("no --cfg given"), "{err}");
    assert!(
        err.contains("CPU_POLARIZATION_CHANGE (if all(TARGET_S390X, CONFIG_KVM))"),
        "{err}"
    );
    assert!(err.contains("SPICE_CONNECTED (if CONFIG_SPICE)"), "{err}");
}

#[test]
fn qemu_9_1_to_10_0_2() {
    let mut args = x86_64_cfg();
    args.extend([at(QAPI_9_1), at(QAPI_10)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = diff(&args);
    assert_eq!(
        stdout(&output),
        "~ BLOCK_IO_ERROR /data/qom-path: member added (required str)\n\
         + NETDEV_VHOST_USER_CONNECTED\n\
         + NETDEV_VHOST_USER_DISCONNECTED\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn storage_daemon_schema_equals_its_capture() {
    let output = diff(&[&at(QSD_QAPI_10), &at(QSD_CAPTURE)]);
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_spec_equals_itself_in_every_kind() {
    for spec in [SEED, CAPTURE, QSD_QAPI_10] {
        let output = diff(&[&at(spec), &at(spec)]);
        assert_eq!(stdout(&output), "", "{spec}");
        assert_eq!(output.status.code(), Some(0), "{spec}");
    }
}

#[test]
fn json_lines_carry_the_fields() {
    let output = diff(&["--json", &at(SEED), &at(CAPTURE)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(
        first,
        serde_json::json!({
            "event": "ACPI_DEVICE_OST", "change": "changed", "kind": "wrapped",
            "path": "/data/info",
            "detail": "new wrapper: what was /data is now inside member `info`",
            "line": "~ ACPI_DEVICE_OST /data/info: new wrapper: what was /data is now inside member `info`"
        })
    );
    let added = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "STOP")
        .expect("STOP");
    assert_eq!(added["change"], "added");
    assert_eq!(added["kind"], "event_added");
    assert_eq!(text.lines().count(), 73);
}

#[test]
fn errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "[{\"name\": \"E\", \"meta-type\": \"event\", \"arg-type\": \"9\"}]",
    )
    .expect("writes");
    let output = diff(&[&at(SEED), broken.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("error: type `9` is not in the schema"),
        "{err}"
    );
    assert!(err.contains("broken.json:1:50"), "{err}");
    let output = diff(&[&at(SEED), "/nonexistent/spec.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read spec /nonexistent/spec.json"));
    let output = diff(&[&at(SEED)]);
    assert_eq!(output.status.code(), Some(2));
}
