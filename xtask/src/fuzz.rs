//! `cargo xtask fuzz`: structure-aware fuzzing of the decoder and the spec front ends, for a
//! given time (or, from the tests, a given number of rounds), with a seeded generator of its own
//! so that a failure can be replayed with `--seed`.
//!
//! - messages: QMP-like JSON (known and unknown events, odd numbers, escapes, duplicate keys,
//!   deep nesting, wrong types); `str::parse`, `serde_json::from_str` and `Message::from_value`
//!   must agree (as `docs` state: a repeated envelope member is an error, other repeats keep the
//!   last value, which `from_value` never sees), the result must round trip, nothing may panic;
//! - legacy specs: the vendored documents mutated; no panic, every diagnostic inside the input,
//!   and every accepted spec's plan has valid, distinct names and its output parses with syn;
//! - QAPI schemas: a vendored schema file mutated; the same checks.
//!
//! `--only` limits a run to the messages or the specs. The 1st and then every `--compile-every`th
//! accepted spec of each kind is a sample: its generated code is compiled in a scratch crate
//! ([`compile`]). Each failure's input is saved under `<target dir>/fuzz-failures/`.

mod compile;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The default of `--compile-every`.
pub const DEFAULT_COMPILE_EVERY: u64 = 500;

/// Failures kept (and saved) in full; the rest are only counted.
const KEEP_FAILURES: usize = 100;

/// Which inputs a run fuzzes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    /// Messages and specs, interleaved (the default).
    Both,
    /// Messages only (`--only messages`).
    Messages,
    /// Legacy specs and QAPI schemas only (`--only specs`).
    Specs,
}

impl Kinds {
    fn messages(self) -> bool {
        self != Kinds::Specs
    }
    fn specs(self) -> bool {
        self != Kinds::Messages
    }
}

/// Parsed options.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// How long to run.
    pub seconds: u64,
    /// The generator's seed.
    pub seed: u64,
    /// What to fuzz.
    pub kinds: Kinds,
    /// Compile the 1st and then every so many accepted specs of each kind (0: none).
    pub compile_every: u64,
    /// How many fuzzers run at once, each in its own thread with its own seed (`seed`,
    /// `seed + 1`, ...); only the first compiles samples.
    pub jobs: u64,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            seconds: 10,
            seed: 1,
            kinds: Kinds::Both,
            compile_every: DEFAULT_COMPILE_EVERY,
            jobs: 1,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if let Some(v) = crate::option_value("--seconds", arg, &mut rest)? {
                options.seconds = v.parse().map_err(|_| format!("bad --seconds `{v}`"))?;
            } else if let Some(v) = crate::option_value("--seed", arg, &mut rest)? {
                options.seed = v.parse().map_err(|_| format!("bad --seed `{v}`"))?;
            } else if let Some(v) = crate::option_value("--only", arg, &mut rest)? {
                options.kinds = match v {
                    "messages" => Kinds::Messages,
                    "specs" => Kinds::Specs,
                    _ => return Err(format!("bad --only `{v}`: messages or specs")),
                };
            } else if let Some(v) = crate::option_value("--jobs", arg, &mut rest)? {
                options.jobs = match v.parse() {
                    Ok(n) if (1..=64).contains(&n) => n,
                    _ => return Err(format!("bad --jobs `{v}`: 1 to 64")),
                };
            } else if let Some(v) = crate::option_value("--compile-every", arg, &mut rest)? {
                options.compile_every = v
                    .parse()
                    .map_err(|_| format!("bad --compile-every `{v}`"))?;
            } else {
                return Err(format!("unknown option `{arg}`"));
            }
        }
        Ok(options)
    }
}

/// What a run does besides fuzzing with `seed`.
pub struct Settings {
    /// The generator's seed.
    pub seed: u64,
    /// What to fuzz.
    pub kinds: Kinds,
    /// Where each failure's inputs are saved (`None`: nowhere, they stay in the report).
    pub failure_dir: Option<PathBuf>,
    /// The scratch crate sampled accepted specs are compiled in (`None`: no compiling).
    pub compile: Option<compile::Scratch>,
}

/// A failure, and what reproduces it.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub what: String,
    /// The inputs that show it: a file name suffix and the text.
    pub files: Vec<(String, String)>,
    /// Where they were saved.
    pub saved: Vec<PathBuf>,
}

