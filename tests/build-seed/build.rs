//! Generates the seed's events into `$OUT_DIR/qmp_events.rs`, the way a user's build script would.

fn main() {
    let spec = "../../qmp-spec/spec/qmp-events.txt";
    if let Err(error) = qmp_codegen::Builder::new(spec)
        .doctest_crate("qmp_build_seed::events")
        .compile()
    {
        panic!("{error}");
    }
}
