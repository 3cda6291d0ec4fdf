//! Block jobs and block exports on `qemu-storage-daemon` (no machine, no guest):
//! JOB_STATUS_CHANGE, BLOCK_JOB_READY, BLOCK_JOB_COMPLETED, BLOCK_JOB_PENDING,
//! BLOCK_JOB_CANCELLED, BLOCK_JOB_ERROR and BLOCK_EXPORT_DELETED.
//!
//! Four `blockdev-mirror` jobs from one raw source node, each to its own raw target:
//!
//! 1. `mirror-complete`: runs until READY, then `job-complete` → COMPLETED.
//! 2. `mirror-pending`: `auto-finalize: false, auto-dismiss: false`: after `job-complete`
//!    it waits in PENDING until `job-finalize`, then is dismissed with `job-dismiss`.
//! 3. `mirror-cancel`: READY, then `job-cancel` → CANCELLED.
//! 4. `mirror-error`: the target is `raw` over `blkdebug` failing every write with EIO, and
//!    `on-target-error: report` → BLOCK_JOB_ERROR, then COMPLETED with `error`.
//!
//! Then an NBD export is added and deleted (BLOCK_EXPORT_DELETED), and `quit`.

use std::path::Path;

use serde_json::{Value, json};

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::images::write_filled_image;
use crate::qemu::QemuConfig;
use crate::qmp::QmpClient;

/// Size of the source and of each target image.
pub const IMAGE_SIZE: usize = 1024 * 1024;

/// Node name of the mirror source.
pub const SOURCE_NODE: &str = "source";

/// Id of the NBD export.
pub const EXPORT_ID: &str = "export0";

/// Runs the four mirror jobs and the export on `qemu-storage-daemon`; returns the events.
pub fn capture_block_jobs(storage_daemon: &Path) -> Result<Vec<String>> {
    let config = QemuConfig::storage_daemon(storage_daemon)?;
    let dir = config.dir().to_owned();
    let mut files = Vec::new();
    for name in [SOURCE_NODE, "target1", "target2", "target3", "target4"] {
        let path = dir.join(format!("{name}.raw"));
        write_filled_image(&path, IMAGE_SIZE, 0x5A)?;
        files.push((name, path));
    }
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        for (name, path) in &files[..4] {
            qmp.execute(
                "blockdev-add",
                Some(json!({
                    "driver": "raw",
                    "node-name": name,
                    "file": { "driver": "file", "filename": path },
                })),
            )?;
        }
        qmp.execute(
            "blockdev-add",
            Some(json!({
                "driver": "raw",
                "node-name": "target4",
                "file": {
                    "driver": "blkdebug",
                    "image": { "driver": "file", "filename": files[4].1 },
                    "inject-error": [{ "event": "write_aio", "errno": 5 }],
                },
            })),
        )?;

        mirror(&mut qmp, "mirror-complete", "target1", json!({}))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_READY", "mirror-complete")?;
        qmp.execute("job-complete", Some(json!({ "id": "mirror-complete" })))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_COMPLETED", "mirror-complete")?;
        wait_status(&mut qmp, "mirror-complete", "null")?;

        mirror(
            &mut qmp,
            "mirror-pending",
            "target2",
            json!({ "auto-finalize": false, "auto-dismiss": false }),
        )?;
        wait_job_event(&mut qmp, "BLOCK_JOB_READY", "mirror-pending")?;
        qmp.execute("job-complete", Some(json!({ "id": "mirror-pending" })))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_PENDING", "mirror-pending")?;
        qmp.execute("job-finalize", Some(json!({ "id": "mirror-pending" })))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_COMPLETED", "mirror-pending")?;
        wait_status(&mut qmp, "mirror-pending", "concluded")?;
        qmp.execute("job-dismiss", Some(json!({ "id": "mirror-pending" })))?;
        wait_status(&mut qmp, "mirror-pending", "null")?;

        mirror(&mut qmp, "mirror-cancel", "target3", json!({}))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_READY", "mirror-cancel")?;
        qmp.execute("job-cancel", Some(json!({ "id": "mirror-cancel" })))?;
        wait_job_event(&mut qmp, "BLOCK_JOB_CANCELLED", "mirror-cancel")?;
        wait_status(&mut qmp, "mirror-cancel", "null")?;

        mirror(
            &mut qmp,
            "mirror-error",
            "target4",
            json!({ "on-target-error": "report" }),
        )?;
        wait_job_event(&mut qmp, "BLOCK_JOB_ERROR", "mirror-error")?;
        wait_job_event(&mut qmp, "BLOCK_JOB_COMPLETED", "mirror-error")?;
        wait_status(&mut qmp, "mirror-error", "null")?;

        let nbd_socket = vm.dir().join("nbd.sock");
        qmp.execute(
            "nbd-server-start",
            Some(json!({ "addr": { "type": "unix", "data": { "path": nbd_socket } } })),
        )?;
        qmp.execute(
            "block-export-add",
            Some(json!({ "id": EXPORT_ID, "type": "nbd", "node-name": SOURCE_NODE })),
        )?;
        // The deletion completes after the command returns: the event says when.
        qmp.execute("block-export-del", Some(json!({ "id": EXPORT_ID })))?;
        qmp.wait_event("BLOCK_EXPORT_DELETED", EVENT_TIMEOUT)?;
        qmp.execute("nbd-server-stop", None)?;

        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}

/// Starts a full `blockdev-mirror` of the source to `target` with `job-id` `id`.
fn mirror(qmp: &mut QmpClient, id: &str, target: &str, extra: Value) -> Result<()> {
    let mut arguments = json!({
        "job-id": id,
        "device": SOURCE_NODE,
        "target": target,
        "sync": "full",
    });
    if let (Some(arguments), Value::Object(extra)) = (arguments.as_object_mut(), extra) {
        arguments.extend(extra);
    }
    qmp.execute("blockdev-mirror", Some(arguments))?;
    Ok(())
}

/// Waits for the BLOCK_JOB_* event `name` of job `id` (named by `device`, or by `id` in
/// BLOCK_JOB_PENDING).
fn wait_job_event(qmp: &mut QmpClient, name: &str, id: &str) -> Result<String> {
    qmp.wait_event_matching(name, EVENT_TIMEOUT, |event| {
        let data = &event["data"];
        data["device"] == id || data["id"] == id
    })
}

/// Waits for job `id`'s JOB_STATUS_CHANGE to `status`.
fn wait_status(qmp: &mut QmpClient, id: &str, status: &str) -> Result<String> {
    qmp.wait_event_matching("JOB_STATUS_CHANGE", EVENT_TIMEOUT, |event| {
        event["data"]["id"] == id && event["data"]["status"] == status
    })
}
