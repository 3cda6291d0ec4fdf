//! Type space -> tokens: declarations and their docs. What decodes, encodes and validates them
//! is written by `qmp_events::derive`'s derives, named on each item. Every path is absolute
//! (`::qmp_events::...`, `::std::...`), so the output compiles in any crate that depends on
//! `qmp-events`, whatever names the spec's types take.

use crate::Config;
use crate::docs;
use crate::names::ident;
use crate::plan::{
    EnumPlan, EventPlan, OpaquePlan, Payload, RustType, StructPlan, TypeSpace, UnionPlan,
};
use proc_macro2::TokenStream;
use qmp_wire::WireSpec;
use quote::{format_ident, quote};

/// All items for a type space.
pub fn emit(space: &TypeSpace, wire: &WireSpec, config: &Config) -> TokenStream {
    let examples = examples(space, wire, config);
    items(space, &examples).map(Chunk::into_tokens).collect()
}

/// Each event's `# Examples` docs, in the order of the events: everything the items need of the
/// examples, the wire spec (which checks them) and the configuration.
pub(crate) fn examples(space: &TypeSpace, wire: &WireSpec, config: &Config) -> Vec<String> {
    space
        .events
        .iter()
        .map(|e| docs::examples(e, space, wire, config))
        .collect()
}

/// A piece of the output: an item whole, or an enum or struct as its head and its members, so
/// that a large item (an `Event` of thousands of variants, an enum of thousands of values) can be
/// formatted one member at a time.
pub(crate) enum Chunk<'a> {
    /// One item, whole.
    Item(TokenStream),
    /// `head { members }`.
    Braced {
        /// Whether the item is an enum (members are variants) or a struct (members are fields).
        kind: Braced,
        /// The item up to its brace: attributes, visibility, keyword and name.
        head: TokenStream,
        /// Each variant or field with its attributes and trailing comma.
        members: Box<dyn Iterator<Item = TokenStream> + 'a>,
    },
}

/// What a [`Chunk::Braced`] declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Braced {
    Enum,
    Struct,
}

impl Chunk<'_> {
    /// The chunk's tokens, the members inside the head's braces.
    pub(crate) fn into_tokens(self) -> TokenStream {
        match self {
            Chunk::Item(tokens) => tokens,
            Chunk::Braced { head, members, .. } => quote!(#head { #(#members)* }),
        }
    }
}

/// The items for a type space one at a time (the `Event` and `EventKind` enums first), so that a
/// large spec is rendered without holding all of its tokens at once.
///
/// `examples` are the events' `# Examples` docs ([`examples`]), in the order of the events.
pub(crate) fn items<'a>(
    space: &'a TypeSpace,
    examples: &'a [String],
) -> impl Iterator<Item = Chunk<'a>> + 'a {
    // The event whose payload each struct is, found once rather than by a search per struct.
    let mut payload_of: Vec<Option<(&'a EventPlan, &'a str)>> = vec![None; space.structs.len()];
    for (e, examples) in space.events.iter().zip(examples) {
        if let Payload::Struct(i) = e.payload {
            if let Some(slot) = payload_of.get_mut(i) {
                slot.get_or_insert((e, examples));
            }
        }
    }
    let structs = space
        .structs
        .iter()
        .zip(payload_of)
        .map(move |(s, event)| emit_struct(space, event, s));
    let enums = space.enums.iter().map(emit_enum);
    let unions = space.unions.iter().map(move |u| emit_union(space, u));
    let opaques = space.opaques.iter().map(|o| Chunk::Item(emit_opaque(o)));
    std::iter::once_with(move || emit_event(space, examples))
        .chain(std::iter::once_with(move || emit_event_kind(space)))
        .chain(structs)
        .chain(enums)
        .chain(unions)
        .chain(opaques)
}

