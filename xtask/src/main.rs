//! `cargo xtask`: project automation.
//!
//! Arguments are parsed by hand (no dependency): the first is the subcommand, the rest its
//! options. Each subcommand lives in its own module with an `Options` type and a `run` function
//! returning the process's exit code. To add one, add a module, a `Command` variant, a `match` arm
//! in [`parse_args`] and [`main`], and a line in [`USAGE`].

/// Like `eprintln!`, but a closed stderr (`cargo xtask regen 2>&1 | head -1`) is no reason to
/// panic: the message is dropped and the command carries on. Defined before the modules, so that
/// they see it.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod fuzz;
mod ir;
mod regen;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  regen [--spec FILE] [--out FILE] [--doctest-crate PATH] [--check]
                     generate qmp-events/src/generated.rs (or FILE) from the spec; doctests reach
                     the types as PATH (default qmp_events); with --check, write nothing and
                     fail when the file is stale
  ir [--spec FILE]   print the IR of a spec (a QAPI schema or the legacy events document, told
                     apart by content) as JSON on stdout, warnings on stderr
                     (FILE defaults to qmp-spec/spec/qmp-events.txt)
  fuzz [--seconds N] [--seed S] [--only messages|specs] [--compile-every K] [--jobs J]
                     fuzz the decoder (random QMP-like messages: every decode path agrees and
                     round trips) and the front ends (mutated vendored specs: no panic, every
                     diagnostic inside the input, valid names, output that parses) for N
                     seconds (default 10, seed 1); --only runs one of the two (default both);
                     the 1st and every Kth accepted spec of each kind (default 500, 0: none)
                     is compiled, 50 at a time, in a scratch crate in TARGET/fuzz-compile
                     (TARGET: $CARGO_TARGET_DIR, else target); failing inputs are saved in
                     TARGET/fuzz-failures; --jobs runs J fuzzers at once (seeds S, S+1, ...;
                     the first compiles samples); exit status 1 on a failure
  help, --help, -h   print this help

exit status: 0 success (possibly with warnings), 1 errors in the document or (regen --check) a stale file,
             2 usage or I/O error";

/// Exit status for a bad command line or an unreadable file.
pub(crate) const EXIT_USAGE: u8 = 2;

/// A parsed command line.
#[derive(Debug, PartialEq)]
enum Command {
    Help,
    Ir(ir::Options),
    Regen(regen::Options),
    Fuzz(fuzz::Options),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Command::Help) => print_stdout(USAGE),
        Ok(Command::Ir(options)) => ir::run(&options),
        Ok(Command::Regen(options)) => regen::run(options),
        Ok(Command::Fuzz(options)) => fuzz::run(&options),
        Err(message) => {
            note!("error: {message}\n\n{USAGE}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command given".to_string());
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "ir" => ir::Options::parse(rest).map(Command::Ir),
        "regen" => regen::Options::parse(rest).map(Command::Regen),
        "fuzz" => fuzz::Options::parse(rest).map(Command::Fuzz),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Writes `text` and a line break to stdout; a reader that went away (`| head`) ends the output
/// quietly, with success, instead of a panic.
pub(crate) fn print_stdout(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            note!("error: cannot write to stdout: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Takes the value of option `name` from `args` (`--name VALUE` or `--name=VALUE`).
pub(crate) fn option_value<'a>(
    name: &str,
    arg: &'a str,
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<Option<&'a str>, String> {
    if arg == name {
        return match rest.next() {
            Some(value) => Ok(Some(value)),
            None => Err(format!("`{name}` needs a value")),
        };
    }
    Ok(arg.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commands_and_options_are_recognised() {
        assert_eq!(parse_args(&args(&["--help"])), Ok(Command::Help));
        assert_eq!(parse_args(&args(&["ir", "-h"])), Ok(Command::Help));
        assert_eq!(
            parse_args(&args(&["ir"])),
            Ok(Command::Ir(ir::Options {
                spec: qmp_spec::default_spec_path()
            }))
        );
        let expected = Ok(Command::Ir(ir::Options {
            spec: PathBuf::from("x.txt"),
        }));
        assert_eq!(parse_args(&args(&["ir", "--spec", "x.txt"])), expected);
        assert_eq!(parse_args(&args(&["ir", "--spec=x.txt"])), expected);
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["frobnicate"])).is_err());
        assert!(parse_args(&args(&["ir", "--spec"])).is_err());
        assert!(parse_args(&args(&["ir", "--bogus"])).is_err());
        assert!(parse_args(&args(&["ir", "extra"])).is_err());
    }
}
