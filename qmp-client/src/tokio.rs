//! The async client, on tokio (feature `tokio`).
//!
//! A [`Client`] is a cheap handle (`Clone`) to one connection served by two tasks: a reader that
//! decodes every line, hands replies to the commands waiting for them (by `id`) and broadcasts
//! events to every subscriber, and a writer that sends whole request lines. Both tasks end
//! when the connection closes or the last handle is dropped.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = qmp_client::fake::FakeServer::mini_qemu()?;
//! # let path = server.path().to_owned();
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! use qmp_client::tokio::Client;
//!
//! let client = Client::<qmp_events::Event>::connect_unix(&path).await?;
//! // Subscribe before causing the events: each subscriber gets every event from then on.
//! let mut all = client.events();
//! let mut resumes = client.events_named(["RESUME"]);
//!
//! // Commands may run from many tasks at once; replies are matched by id.
//! let (status, version) = tokio::join!(
//!     client.execute("query-status", None),
//!     client.execute("query-version", None),
//! );
//! println!("{} / QEMU {}", status?["status"], version?["qemu"]["major"]);
//!
//! client.execute("cont", None).await?;
//! let msg = resumes.recv().await.expect("stream open")?;
//! assert_eq!(msg.name(), Some("RESUME"));
//! assert_eq!(all.recv().await.expect("stream open")?.name(), Some("RESUME"));
//! # Ok::<(), qmp_client::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```

use crate::proto::{self, Abandoned, CHUNK, Incoming, LineBuffer};
use crate::{Config, Error, Greeting, ProtocolError};
use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use ::tokio::net::{TcpStream, ToSocketAddrs, UnixStream};
use ::tokio::sync::{broadcast, mpsc, oneshot, watch};
use ::tokio::time::timeout;
use qmp_events::{EventSet, Message};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

pub use tokio_stream::Stream;

/// How many request lines may wait for the writer task.
const WRITE_QUEUE: usize = 64;

/// What the event types of an async client need: an event set whose values can be shared
/// between tasks. Every generated `Event` enum qualifies.
pub trait AsyncEventSet: EventSet + Clone + Send + Sync + 'static {}

impl<E: EventSet + Clone + Send + Sync + 'static> AsyncEventSet for E {}

/// An async QMP connection, generic over the event set `E`. Cloning it gives another handle
/// to the same connection; the connection closes when the last handle is dropped.
pub struct Client<E: EventSet = qmp_events::Event> {
    inner: Arc<Inner<E>>,
}

impl<E: EventSet> Clone for Client<E> {
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<E: EventSet> fmt::Debug for Client<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("greeting", &self.inner.greeting)
            .field("oob", &self.inner.oob)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// What the handles share. Dropping it (the last handle) stops both tasks: the writer's
/// queue closes and the reader's shutdown signal fires.
struct Inner<E: EventSet> {
    shared: Arc<Shared<E>>,
    requests: mpsc::Sender<Vec<u8>>,
    _shutdown: oneshot::Sender<()>,
    greeting: Greeting,
    config: Config,
    oob: bool,
    next_id: AtomicU64,
}

/// What the handles and the two tasks share.
struct Shared<E: EventSet> {
    state: Mutex<State>,
    /// For new subscribers; only the reader task holds the strong sender, so the channel (and
    /// every stream) ends when the reader does.
    events: broadcast::WeakSender<Item<E>>,
    closed: watch::Sender<bool>,
}

struct State {
    pending: HashMap<u64, Pending>,
    abandoned: Abandoned,
    closed: bool,
}

struct Pending {
    command: String,
    reply: oneshot::Sender<Result<Value, Error>>,
}

/// What the broadcast channel carries.
#[derive(Clone)]
enum Item<E> {
    Event(Message<E>),
    Problem(ProtocolError),
}

impl<E: EventSet> Shared<E> {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the maps consistent: keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks the connection closed and fails every waiting command with `error`.
    fn close(&self, error: Error) {
        let pending: Vec<Pending> = {
            let mut state = self.state();
            state.closed = true;
            state.pending.drain().map(|(_, p)| p).collect()
        };
        for p in pending {
            let _ = p.reply.send(Err(error.clone()));
        }
        self.closed.send_replace(true);
    }
}

impl<E: AsyncEventSet> Client<E> {
    /// Connects to a unix socket, reads the greeting and negotiates capabilities (enabling
    /// `oob` when offered), with the default [`Config`].
    pub async fn connect_unix(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::connect_unix_with(path, &Config::default()).await
    }

