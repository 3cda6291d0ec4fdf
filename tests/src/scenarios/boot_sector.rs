//! Events a guest causes, from guests of a few bytes: a boot sector that SeaBIOS loads and
//! runs in real mode, each doing one thing with an emulated device and then halting.
//!
//! | program | machine | events |
//! |---|---|---|
//! | [`BootProgram::Pvpanic`] | `-device pvpanic` | GUEST_CRASHLOADED, GUEST_PVSHUTDOWN, SHUTDOWN |
//! | [`BootProgram::RtcYear`] | the board's RTC | RTC_CHANGE |
//! | [`BootProgram::SuspendToRam`] | PIIX4 ACPI PM | SUSPEND; `system_wakeup` → WAKEUP, RESET, SUSPEND |
//! | [`BootProgram::SuspendToDisk`] | PIIX4 ACPI PM | SUSPEND_DISK, SHUTDOWN |
//! | [`BootProgram::Watchdog`] | `-device ib700 -action watchdog=pause` | WATCHDOG, STOP |
//!
//! And [`capture_block_io_error`]: no program at all, the disk fails every read (`blkdebug`),
//! so SeaBIOS's first read of the boot sector gets BLOCK_IO_ERROR (and STOP, `rerror=stop`).

use std::path::Path;

use serde_json::json;

use super::{EVENT_TIMEOUT, GUEST_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::images::{write_boot_disk, write_filled_image};
use crate::qemu::QemuConfig;

/// `hlt; jmp $-1`: halts for good (an interrupt only leads back to `hlt`).
const HALT: [u8; 3] = [0xF4, 0xEB, 0xFD];

/// The PIIX4 PM I/O base SeaBIOS programs (`info mtree`: `piix4-pm` at 0x600).
pub const ACPI_PM_BASE: u16 = 0x600;

/// PM1a_CNT's SLP_EN bit; SLP_TYP is bits 10..13.
const SLP_EN: u16 = 1 << 13;

/// QEMU's SLP_TYP values for S3 and S4 (its DSDT's `_S3` and the PIIX4 `s4_val` default).
const SLP_TYP_S3: u16 = 1;
const SLP_TYP_S4: u16 = 2;

/// The boot sector programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootProgram {
    /// Writes "crash loaded" (bit 1), then "shutdown" (bit 2) to the ISA pvpanic port 0x505.
    Pvpanic,
    /// Sets the CMOS RTC's year register (index 9) to BCD 99: the year becomes 2099.
    RtcYear,
    /// Writes SLP_TYP=S3 | SLP_EN to PM1a_CNT: suspend to RAM.
    SuspendToRam,
    /// Writes SLP_TYP=S4 | SLP_EN to PM1a_CNT: suspend to disk.
    SuspendToDisk,
    /// Enables the ib700 watchdog with its shortest timeout (index 15: zero seconds).
    Watchdog,
}

impl BootProgram {
    /// The program's name, for the scenario.
    pub fn name(self) -> &'static str {
        match self {
            BootProgram::Pvpanic => "pvpanic",
            BootProgram::RtcYear => "rtc_year",
            BootProgram::SuspendToRam => "suspend_to_ram",
            BootProgram::SuspendToDisk => "suspend_to_disk",
            BootProgram::Watchdog => "watchdog",
        }
    }

    /// The machine code, ending in `HALT`.
    pub fn code(self) -> Vec<u8> {
        let mut code = match self {
            // mov dx,0x505; mov al,2; out dx,al; mov al,4; out dx,al
            BootProgram::Pvpanic => vec![0xBA, 0x05, 0x05, 0xB0, 0x02, 0xEE, 0xB0, 0x04, 0xEE],
            // mov al,9; out 0x70,al; mov al,0x99; out 0x71,al
            BootProgram::RtcYear => vec![0xB0, 0x09, 0xE6, 0x70, 0xB0, 0x99, 0xE6, 0x71],
            BootProgram::SuspendToRam => pm1_cnt_write(SLP_TYP_S3 << 10 | SLP_EN),
            BootProgram::SuspendToDisk => pm1_cnt_write(SLP_TYP_S4 << 10 | SLP_EN),
            // mov dx,0x443; mov al,0x0f; out dx,al
            BootProgram::Watchdog => vec![0xBA, 0x43, 0x04, 0xB0, 0x0F, 0xEE],
        };
        code.extend_from_slice(&HALT);
        code
    }

    /// Extra QEMU arguments.
    fn args(self) -> &'static [&'static str] {
        match self {
            BootProgram::Pvpanic => &["-device", "pvpanic"],
            BootProgram::Watchdog => &["-device", "ib700", "-action", "watchdog=pause"],
            _ => &[],
        }
    }
}

