//! Support code for the end-to-end tests in `tests/tests/`: driving a real QEMU.
//!
//! - [`qemu`]: find `qemu-system-x86_64`, spawn it with a QMP socket, kill it on drop.
//! - [`qmp`]: a small blocking QMP client that keeps every event as its raw JSON line.
//! - [`spice`]: just enough of the SPICE link handshake to make QEMU emit SPICE events.
//! - [`images`]: tiny disk images (a pvpanic boot sector, raw quorum children).
//! - [`cpio`] and [`guest`]: a Debian kernel plus a self-made busybox initramfs.
//! - [`scenarios`]: one `capture_*` function per scenario, returning the raw event lines.
//!
//! Live tests call [`qemu_or_skip`] first: without QEMU they print
//! `skipped: qemu-system-x86_64 not found` and return, unless `QMP_REQUIRE_QEMU=1`.

pub mod cpio;
pub mod error;
pub mod guest;
pub mod images;
pub mod qemu;
pub mod qmp;
pub mod scenarios;
pub mod spice;

use std::path::PathBuf;

pub use error::{Error, Result};
pub use qemu::{Qemu, QemuConfig, find_qemu};
pub use qmp::QmpClient;

/// Environment variable that turns a missing QEMU from a skip into a failure.
pub const REQUIRE_QEMU_ENV: &str = "QMP_REQUIRE_QEMU";

/// Returns the QEMU binary, or `None` after printing why the live test `test` is
/// skipped. Panics instead when `QMP_REQUIRE_QEMU=1`.
pub fn qemu_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(path) = find_qemu() {
        return Some(path);
    }
    if std::env::var(REQUIRE_QEMU_ENV).is_ok_and(|v| v == "1") {
        panic!("{test}: qemu-system-x86_64 not found on PATH and {REQUIRE_QEMU_ENV}=1");
    }
    eprintln!("{test}: skipped: qemu-system-x86_64 not found");
    None
}
