//! `qmp_events!("spec.txt")`: the QMP event types of your own copy of the events document,
//! generated at compile time.
//!
//! This crate is a thin shell over [`qmp_codegen::generate_from_source`], the same code path
//! `cargo xtask regen` uses for `qmp-events/src/generated.rs`: the macro reads the spec, hands it
//! to the generator and pastes the items in place. The items name the runtime by absolute paths
//! (`::qmp_events::...`), so the calling crate must depend on `qmp-events`.
//!
//! ```
//! // The path is relative to the calling crate's Cargo.toml (here qmp-macros/Cargo.toml).
//! qmp_macros::qmp_events!("tests/data/example.txt");
//!
//! let line = r#"{"event": "BALLOON_CHANGE", "data": {"actual": 944766976},
//!                "timestamp": {"seconds": 1267020223, "microseconds": 435656}}"#;
//! let msg: qmp_events::Message<Event> = serde_json::from_str(line).unwrap();
//! assert!(matches!(&msg.event, Event::BalloonChange(b) if b.actual == 944766976));
//! ```
//!
//! # Arguments
//!
//! - the spec's path, a string literal, relative to `CARGO_MANIFEST_DIR` (the directory of the
//!   calling crate's `Cargo.toml`);
//! - optionally `doctest_crate = "path"`: the path under which the generated items are reachable
//!   from a doctest (`my_crate::events`). Each valid example of the spec then becomes a doctest
//!   of the generated docs. Without it, examples are shown as JSON and not run, since a macro
//!   cannot know where its output lives.
//!
//! # What it expands to
//!
//! Exactly the items of the checked-in generated file for the same spec (`Event`, `EventKind`,
//! the data structs, enums and unions, with their derives), preceded by
//! `const _: &str = include_str!("/abs/spec");` for the spec and, for a QAPI schema, for every
//! file it includes, so that Cargo rebuilds the calling crate when one of them changes.
//!
//! # Errors and warnings
//!
//! Each error in the spec becomes one `compile_error!` at the macro's string literal, carrying the
//! spec's `file:line:col`, the offending line with a caret under the problem, and what was
//! expected there. The file is named as written in the macro call, so messages contain no
//! absolute path (except the resolved path when the file cannot be read).
//!
//! Warnings about the spec (an example that is not valid JSON, say) do not fail the build and are
//! not reported: stable Rust has no way for a macro to emit a warning short of a fake
//! deprecation, which would break `-D warnings` builds. The generated docs of the event say when
//! an example was not valid JSON; `cargo xtask ir --spec FILE` prints the warnings.
//!
//! # Testing hook
//!
//! When `QMP_MACROS_MANIFEST_DIR` is set, it replaces `CARGO_MANIFEST_DIR` as the base of the
//! spec's path. The UI tests set it because trybuild compiles them in a crate of its own under
//! `target/`, away from the spec files next to them.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// How the macro is called, repeated in argument errors.
const USAGE: &str = "usage: qmp_events!(\"path/to/spec.txt\") or \
                     qmp_events!(\"path/to/spec.txt\", doctest_crate = \"my_crate\"), \
                     the path relative to the calling crate's Cargo.toml";

/// Overrides `CARGO_MANIFEST_DIR` as the base of the spec's path (for the UI tests).
const BASE_DIR_OVERRIDE: &str = "QMP_MACROS_MANIFEST_DIR";

/// Generates the QMP event types of a spec file at compile time. See the [crate docs](crate).
#[proc_macro]
pub fn qmp_events(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let base = std::env::var_os(BASE_DIR_OVERRIDE)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from);
    expand(input.into(), base.as_deref()).into()
}

/// The macro's arguments.
struct Args {
    /// The spec's path as written, relative to the base directory.
    path: LitStr,
    /// The `doctest_crate = "..."` argument.
    doctest_crate: Option<String>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(LitStr) {
            let message = "expected the spec's path as a string literal";
            return Err(syn::Error::new(input.span(), format!("{message}; {USAGE}")));
        }
        let path: LitStr = input.parse()?;
        let mut doctest_crate = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input
                .parse()
                .map_err(|e| with_usage(e, "expected `doctest_crate`"))?;
            if key != "doctest_crate" {
                let message = format!("unknown argument `{key}`, expected `doctest_crate`");
                return Err(syn::Error::new(key.span(), format!("{message}; {USAGE}")));
            }
            input.parse::<Token![=]>()?;
            let value: LitStr = input
                .parse()
                .map_err(|e| with_usage(e, "expected the crate path as a string literal"))?;
            if syn::parse_str::<syn::Path>(&value.value()).is_err() {
                let message = format!(
                    "`{}` is not a Rust path such as `my_crate::events`",
                    value.value()
                );
                return Err(syn::Error::new(value.span(), message));
            }
            doctest_crate = Some(value.value());
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(syn::Error::new(
                input.span(),
                format!("unexpected argument; {USAGE}"),
            ));
        }
        Ok(Args {
            path,
            doctest_crate,
        })
    }
}

