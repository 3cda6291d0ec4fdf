//! Talking to a running QEMU over its QMP unix socket, with `qmp_client::Client`: connecting
//! (greeting and `qmp_capabilities`, failures worded for the command line) and asking for its
//! schema (`query-qmp-schema`, read with the introspection front end). `validate --spec-from
//! SOCKET` and `watch` use it.

use crate::CliError;
use crate::format::one_line;
use qmp_client::{Client, Config, Error, ProtocolError};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// How long each step of `validate --spec-from`'s exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);

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

/// Connects to the QMP server at `socket`, reads its greeting and negotiates capabilities, each
/// step within `timeout`. Out-of-band execution is not asked for (nothing here needs it); with
/// `keep_event_lines`, events keep their lines as QEMU sent them.
pub fn connect(
    socket: &Path,
    timeout: Duration,
    keep_event_lines: bool,
) -> Result<Client, CliError> {
    let name = socket.display();
    let stream = UnixStream::connect(socket)
        .map_err(|e| CliError::new(format!("cannot connect to {name}: {e}")))?;
    let config = Config::new()
        .handshake_timeout(timeout)
        .command_timeout(timeout)
        .oob(false)
        .keep_event_lines(keep_event_lines);
    Client::from_unix_stream(stream, &config).map_err(|e| {
        CliError::new(match e {
            Error::Timeout { what, after } => {
                format!("timed out after {after:?} waiting for {what} from {name}")
            }
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

/// The wire shapes of the schema of the QEMU at `socket`.
pub fn schema_of(socket: &Path) -> Result<qmp_wire::WireSpec, CliError> {
    let mut client = connect(socket, TIMEOUT, false)?;
    query_schema(&mut client, &socket.display().to_string())
}

/// Asks a connected QEMU (`name` in messages) for its schema, within the client's command
/// timeout. Events that arrive meanwhile stay queued in the client.
pub fn query_schema(client: &mut Client, name: &str) -> Result<qmp_wire::WireSpec, CliError> {
    let reply = client
        .execute("query-qmp-schema", None)
        .map_err(|e| CliError::new(format!("{name}: {}", one_line(&e.to_string()))))?;
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
