//! Rustdoc from the spec's prose: escaping, member notes, and examples turned into doctests.

use crate::Config;
use crate::plan::{EventPlan, TypeSpace};
use proc_macro2::TokenStream;
use qmp_ir as ir;
use qmp_wire::WireSpec;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text` (prettyplease prints them as `///`). A
/// carriage return in spec text ends nothing here: it is dropped, so it cannot reach a doc
/// comment bare.
pub fn attrs(text: &str) -> TokenStream {
    let text = text.replace('\r', "");
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

/// The fields of the struct whose docs (or whose fields' docs) are being written: `@member`
/// naming one of them links to it.
#[derive(Clone, Copy)]
pub struct Fields<'a>(pub &'a [crate::plan::FieldPlan]);

impl Fields<'_> {
    /// No fields: `@member` is shown as code, not linked.
    pub const NONE: Fields<'static> = Fields(&[]);

    /// The Rust name to link `@wire` to, if the struct has that field and its name needs no
    /// `r#` (which a link cannot spell).
    fn link(&self, wire: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|f| f.wire == wire)
            .map(|f| f.rust.as_str())
            .filter(|rust| crate::names::is_plain(rust))
    }
}

/// Prose from the document, made safe for Markdown: no accidental links, HTML, emphasis, code
/// fences or headings. The reStructuredText of QAPI doc comments becomes Markdown on the way:
/// ` ``literal`` ` becomes a code span and `@member` the member's name as code.
pub fn prose(text: &str) -> String {
    prose_in(text, Fields::NONE)
}

/// [`prose`] in the docs of a struct or of one of its fields: `@member` naming one of `fields`
/// links to it (`[`node-name`](Self::node_name)`).
pub fn prose_in(text: &str, fields: Fields<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut line_start = true;
    while i < chars.len() {
        let c = chars[i];
        // ``literal``: a code span, when it closes on the same paragraph and holds no backtick.
        if c == '`' && chars.get(i + 1) == Some(&'`') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find("``") {
                let literal = &rest[..end];
                if !literal.is_empty() && !literal.contains('`') && !literal.contains("\n\n") {
                    out.push('`');
                    out.push_str(&literal.replace('\n', " "));
                    out.push('`');
                    i += 2 + literal.chars().count() + 2;
                    line_start = false;
                    continue;
                }
            }
        }
        // @member: the member's name, as code, linked to the field when it is one of `fields`.
        if c == '@' && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '-' || **c == '_')
                .collect();
            if !name.is_empty() {
                match fields.link(&name) {
                    Some(rust) => out.push_str(&format!("[`{name}`](Self::{rust})")),
                    None => {
                        out.push('`');
                        out.push_str(&name);
                        out.push('`');
                    }
                }
                i += 1 + name.len();
                line_start = false;
                continue;
            }
        }
        match c {
            '[' | ']' | '*' | '\\' | '`' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // A line of spec text never starts a heading, a quote or a list by accident.
            '#' | '>' | '+' | '=' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
        line_start = c == '\n' || (line_start && c == ' ');
        i += 1;
    }
    out
}

/// A code fence longer than any run of backticks in `text`, so that `text` cannot close it.
pub fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// A build condition in words: `Only when QEMU is built with CONFIG_SPICE.`
pub fn condition(c: &ir::Condition) -> String {
    fn text(c: &ir::Condition) -> String {
        match c {
            ir::Condition::Name(name) => format!("`{name}`"),
            ir::Condition::All(all) => all.iter().map(text).collect::<Vec<_>>().join(" and "),
            ir::Condition::Any(any) => format!(
                "({})",
                any.iter().map(text).collect::<Vec<_>>().join(" or ")
            ),
            ir::Condition::Not(not) => format!("not {}", text(not)),
        }
    }
    format!("Only when QEMU is built with {}.", text(c))
}

