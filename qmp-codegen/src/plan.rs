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
    /// One per event, in document order.
    pub events: Vec<EventPlan>,
    /// Data structs and nested object structs.
    pub structs: Vec<StructPlan>,
    /// Open enums for value sets.
    pub enums: Vec<EnumPlan>,
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
    /// The IR event (prose, notes, examples).
    pub ir: ir::Event,
}

/// What an `Event` variant holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Nothing: the event has no data.
    None,
    /// A generated struct.
    Struct(usize),
    /// A named, undescribed type keeping the raw object.
    Opaque(usize),
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
    /// The IR member (prose, type, guess, reference).
    pub ir: ir::Member,
    /// How the type was chosen, for the docs (`json-number; every example is an integer`).
    pub type_note: String,
}

/// The Rust type of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RustType {
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
}

/// Plans the types for a spec.
pub fn plan(spec: &ir::Spec) -> TypeSpace {
    let mut b = Builder {
        structs: Vec::new(),
        struct_keys: BTreeMap::new(),
        enums: Vec::new(),
        enum_keys: BTreeMap::new(),
        opaques: Vec::new(),
        opaque_keys: BTreeMap::new(),
    };
    let mut events = Vec::new();
    for event in &spec.events {
        let payload = match &event.data {
            ir::EventData::None { .. } => Payload::None,
            ir::EventData::Unspecified => Payload::Unspecified,
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
                });
                // Event data structs are never shared: one type per event.
                Payload::Struct(b.structs.len() - 1)
            }
        };
        events.push(EventPlan {
            wire: event.name.clone(),
            variant: names::pascal(&event.name),
            payload,
            ir: event.clone(),
        });
    }
    let mut space = TypeSpace {
        events,
        structs: b.structs,
        enums: b.enums,
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
                ir: member.clone(),
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
                let ty = match builtin {
                    Builtin::Str => RustType::String,
                    Builtin::Int => RustType::I64,
                    Builtin::Number => RustType::Number,
                    Builtin::Bool => RustType::Bool,
                    Builtin::Object => RustType::Map,
                    Builtin::Any => RustType::Any,
                    // Not typed yet: kept as any JSON.
                    _ => return not_typed_yet(&member.ty),
                };
                let json = builtin
                    .json_type()
                    .map_or("any JSON", ir::JsonType::doc_name);
                (ty, json.to_owned())
            }
            ir::TypeExpr::Array { element } if **element == ir::TypeExpr::builtin(Builtin::Any) => {
                (RustType::Array, "json-array".to_owned())
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
            .map(|f| (f.wire.clone(), f.ty, f.optional))
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
        let mut taken = BTreeSet::new();
        let values = set
            .values
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    names::unique(names::pascal(&v.name), &mut taken),
                    v.description.clone(),
                )
            })
            .collect();
        self.enums.push(EnumPlan {
            name: String::new(),
            values,
            other_variant: names::unique("Other".into(), &mut taken),
            constant: set.kind == ir::ValueSetKind::Constant,
            uses: vec![at],
        });
        self.enum_keys.insert(key, self.enums.len() - 1);
        self.enums.len() - 1
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
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    // Event data structs and variants first: they carry the names users know.
    for event in &mut space.events {
        if let Payload::Struct(i) = event.payload {
            space.structs[i].name = names::unique(names::pascal(&event.wire), &mut taken);
        }
    }
    for s in &mut space.structs {
        if s.name.is_empty() {
            s.name = names::unique(name_from_uses(&s.uses), &mut taken);
        }
    }
    for e in &mut space.enums {
        e.name = names::unique(name_from_uses(&e.uses), &mut taken);
    }
    for o in &mut space.opaques {
        let name = if syn::parse_str::<syn::Ident>(&o.reference.name).is_ok() {
            o.reference.name.clone()
        } else {
            names::pascal(&o.reference.name)
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

/// `SpiceFamily` for `family` in SPICE_CONNECTED and SPICE_INITIALIZED: the words the events'
/// names share, then the member name; members of different names are joined with `Or`.
fn name_from_uses(uses: &[Use]) -> String {
    let event_words: Vec<Vec<String>> = uses.iter().map(|u| names::words(&u.event)).collect();
    let mut prefix = event_words.first().cloned().unwrap_or_default();
    for w in &event_words[1..] {
        let common = prefix.iter().zip(w).take_while(|(a, b)| a == b).count();
        prefix.truncate(common);
    }
    let mut members: Vec<String> = Vec::new();
    for u in uses {
        let last = names::pascal(u.path.last().map(String::as_str).unwrap_or("data"));
        if !members.contains(&last) {
            members.push(last);
        }
    }
    format!(
        "{}{}",
        names::pascal_words(&prefix).trim_start_matches("Empty"),
        members.join("Or")
    )
}

/// Event payloads estimated above this many bytes are boxed in `Event`: the size of the
/// `Mismatched` variant, which every `Event` has anyway. A larger inline payload would make every
/// `Event` (and `Message`) that large, and every move of one a `memcpy`.
pub const MAX_INLINE_PAYLOAD: usize = 64;

impl TypeSpace {
    /// Whether the event's variant holds its payload in a `Box`: a struct estimated above
    /// [`MAX_INLINE_PAYLOAD`] bytes.
    pub fn boxed(&self, event: &EventPlan) -> bool {
        match event.payload {
            Payload::Struct(i) => self.struct_size(i) > MAX_INLINE_PAYLOAD,
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
                let size = self.type_size(f.ty);
                match f.ty {
                    // An `Option` of these needs a tag; the others have a niche for `None`.
                    RustType::I64 if f.optional => 16,
                    _ => size,
                }
            })
            .sum();
        members.div_ceil(8) * 8 + 24
    }

    fn type_size(&self, ty: RustType) -> usize {
        match ty {
            RustType::Bool => 1,
            RustType::I64 => 8,
            RustType::Number => 16,
            // `String`, a `Vec`, a `BTreeMap`, an open enum (its `Other(String)`).
            RustType::String | RustType::Map | RustType::Array | RustType::Enum(_) => 24,
            RustType::Any => 32,
            RustType::Struct(i) => self.struct_size(i),
        }
    }
}
