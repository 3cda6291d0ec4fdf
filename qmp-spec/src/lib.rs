//! Reads the QEMU Machine Protocol events document into a plain [IR](ir).
//!
//! ```text
//! spec text --pest--> pairs --lower--> ir::Spec (+ warnings) or errors
//! ```
//!
//! [`parse`] is the one entry point. Errors and warnings are [`Diagnostic`] values that carry
//! `file:line:col`, the source line and what was expected; the library never prints.

pub mod diagnostic;
pub mod ir;

pub use diagnostic::{Diagnostic, Severity};
pub use ir::Spec;

/// The path of the default spec, the copy of the events document this repository generates from.
pub fn default_spec_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/qmp-events.txt")
}
