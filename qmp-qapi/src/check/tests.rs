//! Unit tests of the checks and the lowering, on schemas read by a small test-only reader (the
//! schema syntax without doc comments), so that they do not depend on the real parser.

use crate::ast::{
    DefinitionDoc, Dict, DocSection, Expr, Key, LoadedFile, ParsedSchema, Pragmas, SourceMap,
    Value, ValueKind,
};
use qmp_ir::{Diagnostic, FileId, Span};

/// Reads `text` (expressions, `#` comments) as the one file `t.json`.
pub(crate) fn schema(text: &str) -> ParsedSchema {
    let map = SourceMap {
        files: vec![LoadedFile::new("t.json".into(), text.into(), None)],
    };
    let mut reader = Reader {
        text,
        pos: 0,
        map: &map,
    };
    let mut exprs = Vec::new();
    loop {
        reader.skip();
        if reader.pos >= text.len() {
            break;
        }
        let value = reader.value();
        let ValueKind::Dict(dict) = value.kind else {
            panic!("top-level value is not an object");
        };
        exprs.push(Expr {
            dict,
            span: value.span,
            doc: None,
        });
    }
    ParsedSchema {
        map,
        exprs,
        pragmas: Pragmas::default(),
        warnings: Vec::new(),
    }
}

struct Reader<'t> {
    text: &'t str,
    pos: usize,
    map: &'t SourceMap,
}

impl Reader<'_> {
    fn skip(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            if rest.starts_with('#') {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if let Some(c) = rest.chars().next().filter(|c| c.is_whitespace()) {
                self.pos += c.len_utf8();
            } else {
                return;
            }
        }
    }

    fn span(&self, start: usize) -> Span {
        self.map.span(FileId(0), start, self.pos)
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip();
        if self.text[self.pos..].starts_with(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn string(&mut self) -> (String, Span) {
        self.skip();
        let start = self.pos;
        assert!(self.eat('\''), "expected a string at {}", self.pos);
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos += i + 1;
                    return (out, self.span(start));
                }
                '\\' => out.extend(chars.next().map(|(_, c)| c)),
                c => out.push(c),
            }
        }
        panic!("unterminated string");
    }

    fn value(&mut self) -> Value {
        self.skip();
        let start = self.pos;
        let kind = if self.eat('{') {
            let mut dict = Dict::default();
            while !self.eat('}') {
                let (name, span) = self.string();
                assert!(self.eat(':'));
                let value = self.value();
                dict.entries.push((Key { name, span }, value));
                self.eat(',');
            }
            ValueKind::Dict(dict)
        } else if self.eat('[') {
            let mut list = Vec::new();
            while !self.eat(']') {
                list.push(self.value());
                self.eat(',');
            }
            ValueKind::List(list)
        } else if self.text[self.pos..].starts_with("true") {
            self.pos += 4;
            ValueKind::Bool(true)
        } else if self.text[self.pos..].starts_with("false") {
            self.pos += 5;
            ValueKind::Bool(false)
        } else {
            return {
                let (s, span) = self.string();
                Value {
                    kind: ValueKind::Str(s),
                    span,
                }
            };
        };
        Value {
            kind,
            span: self.span(start),
        }
    }
}

