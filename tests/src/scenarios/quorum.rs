//! QUORUM_REPORT_BAD and QUORUM_FAILURE: a `quorum` node (vote-threshold 2) over three
//! `raw` nodes on `file` children, read through HMP `qemu-io`.

use std::path::Path;

use serde_json::{Value, json};

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::images::write_filled_image;
use crate::qemu::QemuConfig;

/// Size of each quorum child image.
pub const CHILD_SIZE: usize = 1024 * 1024;

/// Node name of the quorum node.
pub const QUORUM_NODE: &str = "quorum0";

/// Two children agree, the third (`raw2`) differs: QUORUM_REPORT_BAD for it.
pub fn capture_quorum_report_bad(qemu: &Path) -> Result<Vec<String>> {
    capture_quorum(qemu, [0x00, 0x00, 0xFF], "QUORUM_REPORT_BAD")
}

/// All three children differ: no quorum, QUORUM_FAILURE (and the read fails).
pub fn capture_quorum_failure(qemu: &Path) -> Result<Vec<String>> {
    capture_quorum(qemu, [0x00, 0x11, 0xFF], "QUORUM_FAILURE")
}

fn capture_quorum(qemu: &Path, fills: [u8; 3], expected: &str) -> Result<Vec<String>> {
    let config = QemuConfig::new(qemu)?;
    let mut children = Vec::new();
    for (i, fill) in fills.into_iter().enumerate() {
        let path = config.dir().join(format!("child{i}.raw"));
        write_filled_image(&path, CHILD_SIZE, fill)?;
        children.push(json!({
            "driver": "raw",
            "node-name": format!("raw{i}"),
            "file": { "driver": "file", "filename": path },
        }));
    }
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        qmp.execute(
            "blockdev-add",
            Some(json!({
                "driver": "quorum",
                "node-name": QUORUM_NODE,
                "vote-threshold": 2,
                "children": Value::Array(children),
            })),
        )?;
        qmp.human_monitor_command(&format!("qemu-io {QUORUM_NODE} \"read 0 512\""))?;
        qmp.wait_event(expected, EVENT_TIMEOUT)?;
        qmp.collect_events_for(std::time::Duration::from_millis(200))?;
        Ok(qmp.events())
    })
}
