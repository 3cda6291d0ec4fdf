//! The typed side of validation: walking a decoded value for drift (unknown members, values
//! outside a documented set), reported exactly as the schema interpreter would report them.

use qmp_schema::{Path, Violation, ViolationKind};
use serde_json::{Map, Value};

/// Implemented by generated types: appends the drift found in `self`, at `path`.
pub trait Drift {
    /// Appends the violations of this value, found at `path`.
    fn drift(&self, path: &Path<'_>, out: &mut Vec<Violation>);
}

impl<T: Drift> Drift for Option<T> {
    fn drift(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        if let Some(value) = self {
            value.drift(path, out);
        }
    }
}

impl<T: Drift + ?Sized> Drift for Box<T> {
    fn drift(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        (**self).drift(path, out);
    }
}

/// Reports each member the spec does not describe.
pub fn report_extra(extra: &Map<String, Value>, path: &Path<'_>, out: &mut Vec<Violation>) {
    for key in extra.keys() {
        path.report(out, ViolationKind::UnknownField { name: key.clone() });
    }
}
