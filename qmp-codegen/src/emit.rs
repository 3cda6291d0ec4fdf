//! Type space -> tokens: the structs, enums, serde impls, drift walkers, the `Event` enum and the
//! schema table. Every runtime item is named by an absolute path (`::qmp_events::...`), so the
//! output compiles in any crate that depends on `qmp-events`.

use crate::Config;
use crate::docs;
use crate::names::ident;
use crate::plan::{EnumPlan, EventPlan, OpaquePlan, Payload, RustType, StructPlan, TypeSpace};
use proc_macro2::{Ident, TokenStream};
use qmp_schema::{DataSchema, FieldSchema, JsonKind, Schema};
use quote::{format_ident, quote};

/// The runtime crate and its private module, as paths.
fn rt() -> TokenStream {
    quote!(::qmp_events)
}
fn p() -> TokenStream {
    quote!(::qmp_events::__private)
}

/// All items for a type space.
pub fn emit(space: &TypeSpace, config: &Config) -> TokenStream {
    let schema = space.schema();
    let structs = space
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| emit_struct(space, i, s, &schema, config));
    let enums = space.enums.iter().map(emit_enum);
    let opaques = space.opaques.iter().map(emit_opaque);
    let event = emit_event(space, &schema, config);
    let schema_tokens = schema_tokens(&schema);
    let rt = rt();
    quote! {
        #event
        #(#structs)*
        #(#enums)*
        #(#opaques)*

        /// The schema these types were generated from, as the validators read it.
        pub static SCHEMA: #rt::Schema = #schema_tokens;

        /// Checks a JSON message against the spec and returns every violation, each with a JSON
        /// pointer. Drift (new events, members, values) is reported as such; see
        /// [`Violation::is_drift`](::qmp_events::Violation::is_drift).
        pub fn validate(message: &::qmp_events::__private::Value) -> Vec<#rt::Violation> {
            SCHEMA.validate(message)
        }
    }
}

