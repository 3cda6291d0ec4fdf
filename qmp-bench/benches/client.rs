//! The client benchmark: command round trips and events per second, side by side in one run
//! against one real QEMU, for `qmp-client` (blocking and tokio), qapi-rs's `qapi` 0.15 (its
//! blocking `Qmp` and its tokio `QmpStreamTokio`) and, when `QMP_BENCH_PYTHON` names an
//! interpreter that has it, Python's `qemu.qmp` (`scripts/bench_client.py`, driven on stdin).
//! `scripts/bench-client.sh` sets that up and runs this.
//!
//! ```sh
//! QMP_BENCH_ROUNDS=5 cargo bench -p qmp-bench --bench client
//! ```
//!
//! One `qemu-system-x86_64 -M none -S -nodefaults -display none` runs for the whole bench,
//! with two QMP monitors: the clients under test connect to one of them, in turn (every client
//! once per round per workload, in an order that rotates between rounds), and the bench itself
//! drives the other ("control") to make QEMU emit events. Workloads, per client and round:
//!
//! - `rtt`: `QMP_BENCH_COMMANDS` (default 2,000) `query-status` in a row, each waiting for its
//!   reply; round trips per second.
//! - `events`: with the client connected (negotiated, subscribed) but not reading, the control
//!   monitor makes QEMU emit `QMP_BENCH_EVENTS` (default 10,000) events: that many `cont`/`stop`
//!   commands, sent in one go, each emitting RESUME or STOP, which QEMU broadcasts to every
//!   monitor. Once QEMU has answered them all, every event is queued for the client (in the
//!   socket and in QEMU's output buffer); then the clock starts and stops when the client has
//!   handed out the last one, decoded. This is the rate a client takes a burst of events at;
//!   QEMU emitting them (a few thousand a second on this machine) is not timed, and is
//!   printed apart.
//! - `fake-burst` (Rust clients only, **not QEMU**): an in-process scripted server
//!   (`qmp_client::fake`) answers one command after writing a burst of
//!   `QMP_BENCH_FAKE_EVENTS` (default 19,990) event lines from the bench corpus (the lines
//!   `qapi_qmp::Event` decodes: SPICE, QUORUM, BALLOON... with data), so decoding weighs more
//!   than with STOP/RESUME.
//!
//! Connecting and negotiating are not timed. What each client decodes into: ours into a typed
//! event set (`qmp_regen_2015::Event` for RESUME/STOP, which the seed `qmp_events::Event` does
//! not describe; `qmp_events::Event` for the fake burst), replies into `serde_json::Value`;
//! qapi into `qapi_qmp::Event` and typed replies (`StatusInfo`); Python into dicts.
//! Each client runs with its defaults (ours and Python enable out-of-band execution when QEMU
//! offers it, qapi does not); for `rtt`, control rows run the Rust clients in the other mode.

use qmp_client::tokio::Client as TokioClient;
use qmp_client::{Client, Config};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;

type Ours = qmp_regen_2015::Event;
type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// How long any single wait may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(30);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// QEMU, the control monitor, and Python

/// The QEMU process and its sockets' directory; killed and removed on drop (panics included).
struct Qemu {
    child: Child,
    dir: PathBuf,
    control: PathBuf,
    clients: PathBuf,
}

