//! `cargo xtask ir [--spec FILE]`: the IR of an events document as pretty JSON.
//!
//! The IR goes to stdout; warnings, errors and I/O failures go to stderr, rendered as the
//! parser's diagnostics render themselves.

use crate::{EXIT_USAGE, option_value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `ir`.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    /// The document to read.
    pub(crate) spec: PathBuf,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
        let mut spec = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if let Some(value) = option_value("--spec", arg, &mut rest)? {
                spec = Some(PathBuf::from(value));
            } else {
                return Err(format!("unexpected argument `{arg}` for `ir`"));
            }
        }
        Ok(Options {
            spec: spec.unwrap_or_else(qmp_spec::default_spec_path),
        })
    }
}

pub(crate) fn run(options: &Options) -> ExitCode {
    let name = options.spec.display().to_string();
    let text = match std::fs::read_to_string(&options.spec) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {name}: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match qmp_spec::parse(&name, &text) {
        Ok(parsed) => {
            for warning in &parsed.warnings {
                eprintln!("{warning}\n");
            }
            match serde_json::to_string_pretty(&parsed.spec) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: cannot serialize the IR: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("{diagnostic}\n");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("error: {name}: {errors} error(s)");
            ExitCode::FAILURE
        }
    }
}
