//! Our reading of a QAPI schema against QEMU's own generator (`scripts/qapi`, vendored, run by
//! `scripts/qapi-oracle.py` with python3): the events, each event's members (name, type,
//! optional, condition, features), every type reachable from an event, and their conditions and
//! features must be the same.
//!
//! Both sides are put in the oracle's JSON form (documented at the top of the script) and
//! compared item by item, so that a failure names the event or type that differs.

use qmp_ir::{Condition, EventData, Feature, Member, Spec, TypeDef, TypeExpr, TypeKind, UnionBase};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What QEMU's generator computes for `schema`.
fn oracle(schema: &Path) -> Value {
    let script = repo().join("scripts/qapi-oracle.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(schema)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "the oracle failed on {}: {}",
        schema.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the oracle prints JSON")
}

/// What we read from `schema`, in the oracle's form.
fn ours(schema: &Path) -> Value {
    let parsed = qmp_qapi::read(schema).unwrap_or_else(|diagnostics| {
        let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!(
            "{} does not read:\n{}",
            schema.display(),
            rendered.join("\n\n")
        )
    });
    Oracle::new(&parsed.spec).dump()
}

/// Puts our IR in the oracle's form.
struct Oracle<'a> {
    spec: &'a Spec,
    types: BTreeMap<&'a str, &'a TypeDef>,
}

impl<'a> Oracle<'a> {
    fn new(spec: &'a Spec) -> Self {
        let types = spec.types.iter().map(|t| (t.name.as_str(), t)).collect();
        Oracle { spec, types }
    }

    fn dump(&self) -> Value {
        let mut reachable = Vec::new();
        let events: Vec<Value> = self
            .spec
            .events
            .iter()
            .map(|e| {
                let (members, arg_type, boxed) = match &e.data {
                    EventData::None { .. } | EventData::Unspecified => (Vec::new(), None, false),
                    EventData::Members { members } => {
                        for m in members {
                            collect(&m.ty, &mut reachable);
                        }
                        (members.iter().map(member).collect(), None, false)
                    }
                    EventData::Type { ty, boxed } => {
                        collect(ty, &mut reachable);
                        let TypeExpr::Named { name } = ty else {
                            panic!("event {} names a type that is not named: {ty:?}", e.name)
                        };
                        (self.flat_members(name), Some(name.clone()), *boxed)
                    }
                };
                json!({
                    "name": e.name,
                    "members": members,
                    "boxed": boxed,
                    "arg_type": arg_type,
                    "if": condition(e.condition.as_ref()),
                    "features": features(&e.features),
                })
            })
            .collect();
        let mut types = Map::new();
        while let Some(name) = reachable.pop() {
            if types.contains_key(&name) {
                continue;
            }
            let Some(def) = self.types.get(name.as_str()) else {
                panic!("type {name} is used but not defined");
            };
            types.insert(name, self.type_def(def, &mut reachable));
        }
        json!({ "events": events, "types": types })
    }

    /// A struct's or union's members with its base's first, as QEMU flattens them (a union:
    /// its base members only).
    fn flat_members(&self, name: &str) -> Vec<Value> {
        let Some(def) = self.types.get(name) else {
            panic!("type {name} is used but not defined");
        };
        match &def.kind {
            TypeKind::Struct { base, members } => {
                let mut out = base
                    .as_deref()
                    .map_or_else(Vec::new, |b| self.flat_members(b));
                out.extend(members.iter().map(member));
                out
            }
            TypeKind::Union { base, .. } => match base {
                UnionBase::Named(b) => self.flat_members(b),
                UnionBase::Members(members) => members.iter().map(member).collect(),
            },
            other => panic!("type {name} has no members: {other:?}"),
        }
    }

    fn type_def(&self, def: &TypeDef, reachable: &mut Vec<String>) -> Value {
        let mut out = match &def.kind {
            TypeKind::Struct { base, members } => {
                reachable.extend(base.clone());
                for m in members {
                    collect(&m.ty, reachable);
                }
                json!({
                    "meta": "struct",
                    "base": base,
                    "members": members.iter().map(member).collect::<Vec<_>>(),
                })
            }
            TypeKind::Enum { values, prefix } => json!({
                "meta": "enum",
                "prefix": prefix,
                "values": values.iter().map(|v| json!({
                    "name": v.name,
                    "if": condition(v.condition.as_ref()),
                    "features": features(&v.features),
                })).collect::<Vec<_>>(),
            }),
            TypeKind::Union {
                base,
                discriminator,
                branches,
            } => {
                let (base_name, base_members) = match base {
                    UnionBase::Named(b) => {
                        reachable.push(b.clone());
                        (Some(b.clone()), self.flat_members(b))
                    }
                    UnionBase::Members(members) => {
                        for m in members {
                            collect(&m.ty, reachable);
                        }
                        (None, members.iter().map(member).collect())
                    }
                };
                reachable.extend(branches.iter().map(|b| b.ty.clone()));
                json!({
                    "meta": "union",
                    "base": base_name,
                    "base_members": base_members,
                    "discriminator": discriminator,
                    "branches": branches.iter().map(|b| json!({
                        "value": b.value,
                        "type": b.ty,
                        "if": condition(b.condition.as_ref()),
                    })).collect::<Vec<_>>(),
                    "empty_branches": self.empty_branches(def, discriminator, branches),
                })
            }
            TypeKind::Alternate { branches } => {
                for b in branches {
                    collect(&b.ty, reachable);
                }
                json!({
                    "meta": "alternate",
                    "branches": branches.iter().map(|b| json!({
                        "name": b.name,
                        "type": type_name(&b.ty),
                        "if": condition(b.condition.as_ref()),
                    })).collect::<Vec<_>>(),
                })
            }
        };
        let object = out.as_object_mut().expect("an object");
        object.insert("if".into(), condition(def.condition.as_ref()));
        object.insert("features".into(), features(&def.features));
        out
    }

