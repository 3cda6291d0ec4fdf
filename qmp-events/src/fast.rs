//! The fast path of [`Message`](crate::Message)'s `FromStr` and `from_slice`: a JSON reader over
//! a `&str` that covers what QMP sends (objects, arrays, strings, integers, literals) and gives
//! up on anything else, so that `serde_json` decodes that input instead.
//!
//! Three levels, each giving up to the next:
//!
//! 1. [`message`] reads the envelope and the generated [`ReadFast`] impls read each documented
//!    member straight into its field, as long as the message has the documented shape;
//! 2. the same `Deserialize`/[`Accept`](crate::lenient::Accept) impls as with `serde_json` run
//!    over this reader (the lenient path);
//! 3. `serde_json` reads the whole input.
//!
//! No level has to be right about an input it does not fully understand: on a string escape, a
//! number that is not a plain integer in `i64`/`u64`, deep nesting, or any syntax or decoding
//! error, the reader stops ([`Bail`]) and `serde_json::from_str` runs on the whole input, which
//! produces the result or the error with its line and column. So an input the reader accepts
//! decodes exactly as `serde_json` decodes it (the `lossless` tests check this on arbitrary
//! input), and every error is `serde_json`'s own.
//!
//! The exception is serde_json's `arbitrary_precision` feature, which this workspace does not
//! enable: with it, serde_json hands every number to visitors as a map, which the typed integer
//! members do not accept, while this reader hands them integers.

use crate::lenient::Accept;
use crate::message::{EventSet, Message, Timestamp, UnknownEvent};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The reader gave up; `serde_json` decides. Not part of the stable API.
#[derive(Debug)]
pub struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("input outside the fast path")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Bail
    }
}

/// Nesting deeper than this goes to `serde_json` (whose own limit is 128).
const MAX_DEPTH: u32 = 64;

/// The offset of the first `"`, `\\` or control character in `bytes` (its length if none),
/// eight bytes at a time.
#[inline]
fn stop_at(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A byte of `x ^ c` is zero where `x` has `c`; `(y - 1) & !y` sets the high bit of the
        // lowest zero byte of `y` (and maybe of later ones, never of earlier ones), and
        // `(x - 0x20) & !x` that of the lowest byte below 0x20.
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let found = found & HIGH;
        if found != 0 {
            return offset + (found.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    for &b in chunks.remainder() {
        if matches!(b, b'"' | b'\\' | 0..=0x1f) {
            return offset;
        }
        offset += 1;
    }
    offset
}

/// A JSON reader over one complete document. Generated code reads typed values with it
/// directly ([`ReadFast`]); it is not part of the stable API.
pub struct Reader<'de> {
    src: &'de str,
    pos: usize,
    depth: u32,
}

type Result<T> = std::result::Result<T, Bail>;

/// Reads a value straight into its type when it has exactly the documented shape: every member
/// typed, none repeated (unknown ones are kept, as the lenient path keeps them). `None`
/// otherwise, with the reader anywhere: the caller then reads the whole message the lenient way,
/// which gives the same result for what this accepts. Implemented by the generated structs.
pub trait ReadFast<'de>: Sized {
    /// Reads the value at the reader's position.
    fn read_fast(reader: &mut Reader<'de>) -> Option<Self>;
}

/// Builtins read as [`Accept`] takes them.
macro_rules! read_fast_by_value {
    ($($ty:ty),*) => {$(
        impl<'de> ReadFast<'de> for $ty {
            #[inline]
            fn read_fast(reader: &mut Reader<'de>) -> Option<Self> {
                reader.value()
            }
        }
    )*};
}

read_fast_by_value!(
    bool, i8, i16, i32, i64, u8, u16, u32, u64, String, serde_json::Number, Value,
    Map<String, Value>
);

impl<'de, T: Accept<'de> + serde::Serialize> ReadFast<'de> for Vec<T> {
    #[inline]
    fn read_fast(reader: &mut Reader<'de>) -> Option<Self> {
        reader.value()
    }
}

impl<'de, T: ReadFast<'de>> ReadFast<'de> for Box<T> {
    #[inline]
    fn read_fast(reader: &mut Reader<'de>) -> Option<Self> {
        T::read_fast(reader).map(Box::new)
    }
}