    /// [`Client::connect_unix`] with a [`Config`].
    pub async fn connect_unix_with(path: impl AsRef<Path>, config: &Config) -> Result<Self, Error> {
        let stream = timeout(config.connect_timeout, UnixStream::connect(path))
            .await
            .map_err(|_| Error::timeout("a unix socket connection", config.connect_timeout))?
            .map_err(Error::io)?;
        Self::from_stream(stream, config).await
    }

    /// Connects to a TCP address, reads the greeting and negotiates capabilities.
    pub async fn connect_tcp(addr: impl ToSocketAddrs) -> Result<Self, Error> {
        Self::connect_tcp_with(addr, &Config::default()).await
    }

    /// [`Client::connect_tcp`] with a [`Config`].
    pub async fn connect_tcp_with(
        addr: impl ToSocketAddrs,
        config: &Config,
    ) -> Result<Self, Error> {
        let stream = timeout(config.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| Error::timeout("a TCP connection", config.connect_timeout))?
            .map_err(Error::io)?;
        let _ = stream.set_nodelay(true);
        Self::from_stream(stream, config).await
    }

    /// Takes over any connected byte stream, reads the greeting, negotiates and starts the
    /// reader and writer tasks (on the current tokio runtime).
    pub async fn from_stream<S>(stream: S, config: &Config) -> Result<Self, Error>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (mut reader, mut writer) = ::tokio::io::split(stream);
        let mut lines = LineBuffer::with_max_skip(config.max_line_len, config.max_skip);
        let mut chunk = vec![0; CHUNK];

        // One deadline for the whole handshake; `step` says what was awaited when it passed.
        let mut step = "the QMP greeting";
        let handshake = async {
            let greeting = read_greeting::<E, _>(&mut reader, &mut lines, &mut chunk).await?;
            let oob = config.oob && greeting.has_capability("oob");
            // Negotiate before the tasks start: no event is sent before this succeeds.
            step = "reply to `qmp_capabilities`";
            let line = proto::request(
                "qmp_capabilities",
                proto::capabilities_arguments(oob),
                0,
                false,
            );
            writer.write_all(&line).await.map_err(Error::io)?;
            writer.flush().await.map_err(Error::io)?;
            loop {
                match next_incoming::<E, _>(&mut reader, &mut lines, &mut chunk).await? {
                    Incoming::Reply(reply) if reply.our_id() == Some(0) => {
                        reply.into_result("qmp_capabilities")?;
                        return Ok((greeting, oob));
                    }
                    // Nobody can subscribe yet: what comes before the reply is dropped (QEMU
                    // sends nothing else before negotiation completes).
                    Incoming::Reply(_)
                    | Incoming::Problem(_)
                    | Incoming::Event(_)
                    | Incoming::Greeting(_) => {}
                    Incoming::Fatal(problem) => return Err(Error::Protocol(problem)),
                }
            }
        };
        let bound = config.handshake_timeout;
        let result = timeout(bound, handshake).await;
        let (greeting, oob) = match result {
            Ok(result) => result?,
            Err(_) => return Err(Error::timeout(step, bound)),
        };

