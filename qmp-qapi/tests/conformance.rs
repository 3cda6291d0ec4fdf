//! QEMU's own test suite for its QAPI generator (`tests/qapi-schema`, vendored): every case is
//! a schema, and its `.err` file says whether QEMU accepts it (empty) or where it rejects it
//! (`file:line[:col]: message`, after `In struct 'Foo':` context lines).
//!
//! We must reach the same verdict, and our first error (for a doc-comment problem QEMU rejects
//! and we only warn about, our first warning) must be where QEMU's is: at QEMU's line, or
//! naming the definition at QEMU's line (QEMU blames a definition's first line, we point into
//! it and name the definition in a note). Every case where we differ is listed in [`KNOWN`]
//! with the reason, and the list must stay exact: an unlisted difference fails, and so does a
//! listed one that went away.

use qmp_qapi::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn suite() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vendor/qemu-10.0.2/tests/qapi-schema"
    ))
    .to_path_buf()
}

/// How a case comes out, compared with QEMU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// QEMU and we accept it.
    Accepted,
    /// QEMU and we reject it, our first error where QEMU's is.
    RejectedAtLine,
    /// QEMU and we reject it, our first error elsewhere.
    RejectedElsewhere,
    /// QEMU rejects it for its doc comments; we accept it with a warning where QEMU's error is.
    RelaxedAtLine,
    /// QEMU rejects it for its doc comments; we accept it with a first warning elsewhere (or
    /// none).
    RelaxedElsewhere,
    /// QEMU rejects it; we accept it without a word.
    Missed,
    /// QEMU accepts it; we reject it.
    Refused,
}

use Outcome::*;

