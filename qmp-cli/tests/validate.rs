//! `qmp-events validate`, run as the built binary on the corpus in `tests/data/corpus.jsonl`:
//! every example of the seed document, then drifted and broken messages like the ones a real
//! QEMU 10 (or a confused capture) produces.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qmp-events");

/// The corpus's summary line (generated validators, default spec).
const SUMMARY: &str = "messages: 24, known: 17, unknown: 2, violations: 14, invalid-json: 3";

/// qmp-spec's documents, shipped in its package.
fn spec_dir() -> PathBuf {
    let default = qmp_spec::default_spec_path();
    default.parent().expect("spec/").to_path_buf()
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus.jsonl")
}

fn default_spec() -> PathBuf {
    spec_dir().join("qmp-events.txt")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    // The binary may exit before reading its input (a spec with errors): a closed pipe is fine.
    if let Err(error) = pipe.write_all(stdin.as_bytes()) {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {error}"
        );
    }
    drop(pipe);
    child.wait_with_output().expect("the binary finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// The first 7 lines of the corpus: the examples of the seed document.
fn examples() -> String {
    let text = std::fs::read_to_string(corpus()).expect("the corpus is readable");
    text.lines().take(7).map(|l| format!("{l}\n")).collect()
}

#[test]
fn corpus_reports_drift_errors_and_invalid_lines() {
    let output = run(&["validate", path(&corpus())]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "9: QUORUM_FAILURE: /data: missing required member `sector-count`",
        "9: QUORUM_FAILURE: /data: unknown member `sectors-count` (drift)",
        "10: GUEST_PANICKED: /data/action: value \"poweroff\" is not one of [\"pause\"] (drift)",
        "11: GUEST_PANICKED: /data/action: value \"run\" is not one of [\"pause\"] (drift)",
        "12: SPICE_CONNECTED: /data/server/family: value \"unix\" is not one of [\"ipv4\", \"ipv6\"] (drift)",
        "14: RTC_CHANGE: /: unknown event `RTC_CHANGE` (drift)",
        "17: -: invalid JSON: EOF while parsing a value at line 1 column 47",
        "19: -: invalid JSON: not a JSON object but an array",
        "20: -: /: unknown member `return` (drift)",
        "20: -: /: missing the string member `event`",
        "22: BALLOON_CHANGE: /data/actual: expected integer, found a string",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        lines.iter().any(|l| l.starts_with("18: -: invalid JSON: ")),
        "{text}"
    );
    // The examples, data before event and the -1/-1 timestamp are clean.
    for clean in ["1:", "2:", "3:", "4:", "5:", "6:", "7:", "15:", "16:"] {
        assert!(
            !lines.iter().any(|l| l.starts_with(clean)),
            "{clean} in\n{text}"
        );
    }
    assert_eq!(lines.last().copied(), Some(SUMMARY));
    assert_eq!(lines.len(), 14 + 3 + 1);
}

#[test]
fn the_seed_examples_are_clean_on_stdin() {
    for args in [&["validate"][..], &["validate", "-"][..]] {
        let output = run_with_stdin(args, &format!("\n{}\n\n", examples()));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            stdout(&output),
            "messages: 7, known: 7, unknown: 0, violations: 0, invalid-json: 0\n"
        );
    }
}

#[test]
fn empty_input_is_clean() {
    let output = run_with_stdin(&["validate"], "");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "messages: 0, known: 0, unknown: 0, violations: 0, invalid-json: 0\n"
    );
}

#[test]
fn invalid_json_alone_exits_1() {
    let output = run_with_stdin(&["validate"], "{\"event\": \n\"just a string\"\n");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("2: -: invalid JSON: not a JSON object but a string\n"),
        "{text}"
    );
    assert!(text.ends_with("violations: 0, invalid-json: 2\n"), "{text}");
}

#[test]
fn run_time_spec_agrees_with_the_generated_validators() {
    let (corpus, spec) = (corpus(), default_spec());
    for mode in [&[][..], &["--json"][..]] {
        let mut typed = vec!["validate"];
        typed.extend_from_slice(mode);
        typed.push(path(&corpus));
        let mut interpreted = typed.clone();
        interpreted.extend_from_slice(&["--spec", path(&spec)]);
        let typed = run(&typed);
        let interpreted = run(&interpreted);
        assert_eq!(typed.status.code(), Some(1));
        assert_eq!(
            interpreted.status.code(),
            Some(1),
            "{}",
            stderr(&interpreted)
        );
        assert_eq!(stdout(&typed), stdout(&interpreted));
    }
}

