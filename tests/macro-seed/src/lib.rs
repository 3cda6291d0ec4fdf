//! `qmp_events!` on the repository's default spec, expanded inside a module: the types must be
//! the ones `qmp-events` has checked in (same event names, same decoding, same JSON).
#![warn(missing_docs)]

/// The events of `qmp-spec/spec/qmp-events.txt` (`spec/` links to it, so that a package of this
/// crate carries its own copy), generated at compile time.
pub mod seed {
    qmp_macros::qmp_events!(
        "spec/qmp-events.txt",
        doctest_crate = "qmp_macro_seed::seed"
    );
}
