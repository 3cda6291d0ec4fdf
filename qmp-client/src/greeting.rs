//! The server's greeting: `{"QMP": {"version": {...}, "capabilities": [...]}}`.

use serde_json::Value;

/// The greeting a QMP server sends first.
///
/// ```text
/// {"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": "Debian ..."},
///          "capabilities": ["oob"]}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The server's version.
    pub version: Version,
    /// The capabilities the server offers (`oob` in QEMU 10), as sent.
    pub capabilities: Vec<String>,
    /// The whole greeting as sent, members this type does not describe included.
    pub raw: Value,
}

/// The `version` member of the greeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The release.
    pub qemu: QemuVersion,
    /// The package string (a distribution's version, a git describe, often empty).
    pub package: String,
}

/// A QEMU release number, `major.minor.micro`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QemuVersion {
    /// Major, e.g. 10.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Micro.
    pub micro: u64,
}

impl std::fmt::Display for QemuVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

impl Greeting {
    /// Reads a greeting; `None` if the value does not have the greeting's shape.
    pub fn from_value(raw: Value) -> Option<Greeting> {
        let qmp = raw.get("QMP")?;
        let version = qmp.get("version")?;
        let qemu = version.get("qemu")?;
        let number = |name: &str| qemu.get(name).and_then(Value::as_u64);
        let qemu = QemuVersion {
            major: number("major")?,
            minor: number("minor")?,
            micro: number("micro")?,
        };
        let package = version.get("package")?.as_str()?.to_owned();
        let capabilities = qmp
            .get("capabilities")?
            .as_array()?
            .iter()
            .map(|c| c.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        Some(Greeting {
            version: Version { qemu, package },
            capabilities,
            raw,
        })
    }

    /// Whether the server offers a capability, e.g. `"oob"`.
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_qemu_10() {
        let raw: Value = serde_json::from_str(
            r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10},
                "package": "Debian 1:10.0.2"}, "capabilities": ["oob"]}}"#,
        )
        .unwrap();
        let g = Greeting::from_value(raw).unwrap();
        assert_eq!(g.version.qemu.to_string(), "10.0.2");
        assert_eq!(g.version.package, "Debian 1:10.0.2");
        assert!(g.has_capability("oob"));
        assert!(!g.has_capability("x"));
    }

    #[test]
    fn rejects_other_shapes() {
        for text in [
            r#"{"QMP": {}}"#,
            r#"{"QMP": {"version": {"qemu": {"major": 1, "minor": 2}, "package": ""}, "capabilities": []}}"#,
            r#"{"QMP": {"version": {"qemu": {"major": 1, "minor": 2, "micro": 3}, "package": ""}, "capabilities": [1]}}"#,
            r#"{"return": {}}"#,
        ] {
            assert!(
                Greeting::from_value(serde_json::from_str(text).unwrap()).is_none(),
                "{text}"
            );
        }
    }
}
