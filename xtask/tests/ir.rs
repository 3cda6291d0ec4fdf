//! `cargo xtask ir`: output streams and exit status.

use std::path::Path;
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn spec(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("qmp-spec/spec").join(name).display().to_string()
}

#[test]
fn prints_the_default_spec_as_json() {
    let out = xtask(&["ir"]);
    assert_eq!(out.status.code(), Some(0));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(ir["events"].as_array().map(Vec::len), Some(8));
    assert!(out.stderr.is_empty());
}

#[test]
fn warnings_go_to_stderr_and_still_succeed() {
    let out = xtask(&["ir", "--spec", &spec("qmp-events-qemu-2015-07.txt")]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("warning: ").count(), 4, "{stderr}");
    assert!(stderr.contains("qmp-events-qemu-2015-07.txt:180:5"));
}

#[test]
fn errors_exit_with_1() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-ir-bad.txt");
    std::fs::write(&path, "FOO\n\nBAR\n---\n").expect("the temporary file is writable");
    let out = xtask(&["ir", "--spec", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: expected a heading underline"),
        "{stderr}"
    );
}

#[test]
fn usage_and_io_errors_exit_with_2() {
    assert_eq!(xtask(&[]).status.code(), Some(2));
    assert_eq!(xtask(&["ir", "--nope"]).status.code(), Some(2));
    assert_eq!(
        xtask(&["ir", "--spec", "/nonexistent/spec.txt"])
            .status
            .code(),
        Some(2)
    );
    let help = xtask(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: cargo xtask"));
}
