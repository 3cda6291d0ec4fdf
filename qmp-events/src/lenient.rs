//! Lossless decoding: every value decodes either into its typed form or, when it does not fit the
//! spec, into the raw JSON it was, in one pass over the input.
//!
//! A typed decode that fails half-way through a streaming deserializer cannot be rewound, so the
//! generated types never fail on content: each one implements [`Accept`], which turns every input
//! shape into `Ok(typed)` or `Err(raw)`. Objects keep the members that did fit as typed values and,
//! when something did not, rebuild the raw object from them. Only malformed JSON is an error.
//!
//! This module is public for the generated code; its items are not part of the stable API.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// The typed value, or the raw JSON when the input does not have the shape the spec gives.
pub type Lenient<T> = Result<T, Value>;

/// A type that can be decoded leniently. Each method receives one JSON shape; the defaults keep
/// the input as raw JSON, so an implementation overrides only the shapes it accepts.
pub trait Accept<'de>: Sized {
    /// Accepts an integer that fits in `i64`.
    fn accept_i64(v: i64) -> Lenient<Self> {
        Err(Value::from(v))
    }
    /// Accepts an integer above `i64::MAX`.
    fn accept_u64(v: u64) -> Lenient<Self> {
        Err(Value::from(v))
    }
    /// Accepts a number with a fraction or exponent.
    fn accept_f64(v: f64) -> Lenient<Self> {
        // A non-finite float cannot come from JSON; keep it as null rather than panic.
        Err(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    /// Accepts a number that `i64`, `u64` and `f64` do not hold exactly, as `serde_json` gives
    /// it when another crate turns on its `arbitrary_precision` feature (`1e400`,
    /// `18446744073709551616`, `0.10000000000000000001`). By default an integer goes to
    /// [`accept_i64`](Accept::accept_i64) or [`accept_u64`](Accept::accept_u64) and anything
    /// else stays raw, exactly as sent.
    fn accept_number(v: serde_json::Number) -> Lenient<Self> {
        if let Some(i) = v.as_i64() {
            Self::accept_i64(i)
        } else if let Some(u) = v.as_u64() {
            Self::accept_u64(u)
        } else {
            Err(Value::Number(v))
        }
    }
    /// Accepts a boolean.
    fn accept_bool(v: bool) -> Lenient<Self> {
        Err(Value::Bool(v))
    }
    /// Accepts a string.
    fn accept_str(v: Cow<'_, str>) -> Lenient<Self> {
        Err(Value::String(v.into_owned()))
    }
    /// Accepts `null`.
    fn accept_null() -> Lenient<Self> {
        Err(Value::Null)
    }
    /// Accepts an object.
    fn accept_map<A: MapAccess<'de>>(map: A) -> Result<Lenient<Self>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Err)
    }
    /// Accepts an array.
    fn accept_seq<A: SeqAccess<'de>>(seq: A) -> Result<Lenient<Self>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Err)
    }
}

/// Decodes one value leniently from any self-describing deserializer.
pub fn decode<'de, T: Accept<'de>, D: Deserializer<'de>>(d: D) -> Result<Lenient<T>, D::Error> {
    d.deserialize_any(AcceptVisitor::<T>(PhantomData))
}

/// Decodes one value that must match the spec: a value that does not becomes an error that
/// shows the JSON. For users decoding a data type on its own; messages never fail this way.
pub fn strict<'de, T: Accept<'de>, D: Deserializer<'de>>(d: D, what: &str) -> Result<T, D::Error> {
    decode::<T, D>(d)?
        .map_err(|raw| de::Error::custom(format_args!("{raw} does not match the spec's {what}")))
}

/// A [`DeserializeSeed`] for [`decode`], for use with `MapAccess::next_value_seed`.
pub struct Seed<T>(PhantomData<T>);

impl<T> Seed<T> {
    /// A new seed.
    pub fn new() -> Self {
        Seed(PhantomData)
    }
}

impl<T> Default for Seed<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, T: Accept<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = Lenient<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        decode(d)
    }
}

/// The [`Visitor`] behind [`decode`]: each JSON shape goes to the matching `Accept` method.
struct AcceptVisitor<T>(PhantomData<T>);

