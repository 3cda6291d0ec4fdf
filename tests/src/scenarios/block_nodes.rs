//! Block layer events of `qemu-system-x86_64` that need no guest: DEVICE_TRAY_MOVED,
//! BLOCK_WRITE_THRESHOLD and BLOCK_IMAGE_CORRUPTED.
//!
//! 1. An empty `ide-cd` (`cd0`): `blockdev-open-tray`, `blockdev-close-tray`, then `eject`
//!    (which opens the tray again) → three DEVICE_TRAY_MOVED.
//! 2. A raw node with `block-set-write-threshold` at [`WRITE_THRESHOLD`], written past it
//!    through HMP `qemu-io` → BLOCK_WRITE_THRESHOLD.
//! 3. A qcow2 image made with `qemu-img create`, whose first L1 entry is then pointed at the
//!    L1 table itself (as QEMU's iotest 060 does): the first write allocates a cluster and
//!    would update the "L2 table", which overlaps the active L1 table, so qcow2 refuses, marks
//!    the image corrupt → BLOCK_IMAGE_CORRUPTED (fatal).

use std::path::Path;
use std::process::Command;

use serde_json::json;

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::{Error, Result};
use crate::images::write_filled_image;
use crate::qemu::{QemuConfig, find_on_path};

/// The CD-ROM's qdev id.
pub const CDROM_ID: &str = "cd0";

/// Node name of the raw node with a write threshold.
pub const THRESHOLD_NODE: &str = "thresholded";

/// The write threshold, in bytes.
pub const WRITE_THRESHOLD: u64 = 4096;

/// Bytes written from offset 0 on the thresholded node.
pub const WRITE_LENGTH: u64 = 8192;

/// Node name of the corrupted qcow2 node.
pub const CORRUPT_NODE: &str = "corrupt";

/// The qcow2 image's cluster size (`qemu-img`'s default).
pub const CLUSTER_SIZE: u64 = 65536;

/// Opens and closes the CD tray, writes past a threshold, writes to a corrupt qcow2 image;
/// returns the events.
pub fn capture_block_nodes(qemu: &Path) -> Result<Vec<String>> {
    let mut config = QemuConfig::new(qemu)?;
    let raw = config.dir().join("thresholded.raw");
    write_filled_image(&raw, 1024 * 1024, 0)?;
    let qcow2 = config.dir().join("corrupt.qcow2");
    make_corrupt_qcow2(&qcow2)?;
    config.args(["-S", "-device", &format!("ide-cd,id={CDROM_ID},bus=ide.1")]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        for (command, open) in [
            ("blockdev-open-tray", true),
            ("blockdev-close-tray", false),
            ("eject", true),
        ] {
            qmp.execute(command, Some(json!({ "id": CDROM_ID })))?;
            qmp.wait_event_matching("DEVICE_TRAY_MOVED", EVENT_TIMEOUT, |event| {
                event["data"]["tray-open"] == open
            })?;
        }

        qmp.execute(
            "blockdev-add",
            Some(json!({
                "driver": "raw",
                "node-name": THRESHOLD_NODE,
                "file": { "driver": "file", "filename": raw },
            })),
        )?;
        qmp.execute(
            "block-set-write-threshold",
            Some(json!({ "node-name": THRESHOLD_NODE, "write-threshold": WRITE_THRESHOLD })),
        )?;
        qemu_io(
            &mut qmp,
            THRESHOLD_NODE,
            &format!("write -P 0x11 0 {WRITE_LENGTH}"),
        )?;
        qmp.wait_event("BLOCK_WRITE_THRESHOLD", EVENT_TIMEOUT)?;

        qmp.execute(
            "blockdev-add",
            Some(json!({
                "driver": "qcow2",
                "node-name": CORRUPT_NODE,
                "file": { "driver": "file", "filename": qcow2 },
            })),
        )?;
        // The write itself fails ("write failed: Input/output error" in the HMP output).
        qemu_io(&mut qmp, CORRUPT_NODE, "write -P 0x2a 0 512")?;
        qmp.wait_event("BLOCK_IMAGE_CORRUPTED", EVENT_TIMEOUT)?;

        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}

/// Runs one `qemu-io` command on `node` through HMP.
fn qemu_io(qmp: &mut crate::qmp::QmpClient, node: &str, command: &str) -> Result<String> {
    qmp.human_monitor_command(&format!("qemu-io {node} \"{command}\""))
}

/// The offset of the active L1 table in the qcow2 image at `path` (header bytes 40..48).
pub fn l1_table_offset(image: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = image
        .get(40..48)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::protocol("qcow2 image shorter than its header"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// `qemu-img create -f qcow2 PATH 1M`, then L1[0] := the L1 table's own offset, flagged
/// COPIED (bit 63) so that qcow2 writes to it in place.
fn make_corrupt_qcow2(path: &Path) -> Result<()> {
    let qemu_img = find_on_path("qemu-img")
        .ok_or_else(|| Error::protocol("qemu-img not found on PATH (package qemu-utils)"))?;
    let output = Command::new(&qemu_img)
        .args(["create", "-q", "-f", "qcow2"])
        .arg(path)
        .arg("1M")
        .output()
        .map_err(|e| Error::io("running qemu-img", e))?;
    if !output.status.success() {
        return Err(Error::protocol(format!(
            "qemu-img create failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut image =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let l1 = l1_table_offset(&image)?;
    let start = usize::try_from(l1).map_err(|_| Error::protocol("L1 offset too large"))?;
    let entry = image
        .get_mut(start..start + 8)
        .ok_or_else(|| Error::protocol(format!("L1 table at {l1:#x} is past the image's end")))?;
    entry.copy_from_slice(&(l1 | 1 << 63).to_be_bytes());
    std::fs::write(path, image).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
