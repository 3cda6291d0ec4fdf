//! Against a real QEMU 10: its `query-qmp-schema` reply is still the checked-in capture, the
//! vendored QAPI schemas read by `qmp-qapi` give exactly the wire shapes QEMU reports about
//! itself (`qemu-system-x86_64` and `qemu-storage-daemon`), and `validate --spec-from` /
//! `watch --spec-from-live` check real events against the live schema.
//!
//! Real QEMU is the referee: if the QAPI reader and QEMU disagree, the reader is wrong.

mod common;

use common::*;
use qmp_tests::qemu::QemuConfig;
use qmp_tests::{Completion, QmpClient, REQUIRE_QEMU_ENV, live_tests, run_live_tests};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

/// The `return` of a saved `{"return": [...]}` reply.
fn checked_in(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).expect("the capture is readable");
    let mut reply: Value = serde_json::from_str(&text).expect("the capture is JSON");
    reply["return"].take()
}

/// The wire shapes of a live reply.
fn live_wire(schema: &Value) -> qmp_wire::WireSpec {
    let read = qmp_introspect::read("live", &schema.to_string()).expect("QEMU's reply reads");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    qmp_wire::WireSpec::new(&read.spec, &qmp_wire::Conditions::IncludeAll)
}

/// The wire shapes of a vendored QAPI schema under `cfg`.
fn qapi_wire(path: &str, cfg: &[&str]) -> qmp_wire::WireSpec {
    let loaded =
        qmp_codegen::spec::load(&root().join(path)).unwrap_or_else(|_| panic!("{path} reads"));
    assert_eq!(loaded.kind, qmp_codegen::spec::SpecKind::Qapi);
    let conditions = qmp_wire::Conditions::Cfg(cfg.iter().map(|s| (*s).to_owned()).collect());
    qmp_wire::WireSpec::new(&loaded.spec, &conditions)
}

