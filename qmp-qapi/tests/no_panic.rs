//! The reader never panics, and every diagnostic points inside the file it names, whatever the
//! input: pieces of QEMU's own schema (vendored in `vendor/qemu-10.0.2/qapi`) damaged by byte
//! flips, insertions of QAPI-significant text, deletions, duplicated lines and truncation.
//!
//! The main file is a window of up to 150 lines of one schema file, damaged; the files it
//! includes are the first 150 lines of theirs, so that a case stays small and fast.

use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Lines of a window.
const WINDOW: usize = 150;

/// The vendored schema files, by name.
fn schema_files() -> &'static Vec<(String, String)> {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor/qemu-10.0.2/qapi");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("the vendored QEMU schema")
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let name = path.file_name()?.to_str()?.to_owned();
                let text = std::fs::read_to_string(&path).ok()?;
                name.ends_with(".json").then_some((name, text))
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no schema files in {}", dir.display());
        files
    })
}

/// At most `len` lines of `text` from line `start`.
fn window(text: &str, start: usize, len: usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = start.min(lines.len());
    lines[start..(start + len).min(lines.len())].concat()
}

/// Text worth inserting: QAPI's structural characters, escapes, doc comment markup.
const SNIPPETS: &[&str] = &[
    "'",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\\",
    "\\\\",
    "#",
    "##",
    "\n##\n",
    "\n# @x:\n",
    "@",
    "\n",
    "\t",
    " ",
    "true",
    "fals",
    "\u{7f}",
    "é",
    "# Since: 1.0\n",
    "# Example:\n# -> {\n",
    "# .. qmp-example::\n#\n#    <- { \"a\": [\n",
    "# Features:\n",
    "# = Heading\n",
    "{ 'include': 'qapi-schema.json' }\n",
    "{ 'pragma': { 'doc-required': 'x' } }\n",
    "# .. note::",
    "#    ...\n",
    "Returns:",
    "'\\x'",
    "{ 'include': 'nope.json' }\n",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace a byte.
    Flip(Index, u8),
    /// Insert a snippet.
    Insert(Index, usize),
    /// Delete up to this many bytes.
    Delete(Index, usize),
    /// Duplicate a line.
    DuplicateLine(Index),
    /// Cut the text short.
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<Index>(), 0..SNIPPETS.len()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match mutation {
        Mutation::Flip(i, b) => {
            if !bytes.is_empty() {
                let i = i.index(bytes.len());
                bytes[i] = *b;
            }
        }
        Mutation::Insert(i, s) => {
            let i = at(i, bytes.len());
            bytes.splice(i..i, SNIPPETS[*s].bytes());
        }
        Mutation::Delete(i, n) => {
            let i = at(i, bytes.len()).min(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::DuplicateLine(i) => {
            let i = at(i, bytes.len()).min(bytes.len());
            let start = bytes[..i]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(start..start, line);
        }
        Mutation::Truncate(i) => {
            let i = at(i, bytes.len()).min(bytes.len());
            bytes.truncate(i);
        }
    }
}

/// Whether `line:col` lies in `text` (a column may point just past the end of its line).
fn inside(text: &str, line: u32, col: u32) -> bool {
    let Some(content) = text.split('\n').nth((line as usize).saturating_sub(1)) else {
        return false;
    };
    line >= 1 && col >= 1 && col as usize <= content.chars().count() + 1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn damaged_schemas_never_panic(
        file in any::<Index>(),
        start in 0usize..4000,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let files = schema_files();
        let (main, text) = &files[file.index(files.len())];
        let lines = text.split_inclusive('\n').count();
        let mut bytes = window(text, start % lines.max(1), WINDOW).into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let main_text = String::from_utf8(bytes).ok();
        let mut texts: HashMap<String, String> = files
            .iter()
            .map(|(name, text)| (name.clone(), window(text, 0, WINDOW)))
            .collect();
        let mut load = |path: &Path| -> std::io::Result<String> {
            let name = path.to_string_lossy();
            if name == main.as_str() {
                return main_text.clone().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")
                });
            }
            texts.get(name.as_ref()).cloned().ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
            })
        };
        let diagnostics = match qmp_qapi::read_with(Path::new(main), &mut load) {
            Ok(parsed) => parsed.warnings,
            Err(diagnostics) => diagnostics,
        };
        if let Some(text) = &main_text {
            texts.insert(main.clone(), text.clone());
        }
        for d in &diagnostics {
            if d.source_line.is_empty() && d.line == 1 && d.col == 1 {
                continue; // about the file as a whole (it could not be read)
            }
            let text = texts.get(&d.file);
            prop_assert!(text.is_some(), "diagnostic names an unknown file: {d}");
            let text = text.map_or("", String::as_str);
            prop_assert!(inside(text, d.line, d.col), "diagnostic outside its file: {d}");
        }
    }
}
