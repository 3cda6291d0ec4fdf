//! The type space: every Rust type a spec yields, named and de-duplicated before anything is
//! printed.
//!
//! Planning decides, for each data member, its Rust type (see the crate docs for the mapping),
//! interns nested object shapes and value sets so that structurally identical ones become one
//! type, and then names every type from the places it is used.

use crate::names;
use qmp_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

/// Every type generated for one spec.
#[derive(Debug, Clone)]
pub struct TypeSpace {
    /// The spec's files by their names alone (`block-core.json`), as its spans index them.
    pub files: Vec<String>,
    /// One per event, in document order.
    pub events: Vec<EventPlan>,
    /// Data structs and nested object structs.
    pub structs: Vec<StructPlan>,
    /// Open enums for value sets.
    pub enums: Vec<EnumPlan>,
    /// Discriminated unions (QAPI).
    pub unions: Vec<UnionPlan>,
    /// Types the document names but does not describe.
    pub opaques: Vec<OpaquePlan>,
    /// Names of the `Event` enum's own variants for unknown, mismatched and absent events.
    pub unknown_variant: String,
    /// See [`TypeSpace::unknown_variant`].
    pub mismatched_variant: String,
    /// See [`TypeSpace::unknown_variant`].
    pub absent_variant: String,
}

/// One event.
#[derive(Debug, Clone)]
pub struct EventPlan {
    /// Wire name.
    pub wire: String,
    /// The `Event` / `EventKind` variant name.
    pub variant: String,
    /// What the variant holds.
    pub payload: Payload,
    /// The event's documentation (prose, notes, examples), moved from the IR.
    pub doc: ir::Doc,
    /// The build options under which the event exists; `None`: always.
    pub condition: Option<ir::Condition>,
    /// Its features.
    pub features: Vec<ir::Feature>,
}

/// What an `Event` variant holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Nothing: the event has no data.
    None,
    /// A generated struct.
    Struct(usize),
    /// A named, undescribed type keeping the raw object.
    Opaque(usize),
    /// A named type of the schema (a struct or union), whose docs are its own.
    Named(RustType),
    /// The document says nothing about data: any JSON, if present.
    Unspecified,
}

/// A generated struct.
#[derive(Debug, Clone)]
pub struct StructPlan {
    /// Rust name.
    pub name: String,
    /// Members in spec order.
    pub fields: Vec<FieldPlan>,
    /// The name of the member that keeps unknown members.
    pub extra_name: String,
    /// Where it is used: (event wire name, member path) pairs; empty path for an event's data.
    pub uses: Vec<Use>,
    /// The prose of its first use.
    pub description: String,
    /// For a named type of the schema: its definition (name, docs, condition, features).
    pub def: Option<NamedDef>,
}

/// What the docs say of a named type of the schema.
#[derive(Debug, Clone)]
pub struct NamedDef {
    /// The schema's name (`ACPIOSTInfo`).
    pub name: String,
    /// Its documentation.
    pub doc: ir::Doc,
    /// Its build condition.
    pub condition: Option<ir::Condition>,
    /// Its features.
    pub features: Vec<ir::Feature>,
}

/// A discriminated union: one variant per discriminator value, each holding a struct.
#[derive(Debug, Clone)]
pub struct UnionPlan {
    /// Rust name.
    pub name: String,
    /// The discriminator member's wire name.
    pub tag: String,
    /// (discriminator value, variant name, the struct it holds, the value's condition).
    pub variants: Vec<(String, String, RustType, Option<ir::Condition>)>,
    /// The variant that holds a value the schema does not list.
    pub other_variant: String,
    /// The definition.
    pub def: NamedDef,
}

/// A place a type is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The event's wire name.
    pub event: String,
    /// Member names from `data` down to the member.
    pub path: Vec<String>,
}

impl Use {
    /// `SPICE_CONNECTED` `data.server`.
    pub fn describe(&self) -> String {
        let mut s = format!("`{}` `data", self.event);
        for p in &self.path {
            s.push('.');
            s.push_str(p);
        }
        s.push('`');
        s
    }
}

