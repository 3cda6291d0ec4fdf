//! The one error type of the support library.

use std::fmt;
use std::io;
use std::time::Duration;

/// Everything that can go wrong while driving a real QEMU.
#[derive(Debug)]
pub enum Error {
    /// An I/O error, with what was being done.
    Io {
        /// What the library was doing.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
    /// From the QMP client: QEMU answered a command with `{"error": ...}`
    /// (`qmp_client::Error::Qmp`), sent what the protocol does not allow, did not answer in time,
    /// or went away.
    Qmp(qmp_client::Error),
    /// Something did not happen in time.
    Timeout {
        /// What was awaited.
        what: String,
        /// How long we waited.
        after: Duration,
    },
    /// QEMU exited or never came up; its stderr is attached.
    Qemu {
        /// What happened.
        message: String,
        /// QEMU's standard error, as far as it was read.
        stderr: String,
    },
    /// A protocol (QMP or SPICE) or setup expectation was not met.
    Protocol(String),
}

impl Error {
    /// Wraps an [`io::Error`] with a description of what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds a [`Error::Protocol`] from a message.
    pub fn protocol(message: impl Into<String>) -> Self {
        Error::Protocol(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Qmp(e) => write!(f, "QMP: {e}"),
            Error::Timeout { what, after } => {
                write!(f, "timed out after {after:?} waiting for {what}")
            }
            Error::Qemu { message, stderr } => {
                write!(f, "{message}\n--- QEMU stderr ---\n{stderr}")
            }
            Error::Protocol(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Qmp(e) => Some(e),
            _ => None,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
