//! Typed, lossless, validated QMP event messages, generated from the QMP events document.
//!
//! ```
//! # fn main() -> Result<(), serde_json::Error> {
//! let line = r#"{"event": "BALLOON_CHANGE", "data": {"actual": 944766976},
//!                "timestamp": {"seconds": 1267020223, "microseconds": 435656}}"#;
//! let msg: qmp_events::Message = serde_json::from_str(line)?;
//! match &msg.event {
//!     qmp_events::Event::BalloonChange(b) => assert_eq!(b.actual, 944766976),
//!     other => panic!("unexpected event {other:?}"),
//! }
//! assert_eq!(msg.timestamp().map(|t| t.seconds), Some(1267020223));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

// The generated code names this crate by its absolute path, so that the same code also works
// when `qmp-macros` expands it in another crate.
extern crate self as qmp_events;

mod drift;
pub mod lenient;
mod message;

#[rustfmt::skip]
mod generated;

pub use drift::Drift;
pub use generated::*;
pub use message::{EventSet, Message, MismatchedEvent, Timestamp, UnknownEvent, UnknownEventName};
pub use qmp_schema::{self as schema, Schema, Violation, ViolationKind};

/// Items the generated code uses; not part of the stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::drift::{Drift, report_extra};
    pub use crate::lenient::{
        Accept, Key, Lenient, Object, Slot, decode, restore, restore_optional, serialize_extra,
        strict,
    };
    pub use crate::message::{
        decode_any, mismatched, missing_event, serialize_data, unknown_event,
    };
    pub use qmp_schema::{
        DataSchema, EventSchema, FieldSchema, JsonKind, Path, ViolationKind, check_value,
    };
    pub use serde;
    pub use serde::de::{Deserializer, MapAccess};
    pub use serde::ser::{SerializeMap, Serializer};
    pub use serde_json::{Map, Number, Value};
    pub use std::borrow::Cow;
}
