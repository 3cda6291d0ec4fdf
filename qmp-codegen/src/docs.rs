//! Rustdoc from the spec's prose: escaping, member notes, and examples turned into doctests.

use crate::Config;
use crate::plan::{EventPlan, TypeSpace};
use proc_macro2::TokenStream;
use qmp_ir as ir;
use qmp_wire::WireSpec;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text` (prettyplease prints them as `///`).
pub fn attrs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Prose from the document, made safe for Markdown: no accidental links, HTML or emphasis.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' | ']' | '*' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// The paragraphs of an event's description and its notes.
pub fn event_prose(event: &ir::Event) -> String {
    let mut out = String::new();
    for p in event.doc.paragraphs() {
        out.push_str(&prose(p));
        out.push_str("\n\n");
    }
    for note in &event.doc.notes {
        out.push_str("**Note:** ");
        out.push_str(&prose(note));
        out.push_str("\n\n");
    }
    out
}

/// The first sentence-ish summary of an event (its first paragraph), or its wire name.
pub fn summary(event: &ir::Event) -> String {
    match &event.doc.summary {
        Some(p) => prose(p),
        None => format!("The `{}` event.", event.name),
    }
}

/// The `# Examples` section of an event: each valid example as a doctest that decodes it, checks
/// the variant and the violations, and round-trips it; each invalid one as text, saying why.
pub fn examples(event: &EventPlan, space: &TypeSpace, wire: &WireSpec, config: &Config) -> String {
    // Each message of an example, with the example it is in; an invalid one is kept (it may be
    // this event's), a valid one only if it is this event.
    let mine: Vec<(&ir::Example, &str, &ir::ExampleJson)> = event
        .ir
        .doc
        .examples
        .iter()
        .flat_map(|e| {
            e.items.iter().filter_map(move |item| match item {
                ir::ExampleItem::Message { text, json, .. } => Some((e, text.as_str(), json)),
                ir::ExampleItem::Elision { .. } | ir::ExampleItem::Text { .. } => None,
            })
        })
        .filter(|(_, _, json)| match json.value() {
            Some(v) => v.get("event").and_then(|n| n.as_str()) == Some(event.wire.as_str()),
            None => true,
        })
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let mut out = String::from("# Examples\n\n");
    for (example, text, json) in mine {
        let line = example.span.line;
        let caption = example
            .caption
            .as_deref()
            .map(|c| format!(" ({})", prose(c)))
            .unwrap_or_default();
        match (json, &config.doctest_crate) {
            (ir::ExampleJson::Invalid { error, at }, _) => {
                out.push_str(&format!(
                    "The spec's example at line {line}{caption} is not valid JSON ({} at line {}, column {}), \
                     so it is shown as written and not tested:\n\n```text\n{}\n```\n\n",
                    prose(error),
                    at.line,
                    at.col,
                    text.trim_end()
                ));
            }
            (ir::ExampleJson::Valid { .. }, None) => {
                out.push_str(&format!(
                    "From the spec, line {line}{caption}:\n\n```json\n{}\n```\n\n",
                    text.trim_end()
                ));
            }
            (ir::ExampleJson::Valid { value }, Some(krate)) => {
                out.push_str(&format!("From the spec, line {line}{caption}:\n\n"));
                out.push_str(&doctest(event, space, wire, krate, text, value));
            }
        }
    }
    out
}

fn doctest(
    event: &EventPlan,
    space: &TypeSpace,
    wire: &WireSpec,
    krate: &str,
    text: &str,
    value: &serde_json::Value,
) -> String {
    let violations = qmp_wire::validate(wire, value);
    let hard = violations.iter().any(|v| !v.is_drift());
    let variant = if hard {
        format!("{krate}::Event::{}(_)", space.mismatched_variant)
    } else if event.payload == crate::plan::Payload::None {
        format!("{krate}::Event::{}", event.variant)
    } else {
        format!("{krate}::Event::{}(_)", event.variant)
    };
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    let mut expected: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    expected.sort();
    let expected: Vec<String> = expected.iter().map(|v| format!("{v:?}")).collect();
    let mut t = String::from("```\n# fn main() -> Result<(), serde_json::Error> {\n");
    t.push_str(&format!(
        "let line = r{hashes}\"{}\"{hashes};\n",
        text.trim_end()
    ));
    t.push_str(&format!(
        "let msg: qmp_events::Message<{krate}::Event> = serde_json::from_str(line)?;\n"
    ));
    t.push_str(&format!(
        "assert!(matches!(msg.event, {variant}), \"{{:?}}\", msg.event);\n"
    ));
    if expected.is_empty() {
        t.push_str("assert!(msg.violations().is_empty());\n");
    } else {
        t.push_str(&format!(
            "let mut violations: Vec<String> = msg.violations().iter().map(|v| v.to_string()).collect();\n\
             violations.sort();\n\
             assert_eq!(violations, [{}]);\n",
            expected.join(", ")
        ));
    }
    t.push_str("// Nothing is lost: the message serializes back to the same JSON.\n");
    t.push_str("assert_eq!(serde_json::to_value(&msg)?, serde_json::from_str::<serde_json::Value>(line)?);\n");
    t.push_str("# Ok(())\n# }\n```\n\n");
    t
}

/// The docs of one member: its prose, then its wire name, type and how the type was chosen.
pub fn field(f: &crate::plan::FieldPlan) -> String {
    let description = f.ir.description.as_deref().unwrap_or_default().trim();
    let mut out = if description.is_empty() {
        format!("The `{}` member.", f.wire)
    } else {
        prose(description)
    };
    out.push_str(&format!("\n\nWire name `\"{}\"`; {}", f.wire, f.type_note));
    if f.optional {
        out.push_str("; optional");
    }
    out.push('.');
    if let Some(r) = &f.ir.refers_to {
        out.push_str(&format!("\n\nThe spec refers to `{}`", r.name));
        if let Some(source) = &r.source {
            out.push_str(&format!(" in `{source}`"));
        }
        out.push_str(" for its values.");
    }
    out
}
