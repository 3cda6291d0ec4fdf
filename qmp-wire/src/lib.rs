//! What QMP events look like on the wire, computed from any [`qmp_ir::Spec`] (the legacy
//! document, a QAPI schema, a `query-qmp-schema` reply): compare two specs, and check messages.
//!
//! A [`WireSpec`] forgets everything that does not reach the wire: type names (a QAPI schema's
//! `ACPIOSTInfo` and a running QEMU's masked `"94"` are the same object), integer widths (all are
//! JSON integers), docs, features, boxing, struct bases (flattened). What is left, per event, is
//! the [`Shape`] of its `data`: members with their JSON types and optionality, value sets,
//! nested objects, arrays, unions as common members plus members per discriminator value, and
//! alternates.
//!
//! - [`diff`] compares two of them, one [`Difference`] a line, in a deterministic order.
//! - [`validate`] checks one QMP message against one.
//!
//! # Conditions
//!
//! A QAPI schema declares some definitions under `'if'` (`CONFIG_SPICE`, `TARGET_S390X`, ...); a
//! running QEMU's schema and the legacy document have none. [`Conditions`] says how to treat
//! them:
//!
//! - [`Conditions::IncludeAll`] (the default): every definition counts, whatever its condition;
//!   the result is the union of every build (a `{'not': ...}` is not evaluated either). Each
//!   event keeps its condition as text ([`EventShape::condition`]) so that callers can say which
//!   events only some builds have.
//! - [`Conditions::Cfg`]: the conditions are evaluated, with exactly the named build options
//!   holding (`CONFIG_SPICE`, `TARGET_I386`, ...); a definition whose condition fails is left
//!   out: an event, a member, an enum value, a union branch, an alternative.
//!
//! # The legacy document
//!
//! A type the document only names ([`TypeExpr::Opaque`]) and the bare `json-object`
//! ([`Builtin::Object`]) are "any object"; an event whose data the document does not describe
//! ([`EventData::Unspecified`]) takes any data.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod diff;
mod validate;

pub use diff::{Change, DiffKind, Difference, diff};
pub use validate::{Violation, ViolationKind, validate};

use qmp_ir::{Builtin, Condition, EventData, Member, Spec, TypeDef, TypeExpr, TypeKind, UnionBase};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How definitions under a build condition are treated (see the crate docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Conditions {
    /// Every definition counts, whatever its condition.
    #[default]
    IncludeAll,
    /// Conditions are evaluated with exactly these build options holding.
    Cfg(BTreeSet<String>),
}

impl Conditions {
    /// Whether a definition with this condition counts.
    pub fn holds(&self, condition: Option<&Condition>) -> bool {
        match (self, condition) {
            (_, None) | (Conditions::IncludeAll, _) => true,
            (Conditions::Cfg(set), Some(c)) => c.eval(&|name| set.contains(name)),
        }
    }
}

/// A condition as one line of text: `CONFIG_SPICE`, `all(TARGET_S390X, CONFIG_KVM)`, `not(X)`.
pub fn condition_text(condition: &Condition) -> String {
    let list = |items: &[Condition]| {
        items
            .iter()
            .map(condition_text)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match condition {
        Condition::Name(name) => name.clone(),
        Condition::All(all) => format!("all({})", list(all)),
        Condition::Any(any) => format!("any({})", list(any)),
        Condition::Not(not) => format!("not({})", condition_text(not)),
    }
}

/// The wire shapes of every event of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct WireSpec {
    /// The events, sorted by name.
    pub events: Vec<EventShape>,
    /// The shapes of the types that contain themselves, by the spec's name: where a type
    /// reaches itself, the shape holds [`Shape::Recursive`] with the name, to look up here.
    pub recursive: BTreeMap<String, Shape>,
    /// Whether the spec was too big to expand: types nested deeper than [`MAX_NESTING`], or more
    /// than [`MAX_EXPANSIONS`] uses of named types in all, count as any value beyond that
    /// point. No QEMU schema comes near (a crafted one could).
    pub truncated: bool,
}

/// How deep named types may nest in one event's data.
pub const MAX_NESTING: usize = 100;

/// How many uses of named types the shapes of one spec may expand, in all.
pub const MAX_EXPANSIONS: usize = 20_000;

/// One event on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct EventShape {
    /// Its name.
    pub name: String,
    /// What its `data` member holds.
    pub data: Data,
    /// The event's build condition as text, if it has one (kept under
    /// [`Conditions::IncludeAll`]; under [`Conditions::Cfg`] the event is there because it held).
    pub condition: Option<String>,
}