fn type_tokens(space: &TypeSpace, ty: &RustType) -> TokenStream {
    match ty {
        RustType::Int(name) => {
            let name = format_ident!("{name}");
            quote!(#name)
        }
        RustType::Vec(inner) => {
            let inner = type_tokens(space, inner);
            quote!(::std::vec::Vec<#inner>)
        }
        RustType::Boxed(inner) => {
            let inner = type_tokens(space, inner);
            quote!(::std::boxed::Box<#inner>)
        }
        RustType::Union(i) => {
            let name = ident(&space.unions[*i].name);
            quote!(#name)
        }
        RustType::String => quote!(::std::string::String),
        RustType::I64 => quote!(i64),
        RustType::Number => quote!(::qmp_events::serde_json::Number),
        RustType::Bool => quote!(bool),
        RustType::Map => quote!(::qmp_events::Object),
        RustType::Array => quote!(::std::vec::Vec<::qmp_events::serde_json::Value>),
        RustType::Any => quote!(::qmp_events::serde_json::Value),
        RustType::Struct(i) => {
            let name = ident(&space.structs[*i].name);
            quote!(#name)
        }
        RustType::Enum(i) => {
            let name = ident(&space.enums[*i].name);
            quote!(#name)
        }
    }
}

fn emit_struct<'a>(
    space: &'a TypeSpace,
    event: Option<(&'a EventPlan, &'a str)>,
    s: &'a StructPlan,
) -> Chunk<'a> {
    let name = ident(&s.name);
    let extra = ident(&s.extra_name);
    let fields_of = docs::Fields(&s.fields);
    let doc_text = match (event, &s.def) {
        (_, Some(def)) => docs::named_def(def, fields_of),
        (Some((e, examples)), None) => format!(
            "{}Wire name: `{}`.\n\n{examples}",
            docs::event_prose(e, fields_of),
            e.wire,
        ),
        (None, None) if s.uses.is_empty() => docs::prose(s.description.trim()),
        (None, None) => {
            let uses: Vec<String> = s.uses.iter().map(|u| u.describe()).collect();
            let description = if s.description.trim().is_empty() {
                "An object member.".to_owned()
            } else {
                docs::prose(s.description.trim())
            };
            format!("{description}\n\nUsed for {}.", uses.join(", "))
        }
    };
    let doc = docs::attrs(&doc_text);
    let fields = s.fields.iter().map(move |f| {
        let doc = docs::attrs(&docs::field(f, fields_of));
        let deprecated = docs::deprecated(&f.features);
        let name = ident(&f.rust);
        let ty = type_tokens(space, &f.ty);
        let ty = if f.optional {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        let rename = (f.wire != f.rust).then(|| {
            let wire = &f.wire;
            quote!(#[qmp(rename = #wire)])
        });
        quote!(#doc #deprecated #rename pub #name: #ty,)
    });
    let extra = quote! {
        /// Members the spec does not describe, kept as sent (drift).
        #[qmp(extra)]
        pub #extra: ::qmp_events::Object,
    };
    Chunk::Braced {
        kind: Braced::Struct,
        head: quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, ::qmp_events::derive::Struct)]
            pub struct #name
        },
        members: Box::new(fields.chain(std::iter::once(extra))),
    }
}

fn emit_enum(e: &EnumPlan) -> Chunk<'_> {
    let name = ident(&e.name);
    let other = ident(&e.other_variant);
    let uses: Vec<String> = e.uses.iter().map(|u| u.describe()).collect();
    let listed: Vec<String> = e
        .values
        .iter()
        .map(|(w, _, _)| format!("`\"{w}\"`"))
        .collect();
    let intro = if e.constant {
        format!(
            "The spec says this is currently always {}.",
            listed.join(", ")
        )
    } else {
        format!("The spec lists {}.", listed.join(", "))
    };
    let open = format!(
        "The set is open: any other string decodes into [`{}::{}`](Self::{}) and is reported as \
         drift by the validators.",
        e.name, e.other_variant, e.other_variant
    );
    let doc = docs::attrs(&match &e.def {
        Some(def) => format!("{}\n\n{open}", docs::named_def(def, docs::Fields::NONE)),
        None => format!("A value of {}.\n\n{intro} {open}", uses.join(", ")),
    });
    let non_exhaustive = e.def.is_some().then(|| quote!(#[non_exhaustive]));
    let variants = e.values.iter().map(|(w, v, d)| {
        let text = match d {
            Some(d) => format!("`\"{w}\"`: {}", docs::prose(d)),
            None => format!("`\"{w}\"`"),
        };
        let doc = docs::attrs(&text);
        let v = ident(v);
        quote!(#doc #[qmp(rename = #w)] #v,)
    });
    let other = quote! {
        /// A value the spec does not list (drift), kept as sent.
        #[qmp(other)]
        #other(::std::string::String),
    };
    Chunk::Braced {
        kind: Braced::Enum,
        head: quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash, ::qmp_events::derive::Enum)]
            #non_exhaustive
            pub enum #name
        },
        members: Box::new(variants.chain(std::iter::once(other))),
    }
}

fn emit_union<'a>(space: &'a TypeSpace, u: &'a UnionPlan) -> Chunk<'a> {
    let name = ident(&u.name);
    let other = ident(&u.other_variant);
    let tag = &u.tag;
    let doc = docs::attrs(&format!(
        "{}\n\nOn the wire one object: the discriminator `{tag}`, then the members of the \
         variant it names. A value the schema does not list decodes into \
         [`{}::{}`](Self::{}) and is reported as drift.",
        docs::named_def(&u.def, docs::Fields::NONE),
        u.name,
        u.other_variant,
        u.other_variant
    ));
    let variants = u
        .variants
        .iter()
        .map(move |(wire, variant, ty, condition)| {
            let mut text = format!("`{tag}` is `\"{wire}\"`.");
            if let Some(c) = condition {
                text.push_str(&format!(" {}", docs::condition(c)));
            }
            let doc = docs::attrs(&text);
            let v = ident(variant);
            let ty = type_tokens(space, ty);
            quote!(#doc #[qmp(rename = #wire)] #v(#ty),)
        });
    let other = quote! {
        /// A discriminator value the schema does not list (drift), with the other members.
        #[qmp(other)]
        #other(::qmp_events::UnknownBranch),
    };
    Chunk::Braced {
        kind: Braced::Enum,
        head: quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, ::qmp_events::derive::Union)]
            #[qmp(tag = #tag)]
            #[non_exhaustive]
            pub enum #name
        },
        members: Box::new(variants.chain(std::iter::once(other))),
    }
}

fn emit_opaque(o: &OpaquePlan) -> TokenStream {
    let name = ident(&o.name);
    let source = o
        .reference
        .source
        .as_deref()
        .map(|s| format!(" in `{s}`"))
        .unwrap_or_default();
    let uses: Vec<String> = o.uses.iter().map(|u| u.describe()).collect();
    let doc = docs::attrs(&format!(
        "`{}`, a type the spec names but describes elsewhere{source}: kept as the raw JSON object.\n\n\
         Used for {}. Nothing about its members is assumed, so nothing is invented or lost.",
        o.reference.name,
        uses.join(", ")
    ));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Default, ::qmp_events::derive::Struct)]
        pub struct #name(pub ::qmp_events::Object);
    }
}