    /// The discriminator's values that have no branch of their own, with their conditions.
    fn empty_branches(
        &self,
        def: &TypeDef,
        discriminator: &str,
        branches: &[qmp_ir::Branch],
    ) -> Value {
        let TypeKind::Union { base, .. } = &def.kind else {
            return json!([]);
        };
        let base_members: Vec<Value> = match base {
            UnionBase::Named(b) => self.flat_members(b),
            UnionBase::Members(members) => members.iter().map(member).collect(),
        };
        let enum_name = base_members
            .iter()
            .find(|m| m["name"] == discriminator)
            .and_then(|m| m["type"].as_str())
            .unwrap_or_else(|| panic!("{}: no discriminator {discriminator}", def.name));
        let Some(TypeDef {
            kind: TypeKind::Enum { values, .. },
            ..
        }) = self.types.get(enum_name)
        else {
            panic!(
                "{}: discriminator type {enum_name} is not an enum",
                def.name
            );
        };
        values
            .iter()
            .filter(|v| !branches.iter().any(|b| b.value == v.name))
            .map(|v| json!({ "value": v.name, "if": condition(v.condition.as_ref()) }))
            .collect()
    }
}

fn member(m: &Member) -> Value {
    json!({
        "name": m.name,
        "type": type_name(&m.ty),
        "optional": m.optional,
        "if": condition(m.condition.as_ref()),
        "features": features(&m.features),
    })
}

fn type_name(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Builtin { builtin } => builtin.name().to_owned(),
        TypeExpr::Named { name } => name.clone(),
        TypeExpr::Array { element } => format!("[{}]", type_name(element)),
        other => panic!("a QAPI schema has no {other:?}"),
    }
}

/// The named types a type expression refers to.
fn collect(ty: &TypeExpr, out: &mut Vec<String>) {
    match ty {
        TypeExpr::Named { name } => out.push(name.clone()),
        TypeExpr::Array { element } => collect(element, out),
        _ => {}
    }
}

fn condition(c: Option<&Condition>) -> Value {
    fn tree(c: &Condition) -> Value {
        match c {
            Condition::Name(name) => json!(name),
            Condition::All(all) => json!({ "all": all.iter().map(tree).collect::<Vec<_>>() }),
            Condition::Any(any) => json!({ "any": any.iter().map(tree).collect::<Vec<_>>() }),
            Condition::Not(not) => json!({ "not": tree(not) }),
        }
    }
    c.map_or(Value::Null, tree)
}

fn features(features: &[Feature]) -> Value {
    features
        .iter()
        .map(|f| json!({ "name": f.name, "if": condition(f.condition.as_ref()) }))
        .collect()
}

/// Compares item by item, so that a failure names what differs.
fn assert_same(schema: &str) {
    let path = repo().join(schema);
    let expected = oracle(&path);
    let actual = ours(&path);
    let names = |v: &Value| -> Vec<String> {
        v["events"]
            .as_array()
            .map(|a| a.iter().map(|e| e["name"].to_string()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        names(&actual),
        names(&expected),
        "{schema}: the events differ"
    );
    for (a, e) in actual["events"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(expected["events"].as_array().into_iter().flatten())
    {
        assert_eq!(a, e, "{schema}: event {} differs", e["name"]);
    }
    let keys = |v: &Value| -> Vec<String> {
        v["types"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        keys(&actual),
        keys(&expected),
        "{schema}: the reachable types differ"
    );
    for (name, e) in expected["types"].as_object().into_iter().flatten() {
        assert_eq!(&actual["types"][name], e, "{schema}: type {name} differs");
    }
}

#[test]
fn qemu_10_0_2_schema_is_read_as_qemu_reads_it() {
    assert_same("vendor/qemu-10.0.2/qapi/qapi-schema.json");
}

#[test]
fn qemu_storage_daemon_schema_is_read_as_qemu_reads_it() {
    assert_same("vendor/qemu-10.0.2/storage-daemon/qapi/qapi-schema.json");
}

/// QEMU's own positive test schema: unions, alternates, nested conditions, boxed events,
/// features on everything.
#[test]
fn qemu_test_schema_is_read_as_qemu_reads_it() {
    assert_same("vendor/qemu-10.0.2/tests/qapi-schema/qapi-schema-test.json");
}