/// A member of a generated struct.
#[derive(Debug, Clone)]
pub struct FieldPlan {
    /// Wire name.
    pub wire: String,
    /// Rust name (snake_case; a keyword becomes raw when printed).
    pub rust: String,
    /// Its Rust type.
    pub ty: RustType,
    /// Whether it may be absent.
    pub optional: bool,
    /// What the documentation says about the member.
    pub description: Option<String>,
    /// A type the documentation refers to for the member's values without describing it.
    pub refers_to: Option<ir::TypeRef>,
    /// Its features.
    pub features: Vec<ir::Feature>,
    /// How the type was chosen, for the docs (`json-number; every example is an integer`).
    pub type_note: String,
}

/// The Rust type of a member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RustType {
    /// An integer narrower than `i64`, or unsigned: `i8` ... `u64`, by its Rust name.
    Int(&'static str),
    /// A generated union.
    Union(usize),
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `Box<T>`: a type that contains itself.
    Boxed(Box<RustType>),
    /// `String`
    String,
    /// `i64`
    I64,
    /// `serde_json::Number`
    Number,
    /// `bool`
    Bool,
    /// `serde_json::Map<String, Value>`
    Map,
    /// `Vec<serde_json::Value>`
    Array,
    /// `serde_json::Value`
    Any,
    /// A generated struct.
    Struct(usize),
    /// A generated enum.
    Enum(usize),
}

/// An open enum over a value set.
#[derive(Debug, Clone)]
pub struct EnumPlan {
    /// Rust name.
    pub name: String,
    /// The documented values: (wire value, variant name, description).
    pub values: Vec<(String, String, Option<String>)>,
    /// The variant that holds any other string.
    pub other_variant: String,
    /// Whether the document states a single current value (`currently always "pause"`).
    pub constant: bool,
    /// Where it is used.
    pub uses: Vec<Use>,
    /// For a named enum of the schema: its definition.
    pub def: Option<NamedDef>,
}

/// A type the document names but does not describe.
#[derive(Debug, Clone)]
pub struct OpaquePlan {
    /// Rust name.
    pub name: String,
    /// The reference as written.
    pub reference: ir::TypeRef,
    /// Where it is used.
    pub uses: Vec<Use>,
}

/// Names reserved for the generated items that are not per-type.
const RESERVED: &[&str] = &[
    "Event",
    "EventKind",
    "EventSet",
    "Message",
    "MismatchedEvent",
    "Object",
    "Timestamp",
    "UnknownBranch",
    "UnknownEvent",
    "UnknownEventName",
    "Violation",
    "ViolationKind",
    "JsonKind",
    "Drift",
];

struct Builder {
    structs: Vec<StructPlan>,
    /// Shared structs by shape (event data structs are never shared, so not here).
    struct_keys: BTreeMap<Vec<(String, RustType, bool)>, usize>,
    enums: Vec<EnumPlan>,
    enum_keys: BTreeMap<Vec<(String, Option<String>)>, usize>,
    opaques: Vec<OpaquePlan>,
    /// Opaque types by the name the spec gives them.
    opaque_keys: BTreeMap<String, usize>,
    unions: Vec<UnionPlan>,
    /// The schema's named types, and what each became.
    types: BTreeMap<String, ir::TypeDef>,
    named: BTreeMap<String, RustType>,
    /// Named types being planned: a use of one of these inside itself is boxed.
    in_progress: BTreeSet<String>,
}

/// An enum's values as `(wire, variant, description)`, variants in Rust case and distinct, and
/// the name of the variant that keeps any other value (`Other`, unless a value took it).
fn enum_values(values: &[ir::EnumValue]) -> (Vec<(String, String, Option<String>)>, String) {
    let mut taken = BTreeSet::new();
    let values = values
        .iter()
        .map(|v| {
            (
                v.name.clone(),
                names::unique(names::pascal(&v.name), &mut taken),
                v.description.clone(),
            )
        })
        .collect();
    (values, names::unique("Other".into(), &mut taken))
}

