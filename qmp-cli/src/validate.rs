//! `qmp-events validate`: checks QMP messages, one JSON object per line, against the spec.
//!
//! Two checkers give the same answers on the same document: the validators generated into
//! `qmp-events` (each line decoded as a typed [`Message`]), and, with `--spec` (any kind: the
//! legacy document, a QAPI schema, a `query-qmp-schema` reply) or `--spec-from`, `qmp-wire`'s wire
//! shapes of a spec read at run time, checked over each line's `serde_json::Value`.
//!
//! Drift (an event, member or value the spec does not know) counts as a violation: it is printed,
//! counted, and makes the exit status 1.
//!
//! Memory is bounded whatever the input: a line longer than `--max-line-len` (64 MiB by default,
//! [`qmp_client::DEFAULT_MAX_LINE_LEN`]) is never held whole. It is skipped up to its newline,
//! reported as a failed line (counted with the invalid ones) and the check goes on with the next
//! line; if no newline comes within [`qmp_client::MAX_SKIP`] (1 GiB) past the limit, the input is
//! not JSON lines (`/dev/zero`) and the run stops with an error naming the line and its offset.

use crate::format::one_line;
use crate::{CliError, Outcome};
use qmp_events::{Event, Message, Violation};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, BufRead, Write};
use std::path::Path;

/// What a line is checked against.
pub enum Checker {
    /// The validators generated into `qmp-events` (the default spec).
    Typed,
    /// The wire shapes of a spec read at run time (`--spec`, `--spec-from`).
    Wire(qmp_wire::WireSpec),
}

/// A violation from either checker; both print and serialize alike.
pub enum Finding {
    /// From the generated validators.
    Schema(Violation),
    /// From wire shapes.
    Wire(qmp_wire::Violation),
}

impl Finding {
    /// Where it is (a JSON pointer).
    fn pointer(&self) -> String {
        match self {
            Finding::Schema(v) => v.pointer.clone(),
            Finding::Wire(v) => v.pointer.clone(),
        }
    }

    /// What is wrong, without the pointer.
    fn message(&self) -> String {
        match self {
            Finding::Schema(v) => v.kind.to_string(),
            Finding::Wire(v) => v.kind.to_string(),
        }
    }

    fn is_drift(&self) -> bool {
        match self {
            Finding::Schema(v) => v.is_drift(),
            Finding::Wire(v) => v.is_drift(),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Schema(v) => v.fmt(f),
            Finding::Wire(v) => v.fmt(f),
        }
    }
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Finding::Schema(v) => v.serialize(s),
            Finding::Wire(v) => v.serialize(s),
        }
    }
}

/// Whether a message names an event, and whether the spec knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    /// No string `event` member.
    NoEvent,
    /// An event of the spec.
    Known,
    /// An event the spec does not describe.
    Unknown,
}

/// The result of checking one JSON object.
struct Checked {
    name: Option<String>,
    known: Named,
    violations: Vec<Finding>,
}

impl Checker {
    /// Builds the checker for `--spec FILE` (any kind of spec): reads it, prints its warnings
    /// (and errors) on stderr, and takes its wire shapes under the build options `cfg`. A spec
    /// with errors is an error (exit 2).
    pub fn from_spec(path: &Path, cfg: &[String]) -> Result<Checker, CliError> {
        Ok(Checker::Wire(crate::specs::wire_spec(path, cfg)?))
    }

    /// Checks one line. `Err` is why the line is not a JSON object.
    fn check(&self, line: &[u8]) -> Result<Checked, String> {
        match self {
            Checker::Typed => check_typed(line),
            Checker::Wire(spec) => check_with_wire(spec, line),
        }
        .map(|mut checked| {
            // Both checkers report a message's violations in an order of their own (the spec's
            // member order, the wire shapes' name order): print them by pointer.
            checked.violations.sort_by_cached_key(Finding::pointer);
            checked
        })
    }
}

/// Parses a line as a JSON object.
fn object(line: &[u8]) -> Result<Value, String> {
    let value: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!(
            "not a JSON object but {}",
            qmp_schema::describe(&value)
        ))
    }
}

