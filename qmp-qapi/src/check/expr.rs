//! The checks QEMU makes on each expression by itself (its `expr.py`): the keys each kind of
//! definition takes, the shapes of their values, names, conditions, features and flags, and
//! whether a doc comment belongs to the definition after it.
//!
//! Checking and normalizing are one walk: [`read_def`] either returns the definition in the
//! sugar-free form of [`model`](super::model) or the first problem, found in the order QEMU
//! looks (so that our first error is QEMU's).

use super::definition_note;
use super::model::{
    Args, Body, BranchDef, Def, EnumValueDef, FeatureDef, MemberDef, Meta, TypeRef,
};
use super::names::{c_name_starts_with, check_camel, check_lower, check_upper, is_condition_name};
use crate::ast::{DefinitionDoc, Dict, Expr, ParsedSchema, Value, ValueKind};
use qmp_ir::{Diagnostic, FileId, Severity, Span};
use std::fmt::{self, Display};

/// A check's outcome: the first problem is boxed, as problems are rare and results many.
type Result<T> = std::result::Result<T, Box<Diagnostic>>;

/// What a check is about, for its messages: `` `data` member `a` ``, `` feature `f` ``.
///
/// The checks pass descriptions as `&dyn Display` rather than `&str` so that these are written
/// out only for a message: a schema has thousands of members and features, and almost never a
/// problem with one.
struct Part<'a> {
    /// What it belongs to (`` `data` ``), or nothing.
    owner: &'a str,
    /// `member`, `feature`.
    role: &'a str,
    name: &'a str,
}

impl Display for Part<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.owner.is_empty() {
            write!(f, "{} ", self.owner)?;
        }
        write!(f, "{} `{}`", self.role, self.name)
    }
}

/// `the condition of {what}`.
struct ConditionOf<'a>(&'a dyn Display);

impl Display for ConditionOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the condition of {}", self.0)
    }
}

/// Where a check is: the schema (for pragmas and the source map) and the definition.
struct Cx<'a> {
    schema: &'a ParsedSchema,
    expr: &'a Expr,
    /// The definition, once its kind and name are known.
    defn: Option<(Meta, &'a str)>,
}

