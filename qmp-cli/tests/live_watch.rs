//! `qmp-events watch` against a real QEMU: two watchers on extra QMP monitors see the same
//! events as the test's own QMP client, byte for byte with `--json`.

use qmp_tests::qemu::QemuConfig;
use qmp_tests::{live_tests, run_live_tests};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Starts `qmp-events watch ARGS SOCKET` and waits until it has negotiated capabilities.
fn start_watch(args: &[&str], socket: &std::path::Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qmp-events"))
        .arg("watch")
        .args(args)
        .arg(socket)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qmp-events starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("reads stderr");
    assert!(
        line.contains("connected to QEMU"),
        "watch did not connect: {line:?}"
    );
    child
}

fn finish(mut child: Child) -> Vec<String> {
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("reads stdout");
    let status = child.wait().expect("watch exits");
    assert!(status.success(), "watch exit status {status}");
    out.lines().map(str::to_owned).collect()
}

fn watch_prints_the_events_of_a_real_qemu(qemu: &Path) {
    let mut config = QemuConfig::new(qemu).expect("temp dir");
    let json_socket = config.dir().join("watch-json.sock");
    let text_socket = config.dir().join("watch-text.sock");
    for socket in [&json_socket, &text_socket] {
        config
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", socket.display()));
    }
    let vm = config.spawn().expect("QEMU starts");
    let mut qmp = vm.qmp().expect("QMP connects");
    let json_watch = start_watch(&["--json"], &json_socket);
    let text_watch = start_watch(&[], &text_socket);
    for (command, event) in [("stop", "STOP"), ("cont", "RESUME"), ("quit", "SHUTDOWN")] {
        qmp.execute(command, None).expect(command);
        qmp.wait_event(event, TIMEOUT).expect(event);
    }
    let seen = qmp.events();
    // QEMU closes every monitor when it quits, and each watcher then exits 0.
    assert_eq!(
        finish(json_watch),
        seen,
        "--json prints the lines exactly as received"
    );
    let text = finish(text_watch);
    eprintln!("{}", text.join("\n"));
    assert_eq!(text.len(), 3, "{text:?}");
    for (line, event) in text.iter().zip(["STOP", "RESUME", "SHUTDOWN"]) {
        // `<UTC time> NAME ...`; none of these is in the seed document, which the text says.
        let mut words = line.split(' ');
        let time = words.next().unwrap_or_default();
        assert!(
            time.ends_with('Z') && time.len() == "2026-11-25T17:49:31.123456Z".len(),
            "{line}"
        );
        assert_eq!(words.next(), Some(event), "{line}");
        assert!(line.contains(&format!("unknown event `{event}`")), "{line}");
    }
    drop(vm);
}

/// `qmp-events validate` on what a real QEMU sent: the drift of QEMU 10's quorum events, exactly,
/// from the generated validators and from the document read at run time alike.
fn validate_reports_the_drift_of_a_real_capture(qemu: &Path) {
    let mut lines =
        qmp_tests::scenarios::capture_quorum_report_bad(qemu).expect("quorum report-bad");
    lines.extend(qmp_tests::scenarios::capture_quorum_failure(qemu).expect("quorum failure"));
    assert_eq!(lines.len(), 2, "{lines:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let capture = dir.path().join("capture.jsonl");
    std::fs::write(&capture, lines.join("\n") + "\n").expect("writes the capture");
    let spec = qmp_spec::default_spec_path();
    let spec = spec.to_str().expect("a UTF-8 path");
    let expected = [
        "1: QUORUM_REPORT_BAD: /data: missing required member `sector-count`",
        "1: QUORUM_REPORT_BAD: /data: unknown member `sectors-count` (drift)",
        "1: QUORUM_REPORT_BAD: /data: unknown member `type` (drift)",
        "2: QUORUM_FAILURE: /data: missing required member `sector-count`",
        "2: QUORUM_FAILURE: /data: unknown member `sectors-count` (drift)",
        "messages: 2, known: 2, unknown: 0, violations: 5, invalid-json: 0",
    ];
    for extra in [&[][..], &["--spec", spec][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_qmp-events"))
            .arg("validate")
            .args(extra)
            .arg(&capture)
            .output()
            .expect("qmp-events runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{extra:?}");
        assert_eq!(out.status.code(), Some(1), "violations exit 1");
    }
}

/// A `harness = false` binary on libtest-mimic, like `tests/tests/live_qemu.rs`: without QEMU
/// both tests show as ignored, with the reason, unless `QMP_REQUIRE_QEMU=1`.
fn main() -> ExitCode {
    run_live_tests(live_tests![
        watch_prints_the_events_of_a_real_qemu,
        validate_reports_the_drift_of_a_real_capture,
    ])
}
