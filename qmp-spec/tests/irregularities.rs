//! Each layout quirk of the real documents, in a small inline document.

use qmp_spec::ir::{Data, Event, ExampleJson, Field, JsonType, Span, ValueSet, ValueSetKind};
use qmp_spec::{Parsed, parse};

fn parse_ok(doc: &str) -> Parsed {
    match parse("t.txt", doc) {
        Ok(parsed) => parsed,
        Err(diagnostics) => {
            let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!("does not parse:\n{}", rendered.join("\n\n"))
        }
    }
}

/// The single event of `doc`, which must parse without warnings.
fn event(doc: &str) -> Event {
    let parsed = parse_ok(doc);
    assert_eq!(parsed.warnings, [], "unexpected warnings");
    assert_eq!(parsed.spec.events.len(), 1);
    parsed.spec.events.into_iter().next().expect("one event")
}

fn fields(event: &Event) -> &[Field] {
    match &event.data {
        Data::Fields { fields } => fields,
        other => panic!("expected fields, got {other:?}"),
    }
}

/// The single field of an event whose data section is `fields`.
fn field(fields: &str) -> Field {
    let doc = format!("E\n-\n\nData:\n\n{fields}\n");
    let doc = doc.replace("E\n-\n", "EV\n--\n");
    let event = event(&doc);
    let list = self::fields(&event);
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].clone()
}

fn values(set: &Option<ValueSet>) -> (ValueSetKind, Vec<(&str, Option<&str>)>) {
    let set = set.as_ref().expect("a value set");
    (
        set.kind,
        set.values
            .iter()
            .map(|v| (v.name.as_str(), v.description.as_deref()))
            .collect(),
    )
}

fn span(line: u32, col: u32, end_line: u32, end_col: u32) -> Span {
    Span {
        line,
        col,
        end_line,
        end_col,
    }
}

#[test]
fn a_heading_naming_two_events_yields_two_events_sharing_the_body() {
    let parsed = parse_ok("A_B, C_D\n--------\n\nEmitted.\n\nData: None.\n");
    let [a, c] = parsed.spec.events.as_slice() else {
        panic!("two events")
    };
    assert_eq!((a.name.as_str(), a.span), ("A_B", span(1, 1, 1, 4)));
    assert_eq!((c.name.as_str(), c.span), ("C_D", span(1, 6, 1, 9)));
    assert_eq!((&a.description, &a.data), (&c.description, &c.data));
}

#[test]
fn the_title_is_indented_and_underlined_with_equal_signs() {
    let parsed = parse_ok("      Some Title\n      ==========\n\nEV\n--\n");
    assert_eq!(parsed.spec.title.as_deref(), Some("Some Title"));
    assert_eq!(parse_ok("EV\n--\n").spec.title, None);
}

#[test]
fn underlines_may_be_longer_or_shorter_and_need_no_blank_line_after() {
    let parsed = parse_ok("LONG\n--------------\nEmitted.\n\nSHORT_ONE\n---\n\nAlso.\n");
    let names: Vec<&str> = parsed.spec.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["LONG", "SHORT_ONE"]);
    assert_eq!(parsed.spec.events[0].description, ["Emitted."]);
}

#[test]
fn paragraphs_are_kept_and_their_lines_joined_with_one_space() {
    let event = event("EV\n--\n\nFirst line\nsecond  line. \n\n\nSecond paragraph.\n");
    assert_eq!(
        event.description,
        ["First line second line.", "Second paragraph."]
    );
}

#[test]
fn notes_lose_their_prefix_and_may_span_lines() {
    let event = event(
        "EV\n--\n\nEmitted.\n\nNote: If action is \"stop\", a STOP event\nwill follow.\n\nNote: Another.\n",
    );
    assert_eq!(event.description, ["Emitted."]);
    assert_eq!(
        event.notes,
        [
            "If action is \"stop\", a STOP event will follow.",
            "Another."
        ]
    );
}