/// Plans the types for a spec.
pub fn plan(spec: &ir::Spec) -> TypeSpace {
    plan_owned(spec.clone())
}

/// [`plan`], taking the spec: its docs and examples move into the type space rather than being
/// copied, so that a large spec is not held twice.
pub fn plan_owned(spec: ir::Spec) -> TypeSpace {
    let ir::Spec {
        files,
        events: spec_events,
        types,
        ..
    } = spec;
    let mut b = Builder {
        structs: Vec::new(),
        struct_keys: BTreeMap::new(),
        enums: Vec::new(),
        enum_keys: BTreeMap::new(),
        opaques: Vec::new(),
        opaque_keys: BTreeMap::new(),
        unions: Vec::new(),
        types: types.into_iter().map(|t| (t.name.clone(), t)).collect(),
        named: BTreeMap::new(),
        in_progress: BTreeSet::new(),
    };
    let mut events = Vec::new();
    for event in spec_events {
        let payload = match &event.data {
            ir::EventData::None { .. } => Payload::None,
            ir::EventData::Unspecified => Payload::Unspecified,
            ir::EventData::Type {
                ty: ir::TypeExpr::Named { name },
                ..
            } if matches!(
                b.types.get(name).map(|t| &t.kind),
                Some(ir::TypeKind::Struct { .. } | ir::TypeKind::Union { .. })
            ) =>
            {
                Payload::Named(b.named(name))
            }
            ir::EventData::Type { ty, .. } => {
                let reference = match ty {
                    ir::TypeExpr::Opaque { reference } => reference.clone(),
                    // Not typed yet: kept as the raw object under the type's name.
                    other => ir::TypeRef {
                        name: type_name(other),
                        source: None,
                        span: event.span,
                    },
                };
                Payload::Opaque(b.opaque(&reference, &event.name))
            }
            ir::EventData::Members { members } => {
                let planned = b.fields(&event.name, &[], members);
                b.structs.push(StructPlan {
                    name: names::pascal(&event.name),
                    fields: planned,
                    extra_name: String::new(),
                    uses: vec![Use {
                        event: event.name.clone(),
                        path: Vec::new(),
                    }],
                    description: event.doc.paragraphs().collect::<Vec<_>>().join(" "),
                    def: None,
                });
                // Event data structs are never shared: one type per event.
                Payload::Struct(b.structs.len() - 1)
            }
        };
        events.push(EventPlan {
            variant: names::pascal(&event.name),
            wire: event.name,
            payload,
            doc: event.doc,
            condition: event.condition,
            features: event.features,
        });
    }
    let mut space = TypeSpace {
        files: files
            .iter()
            .map(|f| {
                std::path::Path::new(&f.path)
                    .file_name()
                    .map_or_else(|| f.path.clone(), |n| n.to_string_lossy().into_owned())
            })
            .collect(),
        events,
        structs: b.structs,
        enums: b.enums,
        unions: b.unions,
        opaques: b.opaques,
        unknown_variant: String::new(),
        mismatched_variant: String::new(),
        absent_variant: String::new(),
    };
    name_types(&mut space);
    space
}

impl Builder {
    fn fields(&mut self, event: &str, path: &[String], members: &[ir::Member]) -> Vec<FieldPlan> {
        let mut taken = BTreeSet::new();
        let mut out = Vec::new();
        for member in members {
            let mut field_path = path.to_vec();
            field_path.push(member.name.clone());
            let (ty, type_note) = self.field_type(event, &field_path, member);
            out.push(FieldPlan {
                wire: member.name.clone(),
                rust: names::unique(names::snake(&member.name), &mut taken),
                ty,
                optional: member.optional,
                description: member.description.clone(),
                refers_to: member.refers_to.clone(),
                features: member.features.clone(),
                type_note,
            });
        }
        out
    }