/// What an event's `data` member holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// The spec does not say: anything, or nothing, goes.
    Unspecified,
    /// No data: QEMU omits `data` (an event whose data is an object without members).
    None,
    /// `data` is a value of this shape (an object, for every QEMU event).
    Value(Shape),
}

/// The shape of a JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Any value.
    Any,
    /// Any object (a type the legacy document names without describing it).
    AnyObject,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// An integer of a width.
    Int(IntKind),
    /// Any number.
    Number,
    /// Any string.
    Str,
    /// A string from this set.
    Enum(BTreeSet<String>),
    /// An array of values of a shape.
    Array(Box<Shape>),
    /// An object with known members.
    Object(Object),
    /// A value of one of these shapes, told apart by JSON type.
    Alternate(Vec<Shape>),
    /// The named type again, inside itself: its shape is in [`WireSpec::recursive`].
    Recursive(String),
}

/// The range of an integer: QAPI's `int` (and `int64`, and the legacy document's `json-int`),
/// the narrower signed ones, and the unsigned ones (`size` is `uint64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntKind {
    /// `int`: `i64`.
    Int,
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `uint8`.
    Uint8,
    /// `uint16`.
    Uint16,
    /// `uint32`.
    Uint32,
    /// `uint64` and `size`.
    Uint64,
    /// Any width (a `query-qmp-schema` reply does not say): `i64::MIN` to `u64::MAX`.
    Any,
}

impl IntKind {
    /// The schema's name for it.
    pub fn name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int8 => "int8",
            IntKind::Int16 => "int16",
            IntKind::Int32 => "int32",
            IntKind::Uint8 => "uint8",
            IntKind::Uint16 => "uint16",
            IntKind::Uint32 => "uint32",
            IntKind::Uint64 => "uint64",
            IntKind::Any => "integer",
        }
    }

    /// The smallest and largest value.
    pub fn range(self) -> (i128, i128) {
        match self {
            IntKind::Int => (i64::MIN.into(), i64::MAX.into()),
            IntKind::Int8 => (i8::MIN.into(), i8::MAX.into()),
            IntKind::Int16 => (i16::MIN.into(), i16::MAX.into()),
            IntKind::Int32 => (i32::MIN.into(), i32::MAX.into()),
            IntKind::Uint8 => (0, u8::MAX.into()),
            IntKind::Uint16 => (0, u16::MAX.into()),
            IntKind::Uint32 => (0, u32::MAX.into()),
            IntKind::Uint64 => (0, u64::MAX.into()),
            IntKind::Any => (i64::MIN.into(), u64::MAX.into()),
        }
    }
}

/// An object: its members, and its members per discriminator value if it is a union.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    /// The members every such object has (the common members of a union), by name.
    pub members: BTreeMap<String, MemberShape>,
    /// For a union: the discriminator and the members each of its values adds.
    pub variants: Option<Variants>,
}

impl Object {
    /// Whether the object has no member at all (the wire cannot tell it from no data).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.variants.is_none()
    }
}

/// A member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberShape {
    /// Whether it may be absent.
    pub optional: bool,
    /// Its shape.
    pub shape: Shape,
}

/// The variable part of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct Variants {
    /// The member whose value picks the case.
    pub tag: String,
    /// The members each value adds; values that add none are left out.
    pub cases: BTreeMap<String, Object>,
}

/// QAPI's built-in `QType` enum, as its values go over the wire.
const QTYPE_VALUES: [&str; 7] = [
    "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool",
];

impl WireSpec {
    /// The wire shapes of `spec`'s events, with conditions treated as `conditions` says.
    pub fn new(spec: &Spec, conditions: &Conditions) -> WireSpec {
        let mut builder = Builder {
            types: spec.types.iter().map(|t| (t.name.as_str(), t)).collect(),
            conditions,
            stack: Vec::new(),
            reached_again: BTreeSet::new(),
            recursive: BTreeMap::new(),
            expansions: 0,
            truncated: false,
        };
        let mut events: Vec<EventShape> = spec
            .events
            .iter()
            .filter(|e| conditions.holds(e.condition.as_ref()))
            .map(|event| EventShape {
                name: event.name.clone(),
                data: builder.data(&event.data),
                condition: event.condition.as_ref().map(condition_text),
            })
            .collect();
        events.sort_by(|a, b| a.name.cmp(&b.name));
        // A spec may list an event twice (only a broken one does): the first counts.
        events.dedup_by(|later, first| later.name == first.name);
        WireSpec {
            events,
            recursive: builder.recursive,
            truncated: builder.truncated,
        }
    }

