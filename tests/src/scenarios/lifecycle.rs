//! STOP, RESUME, RESET, POWERDOWN and SHUTDOWN from plain QMP commands (no guest needed).

use std::path::Path;

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::qemu::QemuConfig;

/// `stop`, `cont`, `system_reset`, `system_powerdown`, then `quit`; returns the events.
pub fn capture_lifecycle(qemu: &Path) -> Result<Vec<String>> {
    let mut vm = QemuConfig::new(qemu)?.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        for (command, event) in [
            ("stop", "STOP"),
            ("cont", "RESUME"),
            ("system_reset", "RESET"),
            ("system_powerdown", "POWERDOWN"),
            ("quit", "SHUTDOWN"),
        ] {
            qmp.execute(command, None)?;
            qmp.wait_event(event, EVENT_TIMEOUT)?;
        }
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}
