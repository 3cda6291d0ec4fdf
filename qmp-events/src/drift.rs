//! The typed side of validation: walking a decoded value for drift (unknown members, values
//! outside a documented set), reported exactly as [`Event::validate`](crate::Event::validate) reports them on the raw JSON.

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

impl<T: Drift> Drift for Vec<T> {
    fn drift(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        for (i, item) in self.iter().enumerate() {
            let index = i.to_string();
            item.drift(&path.join(&index), out);
        }
    }
}

/// Values that carry no drift of their own: builtins, and JSON kept as it came (a member that
/// takes any JSON has nothing unknown in it).
macro_rules! no_drift {
    ($($ty:ty),*) => {$(
        impl Drift for $ty {
            #[inline]
            fn drift(&self, _: &Path<'_>, _: &mut Vec<Violation>) {}
        }
    )*};
}

no_drift!(
    bool, i8, i16, i32, i64, u8, u16, u32, u64, String, serde_json::Number, Value,
    Map<String, Value>
);

/// Reports each member the spec does not describe.
pub fn report_extra(extra: &Map<String, Value>, path: &Path<'_>, out: &mut Vec<Violation>) {
    for key in extra.keys() {
        path.report(out, ViolationKind::UnknownField { name: key.clone() });
    }
}