        let (events, _) = broadcast::channel(config.event_capacity);
        let (closed, closed_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pending: HashMap::new(),
                abandoned: Abandoned::default(),
                closed: false,
            }),
            events: events.downgrade(),
            closed,
        });
        let (requests, requests_rx) = mpsc::channel(WRITE_QUEUE);
        let (shutdown, shutdown_rx) = oneshot::channel();
        ::tokio::spawn(read_task(
            reader,
            lines,
            chunk,
            Arc::clone(&shared),
            events,
            shutdown_rx,
        ));
        ::tokio::spawn(write_task(
            writer,
            requests_rx,
            Arc::clone(&shared),
            closed_rx,
        ));
        Ok(Client {
            inner: Arc::new(Inner {
                shared,
                requests,
                _shutdown: shutdown,
                greeting,
                config: config.clone(),
                oob,
                next_id: AtomicU64::new(1),
            }),
        })
    }

    /// Runs a command and returns its `return` value, waiting at most
    /// [`Config::command_timeout`]. Many tasks may run commands at once.
    ///
    /// Cancel-safe: dropping the future (e.g. in `tokio::time::timeout` or `select!`) never
    /// sends half a line, and the reply, when it comes, is dropped.
    pub async fn execute(&self, command: &str, arguments: Option<Value>) -> Result<Value, Error> {
        self.run(command, arguments, false, self.inner.config.command_timeout)
            .await
    }

    /// [`Client::execute`] with its own bound.
    pub async fn execute_with_timeout(
        &self,
        command: &str,
        arguments: Option<Value>,
        bound: Duration,
    ) -> Result<Value, Error> {
        self.run(command, arguments, false, bound).await
    }

    /// Runs a command out-of-band (`exec-oob`): the server runs it at once, ahead of in-band
    /// commands still queued. [`Error::OobUnavailable`] if `oob` was not negotiated (the server
    /// did not offer it, or [`Config::oob`] turned it off). Only commands with `allow-oob`
    /// accept it.
    pub async fn execute_oob(
        &self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Value, Error> {
        if !self.inner.oob {
            return Err(Error::OobUnavailable);
        }
        self.run(command, arguments, true, self.inner.config.command_timeout)
            .await
    }

    async fn run(
        &self,
        command: &str,
        arguments: Option<Value>,
        oob: bool,
        bound: Duration,
    ) -> Result<Value, Error> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let line = proto::request(command, arguments, id, oob);
        let (reply, reply_rx) = oneshot::channel();
        {
            let mut state = self.inner.shared.state();
            if state.closed {
                return Err(Error::Disconnected);
            }
            state.pending.insert(
                id,
                Pending {
                    command: command.to_owned(),
                    reply,
                },
            );
        }
        // Removes the entry if this future ends without a reply (timeout, cancellation).
        let _guard = PendingGuard {
            shared: &self.inner.shared,
            id,
        };
        let exchange = async {
            self.inner
                .requests
                .send(line)
                .await
                .map_err(|_| Error::Disconnected)?;
            reply_rx.await.unwrap_or(Err(Error::Disconnected))
        };
        match timeout(bound, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Error::timeout(format!("reply to `{command}`"), bound)),
        }
    }

    /// A stream of every event from now on (see [`EventStream`]).
    pub fn events(&self) -> EventStream<E> {
        self.subscribe(Filter::All)
    }

    /// A stream of the events of these kinds (typed or mismatched) from now on.
    pub fn events_of(&self, kinds: impl IntoIterator<Item = E::Kind>) -> EventStream<E> {
        self.subscribe(Filter::Kinds(kinds.into_iter().collect()))
    }

    /// A stream of the events with these wire names from now on (names the event set does
    /// not know included, e.g. `"RESUME"` for the seed `qmp_events::Event`).
    pub fn events_named<S: Into<String>>(
        &self,
        names: impl IntoIterator<Item = S>,
    ) -> EventStream<E> {
        self.subscribe(Filter::Names(names.into_iter().map(Into::into).collect()))
    }

    fn subscribe(&self, filter: Filter<E>) -> EventStream<E> {
        let receiver = match self.inner.shared.events.upgrade() {
            Some(sender) => sender.subscribe(),
            // The connection is closed: a stream that ends at once.
            None => broadcast::channel(1).1,
        };
        EventStream {
            inner: BroadcastStream::new(receiver),
            filter,
        }
    }
}

impl<E: EventSet> Client<E> {
    /// The greeting the server sent.
    pub fn greeting(&self) -> &Greeting {
        &self.inner.greeting
    }

    /// Whether out-of-band execution was negotiated.
    pub fn oob_enabled(&self) -> bool {
        self.inner.oob
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        *self.inner.shared.closed.borrow()
    }

    /// Waits until the connection is closed (the server went away or an I/O error).
    pub async fn closed(&self) {
        let mut closed = self.inner.shared.closed.subscribe();
        // The sender lives as long as `self`: this cannot fail while we wait.
        let _ = closed.wait_for(|closed| *closed).await;
    }
}

struct PendingGuard<'a, E: EventSet> {
    shared: &'a Shared<E>,
    id: u64,
}

