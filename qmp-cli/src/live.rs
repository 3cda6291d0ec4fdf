//! Talking to a running QEMU over its QMP unix socket, with `qmp_client::Client`: connecting
//! (greeting and `qmp_capabilities`, failures worded for the command line) and asking for its
//! schema (`query-qmp-schema`, read with the introspection front end). `validate --spec-from
//! SOCKET` and `watch` use it.
//!
//! One deadline bounds the whole exchange (the handshake and the schema), however slowly the
//! server sends; a path that is missing or not a socket is said so before anything else.

use crate::CliError;
use crate::format::one_line;
use qmp_client::{Client, Config, Error, ProtocolError};
use std::io::ErrorKind;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long `validate --spec-from`'s whole exchange (handshake and schema) may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The bound of a whole exchange with a QEMU: connecting, the handshake and what follows share
/// one deadline, so that a server that drips its bytes cannot stretch it.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    /// The whole bound, for messages.
    pub bound: Duration,
}

impl Deadline {
    /// `bound` from now.
    pub fn after(bound: Duration) -> Deadline {
        Deadline {
            // A bound too far to represent is no bound worth keeping: a week from now will do.
            at: Instant::now()
                .checked_add(bound)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(7 * 86_400)),
            bound,
        }
    }

    /// The time left (zero once passed).
    pub fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// What is wrong with `socket` when connecting to it failed with `error`: a missing path, a path
/// that is not a socket, a socket nobody listens on.
fn connect_error(socket: &Path, error: &std::io::Error) -> String {
    let name = socket.display();
    let kind = match std::fs::metadata(socket) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return format!("cannot connect to {name}: no such file or directory");
        }
        Err(_) => None,
        Ok(meta) => {
            let t = meta.file_type();
            if t.is_socket() {
                None
            } else if t.is_file() {
                Some("a regular file")
            } else if t.is_dir() {
                Some("a directory")
            } else if t.is_fifo() {
                Some("a FIFO")
            } else if t.is_char_device() {
                Some("a character device")
            } else if t.is_block_device() {
                Some("a block device")
            } else {
                Some("not a socket either")
            }
        }
    };
    match (kind, error.kind()) {
        (Some(kind), _) => format!(
            "cannot connect to {name}: it is {kind}, not a socket (QEMU makes one with -qmp \
             unix:PATH,server=on,wait=off)"
        ),
        (None, ErrorKind::ConnectionRefused) => format!(
            "cannot connect to {name}: nothing is listening on that socket (connection refused; \
             a QEMU that has exited?)"
        ),
        (None, _) => format!("cannot connect to {name}: {error}"),
    }
}

/// How much of an unexpected line to quote in an error.
const PREVIEW_CHARS: usize = 80;

/// The start of a line, printable on one line of an error message.
pub fn preview(line: &str) -> String {
    let line = line.trim_end();
    let mut short: String = line.chars().take(PREVIEW_CHARS).collect();
    if line.chars().nth(PREVIEW_CHARS).is_some() {
        short.push_str("...");
    }
    one_line(&short)
}

/// Connects to the QMP server at `socket`, reads its greeting and negotiates capabilities, all
/// before `deadline`. Out-of-band execution is not asked for (nothing here needs it); with
/// `keep_event_lines`, events keep their lines as QEMU sent them; lines longer than
/// `max_line_len` are skipped.
pub fn connect(
    socket: &Path,
    deadline: Deadline,
    keep_event_lines: bool,
    max_line_len: Option<usize>,
) -> Result<Client, CliError> {
    let name = socket.display();
    let stream =
        UnixStream::connect(socket).map_err(|e| CliError::new(connect_error(socket, &e)))?;
    let config = Config::new()
        .handshake_timeout(deadline.left())
        .oob(false)
        .keep_event_lines(keep_event_lines)
        .max_line_len(max_line_len.unwrap_or(qmp_client::DEFAULT_MAX_LINE_LEN));
    Client::from_unix_stream(stream, &config).map_err(|e| {
        CliError::new(match e {
            Error::Timeout { what, .. } => format!(
                "timed out after {:?} waiting for {what} from {name}",
                deadline.bound
            ),
            // The client does not say which: in practice, a server that closes at once.
            Error::Disconnected => format!(
                "{name} closed the connection before the QMP greeting or the reply to \
                 qmp_capabilities"
            ),
            Error::Protocol(ProtocolError::BadGreeting { line }) => {
                format!(
                    "{name} is not a QMP server: it greeted with `{}`",
                    preview(&line)
                )
            }
            Error::Qmp(e) => format!("{name} refused qmp_capabilities: {}", one_line(&e.desc)),
            Error::Io(e) => format!("I/O error on {name} during the QMP handshake: {e}"),
            other => format!("{name}: {}", one_line(&other.to_string())),
        })
    })
}

/// The wire shapes of the schema of the QEMU at `socket`, the whole exchange within
/// [`TIMEOUT`].
pub fn schema_of(socket: &Path) -> Result<qmp_wire::WireSpec, CliError> {
    let deadline = Deadline::after(TIMEOUT);
    let mut client = connect(socket, deadline, false, None)?;
    query_schema(&mut client, &socket.display().to_string(), deadline)
}

/// Asks a connected QEMU (`name` in messages) for its schema, before `deadline`. Events that
/// arrive meanwhile stay queued in the client.
pub fn query_schema(
    client: &mut Client,
    name: &str,
    deadline: Deadline,
) -> Result<qmp_wire::WireSpec, CliError> {
    let timed_out = || {
        CliError::new(format!(
            "timed out after {:?} waiting for the reply to query-qmp-schema from {name}",
            deadline.bound
        ))
    };
    let left = deadline.left();
    if left.is_zero() {
        return Err(timed_out());
    }
    let reply = client
        .execute_with_timeout("query-qmp-schema", None, left)
        .map_err(|e| match e {
            Error::Timeout { .. } => timed_out(),
            e => CliError::new(format!("{name}: {}", one_line(&e.to_string()))),
        })?;
    wire_from_reply(&format!("query-qmp-schema of {name}"), &reply.to_string())
}

/// The wire shapes of a `query-qmp-schema` reply (`origin` names it in diagnostics).
fn wire_from_reply(origin: &str, reply: &str) -> Result<qmp_wire::WireSpec, CliError> {
    match qmp_introspect::read(origin, reply) {
        Ok(read) => {
            for warning in &read.warnings {
                note!("{warning}\n");
            }
            Ok(qmp_wire::WireSpec::new(
                &read.spec,
                &qmp_wire::Conditions::IncludeAll,
            ))
        }
        Err(diagnostics) => {
            // The reply is one long line: the message alone says more than the quoted line.
            let first = diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| format!("{}: {}", d.location(), d.message))
                .unwrap_or_default();
            Err(CliError::new(format!(
                "cannot read the schema QEMU sent: {first}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_short_and_one_line() {
        assert_eq!(preview("SSH-2.0\r\n"), "SSH-2.0");
        assert_eq!(preview("a\u{1b}b"), "a\\u{1b}b");
        let long = "x".repeat(200);
        assert_eq!(preview(&long).len(), PREVIEW_CHARS + 3);
    }
}
