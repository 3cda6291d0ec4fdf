//! A definition as the expression checks leave it: the sugar of the schema language removed
//! (`'*name'`, `'name': 'type'` shorthands, bare feature and enum value strings, `['T']`), every
//! part with the span it was written at.
//!
//! The schema checks and the lowering both work on this form, so that the schema's many ways
//! of writing the same thing are handled in exactly one place (`expr.rs`).

use crate::ast::{DefinitionDoc, Expr, Value};
use qmp_ir::Span;

/// The kinds of definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meta {
    Enum,
    Struct,
    Union,
    Alternate,
    Command,
    Event,
}

impl Meta {
    /// Every kind, in the order QEMU's messages list them.
    pub(crate) const ALL: [Meta; 6] = [
        Meta::Enum,
        Meta::Struct,
        Meta::Union,
        Meta::Alternate,
        Meta::Command,
        Meta::Event,
    ];

    /// The key that introduces it (`struct`).
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Meta::Enum => "enum",
            Meta::Struct => "struct",
            Meta::Union => "union",
            Meta::Alternate => "alternate",
            Meta::Command => "command",
            Meta::Event => "event",
        }
    }

    /// Whether it defines a type (as opposed to a command or an event).
    pub(crate) fn is_type(self) -> bool {
        !matches!(self, Meta::Command | Meta::Event)
    }
}

/// One definition.
#[derive(Debug, Clone)]
pub(crate) struct Def<'a> {
    pub meta: Meta,
    pub name: &'a str,
    /// Where the name is written.
    pub name_span: Span,
    /// The expression it comes from (its span is the definition's location, QEMU's line).
    pub expr: &'a Expr,
    /// The doc comment, if it documents this definition (one for another symbol is dropped).
    pub doc: Option<&'a DefinitionDoc>,
    /// The `'if'` value, checked.
    pub cond: Option<&'a Value>,
    pub features: Vec<FeatureDef<'a>>,
    pub body: Body<'a>,
}

/// What a definition holds besides its name, condition and features.
#[derive(Debug, Clone)]
pub(crate) enum Body<'a> {
    Enum {
        values: Vec<EnumValueDef<'a>>,
        prefix: Option<&'a str>,
    },
    Struct {
        base: Option<TypeRef<'a>>,
        members: Vec<MemberDef<'a>>,
    },
    Union {
        base: Args<'a>,
        discriminator: &'a str,
        discriminator_span: Span,
        branches: Vec<BranchDef<'a>>,
    },
    Alternate {
        branches: Vec<BranchDef<'a>>,
    },
    Command {
        data: Option<Args<'a>>,
        returns: Option<TypeRef<'a>>,
        boxed: bool,
    },
    Event {
        data: Option<Args<'a>>,
        boxed: bool,
    },
}

/// Members given by a type name or written in place (a union's base, a command's or an
/// event's data).
#[derive(Debug, Clone)]
pub(crate) enum Args<'a> {
    Named(TypeRef<'a>),
    Members(Vec<MemberDef<'a>>),
}

/// A reference to a type: `'T'` or `['T']`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypeRef<'a> {
    pub name: &'a str,
    pub array: bool,
    /// The whole reference, brackets included.
    pub span: Span,
}

/// A member of a struct, a union's base, or a command's or event's data.
#[derive(Debug, Clone)]
pub(crate) struct MemberDef<'a> {
    /// Without the `*`.
    pub name: &'a str,
    /// The key, `*` included.
    pub span: Span,
    pub optional: bool,
    pub ty: TypeRef<'a>,
    pub cond: Option<&'a Value>,
    pub features: Vec<FeatureDef<'a>>,
}

/// A value of an enum.
#[derive(Debug, Clone)]
pub(crate) struct EnumValueDef<'a> {
    pub name: &'a str,
    pub span: Span,
    pub cond: Option<&'a Value>,
    pub features: Vec<FeatureDef<'a>>,
}

/// A branch of a union or an alternate.
#[derive(Debug, Clone)]
pub(crate) struct BranchDef<'a> {
    pub name: &'a str,
    pub span: Span,
    pub ty: TypeRef<'a>,
    pub cond: Option<&'a Value>,
}

/// A feature of a definition, member or enum value.
#[derive(Debug, Clone)]
pub(crate) struct FeatureDef<'a> {
    pub name: &'a str,
    pub span: Span,
    pub cond: Option<&'a Value>,
}

/// The features QMP itself gives a meaning to.
pub(crate) const SPECIAL_FEATURES: [&str; 2] = ["deprecated", "unstable"];
