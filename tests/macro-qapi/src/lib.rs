//! `qmp_events!` on QEMU 10.0.2's QAPI schema (`qapi/` links to the vendored copy), expanded
//! inside a module: the types must decode as `qmp_events::qemu_10_0`, which `cargo xtask regen`
//! generates from the same schema.
#![warn(missing_docs)]

/// The events of QEMU 10.0.2's QAPI schema, generated at compile time.
pub mod qemu {
    qmp_macros::qmp_events!(
        "qapi/qapi-schema.json",
        doctest_crate = "qmp_macro_qapi::qemu"
    );
}
