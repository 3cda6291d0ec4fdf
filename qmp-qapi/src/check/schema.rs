//! The checks QEMU makes on the definitions together (its `schema.py`): every name defined
//! once, every type reference resolving to a type of the right kind, no struct containing
//! itself through its bases, no two members of an object (base, own and branch members) that
//! end up as the same C identifier, unions whose discriminator is a mandatory unconditional
//! enum member of the base and whose branches are values of it, alternates whose branches can
//! be told apart by JSON type, commands and events taking objects, at most 64 feature names;
//! and the doc comments against the definitions (every member, value, branch and feature
//! documented, nothing documented that does not exist).
//!
//! Like QEMU, the definitions become entities (the built-in types and their arrays, the
//! definitions, and implicit ones: arrays of named types, the object of members written in
//! place) in one list, checked in order, an object checking its base and branch types first.

use super::definition_note;
use super::model::{Args, Body, Def, FeatureDef, MemberDef, SPECIAL_FEATURES, TypeRef};
use super::names::{c_name, same_c_name};
use crate::ast::ParsedSchema;
use qmp_ir::{Diagnostic, Severity, Span};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The JSON type of a type's values, as QEMU tells alternates' branches apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Json {
    String,
    Number,
    Int,
    Boolean,
    Null,
    /// Any JSON value (`any`, alternates): no single JSON type.
    Value,
    Object,
    Array,
}

/// What an alternate can tell apart at run time: the kind of JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    String,
    Number,
    Boolean,
    Array,
    Object,
}

impl Json {
    fn kind(self) -> Option<Kind> {
        Some(match self {
            Json::Null => Kind::Null,
            Json::String => Kind::String,
            Json::Number | Json::Int => Kind::Number,
            Json::Boolean => Kind::Boolean,
            Json::Array => Kind::Array,
            Json::Object => Kind::Object,
            Json::Value => return None,
        })
    }
}

/// QAPI's built-in types and the JSON type of their values.
const BUILTINS: [(&str, Json); 15] = [
    ("str", Json::String),
    ("number", Json::Number),
    ("int", Json::Int),
    ("int8", Json::Int),
    ("int16", Json::Int),
    ("int32", Json::Int),
    ("int64", Json::Int),
    ("uint8", Json::Int),
    ("uint16", Json::Int),
    ("uint32", Json::Int),
    ("uint64", Json::Int),
    ("size", Json::Int),
    ("bool", Json::Boolean),
    ("any", Json::Value),
    ("null", Json::Null),
];

/// How deeply object checks may nest (a struct's base's base ..., a union's branch types):
/// deeper schemas are refused rather than overflowing the stack.
const MAX_DEPTH: usize = 256;

/// The values of the predefined enum `QType`.
const QTYPE_VALUES: [&str; 7] = [
    "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool",
];

/// The name of the implicit object holding members written in place.
fn implicit_name(owner: &str, role: &str) -> String {
    format!("q_obj_{owner}-{role}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    InProgress,
    Done,
    Failed,
}

/// A problem already reported; whatever depends on it fails silently.
struct Failed;

type Check<T = ()> = Result<T, Failed>;

#[derive(Debug)]
enum EntityKind<'a> {
    Builtin(Json),
    Array {
        element: &'a str,
        /// The definition whose reference created it (`None`: a built-in type's array).
        origin: Option<usize>,
        span: Span,
    },
    Object(Object<'a>),
    Enum {
        values: Vec<&'a str>,
        def: Option<usize>,
    },
    Alternate(usize),
    Command(usize),
    Event(usize),
}

/// A struct, a union, or the implicit object of members written in place.
#[derive(Debug)]
struct Object<'a> {
    /// The definition it is (or is implicit for); `None` for the predefined empty object.
    def: Option<usize>,
    implicit: bool,
    /// The base's name (a struct's, a union's named or implicit one) and where it is given.
    base: Option<(String, Span)>,
    members: &'a [MemberDef<'a>],
    /// For a union: its definition, where the discriminator and branches are.
    union: Option<usize>,
}

#[derive(Debug)]
struct Entity<'a> {
    name: String,
    kind: EntityKind<'a>,
    state: State,
    /// For an object that passed its check: its members, base members first (not branches').
    members: Vec<Seen<'a>>,
}