impl Cx<'_> {
    fn diagnostic(
        &self,
        severity: Severity,
        span: Span,
        message: String,
        expected: Option<String>,
    ) -> Diagnostic {
        let mut d = self
            .schema
            .map
            .diagnostic(severity, span, message, expected);
        if let Some((meta, name)) = self.defn {
            d.notes.insert(
                0,
                definition_note(&self.schema.map, meta, name, self.expr.span),
            );
        }
        d
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(self.diagnostic(Severity::Error, span, message.into(), None))
    }

    fn warning(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Severity::Warning, span, message.into(), None)
    }

    /// The dictionary `dict` (written at `span`, described as `what`) has every key of
    /// `required` and no key outside `required` and `optional`.
    fn check_keys(
        &self,
        dict: &Dict,
        span: Span,
        what: &dyn Display,
        required: &[&str],
        optional: &[&str],
    ) -> Result<()> {
        let list = |keys: &[&str]| {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|k| dict.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() > 1 { "s" } else { "" };
            return Err(self.error(span, format!("{what} lacks key{s} {}", list(&missing))));
        }
        let unknown: Vec<_> = dict
            .entries
            .iter()
            .map(|(k, _)| k)
            .filter(|k| {
                !required.contains(&k.name.as_str()) && !optional.contains(&k.name.as_str())
            })
            .collect();
        if let Some(first) = unknown.first() {
            let names: Vec<&str> = unknown.iter().map(|k| k.name.as_str()).collect();
            let s = if names.len() > 1 { "s" } else { "" };
            let allowed: Vec<&str> = required.iter().chain(optional).copied().collect();
            return Err(Box::new(self.diagnostic(
                Severity::Error,
                first.span,
                format!("{what} has unknown key{s} {}", list(&names)),
                Some(format!("one of the keys {}", list(&allowed))),
            )));
        }
        Ok(())
    }

    /// An `'if'` condition of `what`, if present.
    fn check_if<'v>(
        &self,
        cond: Option<&'v Value>,
        what: &dyn Display,
    ) -> Result<Option<&'v Value>> {
        if let Some(cond) = cond {
            self.check_condition(cond, what)?;
        }
        Ok(cond)
    }

    fn check_condition(&self, cond: &Value, what: &dyn Display) -> Result<()> {
        match &cond.kind {
            ValueKind::Str(name) => {
                if !is_condition_name(name) {
                    return Err(self.error(
                        cond.span,
                        format!("condition `{name}` of {what} is not a valid identifier"),
                    ));
                }
                Ok(())
            }
            ValueKind::Dict(dict) => {
                let whose = ConditionOf(what);
                self.check_keys(dict, cond.span, &whose, &[], &["all", "any", "not"])?;
                let [(key, operand)] = dict.entries.as_slice() else {
                    return Err(self.error(
                        cond.span,
                        format!("{whose} must have exactly one of `all`, `any`, `not`"),
                    ));
                };
                if key.name == "not" {
                    return self.check_condition(operand, what);
                }
                let Some(operands) = operand.as_list() else {
                    return Err(self.error(
                        operand.span,
                        format!("the `{}` condition of {what} must be an array", key.name),
                    ));
                };
                if operands.is_empty() {
                    return Err(self.error(
                        operand.span,
                        format!("the empty `{}` condition of {what} is useless", key.name),
                    ));
                }
                operands
                    .iter()
                    .try_for_each(|o| self.check_condition(o, what))
            }
            _ => Err(self.error(
                cond.span,
                format!("the condition of {what} must be a string or an object"),
            )),
        }
    }

    /// A `'features'` list, if present.
    fn check_features<'v>(&self, features: Option<&'v Value>) -> Result<Vec<FeatureDef<'v>>> {
        let Some(features) = features else {
            return Ok(Vec::new());
        };
        let Some(list) = features.as_list() else {
            return Err(self.error(features.span, "`features` must be an array"));
        };
        let mut out = Vec::with_capacity(list.len());
        for feature in list {
            let (name, dict) = match feature.as_dict() {
                Some(dict) => {
                    self.check_keys(dict, feature.span, &"a feature", &["name"], &["if"])?;
                    (dict.get("name").unwrap_or(feature), Some(dict))
                }
                None => (feature, None),
            };
            let Some(text) = name.as_str() else {
                return Err(self.error(name.span, "a feature needs a string name"));
            };
            let what = Part {
                owner: "",
                role: "feature",
                name: text,
            };
            check_lower(text, false, false).map_err(|e| self.error(name.span, e.message(&what)))?;
            let cond = self.check_if(dict.and_then(|d| d.get("if")), &what)?;
            out.push(FeatureDef {
                name: text,
                span: name.span,
                cond,
            });
        }
        Ok(out)
    }

    /// Members written in place (`'data'` of a struct, command or event, a union's `'base'`).
    fn check_members<'v>(
        &self,
        members: &'v Value,
        what: &str,
        parent: Option<&str>,
    ) -> Result<Vec<MemberDef<'v>>> {
        let Some(dict) = members.as_dict() else {
            return Err(self.error(
                members.span,
                format!("{what} should be an object or a type name"),
            ));
        };
        let permissive = parent.is_some_and(|p| {
            self.schema
                .pragmas
                .member_name_exceptions
                .iter()
                .any(|e| e == p)
        });
        let mut out = Vec::with_capacity(dict.entries.len());
        for (key, value) in &dict.entries {
            let source = Part {
                owner: what,
                role: "member",
                name: &key.name,
            };
            let (name, optional) = match key.name.strip_prefix('*') {
                Some(name) => (name, true),
                None => (key.name.as_str(), false),
            };
            check_lower(name, permissive, permissive)
                .map_err(|e| self.error(key.span, e.message(&source)))?;
            if name == "u" || c_name_starts_with(name, "has_") {
                return Err(self.error(key.span, format!("{source} uses a reserved name")));
            }
            let (ty, cond, features) = match value.as_dict() {
                Some(long) => {
                    self.check_keys(long, value.span, &source, &["type"], &["if", "features"])?;
                    let cond = self.check_if(long.get("if"), &source)?;
                    let features = self.check_features(long.get("features"))?;
                    (long.get("type").unwrap_or(value), cond, features)
                }
                None => (value, None, Vec::new()),
            };
            out.push(MemberDef {
                name,
                span: key.span,
                optional,
                ty: self.type_name_or_array(ty, &source)?,
                cond,
                features,
            });
        }
        Ok(out)
    }

    fn type_name<'v>(&self, ty: &'v Value, what: &dyn Display) -> Result<TypeRef<'v>> {
        match ty.as_str() {
            Some(name) => Ok(TypeRef {
                name,
                array: false,
                span: ty.span,
            }),
            None => Err(self.error(ty.span, format!("{what} should be a type name"))),
        }
    }

    fn type_name_or_array<'v>(&self, ty: &'v Value, what: &dyn Display) -> Result<TypeRef<'v>> {
        match &ty.kind {
            ValueKind::Str(name) => Ok(TypeRef {
                name,
                array: false,
                span: ty.span,
            }),
            ValueKind::List(list) => match list.as_slice() {
                [element] if element.as_str().is_some() => Ok(TypeRef {
                    name: element.as_str().unwrap_or_default(),
                    array: true,
                    span: ty.span,
                }),
                _ => Err(self.error(
                    ty.span,
                    format!("{what}: an array type must hold exactly one type name"),
                )),
            },
            _ => Err(self.error(ty.span, format!("{what} should be a type name or an array"))),
        }
    }

    /// `'data'` of a command or event: a type name when boxed, else a type name or members.
    fn check_args<'v>(&self, dict: &'v Dict, boxed: bool) -> Result<Option<Args<'v>>> {
        let data = dict.get("data");
        if boxed {
            let Some(data) = data else {
                let at = dict.get("boxed").map_or(self.expr.span, |v| v.span);
                return Err(self.error(at, "`'boxed': true` needs `data`"));
            };
            return Ok(Some(Args::Named(self.type_name(data, &"`data`")?)));
        }
        Ok(match data {
            None => None,
            Some(v) if v.as_str().is_some() => Some(Args::Named(self.type_name(v, &"`data`")?)),
            Some(v) => Some(Args::Members(self.check_members(v, "`data`", None)?)),
        })
    }
}

