//! Just enough of the RFB (VNC) handshake, protocol 3.8 without authentication, for QEMU to
//! count a client as initialized.
//!
//! Server → client: the version string `"RFB 003.008\n"`. Client → server: the same version.
//! Server → client: the number of security types and the types (1 = None). Client → server:
//! the chosen type (1). Server → client: a 32-bit SecurityResult (0 = OK). Client → server:
//! ClientInit (a shared-flag byte). Server → client: ServerInit (width, height, 16-byte pixel
//! format, the name's length and the name). Integers are big-endian.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

/// The protocol version both sides speak.
pub const RFB_VERSION: &[u8; 12] = b"RFB 003.008\n";
/// Security type "None".
pub const SECURITY_NONE: u8 = 1;
/// Bound for every socket read and write.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server said in ServerInit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInit {
    /// Framebuffer width.
    pub width: u16,
    /// Framebuffer height.
    pub height: u16,
    /// The desktop name.
    pub name: String,
}

/// Connects to the VNC server's unix socket (the server sees a client connect).
pub fn connect_unix(path: &Path) -> Result<UnixStream> {
    let stream = UnixStream::connect(path)
        .map_err(|e| Error::io(format!("connecting to VNC socket {}", path.display()), e))?;
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| Error::io("setting VNC socket timeouts", e))?;
    Ok(stream)
}

/// Runs the handshake up to and including ServerInit on a connected stream.
pub fn handshake(stream: &mut UnixStream) -> Result<ServerInit> {
    let version: [u8; 12] = read_array(stream)?;
    if &version != RFB_VERSION {
        return Err(Error::protocol(format!(
            "VNC server version {:?}, expected {:?}",
            String::from_utf8_lossy(&version),
            String::from_utf8_lossy(RFB_VERSION)
        )));
    }
    write(stream, RFB_VERSION)?;
    let [count] = read_array(stream)?;
    if count == 0 {
        // A reason string follows; the connection failed.
        return Err(Error::protocol("VNC server offered no security type"));
    }
    let mut types = vec![0; usize::from(count)];
    read_exact(stream, &mut types)?;
    if !types.contains(&SECURITY_NONE) {
        return Err(Error::protocol(format!(
            "VNC server does not offer security type None: {types:?}"
        )));
    }
    write(stream, &[SECURITY_NONE])?;
    let result = u32::from_be_bytes(read_array(stream)?);
    if result != 0 {
        return Err(Error::protocol(format!("VNC SecurityResult {result}")));
    }
    // ClientInit: shared flag set.
    write(stream, &[1])?;
    let header: [u8; 24] = read_array(stream)?;
    let width = u16::from_be_bytes([header[0], header[1]]);
    let height = u16::from_be_bytes([header[2], header[3]]);
    let name_len = u32::from_be_bytes([header[20], header[21], header[22], header[23]]);
    let name_len =
        usize::try_from(name_len).map_err(|_| Error::protocol("VNC name length too large"))?;
    if name_len > 4096 {
        return Err(Error::protocol(format!("VNC name length {name_len}")));
    }
    let mut name = vec![0; name_len];
    read_exact(stream, &mut name)?;
    Ok(ServerInit {
        width,
        height,
        name: String::from_utf8_lossy(&name).into_owned(),
    })
}

fn read_array<const N: usize>(stream: &mut UnixStream) -> Result<[u8; N]> {
    let mut buf = [0; N];
    read_exact(stream, &mut buf)?;
    Ok(buf)
}

fn read_exact(stream: &mut UnixStream, buf: &mut [u8]) -> Result<()> {
    stream
        .read_exact(buf)
        .map_err(|e| Error::io("reading from the VNC server", e))
}

fn write(stream: &mut UnixStream, bytes: &[u8]) -> Result<()> {
    stream
        .write_all(bytes)
        .map_err(|e| Error::io("writing to the VNC server", e))
}
