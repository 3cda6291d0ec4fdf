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
//! - QAPI schemas: a vendored schema file mutated; no panic, every diagnostic inside its file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Parsed options.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// How long to run.
    pub seconds: u64,
    /// The generator's seed.
    pub seed: u64,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            seconds: 10,
            seed: 1,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if let Some(v) = crate::option_value("--seconds", arg, &mut rest)? {
                options.seconds = v.parse().map_err(|_| format!("bad --seconds `{v}`"))?;
            } else if let Some(v) = crate::option_value("--seed", arg, &mut rest)? {
                options.seed = v.parse().map_err(|_| format!("bad --seed `{v}`"))?;
            } else {
                return Err(format!("unknown option `{arg}`"));
            }
        }
        Ok(options)
    }
}

/// Counts and failures of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub messages: u64,
    pub legacy_specs: u64,
    pub legacy_accepted: u64,
    pub qapi_specs: u64,
    pub qapi_accepted: u64,
    pub failures: Vec<String>,
}

pub fn run(options: &Options) -> ExitCode {
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    // A panic is a failure to report, not the end of the run: keep its message quiet here.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("FUZZ_PANICS").is_some() {
            default_hook(info);
        }
    }));
    let report = fuzz(options.seed, |round| {
        round % 64 != 0 || Instant::now() < deadline
    });
    println!(
        "fuzz --seconds {} --seed {}: {} messages, {} legacy specs ({} accepted), {} QAPI \
         schemas ({} accepted), {} failures",
        options.seconds,
        options.seed,
        report.messages,
        report.legacy_specs,
        report.legacy_accepted,
        report.qapi_specs,
        report.qapi_accepted,
        report.failures.len()
    );
    for failure in report.failures.iter().take(20) {
        println!("FAILURE {failure}");
    }
    if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs rounds while `go(round)` says so: each round 64 messages, one legacy spec and, every
/// fourth, one QAPI schema.
pub fn fuzz(seed: u64, mut go: impl FnMut(u64) -> bool) -> Report {
    let mut rng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut report = Report::default();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let legacy: Vec<String> = [
        "qmp-spec/spec/qmp-events.txt",
        "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
        "tests/hostile/spec/hostile.txt",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(root.join(p)).expect("vendored spec"))
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
        for _ in 0..64 {
            let line = message(&mut rng);
            if let Err(e) = check_message(&line) {
                report.failures.push(format!("message {line}: {e}"));
            }
            report.messages += 1;
        }
        let which = rng.below(legacy.len());
        let spec = mutate(&mut rng, &legacy[which]);
        match catch_unwind(|| check_legacy(&spec)) {
            Ok(Ok(accepted)) => report.legacy_accepted += u64::from(accepted),
            Ok(Err(e)) => report.failures.push(format!("legacy spec: {e}\n{spec}")),
            Err(p) => report
                .failures
                .push(format!("legacy spec: panic {}\n{spec}", panic_text(&p))),
        }
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
            let result = catch_unwind(AssertUnwindSafe(|| {
                check_qapi(&main, &target_path, &mutated, &files)
            }));
            match result {
                Ok(Ok(accepted)) => report.qapi_accepted += u64::from(accepted),
                Ok(Err(e)) => report
                    .failures
                    .push(format!("QAPI {}: {e}", target_path.display())),
                Err(p) => report.failures.push(format!(
                    "QAPI {}: panic {}",
                    target_path.display(),
                    panic_text(&p)
                )),
            }
            report.qapi_specs += 1;
        }
        round += 1;
    }
    report
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

/// A mutated legacy spec: diagnostics inside it; accepted, valid names and Rust that parses.
fn check_legacy(spec: &str) -> Result<bool, String> {
    match qmp_spec::read("fuzz.txt", spec) {
        Err(diagnostics) => {
            diagnostics_inside(&diagnostics, "fuzz.txt", spec)?;
            Ok(false)
        }
        Ok(read) => {
            diagnostics_inside(&read.warnings, "fuzz.txt", spec)?;
            let problems = qmp_codegen::plan::plan(&read.spec).name_problems();
            if !problems.is_empty() {
                return Err(format!("names: {problems:?}"));
            }
            let tokens = qmp_codegen::generate(&read.spec, &qmp_codegen::Config::default());
            syn::parse2::<syn::File>(tokens).map_err(|e| format!("output does not parse: {e}"))?;
            Ok(true)
        }
    }
}

/// A QAPI schema with one file mutated: diagnostics inside it; accepted, valid names.
fn check_qapi(
    main: &Path,
    target: &Path,
    mutated: &str,
    files: &[(PathBuf, String)],
) -> Result<bool, String> {
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
            Ok(false)
        }
        Ok(parsed) => {
            diagnostics_inside(&parsed.warnings, &file, mutated)?;
            let problems = qmp_codegen::plan::plan(&parsed.spec).name_problems();
            if !problems.is_empty() {
                return Err(format!("names: {problems:?}"));
            }
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    /// The fuzz loop CI runs: a fixed number of rounds (a few seconds), seeded.
    #[test]
    fn a_short_fuzz_run_finds_nothing() {
        let report = super::fuzz(7, |round| round < 40);
        assert!(report.failures.is_empty(), "{:#?}", report.failures);
        assert_eq!(report.messages, 40 * 64);
        assert!(report.legacy_accepted > 0 && report.qapi_specs > 0);
    }
}
