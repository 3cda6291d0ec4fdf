//! DUMP_COMPLETED, MIGRATION and MIGRATION_PASS from a small machine that never runs
//! (`-S`, no guest).
//!
//! 1. `dump-guest-memory` to a file → DUMP_COMPLETED with the dump's final status (sent
//!    whether or not the dump is detached).
//! 2. `migrate-set-capabilities events=true`, then `migrate` to a `file:` URI → MIGRATION for
//!    each status up to `completed`, and MIGRATION_PASS for the RAM pass.

use std::path::Path;

use serde_json::json;

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::Result;
use crate::qemu::QemuConfig;

/// Guest RAM, in MiB: what the dump and the migration carry.
pub const RAM_MIB: u64 = 32;

/// Dumps the guest memory, migrates to a file, quits; returns the events.
pub fn capture_migration(qemu: &Path) -> Result<Vec<String>> {
    let mut config = QemuConfig::new(qemu)?;
    config.args(["-S", "-m", &format!("{RAM_MIB}M")]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        let dump = vm.dir().join("memory.dump");
        qmp.execute(
            "dump-guest-memory",
            Some(json!({
                "paging": false,
                "protocol": format!("file:{}", dump.display()),
                // Not detached: the dump and its cleanup are over when the command returns.
                // (Detached, DUMP_COMPLETED comes just before the dump's migration blocker is
                // removed, so a `migrate` right after the event can still be refused.)
                "detach": false,
            })),
        )?;
        qmp.wait_event("DUMP_COMPLETED", EVENT_TIMEOUT)?;

        qmp.execute(
            "migrate-set-capabilities",
            Some(json!({ "capabilities": [{ "capability": "events", "state": true }] })),
        )?;
        let file = vm.dir().join("migration.state");
        qmp.execute(
            "migrate",
            Some(json!({ "uri": format!("file:{}", file.display()) })),
        )?;
        qmp.wait_event_matching("MIGRATION", EVENT_TIMEOUT, |event| {
            matches!(
                event["data"]["status"].as_str(),
                Some("completed" | "failed")
            )
        })?;

        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}
