//! Support code for the end-to-end tests in `tests/tests/`: driving a real QEMU.
//!
//! - [`qemu`]: find `qemu-system-x86_64`, spawn it with a QMP socket, kill it on drop.
//! - [`qmp`]: the QMP session of the tests, on `qmp_client::Client`: every event kept as its raw
//!   JSON line, in arrival order, and waited for by name.
//! - [`spice`]: just enough of the SPICE link handshake to make QEMU emit SPICE events.
//! - [`vnc`]: just enough of the RFB handshake to make QEMU emit VNC events.
//! - [`images`]: tiny disk images (a pvpanic boot sector, raw quorum children).
//! - [`cpio`] and [`guest`]: a Debian kernel plus a self-made busybox initramfs.
//! - [`scenarios`]: one `capture_*` function per scenario, returning the raw event lines.
//!
//! The live test binaries (`harness = false`) hand their tests to [`run_live_tests`], which runs
//! them with [`libtest_mimic`] like the built-in harness. Without QEMU on `PATH` each shows as
//! `ignored (qemu-system-x86_64 not found on PATH ...)` in cargo's summary, unless
//! `QMP_REQUIRE_QEMU=1` (CI), which makes each fail instead.
//!
//! Each test hands the lines it checked to [`record_scenario`]. After the run,
//! [`run_live_event_tests`] prints how many distinct event names real QEMU sent, fails when every
//! test ran and that is fewer than [`MIN_DISTINCT_EVENTS`], and writes every recorded line to
//! the file named by `QMP_CAPTURE_CORPUS` when it is set.

pub mod cpio;
pub mod error;
pub mod guest;
pub mod images;
pub mod qemu;
pub mod qmp;
pub mod scenarios;
pub mod spice;
pub mod vnc;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

pub use error::{Error, Result};
pub use qemu::{Qemu, QemuConfig, find_on_path, find_qemu};
pub use qmp::QmpClient;

pub use libtest_mimic::{self, Completion};

/// The repository README's Rust examples, compiled and run as doctests so that they stay true
/// (here, since no published crate may reach outside its package).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Environment variable that turns a missing QEMU from a skip into a failure.
pub const REQUIRE_QEMU_ENV: &str = "QMP_REQUIRE_QEMU";

/// Environment variable naming a file to write every captured event line to (a corpus).
pub const CAPTURE_CORPUS_ENV: &str = "QMP_CAPTURE_CORPUS";

/// How many distinct event names a full run of the live tests must see from real QEMU.
pub const MIN_DISTINCT_EVENTS: usize = 30;

/// Whether `QMP_REQUIRE_QEMU=1`: a missing QEMU tool is a failure, not a reason to skip.
pub fn qemu_required() -> bool {
    std::env::var(REQUIRE_QEMU_ENV).is_ok_and(|v| v == "1")
}

/// The lines each scenario captured, by scenario name (the first recording of a name wins, so
/// a scenario shared by several tests is kept once).
static CAPTURED: Mutex<BTreeMap<String, Vec<String>>> = Mutex::new(BTreeMap::new());

/// Records the raw event lines a live test got from `scenario`, for the run's summary and
/// corpus.
pub fn record_scenario(scenario: &str, lines: &[String]) {
    let mut captured = CAPTURED.lock().unwrap_or_else(|e| e.into_inner());
    captured
        .entry(scenario.to_owned())
        .or_insert_with(|| lines.to_vec());
}

/// Every recorded line, by scenario name.
fn captured() -> BTreeMap<String, Vec<String>> {
    CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The distinct event names among `lines`.
fn distinct_names<'a>(lines: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    lines
        .into_iter()
        .filter_map(|raw| scenarios::event_name(raw))
        .collect()
}

/// Why the live tests cannot run here: `Err(reason)` when QEMU is not found, and whether that is
/// a failure (`QMP_REQUIRE_QEMU=1`) rather than a reason to ignore them.
fn qemu_for_live_tests() -> std::result::Result<PathBuf, (String, bool)> {
    if let Some(path) = find_qemu() {
        return Ok(path);
    }
    let required = qemu_required();
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
    run(tests, None)
}

/// [`run_live_tests`] for the suite whose scenarios record their events: after a full, passing
/// run, it also fails unless real QEMU sent at least [`MIN_DISTINCT_EVENTS`] distinct events.
pub fn run_live_event_tests(tests: Vec<LiveTest>) -> std::process::ExitCode {
    run(tests, Some(MIN_DISTINCT_EVENTS))
}

fn run(tests: Vec<LiveTest>, min_distinct: Option<usize>) -> std::process::ExitCode {
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
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    let summary_ok = summarize(&conclusion, min_distinct);
    if summary_ok {
        conclusion.exit_code()
    } else {
        std::process::ExitCode::from(101)
    }
}

/// Prints the distinct event names seen and writes the corpus; `false` when every test ran and
/// fewer than [`MIN_DISTINCT_EVENTS`] names were seen, or the corpus could not be written.
fn summarize(conclusion: &libtest_mimic::Conclusion, min_distinct: Option<usize>) -> bool {
    let captured = captured();
    let names = distinct_names(captured.values().flatten());
    let list: Vec<&str> = names.iter().map(String::as_str).collect();
    if min_distinct.is_none() && names.is_empty() {
        // A suite that records no events has nothing to say.
        return true;
    }
    println!(
        "distinct QEMU events seen: {} ({})",
        names.len(),
        list.join(", ")
    );
    let mut ok = true;
    // Only a full, passing run must reach the bar: a filtered, skipped or failed run fails (or
    // not) on its own.
    let all_ran = conclusion.num_filtered_out == 0
        && conclusion.num_ignored == 0
        && conclusion.num_failed == 0;
    if let Some(min) = min_distinct.filter(|min| all_ran && names.len() < *min) {
        eprintln!(
            "error: every live test ran, but real QEMU sent only {} distinct events \
             (at least {min} expected)",
            names.len()
        );
        ok = false;
    }
    if let Some(path) = std::env::var_os(CAPTURE_CORPUS_ENV) {
        let mut corpus = String::new();
        for line in captured.values().flatten() {
            corpus.push_str(line);
            corpus.push('\n');
        }
        match std::fs::write(&path, corpus) {
            Ok(()) => println!(
                "wrote {} event lines to {}",
                captured.values().map(Vec::len).sum::<usize>(),
                PathBuf::from(&path).display()
            ),
            Err(e) => {
                eprintln!("error: writing {CAPTURE_CORPUS_ENV}={path:?}: {e}");
                ok = false;
            }
        }
    }
    ok
}
