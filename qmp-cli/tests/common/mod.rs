//! Shared by the tests of `validate`/`diff` on wire shapes: paths, the binary, the build options.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_qmp-events");

/// The build options under which the vendored QEMU 10.0.2 QAPI schema has exactly the events
/// (and event members) of Debian's `qemu-system-x86_64` 10.0.2: those its conditions reach.
/// The live test `qapi_reader_agrees_with_live_qemu` keeps this true.
pub const X86_64_CFG: &[&str] = &[
    "TARGET_I386",
    "CONFIG_LINUX",
    "CONFIG_SPICE",
    "CONFIG_VNC",
    "HAVE_IPPROTO_MPTCP",
];

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A path under the workspace root, as a string for the command line.
pub fn at(path: &str) -> String {
    root().join(path).display().to_string()
}

/// The checked-in `query-qmp-schema` reply of `qemu-system-x86_64` 10.0.2.
pub const CAPTURE: &str = "qmp-cli/tests/data/qemu-10.0.2-x86_64.query-qmp-schema.json";
/// The checked-in `query-qmp-schema` reply of `qemu-storage-daemon` 10.0.2.
pub const QSD_CAPTURE: &str = "qmp-cli/tests/data/qemu-storage-daemon-10.0.2.query-qmp-schema.json";
/// Event lines a real QEMU 10.0.2 sent (those of docs/qemu-drift.md).
pub const EVENTS: &str = "qmp-cli/tests/data/qemu-10.0.2-events.jsonl";
/// The vendored QAPI schemas.
pub const QAPI_10: &str = "vendor/qemu-10.0.2/qapi/qapi-schema.json";
/// qemu-storage-daemon's.
pub const QSD_QAPI_10: &str = "vendor/qemu-10.0.2/storage-daemon/qapi/qapi-schema.json";
/// QEMU 9.1's, from the qapi-qmp crate.
pub const QAPI_9_1: &str = "vendor/qemu-9.1-from-qapi-qmp/qapi/qapi-schema.json";
/// The seed document.
pub const SEED: &str = "qmp-spec/spec/qmp-events.txt";

/// `--cfg NAME` for each x86_64 build option.
pub fn x86_64_cfg() -> Vec<String> {
    X86_64_CFG
        .iter()
        .flat_map(|name| ["--cfg".to_owned(), (*name).to_owned()])
        .collect()
}

/// Runs the binary.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
