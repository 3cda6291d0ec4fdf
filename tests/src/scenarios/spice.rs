//! SPICE_CONNECTED, SPICE_INITIALIZED and SPICE_DISCONNECTED: a SPICE server on a
//! loopback address, a main-channel link from [`crate::spice`], then a disconnect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::Path;

use super::{EVENT_TIMEOUT, with_qemu};
use crate::error::{Error, Result};
use crate::qemu::QemuConfig;
use crate::spice::{Ticket, connect, link_main_channel};

/// Which loopback address the SPICE server listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpiceFamily {
    /// 127.0.0.1
    Ipv4,
    /// ::1
    Ipv6,
}

impl SpiceFamily {
    /// The loopback address of this family.
    pub fn loopback(self) -> IpAddr {
        match self {
            SpiceFamily::Ipv4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
            SpiceFamily::Ipv6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
        }
    }

    /// A currently free TCP port on this loopback address, or `None` when the address
    /// cannot be bound at all (e.g. no IPv6 loopback on this machine).
    pub fn free_port(self) -> Option<u16> {
        let listener = TcpListener::bind(SocketAddr::new(self.loopback(), 0)).ok()?;
        listener.local_addr().ok().map(|addr| addr.port())
    }
}

/// Starts QEMU with `-spice port=P,addr=<loopback>,disable-ticketing=on`, connects, links
/// the main channel (with a properly encrypted empty password), disconnects; returns
/// the events.
pub fn capture_spice(qemu: &Path, family: SpiceFamily) -> Result<Vec<String>> {
    let port = family.free_port().ok_or_else(|| {
        Error::protocol(format!("cannot bind {} on this machine", family.loopback()))
    })?;
    let mut config = QemuConfig::new(qemu)?;
    config.args([
        "-spice".to_owned(),
        format!(
            "port={port},addr={},disable-ticketing=on",
            family.loopback()
        ),
    ]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        let stream = connect(SocketAddr::new(family.loopback(), port))?;
        qmp.wait_event("SPICE_CONNECTED", EVENT_TIMEOUT)?;
        let link = link_main_channel(stream, Ticket::EmptyPassword)?;
        if link.link_result != 0 {
            return Err(Error::protocol(format!(
                "SPICE link result {}",
                link.link_result
            )));
        }
        qmp.wait_event("SPICE_INITIALIZED", EVENT_TIMEOUT)?;
        drop(link);
        qmp.wait_event("SPICE_DISCONNECTED", EVENT_TIMEOUT)?;
        qmp.execute("quit", None)?;
        qmp.collect_events_for(EVENT_TIMEOUT)?;
        vm.wait_exit(EVENT_TIMEOUT)?;
        Ok(qmp.events())
    })
}

/// Like [`capture_spice`] on IPv4, but sends 128 garbage bytes as the ticket; returns
/// the link result and the events (used to document what the server does with it).
pub fn capture_spice_garbage_ticket(qemu: &Path) -> Result<(Result<u32>, Vec<String>)> {
    let family = SpiceFamily::Ipv4;
    let port = family
        .free_port()
        .ok_or_else(|| Error::protocol("cannot bind 127.0.0.1"))?;
    let mut config = QemuConfig::new(qemu)?;
    config.args([
        "-spice".to_owned(),
        format!("port={port},addr=127.0.0.1,disable-ticketing=on"),
    ]);
    let mut vm = config.spawn()?;
    with_qemu(&mut vm, |vm| {
        let mut qmp = vm.qmp()?;
        let stream = connect(SocketAddr::new(family.loopback(), port))?;
        // The link (and so the TCP connection) is dropped right after its result is read.
        let result = link_main_channel(stream, Ticket::Garbage).map(|link| link.link_result);
        qmp.wait_event("SPICE_DISCONNECTED", EVENT_TIMEOUT)?;
        qmp.collect_events_for(std::time::Duration::from_millis(300))?;
        Ok((result, qmp.events()))
    })
}
