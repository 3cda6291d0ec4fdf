//! Real traffic: decode throughput on the event lines real QEMU 10.0.2 sent in the live tests
//! ([`qmp_bench::corpus::live_qemu_10_0`]: 116 lines, 40 distinct events, timestamps and key
//! orders as QEMU wrote them), into `qmp_events::qemu_10_0` (every event of QEMU 10.0.2, typed
//! from its QAPI schema), against untyped JSON (`serde_json::Value`), the scan-only floor
//! (`serde::de::IgnoredAny`) and `qapi-qmp`'s typed `Event`, all in the same run.
//!
//! One group, `live`, with `Throughput::Bytes` of its input. `qapi_qmp::Event` (its schema is
//! QEMU 9.1's) decodes every one of these lines, so all contenders run on the same input; the
//! bench checks this and panics otherwise.
//!
//! One iteration decodes every line once. `QMP_BENCH_ROUNDS=300 cargo bench -p
//! qmp-bench --bench live` is the interleaved run (see `decode.rs`). Before measuring, the bench
//! checks that every line is read whole by the crate's own reader and decodes as a known
//! `qemu_10_0` event without a violation, and panics otherwise.
//!
//! The workloads are `#[inline(never)]` so that a profiler can single them out, e.g.
//! `BENCH=live GROUP=live scripts/count-instructions.sh parsed`.

mod workload;

use criterion::{Criterion, Throughput, criterion_group};
use qmp_events::Message;
use qmp_events::qemu_10_0::Event;
use std::hint::black_box;
use workload::{ignored, own_reader_scan, qapi, value};

/// `line.parse::<Message<qemu_10_0::Event>>()`: the crate's own reader, serde_json as fallback.
#[inline(never)]
fn parsed(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message<Event> = line.parse().expect("every object decodes");
        n += usize::from(msg.timestamp.is_some());
        black_box(msg);
    }
    n
}

/// `serde_json::from_str::<Message<qemu_10_0::Event>>`: the same `Deserialize` impl.
#[inline(never)]
fn typed(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message<Event> = serde_json::from_str(line).expect("every object decodes");
        n += usize::from(msg.timestamp.is_some());
        black_box(msg);
    }
    n
}

fn bytes(lines: &[&str]) -> u64 {
    lines.iter().map(|l| l.len() as u64).sum()
}

/// The input, checked first: every line must be read whole by the crate's own reader (`scan`),
/// decode through `str::parse` as a known event without a violation, exactly as
/// `serde_json::from_str` decodes it, and decode as a `qapi_qmp::Event`.
fn inputs() -> Vec<&'static str> {
    let lines = qmp_bench::corpus::live_qemu_10_0();
    let mut kinds = std::collections::BTreeSet::new();
    for line in &lines {
        assert!(
            qmp_events::__private::scan(line),
            "falls off the own reader: {line}"
        );
        let msg: Message<Event> = line.parse().expect("every object decodes");
        match &msg.event {
            Event::Unknown(_) | Event::Mismatched(_) | Event::Absent => {
                panic!("not typed: {line}: {:?}", msg.event)
            }
            event => {
                kinds.insert(event.kind().expect("a known event"));
            }
        }
        assert!(
            msg.violations().is_empty(),
            "{line}: {:?}",
            msg.violations()
        );
        let again: Message<Event> = serde_json::from_str(line).expect("every object decodes");
        assert_eq!(msg, again, "str::parse and serde_json differ on {line}");
        if let Err(e) = serde_json::from_str::<qapi_qmp::Event>(line) {
            panic!("qapi_qmp::Event does not decode {line}: {e}; compare on a subset");
        }
    }
    eprintln!(
        "live: {} lines, {} bytes, {} distinct events; every line read whole by the own reader, \
         typed without violations, and decoded by qapi_qmp::Event",
        lines.len(),
        bytes(&lines),
        kinds.len()
    );
    lines
}

fn benches(c: &mut Criterion) {
    let lines = inputs();
    let mut group = c.benchmark_group("live");
    group.throughput(Throughput::Bytes(bytes(&lines)));
    group.bench_function("parsed", |b| b.iter(|| parsed(black_box(&lines))));
    group.bench_function("typed", |b| b.iter(|| typed(black_box(&lines))));
    group.bench_function("value", |b| b.iter(|| value(black_box(&lines))));
    group.bench_function("ignored_any", |b| b.iter(|| ignored(black_box(&lines))));
    group.bench_function("own_reader_scan", |b| {
        b.iter(|| own_reader_scan(black_box(&lines)))
    });
    group.bench_function("qapi_qmp", |b| b.iter(|| qapi(black_box(&lines))));
    group.finish();
}

/// The interleaved run, as in `decode.rs`: every workload once per round, in a rotating order;
/// then the minimum and the median time of one pass of each. A pass over 116 lines is short
/// (tens of microseconds), so each timed sample is `REPEAT` passes.
fn interleaved(rounds: usize) {
    const REPEAT: usize = 20;
    let lines = inputs();
    let workloads: Vec<workload::Workload> = vec![
        ("live/parsed", Box::new(|| parsed(black_box(&lines)))),
        ("live/typed", Box::new(|| typed(black_box(&lines)))),
        ("live/value", Box::new(|| value(black_box(&lines)))),
        ("live/ignored_any", Box::new(|| ignored(black_box(&lines)))),
        (
            "live/own_reader_scan",
            Box::new(|| own_reader_scan(black_box(&lines))),
        ),
        ("live/qapi_qmp", Box::new(|| qapi(black_box(&lines)))),
    ];
    workload::interleaved(&workloads, rounds, REPEAT, workload::Unit::Micros);
}

criterion_group!(live, benches);

fn main() {
    // `QMP_BENCH_ROUNDS=300 cargo bench -p qmp-bench --bench live`: the interleaved run.
    if let Some(rounds) = qmp_bench::interleaved_rounds() {
        interleaved(rounds);
        return;
    }
    live();
    Criterion::default().configure_from_args().final_summary();
}
