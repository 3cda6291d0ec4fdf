//! The message envelope: `{"event": ..., "data": ..., "timestamp": ...}` in any key order.

use crate::lenient::{self, Accept, Key, Lenient, Seed};
use qmp_schema as validate;
use qmp_schema::{self, Violation};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// When QEMU emitted an event. QEMU sends `-1`/`-1` when it could not read the host clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// Microseconds within the second.
    pub microseconds: i64,
}

impl Timestamp {
    /// Reads a timestamp from JSON: exactly the two integer members, nothing else.
    pub fn from_value(value: &Value) -> Option<Timestamp> {
        // One definition of a well-formed timestamp, shared with the validators.
        if !qmp_schema::is_timestamp(value) {
            return None;
        }
        Some(Timestamp {
            seconds: value["seconds"].as_i64()?,
            microseconds: value["microseconds"].as_i64()?,
        })
    }

    /// Whether QEMU could read the clock (it sends -1/-1 when it could not).
    pub fn is_known(&self) -> bool {
        !(self.seconds == -1 && self.microseconds == -1)
    }
}

/// As `{"seconds": S, "microseconds": U}` (written by hand: the crate builds without derives).
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("seconds", &self.seconds)?;
        map.serialize_entry("microseconds", &self.microseconds)?;
        map.end()
    }
}

impl<'de> Accept<'de> for Timestamp {
    // The hot path of every message: two integer members and nothing else, read without the
    // general object machinery. Anything else (a missing, extra or non-integer member) turns
    // the timestamp into the raw JSON it was.
    fn accept_map<A: MapAccess<'de>>(mut map: A) -> Result<Lenient<Self>, A::Error> {
        let mut seconds: Option<Lenient<i64>> = None;
        let mut microseconds: Option<Lenient<i64>> = None;
        let mut rest: Option<Map<String, Value>> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "seconds" => seconds = Some(map.next_value_seed(Seed::<i64>::new())?),
                "microseconds" => microseconds = Some(map.next_value_seed(Seed::<i64>::new())?),
                _ => {
                    let value = map.next_value()?;
                    rest.get_or_insert_with(Map::new)
                        .insert(key.into_string(), value);
                }
            }
        }
        match (seconds, microseconds, rest) {
            (Some(Ok(seconds)), Some(Ok(microseconds)), None) => Ok(Ok(Timestamp {
                seconds,
                microseconds,
            })),
            (seconds, microseconds, rest) => {
                let mut raw = rest.unwrap_or_default();
                for (key, value) in [("seconds", seconds), ("microseconds", microseconds)] {
                    if let Some(value) = value {
                        raw.insert(key.to_owned(), value.map_or_else(|raw| raw, Value::from));
                    }
                }
                Ok(Err(Value::Object(raw)))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::strict(d, "timestamp")
    }
}

/// An event the spec does not describe, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEvent {
    /// The `event` member.
    pub name: String,
    /// The `data` member, if present.
    pub data: Option<Value>,
}

/// A known event whose `data` does not match the spec, kept as raw JSON with what did not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MismatchedEvent<K> {
    /// Which event it is.
    pub kind: K,
    /// The `data` member as sent, if present.
    pub data: Option<Value>,
    /// How `data` differs from the spec (drift included).
    pub violations: Vec<Violation>,
}

/// The error of parsing an event name the spec does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEventName(pub String);

impl fmt::Display for UnknownEventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown QMP event `{}`", self.0)
    }
}

impl std::error::Error for UnknownEventName {}

/// Decodes any `data` as raw JSON (for events whose data the spec does not describe).
pub fn decode_any<'de, D: Deserializer<'de>>(data: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(data).map(Some)
}

/// Writes a raw `data` entry if there is one.
pub fn serialize_data<M: SerializeMap>(map: &mut M, data: Option<&Value>) -> Result<(), M::Error> {
    match data {
        Some(data) => map.serialize_entry("data", data),
        None => Ok(()),
    }
}

