//! Compile-fail tests: spec errors and bad arguments become compiler errors that name the spec's
//! line. Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p qmp-macros --test ui`
//! and read them before keeping them.

#[test]
fn ui() {
    // trybuild compiles the cases in a crate of its own under target/, so point the macro at this
    // crate's directory, where the cases and their spec files are (see the macro's crate docs).
    // SAFETY: this is the only test of this binary, so no other thread reads the environment.
    unsafe { std::env::set_var("QMP_MACROS_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")) };
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