/// Python's truth value of a QAPI value, which decides a few flags and emptiness tests.
fn truthy(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Str(s) => !s.is_empty(),
        ValueKind::Bool(b) => *b,
        ValueKind::List(l) => !l.is_empty(),
        ValueKind::Dict(d) => !d.entries.is_empty(),
    }
}

/// The kinds of definition an expression's keys name, in the order written.
fn metas(expr: &Expr) -> Vec<(Meta, Span)> {
    expr.dict
        .entries
        .iter()
        .filter_map(|(k, _)| {
            Meta::ALL
                .into_iter()
                .find(|m| m.keyword() == k.name)
                .map(|m| (m, k.span))
        })
        .collect()
}

/// The name an expression defines, if it has exactly one kind and a string name (so that
/// references to a definition that failed its checks do not count as unknown types).
pub(crate) fn defined_name(expr: &Expr) -> Option<&str> {
    match metas(expr).as_slice() {
        [(meta, _)] => expr.dict.get(meta.keyword()).and_then(Value::as_str),
        _ => None,
    }
}

/// Checks one expression and returns it as a definition, or its first problem. Doc-comment
/// problems found on the way are pushed to `warnings`.
pub(crate) fn read_def<'a>(
    schema: &'a ParsedSchema,
    expr: &'a Expr,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Def<'a>> {
    let mut cx = Cx {
        schema,
        expr,
        defn: None,
    };
    let dict = &expr.dict;
    let meta = match metas(expr).as_slice() {
        [(meta, _)] => *meta,
        more => {
            let at = more.get(1).map_or(expr.span, |(_, span)| *span);
            return Err(cx.error(
                at,
                "an expression needs exactly one of the keys `enum`, `struct`, `union`, \
                 `alternate`, `command`, `event`",
            ));
        }
    };
    let keyword = meta.keyword();
    let name_value = field(expr, keyword);
    let Some(name) = name_value.as_str() else {
        return Err(cx.error(name_value.span, format!("`{keyword}` needs a string name")));
    };
    let name_span = name_value.span;
    cx.defn = Some((meta, name));
    check_definition_name(&cx, meta, name, name_span)?;
    let doc = check_doc(&cx, meta, name, name_span, warnings);

    let body = match meta {
        Meta::Enum => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["enum", "data"],
                &["if", "features", "prefix"],
            )?;
            read_enum(&cx, dict, name)?
        }
        Meta::Union => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["union", "base", "discriminator", "data"],
                &["if", "features"],
            )?;
            read_union(&cx, name)?
        }
        Meta::Alternate => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["alternate", "data"],
                &["if", "features"],
            )?;
            read_alternate(&cx)?
        }
        Meta::Struct => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["struct", "data"],
                &["base", "if", "features"],
            )?;
            let members = cx.check_members(field(expr, "data"), "`data`", Some(name))?;
            let base = dict
                .get("base")
                .map(|b| cx.type_name(b, &"`base`"))
                .transpose()?;
            Body::Struct { base, members }
        }
        Meta::Command => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["command"],
                &[
                    "data",
                    "returns",
                    "boxed",
                    "if",
                    "features",
                    "gen",
                    "success-response",
                    "allow-oob",
                    "allow-preconfig",
                    "coroutine",
                ],
            )?;
            let boxed = dict.get("boxed").is_some_and(truthy);
            let data = cx.check_args(dict, boxed)?;
            let returns = dict
                .get("returns")
                .map(|r| cx.type_name_or_array(r, &"`returns`"))
                .transpose()?;
            Body::Command {
                data,
                returns,
                boxed,
            }
        }
        Meta::Event => {
            cx.check_keys(
                dict,
                name_span,
                &keyword,
                &["event"],
                &["data", "boxed", "if", "features"],
            )?;
            let boxed = dict.get("boxed").is_some_and(truthy);
            let data = cx.check_args(dict, boxed)?;
            Body::Event { data, boxed }
        }
    };
    let cond = cx.check_if(dict.get("if"), &keyword)?;
    let features = cx.check_features(dict.get("features"))?;
    check_flags(&cx, dict)?;
    Ok(Def {
        meta,
        name,
        name_span,
        expr,
        doc,
        cond,
        features,
        body,
    })
}

