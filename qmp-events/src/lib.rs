//! Typed, lossless, validated QMP event messages, generated from the QMP events document
//! (`qmp-spec/spec/qmp-events.txt`) by `cargo xtask regen`.
//!
//! Decode one line of QMP output as a [`Message`] and match on its [`Event`]:
//!
//! ```
//! # fn main() -> Result<(), serde_json::Error> {
//! use qmp_events::{Event, Message};
//!
//! let line = r#"{"timestamp": {"seconds": 1267020223, "microseconds": 435656},
//!                "event": "BALLOON_CHANGE", "data": {"actual": 944766976}}"#;
//! let msg: Message = line.parse()?;
//! match &msg.event {
//!     Event::AcpiDeviceOst(info) => println!("ACPI _OST: {:?}", info.0),
//!     Event::BalloonChange(b) => assert_eq!(b.actual, 944766976),
//!     Event::GuestPanicked(p) => println!("guest panicked, action {}", p.action),
//!     Event::QuorumFailure(q) => println!("quorum failure at sector {}", q.sector_num),
//!     Event::QuorumReportBad(q) => println!("bad quorum child {}", q.node_name),
//!     Event::SpiceConnected(s) => println!("SPICE client {}:{}", s.client.host, s.client.port),
//!     Event::SpiceDisconnected(s) => println!("SPICE client {} left", s.client.host),
//!     Event::SpiceInitialized(s) => println!("SPICE channel {}", s.client.channel_type),
//!     // What the spec does not describe is kept, never dropped:
//!     Event::Unknown(e) => println!("event {} is not in the spec: {:?}", e.name, e.data),
//!     Event::Mismatched(e) => println!("{} differs from the spec: {:?}", e.kind, e.violations),
//!     Event::Absent => println!("not an event: {:?}", msg.extra),
//!     // `Event` is non-exhaustive: a regenerated spec may add events.
//!     _ => println!("an event added later"),
//! }
//! assert_eq!(msg.timestamp().map(|t| t.seconds), Some(1267020223));
//! assert!(msg.violations().is_empty());
//! // Lossless: the message serializes back to the same JSON.
//! assert_eq!(serde_json::to_value(&msg)?, serde_json::from_str::<serde_json::Value>(line)?);
//! # Ok(())
//! # }
//! ```
//!
//! # What is kept
//!
//! Every JSON object decodes, but one that repeats `event`, `data` or `timestamp` (see below);
//! anything else is a `serde_json` error. Nothing is lost:
//!
//! - members the spec does not describe stay in each struct's `extra` map;
//! - a string outside a documented value set decodes into the enum's `Other(String)` variant;
//! - a known event whose `data` does not have the documented shape (a missing member, a wrong
//!   type, an integer beyond `i64`) becomes [`Event::Mismatched`] with the raw JSON and the
//!   list of differences; an unknown event becomes [`Event::Unknown`] with its name and data;
//! - other top-level members, and a `timestamp` not of the documented form, stay in
//!   [`Message::extra`].
//!
//! "The same JSON" means the same `serde_json::Value`, so what a `Value` does not keep is not
//! kept either: key order, whitespace, and all but the last of a member repeated in one object
//! (`{"actual": 1, "actual": 2}` decodes as `{"actual": 2}`, by every decode path, as
//! `serde_json::from_str::<Value>` reads it). A repeated envelope member (`event`, `data`,
//! `timestamp`) is a `serde_json` error, as the message has no one meaning.
//!
//! Numbers: an integer comes back exactly (up to `u64::MAX`; beyond, as serde_json reads it, the
//! nearest `f64`), and a number with a fraction or exponent as serde_json reads it, the nearest
//! `f64` (`0.1000000000000000055511151231257827` comes back as `0.1`), as a `Value` keeps it.
//! With `serde_json`'s `arbitrary_precision` feature on (another crate of the dependency graph
//! may turn it on) every number keeps its text: a number beyond `u64` or `f64` is kept exactly
//! where any JSON or a `serde_json::Number` goes, and makes a typed integer member mismatched,
//! with the number as sent. The one exception: an integer written `-0` decodes typed as `0`,
//! where serde_json's own `Value` would keep `-0`. `preserve_order` changes nothing but the
//! order of the members of `extra` maps. `tests/serde-features` checks both.
//!
//! Key order is free (`data` may come before `event`); decoding is one pass over the input and
//! buffers `data` only when it comes before `event`.
//!
//! # Decoding fast
//!
//! `line.parse::<Message>()` (and [`Message::from_slice`]) give exactly what
//! `serde_json::from_str` gives, errors included, in about 60% of the time (and at over twice
//! the throughput of decoding a `serde_json::Value`): the crate reads what QMP sends (strings
//! without escapes, integers, objects, arrays, literals; the timestamp as QEMU writes it) with a
//! reader of its own, straight into the generated types when a message has the documented
//! shape, and hands anything else to the lenient path and `serde_json`. `Message` is
//! also an ordinary `Deserialize` type, for `serde_json::from_reader`, `from_value` or a
//! `StreamDeserializer`. `BENCHMARKS.md` in the repository has the figures.
//!
//! # Validation
//!
//! [`Message::violations`] lists how a message differs from the spec, each [`Violation`] with a
//! JSON pointer (`/data/client/family`) and a [`ViolationKind`]; [`Violation::is_drift`] tells
//! QEMU moving on (a new event, member or value) from a hard error. [`Event::validate`] does the
//! same on a `serde_json::Value` without decoding it; both give the same list.
//!
//! # How the generated code is written
//!
//! A generated file holds declarations and their docs. What decodes, encodes and validates each
//! type is written by the derives of [`derive`](mod@derive) (`#[derive(qmp_events::derive::Struct)]`, with
//! `#[qmp(rename = "sector-num")]` on a member), in the manner of `serde` or `prost`: the same
//! code serves the typed decode, the crate's own fast reader, serialization, drift and
//! validation, so no path can disagree with another.
//!
//! # Type mapping
//!
//! `json-string` is `String` (an open enum where the spec lists values), `json-int` is `i64`,
//! `json-number` is `i64` when the spec's examples show integers and `serde_json::Number`
//! otherwise, `json-bool` is `bool`, a `json-object` with documented members is a struct of its
//! own (structurally identical ones are shared, e.g. [`SpiceConnectedServer`], named from its first use), optional members
//! are `Option<T>`, and a type the spec only names (`ACPIOSTInfo`) keeps its raw JSON object.
//! An [`Event`] variant whose data struct is larger than 64 bytes holds it in a `Box`
//! (`Event::SpiceConnected(Box<SpiceConnected>)`), so that an `Event` stays small.
//! Members without a JSON type take the type every example shows. The full table is in the
//! `qmp-codegen` crate docs.
//!
//! From a QAPI schema (`qemu_10_0`, feature `qemu-10-0`): `str` is `String`, `int` is `i64`,
//! `uint64` and `size` are `u64` and the narrower integers their Rust widths (so nothing above
//! `i64::MAX` is a mismatch), `number` is `serde_json::Number`, `any` is `serde_json::Value`,
//! `[T]` is `Vec<T>`, named structs, enums and unions keep their schema names in Rust case
//! (`ACPIOSTInfo` is `AcpiostInfo`, the schema name in its docs), a struct's base members come
//! first in it, a union is an enum on its discriminator, and a type that contains itself is
//! boxed. Alternates are not typed yet (any JSON).
//!
//! # What a regenerated spec may change
//!
//! `Event`, `EventKind`, the QAPI value enums and unions are `#[non_exhaustive]`: regenerating
//! from a newer spec adds variants without breaking a `match` that has a `_` arm. A spec that
//! adds a member adds a public field, and one that removes or renames a member or type removes
//! the field or type: those are breaking changes, made only in a new minor version (`0.x`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

