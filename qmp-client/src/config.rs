//! Settings shared by both clients.

use std::time::Duration;

/// Timeouts and limits of a connection, for either client.
///
/// ```
/// use std::time::Duration;
/// let config = qmp_client::Config::new()
///     .command_timeout(Duration::from_secs(5))
///     .max_line_len(1 << 20)
///     .event_capacity(256);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) connect_timeout: Duration,
    pub(crate) greeting_timeout: Duration,
    pub(crate) command_timeout: Duration,
    pub(crate) max_line_len: usize,
    pub(crate) event_capacity: usize,
    pub(crate) oob: bool,
    pub(crate) keep_event_lines: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            connect_timeout: Duration::from_secs(10),
            greeting_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(60),
            max_line_len: 64 << 20,
            event_capacity: 1024,
            oob: true,
            keep_event_lines: false,
        }
    }
}

impl Config {
    /// The defaults: 10 s to connect, 10 s for the greeting, 60 s per command, lines up to
    /// 64 MiB, 1024 events buffered, out-of-band execution enabled when offered, event lines not
    /// kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long connecting may take (a TCP connect, or an async connect of either kind).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the server may take to send its greeting once connected.
    pub fn greeting_timeout(mut self, timeout: Duration) -> Self {
        self.greeting_timeout = timeout;
        self
    }

    /// How long a command may wait for its reply (capability negotiation included), unless
    /// the call gives its own bound. A reply that comes later is dropped.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// The longest line accepted, in bytes (at least 1). A longer line is read and dropped as it
    /// arrives, never held whole, and reported as
    /// [`ProtocolError::LineTooLong`](crate::ProtocolError::LineTooLong); the reply of the
    /// command waiting for it fails with that error. QEMU's biggest reply, `query-qmp-schema`,
    /// is a few hundred KiB.
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.max_line_len = bytes.max(1);
        self
    }

    /// How many events are kept for a reader that is behind (at least 1): the blocking client's
    /// queue of events that arrived during a command, the async client's broadcast buffer shared
    /// by all its subscribers. Past it, the oldest are dropped and the reader gets
    /// [`Error::Lagged`](crate::Error::Lagged) with their number.
    pub fn event_capacity(mut self, events: usize) -> Self {
        self.event_capacity = events.max(1);
        self
    }

    /// Whether to enable out-of-band execution when the server offers it (on by default). With
    /// it on, the server reads commands ahead and `execute_oob` is available.
    pub fn oob(mut self, enable: bool) -> Self {
        self.oob = enable;
        self
    }

    /// Whether the blocking client keeps each event's line exactly as the server sent it, for
    /// [`Client::next_event_line`](crate::Client::next_event_line) (off by default: it costs a
    /// copy of every event line, queued ones included). Useful to log or forward events
    /// byte for byte. The async client does not keep lines.
    pub fn keep_event_lines(mut self, keep: bool) -> Self {
        self.keep_event_lines = keep;
        self
    }
}
