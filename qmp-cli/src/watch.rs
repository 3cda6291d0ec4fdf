//! `qmp-events watch`: connects to a QMP unix socket with `qmp_client::Client`, negotiates
//! capabilities and prints each event as it arrives, until the socket closes.
//!
//! The whole handshake (the greeting, the `qmp_capabilities` reply and, with
//! `--spec-from-live`, the `query-qmp-schema` reply) must be over within `--timeout`, one
//! deadline however slowly the server sends, so that a silent or trickling socket does not hang
//! forever; once it is done, the wait for events is unbounded. Events are printed in the order
//! QEMU sent them, those that came during the handshake included; `--json` prints each line as
//! QEMU sent it. Command replies are not printed; a line that is not JSON, or longer than
//! `--max-line-len` (64 MiB by default), is skipped with a warning on stderr. A peer that sends
//! bytes without a newline, on and on, ends the watch with an error (exit 2) once 1 GiB past the
//! limit, memory staying bounded by the limit.

use crate::args::WatchArgs;
use crate::format::{self, one_line};
use crate::live::preview;
use crate::{CliError, Outcome};
use qmp_client::{Client, Error, EventLine, ProtocolError};
use qmp_events::{Message, Timestamp};
use std::io::{self, Write};
use std::time::Duration;

/// How long one wait for an event lasts; the loop waits again after it, forever.
const IDLE: Duration = Duration::from_secs(3600);

/// A connection to a QMP server and where its events go.
struct Session<W: Write> {
    client: Client,
    socket: String,
    json: bool,
    out: W,
    /// `--spec-from-live`: the watched QEMU's own schema.
    schema: Option<qmp_wire::WireSpec>,
}

/// The text line of an event: time, name, data, and how it differs from the spec (the default
/// spec, or `schema` when given).
fn event_text(message: &Message, schema: Option<&qmp_wire::WireSpec>) -> String {
    let value = message.to_value();
    let time = value
        .get("timestamp")
        .and_then(Timestamp::from_value)
        .map_or_else(|| "-".to_owned(), format::timestamp);
    let name = message.name().unwrap_or("-");
    let notes = match schema {
        Some(schema) => format::wire_notes(&qmp_wire::validate(schema, &value)),
        None => format::notes(&message.violations()),
    };
    format!(
        "{time} {}{}{notes}",
        one_line(name),
        format::data(value.get("data")),
    )
}

impl<W: Write> Session<W> {
    /// Prints one event: its line as received with `--json`, else its text line.
    fn print_event(&mut self, event: &EventLine) -> io::Result<()> {
        if self.json {
            self.out.write_all(event.line.as_bytes())?;
            self.out.write_all(b"\n")?;
        } else {
            writeln!(
                self.out,
                "{}",
                event_text(&event.message, self.schema.as_ref())
            )?;
        }
        self.out.flush()
    }

    /// Says on stderr what the client skipped: lines that are not JSON, over-long lines,
    /// dropped events. Replies and other JSON that is not an event are skipped quietly.
    fn warn(&self, error: &Error) {
        let socket = &self.socket;
        match error {
            Error::Protocol(ProtocolError::Malformed { line, .. }) => {
                if !line.trim().is_empty() {
                    note!(
                        "qmp-events: ignoring a line from {socket} that is not JSON: `{}`",
                        preview(line)
                    );
                }
            }
            Error::Protocol(ProtocolError::LineTooLong { len, limit, head }) => note!(
                "qmp-events: ignoring a line of {len} bytes from {socket} (the limit is \
                 {limit}): `{}`",
                preview(head)
            ),
            Error::Protocol(_) => {}
            other => note!("qmp-events: {socket}: {}", one_line(&other.to_string())),
        }
    }

    /// Prints events until the socket closes.
    fn events(&mut self) -> Result<Outcome, CliError> {
        loop {
            match self.client.next_event_line(IDLE) {
                // An `event` member that is not a string: not an event to print.
                Ok(Some(event)) if event.message.name().is_none() => {}
                // Whoever read our output is done: so are we (quietly, see `CliError::output`).
                Ok(Some(event)) => self.print_event(&event).map_err(CliError::output)?,
                Ok(None) => {}
                Err(Error::Disconnected) => return Ok(Outcome::Success),
                Err(Error::Io(e)) => {
                    return Err(CliError::new(format!(
                        "cannot read from {}: {e}",
                        self.socket
                    )));
                }
                Err(Error::Protocol(ProtocolError::NoNewline { len, limit, head })) => {
                    return Err(CliError::new(format!(
                        "{}: no newline after {len} bytes (the line limit is {limit}, \
                         --max-line-len): not a QMP stream, giving up: `{}`",
                        self.socket,
                        preview(&head)
                    )));
                }
                Err(e) if e.is_fatal() => {
                    return Err(CliError::new(format!(
                        "{}: {}",
                        self.socket,
                        one_line(&e.to_string())
                    )));
                }
                Err(e) => self.warn(&e),
            }
        }
    }
}

/// Runs `watch`.
pub fn run(args: &WatchArgs) -> Result<Outcome, CliError> {
    let deadline = crate::live::Deadline::after(args.timeout);
    let mut client = crate::live::connect(&args.socket, deadline, args.json, args.max_line_len)?;
    let socket = args.socket.display().to_string();
    let schema = match args.spec_from_live {
        true => Some(crate::live::query_schema(&mut client, &socket, deadline)?),
        false => None,
    };
    note!(
        "qmp-events: connected to QEMU {} at {socket}{}",
        client.greeting().version.qemu,
        match &schema {
            Some(schema) => format!(
                "; checking events against its own schema ({} events)",
                schema.events.len()
            ),
            None => String::new(),
        }
    );
    Session {
        client,
        socket,
        json: args.json,
        out: io::stdout().lock(),
        schema,
    }
    .events()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_a_drifted_event() {
        let line = r#"{"event": "QUORUM_FAILURE",
            "data": {"reference": "usr1", "sector-num": 345435, "sectors-count": 5},
            "timestamp": {"seconds": 1344522075, "microseconds": 745528}}"#;
        let message: Message = line.parse().expect("an event");
        assert_eq!(
            event_text(&message, None),
            "2012-08-09T14:21:15.745528Z QUORUM_FAILURE reference=usr1 sector-num=345435 \
             sectors-count=5 [invalid: /data: missing required member `sector-count`] \
             [drift: /data: unknown member `sectors-count`]"
        );
    }

    #[test]
    fn text_without_a_timestamp() {
        let message: Message = r#"{"event": "STOP"}"#.parse().expect("an event");
        assert!(event_text(&message, None).starts_with("- STOP "));
    }
}