/// A doc comment for `symbol` documenting `args` and `features` (spans: the definition's).
pub(crate) fn doc(symbol: &str, args: &[&str], features: &[&str]) -> DefinitionDoc {
    let section = |name: &&str| DocSection {
        name: (*name).to_owned(),
        span: Span::default(),
        text: format!("about {name}"),
    };
    DefinitionDoc {
        symbol: symbol.into(),
        args: args.iter().map(section).collect(),
        features: features.iter().map(section).collect(),
        ..DefinitionDoc::default()
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match super::check(&schema(text)) {
        Ok(checked) => panic!("accepted, warnings: {:?}", checked.warnings),
        Err(errors) => errors.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

/// The first error: `line: message`.
fn first(text: &str) -> String {
    let errors = errors(text);
    format!("{}: {}", errors[0].line, errors[0].message)
}

fn accepted(text: &str) -> Vec<Diagnostic> {
    match super::check(&schema(text)) {
        Ok(checked) => checked.warnings,
        Err(errors) => panic!("rejected: {errors:#?}"),
    }
}

#[test]
fn accepts_a_small_schema() {
    let w = accepted(
        "{ 'enum': 'Color', 'data': [ 'red', { 'name': 'green', 'if': 'CONFIG_G' } ] }
         { 'struct': 'Base', 'data': { 'kind': 'Color', '*x': ['int'] } }
         { 'struct': 'Red', 'data': { 'r': 'uint8' } }
         { 'union': 'Uni', 'base': 'Base', 'discriminator': 'kind',
           'data': { 'red': 'Red' } }
         { 'alternate': 'Alt', 'data': { 'a': 'str', 'b': 'Red', 'c': ['int'] } }
         { 'event': 'EV', 'data': { 'uni': 'Uni', '*alt': 'Alt' },
           'features': [ 'deprecated' ], 'if': { 'all': [ 'A', { 'not': 'B' } ] } }
         { 'command': 'cmd', 'data': 'Uni', 'boxed': true, 'returns': ['Red'] }",
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn expression_errors() {
    assert_eq!(
        first("{ 'struct': 'A', 'enum': 'B', 'data': {} }")
            .split(':')
            .next(),
        Some("1")
    );
    assert!(first("{ 'struct': 'a', 'data': {} }").contains("CamelCase"));
    assert!(first("{ 'struct': 'FooList', 'data': {} }").contains("`List`"));
    assert!(first("{ 'event': 'ev', 'data': {} }").contains("uppercase"));
    assert!(first("{ 'struct': 'Foo', 'data': { 'has-a': 'int' } }").contains("reserved"));
    assert!(first("{ 'struct': 'Foo', 'data': { '*u': 'int' } }").contains("reserved"));
    assert!(first("{ 'struct': 'Foo', 'data': { 'q-x': 'int' } }").contains("invalid name"));
    assert!(
        first(
            "{ 'struct': 'Foo', 'data': {}, 'bogus': 1 }"
                .replace('1', "'1'")
                .as_str()
        )
        .contains("unknown key `bogus`")
    );
    assert!(first("{ 'enum': 'Foo' }").contains("lacks key `data`"));
    assert!(first("{ 'struct': 'Foo', 'data': {}, 'if': { 'all': [] } }").contains("useless"));
    assert!(
        first("{ 'struct': 'Foo', 'data': {}, 'if': { 'all': 'X', 'not': 'Y' } }")
            .contains("exactly one")
    );
    assert!(first("{ 'struct': 'Foo', 'data': {}, 'if': 'lower' }").contains("identifier"));
    assert!(first("{ 'struct': 'Foo', 'data': {}, 'features': [ 'Bad' ] }").contains("lowercase"));
    assert!(first("{ 'command': 'c', 'allow-oob': true, 'coroutine': true }").contains("together"));
    assert!(first("{ 'command': 'c', 'gen': true }").contains("may only be false"));
    assert!(first("{ 'event': 'E', 'boxed': true }").contains("needs `data`"));
    assert!(first("{ 'alternate': 'Alt', 'data': {} }").contains("must not be empty"));
    assert!(
        first("{ 'alternate': 'Alt', 'data': { 'a': { 'type': 'int', 'x': 'y' } } }")
            .contains("unknown key `x`")
    );
}

#[test]
fn every_expression_is_checked() {
    let errors = errors(
        "{ 'struct': 'a', 'data': {} }
         { 'struct': 'Foo', 'data': { 'x': 'a' } }
         { 'struct': 'b', 'data': {} }",
    );
    // Two bad names; the reference to the bad definition is not reported again.
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!((errors[0].line, errors[1].line), (1, 3));
}

#[test]
fn schema_errors() {
    assert!(first("{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }").contains("unknown type `Nope`"));
    assert_eq!(
        first("{ 'struct': 'Foo', 'data': {} }\n{ 'enum': 'Foo', 'data': [] }"),
        "2: `Foo` is already defined"
    );
    assert!(first("{ 'command': 'int' }").contains("built-in type `int` is already defined"));
    assert!(first("{ 'enum': 'QType', 'data': [] }").contains("enum type `QType`"));
    assert!(first("{ 'struct': 'Aa', 'base': 'Bb', 'data': {} }\n{ 'struct': 'Bb', 'base': 'Aa', 'data': {} }")
        .contains("object `Aa` contains itself"));
    assert!(
        first(
            "{ 'struct': 'Base', 'data': { 'name': 'str' } }
         { 'struct': 'Sub', 'base': 'Base', 'data': { '*name': 'str' } }"
        )
        .contains("member `name` collides with member `name` of type `Base`")
    );
    let mut s = schema(
        "{ 'struct': 'Foo', 'data': { 'a-b': 'int', 'a_b': 'int' } }
         { 'enum': 'Ee', 'data': [ 'one-two', 'one_two' ] }",
    );
    s.pragmas.member_name_exceptions = vec!["Foo".into(), "Ee".into()];
    let errors = super::check(&s).expect_err("clashes");
    assert_eq!(errors[0].message, "member `a_b` collides with member `a-b`");
    assert_eq!(
        errors[1].message,
        "value `one_two` collides with value `one-two`"
    );
    assert!(
        first("{ 'struct': 'Str', 'data': {}, 'features': [ 'deprecated' ] }")
            .contains("not supported for types")
    );
    assert!(first("{ 'command': 'c', 'features': [ 'f', 'f' ] }").contains("collides"));
    assert!(
        first("{ 'command': 'c', 'data': { 'a': { 'type': 'int', 'if': 'X' } } }")
            .contains("conditional command arguments")
    );
    assert!(
        first("{ 'command': 'c', 'returns': 'int' }").contains("cannot be built-in type `int`")
    );
    assert!(
        first("{ 'command': 'c', 'data': 'str', 'boxed': true }").contains("cannot be built-in")
    );
}

#[test]
fn union_errors() {
    let base = "{ 'enum': 'Ee', 'data': [ 'a', 'b' ] }
                { 'struct': 'Aa', 'data': { 'x': 'int' } }\n";
    let union = |rest: &str| first(&format!("{base}{{ 'union': 'Uni', {rest} }}"));
    assert!(
        union("'base': { 'k': 'Ee' }, 'discriminator': 'kk', 'data': {}")
            .contains("not a member of the base")
    );
    assert!(
        union("'base': { 'k': 'str' }, 'discriminator': 'k', 'data': {}")
            .contains("must be of an enum type")
    );
    assert!(
        union("'base': { '*k': 'Ee' }, 'discriminator': 'k', 'data': {}")
            .contains("must not be optional")
    );
    assert!(
        union("'base': { 'k': { 'type': 'Ee', 'if': 'X' } }, 'discriminator': 'k', 'data': {}")
            .contains("must not be conditional")
    );
    assert!(
        union("'base': { 'k': 'Ee' }, 'discriminator': 'k', 'data': { 'c': 'Aa' }")
            .contains("branch `c` is not a value of enum type `Ee`")
    );
    assert!(
        union("'base': { 'k': 'Ee' }, 'discriminator': 'k', 'data': { 'a': 'int' }")
            .contains("cannot be of built-in type `int`")
    );
    assert!(
        union("'base': { 'k': 'Ee', 'x': 'str' }, 'discriminator': 'k', 'data': { 'a': 'Aa' }")
            .contains("member `x` of type `Aa` collides with base member `x`")
    );
    assert!(
        union("'base': 'Ee', 'discriminator': 'k', 'data': {}").contains("must be a struct type")
    );
    accepted(&format!(
        "{base}{{ 'union': 'Uni', 'base': {{ 'k': 'Ee' }}, 'discriminator': 'k', 'data': {{ 'a': 'Aa' }} }}"
    ));
}

#[test]
fn alternate_errors() {
    let alt = |data: &str| {
        first(&format!(
            "{{ 'enum': 'OnOff', 'data': [ 'on', 'off' ] }}\n{{ 'alternate': 'Alt', 'data': {data} }}"
        ))
    };
    assert!(
        alt("{ 'a': 'str', 'b': 'int' }")
            .contains("branch `b` cannot be told apart from branch `a`")
    );
    assert!(alt("{ 'a': 'OnOff', 'b': 'bool' }").contains("told apart"));
    assert!(alt("{ 'a': ['int'], 'b': ['str'] }").contains("told apart"));
    assert!(alt("{ 'a': 'any' }").contains("cannot be of built-in type `any`"));
    assert!(alt("{ 'a': 'Nope' }").contains("unknown type `Nope`"));
    accepted(
        "{ 'enum': 'Ee', 'data': [ 'x' ] }\n{ 'alternate': 'Alt', 'data': { 'e': 'Ee', 'b': 'bool', 'n': 'null' } }",
    );
}

#[test]
fn features_limit() {
    let names: Vec<String> = (0..63).map(|i| format!("'f{i}'")).collect();
    let text = format!(
        "{{ 'command': 'c',\n 'features': [ {} ] }}",
        names.join(", ")
    );
    let errors = errors(&text);
    assert!(errors[0].message.contains("at most 64"), "{errors:#?}");
    let fewer = format!(
        "{{ 'command': 'c', 'features': [ {} ] }}",
        names[..62].join(", ")
    );
    accepted(&fewer);
}

#[test]
fn doc_problems_are_warnings() {
    let mut s = schema(
        "{ 'struct': 'Str', 'data': { 'a': 'int', 'b': 'int' }, 'features': [ 'f' ] }
         { 'event': 'E', 'data': { 'x': 'int' } }
         { 'enum': 'En', 'data': [ 'v' ] }",
    );
    s.exprs[0].doc = Some(doc("Str", &["a", "zz", "a"], &[]));
    s.exprs[1].doc = Some(doc("OTHER", &[], &[]));
    s.pragmas.doc_required = true;
    let warnings = super::check(&s)
        .expect("doc problems are warnings")
        .warnings;
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "this doc comment is for `OTHER`, not for `E`",
            "`En` has no doc comment (pragma `doc-required`)",
            "feature `f` is not documented",
            "member `b` is not documented",
            "documented member `zz` does not exist",
        ]
    );
    s.pragmas.documentation_exceptions = vec!["Str".into()];
    let warnings = super::check(&s)
        .expect("doc problems are warnings")
        .warnings;
    assert!(!warnings.iter().any(|w| w.message.contains("member `b`")));
}

#[test]
fn notes_name_the_definition() {
    let errors = errors("{ 'struct': 'Foo',\n  'data': { 'a': 'Nope' } }");
    assert_eq!(errors[0].line, 2);
    assert_eq!(errors[0].notes[0], "in struct `Foo` defined at t.json:1");
}

#[test]
fn lowers_events_and_types() {
    let mut s = schema(
        "{ 'enum': 'Color', 'data': [ 'red', { 'name': 'green', 'if': 'CONFIG_G' } ] }
         { 'struct': 'Info', 'data': { '*c': 'Color', 'l': ['int'], 'q': 'intList' } }
         { 'command': 'cmd' }
         { 'event': 'EV', 'data': { 'info': 'Info', '*n': { 'type': 'str', 'features': [ 'unstable' ] } },
           'if': { 'any': [ 'A', { 'not': 'B' } ] }, 'features': [ 'deprecated' ] }
         { 'event': 'NONE' }
         { 'event': 'BOXED', 'data': 'Info', 'boxed': true }",
    );
    s.exprs[3].doc = Some(doc("EV", &["info", "n"], &["deprecated", "unstable"]));
    let defs = super::check(&s).expect("checks").defs;
    let spec = crate::lower::lower(&s, &defs);
    assert_eq!(spec.types.len(), 2);
    assert_eq!(spec.events.len(), 3);
    let ev = spec.event("EV").expect("EV");
    use qmp_ir::{Builtin, Condition, EventData, TypeExpr};
    assert_eq!(
        ev.condition,
        Some(Condition::Any(vec![
            Condition::Name("A".into()),
            Condition::Not(Box::new(Condition::Name("B".into())))
        ]))
    );
    assert_eq!(ev.features[0].name, "deprecated");
    assert_eq!(
        ev.features[0].description.as_deref(),
        Some("about deprecated")
    );
    let EventData::Members { members } = &ev.data else {
        panic!("{:?}", ev.data)
    };
    assert_eq!(members[0].ty, TypeExpr::named("Info"));
    assert_eq!(members[0].description.as_deref(), Some("about info"));
    assert!(members[1].optional);
    assert_eq!(members[1].ty, TypeExpr::builtin(Builtin::Str));
    assert_eq!(members[1].features[0].name, "unstable");
    assert_eq!((ev.span.line, ev.span.col), (4, 21));
    assert!(matches!(
        spec.event("NONE").map(|e| &e.data),
        Some(EventData::None { .. })
    ));
    assert!(matches!(
        spec.event("BOXED").map(|e| &e.data),
        Some(EventData::Type { boxed: true, .. })
    ));
    let info = spec.type_def("Info").expect("Info");
    let qmp_ir::TypeKind::Struct { members, .. } = &info.kind else {
        panic!()
    };
    assert_eq!(
        members[1].ty,
        TypeExpr::array(TypeExpr::builtin(Builtin::Int))
    );
    assert_eq!(
        members[2].ty,
        TypeExpr::array(TypeExpr::builtin(Builtin::Int))
    );
    let color = spec.type_def("Color").expect("Color");
    let qmp_ir::TypeKind::Enum { values, .. } = &color.kind else {
        panic!()
    };
    assert_eq!(
        values[1].condition,
        Some(Condition::Name("CONFIG_G".into()))
    );
}

#[test]
fn deep_base_chains_are_refused_not_overflowed() {
    let text: String = (0..2000)
        .map(|i| {
            format!(
                "{{ 'struct': 'Sx{i}', 'base': 'Sx{}', 'data': {{}} }}\n",
                i + 1
            )
        })
        .chain(std::iter::once(
            "{ 'struct': 'Sx2000', 'data': {} }\n".to_owned(),
        ))
        .collect();
    let errors = errors(&text);
    assert!(
        errors[0].message.contains("more than 256 deep"),
        "{:?}",
        errors[0]
    );
    let fine: String = (0..100)
        .map(|i| {
            format!(
                "{{ 'struct': 'Sx{i}', 'base': 'Sx{}', 'data': {{}} }}\n",
                i + 1
            )
        })
        .chain(std::iter::once(
            "{ 'struct': 'Sx100', 'data': {} }\n".to_owned(),
        ))
        .collect();
    accepted(&fine);
}