/// `#[deprecated = "..."]` for a definition or member with the `deprecated` feature.
pub fn deprecated(features: &[ir::Feature]) -> Option<TokenStream> {
    let feature = features.iter().find(|f| f.name == "deprecated")?;
    let note = feature
        .description
        .as_deref()
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "deprecated in the QAPI schema".to_owned());
    Some(quote!(#[deprecated = #note]))
}

/// The paragraphs of a definition's description, then its notes, each followed by a blank line;
/// `@member` naming one of `fields` links to it.
fn description(doc: &ir::Doc, fields: Fields<'_>) -> String {
    let mut out = String::new();
    for p in doc.paragraphs() {
        out.push_str(&prose_in(p, fields));
        out.push_str("\n\n");
    }
    for note in &doc.notes {
        out.push_str("**Note:** ");
        out.push_str(&prose_in(note, fields));
        out.push_str("\n\n");
    }
    out
}

/// The docs of a named type of the schema: its prose, its schema name, when it exists, and its
/// features. `fields` are the type's own when it is a struct (`@member` links to them).
pub fn named_def(def: &crate::plan::NamedDef, fields: Fields<'_>) -> String {
    let mut out = description(&def.doc, fields);
    out.push_str(&format!("Schema name: `{}`.", def.name));
    if let Some(since) = &def.doc.since {
        out.push_str(&format!(" Since QEMU {}.", prose(since.trim())));
    }
    if let Some(c) = &def.condition {
        out.push_str(&format!(" {}", condition(c)));
    }
    features(&mut out, &def.features);
    out
}

/// Appends what the features of a definition mean.
fn features(out: &mut String, features: &[ir::Feature]) {
    for f in features {
        match f.name.as_str() {
            "deprecated" => out.push_str("\n\n**Deprecated.**"),
            "unstable" => out.push_str("\n\n**Unstable:** it may change or go away."),
            _ => continue,
        }
        if let Some(d) = &f.description {
            out.push(' ');
            out.push_str(&prose(d.trim()));
        }
    }
}

/// The paragraphs of an event's description and its notes, then when it exists; `fields` are
/// those of the event's data struct when the docs go there (`@member` links to them).
pub fn event_prose(event: &EventPlan, fields: Fields<'_>) -> String {
    let mut out = description(&event.doc, fields);
    let mut facts = String::new();
    if let Some(since) = &event.doc.since {
        facts.push_str(&format!("Since QEMU {}. ", prose(since.trim())));
    }
    if let Some(c) = &event.condition {
        facts.push_str(&format!("{} ", condition(c)));
    }
    features(&mut facts, &event.features);
    if !facts.is_empty() {
        out.push_str(facts.trim());
        out.push_str("\n\n");
    }
    out
}

/// The first sentence-ish summary of an event (its first paragraph), or its wire name.
pub fn summary(event: &EventPlan) -> String {
    match &event.doc.summary {
        Some(p) => prose(p),
        None => format!("The `{}` event.", event.wire),
    }
}

/// The `# Examples` section of an event: each valid example as a doctest that decodes it, checks
/// the variant and the violations, and round-trips it; each invalid one as text, saying why.
pub fn examples(event: &EventPlan, space: &TypeSpace, wire: &WireSpec, config: &Config) -> String {
    // Each message of an example, with the example it is in; an invalid one is kept (it may be
    // this event's), a valid one only if it is this event.
    let mine: Vec<(&ir::Example, &str, &ir::ExampleJson)> = event
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
        // A spec of several files (a QAPI schema) names the file; the legacy document is one.
        let from = match space.files.get(example.span.file.0 as usize) {
            Some(file) if space.files.len() > 1 => format!("From `{file}`, line {line}"),
            _ => format!("From the spec, line {line}"),
        };
        let caption = example
            .caption
            .as_deref()
            .map(|c| format!(" ({})", prose(c)))
            .unwrap_or_default();
        match (json, &config.doctest_crate) {
            (ir::ExampleJson::Invalid { error, at }, _) => {
                let fence = fence(text);
                out.push_str(&format!(
                    "The spec's example at line {line}{caption} is not valid JSON ({} at line {}, column {}), \
                     so it is shown as written and not tested:\n\n{fence}text\n{}\n{fence}\n\n",
                    prose(error),
                    at.line,
                    at.col,
                    text.trim_end()
                ));
            }
            (ir::ExampleJson::Valid { .. }, None) => {
                let fence = fence(text);
                out.push_str(&format!(
                    "{from}{caption}:\n\n{fence}json\n{}\n{fence}\n\n",
                    text.trim_end()
                ));
            }
            (ir::ExampleJson::Valid { value }, Some(krate)) => {
                out.push_str(&format!("{from}{caption}:\n\n"));
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
    let fence = fence(text);
    let mut t = format!("{fence}\n# fn main() -> Result<(), serde_json::Error> {{\n");
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
    t.push_str(&format!("# Ok(())\n# }}\n{fence}\n\n"));
    t
}

/// The docs of one member: its prose, then its wire name, type and how the type was chosen.
/// `@member` naming one of `fields` (the struct's) links to it.
pub fn field(f: &crate::plan::FieldPlan, fields: Fields<'_>) -> String {
    let description = f.description.as_deref().unwrap_or_default().trim();
    let mut out = if description.is_empty() {
        format!("The `{}` member.", f.wire)
    } else {
        prose_in(description, fields)
    };
    out.push_str(&format!("\n\nWire name `\"{}\"`; {}", f.wire, f.type_note));
    if f.optional {
        out.push_str("; optional");
    }
    out.push('.');
    if let Some(r) = &f.refers_to {
        out.push_str(&format!("\n\nThe spec refers to `{}`", r.name));
        if let Some(source) = &r.source {
            out.push_str(&format!(" in `{source}`"));
        }
        out.push_str(" for its values.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Fields, prose, prose_in};
    use crate::plan::{FieldPlan, RustType};

    fn field(wire: &str, rust: &str) -> FieldPlan {
        FieldPlan {
            wire: wire.to_owned(),
            rust: rust.to_owned(),
            ty: RustType::String,
            optional: false,
            description: None,
            refers_to: None,
            features: Vec::new(),
            type_note: String::new(),
        }
    }

    /// `@member` links to a field of the struct it is documented on; any other member, and a
    /// field whose name is a keyword (a link cannot spell `r#type`), stays code.
    #[test]
    fn a_member_reference_links_to_the_field() {
        let fields = [field("node-name", "node_name"), field("type", "type")];
        assert_eq!(
            prose_in("see @node-name, @type and @other.", Fields(&fields)),
            "see [`node-name`](Self::node_name), `type` and `other`."
        );
        assert_eq!(prose("see @node-name."), "see `node-name`.");
    }
}