/// The cases where we knowingly differ from QEMU, and why.
const KNOWN: &[(&str, Outcome, &str)] = &[
    ("doc-bad-alternate-member", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-boxed-command-arg", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-command-arg", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-enum-member", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-event-arg", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-feature", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-indent", RelaxedAtLine, DOC_LAYOUT),
    ("doc-bad-section", RelaxedAtLine, DOC_LAYOUT),
    ("doc-bad-symbol", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-bad-union-member", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-before-include", RejectedElsewhere, DOC_THEN_ERROR),
    ("doc-before-pragma", RejectedElsewhere, DOC_THEN_ERROR),
    ("doc-duplicate-features", RelaxedAtLine, DOC_LAYOUT),
    ("doc-duplicated-arg", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-duplicated-return", RelaxedAtLine, DOC_LAYOUT),
    ("doc-duplicated-since", RelaxedAtLine, DOC_LAYOUT),
    ("doc-empty-arg", RelaxedAtLine, DOC_LAYOUT),
    ("doc-empty-features", RelaxedAtLine, DOC_LAYOUT),
    ("doc-empty-section", RelaxedAtLine, DOC_LAYOUT),
    ("doc-empty-symbol", RelaxedAtLine, DOC_LAYOUT),
    ("doc-interleaved-section", RelaxedAtLine, DOC_LAYOUT),
    ("doc-invalid-end", RelaxedAtLine, DOC_LAYOUT),
    ("doc-invalid-end2", RelaxedAtLine, DOC_LAYOUT),
    ("doc-invalid-return", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-invalid-return2", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-invalid-section", RelaxedAtLine, DOC_LAYOUT),
    ("doc-invalid-start", RelaxedAtLine, DOC_LAYOUT),
    ("doc-missing", RelaxedAtLine, DOC_AGREEMENT),
    ("doc-missing-colon", RelaxedAtLine, DOC_LAYOUT),
    ("doc-missing-expr", RelaxedAtLine, DOC_LAYOUT),
    ("doc-missing-space", RelaxedAtLine, DOC_LAYOUT),
    ("doc-no-symbol", RelaxedAtLine, DOC_LAYOUT),
    ("doc-non-first-section", RelaxedAtLine, DOC_LAYOUT),
    ("doc-undoc-feature", RelaxedAtLine, DOC_AGREEMENT),
];

const DOC_AGREEMENT: &str = "a doc comment that disagrees with its definition is a warning \
                             (policy: older schemas must read with warnings only)";
const DOC_LAYOUT: &str = "a doc comment layout problem is a warning (same policy; the doc comment \
                          is read as well as it can be)";
const DOC_THEN_ERROR: &str = "QEMU stops at the misplaced doc comment (a warning here, at QEMU's \
                              line) and never reaches the definition's bad name, our first error";

/// QEMU's verdict on a case: `None` if accepted, else the file name and line of its error.
fn qemu_verdict(err: &str) -> Option<(String, u32)> {
    if err.trim().is_empty() {
        return None;
    }
    for line in err.lines() {
        if line.starts_with("In file included from") || line.ends_with("':") {
            continue;
        }
        let mut parts = line.splitn(3, ':');
        let (Some(file), Some(number)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Ok(number) = number.trim().parse() {
            return Some((base_name(file), number));
        }
    }
    // An error without a location (a schema that cannot be read at all).
    Some((String::new(), 0))
}

fn base_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Whether a diagnostic is at `file:line`: its own location, or the definition it names.
fn at(d: &Diagnostic, (file, line): &(String, u32)) -> bool {
    if base_name(&d.file) == *file && d.line == *line {
        return true;
    }
    d.notes.iter().any(|note| {
        note.rsplit_once(" defined at ")
            .and_then(|(_, loc)| loc.rsplit_once(':'))
            .is_some_and(|(f, l)| base_name(f) == *file && l.parse() == Ok(*line))
    })
}

struct Case {
    name: String,
    outcome: Outcome,
    /// What we said first (error, or warning when relaxed), for the report.
    said: Option<String>,
    /// Whether our diagnostic's own line (not just its definition) is QEMU's line.
    own_line: bool,
}

fn run_case(json: &Path, err: &str) -> Case {
    let name = json
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let qemu = qemu_verdict(err);
    let result = qmp_qapi::read(json);
    let (outcome, first) = match (&qemu, &result) {
        (None, Ok(_)) => (Accepted, None),
        (None, Err(diagnostics)) => (Refused, diagnostics.iter().find(|d| d.is_error()).cloned()),
        (Some(loc), Err(diagnostics)) => {
            let first = diagnostics.iter().find(|d| d.is_error()).cloned();
            let outcome = if first.as_ref().is_some_and(|d| at(d, loc)) {
                RejectedAtLine
            } else {
                RejectedElsewhere
            };
            (outcome, first)
        }
        (Some(loc), Ok(parsed)) => {
            let first = parsed
                .warnings
                .iter()
                .find(|w| w.severity == Severity::Warning)
                .cloned();
            let outcome = match &first {
                None => Missed,
                Some(w) if at(w, loc) => RelaxedAtLine,
                Some(_) => RelaxedElsewhere,
            };
            (outcome, first)
        }
    };
    let own_line = match (&qemu, &first) {
        (Some((file, line)), Some(d)) => base_name(&d.file) == *file && d.line == *line,
        _ => false,
    };
    Case {
        name,
        outcome,
        said: first.map(|d| format!("{}:{}: {}", base_name(&d.file), d.line, d.message)),
        own_line,
    }
}

#[test]
fn qemu_qapi_schema_suite() {
    let dir = suite();
    let mut cases = Vec::new();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for json in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        // Files without an `.err` are only included by other cases.
        let Ok(err) = std::fs::read_to_string(json.with_extension("err")) else {
            continue;
        };
        cases.push(run_case(json, &err));
    }
    assert!(
        cases.len() > 200,
        "only {} cases in {}",
        cases.len(),
        dir.display()
    );

    let known: BTreeMap<&str, Outcome> = KNOWN.iter().map(|(n, o, _)| (*n, *o)).collect();
    let mut problems = Vec::new();
    for case in &cases {
        let expected = known.get(case.name.as_str()).copied();
        let agrees = matches!(case.outcome, Accepted | RejectedAtLine);
        match expected {
            None if !agrees => problems.push(format!(
                "{}: {:?}, not listed; we said: {}",
                case.name,
                case.outcome,
                case.said.as_deref().unwrap_or("nothing")
            )),
            Some(listed) if listed != case.outcome => problems.push(format!(
                "{}: listed as {listed:?}, now {:?}; we said: {}",
                case.name,
                case.outcome,
                case.said.as_deref().unwrap_or("nothing")
            )),
            _ => {}
        }
    }
    for (name, _, _) in KNOWN {
        if !cases.iter().any(|c| c.name == *name) {
            problems.push(format!("{name}: listed, but no such case"));
        }
    }

    let count = |f: &dyn Fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
    let total = cases.len();
    let verdicts = count(&|c| matches!(c.outcome, Accepted | RejectedAtLine | RejectedElsewhere));
    let relaxed = count(&|c| matches!(c.outcome, RelaxedAtLine | RelaxedElsewhere));
    let rejected = total - count(&|c| matches!(c.outcome, Accepted | Refused));
    let at_line = count(&|c| matches!(c.outcome, RejectedAtLine | RelaxedAtLine));
    let own_line = count(&|c| c.own_line && matches!(c.outcome, RejectedAtLine | RelaxedAtLine));
    println!(
        "conformance: {total} cases; same verdict {verdicts}/{total}, {relaxed} more accepted \
         with a warning (doc rules relaxed); first diagnostic at QEMU's line {at_line}/{rejected} \
         rejected by QEMU ({own_line} on that very line, the rest inside the definition QEMU names)"
    );
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        at_line * 100 >= rejected * 95,
        "only {at_line}/{rejected} at QEMU's line"
    );
}

