//! Decode, validation and serialization throughput of `qmp_events::Message` against untyped JSON
//! (`serde_json::Value`), the scan-only floor (`serde::de::IgnoredAny`) and `qapi-qmp`'s typed
//! `Event`, all on the same corpus ([`qmp_bench::corpus::corpus`]) in the same run.
//!
//! Two groups, each with `Throughput::Bytes` of its input:
//!
//! - `corpus`: every line of the corpus;
//! - `qapi-subset`: only the lines `qapi_qmp::Event` decodes (it needs a `timestamp`, every member
//!   its newer schema requires, and events it knows), with the same contenders so that the
//!   comparison with qapi-qmp is on equal input.
//!
//! One iteration decodes every line of its group once; divide by the line count (printed at the
//! start) for the time per message.
//!
//! The workloads are `#[inline(never)]` so that a profiler can single them out, e.g.
//! `valgrind --tool=callgrind --toggle-collect='decode::typed' <bench binary> --test corpus/typed`.

mod workload;

use criterion::{Criterion, Throughput, criterion_group};
use qmp_events::{Event, Message};
use serde_json::Value;
use std::hint::black_box;
use workload::{ignored, own_reader_scan, qapi, value};

#[inline(never)]
fn typed(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message = serde_json::from_str(line).expect("every object decodes");
        n += usize::from(msg.timestamp.is_some());
        black_box(msg);
    }
    n
}

/// `line.parse::<Message>()`: the crate's own reader, with serde_json as the fallback.
#[inline(never)]
fn parsed(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message = line.parse().expect("every object decodes");
        n += usize::from(msg.timestamp.is_some());
        black_box(msg);
    }
    n
}

#[inline(never)]
fn parsed_and_violations(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message = line.parse().expect("every object decodes");
        n += msg.violations().len();
        black_box(msg);
    }
    n
}

#[inline(never)]
fn typed_and_violations(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let msg: Message = serde_json::from_str(line).expect("every object decodes");
        n += msg.violations().len();
        black_box(msg);
    }
    n
}

#[inline(never)]
fn value_and_schema(lines: &[&str]) -> usize {
    let mut n = 0;
    for line in lines {
        let v: Value = serde_json::from_str(line).expect("valid JSON");
        n += qmp_events::Event::validate(&v).len();
        black_box(v);
    }
    n
}

#[inline(never)]
fn serialize(messages: &[Message]) -> usize {
    let mut n = 0;
    for msg in messages {
        let s = serde_json::to_string(msg).expect("serializes");
        n += s.len();
        black_box(s);
    }
    n
}

fn bytes(lines: &[&str]) -> u64 {
    lines.iter().map(|l| l.len() as u64).sum()
}

/// Prints what the corpus is made of, so that BENCHMARKS.md can give per-message figures.
fn describe(lines: &[&str], messages: &[Message], qapi_lines: &[&str]) {
    let (mut known, mut unknown, mut mismatched, mut with_extra, mut clean) = (0, 0, 0, 0, 0);
    for msg in messages {
        match &msg.event {
            Event::Unknown(_) => unknown += 1,
            Event::Mismatched(_) => mismatched += 1,
            Event::Absent => {}
            _ => known += 1,
        }
        if !msg.extra.is_empty() {
            with_extra += 1;
        }
        if msg.violations().is_empty() {
            clean += 1;
        }
    }
    let examples = qmp_bench::corpus::examples().len();
    eprintln!(
        "sizes: Message {} bytes, Event {} bytes",
        std::mem::size_of::<Message>(),
        std::mem::size_of::<Event>()
    );
    eprintln!(
        "corpus: {} lines ({} examples + {} generated), {} bytes; typed: {known} known, \
         {unknown} unknown, {mismatched} mismatched, {with_extra} with extra top-level members, \
         {clean} without violations",
        lines.len(),
        examples,
        lines.len() - examples,
        bytes(lines),
    );
    eprintln!(
        "qapi-subset: qapi_qmp::Event decodes {} of {} lines ({} bytes)",
        qapi_lines.len(),
        lines.len(),
        bytes(qapi_lines)
    );
}