/// `mov dx,PM1a_CNT; mov ax,value; out dx,ax`.
fn pm1_cnt_write(value: u16) -> Vec<u8> {
    let [port_lo, port_hi] = (ACPI_PM_BASE + 4).to_le_bytes();
    let [lo, hi] = value.to_le_bytes();
    vec![0xBA, port_lo, port_hi, 0xB8, lo, hi, 0xEF]
}

/// Boots `program` (from `-S`, so no event is missed) and returns the events.
pub fn capture_boot_sector(qemu: &Path, program: BootProgram) -> Result<Vec<String>> {
    let mut config = QemuConfig::new(qemu)?;
    let disk = config.dir().join("boot.img");
    write_boot_disk(&disk, &program.code())?;
    let mut drive = std::ffi::OsString::from("file=");
    drive.push(&disk);
    drive.push(",format=raw,if=ide");
    config
        .args(["-S", "-drive"])
        .arg(drive)
        .args(program.args());
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        qmp.execute("cont", None)?;
        let exits = match program {
            BootProgram::Pvpanic => {
                qmp.wait_event("GUEST_CRASHLOADED", GUEST_TIMEOUT)?;
                qmp.wait_event("GUEST_PVSHUTDOWN", EVENT_TIMEOUT)?;
                true
            }
            BootProgram::RtcYear => {
                qmp.wait_event("RTC_CHANGE", GUEST_TIMEOUT)?;
                false
            }
            BootProgram::SuspendToRam => {
                qmp.wait_event("SUSPEND", GUEST_TIMEOUT)?;
                qmp.execute("system_wakeup", None)?;
                qmp.wait_event("WAKEUP", EVENT_TIMEOUT)?;
                // No OS left a resume vector: SeaBIOS resets, boots the sector again, and it
                // suspends again.
                qmp.wait_event("RESET", GUEST_TIMEOUT)?;
                qmp.wait_event("SUSPEND", GUEST_TIMEOUT)?;
                false
            }
            BootProgram::SuspendToDisk => {
                qmp.wait_event("SUSPEND_DISK", GUEST_TIMEOUT)?;
                true
            }
            BootProgram::Watchdog => {
                qmp.wait_event("WATCHDOG", GUEST_TIMEOUT)?;
                qmp.wait_event("STOP", EVENT_TIMEOUT)?;
                false
            }
        };
        if exits {
            qmp.wait_event("SHUTDOWN", EVENT_TIMEOUT)?;
        } else {
            qmp.execute("quit", None)?;
        }
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}

/// The qdev id of the failing disk, and its node name.
pub const FAILING_DISK_ID: &str = "disk0";
/// See [`FAILING_DISK_ID`].
pub const FAILING_NODE: &str = "failing";

/// Boots from an `ide-hd` (`rerror=stop`) whose node, `raw` over `blkdebug`, fails every read
/// with EIO; returns the events.
pub fn capture_block_io_error(qemu: &Path) -> Result<Vec<String>> {
    let mut config = QemuConfig::new(qemu)?;
    let image = config.dir().join("failing.raw");
    write_filled_image(&image, 1024 * 1024, 0)?;
    let blockdev = json!({
        "driver": "raw",
        "node-name": FAILING_NODE,
        "file": {
            "driver": "blkdebug",
            "image": { "driver": "file", "filename": image },
            "inject-error": [{ "event": "read_aio", "errno": 5 }],
        },
    });
    config.args([
        "-S".to_owned(),
        "-blockdev".to_owned(),
        blockdev.to_string(),
        "-device".to_owned(),
        format!("ide-hd,id={FAILING_DISK_ID},drive={FAILING_NODE},bus=ide.0,rerror=stop"),
    ]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        qmp.execute("cont", None)?;
        qmp.wait_event("BLOCK_IO_ERROR", GUEST_TIMEOUT)?;
        qmp.wait_event("STOP", EVENT_TIMEOUT)?;
        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}
