//! BALLOON_CHANGE and ACPI_DEVICE_OST: one Linux guest boot (see [`crate::guest`]) with a
//! virtio balloon and ACPI memory hotplug slots.
//!
//! 1. `balloon` to [`BALLOON_TARGET`]: the guest's virtio-balloon driver inflates and
//!    QEMU reports BALLOON_CHANGE (rate-limited to one a second) until `actual` reaches
//!    the target.
//! 2. `object-add` a 128 MiB `memory-backend-ram` and `device_add` a `pc-dimm` on it: the
//!    guest's ACPI memory hotplug evaluates `_OST` (insert) → ACPI_DEVICE_OST.
//! 3. `device_del` the DIMM: the guest evaluates `_OST` (eject in progress) →
//!    ACPI_DEVICE_OST, offlines and ejects it → DEVICE_DELETED, then evaluates `_OST`
//!    (eject done) → a last ACPI_DEVICE_OST, without `device` since the DIMM is gone.

use std::path::Path;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{GUEST_TIMEOUT, with_qemu};
use crate::error::{Error, Result};
use crate::guest::{KERNEL_CMDLINE, READY_MARKER, prepare_guest};
use crate::qemu::{Qemu, QemuConfig};

/// Guest RAM at boot, in MiB.
pub const GUEST_RAM_MIB: u64 = 256;

/// The balloon target: `actual` in the last BALLOON_CHANGE, in bytes.
pub const BALLOON_TARGET: u64 = 192 * 1024 * 1024;

/// Size of the hotplugged DIMM, in bytes.
pub const DIMM_SIZE: u64 = 128 * 1024 * 1024;

/// [`capture_linux_guest`], run at most once per process; later calls get the same lines.
pub fn linux_guest_events(qemu: &Path) -> Result<Vec<String>> {
    static EVENTS: OnceLock<std::result::Result<Vec<String>, String>> = OnceLock::new();
    EVENTS
        .get_or_init(|| capture_linux_guest(qemu).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| Error::protocol(format!("Linux guest scenario failed earlier: {e}")))
}

/// Boots the guest, drives the balloon and a DIMM plug/unplug; returns the events.
pub fn capture_linux_guest(qemu: &Path) -> Result<Vec<String>> {
    let image = prepare_guest()?;
    let mut config = QemuConfig::new(qemu)?;
    let serial = config.dir().join("serial.log");
    config
        .args([
            "-m",
            &format!("{GUEST_RAM_MIB}M,slots=4,maxmem=1G"),
            "-no-reboot",
            "-device",
            "virtio-balloon-pci,id=balloon0",
            "-serial",
            "file:serial.log",
            "-append",
            KERNEL_CMDLINE,
            "-kernel",
        ])
        .arg(&image.kernel)
        .arg("-initrd")
        .arg(&image.initrd);
    let mut vm = config.spawn()?;
    let result = with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        wait_for_serial(vm, &serial, READY_MARKER, GUEST_TIMEOUT)?;

        qmp.execute("balloon", Some(json!({ "value": BALLOON_TARGET })))?;
        qmp.wait_event_matching("BALLOON_CHANGE", GUEST_TIMEOUT, |event| {
            event["data"]["actual"].as_u64() == Some(BALLOON_TARGET)
        })?;

        qmp.execute(
            "object-add",
            Some(json!({ "qom-type": "memory-backend-ram", "id": "mem1", "size": DIMM_SIZE })),
        )?;
        qmp.execute(
            "device_add",
            Some(json!({ "driver": "pc-dimm", "id": "dimm1", "memdev": "mem1" })),
        )?;
        qmp.wait_event("ACPI_DEVICE_OST", GUEST_TIMEOUT)?;
        qmp.execute("device_del", Some(json!({ "id": "dimm1" })))?;
        qmp.wait_event("ACPI_DEVICE_OST", GUEST_TIMEOUT)?;
        qmp.wait_event("DEVICE_DELETED", GUEST_TIMEOUT)?;
        // After a successful _EJ0 the guest reports the eject's final status too.
        qmp.wait_event("ACPI_DEVICE_OST", GUEST_TIMEOUT)?;

        qmp.execute("quit", None)?;
        qmp.collect_events_for(Duration::from_secs(10))?;
        vm.wait_exit(Duration::from_secs(10))?;
        Ok(qmp.events())
    });
    result.map_err(|e| with_serial_log(e, &serial))
}

/// Polls the serial log until it contains `marker` (bounded; fails if QEMU exits).
fn wait_for_serial(vm: &mut Qemu, serial: &Path, marker: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let log = std::fs::read(serial).unwrap_or_default();
        if String::from_utf8_lossy(&log).contains(marker) {
            return Ok(());
        }
        if let Some(status) = vm.try_exit_status()? {
            return Err(Error::protocol(format!(
                "QEMU exited ({status}) before the guest printed {marker}"
            )));
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: format!("guest to print {marker} on the serial console"),
                after: timeout,
            });
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// Appends the tail of the guest's serial log to an error.
fn with_serial_log(error: Error, serial: &Path) -> Error {
    let log = std::fs::read(serial).unwrap_or_default();
    let log = String::from_utf8_lossy(&log);
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Error::protocol(format!(
        "{error}\n--- guest serial log (last 40 lines) ---\n{}",
        tail.join("\n")
    ))
}
