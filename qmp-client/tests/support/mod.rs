//! Real QMP servers for the live tests: `qemu-system-x86_64 -M none -S` and
//! `qemu-storage-daemon`, each in its own temporary directory, killed and removed on drop.
//!
//! Whether a test runs at all when its binary is missing is the harness's decision
//! (`tests/live.rs`: ignored, or failed with `QMP_REQUIRE_QEMU=1`).
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server gets to create its socket.
const STARTUP: Duration = Duration::from_secs(20);

/// The binary on `PATH`, if it is there.
pub fn find(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(binary))
            .find(|candidate| candidate.is_file())
    })
}

/// The binary on `PATH`. The live tests' harness (`tests/live.rs`) runs a test only when its
/// binary is there, so a missing one is a failure here.
pub fn require(binary: &str) -> Option<PathBuf> {
    let found = find(binary);
    assert!(found.is_some(), "{binary} is not on PATH");
    found
}

/// A running server with a QMP unix socket.
#[derive(Debug)]
pub struct Server {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl Server {
    /// `qemu-system-x86_64 -M none -S` (no machine, paused: starts in well under a second).
    pub fn qemu() -> Option<Server> {
        let binary = require("qemu-system-x86_64")?;
        Some(Server::spawn(&binary, |socket| {
            vec![
                "-M".into(),
                "none".into(),
                "-S".into(),
                "-accel".into(),
                "tcg".into(),
                "-display".into(),
                "none".into(),
                "-nodefaults".into(),
                "-qmp".into(),
                format!("unix:{},server=on,wait=off", socket.display()),
            ]
        }))
    }

    /// `qemu-storage-daemon` with a QMP monitor and no block device.
    pub fn storage_daemon() -> Option<Server> {
        let binary = require("qemu-storage-daemon")?;
        Some(Server::spawn(&binary, |socket| {
            vec![
                "--chardev".into(),
                format!("socket,id=qmp,path={},server=on,wait=off", socket.display()),
                "--monitor".into(),
                "chardev=qmp".into(),
                "--blockdev".into(),
                "driver=null-co,node-name=null0".into(),
            ]
        }))
    }

    fn spawn(binary: &Path, args: impl FnOnce(&Path) -> Vec<String>) -> Server {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "qmp-client-live-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("creating a temp dir");
        let socket = dir.join("qmp.sock");
        let stderr = File::create(dir.join("stderr")).expect("creating the stderr log");
        let child = Command::new(binary)
            .args(args(&socket))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", binary.display()));
        let mut server = Server { child, dir, socket };
        let deadline = Instant::now() + STARTUP;
        while !server.socket.exists() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "{} exited ({status}): {}",
                    binary.display(),
                    server.stderr()
                );
            }
            assert!(Instant::now() < deadline, "no QMP socket after {STARTUP:?}");
            thread::sleep(Duration::from_millis(10));
        }
        server
    }

    /// The QMP socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The temporary directory it runs in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    /// Waits (bounded) for the process to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Retries `connect` while the socket exists but is not listening yet (bounded).
pub fn retry<T>(mut connect: impl FnMut() -> Result<T, qmp_client::Error>) -> T {
    let deadline = Instant::now() + STARTUP;
    loop {
        match connect() {
            Ok(client) => return client,
            Err(qmp_client::Error::Io(e))
                if Instant::now() < deadline
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
                    ) =>
            {
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("connecting: {e}"),
        }
    }
}

/// [`retry`] for the async client.
pub async fn retry_async<T, F>(mut connect: impl FnMut() -> F) -> T
where
    F: std::future::Future<Output = Result<T, qmp_client::Error>>,
{
    let deadline = Instant::now() + STARTUP;
    loop {
        match connect().await {
            Ok(client) => return client,
            Err(qmp_client::Error::Io(e))
                if Instant::now() < deadline
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
                    ) =>
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => panic!("connecting: {e}"),
        }
    }
}
