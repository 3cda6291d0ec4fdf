//! A minimal, blocking QMP client over a unix socket that keeps every event as raw text.
//!
//! Each line QEMU sends is one JSON object. Replies (`return` / `error`) are matched to
//! commands by `id`; every `event` line that arrives at any time is kept verbatim
//! (without its `\r\n` terminator) in [`QmpClient::events`], in arrival order. Every read
//! is bounded by a deadline, so a hung QEMU fails a test instead of hanging it.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Default bound for one command's reply.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// One event line as QEMU sent it.
#[derive(Debug, Clone)]
struct EventLine {
    name: String,
    raw: String,
    claimed: bool,
}

/// A connected QMP session (capabilities already negotiated).
#[derive(Debug)]
pub struct QmpClient {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    partial: Vec<u8>,
    greeting: Value,
    events: Vec<EventLine>,
    next_id: u64,
    closed: bool,
}

impl QmpClient {
    /// Connects, reads the greeting and sends `qmp_capabilities`.
    pub fn connect(socket: &Path) -> Result<Self> {
        let stream = UnixStream::connect(socket)
            .map_err(|e| Error::io(format!("connecting to {}", socket.display()), e))?;
        let writer = stream
            .try_clone()
            .map_err(|e| Error::io("cloning QMP socket", e))?;
        let mut client = QmpClient {
            reader: BufReader::new(stream),
            writer,
            partial: Vec::new(),
            greeting: Value::Null,
            events: Vec::new(),
            next_id: 0,
            closed: false,
        };
        let deadline = Deadline::after(COMMAND_TIMEOUT);
        let line = client
            .read_line(deadline, "QMP greeting")?
            .ok_or_else(|| Error::protocol("QMP socket closed before the greeting"))?;
        let greeting = parse(&line)?;
        if greeting.get("QMP").is_none() {
            return Err(Error::protocol(format!("not a QMP greeting: {line}")));
        }
        client.greeting = greeting;
        client.execute("qmp_capabilities", None)?;
        Ok(client)
    }

    /// The greeting QEMU sent (`{"QMP": {"version": ..., "capabilities": ...}}`).
    pub fn greeting(&self) -> &Value {
        &self.greeting
    }

    /// Runs a command and returns its `return` value, collecting events meanwhile.
    pub fn execute(&mut self, command: &str, arguments: Option<Value>) -> Result<Value> {
        self.execute_with_timeout(command, arguments, COMMAND_TIMEOUT)
    }