/// Reads a whole message with generated [`ReadFast`] code and no serde layers, when it has the
/// usual shape: `event` (a string), `data` after it, a well-formed `timestamp`, and any other
/// members once each. `None` on anything else; the caller then reads it through `Deserialize`.
pub(crate) fn message<E: EventSet>(src: &str) -> Option<Message<E>> {
    let mut reader = Reader {
        src,
        pos: 0,
        depth: 0,
    };
    let r = &mut reader;
    r.begin_object()?;
    let mut first = true;
    let mut name: Option<std::result::Result<E::Kind, &str>> = None;
    let mut event: Option<E> = None;
    let mut data: Option<Value> = None;
    let mut seen_data = false;
    let mut timestamp = None;
    let mut extra = Map::new();
    while let Some(key) = r.next_member(&mut first)? {
        match key {
            "event" => {
                if name.is_some() || r.peek_token().ok()? != b'"' {
                    return None;
                }
                let text = r.string().ok()?;
                name = Some(E::kind_of(text).ok_or(text));
            }
            "data" => {
                if seen_data {
                    return None;
                }
                seen_data = true;
                // `data` before `event` is left to the lenient path.
                match name? {
                    Ok(kind) => event = Some(E::read_data_fast(kind, r)?),
                    Err(_) => data = Some(r.value::<Value>()?),
                }
            }
            "timestamp" => {
                if timestamp.is_some() {
                    return None;
                }
                let (seconds, microseconds) = r.timestamp()?;
                timestamp = Some(Timestamp {
                    seconds,
                    microseconds,
                });
            }
            _ => r.extra_member(key, &mut extra)?,
        }
    }
    r.skip_ws();
    if r.pos != src.len() {
        return None;
    }
    let event = match (name?, event) {
        (Ok(_), Some(event)) => event,
        (Ok(kind), None) => E::without_data(kind),
        (Err(name), _) => E::unknown(UnknownEvent {
            name: name.to_owned(),
            data,
        }),
    };
    Some(Message {
        event,
        timestamp,
        extra,
    })
}

/// Decodes `src` as one JSON document of type `T`, or gives up.
#[inline]
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(src: &'de str) -> Result<T> {
    let mut reader = Reader {
        src,
        pos: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut reader)?;
    reader.skip_ws();
    if reader.pos == src.len() {
        Ok(value)
    } else {
        Err(Bail)
    }
}

impl<'de> Reader<'de> {
    #[inline]
    fn bytes(&self) -> &'de [u8] {
        self.src.as_bytes()
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    #[inline]
    fn peek_token(&mut self) -> Result<u8> {
        self.skip_ws();
        self.peek().ok_or(Bail)
    }

