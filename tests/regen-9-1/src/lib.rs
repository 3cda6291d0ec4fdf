//! The events of QEMU 9.1, typed from its QAPI schema as the `qapi-qmp` 0.15 crate ships it
//! (`vendor/qemu-9.1-from-qapi-qmp`), by `cargo xtask regen` into `src/generated.rs`: a second
//! QEMU version next to `qmp_events::qemu_10_0`. Its doctests decode the schema's own examples.
#![deny(missing_docs)]

#[rustfmt::skip]
mod generated;

pub use generated::*;