impl<E: EventSet> Drop for PendingGuard<'_, E> {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        if state.pending.remove(&self.id).is_some() {
            state.abandoned.insert(self.id);
        }
    }
}

async fn read_more<R: AsyncRead + Unpin>(
    reader: &mut R,
    lines: &mut LineBuffer,
    chunk: &mut [u8],
) -> Result<(), Error> {
    loop {
        match reader.read(chunk).await {
            Ok(0) => return Err(Error::Disconnected),
            Ok(n) => {
                lines.extend(&chunk[..n]);
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(e)),
        }
    }
}

async fn next_incoming<E: EventSet, R: AsyncRead + Unpin>(
    reader: &mut R,
    lines: &mut LineBuffer,
    chunk: &mut [u8],
) -> Result<Incoming<E>, Error> {
    loop {
        if let Some(frame) = lines.next_frame() {
            return match proto::classify(frame) {
                Incoming::Fatal(problem) => Err(Error::Protocol(problem)),
                incoming => Ok(incoming),
            };
        }
        read_more(reader, lines, chunk).await?;
    }
}

async fn read_greeting<E: EventSet, R: AsyncRead + Unpin>(
    reader: &mut R,
    lines: &mut LineBuffer,
    chunk: &mut [u8],
) -> Result<Greeting, Error> {
    proto::greeting(next_incoming::<E, R>(reader, lines, chunk).await?)
}

/// Reads until the stream ends, an I/O error, or the last handle is dropped; then closes.
async fn read_task<E: AsyncEventSet, S: AsyncRead>(
    mut reader: ReadHalf<S>,
    mut lines: LineBuffer,
    mut chunk: Vec<u8>,
    shared: Arc<Shared<E>>,
    events: broadcast::Sender<Item<E>>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let error = 'read: loop {
        while let Some(frame) = lines.next_frame() {
            match proto::classify(frame) {
                Incoming::Fatal(problem) => {
                    // Every subscriber hears why the stream ends.
                    let _ = events.send(Item::Problem(problem.clone()));
                    break 'read Error::Protocol(problem);
                }
                incoming => dispatch(&shared, &events, incoming),
            }
        }
        ::tokio::select! {
            _ = &mut shutdown => break Error::Disconnected,
            read = reader.read(&mut chunk) => match read {
                Ok(0) => break Error::Disconnected,
                Ok(n) => lines.extend(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Error::io(e),
            },
        }
    };
    shared.close(error);
    // Dropping `events` ends every stream once it has read what is buffered.
}

fn dispatch<E: AsyncEventSet>(
    shared: &Shared<E>,
    events: &broadcast::Sender<Item<E>>,
    incoming: Incoming<E>,
) {
    let item = match incoming {
        Incoming::Event(msg) => Item::Event(msg),
        Incoming::Problem(problem) | Incoming::Fatal(problem) => Item::Problem(problem),
        Incoming::Greeting(raw) => Item::Problem(ProtocolError::Unexpected {
            line: proto::excerpt(raw.to_string().as_bytes()),
        }),
        Incoming::Reply(reply) => {
            let waiting = {
                let mut state = shared.state();
                match reply.our_id() {
                    Some(id) => match state.pending.remove(&id) {
                        Some(pending) => Some(pending),
                        None if state.abandoned.take(id) => return,
                        None => None,
                    },
                    None => None,
                }
            };
            match waiting {
                Some(pending) => {
                    let result = reply.into_result(&pending.command);
                    // The caller may have given up meanwhile; nothing to do then.
                    let _ = pending.reply.send(result);
                    return;
                }
                None => Item::Problem(reply.unknown()),
            }
        }
    };
    // An error only means nobody subscribes right now.
    let _ = events.send(item);
}

/// Sends whole request lines until the last handle is dropped or the connection closes.
async fn write_task<E: EventSet, S: AsyncWrite>(
    mut writer: WriteHalf<S>,
    mut requests: mpsc::Receiver<Vec<u8>>,
    shared: Arc<Shared<E>>,
    mut closed: watch::Receiver<bool>,
) {
    loop {
        let line = ::tokio::select! {
            line = requests.recv() => match line {
                Some(line) => line,
                None => break,
            },
            _ = closed.wait_for(|closed| *closed) => break,
        };
        let written = ::tokio::select! {
            written = async {
                writer.write_all(&line).await?;
                writer.flush().await
            } => written,
            _ = closed.wait_for(|closed| *closed) => break,
        };
        if let Err(e) = written {
            shared.close(Error::io(e));
            break;
        }
    }
}

