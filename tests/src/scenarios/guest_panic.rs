//! GUEST_PANICKED: a 512-byte boot sector writes to the ISA `pvpanic` device, under each
//! `-action panic=...` setting.

use std::path::Path;
use std::time::Duration;

use super::{EVENT_TIMEOUT, GUEST_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::images::write_pvpanic_disk;
use crate::qemu::QemuConfig;

/// The `-action panic=` values exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanicAction {
    /// `panic=pause`: the VM stops.
    Pause,
    /// `panic=shutdown`: QEMU shuts down and exits (the event says `"poweroff"`).
    Shutdown,
    /// `panic=exit-failure`: QEMU shuts down and exits with status 1.
    ExitFailure,
    /// `panic=none`: the VM keeps running.
    None,
}

impl PanicAction {
    /// The value of `-action panic=`.
    pub fn option_value(self) -> &'static str {
        match self {
            PanicAction::Pause => "pause",
            PanicAction::Shutdown => "shutdown",
            PanicAction::ExitFailure => "exit-failure",
            PanicAction::None => "none",
        }
    }
}

/// Boots the pvpanic boot sector with `-action panic=<action>`; returns the events.
pub fn capture_guest_panicked(qemu: &Path, action: PanicAction) -> Result<Vec<String>> {
    let mut config = QemuConfig::new(qemu)?;
    let disk = config.dir().join("pvpanic.img");
    write_pvpanic_disk(&disk)?;
    let mut drive = std::ffi::OsString::from("file=");
    drive.push(&disk);
    drive.push(",format=raw,if=ide");
    config
        .args(["-S", "-device", "pvpanic", "-drive"])
        .arg(drive)
        .args(["-action", &format!("panic={}", action.option_value())]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        // Started with -S so that no event can fire before QMP is connected.
        qmp.execute("cont", None)?;
        qmp.wait_event("GUEST_PANICKED", GUEST_TIMEOUT)?;
        if matches!(action, PanicAction::Shutdown | PanicAction::ExitFailure) {
            qmp.wait_event("SHUTDOWN", EVENT_TIMEOUT)?;
            qmp.collect_events_for(EVENT_TIMEOUT)?;
            vm.wait_exit(EVENT_TIMEOUT)?;
        } else {
            qmp.collect_events_for(Duration::from_millis(300))?;
            qmp.execute("quit", None)?;
            qmp.collect_events_for(EVENT_TIMEOUT)?;
            vm.wait_exit(EVENT_TIMEOUT)?;
        }
        Ok(qmp.events())
    })
}