/// The value of a key the key check has made sure is there (an empty dictionary nowhere if a
/// mistake in the checks let it be absent: no panic on any input).
fn field<'a>(expr: &'a Expr, key: &str) -> &'a Value {
    static MISSING: Value = Value {
        kind: ValueKind::Dict(Dict {
            entries: Vec::new(),
        }),
        span: Span {
            file: FileId(0),
            line: 0,
            col: 0,
            end_line: 0,
            end_col: 0,
        },
    };
    expr.dict.get(key).unwrap_or(&MISSING)
}

fn check_definition_name(cx: &Cx<'_>, meta: Meta, name: &str, span: Span) -> Result<()> {
    let keyword = meta.keyword();
    let checked = match meta {
        Meta::Event => check_upper(name),
        Meta::Command => {
            let underscore = cx
                .schema
                .pragmas
                .command_name_exceptions
                .iter()
                .any(|e| e == name);
            check_lower(name, false, underscore)
        }
        _ => check_camel(name),
    };
    checked.map_err(|e| cx.error(span, e.message(&keyword)))?;
    if meta.is_type() && name.ends_with("List") {
        return Err(cx.error(
            span,
            format!("a {keyword} name must not end in `List` (reserved for array types)"),
        ));
    }
    Ok(())
}

/// The definition's doc comment, if it is for this definition; warns about one for another
/// symbol, a missing one where the `doc-required` pragma asks for it, and sections only
/// commands may have. (A member documented twice is the parser's to report.)
fn check_doc<'a>(
    cx: &Cx<'a>,
    meta: Meta,
    name: &str,
    name_span: Span,
    warnings: &mut Vec<Diagnostic>,
) -> Option<&'a DefinitionDoc> {
    let Some(doc) = &cx.expr.doc else {
        if cx.schema.pragmas.doc_required {
            warnings.push(cx.warning(
                name_span,
                format!("`{name}` has no doc comment (pragma `doc-required`)"),
            ));
        }
        return None;
    };
    if doc.symbol != name {
        warnings.push(cx.warning(
            doc.symbol_span,
            format!("this doc comment is for `{}`, not for `{name}`", doc.symbol),
        ));
        return None;
    }
    let tagged = |tag: &str| {
        doc.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(tag))
    };
    if meta == Meta::Command {
        if let Some(returns) = tagged("Returns") {
            if cx.expr.dict.get("returns").is_none() {
                warnings.push(cx.warning(
                    returns.span,
                    "a `Returns` section, but the command returns nothing",
                ));
            }
        }
    } else {
        for tag in ["Returns", "Errors"] {
            if let Some(section) = tagged(tag) {
                warnings.push(cx.warning(
                    section.span,
                    format!("a `{tag}` section is only for commands"),
                ));
            }
        }
    }
    Some(doc)
}

