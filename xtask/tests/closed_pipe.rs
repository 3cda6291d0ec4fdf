//! `cargo xtask ir | head` and `cargo xtask regen 2>&1 | head -1`: a reader that goes away ends
//! the output quietly (status 0, no panic about a broken pipe); regen still does its job.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

#[test]
fn ir_stops_quietly_when_its_reader_goes_away() {
    // The race (the reader leaves before, during or after a write) differs from run to run.
    for _ in 0..10 {
        let mut child = Command::new(BIN)
            .arg("ir")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xtask runs");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("reads a line");
        assert_eq!(line, "{\n", "the IR is a JSON object");
        drop(stdout);
        let output = child.wait_with_output().expect("xtask finishes");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(output.status.success(), "{}: {stderr}", output.status);
    }
}

#[test]
fn regen_carries_on_when_its_stderr_reader_goes_away() {
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..3 {
        let out = dir.path().join(format!("generated-{round}.rs"));
        // regen reports on stderr only; its reader is gone before regen says a word.
        let mut child = Command::new(BIN)
            .arg("regen")
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xtask runs");
        drop(child.stderr.take());
        let status = child.wait().expect("xtask finishes");
        assert!(status.success(), "{status}");
        let text = std::fs::read_to_string(&out).expect("regen wrote the file");
        assert!(text.contains("pub enum Event"), "{}", &text[..200]);
    }
}
