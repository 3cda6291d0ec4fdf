//! The derives behind the types `qmp-codegen` generates for `qmp-events`: a generated file is
//! declarations and docs, and these derives write what decodes, encodes and validates them.
//!
//! They are re-exported as `qmp_events::derive::*` and meant for generated code; their output
//! names the runtime by its absolute path (`::qmp_events::__private`), whose items are not part
//! of any stable API. Each derive reads `#[qmp(...)]` attributes:
//!
//! | derive | on | attributes |
//! |---|---|---|
//! | [`Struct`] | a struct with named fields | `rename = "wire-name"` on a field, `extra` on the map of unknown members |
//! | [`Struct`] | a one-field tuple struct | none: decodes as its field does |
//! | [`Enum`] | an enum of unit variants and one `Other(String)` | `rename`, `other` |
//! | [`Union`] | an enum of one-field variants | `tag = "type"` on the enum; `rename`, `other` on variants |
//! | [`Events`] | the `Event` enum | `kind = EventKind` on the enum (whose variants have the same names); `any_data`, `unknown`, `mismatched`, `absent` on variants |
//! | [`EventKinds`] | the `EventKind` enum | `rename` |
//!
//! A member is optional when its type is written `Option<T>` (any path ending in `Option` with
//! one type argument).

use proc_macro::TokenStream;
use proc_macro2::{Ident, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{
    Data, DeriveInput, Fields, GenericArgument, LitStr, PathArguments, Type, parse_macro_input,
};

/// Decoding, encoding, drift and validation for a generated struct.
#[proc_macro_derive(Struct, attributes(qmp))]
pub fn derive_struct(input: TokenStream) -> TokenStream {
    expand(parse_macro_input!(input as DeriveInput), structure)
}

/// An open enum over a set of string values.
#[proc_macro_derive(Enum, attributes(qmp))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    expand(parse_macro_input!(input as DeriveInput), enumeration)
}

/// A discriminated union: one JSON object whose `tag` member chooses the variant.
#[proc_macro_derive(Union, attributes(qmp))]
pub fn derive_union(input: TokenStream) -> TokenStream {
    expand(parse_macro_input!(input as DeriveInput), union)
}

/// The `Event` enum of a spec: `qmp_events::EventSet`.
#[proc_macro_derive(Events, attributes(qmp))]
pub fn derive_events(input: TokenStream) -> TokenStream {
    expand(parse_macro_input!(input as DeriveInput), events)
}

/// The `EventKind` enum of a spec: names, `ALL`, `Display`, `FromStr`.
#[proc_macro_derive(EventKinds, attributes(qmp))]
pub fn derive_event_kinds(input: TokenStream) -> TokenStream {
    expand(parse_macro_input!(input as DeriveInput), event_kinds)
}

/// `Deserialize` for a generated type: a value that does not match the spec is an error that
/// shows the JSON (messages never fail this way; the lenient path keeps it).
fn strict_deserialize(name: &Ident) -> Tokens {
    let p = p();
    let name_str = name.to_string();
    quote! {
        #[allow(deprecated)]
        impl<'de> #p::serde::Deserialize<'de> for #name {
            fn deserialize<D: #p::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #p::strict(deserializer, #name_str)
            }
        }
    }
}

/// `ReadFast` for a type the fast reader reads as `Accept` takes it (an enum, a union).
fn read_fast_by_value(name: &Ident) -> Tokens {
    let p = p();
    quote! {
        #[allow(deprecated)]
        impl<'de> #p::ReadFast<'de> for #name {
            fn read_fast(reader: &mut #p::Reader<'de>) -> ::std::option::Option<Self> {
                reader.value()
            }
        }
    }
}

