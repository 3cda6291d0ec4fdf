//! One `capture_*` function per scenario: each starts its own QEMU, makes it emit the
//! scenario's events, stops it, and returns every event line QMP delivered, raw and in
//! arrival order. The QEMU is killed by its handle on every path, panics included.

pub mod block_jobs;
pub mod block_nodes;
pub mod boot_sector;
mod guest_panic;
mod lifecycle;
pub mod linux_guest;
pub mod migration;
mod quorum;
mod spice;
pub mod vnc_netdev;

use std::time::Duration;

pub use block_jobs::capture_block_jobs;
pub use block_nodes::capture_block_nodes;
pub use boot_sector::{BootProgram, capture_block_io_error, capture_boot_sector};
pub use guest_panic::{PanicAction, capture_guest_panicked};
pub use lifecycle::capture_lifecycle;
pub use linux_guest::{capture_linux_guest, linux_guest_events};
pub use migration::capture_migration;
pub use quorum::{capture_quorum_failure, capture_quorum_report_bad};
pub use spice::{SpiceFamily, capture_spice, capture_spice_garbage_ticket};
pub use vnc_netdev::{VncNetdev, capture_vnc_netdev};

use crate::error::Result;
use crate::qemu::Qemu;

/// Bound for events that follow a command immediately.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Bound for events that need a guest to boot or act under TCG.
pub const GUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `f` and attaches QEMU's stderr to any error it returns.
fn with_qemu<T>(vm: &mut Qemu, f: impl FnOnce(&mut Qemu) -> Result<T>) -> Result<T> {
    let result = f(vm);
    result.map_err(|e| vm.annotate(e))
}

/// The name of the event in a raw line (`None` when it is not an event line).
pub fn event_name(raw: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    value.get("event")?.as_str().map(str::to_owned)
}

/// The raw lines of `events` whose event name is `name`.
pub fn lines_named<'a>(events: &'a [String], name: &str) -> Vec<&'a str> {
    events
        .iter()
        .filter(|raw| event_name(raw).as_deref() == Some(name))
        .map(String::as_str)
        .collect()
}
