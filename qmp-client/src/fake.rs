//! A scripted QMP server on a unix socket, for this crate's tests and doc examples. Not part of
//! the stable API.
//!
//! [`FakeServer::start`] runs a script on a thread against the first client that connects;
//! [`FakeServer::mini_qemu`] is one that answers like `qemu-system-x86_64 -M none -S`. Every wait
//! is bounded (10 s), so a script never outlives its test by long, and the socket's directory
//! is removed on drop.

use serde_json::{Value, json};
use std::io::{self, BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the server waits for a client, or for a line from it.
const PATIENCE: Duration = Duration::from_secs(10);

/// A QMP server on a unix socket in a fresh temporary directory, running a script on a thread.
#[derive(Debug)]
pub struct FakeServer {
    dir: PathBuf,
    path: PathBuf,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl FakeServer {
    /// Listens on a new socket and runs `script` on the first connection.
    pub fn start<F>(script: F) -> io::Result<FakeServer>
    where
        F: FnOnce(&mut Peer) -> io::Result<()> + Send + 'static,
    {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "qmp-client-{}-{}-{nanos}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("qmp.sock");
        let listener = UnixListener::bind(&path)?;
        let thread = thread::Builder::new()
            .name("fake-qmp".into())
            .spawn(move || {
                let stream = accept(&listener)?;
                let mut peer = Peer::new(stream)?;
                script(&mut peer)
            })?;
        Ok(FakeServer {
            dir,
            path,
            thread: Some(thread),
        })
    }

    /// A server that behaves like `qemu-system-x86_64 -M none -S` for a few commands:
    /// `query-status`, `query-version`, `cont` (RESUME), `stop` (STOP), `quit` (SHUTDOWN, then
    /// it closes) and `CommandNotFound` for anything else; it offers `oob`.
    pub fn mini_qemu() -> io::Result<FakeServer> {
        FakeServer::start(|peer| {
            peer.handshake()?;
            peer.serve_mini_qemu()
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the script to finish; its error, or its panic as an error.
    pub fn join(mut self) -> io::Result<()> {
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the fake server's script panicked")),
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        // The thread ends by itself within its bounded waits.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn accept(listener: &UnixListener) -> io::Result<UnixStream> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + PATIENCE;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                return Ok(stream);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The server's end of a connection.
#[derive(Debug)]
pub struct Peer {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    status: &'static str,
}

impl Peer {
    /// The greeting [`Peer::greet`] sends (QEMU 10.0.2's shape).
    pub const GREETING: &'static str = r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": "fake"}, "capabilities": ["oob"]}}"#;

    fn new(stream: UnixStream) -> io::Result<Peer> {
        stream.set_read_timeout(Some(PATIENCE))?;
        stream.set_write_timeout(Some(PATIENCE))?;
        Ok(Peer {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            status: "prelaunch",
        })
    }

    /// Sends one line, terminated by `\r\n` as QEMU does.
    pub fn send(&mut self, line: &str) -> io::Result<()> {
        self.send_raw(format!("{line}\r\n").as_bytes())
    }

    /// Sends bytes as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.flush()
    }

    /// Sends the greeting.
    pub fn greet(&mut self) -> io::Result<()> {
        self.send(Self::GREETING)
    }

    /// The next request (a JSON value), or `None` when the client closed the connection.
    pub fn recv(&mut self) -> io::Result<Option<Value>> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        serde_json::from_str(&line)
            .map(Some)
            .map_err(io::Error::other)
    }

    /// The next request; the connection closing is an error.
    pub fn expect(&mut self) -> io::Result<Value> {
        self.recv()?
            .ok_or_else(|| io::Error::new(ErrorKind::UnexpectedEof, "the client went away"))
    }

    /// Greets, answers `qmp_capabilities`, and returns that request.
    pub fn handshake(&mut self) -> io::Result<Value> {
        self.greet()?;
        let request = self.expect()?;
        if request["execute"] != "qmp_capabilities" {
            return Err(io::Error::other(format!(
                "expected qmp_capabilities: {request}"
            )));
        }
        self.reply(&request, json!({}))?;
        Ok(request)
    }

    /// Answers `request` with `{"return": value}`, echoing its `id`.
    pub fn reply(&mut self, request: &Value, value: Value) -> io::Result<()> {
        let mut reply = json!({ "return": value });
        if let Some(id) = request.get("id") {
            reply["id"] = id.clone();
        }
        self.send(&reply.to_string())
    }

    /// Answers `request` with `{"error": {"class": class, "desc": desc}}`, echoing its `id`.
    pub fn reply_error(&mut self, request: &Value, class: &str, desc: &str) -> io::Result<()> {
        let mut reply = json!({ "error": { "class": class, "desc": desc } });
        if let Some(id) = request.get("id") {
            reply["id"] = id.clone();
        }
        self.send(&reply.to_string())
    }

    /// Sends an event with the current time.
    pub fn event(&mut self, name: &str, data: Option<Value>) -> io::Result<()> {
        self.send(&event_line(name, data))
    }

    /// Reads until the client closes the connection (bounded by the read timeout).
    pub fn wait_closed(&mut self) -> io::Result<()> {
        loop {
            match self.recv() {
                Ok(Some(_)) => {}
                Ok(None) => return Ok(()),
                // A client that closes with lines still unread makes the kernel reset
                // the connection: closed all the same.
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Answers like `qemu-system-x86_64 -M none -S` until the client goes away or sends `quit`.
    pub fn serve_mini_qemu(&mut self) -> io::Result<()> {
        while let Some(request) = self.recv()? {
            let name = request
                .get("execute")
                .or_else(|| request.get("exec-oob"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            match name.as_str() {
                "query-status" => {
                    let running = self.status == "running";
                    let status = json!({ "status": self.status, "running": running });
                    self.reply(&request, status)?;
                }
                "query-version" => self.reply(
                    &request,
                    json!({ "qemu": { "major": 10, "minor": 0, "micro": 2 }, "package": "fake" }),
                )?,
                "cont" => {
                    self.status = "running";
                    self.event("RESUME", None)?;
                    self.reply(&request, json!({}))?;
                }
                "stop" => {
                    self.status = "paused";
                    self.event("STOP", None)?;
                    self.reply(&request, json!({}))?;
                }
                "quit" => {
                    self.reply(&request, json!({}))?;
                    let data = json!({ "guest": false, "reason": "host-qmp-quit" });
                    return self.event("SHUTDOWN", Some(data));
                }
                _ => {
                    let desc = format!("The command {name} has not been found");
                    self.reply_error(&request, "CommandNotFound", &desc)?;
                }
            }
        }
        Ok(())
    }
}

/// An event line as QEMU writes it, with the current time.
pub fn event_line(name: &str, data: Option<Value>) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut event = json!({
        "timestamp": { "seconds": now.as_secs(), "microseconds": now.subsec_micros() },
        "event": name,
    });
    if let Some(data) = data {
        event["data"] = data;
    }
    event.to_string()
}
