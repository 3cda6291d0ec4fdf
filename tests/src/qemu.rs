//! Spawning a real `qemu-system-x86_64` (or `qemu-storage-daemon`, QEMU's other QMP server)
//! with a QMP unix socket, and killing it on drop.
//!
//! Every QEMU runs in its own temporary directory (socket, stderr log, disk images,
//! serial logs) that is removed when the [`Qemu`] handle is dropped. The process is
//! killed through its own [`Child`] handle, never by name.

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::error::{Error, Result};
use crate::qmp::QmpClient;

/// The QEMU binary the live tests drive.
pub const QEMU_BINARY: &str = "qemu-system-x86_64";

/// How long QEMU gets to create its QMP socket.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The storage daemon (package `qemu-utils`): block layer, jobs and exports, no machine.
pub const STORAGE_DAEMON_BINARY: &str = "qemu-storage-daemon";

/// Finds `qemu-system-x86_64` on `PATH`, or `None` when it is not installed.
pub fn find_qemu() -> Option<PathBuf> {
    find_on_path(QEMU_BINARY)
}

/// Finds the program `name` on `PATH` (e.g. `qemu-img`, `qemu-storage-daemon`).
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Which QEMU program a [`QemuConfig`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    /// `qemu-system-x86_64 -accel tcg -display none -nodefaults -qmp ...`.
    System,
    /// `qemu-storage-daemon --chardev socket,... --monitor ...`.
    StorageDaemon,
}

/// A QEMU command line being put together, with its temporary directory already made
/// so that files the arguments refer to can be written into [`QemuConfig::dir`] first.
#[derive(Debug)]
pub struct QemuConfig {
    program: Program,
    binary: PathBuf,
    dir: TempDir,
    args: Vec<OsString>,
}

impl QemuConfig {
    /// Starts a configuration for the given QEMU binary, in a fresh temporary directory.
    pub fn new(binary: impl Into<PathBuf>) -> Result<Self> {
        Self::with_program(Program::System, binary.into())
    }

    /// Starts a configuration for `qemu-storage-daemon` at `binary`: [`QemuConfig::spawn`]
    /// gives it a QMP monitor on a unix socket and no other arguments but the extra ones.
    pub fn storage_daemon(binary: impl Into<PathBuf>) -> Result<Self> {
        Self::with_program(Program::StorageDaemon, binary.into())
    }

    fn with_program(program: Program, binary: PathBuf) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("qmp-live-")
            .tempdir()
            .map_err(|e| Error::io("creating QEMU temp dir", e))?;
        Ok(QemuConfig {
            program,
            binary,
            dir,
            args: Vec::new(),
        })
    }

    /// The temporary directory this QEMU will run in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Appends one extra argument.
    pub fn arg(&mut self, arg: impl Into<OsString>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several extra arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Spawns `qemu-system-x86_64 -accel tcg -display none -nodefaults -qmp unix:SOCK,...`
    /// (or `qemu-storage-daemon --chardev socket,id=qmp,path=SOCK,... --monitor chardev=qmp`)
    /// plus the extra arguments, and waits until the QMP socket accepts connections.
    pub fn spawn(self) -> Result<Qemu> {
        let socket = self.dir.path().join("qmp.sock");
        let stderr_path = self.dir.path().join("qemu.stderr");
        let stderr =
            File::create(&stderr_path).map_err(|e| Error::io("creating QEMU stderr log", e))?;
        let mut command = Command::new(&self.binary);
        match self.program {
            Program::System => {
                let mut qmp_arg = OsString::from("unix:");
                qmp_arg.push(&socket);
                qmp_arg.push(",server=on,wait=off");
                command
                    .args(["-accel", "tcg", "-display", "none", "-nodefaults", "-qmp"])
                    .arg(qmp_arg);
            }
            Program::StorageDaemon => {
                let mut chardev = OsString::from("socket,id=qmp,path=");
                chardev.push(&socket);
                chardev.push(",server=on,wait=off");
                command
                    .arg("--chardev")
                    .arg(chardev)
                    .args(["--monitor", "chardev=qmp"]);
            }
        }
        let child = command
            .args(&self.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| Error::io(format!("spawning {}", self.binary.display()), e))?;
        let mut qemu = Qemu {
            child,
            dir: self.dir,
            socket,
            stderr_path,
            exited: None,
        };
        qemu.wait_for_socket()?;
        Ok(qemu)
    }
}

/// A running QEMU; killed (and reaped) when dropped, even while a test panics.
#[derive(Debug)]
pub struct Qemu {
    child: Child,
    dir: TempDir,
    socket: PathBuf,
    stderr_path: PathBuf,
    exited: Option<ExitStatus>,
}

impl Qemu {
    /// The temporary directory QEMU runs in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The QMP socket path.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// QEMU's standard error so far (lossily decoded).
    pub fn stderr(&self) -> String {
        std::fs::read(&self.stderr_path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|e| format!("<could not read QEMU stderr: {e}>"))
    }

    /// Connects a QMP client and negotiates capabilities.
    pub fn qmp(&self) -> Result<QmpClient> {
        QmpClient::connect(&self.socket).map_err(|e| self.annotate(e))
    }

    /// Adds QEMU's stderr (and exit status, if it exited) to an error.
    pub fn annotate(&self, error: Error) -> Error {
        match error {
            Error::Qemu { .. } => error,
            other => Error::Qemu {
                message: other.to_string(),
                stderr: self.stderr(),
            },
        }
    }

    /// Returns the exit status if QEMU has exited.
    pub fn try_exit_status(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self
                .child
                .try_wait()
                .map_err(|e| Error::io("polling QEMU", e))?;
        }
        Ok(self.exited)
    }

    /// Waits (bounded) for QEMU to exit by itself, e.g. after `quit` or a guest poweroff.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_exit_status()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout {
                    what: "QEMU to exit".into(),
                    after: timeout,
                });
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_for_socket(&mut self) -> Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.try_exit_status()? {
                return Err(Error::Qemu {
                    message: format!("QEMU exited during startup ({status})"),
                    stderr: self.stderr(),
                });
            }
            if self.socket.exists() && UnixStream::connect(&self.socket).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::Qemu {
                    message: format!("QMP socket did not appear within {STARTUP_TIMEOUT:?}"),
                    stderr: self.stderr(),
                });
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        if self.exited.is_none() {
            // Errors are ignored: the process may have exited on its own meanwhile.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