    /// The event called `name`.
    pub fn event(&self, name: &str) -> Option<&EventShape> {
        self.events
            .binary_search_by(|e| e.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.events.get(i))
    }
}

struct Builder<'s> {
    types: HashMap<&'s str, &'s TypeDef>,
    conditions: &'s Conditions,
    /// The named types being expanded, innermost last.
    stack: Vec<String>,
    /// Names met again while being expanded.
    reached_again: BTreeSet<String>,
    recursive: BTreeMap<String, Shape>,
    /// Named types expanded so far.
    expansions: usize,
    /// Whether a limit was hit.
    truncated: bool,
}

impl Builder<'_> {
    fn data(&mut self, data: &EventData) -> Data {
        let shape = match data {
            EventData::Unspecified => return Data::Unspecified,
            EventData::None { .. } => return Data::None,
            EventData::Members { members } => Shape::Object(Object {
                members: self.members(members),
                variants: None,
            }),
            EventData::Type { ty, .. } => self.expr(ty),
        };
        match shape {
            Shape::Object(object) if object.is_empty() => Data::None,
            shape => Data::Value(shape),
        }
    }

    fn members(&mut self, members: &[Member]) -> BTreeMap<String, MemberShape> {
        members
            .iter()
            .filter(|m| self.conditions.holds(m.condition.as_ref()))
            .map(|m| {
                (
                    m.name.clone(),
                    MemberShape {
                        optional: m.optional,
                        shape: self.expr(&m.ty),
                    },
                )
            })
            .collect()
    }

    fn expr(&mut self, ty: &TypeExpr) -> Shape {
        match ty {
            TypeExpr::Builtin { builtin } => builtin_shape(*builtin),
            TypeExpr::Named { name } => self.named(name),
            TypeExpr::Array { element } => Shape::Array(Box::new(self.expr(element))),
            TypeExpr::Object { members } => Shape::Object(Object {
                members: self.members(members),
                variants: None,
            }),
            TypeExpr::Values { set } => Shape::Enum(
                set.values
                    .iter()
                    .filter(|v| self.conditions.holds(v.condition.as_ref()))
                    .map(|v| v.name.clone())
                    .collect(),
            ),
            TypeExpr::Opaque { .. } => Shape::AnyObject,
        }
    }

    fn named(&mut self, name: &str) -> Shape {
        if self.stack.iter().any(|n| n == name) {
            self.reached_again.insert(name.to_owned());
            return Shape::Recursive(name.to_owned());
        }
        let Some(def) = self.types.get(name).copied() else {
            // A type the spec does not define (a front end lets none through): anything.
            return Shape::Any;
        };
        self.expansions += 1;
        if self.stack.len() >= MAX_NESTING || self.expansions > MAX_EXPANSIONS {
            self.truncated = true;
            return Shape::Any;
        }
        self.stack.push(name.to_owned());
        let shape = match &def.kind {
            TypeKind::Struct { base, members } => {
                let mut object = match base {
                    Some(base) => self.object(base),
                    None => Object::default(),
                };
                object.members.extend(self.members(members));
                Shape::Object(object)
            }
            TypeKind::Enum { values, .. } => Shape::Enum(
                values
                    .iter()
                    .filter(|v| self.conditions.holds(v.condition.as_ref()))
                    .map(|v| v.name.clone())
                    .collect(),
            ),
            TypeKind::Union {
                base,
                discriminator,
                branches,
            } => {
                let mut object = match base {
                    UnionBase::Named(base) => self.object(base),
                    UnionBase::Members(members) => Object {
                        members: self.members(members),
                        variants: None,
                    },
                };
                let mut cases = BTreeMap::new();
                for branch in branches {
                    if !self.conditions.holds(branch.condition.as_ref()) {
                        continue;
                    }
                    let case = self.object(&branch.ty);
                    if !case.is_empty() {
                        cases.insert(branch.value.clone(), case);
                    }
                }
                object.variants = Some(Variants {
                    tag: discriminator.clone(),
                    cases,
                });
                Shape::Object(object)
            }
            TypeKind::Alternate { branches } => Shape::Alternate(
                branches
                    .iter()
                    .filter(|b| self.conditions.holds(b.condition.as_ref()))
                    .map(|b| self.expr(&b.ty))
                    .collect(),
            ),
        };
        self.stack.pop();
        if self.reached_again.contains(name) && !self.recursive.contains_key(name) {
            self.recursive.insert(name.to_owned(), shape.clone());
        }
        shape
    }

    /// The named type as an object (a base, a branch): its members, flattened.
    fn object(&mut self, name: &str) -> Object {
        match self.named(name) {
            Shape::Object(object) => object,
            _ => Object::default(),
        }
    }
}

