//! VNC_CONNECTED, VNC_INITIALIZED, VNC_DISCONNECTED, NETDEV_STREAM_CONNECTED and
//! NETDEV_STREAM_DISCONNECTED: front ends and back ends on unix sockets, no guest.
//!
//! 1. `-vnc unix:PATH`: connect (CONNECTED), the RFB handshake of [`crate::vnc`] up to
//!    ServerInit (INITIALIZED), close (DISCONNECTED).
//! 2. A unix socket listening here, and `netdev_add` of a `stream` netdev connecting to it as a
//!    client (CONNECTED); accepting, then closing our end (DISCONNECTED).

use std::os::unix::net::UnixListener;
use std::path::Path;

use serde_json::json;

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::{Error, Result};
use crate::qemu::QemuConfig;
use crate::vnc::{ServerInit, connect_unix, handshake};

/// The id of the `stream` netdev.
pub const NETDEV_ID: &str = "net0";

/// File names (in QEMU's temporary directory) of the VNC and netdev sockets.
pub const VNC_SOCKET: &str = "vnc.sock";
/// See [`VNC_SOCKET`].
pub const NETDEV_SOCKET: &str = "netdev.sock";

/// What [`capture_vnc_netdev`] saw besides the events.
#[derive(Debug, Clone)]
pub struct VncNetdev {
    /// The event lines.
    pub events: Vec<String>,
    /// The VNC server's ServerInit.
    pub server_init: ServerInit,
    /// The absolute path of the VNC socket.
    pub vnc_socket: String,
    /// The absolute path of the netdev socket.
    pub netdev_socket: String,
}

/// Runs the VNC client and the stream netdev; returns the events and what was seen.
pub fn capture_vnc_netdev(qemu: &Path) -> Result<VncNetdev> {
    let mut config = QemuConfig::new(qemu)?;
    let vnc_socket = config.dir().join(VNC_SOCKET);
    let netdev_socket = config.dir().join(NETDEV_SOCKET);
    let mut vnc_arg = std::ffi::OsString::from("unix:");
    vnc_arg.push(&vnc_socket);
    config.args(["-S", "-vnc"]).arg(vnc_arg);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        // The greeting comes once QEMU's main loop runs, so the VNC socket listens by then.
        let mut qmp = vm.qmp()?;
        let mut stream = connect_unix(&vnc_socket)?;
        qmp.wait_event("VNC_CONNECTED", EVENT_TIMEOUT)?;
        let server_init = handshake(&mut stream)?;
        qmp.wait_event("VNC_INITIALIZED", EVENT_TIMEOUT)?;
        drop(stream);
        qmp.wait_event("VNC_DISCONNECTED", EVENT_TIMEOUT)?;

        let listener = UnixListener::bind(&netdev_socket)
            .map_err(|e| Error::io(format!("binding {}", netdev_socket.display()), e))?;
        qmp.execute(
            "netdev_add",
            Some(json!({
                "type": "stream",
                "id": NETDEV_ID,
                "server": false,
                "addr": { "type": "unix", "path": netdev_socket },
            })),
        )?;
        // QEMU connects in the background; its connect() succeeds once the connection is
        // queued on our listener, so after the event accept() returns at once.
        qmp.wait_event("NETDEV_STREAM_CONNECTED", EVENT_TIMEOUT)?;
        let (peer, _) = listener
            .accept()
            .map_err(|e| Error::io("accepting the netdev connection", e))?;
        drop(peer);
        qmp.wait_event("NETDEV_STREAM_DISCONNECTED", EVENT_TIMEOUT)?;

        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(VncNetdev {
            events: qmp.events(),
            server_init,
            vnc_socket: vnc_socket.display().to_string(),
            netdev_socket: netdev_socket.display().to_string(),
        })
    })
}
