//! IR -> Rust: the types, serde impls, validators and docs of a set of QMP events.
//!
//! ```text
//! ir::Spec --plan--> TypeSpace (names, de-duplication, schema) --emit--> TokenStream
//!          --prettyplease--> file (cargo xtask regen) | macro output (qmp_events!)
//! ```
//!
//! [`generate`] is the one entry point shared by `cargo xtask regen`, the `qmp_events!` macro
//! and [`Builder`] (for build scripts, writing into `OUT_DIR`); [`render_file`] formats its
//! output as a file. [`spec::load`] reads a spec file with the front end its content calls for.
//!
//! # Type mapping
//!
//! | spec | Rust |
//! |---|---|
//! | event `BALLOON_CHANGE` with data | struct `BalloonChange`, variant `Event::BalloonChange(BalloonChange)` |
//! | event whose data struct is estimated above 64 bytes ([`plan::MAX_INLINE_PAYLOAD`], the size of `Event::Mismatched`) | the variant holds it boxed: `Event::SpiceConnected(Box<SpiceConnected>)`, so that `Event` stays 72 bytes and moves without `memcpy` |
//! | event with `Data: None.` | unit variant `Event::Stop` (QEMU omits `data`) |
//! | event whose data is a named type (`ACPIOSTInfo type as described in ...`) | struct `ACPIOSTInfo(Map<String, Value>)`: the raw object, nothing invented |
//! | member `"sector-num"` | field `sector_num`, wire name kept; keywords become raw (`r#type`) |
//! | `optional` member | `Option<T>` (absent when `None`; an explicit `null` does not match) |
//! | `json-string` | `String` |
//! | `json-string` with a value set (`"ipv4" or "ipv6"`, `currently always "pause"`) | open enum with an `Other(String)` variant |
//! | `json-int` | `i64` (QEMU sends negative values, e.g. SPICE `connection-id`) |
//! | `json-number` | `i64` when the spec's examples show it and all are integers, else `serde_json::Number` (an integer exactly; a fraction as serde_json reads it, the nearest `f64`, unless serde_json's `arbitrary_precision` keeps its text) |
//! | `json-bool` | `bool` |
//! | `json-object` with members | a struct of its own; structurally identical shapes share one struct |
//! | `json-object` without members | `serde_json::Map<String, Value>` |
//! | `json-array` | `Vec<serde_json::Value>` |
//! | no JSON type | inferred from the spec's examples when they all agree, else `serde_json::Value` |
//!
//! Every struct also keeps the members the spec does not describe (`extra`), so that decoding and
//! serializing a message gives back the same JSON.
//!
//! # Names
//!
//! A nested struct or value-set enum is named from where it is first used: its event, then the
//! members down to it (`data.server` of SPICE_CONNECTED gives `SpiceConnectedServer`, the
//! `family` inside it `SpiceConnectedServerFamily`). Structurally identical shapes are shared and
//! keep the first name, so a new event that uses the same shape cannot rename it. A QAPI schema's
//! named types keep their names in Rust case (`ACPIOSTInfo` is `AcpiostInfo`). Colliding names
//! get a number.

mod builder;
mod docs;
mod emit;
pub mod names;
pub mod plan;
pub mod spec;

pub use builder::{BuildError, Builder};
use proc_macro2::TokenStream;
use qmp_ir as ir;
use qmp_ir::Diagnostic;

/// Knobs for one generation. Non-exhaustive, so that a new knob is not a breaking change:
/// start from `Config::default()` and set what you need
/// (`Config::default().with_doctest_crate("my_crate::events")`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The crate path under which the generated types are reachable from a doctest (`qmp_events`).
    /// When set, each valid example of the spec becomes a doctest; when `None`, examples are
    /// shown as JSON and not run (a macro cannot know where its output lives).
    pub doctest_crate: Option<String>,
}

impl Config {
    /// This configuration with examples made doctests that reach the types as `path`.
    pub fn with_doctest_crate(mut self, path: impl Into<String>) -> Self {
        self.doctest_crate = Some(path.into());
        self
    }
}

/// Generates every item for a spec.
pub fn generate(spec: &ir::Spec, config: &Config) -> TokenStream {
    let wire = qmp_wire::WireSpec::new(spec, &qmp_wire::Conditions::IncludeAll);
    emit::emit(&plan::plan(spec), &wire, config)
}

/// Formats generated tokens as a file, headed by `header` (one `//` comment line per line).
pub fn render_file(tokens: TokenStream, header: &str) -> Result<String, syn::Error> {
    render_items(std::iter::once(tokens), header)
}

