//! Reading a spec of any kind into wire shapes, for `diff` and for `validate --spec`, and saying
//! on stderr how build conditions were treated.

use crate::CliError;
use qmp_codegen::spec::{LoadError, LoadedSpec, load};
use qmp_wire::{Conditions, WireSpec};
use std::path::Path;

/// The condition policy `--cfg` asks for: none given, every definition counts.
pub fn conditions(cfg: &[String]) -> Conditions {
    if cfg.is_empty() {
        Conditions::IncludeAll
    } else {
        Conditions::Cfg(cfg.iter().cloned().collect())
    }
}

/// Reads the spec at `path` with the front end its content calls for, printing its warnings and
/// errors on stderr. A spec with errors is an error (exit 2).
pub fn load_spec(path: &Path) -> Result<LoadedSpec, CliError> {
    let name = path.display().to_string();
    match load(path) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                note!("{warning}\n");
            }
            Ok(loaded)
        }
        Err(LoadError::Io(e)) => Err(CliError::new(format!("cannot read spec {name}: {e}"))),
        Err(LoadError::Spec(diagnostics)) => {
            for diagnostic in &diagnostics {
                note!("{diagnostic}\n");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            Err(CliError::new(format!("spec {name} has {errors} error(s)")))
        }
    }
}

/// The wire shapes of the spec at `path` under `--cfg`, with a note on stderr about the events
/// under a build condition.
pub fn wire_spec(path: &Path, cfg: &[String]) -> Result<WireSpec, CliError> {
    let loaded = load_spec(path)?;
    Ok(wire_of(&path.display().to_string(), &loaded.spec, cfg))
}

/// The wire shapes of `spec` under `--cfg`; says on stderr how conditions were treated, when the
/// spec has conditional events.
pub fn wire_of(name: &str, spec: &qmp_ir::Spec, cfg: &[String]) -> WireSpec {
    let conditions = conditions(cfg);
    let conditional: Vec<&qmp_ir::Event> = spec
        .events
        .iter()
        .filter(|e| e.condition.is_some())
        .collect();
    if !conditional.is_empty() {
        match &conditions {
            Conditions::IncludeAll => {
                let list: Vec<String> = conditional
                    .iter()
                    .filter_map(|e| {
                        let c = e.condition.as_ref()?;
                        Some(format!("{} (if {})", e.name, qmp_wire::condition_text(c)))
                    })
                    .collect();
                note!(
                    "qmp-events: note: {name}: no --cfg given, so every definition counts whatever \
                     its build condition; {} event(s) exist only in some builds: {}",
                    list.len(),
                    list.join(", ")
                );
            }
            Conditions::Cfg(set) => {
                let out: Vec<&str> = conditional
                    .iter()
                    .filter(|e| !conditions.holds(e.condition.as_ref()))
                    .map(|e| e.name.as_str())
                    .collect();
                note!(
                    "qmp-events: note: {name}: conditions evaluated with {} holding; \
                     {} of {} conditional event(s) left out{}{}",
                    set.iter().cloned().collect::<Vec<_>>().join(", "),
                    out.len(),
                    conditional.len(),
                    if out.is_empty() { "" } else { ": " },
                    out.join(", ")
                );
            }
        }
    }
    WireSpec::new(spec, &conditions)
}