impl Qemu {
    fn start() -> Result<Qemu> {
        let dir = std::env::temp_dir().join(format!("qmp-client-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let control = dir.join("control.sock");
        let clients = dir.join("clients.sock");
        let mut command = Command::new("qemu-system-x86_64");
        command.args(["-M", "none", "-S", "-nodefaults", "-display", "none"]);
        for path in [&control, &clients] {
            command
                .arg("-qmp")
                .arg(format!("unix:{},server=on,wait=off", path.display()));
        }
        command.stdin(Stdio::null()).stdout(Stdio::null());
        // QEMU dies with the bench even when the bench is killed (drop covers exits and panics).
        // SAFETY: `prctl` is async-signal-safe, and the closure touches nothing else.
        unsafe {
            command.pre_exec(
                || match libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                },
            );
        }
        let child = command.spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(format!("qemu-system-x86_64: {e}").into());
            }
        };
        let mut qemu = Qemu {
            child,
            dir,
            control,
            clients,
        };
        let until = Instant::now() + PATIENCE;
        while !(qemu.control.exists() && qemu.clients.exists()) {
            if let Some(status) = qemu.child.try_wait()? {
                return Err(format!("QEMU exited at start: {status}").into());
            }
            if Instant::now() > until {
                return Err("QEMU did not create its sockets".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(qemu)
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The bench's own connection to the control monitor: raw lines, no client library.
struct Control {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Control {
    fn connect(path: &Path) -> Result<Control> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(PATIENCE))?;
        let mut control = Control {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
        };
        control.line()?; // the greeting
        control
            .writer
            .write_all(b"{\"execute\": \"qmp_capabilities\"}\n")?;
        control.replies(1)?;
        Ok(control)
    }

    fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err("QEMU closed the control monitor".into());
        }
        Ok(line)
    }

    /// Reads until `n` replies have come, skipping events; a QMP error is an error.
    fn replies(&mut self, n: usize) -> Result<()> {
        let mut seen = 0;
        while seen < n {
            let line = self.line()?;
            if line.starts_with("{\"return\"") {
                seen += 1;
            } else if !line.starts_with("{\"timestamp\"") {
                return Err(format!("control monitor: {line}").into());
            }
        }
        Ok(())
    }

    /// Makes QEMU emit `k` events (RESUME, STOP, RESUME...; `k` even) to every monitor, and
    /// returns once QEMU has answered every command (so every event is sent or queued). Returns
    /// how long that took.
    fn emit(&mut self, k: usize) -> Result<Duration> {
        assert!(k % 2 == 0, "an even number of events");
        let batch = "{\"execute\": \"cont\"}\n{\"execute\": \"stop\"}\n".repeat(k / 2);
        let start = Instant::now();
        let mut writer = self.writer.try_clone()?;
        std::thread::scope(|scope| {
            let sent = scope.spawn(move || writer.write_all(batch.as_bytes()));
            let replies = self.replies(k);
            let sent = sent.join().expect("the writer thread");
            replies.and(sent.map_err(Into::into))
        })?;
        Ok(start.elapsed())
    }
}

/// `scripts/bench_client.py`, long-lived, one request a line; killed on drop.
struct Python {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Python {
    fn start(interpreter: &str, socket: &Path) -> Result<Python> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/bench_client.py");
        let mut child = Command::new(interpreter)
            .arg(script)
            .arg(socket)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{interpreter}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Python {
            child,
            stdin,
            stdout,
        })
    }

    fn say(&mut self, line: &str) -> Result<()> {
        writeln!(self.stdin, "{line}")?;
        Ok(self.stdin.flush()?)
    }

