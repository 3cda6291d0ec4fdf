//! `qmp-events watch` against fake QMP servers: a `UnixListener` in a temporary directory that
//! plays the server's side of the handshake, then sends events and closes.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread::{self, JoinHandle};

const BIN: &str = env!("CARGO_BIN_EXE_qmp-events");

const GREETING: &str = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \
                        \"major\": 10}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n";

/// Two events as QEMU sends them (odd spacing kept, to check `--json` is verbatim).
const BALLOON: &str = "{\"timestamp\": {\"seconds\": 1267020223, \"microseconds\": 435656}, \
                       \"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\":   944766976}}";
const QUORUM: &str = "{\"timestamp\": {\"seconds\": -1, \"microseconds\": -1}, \"event\": \
                      \"QUORUM_FAILURE\", \"data\": {\"reference\": \"usr1\", \"sector-num\": \
                      345435, \"sectors-count\": 5}}";

/// A temporary directory holding one socket, removed on drop.
struct SocketDir(PathBuf);

impl SocketDir {
    fn new(name: &str) -> SocketDir {
        let dir = std::env::temp_dir().join(format!("qmp-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        SocketDir(dir)
    }

    fn socket(&self) -> PathBuf {
        self.0.join("qmp.sock")
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Serves one connection with `script` on a new socket in `dir`.
fn serve(dir: &SocketDir, script: fn(UnixStream)) -> JoinHandle<()> {
    let listener = UnixListener::bind(dir.socket()).expect("bind the socket");
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the client connects");
        script(stream);
    })
}

/// Greets, reads `qmp_capabilities` and returns its `id` (QEMU echoes it in the reply).
fn greet_and_read_capabilities(stream: &mut UnixStream) -> serde_json::Value {
    stream.write_all(GREETING.as_bytes()).expect("greet");
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("read the command");
    let command: serde_json::Value = serde_json::from_str(&line).expect("the command is JSON");
    assert_eq!(command["execute"], "qmp_capabilities", "{command}");
    command["id"].clone()
}

/// A well-behaved server: greeting, capabilities reply, two events (and a reply in between,
/// which must not be printed), then close.
fn qemu(mut stream: UnixStream) {
    let id = greet_and_read_capabilities(&mut stream);
    let rest = format!(
        "{{\"return\": {{}}, \"id\": {id}}}\r\n{BALLOON}\r\n{{\"return\": {{}}}}\r\n{QUORUM}\r\n"
    );
    stream.write_all(rest.as_bytes()).expect("send events");
}

fn watch(args: &[&str], dir: &SocketDir) -> Output {
    Command::new(BIN)
        .arg("watch")
        .args(args)
        .arg(dir.socket())
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn prints_events_as_text() {
    let dir = SocketDir::new("text");
    let server = serve(&dir, qemu);
    let output = watch(&[], &dir);
    server.join().expect("the server saw qmp_capabilities");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "2010-02-24T14:03:43.435656Z BALLOON_CHANGE actual=944766976\n\
         - QUORUM_FAILURE reference=usr1 sector-num=345435 sectors-count=5 \
         [invalid: /data: missing required member `sector-count`] \
         [drift: /data: unknown member `sectors-count`]\n"
    );
    assert!(text(&output.stderr).contains("connected to QEMU 10.1.0"));
}

#[test]
fn prints_raw_lines_with_json() {
    let dir = SocketDir::new("json");
    let server = serve(&dir, qemu);
    let output = watch(&["--json"], &dir);
    server.join().expect("the server saw qmp_capabilities");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{BALLOON}\n{QUORUM}\n"));
}

#[test]
fn a_missing_socket_exits_2() {
    let dir = SocketDir::new("missing");
    let output = watch(&[], &dir);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), "");
    let err = text(&output.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("qmp-events: cannot connect to "), "{err}");
}

fn assert_fails(name: &str, args: &[&str], script: fn(UnixStream), expected: &str) {
    let dir = SocketDir::new(name);
    let server = serve(&dir, script);
    let output = watch(args, &dir);
    server.join().expect("the server ran");
    assert_eq!(output.status.code(), Some(2), "{name}");
    assert_eq!(text(&output.stdout), "", "{name}");
    let err = text(&output.stderr);
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    assert!(err.contains(expected), "{name}: {err}");
}

#[test]
fn a_server_that_is_not_qmp_exits_2() {
    assert_fails(
        "not-qmp",
        &[],
        |mut s| {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
        },
        "is not a QMP server: it greeted with `SSH-2.0-OpenSSH_9.2`",
    );
}

#[test]
fn eof_before_the_greeting_exits_2() {
    assert_fails(
        "eof",
        &[],
        drop,
        "closed the connection before the QMP greeting",
    );
}

