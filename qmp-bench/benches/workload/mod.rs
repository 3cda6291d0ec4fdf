//! The untyped workloads that the `decode` and `live` benches both measure against the typed
//! decoders, written once: each reads every line and returns a count, so that the work cannot be
//! optimized away.

use serde::de::IgnoredAny;
use serde_json::Value;
use std::hint::black_box;

/// Each line parsed into a `serde_json::Value`: the untyped baseline.
#[inline(never)]
pub fn value(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let v: Value = serde_json::from_str(line).expect("valid JSON");
        n += usize::from(v.get("timestamp").is_some());
        black_box(v);
    }
    n
}

/// Each line skipped as `IgnoredAny`: the floor of any serde_json decoder.
#[inline(never)]
pub fn ignored(lines: &[&str]) -> usize {
    for line in lines {
        let v: IgnoredAny = serde_json::from_str(line).expect("valid JSON");
        black_box(v);
    }
    lines.len()
}

/// The crate's own reader, scanning only (no value is built): its cost against the floor's.
#[inline(never)]
pub fn own_reader_scan(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        n += usize::from(qmp_events::__private::scan(line));
    }
    n
}

/// Each line decoded as `qapi_qmp::Event`: the other typed decoder (lines it covers only).
#[inline(never)]
pub fn qapi(lines: &[&str]) -> usize {
    for line in lines {
        let e: qapi_qmp::Event = serde_json::from_str(line).expect("a line qapi-qmp covers");
        black_box(e);
    }
    lines.len()
}
