//! Hostile-size legacy documents at 1x, 10x and 100x, so that how the cost grows is visible (it
//! should grow tenfold per step: linear time):
//! - `values`: one member whose annotation lists 1,600 / 16,000 / 160,000 values;
//! - `optional`: one annotation with 2,000 / 20,000 / 200,000 `, optional` items on one line;
//! - `opaque`: 1,000 / 10,000 / 100,000 events whose data is a named type (`- data: T type as
//!   described in ...`).
//!
//! Each is read into the general IR (`qmp_spec::read`). For `opaque`, `opaque-wire` also times
//! what `qmp-events validate --spec FILE` does with the IR (`qmp_wire::WireSpec::new`), and
//! `opaque-plan` the code generator's type space (`qmp_codegen::plan::plan`), which was quadratic
//! in the number of opaque types (see BENCHMARKS.md).

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use std::hint::black_box;
use std::time::Duration;

fn head(fields: &str) -> String {
    format!("FOO\n---\n\nEmitted.\n\nData:\n\n{fields}")
}

fn values(n: usize) -> String {
    let list: Vec<String> = (0..n).map(|i| format!("\"v{i}\"")).collect();
    head(&format!("- \"a\": x (json-string, {})\n", list.join(", ")))
}

fn optional(n: usize) -> String {
    head(&format!(
        "- \"a\": x (json-string{})\n",
        ", optional".repeat(n)
    ))
}

fn opaque(n: usize) -> String {
    (0..n)
        .map(|i| {
            let name = format!("E{i}");
            format!(
                "{name}\n{}\n\nData:\n\n- data: T{i} type as described in qapi-schema.json\n\n",
                "-".repeat(name.len())
            )
        })
        .collect()
}

/// Makes a document of the given size.
type Generator = fn(usize) -> String;

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile_read");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(3));
    let cases: [(&str, Generator, usize); 3] = [
        ("values", values, 1_600),
        ("optional", optional, 2_000),
        ("opaque", opaque, 1_000),
    ];
    for (name, make, base) in cases {
        for scale in [1, 10, 100] {
            let text = make(base * scale);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, scale), &text, |b, text| {
                b.iter(|| qmp_spec::read("hostile.txt", black_box(text)).expect("reads"))
            });
        }
    }
    for scale in [1, 10, 100] {
        let text = opaque(1_000 * scale);
        let spec = qmp_spec::read("hostile.txt", &text).expect("reads").spec;
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("opaque-wire", scale), &spec, |b, spec| {
            b.iter(|| qmp_wire::WireSpec::new(black_box(spec), &qmp_wire::Conditions::IncludeAll))
        });
        group.bench_with_input(BenchmarkId::new("opaque-plan", scale), &spec, |b, spec| {
            b.iter(|| qmp_codegen::plan::plan(black_box(spec)))
        });
    }
    group.finish();
}

criterion_group!(hostile, benches);

fn main() {
    hostile();
    Criterion::default().configure_from_args().final_summary();
}
