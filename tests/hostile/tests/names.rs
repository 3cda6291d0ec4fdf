//! Every name planned for the hostile specs is a valid identifier, distinct within its
//! namespace, and no type takes a prelude name: checked on the plan, so that a failure names the
//! item rather than a line of generated code.

use std::path::Path;

fn problems(spec: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
    let loaded = qmp_codegen::spec::load(&path).unwrap_or_else(|e| panic!("{spec}: {e:?}"));
    qmp_codegen::plan::plan(&loaded.spec).name_problems()
}

#[test]
fn legacy_names_are_valid_and_distinct() {
    assert_eq!(problems("spec/hostile.txt"), Vec::<String>::new());
}

#[test]
fn qapi_names_are_valid_and_distinct() {
    assert_eq!(problems("qapi/hostile.json"), Vec::<String>::new());
}

#[test]
fn vendored_specs_names_are_valid_and_distinct() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for spec in [
        "qmp-spec/spec/qmp-events.txt",
        "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
        "vendor/qemu-10.0.2/qapi/qapi-schema.json",
    ] {
        let loaded =
            qmp_codegen::spec::load(&root.join(spec)).unwrap_or_else(|e| panic!("{spec}: {e:?}"));
        let problems = qmp_codegen::plan::plan(&loaded.spec).name_problems();
        assert!(problems.is_empty(), "{spec}: {problems:?}");
    }
}
