//! A reader that goes away (`qmp-events validate big.jsonl | head`) ends the command quietly:
//! status 0 and nothing on stderr, never a panic about a broken pipe.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qmp-events");

/// Runs `qmp-events ARGS`, reads one line of its stdout, closes the pipe and returns the exit
/// status and stderr.
fn read_one_line_then_close(args: &[&std::ffi::OsStr]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("reads a line");
    assert!(!line.is_empty(), "the binary printed nothing");
    drop(stdout);
    let output = child.wait_with_output().expect("the binary finishes");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status, stderr)
}

#[test]
fn validate_stops_quietly_when_its_reader_goes_away() {
    // Far more output than a pipe buffers, whatever the buffer size: one line per message.
    let dir = tempfile::tempdir().expect("temp dir");
    let capture = dir.path().join("capture.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&capture).expect("creates"));
    for i in 0..100_000 {
        writeln!(file, r#"{{"event": "NOT_IN_THE_SPEC_{i}", "data": {{}}}}"#).expect("writes");
    }
    file.flush().expect("flushes");
    drop(file);
    // The race (the reader leaves before, during or after a write) differs from run to run.
    for text in [false, true] {
        for _ in 0..5 {
            let mut args = vec![std::ffi::OsStr::new("validate")];
            if text {
                args.push("--json".as_ref());
            }
            args.push(capture.as_os_str());
            let (status, stderr) = read_one_line_then_close(&args);
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert_eq!(stderr, "", "nothing to say about a closed pipe");
            assert!(status.success(), "{status}: {stderr}");
        }
    }
}

#[test]
fn help_stops_quietly_when_its_reader_goes_away() {
    for _ in 0..5 {
        let (status, stderr) = read_one_line_then_close(&["validate".as_ref(), "--help".as_ref()]);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(status.success(), "{status}: {stderr}");
    }
}
