//! `cargo xtask ir [--spec FILE]`: the IR of a spec as pretty JSON, read by the front end its
//! content calls for (a QAPI schema or the legacy events document).
//!
//! The IR goes to stdout; warnings, errors and I/O failures go to stderr, rendered as the
//! parser's diagnostics render themselves.

use crate::{EXIT_USAGE, option_value, print_stdout};
use qmp_codegen::spec::{LoadError, load};
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
    match load(&options.spec) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                note!("{warning}\n");
            }
            match serde_json::to_string_pretty(&loaded.spec) {
                Ok(json) => print_stdout(&json),
                Err(error) => {
                    note!("error: cannot serialize the IR: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(LoadError::Io(error)) => {
            note!("error: cannot read {name}: {error}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(LoadError::Spec(diagnostics)) => {
            for diagnostic in &diagnostics {
                note!("{diagnostic}\n");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            note!("error: {name}: {errors} error(s)");
            ExitCode::FAILURE
        }
    }
}