    /// A string without escapes, borrowed; `pos` is at its opening quote.
    #[inline]
    fn string(&mut self) -> Result<&'de str> {
        let bytes = self.bytes();
        let start = self.pos + 1;
        let i = start + stop_at(bytes.get(start..).unwrap_or_default());
        // Escapes and control characters (an error) are left to serde_json.
        if bytes.get(i) != Some(&b'"') {
            return Err(Bail);
        }
        self.pos = i + 1;
        // Both ends are ASCII quotes, hence char boundaries of the `str`.
        self.src.get(start..i).ok_or(Bail)
    }

    fn literal(&mut self, text: &[u8]) -> Result<()> {
        let end = self.pos + text.len();
        if self.bytes().get(self.pos..end) == Some(text) {
            self.pos = end;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// An integer as serde_json reads it: non-negative ones as `u64`, negative ones as `i64`.
    /// Anything serde_json would read as a float (a fraction, an exponent, an integer out of
    /// range, `-0`) is left to it.
    #[inline]
    fn integer(&mut self) -> Result<Integer> {
        let bytes = self.bytes();
        let negative = bytes.get(self.pos) == Some(&b'-');
        let start = self.pos + usize::from(negative);
        let mut i = start;
        let mut value: u64 = 0;
        while let Some(&b) = bytes.get(i) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            // Cannot overflow in the 19 digits kept below.
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
            i += 1;
        }
        let digits = i - start;
        // No digits, a leading zero, a fraction or exponent, or more digits than surely fit in
        // a `u64` (serde_json reads the 20-digit ones up to `u64::MAX` as integers): not ours.
        if digits == 0
            || digits > 19
            || (digits > 1 && bytes[start] == b'0')
            || matches!(bytes.get(i), Some(b'.' | b'e' | b'E'))
        {
            return Err(Bail);
        }
        self.pos = i;
        if !negative {
            return Ok(Integer::Unsigned(value));
        }
        // serde_json reads `-0` as a float, and so anything below i64::MIN.
        match value {
            0 => Err(Bail),
            v if v <= 1 << 63 => Ok(Integer::Negative((v as i64).wrapping_neg())),
            _ => Err(Bail),
        }
    }

    /// `{"seconds": S, "microseconds": U}`, both members once, in either order, integers in
    /// `i64`: the shape of nearly every timestamp. `None` on anything else, with `pos` anywhere.
    fn timestamp(&mut self) -> Option<(i64, i64)> {
        self.skip_ws();
        let start = self.pos;
        // QEMU writes it one way: `{"seconds": S, "microseconds": U}`.
        let exact = self.timestamp_as_qemu_writes_it();
        if exact.is_some() {
            return exact;
        }
        self.pos = start;
        self.timestamp_any_layout()
    }

    #[inline]
    fn timestamp_as_qemu_writes_it(&mut self) -> Option<(i64, i64)> {
        const SECONDS: &[u8] = b"{\"seconds\": ";
        const MICROSECONDS: &[u8] = b", \"microseconds\": ";
        self.pos += SECONDS.len();
        if self.bytes().get(self.pos - SECONDS.len()..self.pos)? != SECONDS {
            return None;
        }
        let seconds = self.i64()?;
        self.pos += MICROSECONDS.len();
        if self.bytes().get(self.pos - MICROSECONDS.len()..self.pos)? != MICROSECONDS {
            return None;
        }
        let microseconds = self.i64()?;
        if self.peek() != Some(b'}') {
            return None;
        }
        self.pos += 1;
        Some((seconds, microseconds))
    }

    /// An integer in `i64`.
    #[inline]
    fn i64(&mut self) -> Option<i64> {
        match self.integer().ok()? {
            Integer::Unsigned(v) => i64::try_from(v).ok(),
            Integer::Negative(v) => Some(v),
        }
    }

    fn timestamp_any_layout(&mut self) -> Option<(i64, i64)> {
        let mut seconds = None;
        let mut microseconds = None;
        if self.peek_token().ok()? != b'{' {
            return None;
        }
        self.pos += 1;
        for separator in [None, Some(b',')] {
            if let Some(separator) = separator {
                if self.peek_token().ok()? != separator {
                    return None;
                }
                self.pos += 1;
            }
            if self.peek_token().ok()? != b'"' {
                return None;
            }
            let slot = match self.string().ok()? {
                "seconds" => &mut seconds,
                "microseconds" => &mut microseconds,
                _ => return None,
            };
            if self.peek_token().ok()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_ws();
            if slot.replace(self.i64()?).is_some() {
                return None;
            }
        }
        if self.peek_token().ok()? != b'}' {
            return None;
        }
        self.pos += 1;
        Some((seconds?, microseconds?))
    }

    /// For [`ReadFast`] impls: consumes the `{` that opens an object.
    #[inline]
    pub fn begin_object(&mut self) -> Option<()> {
        if self.peek_token().ok()? != b'{' {
            return None;
        }
        self.enter().ok()
    }

    /// For [`ReadFast`] impls: the next member's name, with its `:` consumed, or `Some(None)`
    /// after the closing `}`.
    #[inline]
    pub fn next_member(&mut self, first: &mut bool) -> Option<Option<&'de str>> {
        if self.next_item(first, b'}').ok()?.is_none() {
            self.pos += 1;
            self.depth -= 1;
            return Some(None);
        }
        if self.peek_token().ok()? != b'"' {
            return None;
        }
        let name = self.string().ok()?;
        if self.peek_token().ok()? != b':' {
            return None;
        }
        self.pos += 1;
        Some(Some(name))
    }

    /// For [`ReadFast`] impls: reads a member's value into its still empty slot.
    #[inline]
    pub fn member<T: ReadFast<'de>>(&mut self, slot: &mut Option<T>) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(T::read_fast(self)?);
        Some(())
    }

    /// For [`ReadFast`] impls: keeps a member the spec does not name, as the lenient path does
    /// (`None` if the name repeats).
    #[inline]
    pub fn extra_member(&mut self, name: &str, extra: &mut Map<String, Value>) -> Option<()> {
        let value = self.value::<Value>()?;
        match extra.insert(name.to_owned(), value) {
            None => Some(()),
            Some(_) => None,
        }
    }

    /// For [`ReadFast`] impls: a value that [`Accept`] takes as `T` (as the lenient path
    /// would), or `None`.
    #[inline]
    pub fn value<T: Accept<'de>>(&mut self) -> Option<T> {
        match self.peek_token().ok()? {
            b'"' => T::accept_str(Cow::Borrowed(self.string().ok()?)).ok(),
            b'-' | b'0'..=b'9' => match self.integer().ok()? {
                Integer::Unsigned(v) => crate::lenient::accept_unsigned::<T>(v).ok(),
                Integer::Negative(v) => T::accept_i64(v).ok(),
            },
            _ => crate::lenient::decode::<T, _>(self).ok()?.ok(),
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes the closing `close` of a map or array whose visitor has returned.
    #[inline]
    fn leave(&mut self, close: u8) -> Result<()> {
        if self.peek_token()? != close {
            return Err(Bail);
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    #[inline]
    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_map(Entries {
            reader: self,
            first: true,
        })?;
        self.leave(b'}')?;
        Ok(value)
    }

    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_seq(Elements {
            reader: self,
            first: true,
        })?;
        self.leave(b']')?;
        Ok(value)
    }

    /// The separator before the next entry or element: `None` at `close`.
    #[inline]
    fn next_item(&mut self, first: &mut bool, close: u8) -> Result<Option<()>> {
        let b = self.peek_token()?;
        if b == close {
            return Ok(None);
        }
        if *first {
            *first = false;
        } else if b == b',' {
            self.pos += 1;
            // A trailing comma is an error: serde_json reports it.
            if self.peek_token()? == close {
                return Err(Bail);
            }
        } else {
            return Err(Bail);
        }
        Ok(Some(()))
    }
}

