//! The live tests' QMP session: `qmp_client::Client` (blocking), plus the bookkeeping the
//! scenarios need.
//!
//! Every event line is kept verbatim (as QEMU sent it, without its `\r\n`) in
//! [`QmpClient::events`], in arrival order, whether it came while a command ran or while
//! waiting. [`QmpClient::wait_event`] claims events one at a time, so that waiting twice for
//! the same name waits for two events. Every wait is bounded, so a hung QEMU fails a test
//! instead of hanging it, and anything the client had to skip (a line that is not JSON, a reply
//! nobody asked for) fails it too.

use std::path::Path;
use std::time::{Duration, Instant};

use qmp_client::{Client, Config};
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Bound for the greeting and for each command's reply.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// One event as QEMU sent it.
#[derive(Debug, Clone)]
struct EventLine {
    name: String,
    raw: String,
    value: Value,
    claimed: bool,
}

/// A connected QMP session (capabilities already negotiated).
#[derive(Debug)]
pub struct QmpClient {
    client: Client,
    events: Vec<EventLine>,
    closed: bool,
}

impl QmpClient {
    /// Connects, reads the greeting and sends `qmp_capabilities`.
    pub fn connect(socket: &Path) -> Result<Self> {
        let config = Config::new()
            .handshake_timeout(COMMAND_TIMEOUT)
            .command_timeout(COMMAND_TIMEOUT)
            .oob(false)
            // Events wait in the client only while a command runs: never drop one.
            .event_capacity(1 << 20)
            .keep_event_lines(true);
        let client = Client::connect_unix_with(socket, &config).map_err(Error::Qmp)?;
        Ok(QmpClient {
            client,
            events: Vec::new(),
            closed: false,
        })
    }

    /// Runs a command and returns its `return` value, collecting events meanwhile.
    pub fn execute(&mut self, command: &str, arguments: Option<Value>) -> Result<Value> {
        let result = self.client.execute(command, arguments);
        // The events that came while the command ran, in order (also when it failed).
        self.read_events(Duration::ZERO)?;
        result.map_err(Error::Qmp)
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

    /// Like [`QmpClient::wait_event`], but only for events whose JSON satisfies `accept`.
    pub fn wait_event_matching(
        &mut self,
        name: &str,
        timeout: Duration,
        accept: impl Fn(&Value) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let what = format!("event {name}");
        let mut checked = 0;
        loop {
            for event in &mut self.events[checked..] {
                if !event.claimed && event.name == name && accept(&event.value) {
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
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout {
                    what,
                    after: timeout,
                });
            }
            self.read_event(left)?;
        }
    }

    /// Reads and keeps events for `duration` (or until QEMU closes the socket).
    pub fn collect_events_for(&mut self, duration: Duration) -> Result<()> {
        self.read_events(duration)
    }

    /// Every event line received so far, raw, in arrival order.
    pub fn events(&self) -> Vec<String> {
        self.events.iter().map(|e| e.raw.clone()).collect()
    }

    /// Keeps the events that arrive until `duration` passes (`ZERO`: those already there) or
    /// the socket closes.
    fn read_events(&mut self, duration: Duration) -> Result<()> {
        let deadline = Instant::now() + duration;
        while !self.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if !self.read_event(left)? {
                break;
            }
        }
        Ok(())
    }

    /// Keeps the next event, waiting at most `timeout`; `false` when none came in time or the
    /// socket is closed.
    fn read_event(&mut self, timeout: Duration) -> Result<bool> {
        let event = match self.client.next_event_line(timeout) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(false),
            Err(qmp_client::Error::Disconnected) => {
                self.closed = true;
                return Ok(false);
            }
            Err(e) => return Err(Error::Qmp(e)),
        };
        let name = event
            .message
            .name()
            .ok_or_else(|| Error::protocol(format!("event name is not a string: {}", event.line)))?
            .to_owned();
        self.events.push(EventLine {
            name,
            value: event.message.to_value(),
            raw: event.line,
            claimed: false,
        });
        Ok(true)
    }
}