/// Counts and failures of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub messages: u64,
    pub legacy_specs: u64,
    pub legacy_accepted: u64,
    pub qapi_specs: u64,
    pub qapi_accepted: u64,
    /// Samples taken, checked in a finished `cargo check`, and failed to compile.
    pub samples: u64,
    pub samples_checked: u64,
    pub samples_failed: u64,
    /// `cargo check` batches, and the time they took.
    pub batches: u64,
    pub compile_time: Duration,
    /// All failures found; the first `KEEP_FAILURES` are kept.
    pub failure_count: u64,
    pub failures: Vec<Failure>,
    /// Where failures are saved, and the seed that names their files.
    failure_dir: Option<PathBuf>,
    seed: u64,
}

impl Report {
    /// Adds another fuzzer's counts and failures to this report's.
    fn absorb(&mut self, other: Report) {
        self.messages += other.messages;
        self.legacy_specs += other.legacy_specs;
        self.legacy_accepted += other.legacy_accepted;
        self.qapi_specs += other.qapi_specs;
        self.qapi_accepted += other.qapi_accepted;
        self.samples += other.samples;
        self.samples_checked += other.samples_checked;
        self.samples_failed += other.samples_failed;
        self.batches += other.batches;
        self.compile_time += other.compile_time;
        self.failure_count += other.failure_count;
        self.failures.extend(other.failures);
    }

    /// Records a failure, saving its files when the run has a failure directory.
    fn fail(&mut self, what: String, files: Vec<(String, String)>) {
        self.failure_count += 1;
        if self.failures.len() >= KEEP_FAILURES {
            return;
        }
        let mut saved = Vec::new();
        if let Some(dir) = &self.failure_dir {
            for (suffix, text) in &files {
                let path = dir.join(format!(
                    "seed{}-{:03}-{suffix}",
                    self.seed,
                    self.failures.len() + 1
                ));
                match std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text)) {
                    Ok(()) => saved.push(path),
                    Err(e) => note!("warning: cannot save {}: {e}", path.display()),
                }
            }
        }
        self.failures.push(Failure { what, files, saved });
    }
}

/// The target directory: `$CARGO_TARGET_DIR`, else the workspace's `target/`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

pub fn run(options: &Options) -> ExitCode {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    // A panic is a failure to report, not the end of the run: keep its message quiet here.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("FUZZ_PANICS").is_some() {
            default_hook(info);
        }
    }));
    let target = target_dir();
    let compile = (options.compile_every > 0 && options.kinds.specs())
        .then(|| compile::Scratch::new(target.join("fuzz-compile"), options.compile_every));
    let scratch_dir = compile.as_ref().map(|c| c.dir().to_owned());
    let mut compile = compile;
    let settings = |job: u64| Settings {
        seed: options.seed.wrapping_add(job),
        kinds: options.kinds,
        failure_dir: Some(target.join("fuzz-failures")),
        // One scratch crate, compiled by the first fuzzer only.
        compile: if job == 0 { compile.take() } else { None },
    };
    let jobs: Vec<Settings> = (0..options.jobs).map(settings).collect();
    let report = std::thread::scope(|scope| {
        let running: Vec<_> = jobs
            .into_iter()
            .map(|job| scope.spawn(move || fuzz(job, |_| Instant::now() < deadline)))
            .collect();
        let mut report = Report::default();
        for fuzzer in running {
            match fuzzer.join() {
                Ok(one) => report.absorb(one),
                // `fuzz` catches the panics of what it checks; one of its own is a failure too.
                Err(p) => report.fail(format!("a fuzzer panicked: {}", panic_text(&p)), Vec::new()),
            }
        }
        report
    });
    let elapsed = started.elapsed().as_secs_f64();
    let specs = report.legacy_specs + report.qapi_specs;
    let only = match options.kinds {
        Kinds::Both => "",
        Kinds::Messages => " --only messages",
        Kinds::Specs => " --only specs",
    };
    println!(
        "fuzz --seconds {} --seed {}{only} --compile-every {} --jobs {}: {} messages, {} legacy \
         specs ({} accepted), {} QAPI schemas ({} accepted), {} failures",
        options.seconds,
        options.seed,
        options.compile_every,
        options.jobs,
        report.messages,
        report.legacy_specs,
        report.legacy_accepted,
        report.qapi_specs,
        report.qapi_accepted,
        report.failure_count
    );
    println!(
        "  {elapsed:.1} s: {:.0} messages/s, {:.1} specs/s ({specs} specs)",
        report.messages as f64 / elapsed,
        specs as f64 / elapsed,
    );
    if let Some(dir) = scratch_dir {
        println!(
            "  sample compile: {} samples taken, {} compiled in {} batches ({:.1} s), {} failed to \
             compile (crate {})",
            report.samples,
            report.samples_checked,
            report.batches,
            report.compile_time.as_secs_f64(),
            report.samples_failed,
            dir.display()
        );
    }
    for failure in report.failures.iter().take(20) {
        println!("FAILURE {}", failure.what);
        for path in &failure.saved {
            println!("  saved: {}", path.display());
        }
        if failure.saved.is_empty() {
            // Not saved (see the warnings): the inputs here, then.
            for (suffix, text) in &failure.files {
                println!("  {suffix}:\n{text}");
            }
        }
    }
    if report.failure_count > 20 {
        println!(
            "... {} more failures ({} kept and saved)",
            report.failure_count - 20,
            report.failures.len()
        );
    }
    if report.failure_count == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs rounds while `go(round)` says so: each round 64 messages, one legacy spec and, every