/// [`render_file`] for items given one at a time: each is parsed and formatted on its own, so
/// that memory holds one item's syntax tree, not the file's (a file's tree is tens of times its
/// text).
pub fn render_items(
    items: impl Iterator<Item = TokenStream>,
    header: &str,
) -> Result<String, syn::Error> {
    render_chunks(items.map(emit::Chunk::Item), header)
}

/// [`render_items`] for the generator's own chunks, where an enum or a struct may come as its
/// head and its members: each member is formatted on its own (inside a one-member item of the
/// same kind, whose first and last lines are dropped), which is how prettyplease lays out the
/// members of a whole item too. So an `Event` of thousands of variants costs one variant's syntax
/// tree, not thousands.
fn render_chunks<'a>(
    chunks: impl Iterator<Item = emit::Chunk<'a>>,
    header: &str,
) -> Result<String, syn::Error> {
    let mut out = Output::default();
    for line in header.lines() {
        out.text.push_str("// ");
        out.text.push_str(line);
        out.text.push('\n');
    }
    out.text.push('\n');
    for chunk in chunks {
        match chunk {
            emit::Chunk::Item(tokens) => out.push_code(&format_file(tokens)?),
            emit::Chunk::Braced {
                kind,
                head,
                members,
            } => {
                let code = format_file(quote::quote!(#head {}))?;
                let Some(open) = code.trim_end().strip_suffix("{}") else {
                    return Err(syn::Error::new(
                        proc_macro2::Span::call_site(),
                        "an item head that does not end in braces",
                    ));
                };
                out.push_code(&format!("{open}{{\n"));
                let wrapper = match kind {
                    emit::Braced::Enum => quote::quote!(enum),
                    emit::Braced::Struct => quote::quote!(struct),
                };
                for member in members {
                    let code = format_file(quote::quote!(#wrapper Chunk { #member }))?;
                    let mut lines = code.lines();
                    // `enum Chunk {` and `}` go; what is between is the member, indented as in
                    // the whole item.
                    lines.next();
                    lines.next_back();
                    for line in lines {
                        out.push_line(line);
                    }
                }
                out.push_line("}");
            }
        }
    }
    Ok(out.text)
}

/// Formats one or more items with prettyplease.
fn format_file(tokens: TokenStream) -> Result<String, syn::Error> {
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}

/// A generated file being written.
#[derive(Default)]
struct Output {
    text: String,
    /// The last line ended a top-level item: a blank line goes before the next one.
    pending_blank: bool,
}

impl Output {
    fn push_code(&mut self, code: &str) {
        for line in code.lines() {
            self.push_line(line);
        }
    }

    /// prettyplease puts top-level items right after one another; a blank line between them
    /// makes the checked-in file easier to read and review.
    fn push_line(&mut self, line: &str) {
        if self.pending_blank && !line.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self.text.push('\n');
        self.pending_blank = line == "}" || (line.ends_with(';') && !line.starts_with([' ', '/']));
    }
}

/// The result of generating from a spec's text.
#[derive(Debug)]
pub struct Generated {
    /// The items.
    pub tokens: TokenStream,
    /// Warnings about the spec (for example examples that are not valid JSON).
    pub warnings: Vec<Diagnostic>,
}

/// Parses a spec's text and generates its items; the errors are the spec's diagnostics.
pub fn generate_from_source(
    file: &str,
    source: &str,
    config: &Config,
) -> Result<Generated, Vec<Diagnostic>> {
    let parsed = read_legacy_text(file, source)?;
    Ok(Generated {
        tokens: generate(&parsed.spec, config),
        warnings: parsed.warnings,
    })
}

/// Reads a spec given as text, which must be the legacy events document: a QAPI schema includes
/// other files, and a `query-qmp-schema` reply is not supported yet.
fn read_legacy_text(file: &str, source: &str) -> Result<qmp_spec::Read, Vec<Diagnostic>> {
    let kind = spec::kind_of(source);
    if kind != spec::SpecKind::Legacy {
        return Err(vec![file_error(
            file,
            source,
            format!(
                "generating code from {} needs the file, not its text: a QAPI schema includes \
                 other files, and a query-qmp-schema reply is not supported yet; \
                 use `render_checked_in_file`, `Builder` or `qmp_events!`",
                kind.description()
            ),
        )]);
    }
    qmp_spec::read(file, source)
}

/// The checked-in `qmp-events/src/generated.rs` for a spec: what `cargo xtask regen` writes and
/// what the staleness test compares with. `spec_name` is the spec's path as the header shows it.
pub fn render_checked_in(
    spec_name: &str,
    source: &str,
) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    render_checked_in_with(spec_name, source, "qmp_events", "cargo xtask regen")
}

/// A checked-in generated file for the spec at `path`, of any kind a file can hold but a
/// `query-qmp-schema` reply (a QAPI schema reads the files it includes). `spec_name` is the
/// spec's path as the header shows it; doctests reach the types as `doctest_crate`, and the
/// header names `command` as the way to regenerate the file.
pub fn render_checked_in_file(
    path: &std::path::Path,
    spec_name: &str,
    doctest_crate: &str,
    command: &str,
) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let loaded = match spec::load(path) {
        Ok(loaded) => loaded,
        Err(spec::LoadError::Spec(diagnostics)) => return Err(diagnostics),
        Err(spec::LoadError::Io(e)) => {
            return Err(vec![file_error(
                spec_name,
                "",
                format!("cannot read the spec: {e}"),
            )]);
        }
    };
    if loaded.kind == spec::SpecKind::Introspection {
        return Err(vec![file_error(
            spec_name,
            "",
            "generating code from a query-qmp-schema reply is not supported yet".to_owned(),
        )]);
    }
    let config = Config {
        doctest_crate: Some(doctest_crate.to_owned()),
    };
    let (space, examples) = prepare(loaded.spec, &config);
    let text = render_generated(emit::items(&space, &examples), spec_name, "", command)?;
    Ok((text, loaded.warnings))
}

/// Plans a spec for rendering: the type space takes what it needs of the IR (docs are moved, not
/// copied), each event's examples are written out as docs, and then what only the examples
/// needed (their parsed JSON, the wire spec that checks them) goes, so that rendering holds the
/// type space, the examples' docs and the output, and not the spec as well.
fn prepare(spec: ir::Spec, config: &Config) -> (plan::TypeSpace, Vec<String>) {
    let wire = qmp_wire::WireSpec::new(&spec, &qmp_wire::Conditions::IncludeAll);
    let mut space = plan::plan_owned(spec);
    let examples = emit::examples(&space, &wire, config);
    for event in &mut space.events {
        event.doc.examples = Vec::new();
    }
    (space, examples)
}

/// An error about a whole spec file, at its first line.
fn file_error(file: &str, source: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: qmp_ir::Severity::Error,
        message,
        file: file.to_owned(),
        line: 1,
        col: 1,
        len: 1,
        source_line: source.lines().next().unwrap_or_default().to_owned(),
        expected: None,
        notes: Vec::new(),
    }
}

/// A generated file: the header, then the formatted items.
fn render_generated<'a>(
    items: impl Iterator<Item = emit::Chunk<'a>>,
    spec_name: &str,
    source: &str,
    command: &str,
) -> Result<String, Vec<Diagnostic>> {
    let header = format!(
        "@generated by `{command}` from {spec_name}: do not edit by hand.\n\
         Change the spec or qmp-codegen instead, then run that command again."
    );
    render_chunks(items, &header).map_err(|e| {
        // The generator produced tokens that are not a Rust file: a bug in qmp-codegen, reported
        // as a diagnostic rather than a panic so the caller can show it.
        vec![file_error(
            spec_name,
            source,
            format!("internal error: generated code does not parse: {e}"),
        )]
    })
}