// The generated code names this crate by its absolute path, so that the same code also works
// when `qmp-macros` expands it in another crate.
extern crate self as qmp_events;

mod check;
mod drift;
mod fast;
mod lenient;
mod message;

#[rustfmt::skip]
mod generated;

/// The events of QEMU 10.0, typed from its QAPI schema (`vendor/qemu-10.0.2/qapi`, all 56 events
/// and the types they reach), with the schema's docs. Behind the cargo feature `qemu-10-0`.
///
/// Decode with the same [`Message`] as the crate root's events:
/// `line.parse::<Message<qmp_events::qemu_10_0::Event>>()`. Every definition counts whatever its
/// build condition (the docs say which exist only in some builds). `Event`, `EventKind`, the
/// value enums and the unions are `#[non_exhaustive]`: a newer QEMU adds events, values and
/// branches, which decode as [`UnknownEvent`], an enum's `Other` and a union's `Other`, and a
/// regenerated module adds variants for them.
#[cfg(feature = "qemu-10-0")]
#[rustfmt::skip]
pub mod qemu_10_0;

pub use drift::Drift;
pub use generated::*;
pub use message::{
    EventSet, Message, MismatchedEvent, Timestamp, UnknownBranch, UnknownEvent, UnknownEventName,
};
pub use qmp_schema::{JsonKind, Violation, ViolationKind};
/// The `serde_json` this crate decodes with, whose `Value`, `Number` and `Map` appear in the
/// generated types.
pub use serde_json;

/// A JSON object as sent: the members a spec does not describe (each struct's `extra`), and a
/// type the spec names but does not describe.
pub type Object = serde_json::Map<String, serde_json::Value>;

/// The derives the generated code is written with (`#[derive(qmp_events::derive::Struct)]`):
/// declarations and docs in the generated file, decoding, encoding and validation written by
/// these. Meant for generated code; see the `qmp-events-derive` crate for their attributes.
pub mod derive {
    pub use qmp_events_derive::{Enum, EventKinds, Events, Struct, Union};
}

/// The crate README's Rust example, compiled and run as a doctest so that it stays true (the
/// repository README's are run by the `qmp-tests` crate).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Items the derives' output uses; not part of the stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::check::{
        Check, check_data, check_enum, check_member, check_no_data, check_object, check_union,
        report_unknown, validate,
    };
    pub use crate::drift::{Drift, report_extra};
    pub use crate::fast::{ReadFast, Reader};
    pub use crate::lenient::{
        Accept, Key, Lenient, Object, Slot, branch, decode, read_map, restore, restore_optional,
        serialize_branch, serialize_extra, strict, union_from_map,
    };
    pub use crate::message::{
        Decode, UnknownBranch, decode_any, mismatched, missing_event, serialize_data, unknown_event,
    };
    pub use qmp_schema::{Path, Violation, check_value};
    pub use serde;
    pub use serde_json::{Map, Number, Value};
    pub use std::borrow::Cow;

    /// Whether `str::parse`'s own reader reads `json` whole (into `IgnoredAny`, building
    /// nothing). For the benchmarks, which compare its scanning with serde_json's.
    pub fn scan(json: &str) -> bool {
        crate::fast::from_str::<serde::de::IgnoredAny>(json).is_ok()
    }
}