/// A member, value, branch or feature, as the clash checks and the messages need it. (Small
/// and borrowed: an object's members are copied into every object that has it as its base.)
#[derive(Debug, Clone, Copy)]
struct Seen<'a> {
    name: &'a str,
    role: &'static str,
    /// The entity (a type, possibly implicit, or an alternate) it belongs to.
    defined_in: usize,
    optional: bool,
    conditional: bool,
    ty: Option<usize>,
}

struct Checker<'a, 'o> {
    schema: &'a ParsedSchema,
    defs: &'a [Def<'a>],
    /// Names of definitions that failed the expression checks: references to them are not
    /// reported again.
    failed_names: &'o HashSet<&'a str>,
    entities: Vec<Entity<'a>>,
    by_name: HashMap<String, usize>,
    /// Every feature name, in the order first used (QMP's two first), with where.
    features: Vec<(&'a str, Option<(Span, usize)>)>,
    /// Definitions with an error: their doc comments are not checked.
    failed_defs: HashSet<usize>,
    /// How deeply object checks are nested (bases of bases, branch types).
    depth: usize,
    /// Per definition: which of its doc comment's `@arg` and feature sections found what they
    /// describe.
    doc_use: HashMap<usize, (Vec<bool>, Vec<bool>)>,
    errors: &'o mut Vec<Diagnostic>,
    warnings: &'o mut Vec<Diagnostic>,
}

/// Checks the definitions that passed the expression checks.
pub(super) fn check<'a>(
    schema: &'a ParsedSchema,
    defs: &'a [Def<'a>],
    failed_names: &HashSet<&'a str>,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut checker = Checker {
        schema,
        defs,
        failed_names,
        entities: Vec::new(),
        by_name: HashMap::new(),
        features: SPECIAL_FEATURES.iter().map(|&f| (f, None)).collect(),
        failed_defs: HashSet::new(),
        doc_use: HashMap::new(),
        depth: 0,
        errors,
        warnings,
    };
    checker.define();
    checker.check_all();
}