/// Reports an event the spec does not describe.
pub fn unknown_event(name: &str, out: &mut Vec<Violation>) {
    validate::Path::ROOT.report(
        out,
        validate::ViolationKind::UnknownEvent {
            name: name.to_owned(),
        },
    );
}

/// Reports a message without a string `event` member.
pub fn missing_event(out: &mut Vec<Violation>) {
    validate::Path::ROOT.report(out, validate::ViolationKind::MissingEvent);
}

/// A set of events generated from one spec: the `Event` enum of the crate root, of
/// `qmp_events::qemu_10_0`, or of code from `qmp_events!` or a build script. [`Message<E>`]
/// decodes into any of them.
///
/// Sealed: the generated code implements it (through `#[derive(qmp_events::derive::Events)]`,
/// whose hidden supertrait is not part of the API), and new methods may be added.
pub trait EventSet: Decode {
    /// The fieldless enum of the spec's event names (`EventKind`).
    type Kind: Copy + fmt::Debug + PartialEq;

    /// Which known event this is (also for mismatched data), if any.
    fn kind(&self) -> Option<Self::Kind>;
}

/// What [`Message`] needs from an event set; implemented by `#[derive(Events)]`, not part of
/// the API.
#[doc(hidden)]
pub trait Decode: Sized {
    /// The wire name of a known event.
    fn kind_name(kind: <Self as EventSet>::Kind) -> &'static str
    where
        Self: EventSet;

    /// The known event with this wire name.
    fn kind_of(name: &str) -> Option<<Self as EventSet>::Kind>
    where
        Self: EventSet;

    /// Decodes the `data` member of a known event; never fails on content, only on bad JSON.
    fn decode_data<'de, D: Deserializer<'de>>(
        kind: <Self as EventSet>::Kind,
        data: D,
    ) -> Result<Self, D::Error>
    where
        Self: EventSet;

    /// A known event that came without `data`.
    fn without_data(kind: <Self as EventSet>::Kind) -> Self
    where
        Self: EventSet;

    /// An event the spec does not describe.
    fn unknown(event: UnknownEvent) -> Self;

    /// A message without a string `event` member.
    fn absent() -> Self;

    /// The wire name, if there is one.
    fn wire_name(&self) -> Option<&str>;

    /// Writes the `data` entry, if the event has one.
    fn serialize_data<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// Appends how this event differs from the spec (drift in a typed event, the recorded
    /// violations of a mismatched one), as [`validate`](crate::check::validate) reports them.
    fn violations(&self, out: &mut Vec<Violation>);

    /// Checks the raw `data` of a known event.
    fn check_data(kind: <Self as EventSet>::Kind, data: Option<&Value>, out: &mut Vec<Violation>)
    where
        Self: EventSet;

    /// Reads the `data` of a known event straight into its type, when it has exactly the
    /// documented shape; `None` otherwise (the message is then read the lenient way).
    fn read_data_fast(
        kind: <Self as EventSet>::Kind,
        reader: &mut crate::fast::Reader<'_>,
    ) -> Option<Self>
    where
        Self: EventSet;
}

/// A discriminator value a union's spec does not list (drift), with the other members as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBranch {
    /// The discriminator's value.
    pub tag: String,
    /// The other members of the object.
    pub members: Map<String, Value>,
}

/// Builds the [`MismatchedEvent`] for known event data that did not fit.
pub fn mismatched<E: EventSet>(kind: E::Kind, data: Option<Value>) -> MismatchedEvent<E::Kind> {
    let mut violations = Vec::new();
    E::check_data(kind, data.as_ref(), &mut violations);
    MismatchedEvent {
        kind,
        data,
        violations,
    }
}

/// One QMP event message, decoded without loss.
///
/// Every JSON object decodes, but one that repeats `event`, `data` or `timestamp`: members the
/// spec does not describe, events it does not know and data that does not match it are kept, so
/// that serializing the message gives back the same JSON (as a `serde_json::Value`: key order,
/// whitespace, and all but the last of a repeated member are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<E = crate::Event> {
    /// The event and its data.
    pub event: E,
    /// When it happened, if the message says so in the documented form.
    pub timestamp: Option<Timestamp>,
    /// Every other top-level member, including a malformed `timestamp`, an `event` that is not a
    /// string, and `data` when there is no event name.
    pub extra: Map<String, Value>,
}