/// fourth, one QAPI schema (the messages or the specs only, as `settings.kinds` says); then
/// checks the samples left to compile.
pub fn fuzz(settings: Settings, mut go: impl FnMut(u64) -> bool) -> Report {
    let mut rng = Rng(settings.seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut report = Report {
        failure_dir: settings.failure_dir,
        seed: settings.seed,
        ..Report::default()
    };
    let mut compile = settings.compile;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let legacy: Vec<(&str, String)> = [
        "qmp-spec/spec/qmp-events.txt",
        "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
        "tests/hostile/spec/hostile.txt",
    ]
    .iter()
    .map(|p| {
        let text = std::fs::read_to_string(root.join(p)).expect("vendored spec");
        (*p, text)
    })
    .collect();
    let qapi_dir = root.join("vendor/qemu-10.0.2/qapi");
    let qapi_files: Vec<(PathBuf, String)> = [
        "run-state.json",
        "qapi-schema.json",
        "block-core.json",
        "ui.json",
    ]
    .iter()
    .map(|f| {
        let p = qapi_dir.join(f);
        let text = std::fs::read_to_string(&p).expect("vendored schema");
        (p, text)
    })
    .collect();
    let hostile_qapi = root.join("tests/hostile/qapi/hostile.json");
    let mut round = 0;
    while go(round) {
        if settings.kinds.messages() {
            for _ in 0..64 {
                let line = message(&mut rng);
                if let Err(e) = check_message(&line) {
                    report.fail(
                        format!("message {line}: {e}"),
                        vec![("message.json".to_owned(), line)],
                    );
                }
                report.messages += 1;
            }
        }
        if !settings.kinds.specs() {
            round += 1;
            continue;
        }
        let which = rng.below(legacy.len());
        let (legacy_path, legacy_text) = &legacy[which];
        let spec = mutate(&mut rng, legacy_text);
        let legacy_name = legacy_path.rsplit('/').next().unwrap_or(legacy_path);
        let sample = compile
            .as_ref()
            .is_some_and(|c| c.wants(report.legacy_accepted));
        let result = catch_unwind(|| check_legacy(&spec, sample));
        let accepted = record(
            &mut report,
            compile.as_mut(),
            result,
            &format!("legacy spec {legacy_path} mutated"),
            format!("a legacy spec, {legacy_path} mutated"),
            (format!("legacy-{legacy_name}"), &spec),
        );
        report.legacy_accepted += u64::from(accepted);
        report.legacy_specs += 1;
        if round % 4 == 0 {
            let (main, files) = if rng.below(3) == 0 {
                let text = std::fs::read_to_string(&hostile_qapi).expect("hostile schema");
                (hostile_qapi.clone(), vec![(hostile_qapi.clone(), text)])
            } else {
                (qapi_dir.join("qapi-schema.json"), qapi_files.clone())
            };
            let target = rng.below(files.len());
            let mutated = mutate(&mut rng, &files[target].1);
            let target_path = files[target].0.clone();
            let sample = compile
                .as_ref()
                .is_some_and(|c| c.wants(report.qapi_accepted));
            let result = catch_unwind(AssertUnwindSafe(|| {
                check_qapi(&main, &target_path, &mutated, &files, sample)
            }));
            let file_name = target_path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let accepted = record(
                &mut report,
                compile.as_mut(),
                result,
                &format!(
                    "QAPI schema {} with {} mutated",
                    main.display(),
                    target_path.display()
                ),
                format!("a QAPI schema, {file_name} mutated"),
                (format!("qapi-{file_name}"), &mutated),
            );
            report.qapi_accepted += u64::from(accepted);
            report.qapi_specs += 1;
        }
        round += 1;
    }
    if let Some(scratch) = compile.as_mut() {
        scratch.finish(&mut report);
        report.samples = scratch.taken;
        report.samples_checked = scratch.checked;
        report.samples_failed = scratch.failed;
        report.batches = scratch.batches;
        report.compile_time = scratch.time;
    }
    report
}

/// Records what checking one mutated spec gave: when it was accepted, its sample (if one was
/// made) goes to the scratch crate; a failed check or a panic is a failure named `what`, saved
/// with the input `(file name suffix, text)`. Returns whether the spec was accepted.
fn record(
    report: &mut Report,
    compile: Option<&mut compile::Scratch>,
    result: std::thread::Result<Result<Verdict, String>>,
    what: &str,
    label: String,
    (suffix, text): (String, &str),
) -> bool {
    match result {
        Ok(Ok(Verdict::Rejected)) => false,
        Ok(Ok(Verdict::Accepted(code))) => {
            if let (Some(code), Some(scratch)) = (code, compile) {
                let sample = compile::Sample {
                    label,
                    input: (suffix, text.to_owned()),
                    code,
                };
                scratch.add(sample, report);
            }
            true
        }
        Ok(Err(e)) => {
            report.fail(format!("{what}: {e}"), vec![(suffix, text.to_owned())]);
            false
        }
        Err(p) => {
            report.fail(
                format!("{what}: panic {}", panic_text(&p)),
                vec![(suffix, text.to_owned())],
            );
            false
        }
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// splitmix64: small, seeded, good enough to explore.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const EVENTS: &[&str] = &[
    "BALLOON_CHANGE",
    "GUEST_PANICKED",
    "QUORUM_FAILURE",
    "QUORUM_REPORT_BAD",
    "SPICE_CONNECTED",
    "SPICE_DISCONNECTED",
    "SPICE_INITIALIZED",
    "ACPI_DEVICE_OST",
    "STOP",
    "NEW_EVENT",
    "",
];
const KEYS: &[&str] = &[
    "actual",
    "action",
    "reference",
    "sector-num",
    "sector-count",
    "node-name",
    "error",
    "server",
    "client",
    "host",
    "port",
    "family",
    "auth",
    "connection-id",
    "channel-type",
    "channel-id",
    "tls",
    "seconds",
    "microseconds",
    "x",
    "",
    "a\\u0000b",
    "\\ud83d\\ude00",
    "\\\"",
];
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1.5",
    "1e3",
    "1E+2",
    "-1e-7",
    "0.0",
    "1e308",
    "123456789012345678901234567890",
    "4.9e-324",
    "2.5e-400",
];
const STRINGS: &[&str] = &[
    "\"\"",
    "\"ipv4\"",
    "\"ipv6\"",
    "\"pause\"",
    "\"a\\nb\"",
    "\"\\u00e9\"",
    "\"é\"",
    "\"\\ud83d\\ude00\"",
    "\"\\\\\"",
    "\"\\/\"",
    "\"\\u0000\"",
    "\"spice\"",
];

/// A JSON value, `depth` levels deep at most.
fn value(rng: &mut Rng, depth: u32) -> String {
    match rng.below(if depth == 0 { 5 } else { 8 }) {
        0 => rng.pick(NUMBERS).to_owned(),
        1 => rng.pick(STRINGS).to_owned(),
        2 => rng.pick(&["true", "false", "null"]).to_owned(),
        3 => rng.next().to_string(),
        4 => format!("\"{}\"", rng.pick(KEYS)),
        5 | 6 => {
            let n = rng.below(5);
            object(rng, depth - 1, n)
        }
        _ => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n).map(|_| value(rng, depth - 1)).collect();
            format!("[{}]", items.join(","))
        }
    }
}

