//! Generates the seed's events into `$OUT_DIR/qmp_events.rs`, the way a user's build script would.

fn main() {
    // `spec/` links to qmp-spec's copy, so that a package of this crate carries its own.
    let spec = "spec/qmp-events.txt";
    if let Err(error) = qmp_codegen::Builder::new(spec)
        .doctest_crate("qmp_build_seed::events")
        .compile()
    {
        panic!("{error}");
    }
}