impl<E: EventSet> Message<E> {
    /// The timestamp, if the message has one in the documented form.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// The event's wire name, if the message has one.
    pub fn name(&self) -> Option<&str> {
        self.event.wire_name()
    }

    /// Every way the message differs from the spec, as
    /// [`Event::validate`](crate::Event::validate) reports them for the same JSON, computed from
    /// the typed form without re-reading the JSON.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        for (key, value) in &self.extra {
            validate::check_envelope_member(key, value, &mut out);
        }
        self.event.violations(&mut out);
        out
    }

    /// Decodes a message from a `serde_json::Value`.
    pub fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }

    /// Decodes a message from JSON bytes, as [`str::parse`] does: the bytes must be UTF-8.
    pub fn from_slice(json: &[u8]) -> Result<Self, serde_json::Error> {
        match std::str::from_utf8(json) {
            Ok(json) => json.parse(),
            // Not UTF-8, hence not JSON either: serde_json says where.
            Err(_) => serde_json::from_slice(json),
        }
    }

    /// The message as JSON.
    pub fn to_value(&self) -> Value {
        lenient::to_value(self)
    }
}

impl<E: EventSet> Serialize for Message<E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(ts) = &self.timestamp {
            map.serialize_entry("timestamp", ts)?;
        }
        if let Some(name) = self.event.wire_name() {
            map.serialize_entry("event", name)?;
        }
        self.event.serialize_data(&mut map)?;
        lenient::serialize_extra(&mut map, &self.extra)?;
        map.end()
    }
}

/// Decodes one line of QMP output; the fastest way to decode a message.
///
/// The result is the one `serde_json::from_str` gives, error included (line, column and all),
/// but most messages are read by a reader of its own that covers what QMP sends: strings without
/// escapes, integers, objects, arrays and literals. At the first thing it does not cover (an
/// escape, a float, very deep nesting, a syntax error) it hands the whole input to `serde_json`.
///
/// ```
/// let line = r#"{"event": "BALLOON_CHANGE", "data": {"actual": 944766976},
///                "timestamp": {"seconds": 1267020223, "microseconds": 435656}}"#;
/// let msg: qmp_events::Message = line.parse()?;
/// assert!(matches!(msg.event, qmp_events::Event::BalloonChange(ref b) if b.actual == 944766976));
/// assert_eq!(msg, serde_json::from_str(line)?);
///
/// let err = "{\"event\": 1,}".parse::<qmp_events::Message>().unwrap_err();
/// assert_eq!(err.to_string(), "trailing comma at line 1 column 13");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<E: EventSet> std::str::FromStr for Message<E> {
    type Err = serde_json::Error;

    #[inline]
    fn from_str(json: &str) -> Result<Self, serde_json::Error> {
        if let Some(msg) = crate::fast::message(json) {
            return Ok(msg);
        }
        match crate::fast::from_str(json) {
            Ok(msg) => Ok(msg),
            Err(crate::fast::Bail) => serde_json::from_str(json),
        }
    }
}

impl<'de, E: EventSet> Deserialize<'de> for Message<E> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MessageVisitor(PhantomData))
    }
}

struct MessageVisitor<E>(PhantomData<E>);

/// Decodes `data` once the event is known.
struct DataSeed<E: EventSet>(E::Kind);

impl<'de, E: EventSet> DeserializeSeed<'de> for DataSeed<E> {
    type Value = E;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<E, D::Error> {
        E::decode_data(self.0, d)
    }
}

enum Name<K> {
    Unseen,
    Known(K),
    Unknown(String),
}

/// Reads the `event` member: a known name is looked up without allocating; anything that is not
/// a string comes back as raw JSON.
struct NameSeed<E>(PhantomData<E>);