/// The type of the event's data, as decoded.
fn data_type(space: &TypeSpace, event: &EventPlan) -> Option<TokenStream> {
    match &event.payload {
        Payload::None => None,
        Payload::Unspecified => Some(quote!(
            ::std::option::Option<::qmp_events::serde_json::Value>
        )),
        Payload::Struct(i) => Some(type_tokens(space, &RustType::Struct(*i))),
        Payload::Named(ty) => Some(type_tokens(space, ty)),
        Payload::Opaque(i) => {
            let name = ident(&space.opaques[*i].name);
            Some(quote!(#name))
        }
    }
}

/// The type the event's variant holds: the data type, boxed when it is large.
fn payload_type(space: &TypeSpace, event: &EventPlan) -> Option<TokenStream> {
    let ty = data_type(space, event)?;
    Some(if space.boxed(event) {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    })
}

fn emit_event<'a>(space: &'a TypeSpace, examples: &'a [String]) -> Chunk<'a> {
    let unknown = ident(&space.unknown_variant);
    let mismatched = ident(&space.mismatched_variant);
    let absent = ident(&space.absent_variant);
    let variants = space.events.iter().zip(examples).map(move |(e, examples)| {
        let v = ident(&e.variant);
        let deprecated = docs::deprecated(&e.features);
        let text = match e.payload {
            // Events without a payload struct of their own carry their whole docs (and
            // examples) here.
            Payload::None | Payload::Unspecified | Payload::Opaque(_) | Payload::Named(_) => {
                format!(
                    "{}Wire name: `{}`.\n\n{examples}",
                    docs::event_prose(e, docs::Fields::NONE),
                    e.wire,
                )
            }
            _ => format!("`{}`: {}", e.wire, docs::summary(e)),
        };
        let doc = docs::attrs(&text);
        let attr = (e.payload == Payload::Unspecified).then(|| quote!(#[qmp(any_data)]));
        match payload_type(space, e) {
            Some(ty) => quote!(#doc #deprecated #attr #v(#ty),),
            None => quote!(#doc #deprecated #attr #v,),
        }
    });
    let kept = quote! {
        /// An event the spec does not describe, kept whole (drift).
        #[qmp(unknown)]
        #unknown(::qmp_events::UnknownEvent),
        /// A known event whose `data` does not match the spec: the raw JSON and what differs.
        #[qmp(mismatched)]
        #mismatched(::qmp_events::MismatchedEvent<EventKind>),
        /// The message has no string `event` member (a command reply, say); whatever it has
        /// is in [`Message::extra`](::qmp_events::Message::extra).
        #[qmp(absent)]
        #absent,
    };
    Chunk::Braced {
        kind: Braced::Enum,
        head: quote! {
            /// A QMP event: one variant per event of the spec, and variants that keep what the spec
            /// does not describe.
            ///
            /// Decode it inside a [`Message`](::qmp_events::Message). A variant whose data is large
            /// (above 64 bytes) holds it in a `Box`, so that an `Event` stays small and cheap to move;
            /// its fields read the same through the box. Non-exhaustive: a regenerated spec may add
            /// events, so a `match` needs a `_` arm.
            #[derive(Debug, Clone, PartialEq, Eq, ::qmp_events::derive::Events)]
            #[qmp(kind = EventKind)]
            #[non_exhaustive]
            pub enum Event
        },
        members: Box::new(variants.chain(std::iter::once(kept))),
    }
}

fn emit_event_kind(space: &TypeSpace) -> Chunk<'_> {
    let variants = space.events.iter().map(|e| {
        let v = ident(&e.variant);
        let wire = &e.wire;
        let doc = docs::attrs(&format!("`{wire}`"));
        quote!(#doc #[qmp(rename = #wire)] #v,)
    });
    Chunk::Braced {
        kind: Braced::Enum,
        head: quote! {
            /// The events of the spec, without their data.
            #[derive(
                Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::qmp_events::derive::EventKinds,
            )]
            #[non_exhaustive]
            pub enum EventKind
        },
        members: Box::new(variants),
    }
}
