//! Which front end reads a spec file, chosen by its content, and the general IR it yields.
//!
//! - A `query-qmp-schema` reply (a running QEMU's schema, saved as JSON): the bare array, or
//!   `{"return": [...]}`; read by `qmp-introspect`. Checked first, as it starts with `[` or `{`.
//! - A QAPI schema (`qapi/qapi-schema.json`): its first significant character is `{`; read by
//!   `qmp-qapi`, following its includes.
//! - Anything else is taken for the legacy events document (`qmp-events.txt`), read by
//!   `qmp-spec`.

use qmp_ir::Diagnostic;
use std::path::{Path, PathBuf};

/// The kinds of spec files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// The legacy events document.
    Legacy,
    /// A QAPI schema.
    Qapi,
    /// A `query-qmp-schema` reply.
    Introspection,
}

impl SpecKind {
    /// What the kind is called in messages (`a QAPI schema`).
    pub fn description(self) -> &'static str {
        match self {
            SpecKind::Legacy => "the legacy events document",
            SpecKind::Qapi => "a QAPI schema",
            SpecKind::Introspection => "a query-qmp-schema reply",
        }
    }
}

/// The kind of spec `text` is.
pub fn kind_of(text: &str) -> SpecKind {
    if qmp_introspect::looks_like_introspection(text) {
        SpecKind::Introspection
    } else if qmp_qapi::looks_like_qapi(text) {
        SpecKind::Qapi
    } else {
        SpecKind::Legacy
    }
}

/// A spec read into the general IR.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// Which front end read it.
    pub kind: SpecKind,
    /// The spec.
    pub spec: qmp_ir::Spec,
    /// Flaws that were worked around.
    pub warnings: Vec<Diagnostic>,
    /// Every file read, the main one first.
    pub files: Vec<PathBuf>,
}

/// Why a spec could not be read.
#[derive(Debug)]
pub enum LoadError {
    /// The main file could not be read.
    Io(std::io::Error),
    /// The spec has errors (every diagnostic, warnings included, in order).
    Spec(Vec<Diagnostic>),
}

/// Reads the spec at `path` with the front end its content calls for. Diagnostics name the
/// file as `path` displays.
pub fn load(path: &Path) -> Result<LoadedSpec, LoadError> {
    let text = qmp_ir::read_text(path).map_err(LoadError::Io)?;
    let kind = kind_of(&text);
    match kind {
        SpecKind::Legacy => {
            let read =
                qmp_spec::read(&path.display().to_string(), &text).map_err(LoadError::Spec)?;
            Ok(LoadedSpec {
                kind,
                spec: read.spec,
                warnings: read.warnings,
                files: vec![path.to_owned()],
            })
        }
        SpecKind::Introspection => {
            let read = qmp_introspect::read(&path.display().to_string(), &text)
                .map_err(LoadError::Spec)?;
            Ok(LoadedSpec {
                kind,
                spec: read.spec,
                warnings: read.warnings,
                files: vec![path.to_owned()],
            })
        }
        SpecKind::Qapi => {
            let mut first = Some(text);
            let parsed = qmp_qapi::read_with(path, &mut |p| match first.take() {
                Some(text) if p == path => Ok(text),
                _ => qmp_ir::read_text(p),
            })
            .map_err(LoadError::Spec)?;
            Ok(LoadedSpec {
                kind,
                spec: parsed.spec,
                warnings: parsed.warnings,
                files: parsed.files,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        assert_eq!(kind_of("[{\"name\": \"int\"}]"), SpecKind::Introspection);
        assert_eq!(kind_of("\n {\"return\": []}"), SpecKind::Introspection);
        assert_eq!(
            kind_of("# comment\n{ 'include': 'a.json' }"),
            SpecKind::Qapi
        );
        assert_eq!(kind_of("QMP events\n=========="), SpecKind::Legacy);
    }

    #[test]
    fn generating_from_an_introspected_schema_is_refused() {
        let error = crate::generate_from_source("s.json", "[]", &crate::Config::default())
            .err()
            .unwrap_or_default();
        assert_eq!(error.len(), 1);
        assert!(
            error[0]
                .message
                .contains("query-qmp-schema reply is not supported yet")
        );
    }
}
