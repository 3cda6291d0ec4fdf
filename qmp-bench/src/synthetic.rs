//! Synthetic events documents, `n` times the size of a real one, for the regeneration benchmark.
//!
//! [`scaled`] keeps the document's title and repeats its event sections `n` times; copy `k`
//! (from 1) renames every event `NAME` to `NAME_k`, in its heading (with the underline made as
//! long as the new heading) and in its examples (`"event": "NAME_k"`), so that the result is one
//! valid document with `n` times as many distinct events.

/// A section heading: a non-blank line followed by a line of dashes (not always exactly as long
/// as the heading: `MEM_UNPLUG_ERROR` has four too many in the 2015-07 document).
fn is_underline(line: &str, heading: &str) -> bool {
    let trimmed = line.trim_end();
    trimmed.len() >= 3 && trimmed.bytes().all(|b| b == b'-') && !heading.trim().is_empty()
}

/// The document split into its preamble and its event sections, each a list of lines.
fn sections(doc: &str) -> (Vec<&str>, Vec<Vec<&str>>) {
    let lines: Vec<&str> = doc.lines().collect();
    let mut preamble = Vec::new();
    let mut sections: Vec<Vec<&str>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let starts_section = lines
            .get(i + 1)
            .is_some_and(|next| is_underline(next, line));
        if starts_section {
            sections.push(Vec::new());
        }
        match sections.last_mut() {
            Some(section) => section.push(line),
            None => preamble.push(*line),
        }
    }
    (preamble, sections)
}

/// `doc` with its event sections repeated `n` times, copy `k` renamed with the suffix `_k`.
///
/// # Panics
///
/// If `n` is zero.
pub fn scaled(doc: &str, n: usize) -> String {
    assert!(n > 0, "a document needs at least one copy");
    let (preamble, sections) = sections(doc);
    let mut out = String::with_capacity(doc.len() * n + 64 * n);
    for line in &preamble {
        out.push_str(line);
        out.push('\n');
    }
    for k in 1..=n {
        for section in &sections {
            let names: Vec<&str> = section[0].split(',').map(str::trim).collect();
            let heading = names
                .iter()
                .map(|name| format!("{name}_{k}"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push_str(&heading);
            out.push('\n');
            out.push_str(&"-".repeat(heading.len()));
            out.push('\n');
            for line in &section[2..] {
                let mut line = (*line).to_owned();
                for name in &names {
                    line = line.replace(&format!("\"{name}\""), &format!("\"{name}_{k}\""));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}
