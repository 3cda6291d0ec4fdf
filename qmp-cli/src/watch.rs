//! `qmp-events watch`: connects to a QMP unix socket, negotiates capabilities and prints each
//! event as it arrives, until the socket closes.
//!
//! The handshake (greeting, `qmp_capabilities` reply) has a timeout so that a silent socket does
//! not hang forever; once it is done, the wait for events is unbounded. Command replies and lines
//! that are not JSON are not printed (the latter get a warning on stderr).

use crate::args::WatchArgs;
use crate::format::{self, one_line};
use crate::{CliError, Outcome};
use qmp_events::{Message, Timestamp};
use serde_json::Value;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// The command that leaves capabilities negotiation mode.
const CAPABILITIES: &[u8] = b"{\"execute\": \"qmp_capabilities\"}\n";

/// How much of an unexpected line to quote in an error.
const PREVIEW_CHARS: usize = 80;

/// A connection to a QMP server and where its events go.
struct Session<W: Write> {
    reader: BufReader<UnixStream>,
    socket: String,
    timeout: Duration,
    json: bool,
    out: W,
    line: Vec<u8>,
}

/// Why reading the next line gave nothing.
enum ReadError {
    /// The read timed out.
    Timeout,
    /// Any other I/O error.
    Io(io::Error),
}

/// A line without its `\n` or `\r\n` ending.
fn without_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The start of a line, printable on one line of an error message.
fn preview(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(without_ending(line));
    let mut short: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().nth(PREVIEW_CHARS).is_some() {
        short.push_str("...");
    }
    one_line(&short)
}

/// What the greeting says about the server (`QEMU 10.1.0`).
fn server_name(greeting: &Value) -> String {
    let qemu = greeting.pointer("/QMP/version/qemu");
    let part = |name: &str| qemu.and_then(|q| q.get(name)).and_then(Value::as_i64);
    match (part("major"), part("minor"), part("micro")) {
        (Some(major), Some(minor), Some(micro)) => format!("QEMU {major}.{minor}.{micro}"),
        _ => "a QMP server".to_owned(),
    }
}

/// Whether a JSON value is an event message (an object with a string `event`).
fn is_event(value: &Value) -> bool {
    value.get("event").is_some_and(Value::is_string)
}

/// The text line of an event: time, name, data, and how it differs from the spec.
fn event_text(value: &Value) -> String {
    let time = value
        .get("timestamp")
        .and_then(Timestamp::from_value)
        .map_or_else(|| "-".to_owned(), format::timestamp);
    let name = value.get("event").and_then(Value::as_str).unwrap_or("-");
    let violations = match Message::<qmp_events::Event>::from_value(value.clone()) {
        Ok(message) => message.violations(),
        Err(_) => qmp_events::SCHEMA.validate(value),
    };
    format!(
        "{time} {}{}{}",
        one_line(name),
        format::data(value.get("data")),
        format::notes(&violations)
    )
}

