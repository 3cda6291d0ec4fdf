//! A checked schema into the IR: its events and every named type (commands are left out: QMP
//! events are what this crate is for, and the types are kept whole because events use them,
//! directly or through other types).
//!
//! The checks have already turned each expression into a sugar-free definition
//! ([`crate::check::model`]); lowering maps those one to one, takes the texts of members,
//! values, branches and features from the doc comment, and resolves type names: a built-in
//! name becomes a [`Builtin`], `['T']` (or the implicit `TList`) an array.

use crate::ast::{DefinitionDoc, ParsedSchema, Value, ValueKind};
use crate::check::model::{Args, Body, BranchDef, Def, FeatureDef, MemberDef, TypeRef};
use qmp_ir::{
    AlternateBranch, Branch, Builtin, Condition, Event, EventData, Feature, Member, TypeDef,
    TypeExpr, TypeKind, UnionBase,
};
use std::collections::HashSet;

/// Lowers a checked schema: `defs` are the definitions [`crate::check::check`] returned.
pub(crate) fn lower(schema: &ParsedSchema, defs: &[Def<'_>]) -> qmp_ir::Spec {
    let types: HashSet<&str> = defs
        .iter()
        .filter(|d| d.meta.is_type())
        .map(|d| d.name)
        .collect();
    let cx = Lower { types: &types };
    let mut spec = qmp_ir::Spec {
        files: schema
            .map
            .files
            .iter()
            .map(|f| qmp_ir::SourceFile {
                path: f.path.clone(),
            })
            .collect(),
        title: None,
        events: Vec::new(),
        types: Vec::new(),
    };
    for def in defs {
        match &def.body {
            Body::Event { data, boxed } => spec.events.push(cx.event(def, data.as_ref(), *boxed)),
            Body::Command { .. } => {}
            _ => spec.types.extend(cx.type_def(def)),
        }
    }
    spec
}

struct Lower<'s> {
    /// The names of the schema's own types.
    types: &'s HashSet<&'s str>,
}