    fn hear(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("the Python side exited".into());
        }
        Ok(line.trim().to_owned())
    }

    fn secs(&mut self) -> Result<Duration> {
        let line = self.hear()?;
        let secs = line
            .strip_prefix("secs ")
            .and_then(|s| s.parse::<f64>().ok())
            .ok_or_else(|| format!("the Python side said {line:?}"))?;
        Ok(Duration::from_secs_f64(secs))
    }

    fn rtt(&mut self, n: usize) -> Result<Duration> {
        self.say(&format!("rtt {n}"))?;
        self.secs()
    }

    fn events(&mut self, k: usize, control: &mut Control) -> Result<(Duration, Duration)> {
        self.say(&format!("events {k}"))?;
        let ready = self.hear()?;
        if ready != "ready" {
            return Err(format!("the Python side said {ready:?}").into());
        }
        let emitted = control.emit(k)?;
        self.say("go")?;
        Ok((self.secs()?, emitted))
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.say("quit");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The clients

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn is_stop_or_resume(event: &Ours) -> bool {
    matches!(event, Ours::Stop | Ours::Resume)
}

fn qapi_is_stop_or_resume(event: &qapi_qmp::Event) -> bool {
    matches!(
        event,
        qapi_qmp::Event::STOP { .. } | qapi_qmp::Event::RESUME { .. }
    )
}

/// One `query-status` reply checked the same cheap way for everyone.
fn check_status(value: &serde_json::Value) {
    assert!(value["status"].is_string(), "{value}");
}

fn ours_blocking_rtt(path: &Path, n: usize, oob: bool) -> Result<Duration> {
    let mut client = Client::<Ours>::connect_unix_with(path, &Config::new().oob(oob))?;
    let start = Instant::now();
    for _ in 0..n {
        check_status(&client.execute("query-status", None)?);
    }
    Ok(start.elapsed())
}

fn ours_blocking_events(path: &Path, k: usize, control: &mut Control) -> Result<[Duration; 2]> {
    let config = Config::new().event_capacity(k + 16);
    let mut client = Client::<Ours>::connect_unix_with(path, &config)?;
    let emitted = control.emit(k)?;
    let start = Instant::now();
    for _ in 0..k {
        let msg = client.next_event(PATIENCE)?.ok_or("no event in time")?;
        assert!(is_stop_or_resume(&msg.event), "{msg:?}");
    }
    Ok([start.elapsed(), emitted])
}

fn ours_tokio_rtt(path: &Path, n: usize, oob: bool) -> Result<Duration> {
    let rt = runtime();
    rt.block_on(async {
        let client = TokioClient::<Ours>::connect_unix_with(path, &Config::new().oob(oob)).await?;
        let start = Instant::now();
        for _ in 0..n {
            check_status(&client.execute("query-status", None).await?);
        }
        Ok(start.elapsed())
    })
}

fn ours_tokio_events(path: &Path, k: usize, control: &mut Control) -> Result<[Duration; 2]> {
    let rt = runtime();
    // The broadcast buffer holds the whole burst: the reader task may run ahead of us.
    let config = Config::new().event_capacity(k + 16);
    let client = rt.block_on(TokioClient::<Ours>::connect_unix_with(path, &config))?;
    let mut events = client.events();
    // The runtime stands still (current-thread, outside `block_on`): nothing is read meanwhile.
    let emitted = control.emit(k)?;
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..k {
            let msg = events.recv().await.ok_or("the stream ended")??;
            assert!(is_stop_or_resume(&msg.event), "{msg:?}");
        }
        Ok([start.elapsed(), emitted])
    })
}

type QapiBlocking<'a> = qapi::Qmp<qapi::Stream<BufReader<&'a UnixStream>, &'a UnixStream>>;

/// `oob`: enable out-of-band execution, which qapi's `handshake` does not.
fn qapi_blocking_connect(stream: &UnixStream, oob: bool) -> Result<QapiBlocking<'_>> {
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut qmp = qapi::Qmp::from_stream(stream);
    if oob {
        qmp.read_capabilities()?;
        qmp.execute(&qapi_qmp::qmp_capabilities {
            enable: Some(vec![qapi_qmp::QMPCapability::oob]),
        })?;
    } else {
        qmp.handshake()?;
    }
    Ok(qmp)
}

fn qapi_blocking_rtt(path: &Path, n: usize, oob: bool) -> Result<Duration> {
    let stream = UnixStream::connect(path)?;
    let mut qmp = qapi_blocking_connect(&stream, oob)?;
    let start = Instant::now();
    for _ in 0..n {
        let status = qmp.execute(&qapi_qmp::query_status {})?;
        black_box(status);
    }
    Ok(start.elapsed())
}

fn qapi_blocking_events(path: &Path, k: usize, control: &mut Control) -> Result<[Duration; 2]> {
    let stream = UnixStream::connect(path)?;
    let mut qmp = qapi_blocking_connect(&stream, false)?;
    let emitted = control.emit(k)?;
    let start = Instant::now();
    // The blocking `Qmp` reads events only while it waits for a reply: `nop` (a `query-version`)
    // is its documented way to poll for them. All `k` are queued before that reply.
    let mut got = 0;
    while got < k {
        qmp.nop()?;
        for event in qmp.events() {
            assert!(qapi_is_stop_or_resume(&event), "{event:?}");
            got += 1;
        }
    }
    Ok([start.elapsed(), emitted])
}