fn builtin_shape(builtin: Builtin) -> Shape {
    match builtin {
        Builtin::Str => Shape::Str,
        Builtin::Int | Builtin::Int64 => Shape::Int(IntKind::Int),
        Builtin::Int8 => Shape::Int(IntKind::Int8),
        Builtin::Int16 => Shape::Int(IntKind::Int16),
        Builtin::Int32 => Shape::Int(IntKind::Int32),
        Builtin::Uint8 => Shape::Int(IntKind::Uint8),
        Builtin::Uint16 => Shape::Int(IntKind::Uint16),
        Builtin::Uint32 => Shape::Int(IntKind::Uint32),
        Builtin::Uint64 | Builtin::Size => Shape::Int(IntKind::Uint64),
        Builtin::Integer => Shape::Int(IntKind::Any),
        Builtin::Number => Shape::Number,
        Builtin::Bool => Shape::Bool,
        Builtin::Null => Shape::Null,
        Builtin::Any => Shape::Any,
        Builtin::Qtype => Shape::Enum(QTYPE_VALUES.iter().map(|v| (*v).to_owned()).collect()),
        Builtin::Object => Shape::AnyObject,
    }
}

/// How many values of a set a summary shows.
const SUMMARY_VALUES: usize = 6;

impl Shape {
    /// A short description: `int`, `array of str`, `object {a, b?}`, `one of "x", "y"`.
    pub fn summary(&self) -> String {
        match self {
            Shape::Any => "any value".to_owned(),
            Shape::AnyObject => "any object".to_owned(),
            Shape::Null => "null".to_owned(),
            Shape::Bool => "bool".to_owned(),
            // As on the wire, whatever the width.
            Shape::Int(_) => "int".to_owned(),
            Shape::Number => "number".to_owned(),
            Shape::Str => "str".to_owned(),
            Shape::Enum(values) => {
                let mut shown: Vec<String> = values
                    .iter()
                    .take(SUMMARY_VALUES)
                    .map(|v| format!("{v:?}"))
                    .collect();
                if values.len() > SUMMARY_VALUES {
                    shown.push(format!("... ({} values)", values.len()));
                }
                format!("one of {}", shown.join(", "))
            }
            Shape::Array(element) => format!("array of {}", element.summary()),
            Shape::Object(object) => object.summary(),
            Shape::Alternate(branches) => format!(
                "alternate of {}",
                branches
                    .iter()
                    .map(Shape::summary)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Shape::Recursive(_) => "object (recursive)".to_owned(),
        }
    }

    /// The JSON type that tells an alternate's branches apart.
    fn json_kind(&self) -> &'static str {
        match self {
            Shape::Any => "any",
            Shape::AnyObject | Shape::Object(_) | Shape::Recursive(_) => "object",
            Shape::Null => "null",
            Shape::Bool => "boolean",
            Shape::Int(_) => "integer",
            Shape::Number => "number",
            Shape::Str | Shape::Enum(_) => "string",
            Shape::Array(_) => "array",
            Shape::Alternate(_) => "alternate",
        }
    }
}

impl Object {
    /// `object {a, b?, c}` (`?`: optional), `[tag: ...]` for a union.
    pub fn summary(&self) -> String {
        let members: Vec<String> = self
            .members
            .iter()
            .map(|(name, m)| format!("{name}{}", if m.optional { "?" } else { "" }))
            .collect();
        let mut text = format!("object {{{}}}", members.join(", "));
        if let Some(variants) = &self.variants {
            text.push_str(&format!(" by `{}`", variants.tag));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_text_nests() {
        let c = Condition::All(vec![
            Condition::Name("A".into()),
            Condition::Not(Box::new(Condition::Any(vec![Condition::Name("B".into())]))),
        ]);
        assert_eq!(condition_text(&c), "all(A, not(any(B)))");
        let cfg = Conditions::Cfg(["A".to_owned()].into());
        assert!(cfg.holds(Some(&c)));
        assert!(!Conditions::Cfg(BTreeSet::new()).holds(Some(&c)));
        assert!(Conditions::IncludeAll.holds(Some(&c)));
    }
}