#[test]
fn data_unspecified_none_and_named() {
    assert_eq!(event("EV\n--\n\nEmitted.\n").data, Data::Unspecified);
    assert_eq!(
        event("EV\n--\n\nData: None.\n").data,
        Data::None {
            span: span(4, 7, 4, 11)
        }
    );
    let named = event("EV\n--\n\n - data: ACPIOSTInfo type as described in qapi-schema.json\n");
    let Data::Named { reference } = named.data else {
        panic!("named data")
    };
    assert_eq!(reference.name, "ACPIOSTInfo");
    assert_eq!(reference.source.as_deref(), Some("qapi-schema.json"));
    assert_eq!(reference.span, span(4, 10, 4, 21));
}

#[test]
fn data_none_followed_by_fields_is_read_as_fields_with_a_warning() {
    let parsed = parse_ok("EV\n--\n\nData: None.\n\n - \"status\": migration status\n");
    let [warning] = parsed.warnings.as_slice() else {
        panic!("one warning")
    };
    assert_eq!((warning.line, warning.col, warning.len), (4, 7, 4));
    assert!(warning.message.contains("`Data: None.` but lists fields"));
    let list = fields(&parsed.spec.events[0]);
    assert_eq!(list[0].name, "status");
    assert_eq!(list[0].span, span(6, 5, 6, 11));
}

#[test]
fn each_json_type_and_none() {
    for (text, ty) in [
        ("json-string", Some(JsonType::String)),
        ("json-int", Some(JsonType::Int)),
        ("json-number", Some(JsonType::Number)),
        ("json-bool", Some(JsonType::Bool)),
        ("json-object", Some(JsonType::Object)),
        ("json-array", Some(JsonType::Array)),
    ] {
        let f = field(&format!("- \"sector-num\": Number ({text})"));
        assert_eq!(
            (f.name.as_str(), f.ty, f.optional),
            ("sector-num", ty, false)
        );
        assert_eq!(f.description, "Number");
    }
    let f = field("- \"reference\":    device name if defined else node name.");
    assert_eq!(
        (f.ty, f.description.as_str()),
        (None, "device name if defined else node name.")
    );
}

#[test]
fn optional_is_read_from_the_annotation() {
    let f = field("- \"auth\": authentication method (json-string, optional)");
    assert_eq!(
        (f.ty, f.optional, f.description.as_str()),
        (Some(JsonType::String), true, "authentication method")
    );
}

#[test]
fn continuation_lines_and_hanging_indents_are_joined() {
    let f = field(
        "- \"error\":    Error message (json-string, optional)\n              Only present on failure.  This field\n              is prose.",
    );
    assert_eq!(
        f.description,
        "Error message Only present on failure. This field is prose."
    );
    assert!(f.optional);
    // A continuation that is not indented at all (RTC_CHANGE).
    let f = field(
        "- \"offset\": Offset between clocks (as specified by -rtc base), and\nnew RTC clock value (json-number)",
    );
    assert_eq!(
        f.description,
        "Offset between clocks (as specified by -rtc base), and new RTC clock value"
    );
    assert_eq!(f.ty, Some(JsonType::Number));
}

#[test]
fn the_annotation_may_be_on_a_continuation_line() {
    let f = field(
        "- \"offset\":    If the corruption resulted, this\n               is the offset\n               (json-int, optional)",
    );
    assert_eq!((f.ty, f.optional), (Some(JsonType::Int), true));
    assert_eq!(
        f.description,
        "If the corruption resulted, this is the offset"
    );
}

#[test]
fn only_the_annotation_is_removed_from_the_prose() {
    let f = field("- \"msg\": Informative message (e.g., reason for the error) (json-string)");
    assert_eq!(
        f.description,
        "Informative message (e.g., reason for the error)"
    );
    let f = field("- \"action\": Action taken (json-string, currently always \"pause\").");
    assert_eq!(f.description, "Action taken.");
    assert_eq!(
        values(&f.values),
        (ValueSetKind::Constant, vec![("pause", None)])
    );
    assert_eq!(f.values.as_ref().map(|v| v.span), Some(span(6, 40, 6, 64)));
}