fn with_usage(error: syn::Error, message: &str) -> syn::Error {
    syn::Error::new(error.span(), format!("{message}; {USAGE}"))
}

/// The macro's expansion, given the directory the spec's path is relative to.
fn expand(input: TokenStream, base: Option<&Path>) -> TokenStream {
    match syn::parse2::<Args>(input).and_then(|args| generate(&args, base)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

/// Reads the spec and generates its items, or the errors to report at the path literal.
fn generate(args: &Args, base: Option<&Path>) -> syn::Result<TokenStream> {
    let span = args.path.span();
    let name = args.path.value();
    let Some(base) = base else {
        let message = "CARGO_MANIFEST_DIR is not set: qmp_events! must be compiled by Cargo";
        return Err(syn::Error::new(span, message));
    };
    let resolved = base.join(&name);
    let source = std::fs::read_to_string(&resolved).map_err(|e| {
        let message = format!(
            "cannot read the spec `{name}`: {e}\n  = resolved to: {}\n  = note: the path is \
             relative to the calling crate's Cargo.toml (CARGO_MANIFEST_DIR)",
            resolved.display()
        );
        syn::Error::new(span, message)
    })?;
    let Some(resolved) = resolved.to_str() else {
        let message = format!(
            "the spec's resolved path is not UTF-8: {}",
            resolved.display()
        );
        return Err(syn::Error::new(span, message));
    };
    let config = match &args.doctest_crate {
        Some(path) => qmp_codegen::Config::default().with_doctest_crate(path.clone()),
        None => qmp_codegen::Config::default(),
    };
    if qmp_codegen::spec::kind_of(&source) == qmp_codegen::spec::SpecKind::Qapi {
        // A QAPI schema includes other files: read them all, and make Cargo rebuild when any
        // of them changes.
        let loaded = qmp_codegen::spec::load(Path::new(resolved)).map_err(|e| match e {
            qmp_codegen::spec::LoadError::Spec(diagnostics) => spec_errors(&diagnostics, span),
            qmp_codegen::spec::LoadError::Io(e) => {
                syn::Error::new(span, format!("cannot read the spec `{name}`: {e}"))
            }
        })?;
        let files: Vec<String> = loaded
            .files
            .iter()
            .map(|f| {
                let absolute = if f.is_absolute() {
                    f.clone()
                } else {
                    base.join(f)
                };
                absolute.display().to_string()
            })
            .collect();
        let items = qmp_codegen::generate(&loaded.spec, &config);
        return Ok(quote! {
            #(const _: &str = ::core::include_str!(#files);)*
            #items
        });
    }
    // Warnings are dropped on purpose (see the crate docs).
    let generated = qmp_codegen::generate_from_source(&name, &source, &config)
        .map_err(|diagnostics| spec_errors(&diagnostics, span))?;
    let items = generated.tokens;
    Ok(quote! {
        const _: &str = ::core::include_str!(#resolved);
        #items
    })
}

/// One error per error diagnostic of the spec, rendered as rustc renders its own.
fn spec_errors(diagnostics: &[qmp_spec::Diagnostic], span: Span) -> syn::Error {
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).map(|d| {
        let text = d.to_string();
        // rustc puts its own `error: ` before the message.
        let text = text.strip_prefix("error: ").unwrap_or(&text);
        syn::Error::new(span, text)
    });
    let mut combined = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(span, "the spec has errors but none was reported"));
    for error in errors {
        combined.combine(error);
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_dir() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The spec of the examples and tests, in this package.
    const EXAMPLE: &str = "tests/data/example.txt";

    /// The expansion for the default spec (qmp-spec's, by its absolute path), with the regen
    /// configuration, is what `cargo xtask regen` writes into the checked-in file, token for token
    /// (comments vanish, doc attributes stay), after the `include_str!` item. That the checked-in
    /// file is what regen writes is qmp-codegen's workspace test `checked_in_generated_file_is_fresh`
    /// (this one cannot read it: it is outside this package).
    #[test]
    fn expansion_of_the_default_spec_is_the_checked_in_file() {
        let spec = qmp_spec::default_spec_path();
        let spec = LitStr::new(spec.to_str().expect("UTF-8"), Span::call_site());
        let input = quote!(#spec, doctest_crate = "qmp_events");
        let expanded: syn::File = syn::parse2(expand(input, Some(manifest_dir())))
            .expect("the expansion is a file of items");
        let (first, items) = expanded.items.split_first().expect("items");
        let first = quote!(#first).to_string();
        assert!(
            first.starts_with("const _ : & str = :: core :: include_str !"),
            "{first}"
        );
        assert!(first.contains(&quote!(#spec).to_string()), "{first}");
        assert!(first.contains("spec/qmp-events.txt"), "{first}");
        // Doc comments written in `quote!` become raw-string `doc` attributes, those parsed from a
        // file plain strings: print ours as regen does (prettyplease) and parse it back, so that
        // both sides spell their literals alike.
        let ours = syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: items.to_vec(),
        };
        let ours = syn::parse_file(&prettyplease::unparse(&ours)).expect("printed items parse");
        let source = std::fs::read_to_string(qmp_spec::default_spec_path()).expect("the spec");
        let (text, _warnings) =
            qmp_codegen::render_checked_in("qmp-spec/spec/qmp-events.txt", &source)
                .expect("the default spec generates");
        let checked_in = syn::parse_file(&text).expect("the generated file parses");
        let checked_in = checked_in.items;
        assert_eq!(ours.items.len(), checked_in.len());
        for (ours, theirs) in ours.items.iter().zip(&checked_in) {
            assert_eq!(quote!(#ours).to_string(), quote!(#theirs).to_string());
        }
    }

    #[test]
    fn the_include_str_path_is_absolute_and_names_the_spec() {
        let out = expand(quote!(#EXAMPLE), Some(manifest_dir()));
        let text = out.to_string();
        let expected = manifest_dir().join(EXAMPLE);
        let expected = LitStr::new(expected.to_str().expect("UTF-8"), Span::call_site());
        assert!(
            text.contains(&quote!(#expected).to_string()),
            "{}",
            &text[..200]
        );
    }

    #[test]
    fn arguments_are_parsed() {
        let ok = |input: TokenStream| {
            syn::parse2::<Args>(input).map(|a| (a.path.value(), a.doctest_crate))
        };
        assert_eq!(ok(quote!("a.txt")).ok(), Some(("a.txt".into(), None)));
        assert_eq!(ok(quote!("a.txt",)).ok(), Some(("a.txt".into(), None)));
        let with = Some(("a.txt".into(), Some("my_crate::events".into())));
        assert_eq!(
            ok(quote!("a.txt", doctest_crate = "my_crate::events")).ok(),
            with
        );
        assert_eq!(
            ok(quote!("a.txt", doctest_crate = "my_crate::events",)).ok(),
            with
        );
        for bad in [
            quote!(),
            quote!(a),
            quote!(42),
            quote!("a.txt" "b.txt"),
            quote!("a.txt", doctest = "x"),
            quote!("a.txt", doctest_crate),
            quote!("a.txt", doctest_crate = x),
            quote!("a.txt", doctest_crate = "not a path"),
            quote!("a.txt", doctest_crate = "x", 1),
        ] {
            assert!(ok(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn without_a_base_directory_the_error_says_so() {
        let text = expand(quote!("a.txt"), None).to_string();
        assert!(text.contains("compile_error"), "{text}");
        assert!(text.contains("CARGO_MANIFEST_DIR is not set"), "{text}");
    }

    #[test]
    fn spec_errors_are_one_compile_error_each_with_location_and_caret() {
        let dir = manifest_dir();
        let text = expand(quote!("tests/ui/two_errors.txt"), Some(dir)).to_string();
        assert_eq!(text.matches("compile_error").count(), 2, "{text}");
        assert!(text.contains("tests/ui/two_errors.txt:6:1"), "{text}");
        assert!(text.contains("tests/ui/two_errors.txt:13:1"), "{text}");
        assert!(text.contains("^^^"), "{text}");
        assert!(
            !text.contains(dir.to_str().expect("UTF-8")),
            "no absolute path: {text}"
        );
        assert!(!text.contains("include_str"), "{text}");
    }
}
