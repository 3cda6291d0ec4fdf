//! `cargo xtask regen [--spec FILE] [--out FILE] [--check]`: regenerates the checked-in
//! generated files from their specs, or checks that they are up to date. Without `--spec`, every
//! checked-in file ([`TARGETS`]); with it, the one file `--out` names (default
//! `qmp-events/src/generated.rs`).

use crate::{EXIT_USAGE, option_value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The workspace root (xtask lives one level below it).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Options of `regen`.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    /// The document to generate from (default: the default spec).
    pub(crate) spec: Option<PathBuf>,
    /// The file to write (default: `qmp-events/src/generated.rs`).
    pub(crate) out: Option<PathBuf>,
    /// The path under which doctests reach the generated types (default: `qmp_events`).
    pub(crate) doctest_crate: Option<String>,
    /// Only check that the file is up to date.
    pub(crate) check: bool,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            spec: None,
            out: None,
            doctest_crate: None,
            check: false,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if arg == "--check" {
                options.check = true;
            } else if let Some(value) = option_value("--spec", arg, &mut rest)? {
                options.spec = Some(PathBuf::from(value));
            } else if let Some(value) = option_value("--out", arg, &mut rest)? {
                options.out = Some(PathBuf::from(value));
            } else if let Some(value) = option_value("--doctest-crate", arg, &mut rest)? {
                options.doctest_crate = Some(value.to_owned());
            } else {
                return Err(format!("unexpected argument `{arg}` for `regen`"));
            }
        }
        Ok(options)
    }
}

/// The checked-in generated files: (spec, file, the path doctests reach the types by, the command
/// its header names).
pub(crate) const TARGETS: &[(&str, &str, &str, &str)] = &[
    (
        "qmp-spec/spec/qmp-events.txt",
        "qmp-events/src/generated.rs",
        "qmp_events",
        "cargo xtask regen",
    ),
    (
        "vendor/qemu-10.0.2/qapi/qapi-schema.json",
        "qmp-events/src/qemu_10_0.rs",
        "qmp_events::qemu_10_0",
        "cargo xtask regen",
    ),
    (
        "vendor/qemu-9.1-from-qapi-qmp/qapi/qapi-schema.json",
        "tests/regen-9-1/src/generated.rs",
        "qmp_regen_9_1",
        "cargo xtask regen",
    ),
    (
        "qmp-spec/spec/qmp-events-qemu-2015-07.txt",
        "tests/regen-2015/src/generated.rs",
        "qmp_regen_2015",
        "cargo xtask regen --spec qmp-spec/spec/qmp-events-qemu-2015-07.txt --out tests/regen-2015/src/generated.rs --doctest-crate qmp_regen_2015",
    ),
];

pub(crate) fn run(options: Options) -> ExitCode {
    if options.spec.is_none() && options.out.is_none() && options.doctest_crate.is_none() {
        let root = workspace_root();
        let mut worst = ExitCode::SUCCESS;
        for (spec, out, doctest_crate, command) in TARGETS {
            let code = regen_one(
                &root.join(spec),
                spec,
                &root.join(out),
                doctest_crate,
                command,
                options.check,
            );
            if code != ExitCode::SUCCESS {
                worst = code;
            }
        }
        return worst;
    }
    run_one(options)
}

fn run_one(options: Options) -> ExitCode {
    let root = workspace_root();
    let spec = options
        .spec
        .clone()
        .unwrap_or_else(qmp_spec::default_spec_path);
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| root.join("qmp-events/src/generated.rs"));
    // The header names the spec relative to the workspace, so that it does not depend on where
    // the repository is checked out.
    let spec_name = spec
        .canonicalize()
        .ok()
        .and_then(|p| {
            p.strip_prefix(root.canonicalize().ok()?)
                .ok()
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| spec.clone());
    let spec_name = spec_name.display().to_string();
    let command = regen_command(&options, &root);
    let doctest_crate = options.doctest_crate.as_deref().unwrap_or("qmp_events");
    regen_one(
        &spec,
        &spec_name,
        &out,
        doctest_crate,
        &command,
        options.check,
    )
}

/// Regenerates (or checks) one file.
fn regen_one(
    spec: &Path,
    spec_name: &str,
    out: &Path,
    doctest_crate: &str,
    command: &str,
    check: bool,
) -> ExitCode {
    let result = qmp_codegen::render_checked_in_file(spec, spec_name, doctest_crate, command);
    let (text, warnings) = match result {
        Ok(r) => r,
        Err(diagnostics) => {
            for d in &diagnostics {
                note!("{d}\n");
            }
            return ExitCode::from(1);
        }
    };
    for w in &warnings {
        note!("{w}\n");
    }
    let current = std::fs::read_to_string(out).unwrap_or_default();
    if check {
        if current == text {
            note!("{} is up to date with {spec_name}", out.display());
            return ExitCode::SUCCESS;
        }
        note!(
            "{} is stale: {}",
            out.display(),
            diff_summary(&current, &text)
        );
        note!("run `cargo xtask regen` and commit the result");
        return ExitCode::from(1);
    }
    if current == text {
        note!("{} is already up to date", out.display());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(out, &text) {
        note!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(EXIT_USAGE);
    }
    note!(
        "wrote {} ({} lines) from {spec_name}",
        out.display(),
        text.lines().count()
    );
    ExitCode::SUCCESS
}

/// The command line that regenerates the same file, for its header: `cargo xtask regen` plus
/// the options given, with paths relative to the workspace root.
fn regen_command(options: &Options, root: &Path) -> String {
    let relative = |p: &Path| {
        let absolute = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        absolute
            .strip_prefix(&root)
            .map(Path::to_path_buf)
            .unwrap_or(absolute)
            .display()
            .to_string()
    };
    let mut command = String::from("cargo xtask regen");
    if let Some(spec) = &options.spec {
        command.push_str(&format!(" --spec {}", relative(spec)));
    }
    if let Some(out) = &options.out {
        command.push_str(&format!(" --out {}", relative(out)));
    }
    if let Some(krate) = &options.doctest_crate {
        command.push_str(&format!(" --doctest-crate {krate}"));
    }
    command
}

/// Where two versions of a file first differ, and how their sizes compare.
fn diff_summary(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let first = old_lines
        .iter()
        .zip(&new_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(old_lines.len().min(new_lines.len()));
    let mut s = format!(
        "{} lines checked in, {} generated; first difference at line {}",
        old_lines.len(),
        new_lines.len(),
        first + 1
    );
    if let Some(line) = old_lines.get(first) {
        s.push_str(&format!("\n  - {line}"));
    }
    if let Some(line) = new_lines.get(first) {
        s.push_str(&format!("\n  + {line}"));
    }
    s
}
