//! Hostile documents (found by fuzzing and by hand): each input, and the diagnostic it gets,
//! rendered as a user sees it.

use qmp_spec::{parse, parse_bytes};

/// A document whose one event has `fields` as its `Data:` section (from line 8 on).
fn with_fields(fields: &str) -> String {
    format!("FOO\n---\n\nEmitted.\n\nData:\n\n{fields}")
}

/// Every diagnostic of a document that does not parse, rendered, one blank line between them.
fn rendered(doc: &[u8]) -> String {
    match parse_bytes("spec.txt", doc) {
        Ok(parsed) => panic!("parsed, with {} events", parsed.spec.events.len()),
        Err(diagnostics) => diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

#[test]
fn duplicate_member() {
    let doc = with_fields("- \"a\": x (json-string)\n- \"a\": y (json-int)\n");
    assert_eq!(
        rendered(doc.as_bytes()),
        "\
error: duplicate member `a`, first defined at line 8
 --> spec.txt:9:4
  |
9 | - \"a\": y (json-int)
  |    ^
  = expected: a name no other member of the object has
  = note: `a` is first defined at spec.txt:8:4"
    );
}

#[test]
fn duplicate_nested_member_but_not_across_objects() {
    let doc = with_fields(
        "- \"a\": x (json-object)\n  - \"b\": y\n- \"c\": x (json-object)\n  - \"b\": y\n  - \"b\": z\n",
    );
    assert_eq!(
        rendered(doc.as_bytes()),
        "\
error: duplicate member `b`, first defined at line 11
  --> spec.txt:12:6
   |
12 |   - \"b\": z
   |      ^
   = expected: a name no other member of the object has
   = note: `b` is first defined at spec.txt:11:6"
    );
}

/// The error for a field named `name`, from its message line to its caret line.
fn bad_name(name: &str) -> String {
    let doc = with_fields(&format!("- \"{name}\": x (json-string)\n"));
    let text = rendered(doc.as_bytes());
    assert!(
        text.ends_with("= expected: a member name: ASCII letters, digits, `-` and `_`"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    format!("{}\n{}\n{}", lines[0], lines[1], lines[4])
}

#[test]
fn field_names_that_are_not_member_names() {
    assert_eq!(
        bad_name("é"),
        "error: field name `é` contains `é`\n --> spec.txt:8:4\n  |    ^"
    );
    assert_eq!(
        bad_name("ab.c"),
        "error: field name `ab.c` contains `.`\n --> spec.txt:8:6\n  |      ^"
    );
    assert_eq!(
        bad_name("a+b"),
        "error: field name `a+b` contains `+`\n --> spec.txt:8:5\n  |     ^"
    );
    assert_eq!(
        bad_name("a b"),
        "error: field name `a b` contains a space\n --> spec.txt:8:5\n  |     ^"
    );
    assert_eq!(
        bad_name(""),
        "error: empty field name\n --> spec.txt:8:3\n  |   ^^"
    );
    // After a non-ASCII character, the column still counts characters.
    assert_eq!(
        bad_name("éa+"),
        "error: field name `éa+` contains `é`\n --> spec.txt:8:4\n  |    ^"
    );
}

#[test]
fn invalid_utf8_is_reported_at_its_byte() {
    let mut doc = with_fields("- \"a\": x (json-string)\n- \"b\": é").into_bytes();
    doc.extend_from_slice(b"\xff (json-string)\n");
    assert_eq!(
        rendered(&doc),
        "\
error: invalid UTF-8: byte 0xFF is not part of a character
 --> spec.txt:9:9
  |
9 | - \"b\": é\u{fffd} (json-string)
  |         ^
  = expected: text in UTF-8"
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let doc = with_fields("- \"a\": x (json-string)\n");
    let plain = parse("spec.txt", &doc).expect("parses");
    let marked = parse("spec.txt", &format!("\u{feff}{doc}")).expect("parses");
    assert_eq!(plain, marked);
    // Columns on the first line count from after the mark.
    assert_eq!(
        rendered("\u{feff}FOO BAR\n-------\n".as_bytes()),
        "\
error: invalid event name in heading
 --> spec.txt:1:1
  |
1 | FOO BAR
  | ^^^^^^^
  = expected: event names in capitals, digits and `_`, separated by commas"
    );
}

#[test]
fn carriage_returns_that_end_no_line() {
    let doc = with_fields("- \"a\": x (json-string)\n");
    assert_eq!(
        rendered(doc.replace('\n', "\r\r\n").as_bytes()),
        "\
error: line ends in `\\r\\r\\n`: a `\\r` without its `\\n` (line endings converted twice?)
 --> spec.txt:1:4
  |
1 | FOO\u{240d}
  |    ^
  = expected: lines ending in `\\n` or `\\r\\n`"
    );
    assert_eq!(
        rendered(doc.replace('\n', "\r").as_bytes()),
        "\
error: a `\\r` without a `\\n` after it (old Mac line endings?)
 --> spec.txt:1:4
  |
1 | FOO\u{240d}---\u{240d}\u{240d}Emitted.\u{240d}\u{240d}Data:\u{240d}\u{240d}- \"a\": x (json-string)\u{240d}
  |    ^
  = expected: lines ending in `\\n` or `\\r\\n`"
    );
    // `\r\n` throughout is fine.
    assert!(parse("spec.txt", &doc.replace('\n', "\r\n")).is_ok());
}

#[test]
fn tabs_in_bullet_indentation() {
    let doc =
        with_fields("- \"a\": x (json-object)\n\t- \"b\": y (json-int)\n\t- \"c\": z (json-int)\n");
    assert_eq!(
        rendered(doc.as_bytes()),
        "\
error: tab in the indentation of a field bullet
 --> spec.txt:9:1
  |
9 | \t- \"b\": y (json-int)
  | ^
  = expected: spaces: members nest by the column of their bullet, and a tab has no agreed width"
    );
}

/// `levels` members, each nested under the one before.
fn nested(levels: usize) -> String {
    let mut fields = String::new();
    for level in 0..levels {
        fields.push_str(&" ".repeat(level));
        fields.push_str(&format!("- \"m{level}\": x\n"));
    }
    with_fields(&fields)
}

#[test]
fn members_nest_at_most_64_deep() {
    assert!(parse("spec.txt", &nested(64)).is_ok());
    let text = rendered(nested(65).as_bytes());
    assert!(
        text.starts_with(
            "error: member `m64` is nested 65 levels deep, more than the 64 allowed\n  --> spec.txt:72:68\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("= expected: members nested at most 64 levels deep"),
        "{text}"
    );
    // One error for the whole list, however deep it goes.
    assert_eq!(rendered(nested(200).as_bytes()), text);
}

/// 10,000 levels (50 MB of indentation) give the error, not a stack overflow, on a test thread's
/// default stack, also in a debug build. Slow in a debug build, hence ignored: run with
/// `cargo test -p qmp-spec --test hostile -- --ignored`.
#[test]
#[ignore = "reads 50 MB: about 100 s of CPU in a debug build"]
fn ten_thousand_levels_are_an_error_not_an_overflow() {
    let text = rendered(nested(10_000).as_bytes());
    assert!(
        text.starts_with("error: member `m64` is nested 65 levels deep"),
        "{text}"
    );
}

#[test]
fn a_deeply_nested_example_says_so_in_one_line_of_context() {
    let depth = 10_000;
    let doc = format!(
        "FOO\n---\n\nExample:\n\n{{ \"event\": \"FOO\", \"data\": {}{} }}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let parsed = parse("spec.txt", &doc).expect("a warning only");
    let [warning] = parsed.warnings.as_slice() else {
        panic!("one warning: {:#?}", parsed.warnings)
    };
    let text = warning.to_string();
    assert_eq!(
        text.lines().next(),
        Some(
            "warning: example nests more than 128 levels deep, which serde_json does not read \
             (recursion limit exceeded)"
        )
    );
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.len() < 500, "{} bytes", text.len());
}
