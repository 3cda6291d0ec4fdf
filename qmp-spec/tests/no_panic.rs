//! The parser never panics, and every diagnostic points inside its input.

use proptest::prelude::*;
use std::path::Path;

fn documents() -> [String; 2] {
    ["qmp-events.txt", "qmp-events-qemu-2015-07.txt"].map(|name| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("spec")
            .join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, String),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Characters that mean something to the grammar, and some that mean nothing.
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("-".to_string()),
        Just("- \"".to_string()),
        Just("\"".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("(json-".to_string()),
        Just(":".to_string()),
        Just("Data:".to_string()),
        Just("Example:".to_string()),
        Just("===".to_string()),
        Just("\t".to_string()),
        "[ -~éλ\u{1F600}]{1,8}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), piece).prop_map(|(at, s)| Mutation::Insert(at, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len().max(1);
    match mutation {
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => lines.insert(i % n, lines[i % n]),
        Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Mutation::Insert(at, piece) => {
            let at = floor_boundary(text, at % (text.len() + 1));
            return format!("{}{piece}{}", &text[..at], &text[at..]);
        }
        Mutation::Truncate(at) => {
            return text[..floor_boundary(text, at % (text.len() + 1))].to_string();
        }
        _ => {}
    }
    lines.concat()
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn check(input: &str) -> Result<(), TestCaseError> {
    let diagnostics = match qmp_spec::parse("fuzz.txt", input) {
        Ok(parsed) => parsed.warnings,
        Err(diagnostics) => {
            prop_assert!(
                diagnostics.iter().any(|d| d.is_error()),
                "Err without an error"
            );
            diagnostics
        }
    };
    let lines: Vec<&str> = input.lines().collect();
    // An empty input still has one (empty) line to point at.
    let count = lines.len().max(1);
    for d in &diagnostics {
        prop_assert!(
            d.line >= 1 && d.line as usize <= count,
            "line {} of {count}: {d}",
            d.line
        );
        let line = lines.get(d.line as usize - 1).copied().unwrap_or("");
        prop_assert_eq!(&d.source_line, line);
        let len = line.chars().count();
        prop_assert!(
            d.col >= 1 && d.col as usize <= len + 1,
            "col {} of {len}: {d}",
            d.col
        );
        prop_assert!(d.len >= 1);
        prop_assert_eq!(&d.file, "fuzz.txt");
        // Rendering must not panic either.
        let _ = d.to_string();
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_real_documents(doc in 0..2usize, mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut text = documents()[doc].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        check(&text)?;
    }

    #[test]
    fn random_strings(input in "\\PC{0,200}") {
        check(&input)?;
    }

    #[test]
    fn random_documents_from_grammar_pieces(
        input in prop::collection::vec(
            prop_oneof![
                Just("EV\n"), Just("--\n"), Just("\n"), Just("Data:\n"), Just("Data: None.\n"),
                Just("- \"a\": b (json-string)\n"), Just("  - \"c\": d (json-int, optional)\n"),
                Just("    \"x\": y\n"), Just("one of the following (json-string):\n"),
                Just("Example:\n"), Just("{ \"event\": \"EV\" }\n"), Just("}\n"), Just("Note: n\n"),
                Just("Caption:\n"), Just(" - data: T type as described in f.json\n"),
                Just("(json-string; \"s\" for x\n   \"t\" for y)\n"), Just("T\n==\n"), Just("\r\n"),
            ],
            0..30,
        )
    ) {
        check(&input.concat())?;
    }
}
