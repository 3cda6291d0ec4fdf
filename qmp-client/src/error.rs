//! The errors of both clients.

use serde_json::Value;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Everything that can go wrong talking QMP.
///
/// Some errors end the connection, others report something that was skipped while the
/// connection goes on: [`Error::is_fatal`] tells them apart.
///
/// | variant | connection afterwards |
/// |---|---|
/// | [`Qmp`](Error::Qmp): the server answered the command with an error | usable |
/// | [`Timeout`](Error::Timeout) of a command | usable (a late reply is dropped) |
/// | [`Protocol`](Error::Protocol) from `next_event` or an event stream: a line was skipped | usable |
/// | [`Protocol`](Error::Protocol)`(`[`NoNewline`](ProtocolError::NoNewline)`)`: endless bytes without a newline | closed |
/// | [`Lagged`](Error::Lagged): events were dropped for this reader | usable |
/// | [`OobUnavailable`](Error::OobUnavailable) | usable |
/// | [`Io`](Error::Io), [`Disconnected`](Error::Disconnected) | closed |
/// | any error of `connect_*` | never opened |
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The server answered the command with `{"error": {"class": ..., "desc": ...}}`.
    Qmp(QmpError),
    /// Reading from or writing to the socket failed (connecting included). The connection is
    /// closed.
    Io(Arc<io::Error>),
    /// The server sent something the protocol does not allow. From `connect_*` (a bad greeting)
    /// it is fatal; anywhere else the offending line was skipped and the connection goes on,
    /// except after [`ProtocolError::NoNewline`], which closes it.
    Protocol(ProtocolError),
    /// Something did not happen in time: connecting, the greeting or a command's reply. (A
    /// command that cannot be sent in time is an [`Error::Io`] of kind `TimedOut`: part of it
    /// may have been sent, so the connection is closed.)
    Timeout {
        /// What was awaited, e.g. ``reply to `query-status` ``.
        what: String,
        /// The bound that passed.
        after: Duration,
    },
    /// The connection is closed: the server went away (end of stream), or an earlier error
    /// closed it. Nothing more will arrive.
    Disconnected,
    /// This reader fell behind and this many events (and skipped-line reports) were dropped
    /// for it: a subscriber of the async client slower than the rest, or events queued by the
    /// blocking client beyond its capacity while a command ran. The reader continues with the
    /// oldest event still kept.
    Lagged(u64),
    /// `execute_oob` was called but out-of-band execution is not enabled: the server did not
    /// offer the `oob` capability, or [`Config::oob`](crate::Config::oob) turned it off.
    OobUnavailable,
}

impl Error {
    /// Whether the connection is gone after this error ([`Error::Io`], [`Error::Disconnected`],
    /// [`ProtocolError::NoNewline`]). Every other error leaves the client usable.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::Io(_) | Error::Disconnected | Error::Protocol(ProtocolError::NoNewline { .. })
        )
    }

    /// The QMP error reply, if this is one.
    pub fn as_qmp(&self) -> Option<&QmpError> {
        match self {
            Error::Qmp(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn io(error: io::Error) -> Error {
        Error::Io(Arc::new(error))
    }

    pub(crate) fn timeout(what: impl Into<String>, after: Duration) -> Error {
        Error::Timeout {
            what: what.into(),
            after,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Qmp(e) => e.fmt(f),
            Error::Io(e) => write!(f, "QMP I/O error: {e}"),
            Error::Protocol(e) => write!(f, "QMP protocol violation: {e}"),
            Error::Timeout { what, after } => {
                write!(f, "timed out after {after:?} waiting for {what}")
            }
            Error::Disconnected => f.write_str("the QMP connection is closed"),
            Error::Lagged(n) => write!(f, "fell behind: {n} events were dropped"),
            Error::OobUnavailable => {
                f.write_str("out-of-band execution was not negotiated (no `oob` capability)")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(&**e),
            Error::Qmp(e) => Some(e),
            Error::Protocol(e) => Some(e),
            _ => None,
        }
    }
}

impl From<QmpError> for Error {
    fn from(e: QmpError) -> Self {
        Error::Qmp(e)
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

/// A QMP error reply: `{"error": {"class": "CommandNotFound", "desc": "..."}, "id": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QmpError {
    /// The command that failed.
    pub command: String,
    /// The error class, e.g. `GenericError`, `CommandNotFound`, `DeviceNotFound`.
    pub class: String,
    /// The human-readable description.
    pub desc: String,
    /// The whole `error` member as sent (members beyond `class` and `desc` included).
    pub raw: Value,
}

impl fmt::Display for QmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` failed: {}: {}",
            self.command, self.class, self.desc
        )
    }
}

impl std::error::Error for QmpError {}

/// How the server broke the protocol. Lines in these reports are cut to a few hundred bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A line that is not a JSON object (not JSON, not UTF-8, or another JSON value).
    Malformed {
        /// The line (cut).
        line: String,
        /// What the decoder said, with line and column.
        error: String,
    },
    /// A line longer than [`Config::max_line_len`](crate::Config::max_line_len); it was read and
    /// dropped without being kept.
    LineTooLong {
        /// The line's length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
        /// The line's first bytes.
        head: String,
    },
    /// A line that ran on for [`MAX_SKIP`](crate::MAX_SKIP) bytes past
    /// [`Config::max_line_len`](crate::Config::max_line_len) without a newline (a peer sending
    /// endless bytes, say). The stream is not line-delimited QMP and cannot be resynchronised:
    /// unlike the other protocol errors, this one is fatal and closes the connection.
    NoNewline {
        /// How many bytes of the line were read (and dropped).
        len: usize,
        /// The line limit.
        limit: usize,
        /// The line's first bytes.
        head: String,
    },
    /// A reply whose `id` is not one of a command this client is waiting for (or one without
    /// an `id`). Replies to commands that timed out or were cancelled are dropped silently.
    UnknownId {
        /// The `id` member, if any.
        id: Option<Value>,
        /// The line (cut).
        line: String,
    },
    /// The first line was not a greeting (`{"QMP": {"version": ..., "capabilities": [...]}}`).
    BadGreeting {
        /// The line (cut).
        line: String,
    },
    /// A reply whose `error` member lacks a string `class` or `desc`.
    BadReply {
        /// The line (cut).
        line: String,
    },
    /// A JSON object that is neither an event, a reply nor (first) a greeting.
    Unexpected {
        /// The line (cut).
        line: String,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Malformed { line, error } => {
                write!(f, "not a JSON object ({error}): {line}")
            }
            ProtocolError::LineTooLong { len, limit, head } => {
                write!(
                    f,
                    "line of {len} bytes exceeds the limit of {limit}: {head}"
                )
            }
            ProtocolError::NoNewline { len, limit, head } => write!(
                f,
                "no newline after {len} bytes (the line limit is {limit}): not a line-delimited \
                 QMP stream: {head}"
            ),
            ProtocolError::UnknownId { id: Some(id), line } => {
                write!(f, "reply with unknown id {id}: {line}")
            }
            ProtocolError::UnknownId { id: None, line } => write!(f, "reply without id: {line}"),
            ProtocolError::BadGreeting { line } => write!(f, "not a QMP greeting: {line}"),
            ProtocolError::BadReply { line } => {
                write!(f, "error reply without a string class and desc: {line}")
            }
            ProtocolError::Unexpected { line } => write!(f, "unexpected message: {line}"),
        }
    }
}

impl std::error::Error for ProtocolError {}