impl<'de, E: EventSet> DeserializeSeed<'de> for NameSeed<E> {
    type Value = Lenient<Name<E::Kind>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E: EventSet> Visitor<'de> for NameSeed<E> {
    type Value = Lenient<Name<E::Kind>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event name")
    }
    fn visit_str<Err: de::Error>(self, v: &str) -> Result<Self::Value, Err> {
        Ok(Ok(match E::kind_of(v) {
            Some(kind) => Name::Known(kind),
            None => Name::Unknown(v.to_owned()),
        }))
    }
    fn visit_string<Err: de::Error>(self, v: String) -> Result<Self::Value, Err> {
        Ok(Ok(match E::kind_of(&v) {
            Some(kind) => Name::Known(kind),
            None => Name::Unknown(v),
        }))
    }
    fn visit_bool<Err: de::Error>(self, v: bool) -> Result<Self::Value, Err> {
        Ok(Err(Value::Bool(v)))
    }
    fn visit_i64<Err: de::Error>(self, v: i64) -> Result<Self::Value, Err> {
        Ok(Err(Value::from(v)))
    }
    fn visit_u64<Err: de::Error>(self, v: u64) -> Result<Self::Value, Err> {
        Ok(Err(Value::from(v)))
    }
    fn visit_f64<Err: de::Error>(self, v: f64) -> Result<Self::Value, Err> {
        Ok(Err(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
        ))
    }
    fn visit_unit<Err: de::Error>(self) -> Result<Self::Value, Err> {
        Ok(Err(Value::Null))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Err)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Err)
    }
}

impl<'de, E: EventSet> Visitor<'de> for MessageVisitor<E> {
    type Value = Message<E>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a QMP message (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message<E>, A::Error> {
        let mut name = Name::<E::Kind>::Unseen;
        let mut event: Option<E> = None;
        // `data` that came before `event`, or of an unknown event.
        let mut data: Option<Value> = None;
        let mut seen_data = false;
        let mut timestamp = None;
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "event" => {
                    if !matches!(name, Name::Unseen) || extra.contains_key("event") {
                        return Err(de::Error::duplicate_field("event"));
                    }
                    match map.next_value_seed(NameSeed::<E>(PhantomData))? {
                        Ok(n) => name = n,
                        Err(raw) => {
                            extra.insert("event".to_owned(), raw);
                        }
                    }
                }
                "data" => {
                    if seen_data {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    seen_data = true;
                    match &name {
                        Name::Known(kind) => {
                            event = Some(map.next_value_seed(DataSeed::<E>(*kind))?)
                        }
                        _ => data = Some(map.next_value()?),
                    }
                }
                "timestamp" => {
                    if timestamp.is_some() || extra.contains_key("timestamp") {
                        return Err(de::Error::duplicate_field("timestamp"));
                    }
                    match map.next_value_seed(Seed::<Timestamp>::new())? {
                        Ok(ts) => timestamp = Some(ts),
                        Err(raw) => {
                            extra.insert("timestamp".to_owned(), raw);
                        }
                    }
                }
                _ => {
                    let value = map.next_value()?;
                    extra.insert(key.into_string(), value);
                }
            }
        }
        // Moving the (large) event as little as possible matters here: it is the decode's
        // single biggest copy.
        let event = match event {
            Some(event) => event,
            None => Self::finish(name, data, &mut extra)?,
        };
        Ok(Message {
            event,
            timestamp,
            extra,
        })
    }
}

impl<E: EventSet> MessageVisitor<E> {
    /// The event when its data did not come after its name.
    fn finish<Err: de::Error>(
        name: Name<E::Kind>,
        data: Option<Value>,
        extra: &mut Map<String, Value>,
    ) -> Result<E, Err> {
        Ok(match (name, data) {
            (Name::Known(kind), Some(data)) => {
                E::decode_data(kind, data).map_err(de::Error::custom)?
            }
            (Name::Known(kind), None) => E::without_data(kind),
            (Name::Unknown(name), data) => E::unknown(UnknownEvent { name, data }),
            (Name::Unseen, data) => {
                if let Some(data) = data {
                    extra.insert("data".to_owned(), data);
                }
                E::absent()
            }
        })
    }
}