fn benches(c: &mut Criterion) {
    let corpus = qmp_bench::corpus::corpus();
    let lines: Vec<&str> = corpus.iter().map(String::as_str).collect();
    let messages: Vec<Message> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("every object decodes"))
        .collect();
    let qapi_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| serde_json::from_str::<qapi_qmp::Event>(l).is_ok())
        .collect();
    describe(&lines, &messages, &qapi_lines);

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes(&lines)));
    group.bench_function("typed", |b| b.iter(|| typed(black_box(&lines))));
    group.bench_function("typed+violations", |b| {
        b.iter(|| typed_and_violations(black_box(&lines)))
    });
    group.bench_function("parsed", |b| b.iter(|| parsed(black_box(&lines))));
    group.bench_function("parsed+violations", |b| {
        b.iter(|| parsed_and_violations(black_box(&lines)))
    });
    group.bench_function("value", |b| b.iter(|| value(black_box(&lines))));
    group.bench_function("value+schema", |b| {
        b.iter(|| value_and_schema(black_box(&lines)))
    });
    group.bench_function("ignored_any", |b| b.iter(|| ignored(black_box(&lines))));
    // Serialization: throughput is counted in bytes of the input lines, for comparability.
    group.bench_function("serialize", |b| b.iter(|| serialize(black_box(&messages))));
    group.finish();

    let mut group = c.benchmark_group("qapi-subset");
    group.throughput(Throughput::Bytes(bytes(&qapi_lines)));
    group.bench_function("typed", |b| b.iter(|| typed(black_box(&qapi_lines))));
    group.bench_function("parsed", |b| b.iter(|| parsed(black_box(&qapi_lines))));
    group.bench_function("value", |b| b.iter(|| value(black_box(&qapi_lines))));
    group.bench_function("ignored_any", |b| {
        b.iter(|| ignored(black_box(&qapi_lines)))
    });
    group.bench_function("qapi_qmp", |b| b.iter(|| qapi(black_box(&qapi_lines))));
    group.finish();
}

/// The interleaved run: every workload once per round, in a rotating order, for `rounds`
/// rounds; then the minimum and the median time of one pass of each. On a shared machine a
/// slow spell hits every workload alike instead of the one criterion happens to be measuring,
/// and the minimum is the pass least disturbed by others.
fn interleaved(rounds: usize) {
    let corpus = qmp_bench::corpus::corpus();
    let lines: Vec<&str> = corpus.iter().map(String::as_str).collect();
    let messages: Vec<Message> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("every object decodes"))
        .collect();
    let qapi_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| serde_json::from_str::<qapi_qmp::Event>(l).is_ok())
        .collect();
    describe(&lines, &messages, &qapi_lines);
    let workloads: Vec<workload::Workload> = vec![
        ("corpus/parsed", Box::new(|| parsed(black_box(&lines)))),
        (
            "corpus/parsed+violations",
            Box::new(|| parsed_and_violations(black_box(&lines))),
        ),
        ("corpus/typed", Box::new(|| typed(black_box(&lines)))),
        (
            "corpus/typed+violations",
            Box::new(|| typed_and_violations(black_box(&lines))),
        ),
        ("corpus/value", Box::new(|| value(black_box(&lines)))),
        (
            "corpus/value+schema",
            Box::new(|| value_and_schema(black_box(&lines))),
        ),
        (
            "corpus/ignored_any",
            Box::new(|| ignored(black_box(&lines))),
        ),
        (
            "corpus/own_reader_scan",
            Box::new(|| own_reader_scan(black_box(&lines))),
        ),
        (
            "corpus/serialize",
            Box::new(|| serialize(black_box(&messages))),
        ),
        (
            "qapi-subset/parsed",
            Box::new(|| parsed(black_box(&qapi_lines))),
        ),
        (
            "qapi-subset/typed",
            Box::new(|| typed(black_box(&qapi_lines))),
        ),
        (
            "qapi-subset/value",
            Box::new(|| value(black_box(&qapi_lines))),
        ),
        (
            "qapi-subset/ignored_any",
            Box::new(|| ignored(black_box(&qapi_lines))),
        ),
        (
            "qapi-subset/own_reader_scan",
            Box::new(|| own_reader_scan(black_box(&qapi_lines))),
        ),
        (
            "qapi-subset/qapi_qmp",
            Box::new(|| qapi(black_box(&qapi_lines))),
        ),
    ];
    workload::interleaved(&workloads, rounds, 1, workload::Unit::Millis);
}

criterion_group!(decode, benches);

fn main() {
    // `QMP_BENCH_ROUNDS=200 cargo bench -p qmp-bench --bench decode`: the interleaved run.
    if let Some(rounds) = qmp_bench::interleaved_rounds() {
        interleaved(rounds);
        return;
    }
    decode();
    Criterion::default().configure_from_args().final_summary();
}