/// QEMU 10.0.2's own schema reads without an error, with its 56 events complete.
#[test]
fn qemu_10_0_2_schema() {
    use qmp_ir::{Builtin, Condition, EventData, TypeExpr};
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vendor/qemu-10.0.2/qapi/qapi-schema.json"
    ));
    let parsed = qmp_qapi::read(path).unwrap_or_else(|diagnostics| {
        let shown: Vec<String> = diagnostics
            .iter()
            .take(10)
            .map(ToString::to_string)
            .collect();
        panic!("{} diagnostics:\n{}", diagnostics.len(), shown.join("\n"))
    });
    let spec = &parsed.spec;
    println!(
        "qapi-schema.json: {} files, {} events, {} types, {} warnings",
        parsed.files.len(),
        spec.events.len(),
        spec.types.len(),
        parsed.warnings.len()
    );
    for w in parsed.warnings.iter().take(5) {
        println!("{w}");
    }
    assert_eq!(spec.events.len(), 56);
    for event in &spec.events {
        assert!(
            event.doc.summary.is_some() || !event.doc.body.is_empty(),
            "{} has no doc",
            event.name
        );
        assert!(event.doc.since.is_some(), "{} has no Since", event.name);
        if let EventData::Members { members } = &event.data {
            for m in members {
                assert!(
                    m.description.is_some(),
                    "{}.{} undocumented",
                    event.name,
                    m.name
                );
            }
        }
    }

    let io_error = spec.event("BLOCK_IO_ERROR").expect("BLOCK_IO_ERROR");
    let EventData::Members { members } = &io_error.data else {
        panic!("BLOCK_IO_ERROR data: {:?}", io_error.data)
    };
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "qom-path",
            "device",
            "node-name",
            "operation",
            "action",
            "nospace",
            "reason"
        ]
    );
    let device = &members[1];
    assert_eq!(device.ty, TypeExpr::builtin(Builtin::Str));
    assert!(!device.optional);
    assert!(members[2].optional);
    assert_eq!(members[3].ty, TypeExpr::named("IoOperationType"));
    assert!(
        io_error
            .doc
            .since
            .as_deref()
            .is_some_and(|s| s.contains("0.13"))
    );

    let spice = spec.event("SPICE_CONNECTED").expect("SPICE_CONNECTED");
    assert_eq!(
        spice.condition,
        Some(Condition::Name("CONFIG_SPICE".into()))
    );

    let ost = spec.event("ACPI_DEVICE_OST").expect("ACPI_DEVICE_OST");
    let EventData::Members { members } = &ost.data else {
        panic!("ACPI_DEVICE_OST data: {:?}", ost.data)
    };
    assert_eq!(members.len(), 1);
    assert_eq!(
        (members[0].name.as_str(), &members[0].ty),
        ("info", &TypeExpr::named("ACPIOSTInfo"))
    );
    assert!(spec.type_def("ACPIOSTInfo").is_some());

    let deprecated = spec
        .events
        .iter()
        .flat_map(|e| e.features.iter().map(move |f| (e.name.as_str(), f)))
        .chain(spec.types.iter().flat_map(|t| {
            let of_members: Vec<_> = match &t.kind {
                qmp_ir::TypeKind::Struct { members, .. } => {
                    members.iter().flat_map(|m| m.features.iter()).collect()
                }
                qmp_ir::TypeKind::Enum { values, .. } => {
                    values.iter().flat_map(|v| v.features.iter()).collect()
                }
                _ => Vec::new(),
            };
            of_members.into_iter().map(move |f| (t.name.as_str(), f))
        }))
        .filter(|(_, f)| f.name == "deprecated")
        .count();
    assert!(deprecated > 0, "no deprecated feature anywhere");
    assert!(
        parsed.warnings.is_empty(),
        "{} warnings",
        parsed.warnings.len()
    );
}