fn object(rng: &mut Rng, depth: u32, members: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    for _ in 0..members {
        let key = rng.pick(KEYS);
        parts.push(format!("\"{key}\": {}", value(rng, depth)));
        // A repeated member now and then.
        if rng.below(12) == 0 {
            parts.push(format!("\"{key}\": {}", value(rng, depth)));
        }
    }
    let ws = rng.pick(&["", " ", "\n\t", "  "]);
    format!("{{{ws}{}{ws}}}", parts.join(&format!(",{ws}")))
}

/// A QMP-like message.
fn message(rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    if rng.below(10) != 0 {
        parts.push(format!("\"event\": \"{}\"", rng.pick(EVENTS)));
    }
    if rng.below(4) != 0 {
        let depth = if rng.below(50) == 0 { 40 } else { 3 };
        let data = if rng.below(8) == 0 {
            value(rng, depth)
        } else {
            let n = rng.below(6);
            object(rng, depth, n)
        };
        parts.push(format!("\"data\": {data}"));
    }
    if rng.below(2) == 0 {
        let ts = if rng.below(5) == 0 {
            value(rng, 2)
        } else {
            format!(
                "{{\"seconds\": {}, \"microseconds\": {}}}",
                rng.pick(NUMBERS),
                rng.pick(NUMBERS)
            )
        };
        parts.push(format!("\"timestamp\": {ts}"));
    }
    if rng.below(6) == 0 {
        parts.push(format!("\"{}\": {}", rng.pick(KEYS), value(rng, 2)));
    }
    if rng.below(30) == 0 && !parts.is_empty() {
        let dup = parts[rng.below(parts.len())].clone();
        parts.push(dup);
    }
    // Shuffle.
    for i in (1..parts.len()).rev() {
        parts.swap(i, rng.below(i + 1));
    }
    let mut line = format!("{{{}}}", parts.join(", "));
    if rng.below(40) == 0 {
        // Broken JSON: every path must say so.
        let mut cut = rng.below(line.len());
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
    }
    if rng.below(60) == 0 {
        let nest = 200 + rng.below(200);
        line = format!(
            "{{\"event\": \"X\", \"data\": {}{}}}",
            "[".repeat(nest),
            "]".repeat(nest)
        );
    }
    line
}