#[test]
fn a_silent_server_times_out() {
    assert_fails(
        "silent",
        &["--timeout", "0.3"],
        |s| {
            // Stay silent until the client gives up and closes.
            let mut line = String::new();
            let _ = BufReader::new(s).read_line(&mut line);
        },
        "timed out after 300ms waiting for the QMP greeting",
    );
}

#[test]
fn a_regular_file_or_a_missing_path_is_said_so() {
    let dir = SocketDir::new("not-a-socket");
    std::fs::write(dir.socket(), "").expect("a regular file");
    let output = watch(&[], &dir);
    assert_eq!(output.status.code(), Some(2));
    let err = text(&output.stderr);
    assert!(err.contains("is a regular file, not a socket"), "{err}");
    std::fs::remove_file(dir.socket()).expect("removed");
    let output = watch(&[], &dir);
    assert_eq!(output.status.code(), Some(2));
    let err = text(&output.stderr);
    assert!(err.contains(": no such file or directory"), "{err}");
}

#[test]
fn bad_timeouts_are_refused_before_connecting() {
    let dir = SocketDir::new("bad-timeout");
    for bad in ["1e-10", "0", "nan", "inf", "1e300", "-1"] {
        let output = watch(&[&format!("--timeout={bad}")], &dir);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let err = text(&output.stderr);
        assert!(
            err.contains("expected a number of seconds from 0.001 (1 ms) to 604800 (7 days)"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_dripped_negotiation_hits_the_same_deadline() {
    // The greeting comes at once, the capabilities reply one byte every 50 ms: the deadline
    // bounds the whole handshake, not each step or each read.
    assert_fails(
        "drip-caps",
        &["--timeout", "0.3"],
        |mut s| {
            let id = greet_and_read_capabilities(&mut s);
            for byte in format!("{{\"return\": {{}}, \"id\": {id}}}\r\n").bytes() {
                if s.write_all(&[byte]).is_err() {
                    return;
                }
                thread::sleep(std::time::Duration::from_millis(50));
            }
        },
        "timed out after 300ms waiting for reply to `qmp_capabilities`",
    );
}

#[test]
fn an_over_long_line_is_skipped_with_a_warning() {
    let dir = SocketDir::new("long-line");
    let server = serve(&dir, |mut s| {
        let id = greet_and_read_capabilities(&mut s);
        let long = "x".repeat(3 << 20);
        let rest = format!("{{\"return\": {{}}, \"id\": {id}}}\r\n{long}\r\n{BALLOON}\r\n");
        s.write_all(rest.as_bytes()).expect("send");
    });
    let output = watch(&["--json", "--max-line-len", "64K"], &dir);
    server.join().expect("the server ran");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{BALLOON}\n"));
    let err = text(&output.stderr);
    assert!(
        err.contains(&format!("ignoring a line of {} bytes from ", 3 << 20))
            && err.contains("(the limit is 65536)"),
        "{err}"
    );
}

#[test]
fn a_refused_negotiation_exits_2() {
    assert_fails(
        "refused",
        &[],
        |mut s| {
            let id = greet_and_read_capabilities(&mut s);
            let reply = format!(
                "{{\"error\": {{\"class\": \"CommandNotFound\", \"desc\": \"nope\"}}, \"id\": {id}}}\r\n"
            );
            let _ = s.write_all(reply.as_bytes());
        },
        "refused qmp_capabilities: nope",
    );
}

#[test]
fn a_trickling_server_times_out_too() {
    // One byte every 50 ms: the timeout bounds the whole greeting, not each read.
    assert_fails(
        "trickle",
        &["--timeout", "0.3"],
        |mut s| {
            for byte in GREETING.bytes().take(40) {
                if s.write_all(&[byte]).is_err() {
                    return;
                }
                thread::sleep(std::time::Duration::from_millis(50));
            }
        },
        "timed out after 300ms waiting for the QMP greeting",
    );
}

#[test]
fn a_line_that_is_not_json_is_reported_and_skipped() {
    let dir = SocketDir::new("garbage");
    let server = serve(&dir, |mut s| {
        let id = greet_and_read_capabilities(&mut s);
        let rest = format!(
            "{{\"return\": {{}}, \"id\": {id}}}\r\n{BALLOON}\r\nnot JSON\r\n\r\n{QUORUM}\r\n"
        );
        s.write_all(rest.as_bytes()).expect("send events");
    });
    let output = watch(&["--json"], &dir);
    server.join().expect("the server ran");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{BALLOON}\n{QUORUM}\n"));
    let err = text(&output.stderr);
    assert!(
        err.contains("ignoring a line from ") && err.contains("that is not JSON: `not JSON`"),
        "{err}"
    );
    // The blank line is skipped quietly.
    assert_eq!(err.lines().count(), 2, "{err}");
}