fn read_enum<'a>(cx: &Cx<'a>, dict: &'a Dict, name: &str) -> Result<Body<'a>> {
    let data = field(cx.expr, "data");
    let Some(list) = data.as_list() else {
        return Err(cx.error(data.span, "`data` must be an array"));
    };
    let prefix = match dict.get("prefix") {
        None => None,
        Some(p) => Some(
            p.as_str()
                .ok_or_else(|| cx.error(p.span, "`prefix` must be a string"))?,
        ),
    };
    let permissive = cx
        .schema
        .pragmas
        .member_name_exceptions
        .iter()
        .any(|e| e == name);
    let mut values = Vec::with_capacity(list.len());
    for value in list {
        let (name_value, long) = match value.as_dict() {
            Some(d) => {
                cx.check_keys(
                    d,
                    value.span,
                    &"a `data` member",
                    &["name"],
                    &["if", "features"],
                )?;
                (d.get("name").unwrap_or(value), Some(d))
            }
            None => (value, None),
        };
        let Some(text) = name_value.as_str() else {
            return Err(cx.error(name_value.span, "a `data` member needs a string name"));
        };
        let what = Part {
            owner: "`data`",
            role: "member",
            name: text,
        };
        // A value may start with a digit: check it as if it started with a letter.
        let checked = if text.starts_with(|c: char| c.is_ascii_digit()) {
            check_lower(&format!("d{text}"), permissive, permissive)
        } else {
            check_lower(text, permissive, permissive)
        };
        checked.map_err(|e| cx.error(name_value.span, e.message(&what)))?;
        let cond = cx.check_if(long.and_then(|d| d.get("if")), &what)?;
        let features = cx.check_features(long.and_then(|d| d.get("features")))?;
        values.push(EnumValueDef {
            name: text,
            span: name_value.span,
            cond,
            features,
        });
    }
    Ok(Body::Enum { values, prefix })
}

fn read_union<'a>(cx: &Cx<'a>, name: &str) -> Result<Body<'a>> {
    let base = field(cx.expr, "base");
    let base = match base.as_str() {
        Some(_) => Args::Named(cx.type_name(base, &"`base`")?),
        None => Args::Members(cx.check_members(base, "`base`", Some(name))?),
    };
    let discriminator = field(cx.expr, "discriminator");
    let Some(tag) = discriminator.as_str() else {
        return Err(cx.error(discriminator.span, "`discriminator` needs a string name"));
    };
    let data = field(cx.expr, "data");
    let Some(branches) = data.as_dict() else {
        return Err(cx.error(data.span, "`data` must be an object"));
    };
    let mut out = Vec::with_capacity(branches.entries.len());
    for (key, value) in &branches.entries {
        let what = Part {
            owner: "`data`",
            role: "member",
            name: &key.name,
        };
        let (ty, cond) = branch_type(cx, value, &what)?;
        out.push(BranchDef {
            name: &key.name,
            span: key.span,
            ty: cx.type_name(ty, &what)?,
            cond,
        });
    }
    Ok(Body::Union {
        base,
        discriminator: tag,
        discriminator_span: discriminator.span,
        branches: out,
    })
}

/// A branch's type value and condition, from `'T'` or `{ 'type': 'T', 'if': ... }`.
fn branch_type<'v>(
    cx: &Cx<'_>,
    value: &'v Value,
    what: &dyn Display,
) -> Result<(&'v Value, Option<&'v Value>)> {
    match value.as_dict() {
        Some(long) => {
            cx.check_keys(long, value.span, what, &["type"], &["if"])?;
            let cond = cx.check_if(long.get("if"), what)?;
            Ok((long.get("type").unwrap_or(value), cond))
        }
        None => Ok((value, None)),
    }
}

fn read_alternate<'a>(cx: &Cx<'a>) -> Result<Body<'a>> {
    let data = field(cx.expr, "data");
    if !truthy(data) {
        return Err(cx.error(data.span, "`data` must not be empty"));
    }
    let Some(branches) = data.as_dict() else {
        return Err(cx.error(data.span, "`data` must be an object"));
    };
    let mut out = Vec::with_capacity(branches.entries.len());
    for (key, value) in &branches.entries {
        let what = Part {
            owner: "`data`",
            role: "member",
            name: &key.name,
        };
        check_lower(&key.name, false, false).map_err(|e| cx.error(key.span, e.message(&what)))?;
        let (ty, cond) = branch_type(cx, value, &what)?;
        out.push(BranchDef {
            name: &key.name,
            span: key.span,
            ty: cx.type_name_or_array(ty, &what)?,
            cond,
        });
    }
    Ok(Body::Alternate { branches: out })
}

fn check_flags(cx: &Cx<'_>, dict: &Dict) -> Result<()> {
    for (key, want) in [
        ("gen", false),
        ("success-response", false),
        ("boxed", true),
        ("allow-oob", true),
        ("allow-preconfig", true),
        ("coroutine", true),
    ] {
        if let Some(v) = dict.get(key) {
            if v.as_bool() != Some(want) {
                return Err(cx.error(v.span, format!("flag `{key}` may only be {want}")));
            }
        }
    }
    if let (Some(_), Some(key)) = (dict.get("allow-oob"), dict.key("coroutine")) {
        return Err(cx.error(
            key.span,
            "flags `allow-oob` and `coroutine` cannot go together",
        ));
    }
    Ok(())
}