fn expand(input: DeriveInput, f: fn(&DeriveInput) -> syn::Result<Tokens>) -> TokenStream {
    f(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The runtime's private module.
fn p() -> Tokens {
    quote!(::qmp_events::__private)
}

#[derive(Default)]
struct Attrs {
    rename: Option<String>,
    tag: Option<String>,
    kind: Option<syn::Path>,
    extra: bool,
    other: bool,
    any_data: bool,
    unknown: bool,
    mismatched: bool,
    absent: bool,
}

fn attrs(list: &[syn::Attribute]) -> syn::Result<Attrs> {
    let mut a = Attrs::default();
    for attr in list.iter().filter(|a| a.path().is_ident("qmp")) {
        attr.parse_nested_meta(|meta| {
            let flag = |name: &str| meta.path.is_ident(name);
            if flag("rename") {
                a.rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if flag("tag") {
                a.tag = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if flag("kind") {
                a.kind = Some(meta.value()?.parse()?);
            } else if flag("extra") {
                a.extra = true;
            } else if flag("other") {
                a.other = true;
            } else if flag("any_data") {
                a.any_data = true;
            } else if flag("unknown") {
                a.unknown = true;
            } else if flag("mismatched") {
                a.mismatched = true;
            } else if flag("absent") {
                a.absent = true;
            } else {
                return Err(meta.error("unknown `qmp` attribute"));
            }
            Ok(())
        })?;
    }
    Ok(a)
}

/// `T` of a type written `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    only_argument(ty, "Option")
}

/// `T` of a type written `Box<T>`.
fn box_inner(ty: &Type) -> Option<&Type> {
    only_argument(ty, "Box")
}

/// `T` of a type written `wrapper<T>` (any path whose last segment is `wrapper`).
fn only_argument<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn wire_name(a: &Attrs, ident: &Ident) -> String {
    a.rename
        .clone()
        .unwrap_or_else(|| ident.unraw().to_string())
}

struct Member<'a> {
    ident: &'a Ident,
    local: Ident,
    wire: String,
    inner: &'a Type,
    optional: bool,
}

fn structure(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "`Struct` is for structs"));
    };
    match &data.fields {
        Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            Ok(transparent(&input.ident, &f.unnamed[0].ty))
        }
        Fields::Named(f) => {
            let mut members = Vec::new();
            let mut extra = None;
            for field in &f.named {
                let a = attrs(&field.attrs)?;
                let ident = field.ident.as_ref().expect("named field");
                if a.extra {
                    extra = Some(ident);
                    continue;
                }
                let (inner, optional) = match option_inner(&field.ty) {
                    Some(inner) => (inner, true),
                    None => (&field.ty, false),
                };
                members.push(Member {
                    ident,
                    local: format_ident!("field_{}", ident.unraw()),
                    wire: wire_name(&a, ident),
                    inner,
                    optional,
                });
            }
            let extra = extra
                .ok_or_else(|| syn::Error::new_spanned(input, "one field needs `#[qmp(extra)]`"))?;
            Ok(named_struct(&input.ident, &members, extra))
        }
        _ => Err(syn::Error::new_spanned(
            input,
            "`Struct` is for structs with named fields or one unnamed field",
        )),
    }
}

