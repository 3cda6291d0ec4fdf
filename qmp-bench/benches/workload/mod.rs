//! What the `decode` and `live` benches share, written once: the untyped workloads they measure
//! the typed decoders against (each reads every line and returns a count, so that the work cannot
//! be optimized away), and the interleaved run that times them all and prints the table.

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

/// A named workload of an interleaved run, returning a count so that its work is kept.
pub type Workload<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

/// The unit an interleaved run reports a pass in. Each bench compiles this module on its own and
/// uses one unit, so the other is unused there.
#[derive(Clone, Copy)]
#[allow(dead_code)]
pub enum Unit {
    /// Microseconds, one decimal.
    Micros,
    /// Milliseconds, three decimals.
    Millis,
}

/// Runs every workload once per round (each pass `repeat` calls), in an order that rotates from
/// round to round so that no workload always runs after the same one, then prints a Markdown
/// table: each workload's minimum and median time per pass, its throughput against its group's
/// `value` workload and its time against its group's `ignored_any` floor (the group is the name up
/// to `/`; ratios of medians, and of minimums in parentheses).
pub fn interleaved(workloads: &[Workload<'_>], rounds: usize, repeat: usize, unit: Unit) {
    let (scale, name, decimals) = match unit {
        Unit::Micros => (1e6, "µs", 1),
        Unit::Millis => (1e3, "ms", 3),
    };
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); workloads.len()];
    for round in 0..rounds {
        for i in 0..workloads.len() {
            let i = (i + round) % workloads.len();
            let start = std::time::Instant::now();
            for _ in 0..repeat {
                black_box((workloads[i].1)());
            }
            times[i].push(start.elapsed().as_secs_f64() * scale / repeat as f64);
        }
    }
    let stats: Vec<(f64, f64)> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            (t[0], t[t.len() / 2])
        })
        .collect();
    let find = |wanted: &str| {
        let i = workloads
            .iter()
            .position(|w| w.0 == wanted)
            .expect("a workload");
        stats[i]
    };
    let passes = if repeat > 1 {
        format!(" of {repeat} passes")
    } else {
        String::new()
    };
    println!(
        "{rounds} interleaved rounds{passes}; {name} per pass; ratios of medians (of minimums)"
    );
    println!(
        "| workload | min {name} | median {name} | vs `Value` (throughput) | vs floor (time) |"
    );
    println!("|---|---|---|---|---|");
    for (w, (min, median)) in workloads.iter().zip(&stats) {
        let group = w.0.split('/').next().unwrap_or_default();
        let (vmin, vmed) = find(&format!("{group}/value"));
        let (fmin, fmed) = find(&format!("{group}/ignored_any"));
        println!(
            "| `{}` | {min:.decimals$} | {median:.decimals$} | {:.2}x ({:.2}x) | {:.2}x ({:.2}x) |",
            w.0,
            vmed / median,
            vmin / min,
            median / fmed,
            min / fmin
        );
    }
}
