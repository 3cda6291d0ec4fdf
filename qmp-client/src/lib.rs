//! A QMP client for QEMU (and `qemu-storage-daemon`): connect, negotiate, run commands, and
//! receive events typed by any `qmp-events` event set.
//!
//! - [`Client`] is blocking: one command at a time, events queued meanwhile and read with
//!   [`Client::next_event`] ([`Client::next_event_line`] with each line as the server sent it).
//! - `tokio::Client` (feature `tokio`) is async: commands from many tasks at once (replies
//!   matched by `id`, out-of-band execution when offered), and any number of event streams,
//!   each getting every event, a slow one told how many it missed.
//!
//! Both are generic over the event set events decode into: `qmp_events::Event` (the default),
//! a release's set, or one generated from your own spec with `qmp_macros::qmp_events!`. Events
//! go through the lossless decoder (`line.parse::<qmp_events::Message<E>>()`), so an event the
//! set does not know arrives as `Event::Unknown` with its name and data, never as an error.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # // A scripted stand-in for `qemu-system-x86_64 -M none -S -qmp unix:PATH,server=on,wait=off`.
//! # let server = qmp_client::fake::FakeServer::mini_qemu()?;
//! # let path = server.path();
//! use std::time::Duration;
//! use qmp_client::{Client, Error};
//!
//! let mut client = Client::<qmp_events::Event>::connect_unix(path)?;
//! let version = &client.greeting().version;
//! println!("QEMU {} ({})", version.qemu, version.package);
//!
//! assert_eq!(client.execute("query-status", None)?["status"], "prelaunch");
//! match client.execute("no-such-command", None) {
//!     Err(Error::Qmp(e)) => println!("{}: {}", e.class, e.desc), // CommandNotFound: ...
//!     other => panic!("{other:?}"),
//! }
//! client.execute("cont", None)?;
//! client.execute("stop", None)?;
//! let mut names = Vec::new();
//! while let Some(msg) = client.next_event(Duration::from_millis(200))? {
//!     names.extend(msg.name().map(str::to_owned));
//! }
//! assert_eq!(names, ["RESUME", "STOP"]);
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! [`Error`] says what happened: a QMP error reply ([`Error::Qmp`], with `class` and `desc`),
//! an I/O error, a protocol violation ([`ProtocolError`]), a timeout, a closed connection, or
//! events missed by a slow reader. [`Error::is_fatal`] tells whether the connection is gone.
//!
//! # Robustness
//!
//! - A line that is not a JSON object, a reply with an unknown `id` or a line longer than
//!   [`Config::max_line_len`] (64 MiB by default, QEMU's own bound on a JSON value) is skipped
//!   and reported in order with the events (as an error from `next_event`, or an error item of
//!   an event stream); the connection goes on with the next line. An over-long line is never held
//!   whole: memory stays bounded by the limit. A "line" that runs on for [`MAX_SKIP`] (1 GiB)
//!   past the limit without a newline ends the connection with
//!   [`ProtocolError::NoNewline`], so that a peer sending endless bytes ends in an error.
//! - The handshake (greeting and `qmp_capabilities`) is bounded by one deadline,
//!   [`Config::handshake_timeout`], however slowly the server drips its bytes.
//! - Timeouts (connect, handshake, each command) never lose the line framing: bytes read stay
//!   buffered until their line is complete, and a reply that comes after its command gave up is
//!   dropped quietly.
//! - The async client's memory is bounded too: events wait in one broadcast buffer of
//!   [`Config::event_capacity`] messages shared by all subscribers, and a subscriber that falls
//!   further behind gets [`Error::Lagged`] instead of slowing the others.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod blocking;
mod config;
mod error;
#[doc(hidden)]
pub mod fake;
mod greeting;
mod proto;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use blocking::{Client, EventLine};
pub use config::{Config, DEFAULT_MAX_LINE_LEN, MAX_SKIP};
pub use error::{Error, ProtocolError, QmpError};
pub use greeting::{Greeting, QemuVersion, Version};

/// The crate README's examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