fn named_struct(name: &Ident, members: &[Member], extra: &Ident) -> Tokens {
    let p = p();
    let deserialize = strict_deserialize(name);
    let fields: Vec<&Ident> = members.iter().map(|m| m.ident).collect();
    let locals: Vec<&Ident> = members.iter().map(|m| &m.local).collect();
    let wires: Vec<&str> = members.iter().map(|m| m.wire.as_str()).collect();
    let inner: Vec<&Type> = members.iter().map(|m| m.inner).collect();
    let optional: Vec<bool> = members.iter().map(|m| m.optional).collect();
    let serialize = members.iter().map(|m| {
        let (field, wire) = (m.ident, &m.wire);
        if m.optional {
            quote!(if let ::std::option::Option::Some(value) = &self.#field {
                map.serialize_entry(#wire, value)?;
            })
        } else {
            quote!(map.serialize_entry(#wire, &self.#field)?;)
        }
    });
    let take = members.iter().map(|m| {
        let (local, wire) = (&m.local, &m.wire);
        if m.optional {
            quote!(let #local = #local.optional(#wire, &mut object);)
        } else {
            quote!(let #local = #local.required(#wire, &mut object);)
        }
    });
    let restore = members.iter().map(|m| {
        let (local, wire) = (&m.local, &m.wire);
        if m.optional {
            quote!(#p::restore_optional(raw, #wire, #local);)
        } else {
            quote!(#p::restore(raw, #wire, #local);)
        }
    });
    let raw = if members.is_empty() {
        quote!(_)
    } else {
        quote!(raw)
    };
    let finish = members.iter().map(|m| {
        let local = &m.local;
        if m.optional {
            quote!(#local)
        } else {
            quote!(#local?)
        }
    });
    quote! {
        #[allow(deprecated)]
        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use #p::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                #(#serialize)*
                #p::serialize_extra(&mut map, &self.#extra)?;
                map.end()
            }
        }

        // The locals are `field_{member}`: `field__9lives` for a member `_9lives`.
        #[allow(deprecated, non_snake_case)]
        impl<'de> #p::Accept<'de> for #name {
            fn accept_map<A: #p::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<#p::Lenient<Self>, A::Error> {
                #(let mut #locals = #p::Slot::<#inner>::Empty;)*
                let mut object = #p::Object::new();
                while let ::std::option::Option::Some(key) = map.next_key::<#p::Key<'de>>()? {
                    match key.as_str() {
                        #(#wires => #locals.fill(&mut map)?,)*
                        _ => object.extra(key, &mut map)?,
                    }
                }
                #(#take)*
                ::std::result::Result::Ok(match (#(#locals,)*) {
                    (#(::std::option::Option::Some(#locals),)*) if object.is_clean() => {
                        ::std::result::Result::Ok(Self {
                            #(#fields: #locals,)*
                            #extra: object.into_extra(),
                        })
                    }
                    (#(#locals,)*) => ::std::result::Result::Err(
                        object.into_raw(|#raw| { #(#restore)* }),
                    ),
                })
            }
        }

        #deserialize

        #[allow(deprecated, non_snake_case)]
        impl<'de> #p::ReadFast<'de> for #name {
            fn read_fast(reader: &mut #p::Reader<'de>) -> ::std::option::Option<Self> {
                reader.begin_object()?;
                #(let mut #locals: ::std::option::Option<#inner> = ::std::option::Option::None;)*
                let mut extra = #p::Map::new();
                let mut first = true;
                while let ::std::option::Option::Some(key) = reader.next_member(&mut first)? {
                    match key {
                        #(#wires => reader.member(&mut #locals)?,)*
                        _ => reader.extra_member(key, &mut extra)?,
                    }
                }
                ::std::option::Option::Some(Self {
                    #(#fields: #finish,)*
                    #extra: extra,
                })
            }
        }

        #[allow(deprecated)]
        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                #(#p::Drift::drift(&self.#fields, &path.join(#wires), out);)*
                #p::report_extra(&self.#extra, path, out);
            }
        }

        #[allow(deprecated)]
        impl #p::Check for #name {
            fn check(value: &#p::Value, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                let ::std::option::Option::Some(members) = #p::check_object(value, path, out) else {
                    return;
                };
                #(#p::check_member::<#inner>(members, #wires, #optional, path, out);)*
                #p::report_unknown(members, &[#(#wires),*], path, out);
            }
        }
    }
}

/// A one-field tuple struct: decodes, encodes and validates as its field does.
fn transparent(name: &Ident, ty: &Type) -> Tokens {
    let p = p();
    let deserialize = strict_deserialize(name);
    let accept = [
        (quote!(accept_i64), quote!(v: i64)),
        (quote!(accept_u64), quote!(v: u64)),
        (quote!(accept_f64), quote!(v: f64)),
        (quote!(accept_number), quote!(v: #p::Number)),
        (quote!(accept_bool), quote!(v: bool)),
        (quote!(accept_str), quote!(v: #p::Cow<'_, str>)),
    ]
    .into_iter()
    .map(|(method, arg)| {
        quote! {
            fn #method(#arg) -> #p::Lenient<Self> {
                <#ty as #p::Accept<'de>>::#method(v).map(Self)
            }
        }
    });
    quote! {
        #[allow(deprecated)]
        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                #p::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        #[allow(deprecated)]
        impl<'de> #p::Accept<'de> for #name {
            #(#accept)*
            fn accept_null() -> #p::Lenient<Self> {
                <#ty as #p::Accept<'de>>::accept_null().map(Self)
            }
            fn accept_map<A: #p::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::std::result::Result<#p::Lenient<Self>, A::Error> {
                ::std::result::Result::Ok(<#ty as #p::Accept<'de>>::accept_map(map)?.map(Self))
            }
            fn accept_seq<A: #p::serde::de::SeqAccess<'de>>(
                seq: A,
            ) -> ::std::result::Result<#p::Lenient<Self>, A::Error> {
                ::std::result::Result::Ok(<#ty as #p::Accept<'de>>::accept_seq(seq)?.map(Self))
            }
        }

        #deserialize

        #[allow(deprecated)]
        impl<'de> #p::ReadFast<'de> for #name {
            fn read_fast(reader: &mut #p::Reader<'de>) -> ::std::option::Option<Self> {
                <#ty as #p::ReadFast<'de>>::read_fast(reader).map(Self)
            }
        }

        #[allow(deprecated)]
        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                #p::Drift::drift(&self.0, path, out);
            }
        }

        #[allow(deprecated)]
        impl #p::Check for #name {
            fn check(value: &#p::Value, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                <#ty as #p::Check>::check(value, path, out);
            }
        }
    }
}