/// A checked-in generated file for a spec, whose doctests reach the types as `doctest_crate`
/// and whose header names `command` as the way to regenerate it.
pub fn render_checked_in_with(
    spec_name: &str,
    source: &str,
    doctest_crate: &str,
    command: &str,
) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let config = Config {
        doctest_crate: Some(doctest_crate.to_owned()),
    };
    let read = read_legacy_text(spec_name, source)?;
    let (space, examples) = prepare(read.spec, &config);
    let text = render_generated(emit::items(&space, &examples), spec_name, source, command)?;
    Ok((text, read.warnings))
}

#[cfg(test)]
mod tests {
    /// Formatting an enum or struct member by member gives the text that formatting it whole
    /// gives, on a spec with events, structs, enums and unions.
    #[test]
    fn member_by_member_formatting_is_whole_item_formatting() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for spec in [
            "vendor/qemu-10.0.2/qapi/qapi-schema.json",
            "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
        ] {
            let loaded = crate::spec::load(&root.join(spec)).expect("vendored spec");
            let config = crate::Config::default().with_doctest_crate("qmp_events");
            let (space, examples) = crate::prepare(loaded.spec, &config);
            let items = || crate::emit::items(&space, &examples);
            let by_member = crate::render_chunks(items(), "h").expect("renders");
            let whole = crate::render_items(items().map(crate::emit::Chunk::into_tokens), "h")
                .expect("renders");
            assert!(by_member.contains("pub enum Event {\n    /// "), "{spec}");
            assert_eq!(by_member, whole, "{spec}");
        }
    }
}