fn qapi_tokio_rtt(path: &Path, n: usize, oob: bool) -> Result<Duration> {
    let rt = runtime();
    rt.block_on(async {
        let open = qapi::futures::QmpStreamTokio::open_uds(path).await?;
        let caps = oob.then_some(qapi_qmp::QMPCapability::oob);
        let mut qmp = open.negotiate_caps(caps).await?;
        let start = Instant::now();
        for _ in 0..n {
            let status = qmp.execute(qapi_qmp::query_status {}).await?;
            black_box(status);
        }
        Ok(start.elapsed())
    })
}

fn qapi_tokio_events(path: &Path, k: usize, control: &mut Control) -> Result<[Duration; 2]> {
    let rt = runtime();
    let qmp = rt.block_on(async {
        let open = qapi::futures::QmpStreamTokio::open_uds(path).await?;
        open.negotiate().await
    })?;
    let (_service, mut events) = qmp.into_parts();
    let emitted = control.emit(k)?;
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..k {
            let event = events.next().await.ok_or("the stream ended")??;
            assert!(qapi_is_stop_or_resume(&event), "{event:?}");
        }
        Ok([start.elapsed(), emitted])
    })
}

// ---------------------------------------------------------------------------------------------
// The fake burst (not QEMU)

/// The burst: event lines `qapi_qmp::Event` decodes, repeated, `\r\n`-terminated as QEMU does.
fn burst_lines(target: usize) -> (Arc<Vec<u8>>, usize) {
    let corpus = qmp_bench::corpus::corpus();
    let lines: Vec<&String> = corpus
        .iter()
        .filter(|l| serde_json::from_str::<qapi_qmp::Event>(l).is_ok())
        .collect();
    let mut bytes = Vec::new();
    let mut count = 0;
    while count < target {
        for line in &lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
            count += 1;
        }
    }
    (Arc::new(bytes), count)
}

/// A fake server that, after the handshake, answers the first command after the burst.
fn fake_server(burst: &Arc<Vec<u8>>) -> Result<qmp_client::fake::FakeServer> {
    let burst = Arc::clone(burst);
    Ok(qmp_client::fake::FakeServer::start(move |peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.send_raw(&burst)?;
        peer.reply(
            &request,
            serde_json::json!({ "qemu": { "major": 10, "minor": 0, "micro": 2 }, "package": "fake" }),
        )?;
        peer.wait_closed()
    })?)
}

fn fake_ours_blocking(burst: &Arc<Vec<u8>>, k: usize) -> Result<Duration> {
    let server = fake_server(burst)?;
    let config = Config::new().event_capacity(k + 16);
    let mut client = Client::<qmp_events::Event>::connect_unix_with(server.path(), &config)?;
    let start = Instant::now();
    client.execute("query-version", None)?;
    for _ in 0..k {
        let msg = client.next_event(Duration::ZERO)?.ok_or("missing event")?;
        black_box(msg);
    }
    Ok(start.elapsed())
}

fn fake_ours_tokio(burst: &Arc<Vec<u8>>, k: usize) -> Result<Duration> {
    let server = fake_server(burst)?;
    let rt = runtime();
    rt.block_on(async {
        let config = Config::new().event_capacity(k + 16);
        let client =
            TokioClient::<qmp_events::Event>::connect_unix_with(server.path(), &config).await?;
        let mut events = client.events();
        let start = Instant::now();
        let (version, received) = tokio::join!(client.execute("query-version", None), async {
            for _ in 0..k {
                let msg = events.recv().await.ok_or("the stream ended")??;
                black_box(msg);
            }
            Ok::<_, Box<dyn std::error::Error>>(())
        });
        version?;
        received?;
        Ok(start.elapsed())
    })
}

fn fake_qapi_blocking(burst: &Arc<Vec<u8>>, k: usize) -> Result<Duration> {
    let server = fake_server(burst)?;
    let stream = UnixStream::connect(server.path())?;
    let mut qmp = qapi_blocking_connect(&stream, false)?;
    let start = Instant::now();
    qmp.nop()?;
    let got = qmp.events().map(black_box).count();
    assert_eq!(got, k);
    Ok(start.elapsed())
}