/// A variant of an enum: its name, its wire name, and the type it holds, if any.
type Variant = (Ident, String, Option<Type>);

/// The variants of an enum: the listed ones, and the catch-all.
fn variants(input: &DeriveInput, what: &str) -> syn::Result<(Vec<Variant>, Ident)> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            format!("`{what}` is for enums"),
        ));
    };
    let mut listed = Vec::new();
    let mut other = None;
    for v in &data.variants {
        let a = attrs(&v.attrs)?;
        let ty = match &v.fields {
            Fields::Unit => None,
            Fields::Unnamed(f) if f.unnamed.len() == 1 => Some(f.unnamed[0].ty.clone()),
            _ => {
                return Err(syn::Error::new_spanned(
                    v,
                    "a variant is a unit or has one unnamed field",
                ));
            }
        };
        if a.other {
            other = Some(v.ident.clone());
        } else {
            listed.push((v.ident.clone(), wire_name(&a, &v.ident), ty));
        }
    }
    let other =
        other.ok_or_else(|| syn::Error::new_spanned(input, "one variant needs `#[qmp(other)]`"))?;
    Ok((listed, other))
}

fn enumeration(input: &DeriveInput) -> syn::Result<Tokens> {
    let p = p();
    let name = &input.ident;
    let deserialize = strict_deserialize(name);
    let read_fast = read_fast_by_value(name);
    let (listed, other) = variants(input, "Enum")?;
    let idents: Vec<&Ident> = listed.iter().map(|(v, _, _)| v).collect();
    let wires: Vec<&str> = listed.iter().map(|(_, w, _)| w.as_str()).collect();
    Ok(quote! {
        #[allow(deprecated)]
        impl #name {
            /// The values the spec lists, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#other(value) => value,
                }
            }
        }

        #[allow(deprecated)]
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#idents,)*
                    other => Self::#other(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        #[allow(deprecated)]
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[allow(deprecated)]
        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #[allow(deprecated)]
        impl<'de> #p::Accept<'de> for #name {
            fn accept_str(value: #p::Cow<'_, str>) -> #p::Lenient<Self> {
                ::std::result::Result::Ok(match &*value {
                    #(#wires => Self::#idents,)*
                    _ => Self::#other(value.into_owned()),
                })
            }
        }

        #deserialize

        #read_fast

        #[allow(deprecated)]
        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                if let Self::#other(value) = self {
                    #p::check_value(Self::VALUES, value, path, out);
                }
            }
        }

        #[allow(deprecated)]
        impl #p::Check for #name {
            fn check(value: &#p::Value, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                #p::check_enum(value, Self::VALUES, path, out);
            }
        }
    })
}

