//! The semantic checks of QEMU's QAPI generator, so that a schema QEMU rejects is rejected here
//! too, and at the same definition.
//!
//! Two phases, as in QEMU: [`expr`] checks each expression by itself (keys, shapes, names,
//! conditions, features, flags) and turns it into a sugar-free [`model::Def`]; [`schema`] then
//! checks the definitions against each other (unknown and misused types, duplicates, base
//! cycles, member clashes, union discriminators, alternate branches, the feature limit) and the
//! doc comments against what they document.
//!
//! Unlike QEMU, which stops at the first problem, every problem is collected: an expression
//! stops at its first problem, the others go on, and whatever depends on something already
//! reported is not reported again. The first error is the one QEMU reports.
//!
//! Policy: problems that change what goes over the wire are errors; a doc comment that does not
//! agree with its definition (undocumented or unknown members, a doc comment for another
//! symbol, sections only commands may have, a missing doc under `doc-required`) is a warning,
//! so that older schemas that QEMU 10 would reject for their docs still read.
//!
//! QEMU blames a definition (its line); a diagnostic here points at the offending part and
//! names the definition in its first note, `in struct `Foo` defined at file.json:12`.

pub(crate) mod expr;
pub(crate) mod model;
pub(crate) mod names;
mod schema;

use crate::ast::{ParsedSchema, SourceMap};
use model::{Def, Meta};
use qmp_ir::{Diagnostic, Span};
use std::collections::HashSet;

/// A schema that passed the checks: its definitions, in order, for the lowering, and the
/// warnings.
#[derive(Debug)]
pub(crate) struct Checked<'s> {
    pub defs: Vec<Def<'s>>,
    pub warnings: Vec<Diagnostic>,
}

/// Checks a parsed schema: its definitions and the warnings, or every error (the first being
/// QEMU's first) followed by the warnings.
pub(crate) fn check(schema: &ParsedSchema) -> Result<Checked<'_>, Vec<Diagnostic>> {
    let mut warnings = schema.warnings.clone();
    let mut errors = Vec::new();
    let mut defs = Vec::with_capacity(schema.exprs.len());
    let mut failed = HashSet::new();
    for expr in &schema.exprs {
        match expr::read_def(schema, expr, &mut warnings) {
            Ok(def) => defs.push(def),
            Err(error) => {
                errors.push(*error);
                failed.extend(expr::defined_name(expr));
            }
        }
    }
    schema::check(schema, &defs, &failed, &mut errors, &mut warnings);
    if errors.is_empty() {
        Ok(Checked { defs, warnings })
    } else {
        errors.extend(warnings);
        Err(errors)
    }
}

/// The note that names the definition a diagnostic is about, with QEMU's location for it (the
/// line where its expression starts).
pub(crate) fn definition_note(map: &SourceMap, meta: Meta, name: &str, at: Span) -> String {
    let path = map
        .files
        .get(at.file.0 as usize)
        .map_or("", |f| f.path.as_str());
    format!(
        "in {} `{name}` defined at {path}:{}",
        meta.keyword(),
        at.line
    )
}

#[cfg(test)]
mod tests;