#[test]
fn alternatives_in_the_annotation() {
    let f = field("- \"family\": address family (json-string, \"ipv4\" or \"ipv6\")");
    assert_eq!(f.description, "address family");
    assert_eq!(
        values(&f.values),
        (ValueSetKind::OneOf, vec![("ipv4", None), ("ipv6", None)])
    );
    let f = field("- \"x\": y (json-string, \"a\", \"b\", or \"a\")");
    assert_eq!(
        values(&f.values),
        (ValueSetKind::OneOf, vec![("a", None), ("b", None)])
    );
}

#[test]
fn described_alternatives_spread_over_two_lines() {
    let f = field(
        "- \"type\":     Job type (json-string; \"stream\" for image streaming\n                                     \"commit\" for block commit)",
    );
    assert_eq!(
        (f.ty, f.description.as_str()),
        (Some(JsonType::String), "Job type")
    );
    assert_eq!(
        values(&f.values),
        (
            ValueSetKind::OneOf,
            vec![
                ("stream", Some("image streaming")),
                ("commit", Some("block commit"))
            ]
        )
    );
    assert_eq!(f.values.as_ref().map(|v| v.span), Some(span(6, 38, 7, 63)));
}

#[test]
fn value_lines_after_one_of_the_following() {
    let f = field(
        "- \"action\": action that has been taken, it's one of the following (json-string):\n    \"ignore\": error has been ignored\n    \"stop\": the VM is going to stop",
    );
    assert_eq!(
        f.description,
        "action that has been taken, it's one of the following:"
    );
    assert_eq!(
        values(&f.values),
        (
            ValueSetKind::OneOf,
            vec![
                ("ignore", Some("error has been ignored")),
                ("stop", Some("the VM is going to stop"))
            ]
        )
    );
    assert_eq!(f.values.as_ref().map(|v| v.span), Some(span(7, 5, 8, 36)));
}

#[test]
fn a_quoted_list_after_one_of_the_following() {
    let f = field(
        "- \"action\": Action that has been taken, it's one of the following (json-string):\n            \"reset\", \"shutdown\", or \"none\"",
    );
    assert_eq!(
        values(&f.values),
        (
            ValueSetKind::OneOf,
            vec![("reset", None), ("shutdown", None), ("none", None)]
        )
    );
    assert_eq!(
        f.description,
        "Action that has been taken, it's one of the following: \"reset\", \"shutdown\", or \"none\""
    );
}

#[test]
fn quoted_words_in_ordinary_prose_are_not_values() {
    let f = field(
        "- \"channel-type\": channel type.  \"1\" is the main control channel, filter for\n                    this one (json-int)",
    );
    assert_eq!((f.ty, &f.values), (Some(JsonType::Int), &None));
    assert_eq!(
        f.description,
        "channel type. \"1\" is the main control channel, filter for this one"
    );
    let f = field("- \"channel-id\": channel id.  Usually \"0\", might be different (json-int)");
    assert_eq!(f.values, None);
    // Not even for a string, unless in a recognised form.
    let f = field("- \"id\": Usually \"0\" or \"1\" (json-string)");
    assert_eq!(f.values, None);
    // A value set on a member that is not a string is dropped.
    let f = field("- \"n\": a number, one of the following (json-int): \"1\", \"2\"");
    assert_eq!(f.values, None);
}

#[test]
fn see_type_in_file_for_possible_values_is_a_reference() {
    let f = field(
        " - \"status\": migration status\n     See MigrationStatus in ~/qapi-schema.json for possible values",
    );
    let reference = f.reference.as_ref().expect("a reference");
    assert_eq!(
        (reference.name.as_str(), reference.source.as_deref()),
        ("MigrationStatus", Some("qapi-schema.json"))
    );
    assert_eq!(reference.span, span(7, 10, 7, 25));
    assert_eq!(
        f.description,
        "migration status See MigrationStatus in ~/qapi-schema.json for possible values"
    );
    assert_eq!((f.ty, &f.values), (None, &None));
}