fn union(input: &DeriveInput) -> syn::Result<Tokens> {
    let p = p();
    let name = &input.ident;
    let deserialize = strict_deserialize(name);
    let read_fast = read_fast_by_value(name);
    let tag = attrs(&input.attrs)?
        .tag
        .ok_or_else(|| syn::Error::new_spanned(input, "`Union` needs `#[qmp(tag = \"...\")]`"))?;
    let (listed, other) = variants(input, "Union")?;
    let mut idents = Vec::new();
    let mut wires = Vec::new();
    let mut types = Vec::new();
    for (ident, wire, ty) in &listed {
        let ty = ty.as_ref().ok_or_else(|| {
            syn::Error::new_spanned(ident, "a union variant holds its branch's members")
        })?;
        idents.push(ident);
        wires.push(wire.as_str());
        types.push(ty);
    }
    Ok(quote! {
        #[allow(deprecated)]
        impl #name {
            /// The values of the discriminator the spec lists, as sent on the wire.
            pub const TAGS: &'static [&'static str] = &[#(#wires),*];

            /// The discriminator's value, as sent on the wire.
            pub fn tag(&self) -> &str {
                match self {
                    #(Self::#idents(_) => #wires,)*
                    Self::#other(branch) => &branch.tag,
                }
            }
        }

        #[allow(deprecated)]
        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(Self::#idents(branch) => #p::serialize_branch(serializer, #tag, #wires, branch),)*
                    Self::#other(branch) => {
                        #p::serialize_branch(serializer, #tag, &branch.tag, &branch.members)
                    }
                }
            }
        }

        #[allow(deprecated)]
        impl<'de> #p::Accept<'de> for #name {
            fn accept_map<A: #p::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::std::result::Result<#p::Lenient<Self>, A::Error> {
                ::std::result::Result::Ok(#p::union_from_map(#p::read_map(map)?, #tag, |tag, members| {
                    match tag {
                        #(#wires => #p::branch(members).map(Self::#idents),)*
                        _ => ::std::result::Result::Ok(Self::#other(#p::UnknownBranch {
                            tag: ::std::borrow::ToOwned::to_owned(tag),
                            members,
                        })),
                    }
                }))
            }
        }

        #deserialize

        #read_fast

        #[allow(deprecated)]
        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                match self {
                    #(Self::#idents(branch) => #p::Drift::drift(branch, path, out),)*
                    Self::#other(branch) => {
                        #p::check_value(Self::TAGS, &branch.tag, &path.join(#tag), out)
                    }
                }
            }
        }

        #[allow(deprecated)]
        impl #p::Check for #name {
            fn check(value: &#p::Value, path: &#p::Path<'_>, out: &mut ::std::vec::Vec<#p::Violation>) {
                #p::check_union(value, #tag, Self::TAGS, path, out, |tag, branch, out| match tag {
                    #(#wires => <#types as #p::Check>::check(branch, path, out),)*
                    _ => {}
                });
            }
        }
    })
}

struct EventVariant {
    ident: Ident,
    payload: Payload,
}

enum Payload {
    /// An event without data: a unit variant.
    None,
    /// Data the spec does not describe: `Option<Value>`.
    Any,
    /// A typed payload, maybe boxed.
    Typed { ty: Box<Type>, boxed: bool },
}