impl Lower<'_> {
    fn event(&self, def: &Def<'_>, data: Option<&Args<'_>>, boxed: bool) -> Event {
        let data = match data {
            None => EventData::None { span: None },
            Some(Args::Members(members)) if members.is_empty() => EventData::None { span: None },
            Some(Args::Members(members)) => EventData::Members {
                members: self.members(members, def.doc),
            },
            Some(Args::Named(ty)) => EventData::Type {
                ty: self.type_expr(ty),
                boxed,
            },
        };
        Event {
            name: def.name.to_owned(),
            span: def.name_span,
            data,
            doc: doc(def),
            condition: def.cond.and_then(condition),
            features: features(&def.features, def.doc),
        }
    }

    fn type_def(&self, def: &Def<'_>) -> Option<TypeDef> {
        let kind = match &def.body {
            Body::Enum { values, prefix } => TypeKind::Enum {
                values: values
                    .iter()
                    .map(|v| qmp_ir::EnumValue {
                        name: v.name.to_owned(),
                        span: v.span,
                        description: described(def.doc.map(|d| d.args.as_slice()), v.name),
                        condition: v.cond.and_then(condition),
                        features: features(&v.features, def.doc),
                    })
                    .collect(),
                prefix: prefix.map(str::to_owned),
            },
            Body::Struct { base, members } => TypeKind::Struct {
                base: base.map(|b| b.name.to_owned()),
                members: self.members(members, def.doc),
            },
            Body::Union {
                base,
                discriminator,
                branches,
                ..
            } => TypeKind::Union {
                base: match base {
                    Args::Named(ty) => UnionBase::Named(ty.name.to_owned()),
                    Args::Members(members) => UnionBase::Members(self.members(members, def.doc)),
                },
                discriminator: (*discriminator).to_owned(),
                branches: branches.iter().map(branch).collect(),
            },
            Body::Alternate { branches } => TypeKind::Alternate {
                branches: branches
                    .iter()
                    .map(|b| self.alternate_branch(b, def.doc))
                    .collect(),
            },
            Body::Command { .. } | Body::Event { .. } => return None,
        };
        Some(TypeDef {
            name: def.name.to_owned(),
            span: def.name_span,
            kind,
            doc: doc(def),
            condition: def.cond.and_then(condition),
            features: features(&def.features, def.doc),
        })
    }

    fn members(&self, members: &[MemberDef<'_>], doc: Option<&DefinitionDoc>) -> Vec<Member> {
        members
            .iter()
            .map(|m| Member {
                name: m.name.to_owned(),
                span: m.span,
                ty: self.type_expr(&m.ty),
                optional: m.optional,
                description: described(doc.map(|d| d.args.as_slice()), m.name),
                condition: m.cond.and_then(condition),
                features: features(&m.features, doc),
                guess: None,
                refers_to: None,
            })
            .collect()
    }

    fn alternate_branch(&self, b: &BranchDef<'_>, doc: Option<&DefinitionDoc>) -> AlternateBranch {
        AlternateBranch {
            name: b.name.to_owned(),
            span: b.span,
            ty: self.type_expr(&b.ty),
            description: described(doc.map(|d| d.args.as_slice()), b.name),
            condition: b.cond.and_then(condition),
        }
    }

    /// `'str'` is a built-in, `['T']` an array, `'TList'` (naming the implicit array type) an
    /// array too, anything else one of the schema's types.
    fn type_expr(&self, ty: &TypeRef<'_>) -> TypeExpr {
        let element = self.named(ty.name);
        if ty.array {
            TypeExpr::array(element)
        } else {
            element
        }
    }

    fn named(&self, name: &str) -> TypeExpr {
        if let Some(builtin) = Builtin::from_qapi_name(name) {
            return TypeExpr::builtin(builtin);
        }
        if !self.types.contains(name) {
            if let Some(element) = name.strip_suffix("List") {
                return TypeExpr::array(self.named(element));
            }
        }
        TypeExpr::named(name)
    }
}

fn branch(b: &BranchDef<'_>) -> Branch {
    Branch {
        value: b.name.to_owned(),
        span: b.span,
        ty: b.ty.name.to_owned(),
        condition: b.cond.and_then(condition),
    }
}

/// The definition's documentation, pointing at its doc comment.
fn doc(def: &Def<'_>) -> qmp_ir::Doc {
    let Some(d) = def.doc else {
        return qmp_ir::Doc::default();
    };
    let mut doc = d.doc.clone();
    doc.span.get_or_insert(d.span);
    doc
}

/// The text of the section describing `name`, if it says something.
fn described(sections: Option<&[crate::ast::DocSection]>, name: &str) -> Option<String> {
    sections?
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn features(features: &[FeatureDef<'_>], doc: Option<&DefinitionDoc>) -> Vec<Feature> {
    features
        .iter()
        .map(|f| Feature {
            name: f.name.to_owned(),
            span: f.span,
            condition: f.cond.and_then(condition),
            description: described(doc.map(|d| d.features.as_slice()), f.name),
        })
        .collect()
}

/// A checked `'if'` value as a condition tree.
pub(crate) fn condition(value: &Value) -> Option<Condition> {
    match &value.kind {
        ValueKind::Str(name) => Some(Condition::Name(name.clone())),
        ValueKind::Dict(dict) => {
            let (key, operand) = dict.entries.first()?;
            let operands = || {
                operand
                    .as_list()
                    .map(|l| l.iter().filter_map(condition).collect::<Vec<_>>())
            };
            match key.name.as_str() {
                "not" => condition(operand).map(|c| Condition::Not(Box::new(c))),
                "all" => operands().map(Condition::All),
                "any" => operands().map(Condition::Any),
                _ => None,
            }
        }
        _ => None,
    }
}
