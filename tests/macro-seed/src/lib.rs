//! `qmp_events!` on the repository's default spec, expanded inside a module: the types must be
//! the ones `qmp-events` has checked in (same event names, same decoding, same JSON).
#![warn(missing_docs)]

/// The events of `qmp-spec/spec/qmp-events.txt`, generated at compile time.
pub mod seed {
    qmp_macros::qmp_events!(
        "../../qmp-spec/spec/qmp-events.txt",
        doctest_crate = "qmp_macro_seed::seed"
    );
}