/// The decode paths agree and round trip, without a panic.
pub fn check_message(line: &str) -> Result<(), String> {
    use qmp_events::Message;
    use serde_json::Value;
    let outcome = catch_unwind(|| {
        let parsed = line.parse::<Message>();
        let from_str = serde_json::from_str::<Message>(line);
        match (&parsed, &from_str) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(_), Err(_)) => {}
            _ => return Err(format!("str::parse {parsed:?} but from_str {from_str:?}")),
        }
        let Ok(msg) = parsed else { return Ok(()) };
        let value: Value = serde_json::from_str(line).map_err(|e| format!("Value: {e}"))?;
        let from_value = Message::<qmp_events::Event>::from_value(value.clone())
            .map_err(|e| format!("from_value: {e}"))?;
        if from_value != msg {
            return Err(format!("from_value {from_value:?} but str::parse {msg:?}"));
        }
        if msg.to_value() != value {
            return Err(format!("round trip gives {}", msg.to_value()));
        }
        let again: Message = msg
            .to_value()
            .to_string()
            .parse()
            .map_err(|e| format!("{e}"))?;
        if again != msg {
            return Err("decoding the round trip differs".into());
        }
        if msg.violations() != qmp_events::Event::validate(&value) {
            return Err(format!(
                "violations {:?} but validate {:?}",
                msg.violations(),
                qmp_events::Event::validate(&value)
            ));
        }
        Ok(())
    });
    match outcome {
        Ok(result) => result,
        Err(p) => Err(format!("panic: {}", panic_text(&p))),
    }
}

/// Mutates a spec's text: cuts, duplicates, swaps and inserts lines and characters.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    const INSERTS: &[&str] = &[
        "",
        "-",
        "{",
        "}",
        "\"",
        "'",
        "#",
        "##",
        "@",
        ":",
        "é",
        "\t",
        "json-int",
        "optional",
        " or ",
        "(json-string, \"self\" or \"Self\")",
        "SELF",
        "type",
        "Data: None.",
        "- data: Self type as described in x.json",
        "{ 'event': 'SELF' }",
        "'data': {",
        "'*type': 'str'",
        "\u{0}",
        "----",
        "====",
    ];
    for _ in 0..=rng.below(6) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => lines.insert(i, rng.pick(INSERTS).to_owned()),
            4 => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                let at = rng.below(chars.len() + 1);
                chars.splice(at..at, rng.pick(INSERTS).chars());
                lines[i] = chars.into_iter().collect();
            }
            5 => {
                let chars: Vec<char> = lines[i].chars().collect();
                let at = rng.below(chars.len() + 1);
                lines[i] = chars[..at].iter().collect();
            }
            _ => {
                let chars: Vec<char> = lines[i].chars().collect();
                if !chars.is_empty() {
                    let at = rng.below(chars.len());
                    let mut c = chars.clone();
                    c[at] = rng
                        .pick(&["a", "Z", "_", "-", "\"", " ", "1"])
                        .chars()
                        .next()
                        .unwrap_or('a');
                    lines[i] = c.into_iter().collect();
                }
            }
        }
    }
    lines.join("\n")
}