fn type_tokens(space: &TypeSpace, ty: RustType) -> TokenStream {
    let p = p();
    match ty {
        RustType::String => quote!(String),
        RustType::I64 => quote!(i64),
        RustType::Number => quote!(#p::Number),
        RustType::Bool => quote!(bool),
        RustType::Map => quote!(#p::Map<String, #p::Value>),
        RustType::Array => quote!(Vec<#p::Value>),
        RustType::Any => quote!(#p::Value),
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

/// Whether values of this type can carry drift (and so implement `Drift`).
fn has_drift(ty: RustType) -> bool {
    matches!(ty, RustType::Struct(_) | RustType::Enum(_))
}

fn emit_struct(
    space: &TypeSpace,
    index: usize,
    s: &StructPlan,
    schema: &Schema,
    config: &Config,
) -> TokenStream {
    let p = p();
    let rt = rt();
    let name = format_ident!("{}", s.name);
    let name_str = &s.name;
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
            docs::examples(e, space, schema, config)
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

    let fields: Vec<Ident> = s.fields.iter().map(|f| ident(&f.rust)).collect();
    let locals: Vec<Ident> = s
        .fields
        .iter()
        .map(|f| format_ident!("field_{}", f.rust))
        .collect();
    let wires: Vec<&str> = s.fields.iter().map(|f| f.wire.as_str()).collect();
    let inner: Vec<TokenStream> = s.fields.iter().map(|f| type_tokens(space, f.ty)).collect();
    let decls = s
        .fields
        .iter()
        .zip(&fields)
        .zip(&inner)
        .map(|((f, name), ty)| {
            let doc = docs::attrs(&docs::field(f));
            if f.optional {
                quote!(#doc pub #name: Option<#ty>,)
            } else {
                quote!(#doc pub #name: #ty,)
            }
        });
    let serialize = s.fields.iter().zip(&fields).map(|(f, name)| {
        let wire = &f.wire;
        if f.optional {
            quote!(if let Some(value) = &self.#name { map.serialize_entry(#wire, value)?; })
        } else {
            quote!(map.serialize_entry(#wire, &self.#name)?;)
        }
    });
    let take = s.fields.iter().zip(&locals).map(|(f, local)| {
        let wire = &f.wire;
        if f.optional {
            quote!(let #local = #local.optional(#wire, &mut object);)
        } else {
            quote!(let #local = #local.required(#wire, &mut object);)
        }
    });
    let restore = s.fields.iter().zip(&locals).map(|(f, local)| {
        let wire = &f.wire;
        if f.optional {
            quote!(#p::restore_optional(raw, #wire, #local);)
        } else {
            quote!(#p::restore(raw, #wire, #local);)
        }
    });
    let raw_param = if s.fields.is_empty() {
        quote!(_)
    } else {
        quote!(raw)
    };
    let read_fast = if s.fields.is_empty() {
        quote! {
            impl<'de> #p::ReadFast<'de> for #name {
                fn read_fast(reader: &mut #p::Reader<'de>) -> Option<Self> {
                    reader.begin_object()?;
                    let mut #extra = #p::Map::new();
                    let mut first = true;
                    while let Some(key) = reader.next_member(&mut first)? {
                        reader.extra_member(key, &mut #extra)?;
                    }
                    Some(Self { #extra })
                }
            }
        }
    } else {
        let reads = s.fields.iter().zip(&locals).map(|(f, local)| match f.ty {
            RustType::Struct(i) => {
                let ty = type_tokens(space, RustType::Struct(i));
                quote!(reader.member_with(&mut #local, <#ty as #p::ReadFast>::read_fast)?)
            }
            _ => quote!(reader.member(&mut #local)?),
        });
        let finish = s.fields.iter().zip(&locals).map(|(f, local)| {
            if f.optional {
                quote!(#local)
            } else {
                quote!(#local?)
            }
        });
        quote! {
            impl<'de> #p::ReadFast<'de> for #name {
                fn read_fast(reader: &mut #p::Reader<'de>) -> Option<Self> {
                    reader.begin_object()?;
                    #(let mut #locals: Option<#inner> = None;)*
                    let mut #extra = #p::Map::new();
                    let mut first = true;
                    while let Some(key) = reader.next_member(&mut first)? {
                        match key {
                            #(#wires => #reads,)*
                            _ => reader.extra_member(key, &mut #extra)?,
                        }
                    }
                    Some(Self {
                        #(#fields: #finish,)*
                        #extra,
                    })
                }
            }
        }
    };
    let drift = s
        .fields
        .iter()
        .zip(&fields)
        .filter(|(f, _)| has_drift(f.ty))
        .map(|(f, name)| {
            let wire = &f.wire;
            quote!(#p::Drift::drift(&self.#name, &path.join(#wire), out);)
        });

    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #name {
            #(#decls)*
            /// Members the spec does not describe, kept as sent (drift).
            pub #extra: #p::Map<String, #p::Value>,
        }

        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use #p::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                #(#serialize)*
                #p::serialize_extra(&mut map, &self.#extra)?;
                map.end()
            }
        }

        impl<'de> #p::Accept<'de> for #name {
            fn accept_map<A: #p::MapAccess<'de>>(mut map: A) -> Result<#p::Lenient<Self>, A::Error> {
                #(let mut #locals = #p::Slot::<#inner>::Empty;)*
                let mut object = #p::Object::new();
                while let Some(key) = map.next_key::<#p::Key<'de>>()? {
                    match key.as_str() {
                        #(#wires => #locals.fill(&mut map)?,)*
                        _ => object.extra(key, &mut map)?,
                    }
                }
                #(#take)*
                match (#(#locals,)*) {
                    (#(Some(#locals),)*) if object.is_clean() => Ok(Ok(Self {
                        #(#fields: #locals,)*
                        #extra: object.into_extra(),
                    })),
                    (#(#locals,)*) => Ok(Err(object.into_raw(|#raw_param| { #(#restore)* }))),
                }
            }
        }

        impl<'de> #p::serde::Deserialize<'de> for #name {
            fn deserialize<D: #p::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #p::strict(deserializer, #name_str)
            }
        }

        #read_fast

        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut Vec<#rt::Violation>) {
                #(#drift)*
                #p::report_extra(&self.#extra, path, out);
            }
        }
    }
}

fn emit_enum(e: &EnumPlan) -> TokenStream {
    let p = p();
    let rt = rt();
    let name = format_ident!("{}", e.name);
    let name_str = &e.name;
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
    let variants: Vec<Ident> = e
        .values
        .iter()
        .map(|(_, v, _)| format_ident!("{v}"))
        .collect();
    let wires: Vec<&str> = e.values.iter().map(|(w, _, _)| w.as_str()).collect();
    let variant_docs = e.values.iter().map(|(w, _, d)| {
        let text = match d {
            Some(d) => format!("`\"{w}\"`: {}", docs::prose(d)),
            None => format!("`\"{w}\"`"),
        };
        docs::attrs(&text)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value the spec does not list (drift), kept as sent.
            #other(String),
        }

        impl #name {
            /// The values the spec lists, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::#other(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => Self::#other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> #p::Accept<'de> for #name {
            fn accept_str(value: #p::Cow<'_, str>) -> #p::Lenient<Self> {
                Ok(match &*value {
                    #(#wires => Self::#variants,)*
                    _ => Self::#other(value.into_owned()),
                })
            }
        }

        impl<'de> #p::serde::Deserialize<'de> for #name {
            fn deserialize<D: #p::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #p::strict(deserializer, #name_str)
            }
        }

        impl #p::Drift for #name {
            fn drift(&self, path: &#p::Path<'_>, out: &mut Vec<#rt::Violation>) {
                if let Self::#other(value) = self {
                    #p::check_value(Self::VALUES, value, path, out);
                }
            }
        }
    }
}

fn emit_opaque(o: &OpaquePlan) -> TokenStream {
    let p = p();
    let name = format_ident!("{}", o.name);
    let name_str = &o.name;
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
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct #name(pub #p::Map<String, #p::Value>);

        impl #p::serde::Serialize for #name {
            fn serialize<S: #p::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #p::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> #p::Accept<'de> for #name {
            fn accept_map<A: #p::MapAccess<'de>>(map: A) -> Result<#p::Lenient<Self>, A::Error> {
                Ok(<#p::Map<String, #p::Value> as #p::Accept<'de>>::accept_map(map)?.map(Self))
            }
        }

        impl<'de> #p::serde::Deserialize<'de> for #name {
            fn deserialize<D: #p::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #p::strict(deserializer, #name_str)
            }
        }
    }
}

/// The type of the event's data, as decoded.
fn data_type(space: &TypeSpace, event: &EventPlan) -> Option<TokenStream> {
    let p = p();
    match event.payload {
        Payload::None => None,
        Payload::Unspecified => Some(quote!(Option<#p::Value>)),
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
        quote!(Box<#ty>)
    } else {
        ty
    })
}

fn emit_event(space: &TypeSpace, schema: &Schema, config: &Config) -> TokenStream {
    let p = p();
    let rt = rt();
    let unknown = format_ident!("{}", space.unknown_variant);
    let mismatched = format_ident!("{}", space.mismatched_variant);
    let absent = format_ident!("{}", space.absent_variant);
    let variants: Vec<Ident> = space
        .events
        .iter()
        .map(|e| format_ident!("{}", e.variant))
        .collect();
    let wires: Vec<&str> = space.events.iter().map(|e| e.wire.as_str()).collect();

    let event_variants = space.events.iter().zip(&variants).map(|(e, v)| {
        let text = match e.payload {
            // Events without a payload struct of their own carry their whole docs (and
            // examples) here.
            Payload::None | Payload::Unspecified | Payload::Opaque(_) => format!(
                "{}Wire name: `{}`.\n\n{}",
                docs::event_prose(&e.ir),
                e.wire,
                docs::examples(e, space, schema, config)
            ),
            _ => format!("`{}`: {}", e.wire, docs::summary(&e.ir)),
        };
        let doc = docs::attrs(&text);
        match payload_type(space, e) {
            Some(ty) => quote!(#doc #v(#ty),),
            None => quote!(#doc #v,),
        }
    });
    let kind_docs = space
        .events
        .iter()
        .map(|e| docs::attrs(&format!("`{}`", e.wire)));

    let decode_arms = space.events.iter().zip(&variants).map(|(e, v)| match e.payload {
        Payload::None => quote! {
            EventKind::#v => Self::#mismatched(#p::mismatched::<Self>(kind, #p::decode_any(data)?)),
        },
        Payload::Unspecified => quote! {
            EventKind::#v => Self::#v(#p::decode_any(data)?),
        },
        Payload::Struct(_) | Payload::Opaque(_) => {
            let ty = data_type(space, e);
            let data = if space.boxed(e) {
                quote!(Box::new(data))
            } else {
                quote!(data)
            };
            quote! {
                EventKind::#v => match #p::decode::<#ty, D>(data)? {
                    Ok(data) => Self::#v(#data),
                    Err(raw) => Self::#mismatched(#p::mismatched::<Self>(kind, Some(raw))),
                },
            }
        }
    });
    let without_data_arms = space
        .events
        .iter()
        .zip(&variants)
        .map(|(e, v)| match e.payload {
            Payload::None => quote!(EventKind::#v => Self::#v,),
            Payload::Unspecified => quote!(EventKind::#v => Self::#v(None),),
            _ => quote!(EventKind::#v => Self::#mismatched(#p::mismatched::<Self>(kind, None)),),
        });
    let name_arms = space
        .events
        .iter()
        .zip(&variants)
        .map(|(e, v)| match e.payload {
            Payload::None => quote!(Self::#v => Some(EventKind::#v),),
            _ => quote!(Self::#v(_) => Some(EventKind::#v),),
        });
    let serialize_arms = space
        .events
        .iter()
        .zip(&variants)
        .map(|(e, v)| match e.payload {
            Payload::None => quote!(Self::#v => Ok(()),),
            Payload::Unspecified => {
                quote!(Self::#v(data) => #p::serialize_data(map, data.as_ref()),)
            }
            _ => quote!(Self::#v(data) => map.serialize_entry("data", data),),
        });
    let fast_arms = space.events.iter().zip(&variants).map(|(e, v)| {
        let ty = data_type(space, e);
        match e.payload {
            // Data where the spec says there is none: the lenient path reports it.
            Payload::None => quote!(EventKind::#v => None,),
            Payload::Unspecified => quote!(EventKind::#v => Some(Self::#v(Some(reader.value()?))),),
            Payload::Opaque(_) => quote!(EventKind::#v => Some(Self::#v(reader.value::<#ty>()?)),),
            Payload::Struct(_) => {
                let read = quote!(<#ty as #p::ReadFast>::read_fast(reader)?);
                if space.boxed(e) {
                    quote!(EventKind::#v => Some(Self::#v(Box::new(#read))),)
                } else {
                    quote!(EventKind::#v => Some(Self::#v(#read)),)
                }
            }
        }
    });
    let violation_arms = space
        .events
        .iter()
        .zip(&variants)
        .map(|(e, v)| match e.payload {
            Payload::None => quote!(Self::#v => {}),
            Payload::Struct(_) => {
                quote!(Self::#v(data) => #p::Drift::drift(data, &#p::Path::ROOT.join("data"), out),)
            }
            _ => quote!(Self::#v(_) => {}),
        });

    quote! {
        /// A QMP event: one variant per event of the spec, and variants that keep what the spec
        /// does not describe.
        ///
        /// Decode it inside a [`Message`](::qmp_events::Message). A variant whose data is large
        /// (above 64 bytes) holds it in a `Box`, so that an `Event` stays small and cheap to move;
        /// its fields read the same through the box.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Event {
            #(#event_variants)*
            /// An event the spec does not describe, kept whole (drift).
            #unknown(#rt::UnknownEvent),
            /// A known event whose `data` does not match the spec: the raw JSON and what differs.
            #mismatched(#rt::MismatchedEvent<EventKind>),
            /// The message has no string `event` member (a command reply, say); whatever it has
            /// is in [`Message::extra`](::qmp_events::Message::extra).
            #absent,
        }

        /// The events of the spec, without their data.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind {
            #(#kind_docs #variants,)*
        }

        impl EventKind {
            /// Every event of the spec, in document order.
            pub const ALL: &'static [EventKind] = &[#(EventKind::#variants),*];

            /// The wire name (`BALLOON_CHANGE`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(EventKind::#variants => #wires,)*
                }
            }

            /// The event with this wire name, if the spec has it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    #(#wires => Some(EventKind::#variants),)*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for EventKind {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for EventKind {
            type Err = #rt::UnknownEventName;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Self::from_name(name).ok_or_else(|| #rt::UnknownEventName(name.to_owned()))
            }
        }

        impl Event {
            /// The wire name of the event, if the message has one.
            pub fn name(&self) -> Option<&str> {
                #rt::EventSet::wire_name(self)
            }

            /// Which known event this is (also for mismatched data), if any.
            pub fn kind(&self) -> Option<EventKind> {
                match self {
                    #(#name_arms)*
                    Self::#mismatched(event) => Some(event.kind),
                    Self::#unknown(_) | Self::#absent => None,
                }
            }
        }

        impl #rt::EventSet for Event {
            type Kind = EventKind;

            fn schema() -> &'static #rt::Schema {
                &SCHEMA
            }

            fn kind_name(kind: EventKind) -> &'static str {
                kind.as_str()
            }

            fn kind_of(name: &str) -> Option<EventKind> {
                EventKind::from_name(name)
            }

            fn decode_data<'de, D: #p::Deserializer<'de>>(kind: EventKind, data: D) -> Result<Self, D::Error> {
                Ok(match kind {
                    #(#decode_arms)*
                })
            }

            fn without_data(kind: EventKind) -> Self {
                match kind {
                    #(#without_data_arms)*
                }
            }

            fn unknown(event: #rt::UnknownEvent) -> Self {
                Self::#unknown(event)
            }

            fn absent() -> Self {
                Self::#absent
            }

            fn wire_name(&self) -> Option<&str> {
                match self {
                    Self::#unknown(event) => Some(&event.name),
                    Self::#absent => None,
                    _ => self.kind().map(EventKind::as_str),
                }
            }

            fn serialize_data<M: #p::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::#unknown(event) => #p::serialize_data(map, event.data.as_ref()),
                    Self::#mismatched(event) => #p::serialize_data(map, event.data.as_ref()),
                    Self::#absent => Ok(()),
                }
            }

            fn violations(&self, out: &mut Vec<#rt::Violation>) {
                match self {
                    #(#violation_arms)*
                    Self::#unknown(event) => #p::unknown_event(&event.name, out),
                    Self::#mismatched(event) => out.extend(event.violations.iter().cloned()),
                    Self::#absent => #p::missing_event(out),
                }
            }

            fn read_data_fast(kind: EventKind, reader: &mut #p::Reader<'_>) -> Option<Self> {
                match kind {
                    #(#fast_arms)*
                }
            }
        }
    }
}

/// The schema as a `static` initializer.
fn schema_tokens(schema: &Schema) -> TokenStream {
    let rt = rt();
    let p = p();
    let events = schema.events.iter().map(|e| {
        let name = e.name.as_ref();
        let data = match &e.data {
            DataSchema::Unspecified => quote!(#p::DataSchema::Unspecified),
            DataSchema::None => quote!(#p::DataSchema::None),
            DataSchema::Opaque(n) => {
                let n = n.as_ref();
                quote!(#p::DataSchema::Opaque(#p::Cow::Borrowed(#n)))
            }
            DataSchema::Object(fields) => {
                let fields = fields_tokens(fields);
                quote!(#p::DataSchema::Object(#fields))
            }
        };
        quote!(#p::EventSchema { name: #p::Cow::Borrowed(#name), data: #data })
    });
    quote!(#rt::Schema { events: #p::Cow::Borrowed(&[#(#events),*]) })
}

fn fields_tokens(fields: &[FieldSchema]) -> TokenStream {
    let p = p();
    let fields = fields.iter().map(|f| {
        let name = f.name.as_ref();
        let ty = match f.ty {
            JsonKind::String => quote!(String),
            JsonKind::Integer => quote!(Integer),
            JsonKind::Number => quote!(Number),
            JsonKind::Boolean => quote!(Boolean),
            JsonKind::Object => quote!(Object),
            JsonKind::Array => quote!(Array),
            JsonKind::Any => quote!(Any),
        };
        let optional = f.optional;
        let values = f.values.iter().map(|v| {
            let v = v.as_ref();
            quote!(#p::Cow::Borrowed(#v))
        });
        let members = fields_tokens(&f.members);
        quote! {
            #p::FieldSchema {
                name: #p::Cow::Borrowed(#name),
                ty: #p::JsonKind::#ty,
                optional: #optional,
                values: #p::Cow::Borrowed(&[#(#values),*]),
                members: #members,
            }
        }
    });
    quote!(#p::Cow::Borrowed(&[#(#fields),*]))
}