#[test]
fn every_corpus_line_agrees_on_its_own() {
    let text = std::fs::read_to_string(corpus()).expect("the corpus is readable");
    for line in text.lines() {
        let typed = run_with_stdin(&["validate", "--json"], line);
        let spec = path(&default_spec()).to_owned();
        let interpreted = run_with_stdin(&["validate", "--json", "--spec", &spec], line);
        assert_eq!(stdout(&typed), stdout(&interpreted), "line {line}");
        assert_eq!(
            typed.status.code(),
            interpreted.status.code(),
            "line {line}"
        );
    }
}

#[test]
fn the_2015_document_knows_rtc_change() {
    let spec = spec_dir().join("qmp-events-qemu-2015-07.txt");
    let output = run(&["validate", "--spec", path(&spec), path(&corpus())]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!text.contains("unknown event `RTC_CHANGE`"), "{text}");
    assert!(
        lines.contains(&"14: RTC_CHANGE: /data: unknown member `qom-path` (drift)"),
        "{text}"
    );
    let summary = lines.last().copied().unwrap_or_default();
    assert!(summary.contains("unknown: 0,"), "{summary}");
}

#[test]
fn json_lines_parse() {
    let output = run(&["validate", "--json", path(&corpus())]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let values: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let (summary, violations) = values.split_last().expect("there is a summary");
    assert_eq!(
        summary,
        &serde_json::json!({"summary": {"messages": 24, "known": 17, "unknown": 2,
            "violations": 14, "invalid_json": 3}})
    );
    assert_eq!(violations.len(), 14 + 3);
    for v in violations {
        for key in ["line", "event", "pointer", "kind", "message", "drift"] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
    }
    assert_eq!(
        violations[1],
        serde_json::json!({"line": 9, "event": "QUORUM_FAILURE", "pointer": "/data",
            "kind": "unknown_field", "name": "sectors-count",
            "message": "unknown member `sectors-count` (drift)", "drift": true})
    );
    let invalid: Vec<_> = violations
        .iter()
        .filter(|v| v["kind"] == "invalid_json")
        .map(|v| v["line"].as_u64())
        .collect();
    assert_eq!(invalid, [Some(17), Some(18), Some(19)]);
}

#[test]
fn usage_and_io_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["validate", "--bogus"][..],
        &["validate", "a.jsonl", "b.jsonl"][..],
        &["validate", "--spec"][..],
        &["validate", "/nonexistent/capture.jsonl"][..],
        &["validate", "--spec", "/nonexistent/spec.txt", "-"][..],
    ] {
        let output = run_with_stdin(args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stdout(&output), "", "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("qmp-events: "), "{args:?}: {err}");
    }
}

#[test]
fn a_spec_with_errors_exits_2_with_diagnostics() {
    let dir = std::env::temp_dir().join(format!("qmp-cli-bad-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("bad.txt");
    std::fs::write(&spec, "FOO\n---\n\nData:\n\n- \"x\": y (json-bogus)\n").expect("write spec");
    let output = run_with_stdin(&["validate", "--spec", path(&spec)], "{}\n");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("bad.txt:6:"), "{err}");
    assert!(err.contains("^"), "{err}");
}

#[test]
fn help_and_version() {
    for (args, start) in [
        (&["--help"][..], "qmp-events: "),
        (&["-h"][..], "qmp-events: "),
        (&["validate", "--help"][..], "Check QMP messages"),
        (&["watch", "--help"][..], "Connect to a QMP unix socket"),
        (&["--version"][..], "qmp-events 0."),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            stdout(&output).starts_with(start),
            "{args:?}: {}",
            stdout(&output)
        );
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn an_over_long_line_is_reported_and_the_next_one_checked() {
    // 3 MiB without a newline through a 1 KiB limit, then an event: memory stays near the limit,
    // the long line is one failed line, and the check goes on.
    let long = "x".repeat(3 << 20);
    let input = format!("{long}\n{{\"event\": \"BALLOON_CHANGE\", \"data\": {{\"actual\": 1}}}}\n");
    let output = run_with_stdin(&["validate", "--max-line-len", "1K", "-"], &input);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!(
            "1: -: line too long: {} bytes from byte 0, the limit is 1024; skipped\n\
             messages: 2, known: 1, unknown: 0, violations: 0, invalid-json: 1\n",
            3 << 20
        )
    );
}

#[test]
fn endless_input_without_newline_ends_with_an_error() {
    // `/dev/zero` never ends and has no newline: validate gives up 1 GiB past the limit.
    let output = run(&["validate", "--max-line-len", "1K", "/dev/zero"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with("qmp-events: /dev/zero: line 1 (from byte 0) has no newline in ")
            && err.contains("the line limit of 1024 (--max-line-len): not JSON lines; stopped"),
        "{err}"
    );
}
