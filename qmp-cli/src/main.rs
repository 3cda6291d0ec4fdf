//! The `qmp-events` command line tool.
//!
//! - `qmp-events validate [--spec FILE] [--json] [FILE|-]` checks captured QMP messages (one JSON
//!   object per line) against the QMP events document: the validators generated into
//!   `qmp-events`, or any document parsed at run time with `--spec`.
//! - `qmp-events watch [--json] [--timeout SECONDS] [--max-line-len BYTES] [--spec-from-live]
//!   SOCKET` connects to a QEMU QMP unix socket and prints each event as it arrives, checked
//!   against the default spec or, with `--spec-from-live`, against that QEMU's own schema.
//!   `--timeout` is one deadline for the whole handshake.
//! - `qmp-events diff [--cfg NAME]... [--json] OLD NEW` compares two specs of any kind (legacy
//!   document, QAPI schema, `query-qmp-schema` reply) as wire shapes, one line a difference.
//! - `validate` also takes a QAPI schema or a `query-qmp-schema` reply with `--spec`, and asks a
//!   running QEMU for its schema with `--spec-from SOCKET`.
//!
//! Results go to stdout; progress, warnings and errors to stderr, an error as one line
//! `qmp-events: ...`. Exit status: 0 success, 1 `validate` found violations (drift included) or
//! invalid JSON, 2 usage, I/O, spec or connection errors. `--help` on every command. A reader that
//! goes away (`qmp-events validate big.jsonl | head`) ends the command quietly, with status 0.
//! Memory is bounded on any input: a line longer than `--max-line-len` (64 MiB by default) is
//! skipped without being held; one with no newline within 1 GiB past it is an error.
#![forbid(unsafe_code)]

/// Like `eprintln!`, but a closed stderr (`... 2>&1 | head -1`) is no reason to panic: the
/// message is dropped. Defined before the modules, so that they see it.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod diff;
mod format;
mod live;
mod specs;
mod validate;
mod watch;

use args::Command;
use std::io::{self, Write};
use std::process::ExitCode;

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: `validate` found violations or invalid JSON.
    Findings,
}

/// An error that ends the program with exit status 2.
#[derive(Debug)]
pub struct CliError {
    /// The one-line message; `None` when there is nothing to say: stdout was closed, and the
    /// program ends quietly with status 0.
    message: Option<String>,
}

impl CliError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: Some(message.into()),
        }
    }

    /// Writing to stdout failed: quiet when the reader went away.
    pub fn output(error: io::Error) -> CliError {
        if error.kind() == io::ErrorKind::BrokenPipe {
            CliError { message: None }
        } else {
            CliError::new(format!("cannot write the output: {error}"))
        }
    }
}

/// The arguments as strings; a non-UTF-8 argument is a usage error.
fn arguments() -> Result<Vec<String>, String> {
    std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| format!("argument {} is not valid UTF-8", arg.to_string_lossy()))
        })
        .collect()
}

/// Prints `text` on stdout (without panicking when stdout is closed).
fn print(text: &str) -> Result<Outcome, CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::output)?;
    Ok(Outcome::Success)
}

fn run(command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Help(text) => print(text),
        Command::Version => print(&format!("qmp-events {}\n", env!("CARGO_PKG_VERSION"))),
        Command::Validate(args) => validate::run(&args),
        Command::Watch(args) => watch::run(&args),
        Command::Diff(args) => diff::run(&args),
    }
}

fn main() -> ExitCode {
    let command = match arguments().and_then(args::parse) {
        Ok(command) => command,
        Err(usage) => {
            note!("qmp-events: {usage}");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(CliError { message: None }) => ExitCode::SUCCESS,
        Err(CliError {
            message: Some(message),
        }) => {
            note!("qmp-events: {message}");
            ExitCode::from(2)
        }
    }
}
