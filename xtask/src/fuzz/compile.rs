//! The sample compile of `cargo xtask fuzz`: every so many accepted specs of each kind, what
//! `qmp_codegen::generate` made of it is written into a scratch crate, one module per sample,
//! and the crate is checked with `cargo check` in batches. The crate root denies warnings and
//! missing docs, as `tests/hostile` does, so a sample must compile cleanly.
//!
//! The crate lives in `<target dir>/fuzz-compile/`, has a `[workspace]` table of its own (it is
//! not part of ours) and a target dir of its own that persists between batches and runs, so
//! `qmp-events` (found from this crate's manifest dir) is built once.

use super::Report;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How many samples one `cargo check` compiles.
pub const BATCH: usize = 50;

/// One sampled accepted spec and its generated code.
pub struct Sample {
    /// What the spec was, for the report (`legacy spec`, `QAPI schema, block-core.json mutated`).
    pub label: String,
    /// The spec's (mutated) text, saved when the sample fails: a file name suffix and the text.
    pub input: (String, String),
    /// The generated code, as `qmp_codegen::render_file` formats `generate`'s tokens.
    pub code: String,
}

/// The scratch crate and the samples waiting for its next check.
pub struct Scratch {
    /// Take the 1st, the `every + 1`th, ... accepted spec of each kind.
    every: u64,
    /// The crate's directory.
    dir: PathBuf,
    /// The workspace's `qmp-events` crate.
    qmp_events: PathBuf,
    /// The workspace's lock file, the scratch crate's first one (same versions, no resolving).
    lock: PathBuf,
    /// The samples not checked yet, with their numbers.
    pending: Vec<(u64, Sample)>,
    /// The last sample's number.
    last_id: u64,
    /// Samples taken.
    pub taken: u64,
    /// Samples checked (in a batch that cargo finished), failed or not.
    pub checked: u64,
    /// Samples that did not compile.
    pub failed: u64,
    /// Batches run.
    pub batches: u64,
    /// Time spent writing and checking batches.
    pub time: Duration,
    /// Set when cargo cannot be run: no more batches.
    broken: bool,
}

impl Scratch {
    /// A scratch crate in `dir`, sampling every `every`th accepted spec of each kind.
    pub fn new(dir: PathBuf, every: u64) -> Scratch {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let root = root.canonicalize().unwrap_or(root);
        Scratch {
            every,
            dir,
            qmp_events: root.join("qmp-events"),
            lock: root.join("Cargo.lock"),
            pending: Vec::new(),
            last_id: 0,
            taken: 0,
            checked: 0,
            failed: 0,
            batches: 0,
            time: Duration::ZERO,
            broken: false,
        }
    }

    /// The crate's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the next accepted spec of a kind of which `accepted` were accepted so far is a
    /// sample: the first, then every `every`th.
    pub fn wants(&self, accepted: u64) -> bool {
        self.every > 0 && !self.broken && accepted % self.every == 0
    }

    /// Takes a sample; checks the batch when it is full.
    pub fn add(&mut self, sample: Sample, report: &mut Report) {
        self.last_id += 1;
        self.taken += 1;
        self.pending.push((self.last_id, sample));
        if self.pending.len() >= BATCH {
            self.check(report);
        }
    }

    /// Checks the samples not checked yet, if any.
    pub fn finish(&mut self, report: &mut Report) {
        if !self.pending.is_empty() {
            self.check(report);
        }
    }

