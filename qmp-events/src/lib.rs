//! Typed QMP event messages.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