#[test]
fn indented_bullets_are_members() {
    let event = event(
        "EV\n--\n\nData:\n\n- \"server\": Server information (json-object)\n  - \"host\": IP address (json-string)\n  - \"port\": port number\n             continued (json-string)\n- \"client\": Client (json-object)\n  - \"host\": IP (json-string)\n",
    );
    let list = fields(&event);
    let shape: Vec<(&str, Vec<&str>)> = list
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.members.iter().map(|m| m.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [("server", vec!["host", "port"]), ("client", vec!["host"])]
    );
    assert_eq!(list[0].members[1].description, "port number continued");
}

#[test]
fn examples_with_and_without_example_line_and_captions() {
    let event = event(
        "EV\n--\n\nEmitted.\n\nExample:\n\nRead operation:\n\n{ \"event\": \"EV\" }\n\nWrite operation:\n{ \"event\": \"EV\",\n  \"data\": {} }\n\n{ \"event\": \"EV\" }\n",
    );
    let captions: Vec<Option<&str>> = event
        .examples
        .iter()
        .map(|e| e.caption.as_deref())
        .collect();
    assert_eq!(
        captions,
        [Some("Read operation"), Some("Write operation"), None]
    );
    assert_eq!(event.examples[1].span, span(13, 1, 14, 15));
    assert_eq!(
        event.examples[1].text,
        "{ \"event\": \"EV\",\n  \"data\": {} }"
    );
    assert!(event.examples.iter().all(|e| e.value().is_some()));
    assert_eq!(event.description, ["Emitted."]);
}

#[test]
fn invalid_example_json_is_kept_with_a_warning_at_its_document_position() {
    let parsed = parse_ok("EV\n--\n\nExample:\n\n  { \"event\": \"EV\"\n  \"data\": {} }\n");
    let example = &parsed.spec.events[0].examples[0];
    let ExampleJson::Invalid { error, at } = &example.json else {
        panic!("invalid JSON")
    };
    assert_eq!(
        (error.as_str(), *at),
        ("expected `,` or `}`", span(7, 3, 7, 4))
    );
    let [warning] = parsed.warnings.as_slice() else {
        panic!("one warning")
    };
    assert_eq!((warning.line, warning.col), (7, 3));
    assert_eq!(
        warning.message,
        "example is not valid JSON: expected `,` or `}`"
    );
    // The first line's indentation is not part of the block: columns still match the document.
    assert_eq!(example.span, span(6, 3, 7, 15));
    // An error on the first line.
    let parsed = parse_ok("EV\n--\n\n  { \"event\" \"EV\" }\n");
    assert_eq!((parsed.warnings[0].line, parsed.warnings[0].col), (4, 13));
}

#[test]
fn a_stray_closing_brace_line_belongs_to_the_example() {
    let parsed = parse_ok("EV\n--\n\n{ \"event\": \"EV\" }\n}\n\nNote: after.\n");
    let event = &parsed.spec.events[0];
    assert_eq!(event.examples[0].text, "{ \"event\": \"EV\" }\n}");
    assert_eq!((parsed.warnings[0].line, parsed.warnings[0].col), (5, 1));
    assert_eq!(event.notes, ["after."]);
}

#[test]
fn trailing_spaces_double_blank_lines_and_crlf() {
    let doc = "EV \r\n--\r\n\r\n\r\nEmitted. \r\n\r\nData: \r\n\r\n- \"a\": b (json-string) \r\n\r\n\r\nExample:\r\n\r\n{ \"event\": \"EV\" }\r\n";
    let event = event(doc);
    assert_eq!(event.description, ["Emitted."]);
    assert_eq!(fields(&event)[0].description, "b");
    assert_eq!(event.examples.len(), 1);
    assert!(event.examples[0].value().is_some());
}

#[test]
fn a_document_without_final_line_break() {
    let event = event("EV\n--\n\nData: None.");
    assert!(matches!(event.data, Data::None { .. }));
}