    /// Writes the crate: its manifest, a lock file if it has none, and `src/` with one module
    /// per pending sample (the modules of the last batch removed).
    pub fn write(&self) -> std::io::Result<()> {
        let src = self.dir.join("src");
        std::fs::create_dir_all(&src)?;
        let manifest = format!(
            "# Written by `cargo xtask fuzz`: sampled generator output, compiled to check it.\n\
             [package]\n\
             name = \"qmp-fuzz-samples\"\n\
             version = \"0.0.0\"\n\
             edition = \"2024\"\n\
             publish = false\n\
             \n\
             [dependencies]\n\
             qmp-events = {{ path = {:?} }}\n\
             \n\
             # Not a member of the qmp-codegen workspace.\n\
             [workspace]\n",
            self.qmp_events.display().to_string()
        );
        write_if_changed(&self.dir.join("Cargo.toml"), &manifest)?;
        let lock = self.dir.join("Cargo.lock");
        if !lock.exists() && self.lock.exists() {
            std::fs::copy(&self.lock, &lock)?;
        }
        for entry in std::fs::read_dir(&src)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                std::fs::remove_file(path)?;
            }
        }
        let mut lib = String::from(
            "//! Samples of `cargo xtask fuzz`: each module is `qmp_codegen::generate`'s output \
             for one\n//! accepted mutated spec. The crate must compile without a warning.\n\
             #![deny(warnings, missing_docs)]\n",
        );
        for (id, sample) in &self.pending {
            lib.push_str(&format!(
                "\n/// Sample {id}: {}.\npub mod s{id};\n",
                sample.label
            ));
            let code = format!(
                "// Sample {id} of `cargo xtask fuzz`: {}.\n{}",
                sample.label, sample.code
            );
            std::fs::write(src.join(format!("s{id}.rs")), code)?;
        }
        std::fs::write(src.join("lib.rs"), lib)
    }

    /// Writes and checks the pending samples; a sample named in cargo's errors is a failure,
    /// and so is a failed check that names none (then every sample of the batch is saved).
    fn check(&mut self, report: &mut Report) {
        let started = Instant::now();
        let (first, last) = (self.pending[0].0, self.pending[self.pending.len() - 1].0);
        let result = self.write().and_then(|()| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            Command::new(cargo)
                .args(["check", "--quiet", "--color", "never", "--manifest-path"])
                .arg(self.dir.join("Cargo.toml"))
                .arg("--target-dir")
                .arg(self.dir.join("target"))
                .env_remove("CARGO_TARGET_DIR")
                .output()
        });
        let batch = std::mem::take(&mut self.pending);
        self.batches += 1;
        match result {
            Err(e) => {
                self.broken = true;
                report.fail(
                    format!(
                        "compile: cannot write or check the scratch crate {} (samples s{first} to \
                         s{last} unchecked; no more batches): {e}",
                        self.dir.display()
                    ),
                    Vec::new(),
                );
            }
            Ok(output) => {
                self.checked += batch.len() as u64;
                if !output.status.success() {
                    let text = format!(
                        "{}{}",
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    );
                    let named = samples_named(&text);
                    let failing: Vec<&(u64, Sample)> =
                        batch.iter().filter(|(id, _)| named.contains(id)).collect();
                    if failing.is_empty() {
                        let mut files = vec![("cargo-check.txt".to_owned(), text.clone())];
                        for (id, sample) in &batch {
                            files.push((
                                format!("s{id}-{}", sample.input.0),
                                sample.input.1.clone(),
                            ));
                        }
                        report.fail(
                            format!(
                                "compile: the batch of samples s{first} to s{last} fails, naming \
                                 no sample (crate {}):\n{}",
                                self.dir.display(),
                                excerpt(&text)
                            ),
                            files,
                        );
                    }
                    for (id, sample) in failing {
                        self.failed += 1;
                        report.fail(
                            format!(
                                "compile: sample s{id} ({}) does not compile (crate {}):\n{}",
                                sample.label,
                                self.dir.display(),
                                excerpt(&text)
                            ),
                            vec![
                                (format!("s{id}-{}", sample.input.0), sample.input.1.clone()),
                                (format!("s{id}.rs"), sample.code.clone()),
                                ("cargo-check.txt".to_owned(), text.clone()),
                            ],
                        );
                    }
                }
            }
        }
        self.time += started.elapsed();
    }
}

/// Writes `text` to `path` unless it holds it already (so cargo sees no change).
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text)
}

/// The samples whose files (`src/s17.rs`) compiler output names.
pub fn samples_named(output: &str) -> BTreeSet<u64> {
    let mut ids = BTreeSet::new();
    for (at, _) in output.match_indices("src/s") {
        let rest = &output[at + "src/s".len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(".rs") {
            if let Ok(id) = rest[..digits].parse() {
                ids.insert(id);
            }
        }
    }
    ids
}

/// The first 40 lines of compiler output.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines[..lines.len().min(40)].join("\n");
    if lines.len() > 40 {
        out.push_str(&format!("\n... ({} more lines)", lines.len() - 40));
    }
    out
}
