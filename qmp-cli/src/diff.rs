//! `qmp-events diff OLD NEW`: two specs of any kind, compared as wire shapes.

use crate::args::DiffArgs;
use crate::format::one_line;
use crate::specs::wire_spec;
use crate::{CliError, Outcome};
use serde::Serialize;
use std::io::{self, Write};

/// One difference as a `--json` line.
#[derive(Serialize)]
struct JsonDifference<'a> {
    #[serde(flatten)]
    difference: &'a qmp_wire::Difference,
    line: String,
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> Result<Outcome, CliError> {
    let old = wire_spec(&args.old, &args.cfg)?;
    let new = wire_spec(&args.new, &args.cfg)?;
    let differences = qmp_wire::diff(&old, &new);
    let mut out = io::BufWriter::new(io::stdout().lock());
    for difference in &differences {
        let line = one_line(&difference.to_string());
        if args.json {
            serde_json::to_writer(&mut out, &JsonDifference { difference, line })
                .map_err(|e| CliError::output(e.into()))?;
            out.write_all(b"\n").map_err(CliError::output)?;
        } else {
            writeln!(out, "{line}").map_err(CliError::output)?;
        }
    }
    out.flush().map_err(CliError::output)?;
    if differences.is_empty() {
        Ok(Outcome::Success)
    } else {
        Ok(Outcome::Findings)
    }
}
