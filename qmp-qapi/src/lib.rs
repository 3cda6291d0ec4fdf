//! Reads a QEMU QAPI schema (`qapi/qapi-schema.json` and the files it includes, doc comments
//! included) into the [`qmp_ir`] IR.
//!
//! ```text
//! files --pest--> values + doc comments (parser) --check--> diagnostics --lower--> qmp_ir::Spec
//! ```
//!
//! [`read`] reads from disk; [`read_with`] takes a loader, for schemas held in memory. Errors and
//! warnings are [`Diagnostic`] values in the rustc style, with `file:line:col` and the chain of
//! includes; the library never prints and never panics. Problems that change what goes over the
//! wire are errors; doc-comment layout problems are warnings.

mod ast;
mod check;
mod doc;
mod lower;
mod parser;

pub use qmp_ir::{Diagnostic, Severity};
use std::path::{Path, PathBuf};

/// The result of reading a schema: the IR, the warnings, and every file read.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The schema as IR.
    pub spec: qmp_ir::Spec,
    /// Flaws that were worked around (doc-comment layout problems).
    pub warnings: Vec<Diagnostic>,
    /// Every file read, the main one first (for `cargo:rerun-if-changed`).
    pub files: Vec<PathBuf>,
}

/// Reads the schema whose main file is `path`, following its `include`s on disk. A file that is
/// not UTF-8 is an error at its first invalid byte.
pub fn read(path: &Path) -> Result<Parsed, Vec<Diagnostic>> {
    read_with(path, &mut |p| qmp_ir::read_text(p))
}

/// Reads the schema whose main file is `path`, asking `load` for the text of each file
/// (the main one and every include, each at most once). A load error holding a
/// [`qmp_ir::InvalidUtf8`] (as [`qmp_ir::read_text`] makes) is reported at that position.
pub fn read_with(
    path: &Path,
    load: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let schema = parser::parse(path, load)?;
    let check::Checked { defs, warnings } = check::check(&schema)?;
    let spec = lower::lower(&schema, &defs);
    let files = schema
        .map
        .files
        .iter()
        .map(|f| PathBuf::from(&f.path))
        .collect();
    Ok(Parsed {
        spec,
        warnings,
        files,
    })
}

/// Whether `text` looks like a QAPI schema file rather than the legacy events document: its
/// first significant character (after blank lines and `#` comments) is `{`.
pub fn looks_like_qapi(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('{'))
}

/// The crate README's example, compiled as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