impl<W: Write> Session<W> {
    /// Reads the next line into `self.line`; `Ok(false)` at end of stream.
    fn next_line(&mut self) -> Result<bool, ReadError> {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line) {
            Ok(n) => Ok(n > 0),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Err(ReadError::Timeout)
            }
            Err(e) => Err(ReadError::Io(e)),
        }
    }

    /// Reads a handshake line; end of stream, a timeout or an error is fatal (`waiting` says for
    /// what).
    fn handshake_line(&mut self, waiting: &str) -> Result<(), CliError> {
        let read = self.next_line();
        let socket = &self.socket;
        match read {
            Ok(true) => Ok(()),
            Ok(false) => Err(CliError::new(format!(
                "{socket} closed the connection before {waiting}"
            ))),
            Err(ReadError::Timeout) => Err(CliError::new(format!(
                "timed out after {:?} waiting for {waiting} from {socket}",
                self.timeout
            ))),
            Err(ReadError::Io(e)) => Err(CliError::new(format!(
                "cannot read from {socket} (waiting for {waiting}): {e}"
            ))),
        }
    }

    /// Reads the greeting; anything but `{"QMP": ...}` is not a QMP server.
    fn greeting(&mut self) -> Result<Value, CliError> {
        self.handshake_line("the QMP greeting")?;
        match serde_json::from_slice::<Value>(&self.line) {
            Ok(value) if value.get("QMP").is_some() => Ok(value),
            _ => Err(CliError::new(format!(
                "{} is not a QMP server: it greeted with `{}`",
                self.socket,
                preview(&self.line)
            ))),
        }
    }

    /// Sends `qmp_capabilities` and waits for its reply, printing any event that comes first.
    fn negotiate(&mut self) -> Result<(), CliError> {
        let socket = self.socket.clone();
        let mut writer = self.reader.get_ref();
        writer
            .write_all(CAPABILITIES)
            .and_then(|()| writer.flush())
            .map_err(|e| CliError::new(format!("cannot write to {socket}: {e}")))?;
        loop {
            self.handshake_line("the reply to qmp_capabilities")?;
            let Ok(value) = serde_json::from_slice::<Value>(&self.line) else {
                self.warn_not_json();
                continue;
            };
            if value.get("return").is_some() {
                return Ok(());
            }
            if let Some(error) = value.get("error") {
                let desc = error.get("desc").and_then(Value::as_str).unwrap_or("");
                return Err(CliError::new(format!(
                    "{socket} refused qmp_capabilities: {}",
                    one_line(desc)
                )));
            }
            if is_event(&value) {
                self.print_event(&value).map_err(CliError::output)?;
            }
        }
    }

    fn warn_not_json(&self) {
        eprintln!(
            "qmp-events: ignoring a line from {} that is not JSON: `{}`",
            self.socket,
            preview(&self.line)
        );
    }

    /// Prints one event: the raw line with `--json`, else its text line.
    fn print_event(&mut self, value: &Value) -> io::Result<()> {
        if self.json {
            self.out.write_all(without_ending(&self.line))?;
            self.out.write_all(b"\n")?;
        } else {
            writeln!(self.out, "{}", event_text(value))?;
        }
        self.out.flush()
    }

    /// Prints events until the socket closes.
    fn events(&mut self) -> Result<Outcome, CliError> {
        loop {
            match self.next_line() {
                Ok(true) => {}
                Ok(false) => return Ok(Outcome::Success),
                Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset => {
                    return Ok(Outcome::Success);
                }
                Err(ReadError::Io(e)) => {
                    return Err(CliError::new(format!(
                        "cannot read from {}: {e}",
                        self.socket
                    )));
                }
                Err(ReadError::Timeout) => continue,
            }
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let Ok(value) = serde_json::from_slice::<Value>(&self.line) else {
                self.warn_not_json();
                continue;
            };
            if !is_event(&value) {
                continue;
            }
            match self.print_event(&value) {
                Ok(()) => {}
                // Whoever read our output is done: so are we.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Outcome::Success),
                Err(e) => return Err(CliError::output(e)),
            }
        }
    }
}

/// Connects and sets the handshake timeouts.
fn connect(args: &WatchArgs) -> Result<UnixStream, CliError> {
    let socket = args.socket.display();
    let stream = UnixStream::connect(&args.socket)
        .map_err(|e| CliError::new(format!("cannot connect to {socket}: {e}")))?;
    stream
        .set_read_timeout(Some(args.timeout))
        .and_then(|()| stream.set_write_timeout(Some(args.timeout)))
        .map_err(|e| CliError::new(format!("cannot set a timeout on {socket}: {e}")))?;
    Ok(stream)
}

/// Runs `watch`.
pub fn run(args: &WatchArgs) -> Result<Outcome, CliError> {
    let stream = connect(args)?;
    let mut session = Session {
        reader: BufReader::new(stream),
        socket: args.socket.display().to_string(),
        timeout: args.timeout,
        json: args.json,
        out: io::stdout().lock(),
        line: Vec::new(),
    };
    let greeting = session.greeting()?;
    session.negotiate()?;
    eprintln!(
        "qmp-events: connected to {} at {}",
        server_name(&greeting),
        session.socket
    );
    session
        .reader
        .get_ref()
        .set_read_timeout(None)
        .map_err(|e| CliError::new(format!("cannot clear the timeout: {e}")))?;
    session.events()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_a_drifted_event() {
        let value = serde_json::json!({
            "event": "QUORUM_FAILURE",
            "data": {"reference": "usr1", "sector-num": 345435, "sectors-count": 5},
            "timestamp": {"seconds": 1344522075, "microseconds": 745528}
        });
        assert_eq!(
            event_text(&value),
            "2012-08-09T14:21:15.745528Z QUORUM_FAILURE reference=usr1 sector-num=345435 \
             sectors-count=5 [invalid: /data: missing required member `sector-count`] \
             [drift: /data: unknown member `sectors-count`]"
        );
    }

    #[test]
    fn greeting_names_the_server() {
        let greeting = serde_json::json!({"QMP": {"version": {"qemu":
            {"major": 10, "minor": 1, "micro": 2}, "package": ""}, "capabilities": []}});
        assert_eq!(server_name(&greeting), "QEMU 10.1.2");
        assert_eq!(server_name(&serde_json::json!({"QMP": {}})), "a QMP server");
    }

    #[test]
    fn previews_are_short_and_one_line() {
        assert_eq!(preview(b"SSH-2.0\r\n"), "SSH-2.0");
        let long = vec![b'x'; 200];
        assert_eq!(preview(&long).len(), PREVIEW_CHARS + 3);
    }
}
