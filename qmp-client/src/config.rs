//! Settings shared by both clients.

use std::time::Duration;

/// The default of [`Config::max_line_len`]: 64 MiB, QEMU's own bound on a JSON value it reads.
pub const DEFAULT_MAX_LINE_LEN: usize = 64 << 20;

/// How far past [`Config::max_line_len`] an over-long line is skipped, looking for its newline,
/// before the stream is given up as not line-delimited: 1 GiB.
pub const MAX_SKIP: usize = 1 << 30;

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
    pub(crate) handshake_timeout: Duration,
    pub(crate) command_timeout: Duration,
    pub(crate) max_line_len: usize,
    /// [`MAX_SKIP`], smaller in this crate's tests.
    pub(crate) max_skip: usize,
    pub(crate) event_capacity: usize,
    pub(crate) oob: bool,
    pub(crate) keep_event_lines: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            connect_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(60),
            max_line_len: DEFAULT_MAX_LINE_LEN,
            max_skip: MAX_SKIP,
            event_capacity: 1024,
            oob: true,
            keep_event_lines: false,
        }
    }
}

impl Config {
    /// The defaults: 10 s to connect, 10 s for the handshake (greeting and negotiation), 60 s
    /// per command, lines up to 64 MiB, 1024 events buffered, out-of-band execution enabled when
    /// offered, event lines not kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long connecting may take (a TCP connect, or an async connect of either kind).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the whole handshake may take once connected: the greeting and the
    /// `qmp_capabilities` exchange together, under one deadline (not a bound on each read, so a
    /// server that drips its greeting a byte at a time cannot stretch it). Past it, `connect_*`
    /// fails with [`Error::Timeout`](crate::Error::Timeout) naming the step it was in (`the QMP
    /// greeting` or ``reply to `qmp_capabilities` ``) and the bound.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// The former name of [`Config::handshake_timeout`], which now bounds the negotiation too.
    #[deprecated(
        note = "use `handshake_timeout`: one deadline bounds the greeting and the negotiation"
    )]
    pub fn greeting_timeout(self, timeout: Duration) -> Self {
        self.handshake_timeout(timeout)
    }

    /// How long a command may wait for its reply, unless the call gives its own bound. A reply
    /// that comes later is dropped. (Capability negotiation is bounded by
    /// [`Config::handshake_timeout`] instead.)
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// The longest line accepted, in bytes (at least 1; 64 MiB by default). A longer line is
    /// read and dropped as it arrives, never held whole, up to its newline, and reported as
    /// [`ProtocolError::LineTooLong`](crate::ProtocolError::LineTooLong); the reply of the
    /// command waiting for it fails with that error, and the connection goes on with the next
    /// line. A line that runs on for [`MAX_SKIP`](crate::MAX_SKIP) bytes past the limit without
    /// a newline is not QMP: the connection is closed with
    /// [`ProtocolError::NoNewline`](crate::ProtocolError::NoNewline), so that a peer sending
    /// endless bytes ends in an error, in bounded memory.
    ///
    /// The default, 64 MiB, is QEMU's own bound on one JSON value it reads (`MAX_TOKEN_SIZE` in
    /// `qobject/json-streamer.c`); its biggest reply, `query-qmp-schema`, is a few hundred KiB
    /// (230 KiB for `qemu-system-x86_64` 10.0.2).
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