impl<'de, T: Accept<'de>> Visitor<'de> for AcceptVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::accept_bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(T::accept_i64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(accept_unsigned(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(T::accept_f64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(T::accept_str(Cow::Borrowed(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(T::accept_str(Cow::Owned(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(T::accept_null())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(T::accept_null())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        decode(d)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(match i64::try_from(v) {
            Ok(v) => T::accept_i64(v),
            Err(_) => wide_integer(v.to_string(), v as f64),
        })
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(match u64::try_from(v) {
            Ok(v) => accept_unsigned(v),
            Err(_) => wide_integer(v.to_string(), v as f64),
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // With `arbitrary_precision`, serde_json hands every number from its text as a map of
        // one member, `NUMBER_TOKEN`, whose value is the number's text.
        match map.next_key::<Key<'de>>()? {
            Some(key) if key.as_str() == NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                let number = number_from_text::<A::Error>(&text)?;
                Ok(T::accept_number(number))
            }
            first => T::accept_map(Peeked { first, map }),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::accept_seq(seq)
    }
}

/// The key under which serde_json with `arbitrary_precision` passes a number as a map.
pub(crate) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A number's text as serde_json with `arbitrary_precision` gives it.
pub(crate) fn number_from_text<E: de::Error>(text: &str) -> Result<serde_json::Number, E> {
    text.parse()
        .map_err(|_| E::custom(format_args!("invalid number {text}")))
}

/// An integer beyond `i64` and `u64` (only serde_json with `arbitrary_precision` makes one):
/// kept exactly when serde_json can, else as the nearest `f64`, as serde_json itself would.
fn wide_integer<'de, T: Accept<'de>>(text: String, nearest: f64) -> Lenient<T> {
    match text.parse::<serde_json::Number>() {
        Ok(number) => T::accept_number(number),
        Err(_) => T::accept_f64(nearest),
    }
}

/// A map whose first key was read already (to tell a number of `arbitrary_precision` from an
/// object): gives that key first, then the rest.
struct Peeked<'de, A> {
    first: Option<Key<'de>>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Peeked<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(Key(Cow::Borrowed(key))) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(key))
                .map(Some),
            Some(Key(Cow::Owned(key))) => seed
                .deserialize(de::value::StringDeserializer::new(key))
                .map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A non-negative integer as JSON gives it: `accept_i64` when it fits, else `accept_u64`.
#[inline]
pub(crate) fn accept_unsigned<'de, T: Accept<'de>>(v: u64) -> Lenient<T> {
    match i64::try_from(v) {
        Ok(v) => T::accept_i64(v),
        Err(_) => T::accept_u64(v),
    }
}

impl<'de> Accept<'de> for i64 {
    fn accept_i64(v: i64) -> Lenient<Self> {
        Ok(v)
    }
}

impl<'de> Accept<'de> for bool {
    fn accept_bool(v: bool) -> Lenient<Self> {
        Ok(v)
    }
}

impl<'de> Accept<'de> for String {
    fn accept_str(v: Cow<'_, str>) -> Lenient<Self> {
        Ok(v.into_owned())
    }
}

/// `json-number` that is not known to be an integer: an integer exactly, a fraction as
/// serde_json reads it (exactly only with its `arbitrary_precision`).
impl<'de> Accept<'de> for serde_json::Number {
    fn accept_i64(v: i64) -> Lenient<Self> {
        Ok(v.into())
    }
    fn accept_u64(v: u64) -> Lenient<Self> {
        Ok(v.into())
    }
    fn accept_f64(v: f64) -> Lenient<Self> {
        serde_json::Number::from_f64(v).ok_or(Value::Null)
    }
    fn accept_number(v: serde_json::Number) -> Lenient<Self> {
        Ok(v)
    }
}

/// A JSON object of any content (`json-object` without documented members, named types).
impl<'de> Accept<'de> for Map<String, Value> {
    fn accept_map<A: MapAccess<'de>>(map: A) -> Result<Lenient<Self>, A::Error> {
        Map::deserialize(de::value::MapAccessDeserializer::new(map)).map(Ok)
    }
}

/// An array: every element typed, or the raw array (the elements that were typed serialized
/// back) when one is not.
impl<'de, T: Accept<'de> + Serialize> Accept<'de> for Vec<T> {
    fn accept_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Lenient<Self>, A::Error> {
        let mut typed = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed::<T>::new())? {
            match item {
                Ok(item) => typed.push(item),
                Err(raw) => {
                    let mut items: Vec<Value> = typed.iter().map(to_value).collect();
                    items.push(raw);
                    while let Some(item) = seq.next_element::<Value>()? {
                        items.push(item);
                    }
                    return Ok(Err(Value::Array(items)));
                }
            }
        }
        Ok(Ok(typed))
    }
}