fn fake_qapi_tokio(burst: &Arc<Vec<u8>>, k: usize) -> Result<Duration> {
    let server = fake_server(burst)?;
    let rt = runtime();
    rt.block_on(async {
        let open = qapi::futures::QmpStreamTokio::open_uds(server.path()).await?;
        let (service, mut events) = open.negotiate().await?.into_parts();
        let start = Instant::now();
        // Replies are handed out only while the event stream is polled, and this one comes
        // after the burst: poll the stream until the reply is in.
        let version = service.execute(qapi_qmp::query_version {});
        tokio::pin!(version);
        let mut got = 0;
        loop {
            tokio::select! {
                biased;
                version = &mut version => {
                    version?;
                    break;
                }
                event = events.next() => {
                    black_box(event.ok_or("the stream ended")??);
                    got += 1;
                }
            }
        }
        assert_eq!(got, k);
        Ok(start.elapsed())
    })
}

// ---------------------------------------------------------------------------------------------
// The run

/// The rows: each client with its defaults (ours and Python enable out-of-band execution when
/// QEMU offers it, qapi does not), then, for round trips only, each Rust client in the other
/// mode, to tell the client from the session mode.
const CLIENTS: [&str; 9] = [
    "qmp-client blocking",
    "qmp-client tokio",
    "qapi blocking",
    "qapi tokio",
    "python qemu.qmp",
    "qmp-client blocking, oob off",
    "qmp-client tokio, oob off",
    "qapi blocking, oob on",
    "qapi tokio, oob on",
];
const PYTHON: usize = 4;

/// Per workload, per client (as in [`CLIENTS`]): one rate (operations per second) per round.
struct Rates {
    rtt: Vec<Vec<f64>>,
    events: Vec<Vec<f64>>,
    fake: Vec<Vec<f64>>,
    /// How fast QEMU emitted events for the control monitor (not a client figure).
    emitted: Vec<f64>,
}

fn rate(count: usize, time: Duration) -> f64 {
    count as f64 / time.as_secs_f64()
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// The clients of one workload, in an order that rotates with the round.
fn order(clients: &[usize], round: usize) -> impl Iterator<Item = usize> + '_ {
    (0..clients.len()).map(move |i| clients[(i + round) % clients.len()])
}