impl<'a> Checker<'a, '_> {
    fn diagnostic(
        &self,
        severity: Severity,
        span: Span,
        blame: Option<usize>,
        message: String,
    ) -> Diagnostic {
        let map = &self.schema.map;
        let mut d = map.diagnostic(severity, span, message, None);
        if let Some(def) = blame.and_then(|b| self.defs.get(b)) {
            d.notes
                .insert(0, definition_note(map, def.meta, def.name, def.expr.span));
        }
        d
    }

    /// Reports an error about definition `blame` and fails.
    fn error<T>(&mut self, span: Span, blame: Option<usize>, message: String) -> Check<T> {
        let d = self.diagnostic(Severity::Error, span, blame, message);
        self.errors.push(d);
        self.failed_defs.extend(blame);
        Err(Failed)
    }

    fn warn(&mut self, span: Span, blame: usize, message: String) {
        let d = self.diagnostic(Severity::Warning, span, Some(blame), message);
        self.warnings.push(d);
    }

    // ---- the definitions become entities ----

    fn define(&mut self) {
        for (name, json) in BUILTINS {
            self.add(
                name.to_owned(),
                EntityKind::Builtin(json),
                None,
                Span::default(),
            );
            let array = EntityKind::Array {
                element: name,
                origin: None,
                span: Span::default(),
            };
            self.add(format!("{name}List"), array, None, Span::default());
        }
        let empty = Object {
            def: None,
            implicit: true,
            base: None,
            members: &[],
            union: None,
        };
        self.add(
            "q_empty".into(),
            EntityKind::Object(empty),
            None,
            Span::default(),
        );
        let qtype = EntityKind::Enum {
            values: QTYPE_VALUES.to_vec(),
            def: None,
        };
        self.add("QType".into(), qtype, None, Span::default());

        let defs = self.defs;
        for (d, def) in defs.iter().enumerate() {
            self.register_features(&def.features, d);
            let kind = match &def.body {
                Body::Enum { values, .. } => {
                    for v in values {
                        self.register_features(&v.features, d);
                    }
                    EntityKind::Enum {
                        values: values.iter().map(|v| v.name).collect(),
                        def: Some(d),
                    }
                }
                Body::Struct { base, members } => {
                    self.make_members(members, d);
                    EntityKind::Object(Object {
                        def: Some(d),
                        implicit: false,
                        base: base.map(|b| (b.name.to_owned(), b.span)),
                        members,
                        union: None,
                    })
                }
                Body::Union { base, branches, .. } => {
                    let base = match base {
                        Args::Named(ty) => Some((ty.name.to_owned(), ty.span)),
                        Args::Members(members) => self.make_implicit(def.name, "base", members, d),
                    };
                    for b in branches {
                        self.make_array(&b.ty, d);
                    }
                    EntityKind::Object(Object {
                        def: Some(d),
                        implicit: false,
                        base,
                        members: &[],
                        union: Some(d),
                    })
                }
                Body::Alternate { branches } => {
                    for b in branches {
                        self.make_array(&b.ty, d);
                    }
                    EntityKind::Alternate(d)
                }
                Body::Command { data, returns, .. } => {
                    if let Some(Args::Members(members)) = data {
                        self.make_implicit(def.name, "arg", members, d);
                    }
                    if let Some(r) = returns {
                        self.make_array(r, d);
                    }
                    EntityKind::Command(d)
                }
                Body::Event { data, .. } => {
                    if let Some(Args::Members(members)) = data {
                        self.make_implicit(def.name, "arg", members, d);
                    }
                    EntityKind::Event(d)
                }
            };
            self.add(def.name.to_owned(), kind, Some(d), def.name_span);
        }
    }

    fn register_features(&mut self, features: &[FeatureDef<'a>], d: usize) {
        for f in features {
            if !self.features.iter().any(|(name, _)| *name == f.name) {
                self.features.push((f.name, Some((f.span, d))));
            }
        }
    }

    fn make_members(&mut self, members: &[MemberDef<'a>], d: usize) {
        for m in members {
            self.make_array(&m.ty, d);
            self.register_features(&m.features, d);
        }
    }

    /// The implicit object of members written in place, if there are any members: its name
    /// and where its members start.
    fn make_implicit(
        &mut self,
        owner: &str,
        role: &str,
        members: &'a [MemberDef<'a>],
        d: usize,
    ) -> Option<(String, Span)> {
        self.make_members(members, d);
        let first = members.first()?;
        let name = implicit_name(owner, role);
        if !self.by_name.contains_key(&name) {
            let object = Object {
                def: Some(d),
                implicit: true,
                base: None,
                members,
                union: None,
            };
            self.add(
                name.clone(),
                EntityKind::Object(object),
                Some(d),
                first.span,
            );
        }
        Some((name, first.span))
    }

    fn make_array(&mut self, ty: &TypeRef<'a>, d: usize) {
        if ty.array {
            let name = format!("{}List", ty.name);
            if !self.by_name.contains_key(&name) {
                let array = EntityKind::Array {
                    element: ty.name,
                    origin: Some(d),
                    span: ty.span,
                };
                self.add(name, array, Some(d), ty.span);
            }
        }
    }

    /// Defines an entity, unless its name is taken.
    fn add(&mut self, name: String, kind: EntityKind<'a>, blame: Option<usize>, span: Span) {
        let Some(&other) = self.by_name.get(&name) else {
            self.by_name.insert(name.clone(), self.entities.len());
            self.entities.push(Entity {
                name,
                kind,
                state: State::New,
                members: Vec::new(),
            });
            return;
        };
        let (message, previous) = match self.entity_def(other).map(|p| &self.defs[p]) {
            Some(prev) => {
                let path = self
                    .schema
                    .map
                    .files
                    .get(prev.expr.span.file.0 as usize)
                    .map_or("", |f| f.path.as_str());
                let note = format!("previous definition at {path}:{}", prev.expr.span.line);
                (format!("`{name}` is already defined"), Some(note))
            }
            None => (format!("{} is already defined", self.describe(other)), None),
        };
        let mut d = self.diagnostic(Severity::Error, span, blame, message);
        d.notes.extend(previous);
        self.errors.push(d);
        self.failed_defs.extend(blame);
    }

    /// The definition an entity is (not the one it is implicit for).
    fn entity_def(&self, id: usize) -> Option<usize> {
        match &self.entities[id].kind {
            EntityKind::Object(o) if !o.implicit => o.def,
            EntityKind::Enum { def, .. } => *def,
            EntityKind::Alternate(d) | EntityKind::Command(d) | EntityKind::Event(d) => Some(*d),
            _ => None,
        }
    }

    fn describe(&self, id: usize) -> String {
        let e = &self.entities[id];
        match &e.kind {
            EntityKind::Builtin(_) => format!("built-in type `{}`", e.name),
            EntityKind::Array { element, .. } => format!("array type `[{element}]`"),
            EntityKind::Object(o) if o.union.is_some() => format!("union type `{}`", e.name),
            EntityKind::Object(_) => format!("struct type `{}`", e.name),
            EntityKind::Enum { .. } => format!("enum type `{}`", e.name),
            EntityKind::Alternate(_) => format!("alternate type `{}`", e.name),
            EntityKind::Command(_) => format!("command `{}`", e.name),
            EntityKind::Event(_) => format!("event `{}`", e.name),
        }
    }

    /// Describes a member as seen from definition `blame`: `member `a``, `base member `a``,
    /// `member `a` of type `Base``.
    fn describe_member(&self, m: &Seen<'_>, blame: Option<usize>) -> String {
        let mut role = m.role.to_owned();
        let mut owner_kind = "type";
        let mut owner = self.entities[m.defined_in].name.as_str();
        if let Some(rest) = owner.strip_prefix("q_obj_") {
            if let Some(o) = rest.strip_suffix("-arg") {
                role = "parameter".into();
                owner = o;
                owner_kind = match self.by_name.get(o).map(|&i| &self.entities[i].kind) {
                    Some(EntityKind::Event(_)) => "event",
                    _ => "command",
                };
            } else if let Some(o) = rest.strip_suffix("-base") {
                role = format!("base {role}");
                owner = o;
            }
        }
        let here = blame.and_then(|b| self.defs.get(b)).map(|d| d.name);
        if here == Some(owner) {
            format!("{role} `{}`", m.name)
        } else {
            format!("{role} `{}` of {owner_kind} `{owner}`", m.name)
        }
    }

    /// The type `name` refers to, or an error saying `what` uses an unknown type (`what` is
    /// written out only then: most uses are of members, and describing one takes some work).
    fn resolve(
        &mut self,
        name: &str,
        what: impl FnOnce(&Self) -> String,
        span: Span,
        blame: Option<usize>,
    ) -> Check<usize> {
        if let Some(&id) = self.by_name.get(name) {
            if !matches!(
                self.entities[id].kind,
                EntityKind::Command(_) | EntityKind::Event(_)
            ) {
                return Ok(id);
            }
        }
        let stem = name.strip_suffix("List").unwrap_or(name);
        if self.failed_names.contains(name) || self.failed_names.contains(stem) {
            return Err(Failed);
        }
        let what = what(self);
        self.error(span, blame, format!("{what} uses unknown type `{name}`"))
    }

    /// Resolves a type reference of definition `d` (`['T']` is the array of `T`).
    fn resolve_ref(
        &mut self,
        ty: &TypeRef<'a>,
        what: impl FnOnce(&Self) -> String,
        d: usize,
    ) -> Check<usize> {
        let name: Cow<'_, str> = if ty.array {
            format!("{}List", ty.name).into()
        } else {
            ty.name.into()
        };
        self.resolve(&name, what, ty.span, Some(d))
    }

    // ---- the checks ----

    fn check_all(&mut self) {
        for id in 0..self.entities.len() {
            let ok = self.check_entity(id).is_ok();
            if let Some(d) = self.entity_def(id) {
                if ok && !self.failed_defs.contains(&d) {
                    self.connect_doc(d);
                }
            }
        }
        let defs = self.defs;
        for (d, def) in defs.iter().enumerate() {
            if !self.failed_defs.contains(&d) {
                self.check_doc_leftovers(d, def);
            }
        }
        if let Some(&(name, Some((span, d)))) = self.features.get(64) {
            let _ = self.error::<()>(
                span,
                Some(d),
                format!(
                    "feature `{name}` is one too many: a schema may have at most 64 feature names"
                ),
            );
        }
    }

    fn check_entity(&mut self, id: usize) -> Check {
        match self.entities[id].state {
            State::Done => return Ok(()),
            State::Failed => return Err(Failed),
            State::New | State::InProgress => {}
        }
        if let EntityKind::Object(_) = self.entities[id].kind {
            return self.check_object(id);
        }
        self.entities[id].state = State::InProgress;
        let result = match self.entities[id].kind {
            EntityKind::Builtin(_) => Ok(()),
            EntityKind::Array {
                element,
                origin,
                span,
            } => match origin {
                Some(d) => {
                    let what =
                        |c: &Self| format!("{} `{}`", c.defs[d].meta.keyword(), c.defs[d].name);
                    self.resolve(element, what, span, Some(d)).map(drop)
                }
                None => Ok(()),
            },
            EntityKind::Enum { def: Some(d), .. } => self.check_enum(d),
            EntityKind::Enum { def: None, .. } | EntityKind::Object(_) => Ok(()),
            EntityKind::Alternate(d) => self.check_alternate(id, d),
            EntityKind::Command(d) => self.check_command(d),
            EntityKind::Event(d) => self.check_event(d),
        };
        self.entities[id].state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }

    /// No two features of one thing with the same C name.
    fn check_feature_clash(&mut self, features: &[FeatureDef<'a>], d: usize) -> Check {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for f in features {
            if let Some(first) = seen.insert(c_name(f.name), f.name) {
                return self.error(
                    f.span,
                    Some(d),
                    format!("feature `{}` collides with feature `{first}`", f.name),
                );
            }
        }
        Ok(())
    }

    /// What every definition must pass; types may not use the features QMP defines.
    fn check_definition(&mut self, d: usize) -> Check {
        let def = &self.defs[d];
        self.check_feature_clash(&def.features, d)?;
        if def.meta.is_type() {
            if let Some(f) = def
                .features
                .iter()
                .find(|f| SPECIAL_FEATURES.contains(&f.name))
            {
                return self.error(
                    f.span,
                    Some(d),
                    format!("feature `{}` is not supported for types", f.name),
                );
            }
        }
        Ok(())
    }

    fn check_enum(&mut self, d: usize) -> Check {
        self.check_definition(d)?;
        let Body::Enum { values, .. } = &self.defs[d].body else {
            return Ok(());
        };
        let mut seen: HashMap<String, &str> = HashMap::new();
        for v in values {
            if let Some(first) = seen.insert(c_name(v.name), v.name) {
                return self.error(
                    v.span,
                    Some(d),
                    format!("value `{}` collides with value `{first}`", v.name),
                );
            }
        }
        Ok(())
    }

    /// Adds `m` to the members `seen` so far, unless one has the same C name.
    fn add_member(
        &mut self,
        m: Seen<'a>,
        seen: &mut Vec<Seen<'a>>,
        span: Span,
        blame: Option<usize>,
    ) -> Check {
        // A linear search, as QAPI's objects are small; comparing C names as they are made
        // keeps it from allocating.
        if let Some(old) = seen.iter().find(|s| same_c_name(s.name, m.name)) {
            let message = format!(
                "{} collides with {}",
                self.describe_member(&m, blame),
                self.describe_member(old, blame)
            );
            return self.error(span, blame, message);
        }
        seen.push(m);
        Ok(())
    }

    /// Where to point at an object as a whole: its base, else its name; and its definition.
    fn object_blame(&self, id: usize) -> (Span, Option<usize>) {
        match &self.entities[id].kind {
            EntityKind::Object(o) => (
                o.base
                    .as_ref()
                    .map(|b| b.1)
                    .or_else(|| o.def.map(|d| self.defs[d].name_span))
                    .unwrap_or_default(),
                o.def,
            ),
            _ => (Span::default(), None),
        }
    }

    fn check_object(&mut self, id: usize) -> Check {
        match self.entities[id].state {
            State::Done => return Ok(()),
            State::Failed => return Err(Failed),
            State::InProgress => {
                let (span, blame) = self.object_blame(id);
                let name = self.entities[id].name.clone();
                return self.error(span, blame, format!("object `{name}` contains itself"));
            }
            State::New => {}
        }
        if self.depth >= MAX_DEPTH {
            let (span, blame) = self.object_blame(id);
            let name = self.entities[id].name.clone();
            return self.error(
                span,
                blame,
                format!("object `{name}` nests bases and branches more than {MAX_DEPTH} deep"),
            );
        }
        self.entities[id].state = State::InProgress;
        self.depth += 1;
        let result = self.check_object_inner(id);
        self.depth -= 1;
        self.entities[id].state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }

    fn check_object_inner(&mut self, id: usize) -> Check {
        let EntityKind::Object(o) = &self.entities[id].kind else {
            return Ok(());
        };
        let (def, implicit, base, members, union) =
            (o.def, o.implicit, o.base.clone(), o.members, o.union);
        let Some(d) = def else {
            return Ok(());
        };
        if !implicit {
            self.check_definition(d)?;
        }
        let mut seen = Vec::new();
        if let Some((base_name, base_span)) = base {
            let base_id = self.resolve(&base_name, |_| "`base`".to_owned(), base_span, Some(d))?;
            let is_struct = matches!(
                &self.entities[base_id].kind,
                EntityKind::Object(b) if b.union.is_none()
            );
            if !is_struct {
                let what = self.describe(base_id);
                return self.error(
                    base_span,
                    Some(d),
                    format!("`base` must be a struct type, and {what} is not"),
                );
            }
            self.check_object(base_id)?;
            seen.reserve(self.entities[base_id].members.len() + members.len());
            for i in 0..self.entities[base_id].members.len() {
                let m = self.entities[base_id].members[i];
                self.add_member(m, &mut seen, base_span, Some(d))?;
            }
        }
        for m in members {
            let placeholder = Seen {
                name: m.name,
                role: "member",
                defined_in: id,
                optional: m.optional,
                conditional: m.cond.is_some(),
                ty: None,
            };
            let what = |c: &Self| c.describe_member(&placeholder, Some(d));
            let ty = self.resolve_ref(&m.ty, what, d)?;
            self.check_feature_clash(&m.features, d)?;
            let member = Seen {
                ty: Some(ty),
                ..placeholder
            };
            self.add_member(member, &mut seen, m.span, Some(d))?;
        }
        if let Some(u) = union {
            self.check_branches(u, &seen)?;
        }
        self.entities[id].members = seen;
        Ok(())
    }

    /// A union's discriminator and branches, given the members of its base.
    fn check_branches(&mut self, u: usize, seen: &[Seen<'a>]) -> Check {
        let def = &self.defs[u];
        let Body::Union {
            discriminator,
            discriminator_span,
            branches,
            ..
        } = &def.body
        else {
            return Ok(());
        };
        let (tag_name, tag_span) = (*discriminator, *discriminator_span);
        let Some(tag) = seen.iter().find(|m| m.name == tag_name).copied() else {
            return self.error(
                tag_span,
                Some(u),
                format!("the discriminator `{tag_name}` is not a member of the base"),
            );
        };
        let defined_in = &self.entities[tag.defined_in].name;
        let base = if defined_in.starts_with("q_") {
            "the base".to_owned()
        } else {
            format!("base type `{defined_in}`")
        };
        let values =
            match tag.ty.map(|t| &self.entities[t].kind) {
                Some(EntityKind::Enum { values, .. }) => values.clone(),
                _ => return self.error(
                    tag_span,
                    Some(u),
                    format!(
                        "the discriminator member `{tag_name}` of {base} must be of an enum type"
                    ),
                ),
            };
        if tag.optional {
            return self.error(
                tag_span,
                Some(u),
                format!("the discriminator member `{tag_name}` of {base} must not be optional"),
            );
        }
        if tag.conditional {
            return self.error(
                tag_span,
                Some(u),
                format!("the discriminator member `{tag_name}` of {base} must not be conditional"),
            );
        }
        if branches.is_empty() && values.is_empty() {
            return self.error(def.name_span, Some(u), "the union has no branches".into());
        }
        let enum_id = tag.ty;
        let mut types = Vec::with_capacity(branches.len());
        for b in branches {
            let ty = self.resolve_ref(&b.ty, |_| format!("branch `{}`", b.name), u)?;
            if !values.contains(&b.name) {
                let what = enum_id.map(|e| self.describe(e)).unwrap_or_default();
                return self.error(
                    b.span,
                    Some(u),
                    format!("branch `{}` is not a value of {what}", b.name),
                );
            }
            if !matches!(self.entities[ty].kind, EntityKind::Object(_)) {
                let what = self.describe(ty);
                return self.error(
                    b.ty.span,
                    Some(u),
                    format!("branch `{}` cannot be of {what}", b.name),
                );
            }
            self.check_object(ty)?;
            types.push((ty, b.span));
        }
        for (ty, span) in types {
            let mut seen = seen.to_vec();
            self.clash_with_type(ty, &mut seen, span, u)?;
        }
        Ok(())
    }

    /// The members of object `ty` (and of its branches' types) clash with none `seen`.
    fn clash_with_type(
        &mut self,
        ty: usize,
        seen: &mut Vec<Seen<'a>>,
        span: Span,
        u: usize,
    ) -> Check {
        for i in 0..self.entities[ty].members.len() {
            let m = self.entities[ty].members[i];
            self.add_member(m, seen, span, Some(u))?;
        }
        let union = match &self.entities[ty].kind {
            EntityKind::Object(o) => o.union,
            _ => None,
        };
        if let Some(inner) = union {
            if let Body::Union { branches, .. } = &self.defs[inner].body {
                for b in branches {
                    let Ok(bt) = self.resolve_ref(&b.ty, |_| String::new(), inner) else {
                        continue;
                    };
                    let mut copy = seen.clone();
                    self.clash_with_type(bt, &mut copy, span, u)?;
                }
            }
        }
        Ok(())
    }

    /// Alternate `d`, which is entity `id`.
    fn check_alternate(&mut self, id: usize, d: usize) -> Check {
        self.check_definition(d)?;
        let def = &self.defs[d];
        let Body::Alternate { branches } = &def.body else {
            return Ok(());
        };
        let mut types = Vec::with_capacity(branches.len());
        for b in branches {
            types.push(self.resolve_ref(&b.ty, |_| format!("branch `{}`", b.name), d)?);
        }
        let mut seen = Vec::new();
        let mut kinds: Vec<(Kind, &str)> = Vec::new();
        for (b, ty) in branches.iter().zip(types) {
            let member = Seen {
                name: b.name,
                role: "branch",
                defined_in: id,
                optional: false,
                conditional: b.cond.is_some(),
                ty: Some(ty),
            };
            self.add_member(member, &mut seen, b.span, Some(d))?;
            let Some(kind) = self.json(ty).kind() else {
                let what = self.describe(ty);
                return self.error(
                    b.ty.span,
                    Some(d),
                    format!("branch `{}` cannot be of {what}", b.name),
                );
            };
            let mut conflicting = vec![kind];
            if kind == Kind::String {
                match &self.entities[ty].kind {
                    EntityKind::Enum { values, .. } => {
                        if values.iter().any(|v| *v == "on" || *v == "off") {
                            conflicting.push(Kind::Boolean);
                        }
                        if values.iter().any(|v| {
                            v.starts_with(|c: char| c.is_ascii_digit() || "-+.".contains(c))
                        }) {
                            conflicting.push(Kind::Number);
                        }
                    }
                    _ => conflicting.extend([Kind::Number, Kind::Boolean]),
                }
            }
            for k in conflicting {
                if let Some((_, other)) = kinds.iter().find(|(seen, _)| *seen == k) {
                    let other = *other;
                    return self.error(
                        b.span,
                        Some(d),
                        format!(
                            "branch `{}` cannot be told apart from branch `{other}`",
                            b.name
                        ),
                    );
                }
                kinds.push((k, b.name));
            }
        }
        Ok(())
    }

    fn json(&self, id: usize) -> Json {
        match &self.entities[id].kind {
            EntityKind::Builtin(json) => *json,
            EntityKind::Array { .. } => Json::Array,
            EntityKind::Object(_) => Json::Object,
            EntityKind::Enum { .. } => Json::String,
            EntityKind::Alternate(_) | EntityKind::Command(_) | EntityKind::Event(_) => Json::Value,
        }
    }

    /// The `data` of a command or event: an object, a union only when boxed, conditional
    /// members only when boxed.
    fn check_arguments(&mut self, d: usize, data: Option<&Args<'a>>, boxed: bool) -> Check {
        let def = &self.defs[d];
        let what = format!("the `data` of {} `{}`", def.meta.keyword(), def.name);
        let (id, span) = match data {
            None => return Ok(()),
            Some(Args::Members(members)) => {
                let Some(first) = members.first() else {
                    return Ok(());
                };
                let name = implicit_name(def.name, "arg");
                (
                    self.resolve(&name, |_| what.clone(), first.span, Some(d))?,
                    first.span,
                )
            }
            Some(Args::Named(ty)) => (self.resolve_ref(ty, |_| what.clone(), d)?, ty.span),
        };
        let (is_object, is_union) = match &self.entities[id].kind {
            EntityKind::Object(o) => (true, o.union.is_some()),
            _ => (false, false),
        };
        if !is_object {
            let ty = self.describe(id);
            return self.error(span, Some(d), format!("{what} cannot be {ty}"));
        }
        if is_union && !boxed {
            let ty = self.describe(id);
            return self.error(
                span,
                Some(d),
                format!("{what} can be {ty} only with `'boxed': true`"),
            );
        }
        self.check_object(id)?;
        if !boxed && self.entities[id].members.iter().any(|m| m.conditional) {
            let at = match data {
                Some(Args::Members(members)) => members
                    .iter()
                    .find_map(|m| m.cond.map(|c| c.span))
                    .unwrap_or(span),
                _ => span,
            };
            let kind = def.meta.keyword();
            return self.error(
                at,
                Some(d),
                format!("conditional {kind} arguments need `'boxed': true`"),
            );
        }
        Ok(())
    }

    fn check_command(&mut self, d: usize) -> Check {
        self.check_definition(d)?;
        let def = &self.defs[d];
        let Body::Command {
            data,
            returns,
            boxed,
        } = &def.body
        else {
            return Ok(());
        };
        self.check_arguments(d, data.as_ref(), *boxed)?;
        if let Some(r) = returns {
            let what = format!("the `returns` of command `{}`", def.name);
            let id = self.resolve_ref(r, |_| what.clone(), d)?;
            let excepted = self
                .schema
                .pragmas
                .command_returns_exceptions
                .iter()
                .any(|e| e == def.name);
            if !excepted {
                let element = match &self.entities[id].kind {
                    EntityKind::Array { element, .. } => {
                        self.by_name.get(*element).copied().unwrap_or(id)
                    }
                    _ => id,
                };
                if !matches!(self.entities[element].kind, EntityKind::Object(_)) {
                    let ty = self.describe(id);
                    return self.error(r.span, Some(d), format!("{what} cannot be {ty}"));
                }
            }
        }
        Ok(())
    }

    fn check_event(&mut self, d: usize) -> Check {
        self.check_definition(d)?;
        let Body::Event { data, boxed } = &self.defs[d].body else {
            return Ok(());
        };
        self.check_arguments(d, data.as_ref(), *boxed)
    }

    // ---- doc comments ----

    /// Connects the doc comment of definition `d` to what it documents, warning about what it
    /// leaves undocumented.
    fn connect_doc(&mut self, d: usize) {
        let def = &self.defs[d];
        let Some(doc) = def.doc else {
            return;
        };
        let mut args = vec![false; doc.args.len()];
        let mut features = vec![false; doc.features.len()];
        let excepted = self
            .schema
            .pragmas
            .documentation_exceptions
            .iter()
            .any(|e| e == def.name);
        let mut missing: Vec<(Span, String)> = Vec::new();
        let mut feature = |f: &FeatureDef<'_>, missing: &mut Vec<(Span, String)>| {
            let mut found = false;
            for (used, s) in features.iter_mut().zip(&doc.features) {
                if s.name == f.name {
                    *used = true;
                    found = true;
                }
            }
            if !found {
                missing.push((f.span, format!("feature `{}` is not documented", f.name)));
            }
        };
        let mut member = |name: &str, role: &str, span: Span, missing: &mut Vec<(Span, String)>| {
            let mut found = false;
            for (used, s) in args.iter_mut().zip(&doc.args) {
                if s.name == name {
                    *used = true;
                    found = true;
                }
            }
            if !found && !excepted {
                missing.push((span, format!("{role} `{name}` is not documented")));
            }
        };
        for f in &def.features {
            feature(f, &mut missing);
        }
        let members: &[MemberDef<'_>] = match &def.body {
            Body::Enum { values, .. } => {
                for v in values {
                    member(v.name, "value", v.span, &mut missing);
                    for f in &v.features {
                        feature(f, &mut missing);
                    }
                }
                &[]
            }
            Body::Struct { members, .. } => members,
            Body::Union {
                base: Args::Members(members),
                ..
            } => members,
            Body::Command {
                data: Some(Args::Members(members)),
                ..
            }
            | Body::Event {
                data: Some(Args::Members(members)),
                ..
            } => members,
            Body::Alternate { branches } => {
                for b in branches {
                    member(b.name, "branch", b.span, &mut missing);
                }
                &[]
            }
            _ => &[],
        };
        for m in members {
            member(m.name, "member", m.span, &mut missing);
            for f in &m.features {
                feature(f, &mut missing);
            }
        }
        for (span, message) in missing {
            self.warn(span, d, message);
        }
        self.doc_use.insert(d, (args, features));
    }

    /// Warns about doc sections that describe nothing the definition has.
    fn check_doc_leftovers(&mut self, d: usize, def: &Def<'a>) {
        let Some(doc) = def.doc else {
            return;
        };
        let Some((args, features)) = self.doc_use.remove(&d) else {
            return;
        };
        for (sections, used, what) in [
            (&doc.args, args, "member"),
            (&doc.features, features, "feature"),
        ] {
            let bogus: Vec<_> = sections
                .iter()
                .zip(used)
                .filter(|(_, used)| !used)
                .map(|(s, _)| s)
                .collect();
            let Some(first) = bogus.first() else {
                continue;
            };
            let names: Vec<String> = bogus.iter().map(|s| format!("`{}`", s.name)).collect();
            let message = if bogus.len() > 1 {
                format!("documented {what}s {} do not exist", names.join(", "))
            } else {
                format!("documented {what} {} does not exist", names.join(", "))
            };
            self.warn(first.span, d, message);
        }
    }
}