/// A recursive type's member, decoded as the type itself.
impl<'de, T: Accept<'de>> Accept<'de> for Box<T> {
    fn accept_i64(v: i64) -> Lenient<Self> {
        T::accept_i64(v).map(Box::new)
    }
    fn accept_u64(v: u64) -> Lenient<Self> {
        T::accept_u64(v).map(Box::new)
    }
    fn accept_f64(v: f64) -> Lenient<Self> {
        T::accept_f64(v).map(Box::new)
    }
    fn accept_number(v: serde_json::Number) -> Lenient<Self> {
        T::accept_number(v).map(Box::new)
    }
    fn accept_bool(v: bool) -> Lenient<Self> {
        T::accept_bool(v).map(Box::new)
    }
    fn accept_str(v: Cow<'_, str>) -> Lenient<Self> {
        T::accept_str(v).map(Box::new)
    }
    fn accept_null() -> Lenient<Self> {
        T::accept_null().map(Box::new)
    }
    fn accept_map<A: MapAccess<'de>>(map: A) -> Result<Lenient<Self>, A::Error> {
        Ok(T::accept_map(map)?.map(Box::new))
    }
    fn accept_seq<A: SeqAccess<'de>>(seq: A) -> Result<Lenient<Self>, A::Error> {
        Ok(T::accept_seq(seq)?.map(Box::new))
    }
}

/// Unsigned integers (QAPI's `uint64`, `size` and narrower) and the narrower signed ones: an
/// integer in range, else the raw number.
macro_rules! accept_integer {
    ($($ty:ty),*) => {$(
        impl<'de> Accept<'de> for $ty {
            fn accept_i64(v: i64) -> Lenient<Self> {
                <$ty>::try_from(v).map_err(|_| Value::from(v))
            }
            fn accept_u64(v: u64) -> Lenient<Self> {
                <$ty>::try_from(v).map_err(|_| Value::from(v))
            }
        }
    )*};
}

accept_integer!(i8, i16, i32, u8, u16, u32, u64);

/// The rest of a union's object once its discriminator is read.
pub fn read_map<'de, A: MapAccess<'de>>(map: A) -> Result<Map<String, Value>, A::Error> {
    Map::deserialize(de::value::MapAccessDeserializer::new(map))
}

/// A union's value from its members: `branch` decodes the members other than `tag` for the tag's
/// value, or gives them back when they do not fit. A missing or non-string tag, or a branch that
/// does not fit, keeps the whole raw object.
pub fn union_from_map<T>(
    mut members: Map<String, Value>,
    tag: &str,
    branch: impl FnOnce(&str, Map<String, Value>) -> Result<T, Map<String, Value>>,
) -> Lenient<T> {
    match members.remove(tag) {
        Some(Value::String(chosen)) => branch(&chosen, members).map_err(|mut raw| {
            raw.insert(tag.to_owned(), Value::String(chosen));
            Value::Object(raw)
        }),
        Some(other) => {
            members.insert(tag.to_owned(), other);
            Err(Value::Object(members))
        }
        None => Err(Value::Object(members)),
    }
}

/// A union branch's members decoded as `T`, or given back.
pub fn branch<T: for<'a> Accept<'a>>(members: Map<String, Value>) -> Result<T, Map<String, Value>> {
    let value = Value::Object(members);
    match decode::<T, _>(&value) {
        Ok(Ok(typed)) => Ok(typed),
        _ => match value {
            Value::Object(members) => Err(members),
            _ => Err(Map::new()),
        },
    }
}

/// A union as one object: the discriminator, then the branch's members.
pub fn serialize_branch<S: serde::Serializer, T: Serialize + ?Sized>(
    serializer: S,
    tag: &str,
    chosen: &str,
    branch: &T,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry(tag, chosen)?;
    if let Value::Object(members) = to_value(branch) {
        for (key, value) in &members {
            map.serialize_entry(key, value)?;
        }
    }
    map.end()
}