fn run() -> Result<()> {
    let rounds = qmp_bench::interleaved_rounds().unwrap_or(5).max(1);
    let n = env_or("QMP_BENCH_COMMANDS", 2_000).max(1);
    let k = env_or("QMP_BENCH_EVENTS", 10_000).max(2) / 2 * 2;
    let fake_k = env_or("QMP_BENCH_FAKE_EVENTS", 19_990).max(1);

    let qemu = match Qemu::start() {
        Ok(qemu) => qemu,
        Err(e) => {
            println!("skipped: {e}");
            return Ok(());
        }
    };
    let mut control = Control::connect(&qemu.control)?;
    let path = qemu.clients.clone();
    let mut python = match std::env::var("QMP_BENCH_PYTHON") {
        Ok(interpreter) => Some(Python::start(&interpreter, &path)?),
        Err(_) => {
            eprintln!("QMP_BENCH_PYTHON is not set: no Python row (scripts/bench-client.sh)");
            None
        }
    };
    let (burst, fake_k) = burst_lines(fake_k);
    eprintln!(
        "{rounds} rounds: {n} query-status round trips, {k} QEMU events, {fake_k} fake-burst \
         events ({} bytes) per client per round",
        burst.len()
    );

    let with_python = |clients: &[usize]| -> Vec<usize> {
        clients
            .iter()
            .copied()
            .filter(|&c| c != PYTHON || python.is_some())
            .collect()
    };
    let rtt_clients = with_python(&[0, 1, 2, 3, 4, 5, 6, 7, 8]);
    let event_clients = with_python(&[0, 1, 2, 3, 4]);
    let fake_clients = [0, 1, 2, 3];
    let mut rates = Rates {
        rtt: vec![Vec::new(); CLIENTS.len()],
        events: vec![Vec::new(); CLIENTS.len()],
        fake: vec![Vec::new(); CLIENTS.len()],
        emitted: Vec::new(),
    };
    for round in 0..rounds {
        for c in order(&rtt_clients, round) {
            let time = match c {
                0 | 5 => ours_blocking_rtt(&path, n, c == 0)?,
                1 | 6 => ours_tokio_rtt(&path, n, c == 1)?,
                2 | 7 => qapi_blocking_rtt(&path, n, c == 7)?,
                3 | 8 => qapi_tokio_rtt(&path, n, c == 8)?,
                _ => python.as_mut().expect("python").rtt(n)?,
            };
            rates.rtt[c].push(rate(n, time));
        }
        for c in order(&event_clients, round) {
            let [time, emitted] = match c {
                0 => ours_blocking_events(&path, k, &mut control)?,
                1 => ours_tokio_events(&path, k, &mut control)?,
                2 => qapi_blocking_events(&path, k, &mut control)?,
                3 => qapi_tokio_events(&path, k, &mut control)?,
                _ => {
                    let python = python.as_mut().expect("python");
                    let (time, emitted) = python.events(k, &mut control)?;
                    [time, emitted]
                }
            };
            rates.events[c].push(rate(k, time));
            rates.emitted.push(rate(k, emitted));
        }
        for c in order(&fake_clients, round) {
            let time = match c {
                0 => fake_ours_blocking(&burst, fake_k)?,
                1 => fake_ours_tokio(&burst, fake_k)?,
                2 => fake_qapi_blocking(&burst, fake_k)?,
                _ => fake_qapi_tokio(&burst, fake_k)?,
            };
            rates.fake[c].push(rate(fake_k, time));
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    drop(python);
    drop(control);
    drop(qemu);
    report(&rates, rounds, n, k, fake_k);
    Ok(())
}

fn report(rates: &Rates, rounds: usize, n: usize, k: usize, fake_k: usize) {
    let version = Command::new("qemu-system-x86_64")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_default();
    println!("{version}; {rounds} interleaved rounds; per second: median (min-max over rounds)");
    println!(
        "rtt: {n} query-status per round; events: a backlog of {k} RESUME/STOP; fake-burst: \
         {fake_k} corpus events from qmp_client::fake (not QEMU)"
    );
    println!(
        "QEMU emitted the events at {:.0}/s (median; control monitor, not timed for clients)",
        median(&rates.emitted).unwrap_or(f64::NAN)
    );
    println!();
    let workloads = [
        ("rtt", &rates.rtt),
        ("events", &rates.events),
        ("fake-burst", &rates.fake),
    ];
    println!("| client | rtt/s | events/s | fake-burst/s |");
    println!("|---|---|---|---|");
    for (c, client) in CLIENTS.iter().enumerate() {
        if workloads
            .iter()
            .all(|(_, per_client)| per_client[c].is_empty())
        {
            continue;
        }
        print!("| {client} |");
        for (_, per_client) in workloads {
            let values = &per_client[c];
            match median(values) {
                Some(med) => {
                    let (min, max) = values
                        .iter()
                        .fold((f64::INFINITY, 0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                    print!(" {med:.0} ({min:.0}-{max:.0}) |");
                }
                None => print!(" — |"),
            }
        }
        println!();
    }
    println!();
    println!(
        "Ratios (ours / theirs; above 1: ours is faster): of the medians (median of the \
         ratios within each round)"
    );
    println!("| ours | theirs | rtt | events | fake-burst |");
    println!("|---|---|---|---|---|");
    let pairs = [
        (0, 2),
        (0, 3),
        (0, 4),
        (1, 2),
        (1, 3),
        (1, 4),
        // The same session mode on both sides.
        (5, 2),
        (6, 3),
        (0, 7),
        (1, 8),
    ];
    for (ours, theirs) in pairs {
        let cells: Vec<Option<(f64, f64)>> = workloads
            .iter()
            .map(|(_, per_client)| {
                let (a, b) = (&per_client[ours], &per_client[theirs]);
                let paired: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
                Some((median(a)? / median(b)?, median(&paired)?))
            })
            .collect();
        if cells.iter().all(Option::is_none) {
            continue;
        }
        print!("| {} | {} |", CLIENTS[ours], CLIENTS[theirs]);
        for cell in cells {
            match cell {
                Some((ratio, paired)) => print!(" {ratio:.2}x ({paired:.2}x) |"),
                None => print!(" — |"),
            }
        }
        println!();
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