/// Every diagnostic points inside its file's text.
fn diagnostics_inside(
    diagnostics: &[qmp_ir::Diagnostic],
    file: &str,
    text: &str,
) -> Result<(), String> {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diagnostics.iter().filter(|d| d.file == file) {
        let line = d.line as usize;
        if line == 0 || line > lines.len().max(1) {
            return Err(format!(
                "diagnostic at line {line} of {} lines: {}",
                lines.len(),
                d.message
            ));
        }
        let width = lines.get(line - 1).map_or(0, |l| l.chars().count());
        if d.col == 0 || d.col as usize > width + 1 {
            return Err(format!(
                "diagnostic at {line}:{} past the line's {width} characters: {}",
                d.col, d.message
            ));
        }
    }
    Ok(())
}

/// What a spec's check found.
enum Verdict {
    /// The front end rejected the spec (with diagnostics inside it).
    Rejected,
    /// The spec was accepted; its generated code, formatted, when it was asked for.
    Accepted(Option<String>),
}

/// The header of a sample's generated code.
const SAMPLE_HEADER: &str = "qmp_codegen::generate(&spec, &Config::default()), formatted by \
                             qmp_codegen::render_file";

/// An accepted spec's generated code parses as a file; formatted when `render`.
fn check_output(spec: &qmp_ir::Spec, render: bool) -> Result<Verdict, String> {
    let tokens = qmp_codegen::generate(spec, &qmp_codegen::Config::default());
    if render {
        let code = qmp_codegen::render_file(tokens, SAMPLE_HEADER)
            .map_err(|e| format!("output does not parse: {e}"))?;
        return Ok(Verdict::Accepted(Some(code)));
    }
    syn::parse2::<syn::File>(tokens).map_err(|e| format!("output does not parse: {e}"))?;
    Ok(Verdict::Accepted(None))
}

/// A mutated legacy spec: diagnostics inside it; accepted, valid names and Rust that parses
/// (formatted when `render`).
fn check_legacy(spec: &str, render: bool) -> Result<Verdict, String> {
    match qmp_spec::read("fuzz.txt", spec) {
        Err(diagnostics) => {
            diagnostics_inside(&diagnostics, "fuzz.txt", spec)?;
            Ok(Verdict::Rejected)
        }
        Ok(read) => {
            diagnostics_inside(&read.warnings, "fuzz.txt", spec)?;
            let problems = qmp_codegen::plan::plan(&read.spec).name_problems();
            if !problems.is_empty() {
                return Err(format!("names: {problems:?}"));
            }
            check_output(&read.spec, render)
        }
    }
}

