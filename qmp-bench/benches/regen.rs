//! Regeneration cost, in process: parse + IR + plan/codegen + prettyplease format
//! ([`qmp_codegen::render_checked_in`], what `cargo xtask regen` does), for the seed document,
//! the 2015-07 document, and synthetic documents 10 and 100 times the size of the latter
//! ([`qmp_bench::synthetic::scaled`]), to show how the cost grows with size.
//!
//! The stages are also measured one by one on the 2015-07 document (`stages/*`), to show where
//! the time goes.

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use qmp_bench::corpus::{QEMU_2015_07_SPEC, QEMU_2015_07_SPEC_NAME, SEED_SPEC, SEED_SPEC_NAME};
use qmp_bench::synthetic;
use std::hint::black_box;

fn regen(name: &str, text: &str) -> usize {
    let (file, warnings) = qmp_codegen::render_checked_in(name, text).expect("document generates");
    file.len() + warnings.len()
}

/// The 2015-07 document repeated 10 and 100 times.
fn scaled() -> (String, String) {
    (
        synthetic::scaled(QEMU_2015_07_SPEC, 10),
        synthetic::scaled(QEMU_2015_07_SPEC, 100),
    )
}

/// The documents regenerated, as (id, file name, text).
fn documents<'a>(x10: &'a str, x100: &'a str) -> [(&'static str, &'static str, &'a str); 4] {
    [
        ("seed", SEED_SPEC_NAME, SEED_SPEC),
        ("2015-07", QEMU_2015_07_SPEC_NAME, QEMU_2015_07_SPEC),
        ("2015-07x10", "2015-07x10.txt", x10),
        ("2015-07x100", "2015-07x100.txt", x100),
    ]
}

fn benches(c: &mut Criterion) {
    let (x10, x100) = scaled();
    let docs = documents(&x10, &x100);
    for (id, name, text) in docs {
        let (file, warnings) = qmp_codegen::render_checked_in(name, text).expect("generates");
        eprintln!(
            "{id}: {} events, {} bytes, {} lines of spec -> {} bytes of Rust, {} warnings",
            qmp_spec::read(name, text)
                .expect("parses")
                .spec
                .events
                .len(),
            text.len(),
            text.lines().count(),
            file.len(),
            warnings.len()
        );
    }

    let mut group = c.benchmark_group("regen");
    for (id, name, text) in docs {
        if id == "2015-07x100" {
            // One run takes long: the fewest samples criterion accepts, one run each.
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(id),
            &(name, text),
            |b, &(n, t)| b.iter(|| regen(black_box(n), black_box(t))),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("stages");
    let parsed = qmp_spec::read(QEMU_2015_07_SPEC_NAME, QEMU_2015_07_SPEC).expect("parses");
    let config = qmp_codegen::Config::default().with_doctest_crate("qmp_events");
    let tokens = qmp_codegen::generate(&parsed.spec, &config);
    group.bench_function("parse", |b| {
        b.iter(|| {
            qmp_spec::read(
                black_box(QEMU_2015_07_SPEC_NAME),
                black_box(QEMU_2015_07_SPEC),
            )
        })
    });
    group.bench_function("plan", |b| {
        b.iter(|| qmp_codegen::plan::plan(black_box(&parsed.spec)))
    });
    group.bench_function("generate", |b| {
        b.iter(|| qmp_codegen::generate(black_box(&parsed.spec), &config))
    });
    group.bench_function("render", |b| {
        b.iter_batched(
            || tokens.clone(),
            |tokens| qmp_codegen::render_file(tokens, "header"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The interleaved run (`QMP_BENCH_ROUNDS=N`): each document regenerated once per round, then
/// the minimum and median of each, and their ratios to the 2015-07 document, so that a slow
/// spell on a shared machine cannot land on one size only.
fn interleaved(rounds: usize) {
    let (x10, x100) = scaled();
    let docs = documents(&x10, &x100);
    let mut times = vec![Vec::new(); docs.len()];
    for _ in 0..rounds {
        for (i, (_, name, text)) in docs.iter().enumerate() {
            let start = std::time::Instant::now();
            black_box(regen(name, text));
            times[i].push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    for t in &mut times {
        t.sort_by(f64::total_cmp);
    }
    let (base_min, base_median) = (times[1][0], times[1][rounds / 2]);
    println!(
        "{rounds} interleaved rounds; ms per regeneration; ratio to 2015-07 of medians (of minimums)"
    );
    println!("| document | min ms | median ms | vs 2015-07 |");
    println!("|---|---|---|---|");
    for ((id, _, _), t) in docs.iter().zip(&times) {
        let (min, median) = (t[0], t[rounds / 2]);
        println!(
            "| {id} | {min:.1} | {median:.1} | {:.1}x ({:.1}x) |",
            median / base_median,
            min / base_min
        );
    }
}

criterion_group!(regen_benches, benches);

fn main() {
    // `QMP_BENCH_ROUNDS=5 cargo bench -p qmp-bench --bench regen`: the interleaved run.
    if let Some(rounds) = qmp_bench::interleaved_rounds() {
        interleaved(rounds);
        return;
    }
    regen_benches();
    Criterion::default().configure_from_args().final_summary();
}
