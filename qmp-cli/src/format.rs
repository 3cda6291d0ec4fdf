//! Text rendering shared by the commands: timestamps as UTC without a date crate, event data as
//! `key=value` pairs, and one-line output whatever the input holds.

use qmp_events::{Timestamp, Violation};
use serde_json::Value;
use std::fmt::Write as _;

/// The last second this formats as a date: 9999-12-31T23:59:59Z.
const MAX_SECONDS: i64 = 253_402_300_799;

/// A timestamp as `2010-02-24T14:03:43.435656Z` (UTC), `-` when QEMU could not read the clock
/// (-1/-1), or `seconds.microseconds` when it is outside years 1970..=9999 or has out-of-range
/// microseconds.
pub fn timestamp(ts: Timestamp) -> String {
    if !ts.is_known() {
        return "-".to_owned();
    }
    let (seconds, micros) = (ts.seconds, ts.microseconds);
    if !(0..=MAX_SECONDS).contains(&seconds) || !(0..1_000_000).contains(&micros) {
        return format!("{seconds}.{micros}");
    }
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{micros:06}Z")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`), for `0 <= days` within year 9999.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Escapes control characters (newlines included) so that whatever a message holds prints as one
/// line.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Whether a string can be printed bare in `key=value` without ambiguity.
fn is_bare(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '=' | '[' | ']' | '\\')
        })
}

/// A value of `key=value`: plain strings bare, other strings quoted, anything else compact JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) if is_bare(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The data of an event as ` key=value` pairs (` data=<json>` when it is not an object; nothing
/// when there is none).
pub fn data(data: Option<&Value>) -> String {
    let mut out = String::new();
    match data {
        None => {}
        Some(Value::Object(members)) => {
            for (key, value) in members {
                let _ = write!(out, " {}={}", one_line(key), value_text(value));
            }
        }
        Some(other) => {
            let _ = write!(out, " data={other}");
        }
    }
    out
}

/// How a message differs from the spec, as ` [drift: ...]` / ` [invalid: ...]` notes.
pub fn notes(violations: &[Violation]) -> String {
    labelled(violations.iter().map(|v| (v.to_string(), v.is_drift())))
}

/// The same notes for violations of wire shapes (`watch --spec-from-live`).
pub fn wire_notes(violations: &[qmp_wire::Violation]) -> String {
    labelled(violations.iter().map(|v| (v.to_string(), v.is_drift())))
}

/// ` [drift: ...]` / ` [invalid: ...]` for each (text, is drift).
fn labelled(violations: impl Iterator<Item = (String, bool)>) -> String {
    let mut out = String::new();
    for (text, drift) in violations {
        let (label, text) = match text.strip_suffix(" (drift)") {
            Some(stripped) => ("drift", stripped),
            None if drift => ("drift", text.as_str()),
            None => ("invalid", text.as_str()),
        };
        let _ = write!(out, " [{label}: {}]", one_line(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(seconds: i64, microseconds: i64) -> String {
        timestamp(Timestamp {
            seconds,
            microseconds,
        })
    }

    #[test]
    fn timestamps() {
        assert_eq!(ts(1_267_020_223, 435_656), "2010-02-24T14:03:43.435656Z");
        assert_eq!(ts(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(ts(951_782_400, 1), "2000-02-29T00:00:00.000001Z");
        assert_eq!(ts(MAX_SECONDS, 999_999), "9999-12-31T23:59:59.999999Z");
        assert_eq!(ts(-1, -1), "-");
        assert_eq!(ts(i64::MAX, 0), format!("{}.0", i64::MAX));
        assert_eq!(ts(i64::MIN, i64::MIN), format!("{}.{}", i64::MIN, i64::MIN));
        assert_eq!(ts(5, 1_000_000), "5.1000000");
    }

    #[test]
    fn data_pairs() {
        let value = serde_json::json!({"a": 1, "b": "x y", "c": "plain", "d": {"e": [1]}});
        assert_eq!(data(Some(&value)), r#" a=1 b="x y" c=plain d={"e":[1]}"#);
        assert_eq!(data(Some(&serde_json::json!([1]))), " data=[1]");
        assert_eq!(data(None), "");
    }

    #[test]
    fn control_characters_stay_on_one_line() {
        assert_eq!(one_line("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(one_line("plain"), "plain");
    }
}