    /// [`QmpClient::execute`] with an explicit bound.
    pub fn execute_with_timeout(
        &mut self,
        command: &str,
        arguments: Option<Value>,
        timeout: Duration,
    ) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut request = json!({ "execute": command, "id": id });
        if let Some(arguments) = arguments {
            request["arguments"] = arguments;
        }
        let mut text = request.to_string();
        text.push('\n');
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("sending QMP command {command}"), e))?;
        let deadline = Deadline::after(timeout);
        let what = format!("reply to {command}");
        loop {
            let Some(line) = self.read_line(deadline, &what)? else {
                return Err(Error::protocol(format!(
                    "QMP socket closed while waiting for the {what}"
                )));
            };
            let value = parse(&line)?;
            if value.get("event").is_some() {
                self.push_event(line, &value)?;
                continue;
            }
            if value.get("id") != Some(&json!(id)) {
                return Err(Error::protocol(format!(
                    "unexpected QMP line while waiting for the {what}: {line}"
                )));
            }
            if let Some(error) = value.get("error") {
                return Err(Error::Qmp {
                    command: command.into(),
                    error: error.clone(),
                });
            }
            return value
                .get("return")
                .cloned()
                .ok_or_else(|| Error::protocol(format!("reply without return: {line}")));
        }
    }

    /// Runs an HMP command through `human-monitor-command` and returns its output.
    pub fn human_monitor_command(&mut self, command_line: &str) -> Result<String> {
        let reply = self.execute(
            "human-monitor-command",
            Some(json!({ "command-line": command_line })),
        )?;
        reply
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::protocol(format!("HMP reply is not a string: {reply}")))
    }

    /// Waits for the first not yet claimed event named `name` (received earlier or within
    /// `timeout`), marks it claimed and returns its raw line.
    pub fn wait_event(&mut self, name: &str, timeout: Duration) -> Result<String> {
        self.wait_event_matching(name, timeout, |_| true)
    }

    /// Like [`QmpClient::wait_event`], but only for events whose parsed JSON satisfies
    /// `accept`.
    pub fn wait_event_matching(
        &mut self,
        name: &str,
        timeout: Duration,
        accept: impl Fn(&Value) -> bool,
    ) -> Result<String> {
        let deadline = Deadline::after(timeout);
        let what = format!("event {name}");
        let mut checked = 0;
        loop {
            for event in &mut self.events[checked..] {
                if event.claimed || event.name != name {
                    continue;
                }
                if accept(&parse(&event.raw)?) {
                    event.claimed = true;
                    return Ok(event.raw.clone());
                }
            }
            checked = self.events.len();
            if self.closed {
                return Err(Error::protocol(format!(
                    "QMP socket closed before {what} arrived"
                )));
            }
            match self.read_line(deadline, &what)? {
                Some(line) => {
                    let value = parse(&line)?;
                    if value.get("event").is_some() {
                        self.push_event(line, &value)?;
                    }
                }
                None => self.closed = true,
            }
        }
    }

    /// Reads and keeps events for `duration` (or until QEMU closes the socket).
    pub fn collect_events_for(&mut self, duration: Duration) -> Result<()> {
        let deadline = Deadline::after(duration);
        while !self.closed {
            match self.read_line(deadline, "events") {
                Ok(Some(line)) => {
                    let value = parse(&line)?;
                    if value.get("event").is_some() {
                        self.push_event(line, &value)?;
                    }
                }
                Ok(None) => self.closed = true,
                Err(Error::Timeout { .. }) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Every event line received so far, raw, in arrival order.
    pub fn events(&self) -> Vec<String> {
        self.events.iter().map(|e| e.raw.clone()).collect()
    }

    /// Whether QEMU closed the socket (e.g. it exited).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn push_event(&mut self, raw: String, value: &Value) -> Result<()> {
        let name = value
            .get("event")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol(format!("event name is not a string: {raw}")))?
            .to_owned();
        self.events.push(EventLine {
            name,
            raw,
            claimed: false,
        });
        Ok(())
    }

    /// Reads one line (without terminator) before `deadline`; `None` at end of stream.
    fn read_line(&mut self, deadline: Deadline, what: &str) -> Result<Option<String>> {
        loop {
            let now = Instant::now();
            if now >= deadline.at {
                return Err(Error::Timeout {
                    what: what.into(),
                    after: deadline.total,
                });
            }
            let remaining = deadline.at - now;
            self.reader
                .get_ref()
                .set_read_timeout(Some(remaining.max(Duration::from_millis(1))))
                .map_err(|e| Error::io("setting QMP read timeout", e))?;
            // `read_until` keeps bytes read before a timeout in `self.partial`.
            match self.reader.read_until(b'\n', &mut self.partial) {
                Ok(0) => return Ok(None),
                Ok(_) if self.partial.ends_with(b"\n") => {
                    let mut bytes = std::mem::take(&mut self.partial);
                    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                        bytes.pop();
                    }
                    let line = String::from_utf8(bytes)
                        .map_err(|e| Error::protocol(format!("QMP line is not UTF-8: {e}")))?;
                    return Ok(Some(line));
                }
                Ok(_) => return Ok(None),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(None),
                Err(e) => return Err(Error::io(format!("reading QMP ({what})"), e)),
            }
        }
    }
}

/// A point in time to give up at, and the bound it came from (for error messages).
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    fn after(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }
}

fn parse(line: &str) -> Result<Value> {
    serde_json::from_str(line).map_err(|source| Error::Json {
        line: line.into(),
        source,
    })
}
