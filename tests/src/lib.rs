//! Support code for the end-to-end tests in `tests/tests/`: driving a real QEMU.
//!
//! - [`qemu`]: find `qemu-system-x86_64`, spawn it with a QMP socket, kill it on drop.
//! - [`qmp`]: the QMP session of the tests, on `qmp_client::Client`: every event kept as its raw
//!   JSON line, in arrival order, and waited for by name.
//! - [`spice`]: just enough of the SPICE link handshake to make QEMU emit SPICE events.
//! - [`images`]: tiny disk images (a pvpanic boot sector, raw quorum children).
//! - [`cpio`] and [`guest`]: a Debian kernel plus a self-made busybox initramfs.
//! - [`scenarios`]: one `capture_*` function per scenario, returning the raw event lines.
//!
//! The live test binaries (`harness = false`) hand their tests to [`run_live_tests`], which runs
//! them with [`libtest_mimic`] like the built-in harness. Without QEMU on `PATH` each shows as
//! `ignored (qemu-system-x86_64 not found on PATH ...)` in cargo's summary, unless
//! `QMP_REQUIRE_QEMU=1` (CI), which makes each fail instead.

pub mod cpio;
pub mod error;
pub mod guest;
pub mod images;
pub mod qemu;
pub mod qmp;
pub mod scenarios;
pub mod spice;

use std::path::PathBuf;

pub use error::{Error, Result};
pub use qemu::{Qemu, QemuConfig, find_qemu};
pub use qmp::QmpClient;

pub use libtest_mimic::{self, Completion};

/// The repository README's Rust examples, compiled and run as doctests so that they stay true
/// (here, since no published crate may reach outside its package).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Environment variable that turns a missing QEMU from a skip into a failure.
pub const REQUIRE_QEMU_ENV: &str = "QMP_REQUIRE_QEMU";

/// Why the live tests cannot run here: `Err(reason)` when QEMU is not found, and whether that is
/// a failure (`QMP_REQUIRE_QEMU=1`) rather than a reason to ignore them.
fn qemu_for_live_tests() -> std::result::Result<PathBuf, (String, bool)> {
    if let Some(path) = find_qemu() {
        return Ok(path);
    }
    let required = std::env::var(REQUIRE_QEMU_ENV).is_ok_and(|v| v == "1");
    let reason = if required {
        format!("qemu-system-x86_64 not found on PATH and {REQUIRE_QEMU_ENV}=1")
    } else {
        format!(
            "qemu-system-x86_64 not found on PATH; install it with scripts/install-qemu.sh, \
             or set {REQUIRE_QEMU_ENV}=1 to fail instead"
        )
    };
    Err((reason, required))
}

/// What a live test returns: `()` when it ran to the end, or a [`Completion`] when it may find
/// at run time that it cannot run (`Completion::ignored_with("cannot bind ::1")`).
pub trait LiveOutcome {
    /// As libtest-mimic reports it.
    fn into_completion(self) -> Completion;
}

impl LiveOutcome for () {
    fn into_completion(self) -> Completion {
        Completion::Completed
    }
}

impl LiveOutcome for Completion {
    fn into_completion(self) -> Completion {
        self
    }
}

/// One live test: its name (the function's, as the built-in harness would show it) and its body,
/// which gets the QEMU binary and fails by panicking.
pub struct LiveTest {
    name: &'static str,
    body: Box<dyn FnOnce(&std::path::Path) -> Completion + Send>,
}

impl LiveTest {
    /// A live test named `name` running `body`.
    pub fn new<R: LiveOutcome>(
        name: &'static str,
        body: impl FnOnce(&std::path::Path) -> R + Send + 'static,
    ) -> LiveTest {
        LiveTest {
            name,
            body: Box::new(move |qemu| body(qemu).into_completion()),
        }
    }
}

/// `live_tests![f, g, ...]`: the functions `f`, `g`, ... (each `fn(&Path)`, returning `()` or a
/// [`Completion`]) as [`LiveTest`]s named after them.
#[macro_export]
macro_rules! live_tests {
    ($($test:ident),* $(,)?) => {
        ::std::vec![$($crate::LiveTest::new(::std::stringify!($test), $test)),*]
    };
}

/// The `main` of a live test binary: runs `tests` against QEMU with libtest-mimic (the command
/// line is the built-in harness's: filters, `--list`, `--test-threads`, ...; `RUST_TEST_THREADS`
/// is honoured too). Without QEMU each test is ignored with the reason, or fails when
/// `QMP_REQUIRE_QEMU=1`.
pub fn run_live_tests(tests: Vec<LiveTest>) -> std::process::ExitCode {
    let mut args = libtest_mimic::Arguments::from_args();
    if args.test_threads.is_none() {
        args.test_threads = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|n| n.parse().ok());
    }
    let qemu = qemu_for_live_tests();
    let trials = tests
        .into_iter()
        .map(|test| {
            let qemu = qemu.clone();
            libtest_mimic::Trial::ignorable_test(test.name, move || match qemu {
                Ok(path) => Ok((test.body)(&path)),
                Err((reason, true)) => Err(reason.into()),
                Err((reason, false)) => Ok(Completion::ignored_with(reason)),
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