/// The typed path: decodes the line as a [`Message`] and asks it for its violations.
fn check_typed(line: &[u8]) -> Result<Checked, String> {
    let message = match Message::from_slice(line) {
        Ok(message) => message,
        // Not an object, bad JSON, or an object the streaming decoder refuses (a duplicate
        // `event`, say): read it as a Value (last duplicate wins, as for `--spec`) and retry.
        Err(error) => Message::from_value(object(line)?).map_err(|_| error.to_string())?,
    };
    let known = match &message.event {
        Event::Absent => Named::NoEvent,
        Event::Unknown(_) => Named::Unknown,
        _ => Named::Known,
    };
    Ok(Checked {
        name: message.name().map(str::to_owned),
        known,
        violations: message
            .violations()
            .into_iter()
            .map(Finding::Schema)
            .collect(),
    })
}

/// The wire path: checks the line's Value against wire shapes.
fn check_with_wire(spec: &qmp_wire::WireSpec, line: &[u8]) -> Result<Checked, String> {
    let value = object(line)?;
    let name = value.get("event").and_then(Value::as_str);
    let known = match name {
        None => Named::NoEvent,
        Some(name) if spec.event(name).is_some() => Named::Known,
        Some(_) => Named::Unknown,
    };
    Ok(Checked {
        name: name.map(str::to_owned),
        known,
        violations: qmp_wire::validate(spec, &value)
            .into_iter()
            .map(Finding::Wire)
            .collect(),
    })
}

/// The counts of the summary line.
#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Summary {
    messages: u64,
    known: u64,
    unknown: u64,
    violations: u64,
    invalid_json: u64,
}

impl Summary {
    fn text(&self) -> String {
        format!(
            "messages: {}, known: {}, unknown: {}, violations: {}, invalid-json: {}",
            self.messages, self.known, self.unknown, self.violations, self.invalid_json
        )
    }

    fn is_clean(&self) -> bool {
        self.violations == 0 && self.invalid_json == 0
    }
}

/// One violation as a `--json` line.
#[derive(Serialize)]
struct JsonViolation<'a> {
    line: u64,
    event: Option<&'a str>,
    #[serde(flatten)]
    violation: &'a Finding,
    message: String,
    drift: bool,
}

/// An invalid line as a `--json` line.
#[derive(Serialize)]
struct JsonInvalid<'a> {
    line: u64,
    event: Option<&'a str>,
    pointer: &'a str,
    kind: &'a str,
    message: &'a str,
    drift: bool,
}

/// An over-long line as a `--json` line.
#[derive(Serialize)]
struct JsonTooLong<'a> {
    line: u64,
    event: Option<&'a str>,
    pointer: &'a str,
    kind: &'a str,
    len: u64,
    limit: usize,
    offset: u64,
    message: &'a str,
    drift: bool,
}

/// The last `--json` line.
#[derive(Serialize)]
struct JsonSummary {
    summary: Summary,
}

/// Writes the report, line by line, in text or JSON.
struct Report<W: Write> {
    out: W,
    json: bool,
    summary: Summary,
}

impl<W: Write> Report<W> {
    fn json_line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    fn invalid(&mut self, line: u64, error: &str) -> io::Result<()> {
        self.summary.invalid_json += 1;
        if self.json {
            self.json_line(&JsonInvalid {
                line,
                event: None,
                pointer: "",
                kind: "invalid_json",
                message: error,
                drift: false,
            })
        } else {
            writeln!(self.out, "{line}: -: invalid JSON: {}", one_line(error))
        }
    }

    fn too_long(&mut self, line: u64, long: &TooLong) -> io::Result<()> {
        self.summary.invalid_json += 1;
        let message = format!(
            "line too long: {} bytes from byte {}, the limit is {}; skipped",
            long.len, long.offset, long.limit
        );
        if self.json {
            self.json_line(&JsonTooLong {
                line,
                event: None,
                pointer: "",
                kind: "line_too_long",
                len: long.len,
                limit: long.limit,
                offset: long.offset,
                message: &message,
                drift: false,
            })
        } else {
            writeln!(self.out, "{line}: -: {message}")
        }
    }