/// `Deserializer` methods that give up, whatever their arguments.
macro_rules! give_up {
    ($de:lifetime; $($method:ident($($arg:ty),*);)*) => {
        $(fn $method<V: Visitor<$de>>(self, $(_: $arg,)* _: V) -> Result<V::Value> {
            Err(Bail)
        })*
    };
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek_token()? {
            b'"' => {
                let s = self.string()?;
                visitor.visit_borrowed_str(s)
            }
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            b'-' | b'0'..=b'9' => match self.integer()? {
                Integer::Unsigned(v) => visitor.visit_u64(v),
                Integer::Negative(v) => visitor.visit_i64(v),
            },
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek_token()? != b'"' {
            return Err(Bail);
        }
        let s = self.string()?;
        visitor.visit_borrowed_str(s)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek_token()? != b'{' {
            return Err(Bail);
        }
        self.map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek_token()? != b'[' {
            return Err(Bail);
        }
        self.seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek_token()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }

    // serde_json gives these their own readings (e.g. of a string as an enum variant or of
    // bytes), which the decode path never asks for: they go to serde_json.
    give_up! {'de;
        deserialize_bool(); deserialize_i8(); deserialize_i16(); deserialize_i32();
        deserialize_i64(); deserialize_u8(); deserialize_u16(); deserialize_u32();
        deserialize_u64(); deserialize_f32(); deserialize_f64(); deserialize_char();
        deserialize_bytes(); deserialize_byte_buf(); deserialize_unit();
        deserialize_unit_struct(&'static str); deserialize_newtype_struct(&'static str);
        deserialize_tuple(usize); deserialize_tuple_struct(&'static str, usize);
        deserialize_struct(&'static str, &'static [&'static str]);
        deserialize_enum(&'static str, &'static [&'static str]); deserialize_identifier();
    }
}

/// An integer as serde_json visits it.
enum Integer {
    Unsigned(u64),
    Negative(i64),
}

/// The entries of an object.
struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Bail;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.reader.next_item(&mut self.first, b'}')?.is_none() {
            return Ok(None);
        }
        // Keys are strings; `deserialize_str` gives up on anything else.
        seed.deserialize(&mut *self.reader).map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        if self.reader.peek_token()? != b':' {
            return Err(Bail);
        }
        self.reader.pos += 1;
        seed.deserialize(&mut *self.reader)
    }
}

/// The elements of an array.
struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.reader.next_item(&mut self.first, b']')?.is_none() {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The reader either gives up or agrees with serde_json.
    fn agrees(src: &str) -> bool {
        match from_str::<Value>(src) {
            Ok(v) => {
                assert_eq!(
                    Some(&v),
                    serde_json::from_str::<Value>(src).ok().as_ref(),
                    "{src}"
                );
                true
            }
            Err(Bail) => false,
        }
    }

    #[test]
    fn reads_what_qmp_sends() {
        for src in [
            r#"{"event": "X", "data": {"a": [1, -2, true, false, null, "s", {}], "b": {}}}"#,
            " { } ",
            "[]",
            "[ 1 , 2 ]",
            "9999999999999999999",
            "-9223372036854775808",
            "0",
            "-1",
            r#""é ünïcødé 🦀""#,
        ] {
            assert!(agrees(src), "gave up on {src}");
        }
    }

    #[test]
    fn gives_up_on_what_serde_json_reads_otherwise_or_rejects() {
        for src in [
            // Floats, and integers serde_json reads as floats.
            "1.5",
            "1e3",
            "-0",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "100000000000000000000",
            "-9223372036854775809",
            // Escapes.
            r#""a\"b""#,
            r#""\u00e9""#,
            // Errors.
            "01",
            "-",
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "[1 2]",
            "{} x",
            "tru",
            "\"\u{1}\"",
            "\"open",
            "",
            "[",
            r#"{"a":1"#,
        ] {
            assert!(!agrees(src), "accepted {src:?}");
        }
    }

    #[test]
    fn stop_at_finds_the_first_special_byte() {
        let plain = "abcdefghijklmnopqrstuvwxyz0123456789 ~\u{7f}é🦀";
        for len in 0..plain.len() {
            let text = &plain.as_bytes()[..len];
            assert_eq!(stop_at(text), len);
            for at in 0..=len {
                for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
                    let mut bytes = text.to_vec();
                    bytes.insert(at, special);
                    // A later special byte does not hide an earlier one.
                    bytes.push(b'"');
                    assert_eq!(stop_at(&bytes), at, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn timestamps_of_every_shape_decode_as_serde_json_decodes_them() {
        for ts in [
            r#"{"seconds": 1267020223, "microseconds": 435656}"#,
            r#"{ "microseconds" : 435656 , "seconds" : 1267020223 }"#,
            r#"{"seconds": -1, "microseconds": -1}"#,
            r#"{"seconds":1,"microseconds":2}"#,
            r#"{"seconds": 1, "microseconds": 2 }"#,
            r#"{"seconds": 1, "microseconds": 2, "seconds": 3}"#,
            r#"{"seconds": 1, "microseconds": 99999999999999999999}"#,
            r#"{"seconds": 1, "microseconds": 2"#,
            r#"{"seconds": 9223372036854775807, "microseconds": -9223372036854775808}"#,
            // Not the usual shape: read as any value.
            r#"{"seconds": 9223372036854775808, "microseconds": 0}"#,
            r#"{"seconds": 1, "seconds": 2, "microseconds": 3}"#,
            r#"{"seconds": 1, "microseconds": 3, "seconds": 2}"#,
            r#"{"seconds": 1}"#,
            r#"{"seconds": 1, "microseconds": 2, "nanoseconds": 3}"#,
            r#"{"seconds": "1", "microseconds": 2}"#,
            r#"{"seconds": null, "microseconds": 2}"#,
            r#"{"seconds": 1, "microseconds": 2}"#,
            r#"{}"#,
            "[1, 2]",
            "17",
            r#""now""#,
            // Errors.
            r#"{"seconds": 1.5, "microseconds": 2}"#,
            r#"{"seconds": 1, "microseconds": 2,}"#,
            r#"{"seconds": 1 "microseconds": 2}"#,
            r#"{"seconds": 01, "microseconds": 2}"#,
        ] {
            let line = format!(r#"{{"event": "STOP", "timestamp": {ts}}}"#);
            let expected = serde_json::from_str::<crate::Message>(&line).map_err(|e| e.to_string());
            let parsed = line.parse::<crate::Message>().map_err(|e| e.to_string());
            assert_eq!(parsed, expected, "{line}");
            if ts.starts_with(r#"{"seconds": 1267020223"#) {
                let ts = parsed.expect("decodes").timestamp;
                assert_eq!(
                    ts.map(|t| (t.seconds, t.microseconds)),
                    Some((1267020223, 435656))
                );
            }
        }
    }

    /// Lines that the direct path must either read exactly as the lenient path does or leave to
    /// it: repeated members, mismatches, drift, odd envelopes.
    #[test]
    fn the_direct_path_agrees_with_the_lenient_one() {
        let spice = r#""server": {"host": "h", "port": "1", "family": "ipv4"}"#;
        for line in [
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "actual": 2}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "x": 1, "x": 2}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1, "x": [1, {"y": null}]}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": "1"}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 18446744073709551615}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 9223372036854775808}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": null}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE"}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}, "data": {"actual": 1}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "event": "BALLOON_CHANGE"}"#.to_owned(),
            r#"{"data": {"actual": 1}, "event": "BALLOON_CHANGE"}"#.to_owned(),
            r#"{"event": "STOP", "x": 1, "x": 2}"#.to_owned(),
            r#"{"event": "STOP", "x": 1, "y": {"z": []}}"#.to_owned(),
            r#"{"event": "STOP", "data": {"a": [1, {"b": null}]}}"#.to_owned(),
            r#"{"event": 1}"#.to_owned(),
            r#"{"event": null, "data": 1}"#.to_owned(),
            r#"{"data": 1}"#.to_owned(),
            r#"{}"#.to_owned(),
            format!(r#"{{"event": "SPICE_CONNECTED", "data": {{{spice}, "client": {{"host": "h", "port": "2", "family": "unix", "tls": true}}}}}}"#),
            format!(r#"{{"event": "SPICE_CONNECTED", "data": {{{spice}, {spice}, "client": {{"host": "h", "port": "2", "family": "ipv6"}}}}}}"#),
            format!(r#"{{"event": "SPICE_CONNECTED", "data": {{{spice}}}}}"#),
            r#"{"event": "GUEST_PANICKED", "data": {"action": "pause", "info": {}}}"#.to_owned(),
            r#"{"event": "GUEST_PANICKED", "data": {"action": "poweroff"}}"#.to_owned(),
            r#"{"event": "ACPI_DEVICE_OST", "data": {"info": {"device": "d"}}}"#.to_owned(),
            r#"{"event": "ACPI_DEVICE_OST", "data": []}"#.to_owned(),
            r#"{"event": "QUORUM_REPORT_BAD", "data": {"node-name": "n", "sector-num": 1, "sectors-count": 2, "error": null}}"#.to_owned(),
            r#"{"event": "QUORUM_REPORT_BAD", "data": {"node-name": "n", "sector-num": -1, "sectors-count": 2, "error": "e"}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}, "timestamp": {"seconds": 1, "microseconds": 2}, "timestamp": {"seconds": 1, "microseconds": 2}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}, "timestamp": {"seconds": 1}}"#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}} "#.to_owned(),
            r#"{"event": "BALLOON_CHANGE", "data": {"actual": 1}} {}"#.to_owned(),
        ] {
            let expected = serde_json::from_str::<crate::Message>(&line).map_err(|e| e.to_string());
            let parsed = line.parse::<crate::Message>().map_err(|e| e.to_string());
            assert_eq!(parsed, expected, "{line}");
        }
    }

    #[test]
    fn deep_nesting_goes_to_serde_json() {
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(agrees(&ok));
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(!agrees(&deep));
    }
}
