//! Runs the `tests/serde-features` workspace, in which another crate turns on serde_json's
//! `arbitrary_precision` and `preserve_order` next to `qmp-events`. It is a workspace of its own
//! (cargo unifies features across a workspace, so as a member it would turn them on for every
//! test here); this test runs it from `cargo test --workspace`, so that the README's one test
//! command covers it.

use std::path::Path;
use std::process::Command;

#[test]
fn qmp_events_holds_with_arbitrary_precision_and_preserve_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = root.join("tests/serde-features/Cargo.toml");
    // A target directory of its own, so that this build does not wait for the lock of the one
    // running this test.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("serde-features");
    let output = Command::new(env!("CARGO"))
        .arg("test")
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo test --manifest-path {} failed:\n{}\n{}",
        manifest.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Its tests ran: at least one summary counts passed tests.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let passed: usize = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 0, "{stdout}");
}