/// Any JSON value (a member whose type the document does not give).
impl<'de> Accept<'de> for Value {
    fn accept_i64(v: i64) -> Lenient<Self> {
        Ok(v.into())
    }
    fn accept_u64(v: u64) -> Lenient<Self> {
        Ok(v.into())
    }
    fn accept_f64(v: f64) -> Lenient<Self> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn accept_number(v: serde_json::Number) -> Lenient<Self> {
        Ok(Value::Number(v))
    }
    fn accept_bool(v: bool) -> Lenient<Self> {
        Ok(Value::Bool(v))
    }
    fn accept_str(v: Cow<'_, str>) -> Lenient<Self> {
        Ok(Value::String(v.into_owned()))
    }
    fn accept_null() -> Lenient<Self> {
        Ok(Value::Null)
    }
    fn accept_map<A: MapAccess<'de>>(map: A) -> Result<Lenient<Self>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Ok)
    }
    fn accept_seq<A: SeqAccess<'de>>(seq: A) -> Result<Lenient<Self>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Ok)
    }
}

/// An object key, borrowed from the input when the input allows it.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The key as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

/// What was seen of one documented member while decoding an object.
pub enum Slot<T> {
    /// Not present (yet).
    Empty,
    /// Present and typed.
    Typed(T),
    /// Present but not of the documented shape, or present twice.
    Raw(Value),
}

impl<T: Serialize> Slot<T> {
    /// Reads the member's value from `map` into this slot. A repeated key keeps the last value,
    /// as `serde_json::Value` does, so that both readings of a message agree.
    pub fn fill<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error>
    where
        T: Accept<'de>,
    {
        *self = match map.next_value_seed(Seed::<T>::new())? {
            Ok(typed) => Slot::Typed(typed),
            Err(raw) => Slot::Raw(raw),
        };
        Ok(())
    }

    /// The value of a required member, or `None` after noting the mismatch in `object`.
    pub fn required(self, key: &'static str, object: &mut Object) -> Option<T> {
        match self {
            Slot::Typed(v) => Some(v),
            Slot::Empty => {
                object.clean = false;
                None
            }
            Slot::Raw(raw) => {
                object.raw(key, raw);
                None
            }
        }
    }

    /// The value of an optional member (`Some(None)` when absent), or `None` after noting the
    /// mismatch in `object`.
    pub fn optional(self, key: &'static str, object: &mut Object) -> Option<Option<T>> {
        match self {
            Slot::Typed(v) => Some(Some(v)),
            Slot::Empty => Some(None),
            Slot::Raw(raw) => {
                object.raw(key, raw);
                None
            }
        }
    }
}

/// The rest of an object being decoded: members the spec does not name, members that did not
/// fit, and whether everything so far matched.
pub struct Object {
    extra: Map<String, Value>,
    // Members that did not fit, by their (static) documented names; rarely any.
    raw: Vec<(&'static str, Value)>,
    clean: bool,
}

impl Default for Object {
    fn default() -> Self {
        Self::new()
    }
}

impl Object {
    /// A new, so far matching, object.
    pub fn new() -> Self {
        Object {
            extra: Map::new(),
            raw: Vec::new(),
            clean: true,
        }
    }

    /// Keeps a member the spec does not name. A repeated unknown key keeps its last value.
    pub fn extra<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let value = map.next_value::<Value>()?;
        self.extra.insert(key.into_string(), value);
        Ok(())
    }

    fn raw(&mut self, key: &'static str, value: Value) {
        self.clean = false;
        self.raw.push((key, value));
    }

    /// Whether every member seen matched the spec.
    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// The unknown members, for a typed value.
    pub fn into_extra(self) -> Map<String, Value> {
        self.extra
    }

    /// Rebuilds the raw object from the typed members that did fit (`restore`) and the rest.
    pub fn into_raw(self, restore: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let mut map = self.extra;
        map.extend(self.raw.into_iter().map(|(k, v)| (k.to_owned(), v)));
        restore(&mut map);
        Value::Object(map)
    }
}

/// Puts a typed member back into a raw object.
pub fn restore<T: Serialize>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), to_value(&value));
    }
}

/// Puts a typed optional member back into a raw object.
pub fn restore_optional<T: Serialize>(
    map: &mut Map<String, Value>,
    key: &str,
    value: Option<Option<T>>,
) {
    restore(map, key, value.flatten());
}

/// Serializes a typed value that came from JSON back into JSON. The generated types serialize to
/// JSON without error; `null` stands in for the impossible failure rather than a panic.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Serializes an object's extra members after its typed ones.
pub fn serialize_extra<M: serde::ser::SerializeMap>(
    map: &mut M,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    for (k, v) in extra {
        map.serialize_entry(k, v)?;
    }
    Ok(())
}
