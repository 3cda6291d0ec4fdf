//! Reads the QEMU Machine Protocol events document into a plain [IR](ir).
//!
//! ```text
//! spec text --pest--> pairs --lower--> ir::Spec (+ warnings) or errors
//! ```
//!
//! [`parse`] is the one entry point. Errors and warnings are [`Diagnostic`] values that carry
//! `file:line:col`, the source line and what was expected; the library never prints.
//!
//! What the grammar (`src/grammar.pest`) accepts, and which forms of field prose become types,
//! value sets and type references, is documented at the top of `src/grammar.pest` and
//! `src/lower.rs`.

pub use qmp_ir::diagnostic;
mod general;
pub mod ir;
mod lower;
mod parser;
mod source;

pub use diagnostic::{Diagnostic, Severity};
pub use ir::Spec;

/// The result of a successful parse: the IR and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document as IR.
    pub spec: Spec,
    /// Flaws that were worked around (for example an example that is not valid JSON).
    pub warnings: Vec<Diagnostic>,
}

/// Parses an events document.
///
/// `file` is the name used in diagnostics (usually the path as given). On failure the `Err`
/// holds every error found, and the warnings, in document order. Never panics, and takes time
/// linear in the size of the document.
///
/// Lines end in `\n` or `\r\n`; a `\r` that ends no line (old Mac line endings, or `\r\r\n`
/// from a doubled conversion) is an error at the first one. A leading byte-order mark is
/// skipped.
pub fn parse(file: &str, source: &str) -> Result<Parsed, Vec<Diagnostic>> {
    // A byte-order mark is no text an editor shows: skipped, columns count from after it.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let source = source::Source::new(file, source);
    if let Some(error) = source.lone_carriage_return() {
        return Err(vec![error]);
    }
    let mut lowering = lower::Lowering::new(&source);
    parser::parse(&source, |part| lowering.part(part)).map_err(|error| vec![*error])?;
    let (spec, diagnostics) = lowering.finish();
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(Parsed {
            spec,
            warnings: diagnostics,
        })
    }
}

/// [`parse`] for a document given as bytes: bytes that are not UTF-8 are an error at the first
/// invalid byte (`file:line:col`).
pub fn parse_bytes(file: &str, source: &[u8]) -> Result<Parsed, Vec<Diagnostic>> {
    parse(
        file,
        qmp_ir::decode_utf8(file, source).map_err(|e| vec![*e])?,
    )
}

/// A document read into the general IR ([`qmp_ir::Spec`]), which every front end produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// The document as general IR.
    pub spec: qmp_ir::Spec,
    /// Flaws that were worked around (for example an example that is not valid JSON).
    pub warnings: Vec<Diagnostic>,
}

/// Reads an events document into the general IR: [`parse`], then the document model lowered
/// with the legacy document's type guesses recorded (see the `general` module).
pub fn read(file: &str, source: &str) -> Result<Read, Vec<Diagnostic>> {
    let parsed = parse(file, source)?;
    Ok(Read {
        spec: general::into_general(file, parsed.spec),
        warnings: parsed.warnings,
    })
}

/// [`read`] for a document given as bytes: bytes that are not UTF-8 are an error at the first
/// invalid byte (`file:line:col`).
pub fn read_bytes(file: &str, source: &[u8]) -> Result<Read, Vec<Diagnostic>> {
    read(
        file,
        qmp_ir::decode_utf8(file, source).map_err(|e| vec![*e])?,
    )
}

/// The path of the default spec, the copy of the events document this repository generates from.
pub fn default_spec_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/qmp-events.txt")
}
