//! Just enough of the SPICE link handshake (protocol 2.2) to open a main channel.
//!
//! Client → server: `SpiceLinkHeader` (magic "REDQ", major 2, minor 2, size) and
//! `SpiceLinkMess` (connection id, channel type/id, capabilities). Server → client: a
//! header and `SpiceLinkReply` (error code, 162-byte RSA-1024 public key as DER
//! SubjectPublicKeyInfo, capabilities). Client → server: the chosen auth mechanism
//! (we advertise `AUTH_SELECTION`) and the password (NUL-terminated) encrypted with
//! RSA-OAEP/SHA-1, which the server decrypts even when ticketing is disabled. Server →
//! client: a 32-bit link result (0 = OK). All integers are little-endian.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};

use crate::error::{Error, Result};

/// "REDQ" read as a little-endian u32.
pub const SPICE_MAGIC: u32 = u32::from_le_bytes(*b"REDQ");
/// Protocol major version.
pub const SPICE_VERSION_MAJOR: u32 = 2;
/// Protocol minor version.
pub const SPICE_VERSION_MINOR: u32 = 2;
/// Channel type of the main channel.
pub const SPICE_CHANNEL_MAIN: u8 = 1;
/// Size of the public key in `SpiceLinkReply`.
pub const SPICE_TICKET_PUBKEY_BYTES: usize = 162;
/// Common capability bit: the client picks an auth mechanism.
const CAP_AUTH_SELECTION: u32 = 0;
/// Common capability bit (and mechanism value): SPICE ticket auth.
const CAP_AUTH_SPICE: u32 = 1;
/// Size of `SpiceLinkMess` without capabilities.
const LINK_MESS_SIZE: u32 = 18;
/// Size of `SpiceLinkHeader`.
const LINK_HEADER_SIZE: usize = 16;
/// Bound for every socket read and write.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// What to send as the encrypted ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticket {
    /// The empty password, properly RSA-OAEP(SHA-1) encrypted with the server's key.
    EmptyPassword,
    /// 128 bytes of garbage (to see what the server does with an undecryptable ticket).
    Garbage,
}

/// An open SPICE channel after the link stage; dropping it closes the connection.
#[derive(Debug)]
pub struct SpiceLink {
    /// The TCP connection (the server starts sending channel messages on it).
    pub stream: TcpStream,
    /// The server's link result (0 = `SPICE_LINK_ERR_OK`).
    pub link_result: u32,
}

/// Connects to `addr` and returns the TCP stream (the server sees a client connect).
pub fn connect(addr: SocketAddr) -> Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
        .map_err(|e| Error::io(format!("connecting to SPICE at {addr}"), e))?;
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| Error::io("setting SPICE socket timeouts", e))?;
    Ok(stream)
}

/// Runs the link stage for main channel 0 on a connected stream.
pub fn link_main_channel(mut stream: TcpStream, ticket: Ticket) -> Result<SpiceLink> {
    let mut request = Vec::with_capacity(LINK_HEADER_SIZE + LINK_MESS_SIZE as usize + 4);
    for word in [
        SPICE_MAGIC,
        SPICE_VERSION_MAJOR,
        SPICE_VERSION_MINOR,
        LINK_MESS_SIZE + 4,
    ] {
        request.extend_from_slice(&word.to_le_bytes());
    }
    request.extend_from_slice(&0u32.to_le_bytes()); // connection_id: new session
    request.push(SPICE_CHANNEL_MAIN); // channel_type
    request.push(0); // channel_id
    request.extend_from_slice(&1u32.to_le_bytes()); // num_common_caps
    request.extend_from_slice(&0u32.to_le_bytes()); // num_channel_caps
    request.extend_from_slice(&LINK_MESS_SIZE.to_le_bytes()); // caps_offset
    let common_caps = (1u32 << CAP_AUTH_SELECTION) | (1u32 << CAP_AUTH_SPICE);
    request.extend_from_slice(&common_caps.to_le_bytes());
    write(&mut stream, &request, "SpiceLinkMess")?;

    let mut header = [0u8; LINK_HEADER_SIZE];
    read(&mut stream, &mut header, "reply SpiceLinkHeader")?;
    let [magic, major, _minor, size] = le_words(&header);
    if magic != SPICE_MAGIC || major != SPICE_VERSION_MAJOR {
        return Err(Error::protocol(format!(
            "bad SPICE reply header: magic {magic:#x}, major {major}"
        )));
    }
    let size = usize::try_from(size).map_err(|_| Error::protocol("huge SpiceLinkReply"))?;
    if !(4 + SPICE_TICKET_PUBKEY_BYTES..=64 * 1024).contains(&size) {
        return Err(Error::protocol(format!("bad SpiceLinkReply size {size}")));
    }
    let mut reply = vec![0u8; size];
    read(&mut stream, &mut reply, "SpiceLinkReply")?;
    let error = u32::from_le_bytes([reply[0], reply[1], reply[2], reply[3]]);
    if error != 0 {
        return Err(Error::protocol(format!("SpiceLinkReply error {error}")));
    }
    let public_key = &reply[4..4 + SPICE_TICKET_PUBKEY_BYTES];
    let key = RsaPublicKey::from_public_key_der(public_key)
        .map_err(|e| Error::protocol(format!("SPICE public key is not RSA SPKI DER: {e}")))?;
    let encrypted = match ticket {
        Ticket::EmptyPassword => key
            .encrypt(&mut rand::thread_rng(), Oaep::new::<sha1::Sha1>(), b"\0")
            .map_err(|e| Error::protocol(format!("RSA-OAEP encryption failed: {e}")))?,
        Ticket::Garbage => vec![0x5A; rsa::traits::PublicKeyParts::size(&key)],
    };
    let mut auth = CAP_AUTH_SPICE.to_le_bytes().to_vec();
    auth.extend_from_slice(&encrypted);
    write(&mut stream, &auth, "auth mechanism and ticket")?;

    let mut result = [0u8; 4];
    read(&mut stream, &mut result, "link result")?;
    Ok(SpiceLink {
        stream,
        link_result: u32::from_le_bytes(result),
    })
}

fn le_words(bytes: &[u8; LINK_HEADER_SIZE]) -> [u32; 4] {
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    [word(0), word(4), word(8), word(12)]
}

fn write(stream: &mut TcpStream, bytes: &[u8], what: &str) -> Result<()> {
    stream
        .write_all(bytes)
        .map_err(|e| Error::io(format!("sending SPICE {what}"), e))
}

fn read(stream: &mut TcpStream, buf: &mut [u8], what: &str) -> Result<()> {
    stream
        .read_exact(buf)
        .map_err(|e| Error::io(format!("reading SPICE {what}"), e))
}
