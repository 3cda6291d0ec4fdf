//! Reading a QAPI schema (parse + check + lowering to the IR, `qmp_qapi::read`) against QEMU's
//! own Python generator (`QAPISchema(path)`: parse + check) on the same files, in one run:
//! - the vendored QEMU 10.0.2 schema (43 files, about 740 KB);
//! - synthetic schemas of 100, 1,000 and 10,000 units ([`qmp_bench::synthetic_qapi`]), to show
//!   that the cost grows linearly with size.
//!
//! Python's figure is the fastest of several in-process runs (interpreter start-up and imports
//! excluded), measured by `python3` on the vendored generator right before criterion runs ours.

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn real_schema() -> PathBuf {
    repo().join("vendor/qemu-10.0.2/qapi/qapi-schema.json")
}

/// The fastest of `runs` in-process `QAPISchema(path)` calls of QEMU's generator.
fn python_seconds(path: &Path, runs: usize) -> Option<f64> {
    let script = format!(
        "import sys, time\n\
         sys.path.insert(0, {scripts:?})\n\
         sys.dont_write_bytecode = True\n\
         from qapi.schema import QAPISchema\n\
         best = min((lambda t: (QAPISchema({path:?}), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range({runs}))\n\
         print(best)\n",
        scripts = repo()
            .join("vendor/qemu-10.0.2/scripts")
            .display()
            .to_string(),
        path = path.display().to_string(),
    );
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "python3 failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// Our fastest of `runs` reads of `path` from disk.
fn ours_seconds(path: &Path, runs: usize) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let parsed = qmp_qapi::read(black_box(path)).expect("the schema reads");
            black_box(parsed);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// A synthetic schema held in memory as one file.
fn read_in_memory(name: &str, text: &str) -> qmp_qapi::Parsed {
    let files: HashMap<PathBuf, &str> = [(PathBuf::from(name), text)].into();
    qmp_qapi::read_with(Path::new(name), &mut |p| {
        files
            .get(p)
            .map(|t| t.to_string())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    })
    .expect("the synthetic schema reads")
}

fn benches(c: &mut Criterion) {
    let real = real_schema();
    let sizes = [100usize, 1_000, 10_000];
    let synthetic: Vec<(usize, String)> = sizes
        .iter()
        .map(|&n| (n, qmp_bench::synthetic_qapi::schema(n)))
        .collect();

    // Side by side, in one run: the fastest of several runs of each.
    let dir = std::env::temp_dir().join(format!("qmp-bench-qapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let real_bytes = std::fs::read_dir(real.parent().expect("a directory"))
        .expect("the schema directory")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len() as usize)
        .sum();
    let mut rows = vec![("qemu-10.0.2".to_owned(), real.clone(), real_bytes)];
    for (n, text) in &synthetic {
        let path = dir.join(format!("synthetic-{n}.json"));
        std::fs::write(&path, text).expect("the synthetic schema is written");
        rows.push((format!("synthetic x{n}"), path, text.len()));
    }
    eprintln!("\nreading a QAPI schema, fastest run (parse + check; ours also lowers to the IR):");
    eprintln!(
        "{:<18} {:>10} {:>12} {:>12} {:>8}",
        "schema", "bytes", "python", "ours", "ratio"
    );
    for (id, path, bytes) in &rows {
        let runs = if bytes / 1_000_000 > 5 { 2 } else { 5 };
        let ours = ours_seconds(path, runs);
        // Python on the largest input would take most of a minute per run.
        let python = if *bytes < 5_000_000 {
            python_seconds(path, runs)
        } else {
            None
        };
        let (python_text, ratio) = match python {
            Some(p) => (format!("{:.1} ms", p * 1e3), format!("{:.0}x", p / ours)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        eprintln!(
            "{id:<18} {bytes:>10} {python_text:>12} {:>9.2} ms {ratio:>8}",
            ours * 1e3
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    let mut group = c.benchmark_group("qapi_read");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("qemu-10.0.2", |b| {
        b.iter(|| qmp_qapi::read(black_box(&real)).expect("the schema reads"))
    });
    for (n, text) in &synthetic {
        if *n >= 10_000 {
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("synthetic", n), text, |b, text| {
            b.iter(|| read_in_memory("synthetic.json", black_box(text)))
        });
    }
    group.finish();
}

criterion_group!(qapi, benches);

fn main() {
    qapi();
    Criterion::default().configure_from_args().final_summary();
}