    /// The Rust type of a member, and how it was chosen for the docs: the JSON type the spec
    /// states, and the front end's guess if it made one.
    fn field_type(
        &mut self,
        event: &str,
        path: &[String],
        member: &ir::Member,
    ) -> (RustType, String) {
        use ir::Builtin;
        let at = Use {
            event: event.to_owned(),
            path: path.to_vec(),
        };
        let (ty, json) = match &member.ty {
            ir::TypeExpr::Object { members } => {
                let planned = self.fields(event, path, members);
                let description = member.description.as_deref().unwrap_or_default();
                let ty = RustType::Struct(self.intern_struct(planned, at, description));
                (ty, "json-object".to_owned())
            }
            ir::TypeExpr::Values { set } => (
                RustType::Enum(self.intern_enum(set, at)),
                "json-string".to_owned(),
            ),
            ir::TypeExpr::Builtin { builtin } => {
                let ty = match builtin_type(*builtin) {
                    Some(ty) => ty,
                    // Not typed yet: kept as any JSON.
                    None => return not_typed_yet(&member.ty),
                };
                let json = builtin
                    .json_type()
                    .map_or("any JSON", ir::JsonType::doc_name);
                (ty, json.to_owned())
            }
            ir::TypeExpr::Array { element } if **element == ir::TypeExpr::builtin(Builtin::Any) => {
                (RustType::Array, "json-array".to_owned())
            }
            ir::TypeExpr::Named { .. } | ir::TypeExpr::Array { .. } => {
                match self.schema_type(&member.ty) {
                    Some(ty) => (ty, format!("`{}`", type_name(&member.ty))),
                    None => return not_typed_yet(&member.ty),
                }
            }
            other => return not_typed_yet(other),
        };
        let note = match &member.guess {
            None => json,
            Some(ir::Guess {
                stated: Some(stated),
                evidence,
            }) => format!("{}; {evidence}", stated.doc_name()),
            Some(ir::Guess {
                stated: None,
                evidence,
            }) => format!("no JSON type given; {evidence}"),
        };
        (ty, note)
    }

    fn intern_struct(&mut self, fields: Vec<FieldPlan>, at: Use, description: &str) -> usize {
        let key: Vec<_> = fields
            .iter()
            .map(|f| (f.wire.clone(), f.ty.clone(), f.optional))
            .collect();
        if let Some(&i) = self.struct_keys.get(&key) {
            self.structs[i].uses.push(at);
            return i;
        }
        self.structs.push(StructPlan {
            name: String::new(),
            fields,
            extra_name: String::new(),
            uses: vec![at],
            description: description.to_owned(),
            def: None,
        });
        self.struct_keys.insert(key, self.structs.len() - 1);
        self.structs.len() - 1
    }

    fn intern_enum(&mut self, set: &ir::ValueSet, at: Use) -> usize {
        let key: Vec<_> = set
            .values
            .iter()
            .map(|v| (v.name.clone(), v.description.clone()))
            .collect();
        if let Some(&i) = self.enum_keys.get(&key) {
            self.enums[i].uses.push(at);
            return i;
        }
        let (values, other_variant) = enum_values(&set.values);
        self.enums.push(EnumPlan {
            name: String::new(),
            values,
            other_variant,
            constant: set.kind == ir::ValueSetKind::Constant,
            uses: vec![at],
            def: None,
        });
        self.enum_keys.insert(key, self.enums.len() - 1);
        self.enums.len() - 1
    }

    /// The Rust type of a schema type expression: a named type, or an array of one.
    fn schema_type(&mut self, ty: &ir::TypeExpr) -> Option<RustType> {
        match ty {
            ir::TypeExpr::Builtin { builtin } => builtin_type(*builtin),
            ir::TypeExpr::Named { name } => match self.types.get(name).map(|t| &t.kind) {
                Some(ir::TypeKind::Alternate { .. }) | None => None,
                Some(_) => Some(self.named(name)),
            },
            ir::TypeExpr::Array { element } => {
                Some(RustType::Vec(Box::new(self.schema_type(element)?)))
            }
            _ => None,
        }
    }