/// A QAPI schema with one file mutated: diagnostics inside it; accepted, valid names and Rust
/// that parses (formatted when `render`).
fn check_qapi(
    main: &Path,
    target: &Path,
    mutated: &str,
    files: &[(PathBuf, String)],
    render: bool,
) -> Result<Verdict, String> {
    let mut load = |p: &Path| -> std::io::Result<String> {
        if p == target {
            return Ok(mutated.to_owned());
        }
        if let Some((_, text)) = files.iter().find(|(f, _)| f == p) {
            return Ok(text.clone());
        }
        std::fs::read_to_string(p)
    };
    let file = target.display().to_string();
    match qmp_qapi::read_with(main, &mut load) {
        Err(diagnostics) => {
            diagnostics_inside(&diagnostics, &file, mutated)?;
            Ok(Verdict::Rejected)
        }
        Ok(parsed) => {
            diagnostics_inside(&parsed.warnings, &file, mutated)?;
            let problems = qmp_codegen::plan::plan(&parsed.spec).name_problems();
            if !problems.is_empty() {
                return Err(format!("names: {problems:?}"));
            }
            check_output(&parsed.spec, render)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Kinds, Options, Settings};

    fn settings(seed: u64, kinds: Kinds) -> Settings {
        Settings {
            seed,
            kinds,
            failure_dir: None,
            compile: None,
        }
    }

    /// The fuzz loop CI runs: a fixed number of rounds (a few seconds), seeded, without the
    /// sample compile (which runs cargo).
    #[test]
    fn a_short_fuzz_run_finds_nothing() {
        let report = super::fuzz(settings(7, Kinds::Both), |round| round < 40);
        assert!(report.failures.is_empty(), "{:#?}", report.failures);
        assert_eq!(report.messages, 40 * 64);
        assert!(report.legacy_accepted > 0 && report.qapi_specs > 0);
        assert_eq!(report.samples, 0);
    }

    #[test]
    fn only_limits_a_run_to_messages_or_specs() {
        let report = super::fuzz(settings(3, Kinds::Messages), |round| round < 5);
        assert_eq!(report.messages, 5 * 64);
        assert_eq!(report.legacy_specs + report.qapi_specs, 0);
        let report = super::fuzz(settings(3, Kinds::Specs), |round| round < 5);
        assert_eq!(report.messages, 0);
        assert_eq!((report.legacy_specs, report.qapi_specs), (5, 2));
        assert!(report.failures.is_empty(), "{:#?}", report.failures);
    }

    #[test]
    fn options_parse() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = Options::parse(&args(&["--only", "specs", "--compile-every=7"])).unwrap();
        assert_eq!(options.kinds, Kinds::Specs);
        assert_eq!(options.compile_every, 7);
        let options = Options::parse(&args(&[])).unwrap();
        assert_eq!(options.kinds, Kinds::Both);
        assert_eq!(options.compile_every, super::DEFAULT_COMPILE_EVERY);
        assert!(Options::parse(&args(&["--only", "both"])).is_err());
        assert!(Options::parse(&args(&["--compile-every", "x"])).is_err());
        assert_eq!(options.jobs, 1);
        assert_eq!(Options::parse(&args(&["--jobs", "2"])).unwrap().jobs, 2);
        assert!(Options::parse(&args(&["--jobs", "0"])).is_err());
    }

    /// Two fuzzers' reports add up.
    #[test]
    fn reports_of_several_fuzzers_add_up() {
        let one = || {
            let settings = super::Settings {
                seed: 3,
                kinds: Kinds::Both,
                failure_dir: None,
                compile: None,
            };
            super::fuzz(settings, |round| round < 4)
        };
        let mut total = one();
        total.absorb(one());
        assert_eq!(total.messages, 2 * 4 * 64);
        assert_eq!(total.legacy_specs, 2 * 4);
        assert_eq!(total.failure_count, 0);
    }

    /// The scratch crate is written as cargo needs it (cargo itself does not run here).
    #[test]
    fn the_scratch_crate_holds_one_module_per_sample() {
        let dir = tempfile::tempdir().unwrap();
        let mut scratch = super::compile::Scratch::new(dir.path().join("c"), 2);
        assert!(scratch.wants(0) && !scratch.wants(1) && scratch.wants(2));
        let mut report = super::Report::default();
        for n in 0..2 {
            let sample = super::compile::Sample {
                label: format!("sample {n}"),
                input: ("legacy.txt".into(), String::new()),
                code: "/// A.\npub struct A;\n".into(),
            };
            // Below a batch: nothing is checked yet.
            scratch.add(sample, &mut report);
        }
        scratch.write().unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.path().join("c").join(p)).unwrap();
        let manifest = read("Cargo.toml");
        assert!(manifest.contains("\n[workspace]\n") && manifest.contains("qmp-events = {"));
        let lib = read("src/lib.rs");
        assert!(lib.contains("#![deny(warnings, missing_docs)]"));
        assert!(lib.contains("/// Sample 2: sample 1.\npub mod s2;"));
        assert!(read("src/s1.rs").contains("pub struct A;"));
        assert_eq!(scratch.batches, 0);
        let named = super::compile::samples_named(
            "error: missing docs\n  --> src/s12.rs:3:1\n --> src/lib.rs:4:1\n--> src/s3.rs:1",
        );
        assert_eq!(named.into_iter().collect::<Vec<_>>(), [3, 12]);
    }
}
