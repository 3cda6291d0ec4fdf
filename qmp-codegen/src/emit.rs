//! Type space -> tokens: declarations and their docs. What decodes, encodes and validates them
//! is written by `qmp_events::derive`'s derives, named on each item. Every path is absolute
//! (`::qmp_events::...`, `::std::...`), so the output compiles in any crate that depends on
//! `qmp-events`, whatever names the spec's types take.

use crate::Config;
use crate::docs;
use crate::names::ident;
use crate::plan::{EnumPlan, EventPlan, OpaquePlan, Payload, RustType, StructPlan, TypeSpace};
use proc_macro2::{Ident, TokenStream};
use qmp_wire::WireSpec;
use quote::{format_ident, quote};

/// All items for a type space.
pub fn emit(space: &TypeSpace, wire: &WireSpec, config: &Config) -> TokenStream {
    let structs = space
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| emit_struct(space, i, s, wire, config));
    let enums = space.enums.iter().map(emit_enum);
    let opaques = space.opaques.iter().map(emit_opaque);
    let event = emit_event(space, wire, config);
    quote! {
        #event
        #(#structs)*
        #(#enums)*
        #(#opaques)*
    }
}

fn type_tokens(space: &TypeSpace, ty: RustType) -> TokenStream {
    match ty {
        RustType::String => quote!(::std::string::String),
        RustType::I64 => quote!(i64),
        RustType::Number => quote!(::qmp_events::serde_json::Number),
        RustType::Bool => quote!(bool),
        RustType::Map => quote!(::qmp_events::Object),
        RustType::Array => quote!(::std::vec::Vec<::qmp_events::serde_json::Value>),
        RustType::Any => quote!(::qmp_events::serde_json::Value),
        RustType::Struct(i) => {
            let name = format_ident!("{}", space.structs[i].name);
            quote!(#name)
        }
        RustType::Enum(i) => {
            let name = format_ident!("{}", space.enums[i].name);
            quote!(#name)
        }
    }
}

fn emit_struct(
    space: &TypeSpace,
    index: usize,
    s: &StructPlan,
    wire: &WireSpec,
    config: &Config,
) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let extra = format_ident!("{}", s.extra_name);
    let event = space
        .events
        .iter()
        .find(|e| e.payload == Payload::Struct(index));
    let doc_text = match event {
        Some(e) => format!(
            "{}Wire name: `{}`.\n\n{}",
            docs::event_prose(&e.ir),
            e.wire,
            docs::examples(e, space, wire, config)
        ),
        None => {
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
    let fields = s.fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let name = ident(&f.rust);
        let ty = type_tokens(space, f.ty);
        let ty = if f.optional {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        let rename = (f.wire != f.rust).then(|| {
            let wire = &f.wire;
            quote!(#[qmp(rename = #wire)])
        });
        quote!(#doc #rename pub #name: #ty,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, ::qmp_events::derive::Struct)]
        pub struct #name {
            #(#fields)*
            /// Members the spec does not describe, kept as sent (drift).
            #[qmp(extra)]
            pub #extra: ::qmp_events::Object,
        }
    }
}

fn emit_enum(e: &EnumPlan) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let other = format_ident!("{}", e.other_variant);
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
    let doc = docs::attrs(&format!(
        "A value of {}.\n\n{intro} The set is open: any other string decodes into \
         [`{}::{}`](Self::{}) and is reported as drift by the validators.",
        uses.join(", "),
        e.name,
        e.other_variant,
        e.other_variant
    ));
    let variants = e.values.iter().map(|(w, v, d)| {
        let text = match d {
            Some(d) => format!("`\"{w}\"`: {}", docs::prose(d)),
            None => format!("`\"{w}\"`"),
        };
        let doc = docs::attrs(&text);
        let v = format_ident!("{v}");
        quote!(#doc #[qmp(rename = #w)] #v,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, ::qmp_events::derive::Enum)]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list (drift), kept as sent.
            #[qmp(other)]
            #other(::std::string::String),
        }
    }
}

fn emit_opaque(o: &OpaquePlan) -> TokenStream {
    let name = format_ident!("{}", o.name);
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
    match event.payload {
        Payload::None => None,
        Payload::Unspecified => Some(quote!(
            ::std::option::Option<::qmp_events::serde_json::Value>
        )),
        Payload::Struct(i) => Some(type_tokens(space, RustType::Struct(i))),
        Payload::Opaque(i) => {
            let name = format_ident!("{}", space.opaques[i].name);
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

fn emit_event(space: &TypeSpace, wire: &WireSpec, config: &Config) -> TokenStream {
    let unknown = format_ident!("{}", space.unknown_variant);
    let mismatched = format_ident!("{}", space.mismatched_variant);
    let absent = format_ident!("{}", space.absent_variant);
    let variants: Vec<Ident> = space
        .events
        .iter()
        .map(|e| format_ident!("{}", e.variant))
        .collect();
    let event_variants = space.events.iter().zip(&variants).map(|(e, v)| {
        let text = match e.payload {
            // Events without a payload struct of their own carry their whole docs (and
            // examples) here.
            Payload::None | Payload::Unspecified | Payload::Opaque(_) => format!(
                "{}Wire name: `{}`.\n\n{}",
                docs::event_prose(&e.ir),
                e.wire,
                docs::examples(e, space, wire, config)
            ),
            _ => format!("`{}`: {}", e.wire, docs::summary(&e.ir)),
        };
        let doc = docs::attrs(&text);
        let attr = (e.payload == Payload::Unspecified).then(|| quote!(#[qmp(any_data)]));
        match payload_type(space, e) {
            Some(ty) => quote!(#doc #attr #v(#ty),),
            None => quote!(#doc #attr #v,),
        }
    });
    let kind_variants = space.events.iter().zip(&variants).map(|(e, v)| {
        let wire = &e.wire;
        let doc = docs::attrs(&format!("`{wire}`"));
        quote!(#doc #[qmp(rename = #wire)] #v,)
    });
    quote! {
        /// A QMP event: one variant per event of the spec, and variants that keep what the spec
        /// does not describe.
        ///
        /// Decode it inside a [`Message`](::qmp_events::Message). A variant whose data is large
        /// (above 64 bytes) holds it in a `Box`, so that an `Event` stays small and cheap to move;
        /// its fields read the same through the box.
        #[derive(Debug, Clone, PartialEq, Eq, ::qmp_events::derive::Events)]
        #[qmp(kind = EventKind)]
        pub enum Event {
            #(#event_variants)*
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
        }

        /// The events of the spec, without their data.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::qmp_events::derive::EventKinds,
        )]
        pub enum EventKind {
            #(#kind_variants)*
        }
    }
}