/// Every difference, one line each.
fn differences(old: &qmp_wire::WireSpec, new: &qmp_wire::WireSpec) -> Vec<String> {
    qmp_wire::diff(old, new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn count_events(schema: &Value) -> usize {
    schema.as_array().map_or(0, |a| {
        a.iter().filter(|e| e["meta-type"] == "event").count()
    })
}

/// `qemu-system-x86_64 -machine none -S`, with the extra monitors named.
fn spawn_qemu(qemu: &Path, monitors: &[&str]) -> (qmp_tests::Qemu, Vec<PathBuf>) {
    let mut config = QemuConfig::new(qemu).expect("temp dir");
    config.args(["-machine", "none", "-S"]);
    let sockets: Vec<PathBuf> = monitors
        .iter()
        .map(|name| config.dir().join(format!("{name}.sock")))
        .collect();
    for socket in &sockets {
        config
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", socket.display()));
    }
    (config.spawn().expect("QEMU starts"), sockets)
}

fn live_schema_is_the_checked_in_capture(qemu: &Path) {
    let (vm, _) = spawn_qemu(qemu, &[]);
    let mut qmp = vm.qmp().expect("QMP connects");
    let schema = qmp
        .execute("query-qmp-schema", None)
        .expect("query-qmp-schema");
    assert_eq!(schema.as_array().map(Vec::len), Some(1172));
    assert_eq!(count_events(&schema), 55);
    assert!(
        schema == checked_in(CAPTURE),
        "{CAPTURE} is not what this QEMU returns: capture it again"
    );
}

fn qapi_reader_agrees_with_live_qemu(qemu: &Path) {
    let (vm, _) = spawn_qemu(qemu, &[]);
    let mut qmp = vm.qmp().expect("QMP connects");
    let schema = qmp
        .execute("query-qmp-schema", None)
        .expect("query-qmp-schema");
    let live = live_wire(&schema);
    assert_eq!(live.events.len(), 55);
    let qapi = qapi_wire(QAPI_10, X86_64_CFG);
    assert_eq!(differences(&qapi, &live), Vec::<String>::new());
}

/// `qemu-storage-daemon` with a QMP monitor on a unix socket; killed on drop.
struct StorageDaemon {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for StorageDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_storage_daemon(binary: &Path) -> StorageDaemon {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("qsd.sock");
    let child = Command::new(binary)
        .arg("--chardev")
        .arg(format!(
            "socket,path={},server=on,wait=off,id=qmp0",
            socket.display()
        ))
        .args(["--monitor", "chardev=qmp0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("qemu-storage-daemon starts");
    let mut daemon = StorageDaemon {
        child,
        socket,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::os::unix::net::UnixStream::connect(&daemon.socket).is_err() {
        assert!(
            daemon.child.try_wait().ok().flatten().is_none(),
            "qemu-storage-daemon exited"
        );
        assert!(
            Instant::now() < deadline,
            "no QMP socket from qemu-storage-daemon"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    daemon
}

/// `qemu-storage-daemon` beside the QEMU binary, or on `PATH`.
fn find_storage_daemon(qemu: &Path) -> Option<PathBuf> {
    let beside = qemu.with_file_name("qemu-storage-daemon");
    if beside.is_file() {
        return Some(beside);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("qemu-storage-daemon"))
        .find(|p| p.is_file())
}

fn qapi_reader_agrees_with_live_storage_daemon(qemu: &Path) -> Completion {
    let Some(binary) = find_storage_daemon(qemu) else {
        let required = std::env::var(REQUIRE_QEMU_ENV).is_ok_and(|v| v == "1");
        assert!(
            !required,
            "qemu-storage-daemon not found and {REQUIRE_QEMU_ENV}=1"
        );
        return Completion::ignored_with("qemu-storage-daemon not found (package qemu-utils)");
    };
    let daemon = spawn_storage_daemon(&binary);
    let mut qmp = QmpClient::connect(&daemon.socket).expect("QMP connects");
    let schema = qmp
        .execute("query-qmp-schema", None)
        .expect("query-qmp-schema");
    assert_eq!(count_events(&schema), 13);
    assert!(
        schema == checked_in(QSD_CAPTURE),
        "{QSD_CAPTURE} is not what this qemu-storage-daemon returns: capture it again"
    );
    let live = live_wire(&schema);
    // The storage daemon has no target; none of its events' definitions has a condition that
    // holds there, so no build option is given.
    let qapi = qapi_wire(QSD_QAPI_10, &[]);
    assert_eq!(differences(&qapi, &live), Vec::<String>::new());
    Completion::Completed
}

/// Real events (quorum drift, lifecycle) checked against the schema of a running QEMU.
fn validate_spec_from_a_real_qemu(qemu: &Path) {
    let mut lines =
        qmp_tests::scenarios::capture_quorum_report_bad(qemu).expect("quorum report-bad");
    lines.extend(qmp_tests::scenarios::capture_quorum_failure(qemu).expect("quorum failure"));
    let (vm, sockets) = spawn_qemu(qemu, &["extra"]);
    let mut qmp = vm.qmp().expect("QMP connects");
    for (command, event) in [("cont", "RESUME"), ("stop", "STOP")] {
        qmp.execute(command, None).expect(command);
        qmp.wait_event(event, TIMEOUT).expect(event);
    }
    lines.extend(qmp.events());
    assert_eq!(lines.len(), 4, "{lines:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let capture = dir.path().join("capture.jsonl");
    std::fs::write(&capture, lines.join("\n") + "\n").expect("writes the capture");
    let output = run(&[
        "validate".as_ref(),
        "--spec-from".as_ref(),
        sockets[0].as_os_str(),
        capture.as_os_str(),
    ]);
    assert_eq!(
        stdout(&output),
        "messages: 4, known: 4, unknown: 0, violations: 0, invalid-json: 0\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
}

fn watch_spec_from_live_checks_against_the_watched_qemu(qemu: &Path) {
    let (vm, sockets) = spawn_qemu(qemu, &["watch"]);
    let mut qmp = vm.qmp().expect("QMP connects");
    let mut child = Command::new(BIN)
        .args(["watch", "--spec-from-live"])
        .arg(&sockets[0])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qmp-events starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("piped stderr"))
        .read_line(&mut line)
        .expect("reads stderr");
    assert!(
        line.contains("connected to QEMU 10") && line.contains("its own schema (55 events)"),
        "{line:?}"
    );
    for (command, event) in [("cont", "RESUME"), ("stop", "STOP"), ("quit", "SHUTDOWN")] {
        qmp.execute(command, None).expect(command);
        qmp.wait_event(event, TIMEOUT).expect(event);
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("reads stdout");
    assert!(child.wait().expect("exits").success());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    for (line, event) in lines.iter().zip(["RESUME", "STOP", "SHUTDOWN"]) {
        assert_eq!(line.split(' ').nth(1), Some(event), "{line}");
        // Known to this QEMU's schema, and as it says: no note.
        assert!(!line.contains('['), "{line}");
    }
    drop(vm);
}

/// A `harness = false` binary on libtest-mimic, like `live_watch.rs`: without QEMU every test
/// shows as ignored, with the reason, unless `QMP_REQUIRE_QEMU=1`.
fn main() -> ExitCode {
    run_live_tests(live_tests![
        live_schema_is_the_checked_in_capture,
        qapi_reader_agrees_with_live_qemu,
        qapi_reader_agrees_with_live_storage_daemon,
        validate_spec_from_a_real_qemu,
        watch_spec_from_live_checks_against_the_watched_qemu,
    ])
}