/// Which events a stream keeps.
enum Filter<E: EventSet> {
    All,
    Kinds(Vec<E::Kind>),
    Names(Vec<String>),
}

impl<E: EventSet> Filter<E> {
    fn matches(&self, msg: &Message<E>) -> bool {
        match self {
            Filter::All => true,
            Filter::Kinds(kinds) => msg
                .name()
                .and_then(E::kind_of)
                .is_some_and(|kind| kinds.contains(&kind)),
            Filter::Names(names) => msg
                .name()
                .is_some_and(|name| names.iter().any(|n| n == name)),
        }
    }
}

/// The events of one subscriber, from [`Client::events`], [`Client::events_of`] or
/// [`Client::events_named`]: a [`Stream`] of `Result<Message<E>, Error>`, also readable with
/// [`EventStream::recv`].
///
/// Every subscriber gets every event, in order. Items that are errors report what this
/// subscriber did not get, and the stream goes on after them:
///
/// - [`Error::Lagged`]`(n)`: this subscriber fell more than [`Config::event_capacity`] messages
///   behind and the `n` oldest were dropped for it (counted before filtering), without slowing
///   the connection or the other subscribers;
/// - [`Error::Protocol`]: the server sent a line that was skipped (not JSON, too long, a reply
///   with an unknown `id`); every subscriber gets these, whatever its filter. After
///   [`ProtocolError::NoNewline`] (endless bytes without a newline) the connection is closed.
///
/// The stream ends when the connection closes (after what is buffered) or the last
/// [`Client`] handle is dropped.
pub struct EventStream<E: AsyncEventSet> {
    inner: BroadcastStream<Item<E>>,
    filter: Filter<E>,
}

// The only pinned field, `BroadcastStream`, is `Unpin` itself.
impl<E: AsyncEventSet> Unpin for EventStream<E> {}

impl<E: AsyncEventSet> fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl<E: AsyncEventSet> EventStream<E> {
    /// The next item; `None` once the stream has ended.
    pub async fn recv(&mut self) -> Option<Result<Message<E>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<E: AsyncEventSet> Stream for EventStream<E> {
    type Item = Result<Message<E>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let item = match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(item)) => item,
            };
            return Poll::Ready(Some(match item {
                Ok(Item::Event(msg)) if this.filter.matches(&msg) => Ok(msg),
                Ok(Item::Event(_)) => continue,
                Ok(Item::Problem(problem)) => Err(Error::Protocol(problem)),
                Err(BroadcastStreamRecvError::Lagged(n)) => Err(Error::Lagged(n)),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeServer;

    #[::tokio::test]
    async fn endless_bytes_without_newline_close_the_connection() {
        let server = FakeServer::start(|peer| {
            peer.handshake()?;
            peer.expect()?;
            peer.send_raw(b"{\"return\": ")?;
            let chunk = vec![b'x'; 64 << 10];
            for _ in 0..64 {
                if peer.send_raw(&chunk).is_err() {
                    break;
                }
            }
            Ok(())
        })
        .unwrap();
        let mut config = Config::new().max_line_len(1024);
        config.max_skip = 1 << 20;
        let bounded = Duration::from_secs(30);
        let client = Client::<qmp_events::Event>::connect_unix_with(server.path(), &config)
            .await
            .unwrap();
        let mut events = client.events();
        // The command waiting for the endless reply fails with the reason, and so does every
        // stream before it ends.
        let err = timeout(bounded, client.execute("x", None))
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Protocol(ProtocolError::NoNewline { limit: 1024, .. })
            ),
            "{err:?}"
        );
        assert!(err.is_fatal());
        let item = timeout(bounded, events.recv()).await.unwrap();
        assert!(
            matches!(
                item,
                Some(Err(Error::Protocol(ProtocolError::NoNewline { .. })))
            ),
            "{item:?}"
        );
        assert!(timeout(bounded, events.recv()).await.unwrap().is_none());
        assert!(client.is_closed());
    }
}