fn events(input: &DeriveInput) -> syn::Result<Tokens> {
    let p = p();
    let name = &input.ident;
    let kind = attrs(&input.attrs)?
        .kind
        .ok_or_else(|| syn::Error::new_spanned(input, "`Events` needs `#[qmp(kind = ...)]`"))?;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "`Events` is for enums"));
    };
    let (mut unknown, mut mismatched, mut absent) = (None, None, None);
    let mut list = Vec::new();
    for v in &data.variants {
        let a = attrs(&v.attrs)?;
        let ty = match &v.fields {
            Fields::Unit => None,
            Fields::Unnamed(f) if f.unnamed.len() == 1 => Some(f.unnamed[0].ty.clone()),
            _ => return Err(syn::Error::new_spanned(v, "a unit or one-field variant")),
        };
        if a.unknown {
            unknown = Some(v.ident.clone());
        } else if a.mismatched {
            mismatched = Some(v.ident.clone());
        } else if a.absent {
            absent = Some(v.ident.clone());
        } else {
            let payload = match ty {
                None => Payload::None,
                Some(_) if a.any_data => Payload::Any,
                Some(ty) => match box_inner(&ty) {
                    Some(inner) => Payload::Typed {
                        ty: Box::new(inner.clone()),
                        boxed: true,
                    },
                    None => Payload::Typed {
                        ty: Box::new(ty),
                        boxed: false,
                    },
                },
            };
            list.push(EventVariant {
                ident: v.ident.clone(),
                payload,
            });
        }
    }
    let missing =
        |what: &str| syn::Error::new_spanned(input, format!("one variant needs `#[qmp({what})]`"));
    let unknown = unknown.ok_or_else(|| missing("unknown"))?;
    let mismatched = mismatched.ok_or_else(|| missing("mismatched"))?;
    let absent = absent.ok_or_else(|| missing("absent"))?;

    let mut kind_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut without_data_arms = Vec::new();
    let mut serialize_arms = Vec::new();
    let mut violation_arms = Vec::new();
    let mut check_arms = Vec::new();
    let mut fast_arms = Vec::new();
    for e in &list {
        let v = &e.ident;
        match &e.payload {
            Payload::None => {
                kind_arms.push(quote!(Self::#v => ::std::option::Option::Some(#kind::#v),));
                decode_arms.push(quote! {
                    #kind::#v => Self::#mismatched(#p::mismatched::<Self>(kind, #p::decode_any(data)?)),
                });
                without_data_arms.push(quote!(#kind::#v => Self::#v,));
                serialize_arms.push(quote!(Self::#v => ::std::result::Result::Ok(()),));
                violation_arms.push(quote!(Self::#v => {}));
                check_arms.push(quote!(#kind::#v => #p::check_no_data(data, out),));
                // Data where the spec says there is none: the lenient path reports it.
                fast_arms.push(quote!(#kind::#v => ::std::option::Option::None,));
            }
            Payload::Any => {
                kind_arms.push(quote!(Self::#v(_) => ::std::option::Option::Some(#kind::#v),));
                decode_arms.push(quote!(#kind::#v => Self::#v(#p::decode_any(data)?),));
                without_data_arms.push(quote!(#kind::#v => Self::#v(::std::option::Option::None),));
                serialize_arms
                    .push(quote!(Self::#v(data) => #p::serialize_data(map, data.as_ref()),));
                violation_arms.push(quote!(Self::#v(_) => {}));
                check_arms.push(quote!(#kind::#v => {}));
                fast_arms.push(quote! {
                    #kind::#v => ::std::option::Option::Some(Self::#v(::std::option::Option::Some(reader.value()?))),
                });
            }
            Payload::Typed { ty, boxed } => {
                let wrap = |value: Tokens| {
                    if *boxed {
                        quote!(::std::boxed::Box::new(#value))
                    } else {
                        value
                    }
                };
                let data_wrapped = wrap(quote!(data));
                let read = wrap(quote!(<#ty as #p::ReadFast>::read_fast(reader)?));
                kind_arms.push(quote!(Self::#v(_) => ::std::option::Option::Some(#kind::#v),));
                decode_arms.push(quote! {
                    #kind::#v => match #p::decode::<#ty, D>(data)? {
                        ::std::result::Result::Ok(data) => Self::#v(#data_wrapped),
                        ::std::result::Result::Err(raw) => Self::#mismatched(
                            #p::mismatched::<Self>(kind, ::std::option::Option::Some(raw)),
                        ),
                    },
                });
                without_data_arms.push(quote! {
                    #kind::#v => Self::#mismatched(#p::mismatched::<Self>(kind, ::std::option::Option::None)),
                });
                serialize_arms.push(quote!(Self::#v(data) => map.serialize_entry("data", data),));
                violation_arms.push(quote! {
                    Self::#v(data) => #p::Drift::drift(data, &#p::Path::ROOT.join("data"), out),
                });
                check_arms.push(quote!(#kind::#v => #p::check_data::<#ty>(data, out),));
                fast_arms.push(quote!(#kind::#v => ::std::option::Option::Some(Self::#v(#read)),));
            }
        }
    }
    Ok(quote! {
        #[allow(deprecated)]
        impl #name {
            /// The wire name of the event, if the message has one.
            pub fn name(&self) -> ::std::option::Option<&str> {
                #p::Decode::wire_name(self)
            }

            /// Which known event this is (also for mismatched data), if any.
            pub fn kind(&self) -> ::std::option::Option<#kind> {
                match self {
                    #(#kind_arms)*
                    Self::#mismatched(event) => ::std::option::Option::Some(event.kind),
                    Self::#unknown(_) | Self::#absent => ::std::option::Option::None,
                }
            }

            /// Checks a JSON message against the spec and returns every violation, each with a
            /// JSON pointer: what [`Message::violations`](::qmp_events::Message::violations)
            /// reports for the same message, without decoding it.
            pub fn validate(message: &#p::Value) -> ::std::vec::Vec<::qmp_events::Violation> {
                #p::validate::<Self>(message)
            }
        }

        #[allow(deprecated)]
        impl ::qmp_events::EventSet for #name {
            type Kind = #kind;

            fn kind(&self) -> ::std::option::Option<#kind> {
                #name::kind(self)
            }
        }

        #[allow(deprecated)]
        impl #p::Decode for #name {
            fn kind_name(kind: #kind) -> &'static str {
                kind.as_str()
            }

            fn kind_of(name: &str) -> ::std::option::Option<#kind> {
                #kind::from_name(name)
            }

            fn decode_data<'de, D: #p::serde::Deserializer<'de>>(
                kind: #kind,
                data: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::std::result::Result::Ok(match kind {
                    #(#decode_arms)*
                })
            }

            fn without_data(kind: #kind) -> Self {
                match kind {
                    #(#without_data_arms)*
                }
            }

            fn unknown(event: ::qmp_events::UnknownEvent) -> Self {
                Self::#unknown(event)
            }

            fn absent() -> Self {
                Self::#absent
            }

            fn wire_name(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::#unknown(event) => ::std::option::Option::Some(&event.name),
                    Self::#absent => ::std::option::Option::None,
                    _ => self.kind().map(#kind::as_str),
                }
            }

            fn serialize_data<M: #p::serde::ser::SerializeMap>(
                &self,
                map: &mut M,
            ) -> ::std::result::Result<(), M::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::#unknown(event) => #p::serialize_data(map, event.data.as_ref()),
                    Self::#mismatched(event) => #p::serialize_data(map, event.data.as_ref()),
                    Self::#absent => ::std::result::Result::Ok(()),
                }
            }

            fn violations(&self, out: &mut ::std::vec::Vec<::qmp_events::Violation>) {
                match self {
                    #(#violation_arms)*
                    Self::#unknown(event) => #p::unknown_event(&event.name, out),
                    Self::#mismatched(event) => out.extend(event.violations.iter().cloned()),
                    Self::#absent => #p::missing_event(out),
                }
            }

            fn check_data(
                kind: #kind,
                data: ::std::option::Option<&#p::Value>,
                out: &mut ::std::vec::Vec<::qmp_events::Violation>,
            ) {
                match kind {
                    #(#check_arms)*
                }
            }

            fn read_data_fast(
                kind: #kind,
                reader: &mut #p::Reader<'_>,
            ) -> ::std::option::Option<Self> {
                match kind {
                    #(#fast_arms)*
                }
            }
        }
    })
}

fn event_kinds(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "`EventKinds` is for enums"));
    };
    let mut idents = Vec::new();
    let mut wires = Vec::new();
    for v in &data.variants {
        let a = attrs(&v.attrs)?;
        wires.push(wire_name(&a, &v.ident));
        idents.push(&v.ident);
    }
    Ok(quote! {
        #[allow(deprecated)]
        impl #name {
            /// Every event of the spec, in the spec's order.
            pub const ALL: &'static [#name] = &[#(#name::#idents),*];

            /// The wire name (`BALLOON_CHANGE`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#name::#idents => #wires,)*
                }
            }

            /// The event with this wire name, if the spec has it.
            pub fn from_name(name: &str) -> ::std::option::Option<Self> {
                match name {
                    #(#wires => ::std::option::Option::Some(#name::#idents),)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        #[allow(deprecated)]
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[allow(deprecated)]
        impl ::std::str::FromStr for #name {
            type Err = ::qmp_events::UnknownEventName;
            fn from_str(name: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::from_name(name)
                    .ok_or_else(|| ::qmp_events::UnknownEventName(::std::borrow::ToOwned::to_owned(name)))
            }
        }
    })
}