    fn checked(&mut self, line: u64, checked: &Checked) -> io::Result<()> {
        match checked.known {
            Named::Known => self.summary.known += 1,
            Named::Unknown => self.summary.unknown += 1,
            Named::NoEvent => {}
        }
        let event = checked.name.as_deref();
        for violation in &checked.violations {
            self.summary.violations += 1;
            if self.json {
                self.json_line(&JsonViolation {
                    line,
                    event,
                    violation,
                    message: violation.message(),
                    drift: violation.is_drift(),
                })?;
            } else {
                let event = one_line(event.unwrap_or("-"));
                writeln!(
                    self.out,
                    "{line}: {event}: {}",
                    one_line(&violation.to_string())
                )?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<Summary> {
        let summary = self.summary;
        if self.json {
            self.json_line(&JsonSummary { summary })?;
        } else {
            writeln!(self.out, "{}", summary.text())?;
        }
        self.out.flush()?;
        Ok(summary)
    }
}

/// Where a failure happened: reading the input, or writing the report.
enum Failure {
    Read(io::Error),
    Write(io::Error),
    /// A line with no newline within `max_skip` bytes past the limit.
    NoNewline {
        line: u64,
        offset: u64,
        len: u64,
        limit: usize,
    },
}

/// How long a line may be, and how far past that a line is skipped looking for its newline.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest line checked, in bytes, without its line ending.
    pub max_line: usize,
    /// How many bytes past `max_line` an over-long line may run before the input is given up.
    pub max_skip: u64,
}

impl Limits {
    /// `--max-line-len`, or the default; the client's skip allowance.
    pub fn new(max_line: Option<usize>) -> Limits {
        Limits {
            max_line: max_line.unwrap_or(qmp_client::DEFAULT_MAX_LINE_LEN),
            max_skip: qmp_client::MAX_SKIP as u64,
        }
    }
}

/// A line longer than the limit, skipped.
struct TooLong {
    /// Its length without the line ending.
    len: u64,
    limit: usize,
    /// Where it starts in the input.
    offset: u64,
}

/// What [`next_line`] read.
enum Next {
    /// The end of the input.
    End,
    /// A line in the buffer, its line ending removed; `usize` is how many bytes it took.
    Line(usize),
    /// An over-long line, skipped: how many bytes it took, and its length without the ending.
    TooLong { taken: u64, len: u64 },
}

/// A line without its ending (`\n` or `\r\n`).
fn content(bytes: &[u8]) -> &[u8] {
    let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads the next line into `buf`, holding at most `limits.max_line` + 2 bytes of it. A longer
/// line is read on (in bounded pieces, std's `read_until` finds the newline fast) and dropped;
/// `Err(len)` when it runs `max_skip` bytes past the limit without a newline.
fn next_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    limits: Limits,
) -> Result<Next, Result<io::Error, u64>> {
    buf.clear();
    // Room for a line of the limit and its `\r\n`.
    let room = (limits.max_line as u64).saturating_add(2);
    let n = io::Read::take(&mut *input, room)
        .read_until(b'\n', buf)
        .map_err(Ok)?;
    if n == 0 {
        return Ok(Next::End);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended || (n as u64) < room {
        // A whole line (the last one may lack its newline).
        let len = content(buf).len();
        if len <= limits.max_line {
            buf.truncate(len);
            return Ok(Next::Line(n));
        }
        let len = len as u64;
        buf.clear();
        return Ok(Next::TooLong {
            taken: n as u64,
            len,
        });
    }
    // Over the limit and not ended: skip to the newline, 64 KiB at a time.
    let mut taken = n as u64;
    let give_up = (limits.max_line as u64).saturating_add(limits.max_skip);
    loop {
        buf.clear();
        let n = io::Read::take(&mut *input, 64 << 10)
            .read_until(b'\n', buf)
            .map_err(Ok)?;
        taken += n as u64;
        if n == 0 || buf.last() == Some(&b'\n') {
            let len = taken - (buf.len() - content(buf).len()) as u64;
            buf.clear();
            return Ok(Next::TooLong { taken, len });
        }
        if taken > give_up {
            buf.clear();
            return Err(Err(taken));
        }
    }
}

/// Checks every line of `input`, writing the report to `out`.
fn run_lines<R: BufRead, W: Write>(
    checker: &Checker,
    mut input: R,
    out: W,
    json: bool,
    limits: Limits,
) -> Result<Summary, Failure> {
    let mut report = Report {
        out,
        json,
        summary: Summary::default(),
    };
    let mut buf = Vec::new();
    let mut number = 0u64;
    let mut offset = 0u64;
    loop {
        let start = offset;
        let read = match next_line(&mut input, &mut buf, limits) {
            Ok(read) => read,
            Err(Ok(e)) => return Err(Failure::Read(e)),
            Err(Err(len)) => {
                // What was found so far is reported before the error.
                report.out.flush().map_err(Failure::Write)?;
                return Err(Failure::NoNewline {
                    line: number + 1,
                    offset: start,
                    len,
                    limit: limits.max_line,
                });
            }
        };
        let written = match read {
            Next::End => break,
            Next::TooLong { taken, len } => {
                number += 1;
                offset += taken;
                report.summary.messages += 1;
                let long = TooLong {
                    len,
                    limit: limits.max_line,
                    offset: start,
                };
                report.too_long(number, &long)
            }
            Next::Line(taken) => {
                number += 1;
                offset += taken as u64;
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                report.summary.messages += 1;
                match checker.check(&buf) {
                    Ok(checked) => report.checked(number, &checked),
                    Err(error) => report.invalid(number, &error),
                }
            }
        };
        written.map_err(Failure::Write)?;
    }
    report.finish().map_err(Failure::Write)
}

/// Runs `validate`.
pub fn run(args: &crate::args::ValidateArgs) -> Result<Outcome, CliError> {
    let checker = match (&args.spec, &args.spec_from) {
        (Some(path), _) => Checker::from_spec(path, &args.cfg)?,
        (None, Some(socket)) => Checker::Wire(crate::live::schema_of(socket)?),
        (None, None) => Checker::Typed,
    };
    let (input, name): (Box<dyn BufRead>, String) = match &args.input {
        None => (Box::new(io::stdin().lock()), "standard input".to_owned()),
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| CliError::new(format!("cannot open {}: {e}", path.display())))?;
            (
                Box::new(io::BufReader::with_capacity(64 << 10, file)),
                path.display().to_string(),
            )
        }
    };
    let out = io::BufWriter::new(io::stdout().lock());
    match run_lines(
        &checker,
        input,
        out,
        args.json,
        Limits::new(args.max_line_len),
    ) {
        Ok(summary) if summary.is_clean() => Ok(Outcome::Success),
        Ok(_) => Ok(Outcome::Findings),
        Err(Failure::Read(e)) => Err(CliError::new(format!("cannot read {name}: {e}"))),
        Err(Failure::Write(e)) => Err(CliError::output(e)),
        Err(Failure::NoNewline {
            line,
            offset,
            len,
            limit,
        }) => Err(CliError::new(format!(
            "{name}: line {line} (from byte {offset}) has no newline in {len} bytes, far past the \
             line limit of {limit} (--max-line-len): not JSON lines; stopped"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn report(checker: &Checker, input: &str) -> String {
        let mut out = Vec::new();
        let summary = run_lines(
            checker,
            input.as_bytes(),
            &mut out,
            false,
            Limits::new(None),
        );
        assert!(summary.is_ok());
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn counts_and_lines() {
        let input = "\n{\"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 1}}\n\
                     {\"event\": \"NEW\"}\n[1]\n{bad\n{\"return\": {}}";
        let text = report(&Checker::Typed, input);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "3: NEW: /: unknown event `NEW` (drift)");
        assert_eq!(
            lines[1],
            "4: -: invalid JSON: not a JSON object but an array"
        );
        assert!(lines[2].starts_with("5: -: invalid JSON: "), "{text}");
        assert_eq!(
            lines.last().copied(),
            Some("messages: 5, known: 1, unknown: 1, violations: 3, invalid-json: 2")
        );
    }

    #[test]
    fn duplicate_event_falls_back_to_the_value() {
        let input = r#"{"event": "X", "event": "BALLOON_CHANGE", "data": {"actual": 1}}"#;
        let text = report(&Checker::Typed, input);
        assert_eq!(
            text,
            "messages: 1, known: 1, unknown: 0, violations: 0, invalid-json: 0\n"
        );
    }

    /// The report of `input` read with `limits`, and how the run ended.
    fn report_with<R: BufRead>(
        input: R,
        limits: Limits,
        json: bool,
    ) -> (String, Result<(), String>) {
        let mut out = Vec::new();
        let result = match run_lines(&Checker::Typed, input, &mut out, json, limits) {
            Ok(_) => Ok(()),
            Err(Failure::NoNewline {
                line,
                offset,
                len,
                limit,
            }) => Err(format!(
                "line {line} from {offset}: no newline in {len} (limit {limit})"
            )),
            Err(Failure::Read(e) | Failure::Write(e)) => Err(e.to_string()),
        };
        (String::from_utf8_lossy(&out).into_owned(), result)
    }

    #[test]
    fn an_over_long_line_is_skipped_and_the_next_one_checked() {
        // 64 MiB without a newline, through a 1 KiB limit, between two events.
        let first = "{\"event\": \"STOP\"}\n";
        let input = first
            .as_bytes()
            .chain(io::repeat(b'x').take(64 << 20))
            .chain(&b"\r\n{\"event\": \"BALLOON_CHANGE\", \"data\": {}}\n"[..]);
        let limits = Limits {
            max_line: 1024,
            max_skip: 100 << 20,
        };
        let (text, result) = report_with(io::BufReader::new(input), limits, false);
        assert_eq!(result, Ok(()));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            format!(
                "2: -: line too long: {} bytes from byte {}, the limit is 1024; skipped",
                64 << 20,
                first.len()
            )
        );
        assert!(
            lines[2].starts_with("3: BALLOON_CHANGE: /data: missing required member"),
            "{text}"
        );
        assert!(text.ends_with("invalid-json: 1\n"), "{text}");

        // The same in JSON.
        let input = io::repeat(b'x').take(5000).chain(&b"\n"[..]);
        let (text, _) = report_with(io::BufReader::new(input), limits, true);
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["kind"], "line_too_long");
        assert_eq!(
            (
                first["len"].as_u64(),
                first["limit"].as_u64(),
                first["offset"].as_u64()
            ),
            (Some(5000), Some(1024), Some(0))
        );
    }

    #[test]
    fn lines_at_the_limit_pass_and_one_more_byte_does_not() {
        let limits = Limits {
            max_line: 4,
            max_skip: 100,
        };
        for (input, expected) in [
            (
                "1234\n",
                "messages: 1, known: 0, unknown: 0, violations: 0, invalid-json: 1",
            ),
            ("1234\r\n12345\n", "line too long: 5 bytes from byte 6"),
            ("12345", "line too long: 5 bytes from byte 0"),
            ("{}\n", "violations: 1"),
        ] {
            let (text, result) = report_with(input.as_bytes(), limits, false);
            assert_eq!(result, Ok(()));
            assert!(text.contains(expected), "{input:?}: {text}");
        }
        let (text, _) = report_with("1234\n".as_bytes(), limits, false);
        assert!(text.starts_with("1: -: invalid JSON: "), "{text}");
    }

    #[test]
    fn endless_input_without_newline_stops_with_an_error() {
        // `/dev/zero`: one line that never ends.
        let limits = Limits {
            max_line: 1024,
            max_skip: 1 << 20,
        };
        let input = "{\"event\": \"STOP\"}\n".as_bytes().chain(io::repeat(0));
        let (text, result) = report_with(io::BufReader::new(input), limits, false);
        let error = result.unwrap_err();
        assert!(
            error.starts_with("line 2 from 18: no newline in "),
            "{error}"
        );
        // What was found before is reported.
        assert!(text.starts_with("1: STOP: "), "{text}");
    }

    #[test]
    fn control_characters_do_not_break_lines() {
        let input = r#"{"event": "A\nB"}"#;
        let text = report(&Checker::Typed, input);
        assert_eq!(text.lines().count(), 2, "{text}");
    }
}
