//! Malformed documents: every kind of error, where it is reported and what was expected there.

use qmp_spec::{Diagnostic, Severity, parse};

fn errors(doc: &str) -> Vec<Diagnostic> {
    match parse("spec.txt", doc) {
        Ok(parsed) => panic!("parsed, with {} events", parsed.spec.events.len()),
        Err(diagnostics) => diagnostics,
    }
}

/// The single error of `doc`, as `(file:line:col, message, expected)`.
fn error(doc: &str) -> (String, String, String) {
    let diagnostics = errors(doc);
    let [error] = diagnostics.as_slice() else {
        panic!("one error, got {diagnostics:#?}")
    };
    assert_eq!(error.severity, Severity::Error);
    let line = doc.lines().nth(error.line as usize - 1).unwrap_or("");
    assert_eq!(error.source_line, line);
    (
        error.location(),
        error.message.clone(),
        error.expected.clone().unwrap_or_default(),
    )
}

fn triple(location: &str, message: &str, expected: &str) -> (String, String, String) {
    (
        location.to_string(),
        message.to_string(),
        expected.to_string(),
    )
}

#[test]
fn heading_without_underline() {
    assert_eq!(
        error("FOO\n---\n\nEmitted.\n\nBAR\n\nEmitted.\n"),
        triple(
            "spec.txt:6:1",
            "expected a heading underline",
            "a line of `-` under the heading"
        )
    );
}

#[test]
fn heading_that_is_not_event_names() {
    assert_eq!(
        error("Foo bar\n-------\n\nx\n"),
        triple(
            "spec.txt:1:1",
            "invalid event name in heading",
            "event names in capitals, digits and `_`, separated by commas"
        )
    );
}

#[test]
fn field_bullet_outside_a_data_section() {
    let doc = "FOO\n---\n\nEmitted.\n\n- \"a\": b (json-string)\n";
    assert_eq!(
        error(doc),
        triple(
            "spec.txt:6:1",
            "field list outside a `Data:` section",
            "a `Data:` line before the fields"
        )
    );
    assert_eq!(errors(doc)[0].len, 6);
}

#[test]
fn duplicate_event_name() {
    assert_eq!(
        error("FOO\n---\n\nEmitted.\n\nBAR, FOO\n--------\n\nAgain.\n"),
        triple(
            "spec.txt:6:6",
            "duplicate event `FOO`, first defined at line 1",
            "a name no other event has"
        )
    );
}

#[test]
fn unparsable_type_annotation() {
    let doc = "FOO\n---\n\nData:\n\n- \"a\": b (json-strin)\n";
    assert_eq!(
        error(doc),
        triple(
            "spec.txt:6:11",
            "unexpected `json-strin`",
            "a JSON type (json-string, json-int, json-number, json-bool, json-object or json-array)"
        )
    );
    assert_eq!(errors(doc)[0].len, 10);
}

#[test]
fn unknown_annotation_item() {
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\": b (json-string, bogus)\n"),
        triple(
            "spec.txt:6:24",
            "unexpected `bogus`",
            "a quoted value, `optional` or `currently always \"<value>\"`"
        )
    );
}

#[test]
fn unterminated_annotation() {
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\": b (json-string\n\nExample:\n"),
        triple("spec.txt:6:22", "unexpected end of line", "`,` or `)`")
    );
}

#[test]
fn garbage_in_a_field_list() {
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\": b (json-string)\n- actual: foo\n"),
        triple(
            "spec.txt:7:3",
            "unexpected `actual`",
            "`- data: <Type> type as described in <file>` or a field name in double quotes"
        )
    );
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\" b (json-string)\n"),
        triple("spec.txt:6:7", "unexpected `b`", "`:` after the field name")
    );
}

#[test]
fn data_line_with_something_else_than_none() {
    assert_eq!(
        error("FOO\n---\n\nData: foo\n"),
        triple(
            "spec.txt:4:7",
            "unexpected `foo`",
            "`None.` or the end of the line"
        )
    );
}

#[test]
fn data_described_twice() {
    assert_eq!(
        error("FOO\n---\n\nData: None.\n\nData: None.\n"),
        triple(
            "spec.txt:6:1",
            "the event's data is described twice",
            "one `Data:` section (or `- data:` bullet) per event"
        )
    );
}

#[test]
fn two_type_annotations() {
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\": b (json-string) (json-int)\n"),
        triple(
            "spec.txt:6:24",
            "field `a` has two type annotations",
            "one `(json-...)` annotation per field"
        )
    );
}

#[test]
fn members_under_a_scalar() {
    assert_eq!(
        error("FOO\n---\n\nData:\n\n- \"a\": b (json-int)\n  - \"c\": d\n"),
        triple(
            "spec.txt:7:6",
            "member `c` is nested under `a`, which is a json-int",
            "members only under a `json-object` field"
        )
    );
}

#[test]
fn example_line_without_example() {
    assert_eq!(
        error("FOO\n---\n\nExample:\n\nNote: x\n"),
        triple(
            "spec.txt:6:1",
            "unexpected `Note`",
            "an example: a JSON object starting with `{`"
        )
    );
}

#[test]
fn prose_before_the_first_heading() {
    assert_eq!(
        error("Some prose\n\nFOO\n---\n"),
        triple("spec.txt:1:1", "unexpected `Some`", "an event heading")
    );
}

#[test]
fn empty_document() {
    let expected = "an event heading underlined with `-`";
    assert_eq!(
        error(""),
        triple("spec.txt:1:1", "the document defines no events", expected)
    );
    assert_eq!(
        error("\n  \n"),
        triple("spec.txt:2:3", "the document defines no events", expected)
    );
    assert_eq!(
        error("   Title\n   =====\n"),
        triple("spec.txt:2:9", "the document defines no events", expected)
    );
}

#[test]
fn every_error_is_reported_with_the_warnings() {
    let doc = "FOO\n---\n\nData: None.\n\nData: None.\n\nBAR\n\n{ x }\n\nFOO\n---\n";
    let diagnostics = errors(doc);
    let found: Vec<(u32, Severity)> = diagnostics.iter().map(|d| (d.line, d.severity)).collect();
    assert_eq!(
        found,
        [
            (6, Severity::Error),
            (8, Severity::Error),
            (10, Severity::Warning),
            (12, Severity::Error)
        ]
    );
}

#[test]
fn an_error_renders_like_rustc() {
    let diagnostics = errors("FOO\n---\n\nData:\n\n- \"a\": b (json-strin)\n");
    assert_eq!(
        diagnostics[0].to_string(),
        "\
error: unexpected `json-strin`
 --> spec.txt:6:11
  |
6 | - \"a\": b (json-strin)
  |           ^^^^^^^^^^
  = expected: a JSON type (json-string, json-int, json-number, json-bool, json-object or json-array)"
    );
}

/// The document is parsed a section at a time: an error in a later section is still reported
/// at its line in the whole document, with pest's message for the whole document.
#[test]
fn an_error_in_a_later_section_is_at_its_line_in_the_document() {
    let doc = "AAA\n---\n\nÉmis.\n\nBBB\n---\n\nEmitted.\n\nCCC\n---\n\nData:\n\n- \"a\": b (json-strin)\n";
    assert_eq!(
        error(doc),
        triple(
            "spec.txt:16:11",
            "unexpected `json-strin`",
            "a JSON type (json-string, json-int, json-number, json-bool, json-object or json-array)"
        )
    );
}
