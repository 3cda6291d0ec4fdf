//! Generates every hostile spec of `spec/` and `qapi/` into its own file in `$OUT_DIR`, the way a
//! user's build script would; `src/lib.rs` includes each into its own module, so the crate
//! compiling is the test that no name the specs hold breaks the build.

fn main() {
    for (spec, out) in [
        ("spec/hostile.txt", "legacy.rs"),
        ("qapi/hostile.json", "qapi.rs"),
    ] {
        if let Err(error) = qmp_codegen::Builder::new(spec)
            .out_file(out)
            .doctest_crate(format!("qmp_hostile::{}", out.trim_end_matches(".rs")))
            .compile()
        {
            panic!("{spec}: {error}");
        }
    }
}