    /// The Rust type of a named struct, enum or union of the schema, planned once.
    fn named(&mut self, name: &str) -> RustType {
        if let Some(ty) = self.named.get(name) {
            return if self.in_progress.contains(name) {
                RustType::Boxed(Box::new(ty.clone()))
            } else {
                ty.clone()
            };
        }
        let Some(def) = self.types.get(name).cloned() else {
            return RustType::Any;
        };
        let named_def = NamedDef {
            name: def.name.clone(),
            doc: def.doc.clone(),
            condition: def.condition.clone(),
            features: def.features.clone(),
        };
        match &def.kind {
            ir::TypeKind::Enum { values, .. } => {
                let (values, other_variant) = enum_values(values);
                self.enums.push(EnumPlan {
                    name: String::new(),
                    values,
                    other_variant,
                    constant: false,
                    uses: Vec::new(),
                    def: Some(named_def),
                });
                let ty = RustType::Enum(self.enums.len() - 1);
                self.named.insert(name.to_owned(), ty.clone());
                ty
            }
            ir::TypeKind::Struct { .. } => {
                let index = self.structs.len();
                self.structs.push(StructPlan {
                    name: String::new(),
                    fields: Vec::new(),
                    extra_name: String::new(),
                    uses: Vec::new(),
                    description: String::new(),
                    def: Some(named_def),
                });
                let ty = RustType::Struct(index);
                self.named.insert(name.to_owned(), ty.clone());
                self.in_progress.insert(name.to_owned());
                let members = self.struct_members(name);
                let fields = self.fields(name, &[], &members);
                self.structs[index].fields = fields;
                self.in_progress.remove(name);
                ty
            }
            ir::TypeKind::Union {
                base,
                discriminator,
                branches,
            } => {
                let index = self.unions.len();
                self.unions.push(UnionPlan {
                    name: String::new(),
                    tag: discriminator.clone(),
                    variants: Vec::new(),
                    other_variant: String::new(),
                    def: named_def,
                });
                let ty = RustType::Union(index);
                self.named.insert(name.to_owned(), ty.clone());
                self.in_progress.insert(name.to_owned());
                let base_members = match base {
                    ir::UnionBase::Named(base) => self.struct_members(base),
                    ir::UnionBase::Members(members) => members.clone(),
                };
                let tag_type = base_members
                    .iter()
                    .find(|m| &m.name == discriminator)
                    .map(|m| m.ty.clone());
                let values: Vec<(String, Option<ir::Condition>)> = match tag_type {
                    Some(ir::TypeExpr::Named { name: e }) => {
                        match self.types.get(&e).map(|t| &t.kind) {
                            Some(ir::TypeKind::Enum { values, .. }) => values
                                .iter()
                                .map(|v| (v.name.clone(), v.condition.clone()))
                                .collect(),
                            _ => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                let common: Vec<ir::Member> = base_members
                    .into_iter()
                    .filter(|m| &m.name != discriminator)
                    .collect();
                let mut taken = BTreeSet::new();
                let mut variants = Vec::new();
                for (value, condition) in values {
                    let branch = branches.iter().find(|b| b.value == value);
                    let payload = match branch {
                        // The branch's struct as it is, when the union adds nothing to it.
                        Some(b) if common.is_empty() => self.named(&b.ty),
                        _ => {
                            let mut members = common.clone();
                            if let Some(b) = branch {
                                members.extend(self.struct_members(&b.ty));
                            }
                            let owner = format!("{name} {value}");
                            let fields = self.fields(&owner, &[], &members);
                            self.structs.push(StructPlan {
                                name: format!("{}{}", names::pascal_type(name), names::pascal(&value)),
                                fields,
                                extra_name: String::new(),
                                uses: Vec::new(),
                                description: format!(
                                    "The members of `{name}` when `{discriminator}` is `\"{value}\"`."
                                ),
                                def: None,
                            });
                            RustType::Struct(self.structs.len() - 1)
                        }
                    };
                    let variant = names::unique(names::pascal(&value), &mut taken);
                    variants.push((value, variant, payload, condition));
                }
                let union = &mut self.unions[index];
                union.variants = variants;
                union.other_variant = names::unique("Other".into(), &mut taken);
                self.in_progress.remove(name);
                ty
            }
            ir::TypeKind::Alternate { .. } => RustType::Any,
        }
    }

    /// The members of a named struct, its base's first.
    fn struct_members(&self, name: &str) -> Vec<ir::Member> {
        let mut chain = Vec::new();
        let mut at = Some(name.to_owned());
        while let Some(current) = at.take() {
            // A base chain that loops is the front end's error; stop rather than spin.
            if chain.len() > 64 {
                break;
            }
            if let Some(ir::TypeKind::Struct { base, members }) =
                self.types.get(&current).map(|t| &t.kind)
            {
                chain.push(members.clone());
                at = base.clone();
            }
        }
        chain.into_iter().rev().flatten().collect()
    }

    fn opaque(&mut self, reference: &ir::TypeRef, event: &str) -> usize {
        let at = Use {
            event: event.to_owned(),
            path: Vec::new(),
        };
        if let Some(&i) = self.opaque_keys.get(&reference.name) {
            self.opaques[i].uses.push(at);
            return i;
        }
        self.opaques.push(OpaquePlan {
            name: String::new(),
            reference: reference.clone(),
            uses: vec![at],
        });
        self.opaque_keys
            .insert(reference.name.clone(), self.opaques.len() - 1);
        self.opaques.len() - 1
    }
}

/// The Rust type of a builtin, if it has one yet.
fn builtin_type(builtin: ir::Builtin) -> Option<RustType> {
    use ir::Builtin;
    Some(match builtin {
        Builtin::Str => RustType::String,
        Builtin::Int | Builtin::Int64 => RustType::I64,
        Builtin::Int8 => RustType::Int("i8"),
        Builtin::Int16 => RustType::Int("i16"),
        Builtin::Int32 => RustType::Int("i32"),
        Builtin::Uint8 => RustType::Int("u8"),
        Builtin::Uint16 => RustType::Int("u16"),
        Builtin::Uint32 => RustType::Int("u32"),
        Builtin::Uint64 | Builtin::Size => RustType::Int("u64"),
        // Any width: a number keeps every integer exactly.
        Builtin::Integer | Builtin::Number => RustType::Number,
        Builtin::Bool => RustType::Bool,
        Builtin::Object => RustType::Map,
        Builtin::Any => RustType::Any,
        Builtin::Null | Builtin::Qtype => return None,
    })
}

/// A type the code generator does not type yet: any JSON, said so in the docs.
fn not_typed_yet(ty: &ir::TypeExpr) -> (RustType, String) {
    (
        RustType::Any,
        format!("`{}`, not typed yet: any JSON", type_name(ty)),
    )
}

/// A type expression as a schema writes it (`str`, `[BlockDeviceInfo]`).
fn type_name(ty: &ir::TypeExpr) -> String {
    match ty {
        ir::TypeExpr::Builtin { builtin } => builtin.name().to_owned(),
        ir::TypeExpr::Named { name } => name.clone(),
        ir::TypeExpr::Array { element } => format!("[{}]", type_name(element)),
        ir::TypeExpr::Object { .. } => "json-object".to_owned(),
        ir::TypeExpr::Values { .. } => "json-string".to_owned(),
        ir::TypeExpr::Opaque { reference } => reference.name.clone(),
    }
}

/// Names every type from its uses, then makes all names distinct.
fn name_types(space: &mut TypeSpace) {
    let mut taken: BTreeSet<String> = RESERVED
        .iter()
        .chain(names::PRELUDE)
        .map(|s| s.to_string())
        .collect();
    // Event data structs and variants first: they carry the names users know.
    for event in &mut space.events {
        if let Payload::Struct(i) = event.payload {
            space.structs[i].name = names::unique(names::pascal(&event.wire), &mut taken);
        }
    }
    // Then the schema's named types, under their own names in Rust case.
    for s in &mut space.structs {
        if let Some(def) = &s.def {
            s.name = names::unique(names::pascal_type(&def.name), &mut taken);
        }
    }
    for e in &mut space.enums {
        if let Some(def) = &e.def {
            e.name = names::unique(names::pascal_type(&def.name), &mut taken);
        }
    }
    for u in &mut space.unions {
        u.name = names::unique(names::pascal_type(&u.def.name), &mut taken);
    }
    // A union's own variant structs (`{Union}{Value}`), then shapes named from their uses.
    for s in &mut space.structs {
        if s.def.is_none() && !s.name.is_empty() && s.uses.is_empty() {
            s.name = names::unique(std::mem::take(&mut s.name), &mut taken);
        }
    }
    for s in &mut space.structs {
        if s.name.is_empty() {
            s.name = names::unique(name_from_uses(&s.uses), &mut taken);
        }
    }
    for e in &mut space.enums {
        if e.def.is_none() {
            e.name = names::unique(name_from_uses(&e.uses), &mut taken);
        }
    }
    for o in &mut space.opaques {
        // Kept as written when it is already a type name (`ACPIOSTInfo`), else in Rust case
        // (`foo_bar` -> `FooBar`, `type` -> `Type`).
        let reference = &o.reference.name;
        let camel = reference.starts_with(|c: char| c.is_ascii_uppercase())
            && reference.chars().all(|c| c.is_ascii_alphanumeric());
        let name = if camel && syn::parse_str::<syn::Ident>(reference).is_ok() {
            reference.clone()
        } else {
            names::pascal_type(reference)
        };
        o.name = names::unique(name, &mut taken);
    }
    for s in &mut space.structs {
        let mut member_names: BTreeSet<String> = s.fields.iter().map(|f| f.rust.clone()).collect();
        s.extra_name = names::unique("extra".into(), &mut member_names);
    }
    let mut variants = BTreeSet::new();
    for event in &mut space.events {
        event.variant = names::unique(names::pascal(&event.wire), &mut variants);
    }
    space.unknown_variant = names::unique("Unknown".into(), &mut variants);
    space.mismatched_variant = names::unique("Mismatched".into(), &mut variants);
    space.absent_variant = names::unique("Absent".into(), &mut variants);
}

/// A shape without a name of its own is named from where it is first used: its event, then the
/// members down to it (`SpiceConnectedServer` for `data.server` of SPICE_CONNECTED,
/// `SpiceConnectedServerFamily` for the `family` inside it). Later uses share the type without
/// renaming it, so a new event that uses the same shape cannot rename it.
fn name_from_uses(uses: &[Use]) -> String {
    let Some(first) = uses.first() else {
        return "Shape".to_owned();
    };
    let mut name = names::pascal(&first.event);
    for segment in &first.path {
        name.push_str(&names::pascal(segment));
    }
    if first.path.is_empty() {
        name.push_str("Data");
    }
    name
}

/// Event payloads estimated above this many bytes are boxed in `Event`: the size of the
/// `Mismatched` variant, which every `Event` has anyway. A larger inline payload would make every
/// `Event` (and `Message`) that large, and every move of one a `memcpy`.
pub const MAX_INLINE_PAYLOAD: usize = 64;

impl TypeSpace {
    /// Whether the event's variant holds its payload in a `Box`: a struct estimated above
    /// [`MAX_INLINE_PAYLOAD`] bytes.
    pub fn boxed(&self, event: &EventPlan) -> bool {
        match &event.payload {
            Payload::Struct(i) => self.struct_size(*i) > MAX_INLINE_PAYLOAD,
            Payload::Named(ty) => self.type_size(ty) > MAX_INLINE_PAYLOAD,
            Payload::None | Payload::Opaque(_) | Payload::Unspecified => false,
        }
    }

    /// An estimate of a generated struct's size on a 64-bit target: its members, padded to
    /// 8 bytes, and its `extra` map. Only the comparison with [`MAX_INLINE_PAYLOAD`] uses it.
    pub fn struct_size(&self, index: usize) -> usize {
        let members: usize = self.structs[index]
            .fields
            .iter()
            .map(|f| {
                let size = self.type_size(&f.ty);
                match f.ty {
                    // An `Option` of these needs a tag; the others have a niche for `None`.
                    RustType::I64 | RustType::Int(_) | RustType::Bool if f.optional => 16,
                    _ => size,
                }
            })
            .sum();
        members.div_ceil(8) * 8 + 24
    }

    fn type_size(&self, ty: &RustType) -> usize {
        match ty {
            RustType::Bool => 1,
            RustType::I64 | RustType::Int(_) | RustType::Boxed(_) => 8,
            RustType::Number => 16,
            // `String`, a `Vec`, a `BTreeMap`, an open enum (its `Other(String)`).
            RustType::String
            | RustType::Map
            | RustType::Array
            | RustType::Vec(_)
            | RustType::Enum(_) => 24,
            RustType::Any => 32,
            RustType::Struct(i) => self.struct_size(*i),
            // The tag's niche aside, as large as its largest variant; a variant that contains
            // the union is boxed, so this ends.
            RustType::Union(i) => {
                let largest = self.unions[*i]
                    .variants
                    .iter()
                    .map(|(_, _, ty, _)| self.type_size(ty))
                    .max()
                    .unwrap_or(0);
                // `UnknownBranch`: a string and a map.
                largest.max(48)
            }
        }
    }
}

impl TypeSpace {
    /// Every way the names of this type space would break the build: a name that is not printed
    /// as a valid identifier, two items of one namespace (the module's types, a struct's fields,
    /// an enum's or union's variants, `Event`'s variants) under one name, or a type named like
    /// an item of the prelude or of the generated module. Empty for every plan; the hostile-spec
    /// tests and `cargo xtask fuzz` check it.
    pub fn name_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        fn check(problems: &mut Vec<String>, what: &str, names: Vec<&str>) {
            let mut seen = BTreeSet::new();
            for name in names {
                if !names::is_valid(name) {
                    problems.push(format!("{what}: `{name}` is not a valid identifier"));
                }
                if !seen.insert(name) {
                    problems.push(format!("{what}: `{name}` is used twice"));
                }
            }
        }
        let mut types: Vec<&str> = vec!["Event", "EventKind"];
        types.extend(self.structs.iter().map(|s| s.name.as_str()));
        types.extend(self.enums.iter().map(|e| e.name.as_str()));
        types.extend(self.unions.iter().map(|u| u.name.as_str()));
        types.extend(self.opaques.iter().map(|o| o.name.as_str()));
        for name in &types[2..] {
            if RESERVED.contains(name) || names::PRELUDE.contains(name) {
                problems.push(format!("type `{name}` takes a reserved name"));
            }
        }
        check(&mut problems, "types", types);
        for s in &self.structs {
            let mut fields: Vec<&str> = s.fields.iter().map(|f| f.rust.as_str()).collect();
            fields.push(&s.extra_name);
            check(&mut problems, &format!("fields of `{}`", s.name), fields);
        }
        for e in &self.enums {
            let mut variants: Vec<&str> = e.values.iter().map(|(_, v, _)| v.as_str()).collect();
            variants.push(&e.other_variant);
            check(
                &mut problems,
                &format!("variants of `{}`", e.name),
                variants,
            );
        }
        for u in &self.unions {
            let mut variants: Vec<&str> =
                u.variants.iter().map(|(_, v, _, _)| v.as_str()).collect();
            variants.push(&u.other_variant);
            check(
                &mut problems,
                &format!("variants of `{}`", u.name),
                variants,
            );
        }
        let mut variants: Vec<&str> = self.events.iter().map(|e| e.variant.as_str()).collect();
        variants.extend([
            self.unknown_variant.as_str(),
            self.mismatched_variant.as_str(),
            self.absent_variant.as_str(),
        ]);
        check(&mut problems, "variants of `Event`", variants);
        problems
    }
}
