//! Comparing two [`WireSpec`]s: what a client of the old one would notice on the wire of the new.

use crate::{Data, IntKind, MemberShape, Object, Shape, Variants, WireSpec};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One difference between two specs.
///
/// Displayed as one line: `+ NAME` (an event added), `- NAME` (removed), or
/// `~ NAME /data/member: what changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The event.
    pub event: String,
    /// Added, removed or changed.
    pub change: Change,
    /// What kind of change.
    pub kind: DiffKind,
    /// Where, as a JSON pointer into the message (`/data/server/family`); `*` stands for any
    /// element of an array, `[tag=value]` for the members a union's discriminator value adds.
    /// Empty for an event added or removed.
    pub path: String,
    /// What changed, in words (empty for an event added or removed).
    pub detail: String,
}

/// Whether an event was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// `+`: only the new spec has the event.
    Added,
    /// `-`: only the old spec has the event.
    Removed,
    /// `~`: both have it, with different shapes.
    Changed,
}

/// The kinds of [`Difference`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// A new event.
    EventAdded,
    /// An event gone.
    EventRemoved,
    /// The event has data now.
    DataAdded,
    /// The event has no data any more.
    DataRemoved,
    /// A member added.
    MemberAdded,
    /// A member removed.
    MemberRemoved,
    /// A member removed and another with a similar name and the same shape added.
    MemberRenamed,
    /// A member may be absent now.
    MadeOptional,
    /// A member must be present now.
    MadeRequired,
    /// A different type.
    TypeChanged,
    /// A value added to a set of strings.
    ValueAdded,
    /// A value removed from a set of strings.
    ValueRemoved,
    /// What was the value is now inside a member of a new object (`{"info": ...}`).
    Wrapped,
    /// What was inside the only member of an object is now the value itself.
    Unwrapped,
    /// A shape the old spec left open (any object, unspecified data) is described now.
    Described,
    /// A shape the old spec described is left open now.
    Undescribed,
    /// A union's discriminator is another member.
    TagChanged,
    /// An alternate takes a new JSON type.
    AlternativeAdded,
    /// An alternate no longer takes a JSON type.
    AlternativeRemoved,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.change {
            Change::Added => write!(f, "+ {}", self.event),
            Change::Removed => write!(f, "- {}", self.event),
            Change::Changed => write!(f, "~ {} {}: {}", self.event, self.path, self.detail),
        }
    }
}

/// Every difference between `old` and `new`: events in name order, and within an event, members
/// in name order, depth first.
pub fn diff(old: &WireSpec, new: &WireSpec) -> Vec<Difference> {
    // The wire does not carry an integer's width (a `query-qmp-schema` reply says `int` for all
    // of them), so widths are left out of the comparison.
    let (old, new) = (&without_widths(old), &without_widths(new));
    let mut differ = Differ {
        old,
        new,
        out: Vec::new(),
        event: "",
    };
    let old_events: BTreeMap<&str, &Data> = old
        .events
        .iter()
        .map(|e| (e.name.as_str(), &e.data))
        .collect();
    let new_events: BTreeMap<&str, &Data> = new
        .events
        .iter()
        .map(|e| (e.name.as_str(), &e.data))
        .collect();
    let names: BTreeSet<&str> = old_events
        .keys()
        .chain(new_events.keys())
        .copied()
        .collect();
    for name in names {
        differ.event = name;
        match (old_events.get(name), new_events.get(name)) {
            (Some(_), None) => {
                differ.push(Change::Removed, DiffKind::EventRemoved, "", String::new())
            }
            (None, Some(_)) => differ.push(Change::Added, DiffKind::EventAdded, "", String::new()),
            (Some(a), Some(b)) => differ.data(a, b),
            (None, None) => {}
        }
    }
    differ.out
}

struct Differ<'a> {
    old: &'a WireSpec,
    new: &'a WireSpec,
    out: Vec<Difference>,
    event: &'a str,
}

/// Recursion through [`Shape::Recursive`] stops at this depth.
const MAX_DEPTH: usize = 64;

impl Differ<'_> {
    fn push(&mut self, change: Change, kind: DiffKind, path: &str, detail: String) {
        self.out.push(Difference {
            event: self.event.to_owned(),
            change,
            kind,
            path: path.to_owned(),
            detail,
        });
    }

    fn changed(&mut self, kind: DiffKind, path: &str, detail: String) {
        self.push(Change::Changed, kind, path, detail);
    }

    fn data(&mut self, old: &Data, new: &Data) {
        let path = "/data";
        match (old, new) {
            (Data::Unspecified, Data::Unspecified) | (Data::None, Data::None) => {}
            (Data::Unspecified, Data::None) => self.changed(
                DiffKind::Described,
                path,
                "unspecified before, now none".into(),
            ),
            (Data::Unspecified, Data::Value(shape)) => self.changed(
                DiffKind::Described,
                path,
                format!("unspecified before, now {}", shape.summary()),
            ),
            (_, Data::Unspecified) => {
                self.changed(DiffKind::Undescribed, path, "no longer specified".into())
            }
            (Data::None, Data::Value(shape)) => self.changed(
                DiffKind::DataAdded,
                path,
                format!("data added: {}", shape.summary()),
            ),
            (Data::Value(shape), Data::None) => self.changed(
                DiffKind::DataRemoved,
                path,
                format!("data removed (was {})", shape.summary()),
            ),
            (Data::Value(a), Data::Value(b)) => self.shape(path, a, b, 0),
        }
    }

    fn shape(&mut self, path: &str, old: &Shape, new: &Shape, depth: usize) {
        if old == new || depth > MAX_DEPTH {
            return;
        }
        if let Some((member, inner)) = only_member(new) {
            if wraps(old, inner) {
                let at = join(path, member);
                self.changed(
                    DiffKind::Wrapped,
                    &at,
                    format!("new wrapper: what was {path} is now inside member `{member}`"),
                );
                return self.shape(&at, old, inner, depth + 1);
            }
        }
        if let Some((member, inner)) = only_member(old) {
            if wraps(new, inner) {
                let at = join(path, member);
                self.changed(
                    DiffKind::Unwrapped,
                    &at,
                    format!("wrapper removed: what was inside member `{member}` is now {path}"),
                );
                return self.shape(path, inner, new, depth + 1);
            }
        }
        match (old, new) {
            (Shape::Recursive(a), Shape::Recursive(b)) if a == b => {}
            (Shape::Recursive(name), _) => {
                if let Some(old) = self.old.recursive.get(name) {
                    self.shape(path, old, new, depth + 1);
                }
            }
            (_, Shape::Recursive(name)) => {
                if let Some(new) = self.new.recursive.get(name) {
                    self.shape(path, old, new, depth + 1);
                }
            }
            (Shape::Object(a), Shape::Object(b)) => self.object(path, a, b, depth),
            (Shape::AnyObject, Shape::Object(b)) => self.changed(
                DiffKind::Described,
                path,
                format!("any object before, now {}", b.summary()),
            ),
            (Shape::Object(a), Shape::AnyObject) => self.changed(
                DiffKind::Undescribed,
                path,
                format!("{} before, now any object", a.summary()),
            ),
            (Shape::Enum(a), Shape::Enum(b)) => {
                for value in b.difference(a) {
                    self.changed(
                        DiffKind::ValueAdded,
                        path,
                        format!("value added: {value:?}"),
                    );
                }
                for value in a.difference(b) {
                    self.changed(
                        DiffKind::ValueRemoved,
                        path,
                        format!("value removed: {value:?}"),
                    );
                }
            }
            (Shape::Array(a), Shape::Array(b)) => self.shape(&join(path, "*"), a, b, depth + 1),
            (Shape::Alternate(a), Shape::Alternate(b)) => {
                let by_kind = |shapes: &[Shape]| -> BTreeMap<&'static str, Shape> {
                    shapes.iter().map(|s| (s.json_kind(), s.clone())).collect()
                };
                let (a, b) = (by_kind(a), by_kind(b));
                for (kind, shape) in &a {
                    match b.get(kind) {
                        Some(other) => self.shape(path, shape, other, depth + 1),
                        None => self.changed(
                            DiffKind::AlternativeRemoved,
                            path,
                            format!("alternative removed: {}", shape.summary()),
                        ),
                    }
                }
                for (kind, shape) in &b {
                    if !a.contains_key(kind) {
                        self.changed(
                            DiffKind::AlternativeAdded,
                            path,
                            format!("alternative added: {}", shape.summary()),
                        );
                    }
                }
            }
            _ => self.changed(
                DiffKind::TypeChanged,
                path,
                format!("type changed: {} -> {}", old.summary(), new.summary()),
            ),
        }
    }

    fn object(&mut self, path: &str, old: &Object, new: &Object, depth: usize) {
        let removed: Vec<(&String, &MemberShape)> = old
            .members
            .iter()
            .filter(|(name, _)| !new.members.contains_key(*name))
            .collect();
        let mut added: BTreeMap<&String, &MemberShape> = new
            .members
            .iter()
            .filter(|(name, _)| !old.members.contains_key(*name))
            .collect();
        // Pairs that look like a rename: same shape, similar names.
        let mut renamed: BTreeMap<&String, &String> = BTreeMap::new();
        for (name, member) in &removed {
            let best = added
                .iter()
                .filter(|(other, m)| **m == *member && looks_renamed(name, other))
                .min_by_key(|(other, _)| (edit_distance(name, other), other.as_str()))
                .map(|(other, _)| *other);
            if let Some(other) = best {
                added.remove(other);
                renamed.insert(name, other);
            }
        }
        let names: BTreeSet<&String> = old.members.keys().chain(new.members.keys()).collect();
        for name in names {
            let at = join(path, name);
            match (old.members.get(name), new.members.get(name)) {
                (Some(a), Some(b)) => {
                    if a.optional != b.optional {
                        if b.optional {
                            self.changed(DiffKind::MadeOptional, &at, "made optional".into());
                        } else {
                            self.changed(DiffKind::MadeRequired, &at, "made required".into());
                        }
                    }
                    self.shape(&at, &a.shape, &b.shape, depth + 1);
                }
                (Some(a), None) => match renamed.get(name) {
                    Some(other) => self.changed(
                        DiffKind::MemberRenamed,
                        &at,
                        format!(
                            "looks renamed to `{other}` (removed, and `{other}` added with the same type: {})",
                            member_summary(a)
                        ),
                    ),
                    None => self.changed(
                        DiffKind::MemberRemoved,
                        &at,
                        format!("member removed (was {})", member_summary(a)),
                    ),
                },
                (None, Some(b)) => {
                    if added.contains_key(name) {
                        self.changed(
                            DiffKind::MemberAdded,
                            &at,
                            format!("member added ({})", member_summary(b)),
                        );
                    }
                }
                (None, None) => {}
            }
        }
        self.variants(path, old.variants.as_ref(), new.variants.as_ref(), depth);
    }

    fn variants(
        &mut self,
        path: &str,
        old: Option<&Variants>,
        new: Option<&Variants>,
        depth: usize,
    ) {
        let empty = BTreeMap::new();
        let (old_tag, old_cases) = old.map_or((None, &empty), |v| (Some(&v.tag), &v.cases));
        let (new_tag, new_cases) = new.map_or((None, &empty), |v| (Some(&v.tag), &v.cases));
        match (old_tag, new_tag) {
            (Some(a), Some(b)) if a != b => self.changed(
                DiffKind::TagChanged,
                path,
                format!("discriminator changed: `{a}` -> `{b}`"),
            ),
            (None, Some(b)) => self.changed(
                DiffKind::TagChanged,
                path,
                format!("now a union, discriminated by `{b}`"),
            ),
            (Some(a), None) => self.changed(
                DiffKind::TagChanged,
                path,
                format!("no longer a union (was discriminated by `{a}`)"),
            ),
            _ => {}
        }
        let Some(tag) = new_tag.or(old_tag) else {
            return;
        };
        let values: BTreeSet<&String> = old_cases.keys().chain(new_cases.keys()).collect();
        let none = Object::default();
        for value in values {
            let at = format!("{path}[{tag}={value}]");
            let a = old_cases.get(value).unwrap_or(&none);
            let b = new_cases.get(value).unwrap_or(&none);
            self.object(&at, a, b, depth + 1);
        }
    }
}

/// The only member of an object that has exactly one, a required one, and no variants.
fn only_member(shape: &Shape) -> Option<(&str, &Shape)> {
    match shape {
        Shape::Object(object) if object.variants.is_none() && object.members.len() == 1 => {
            let (name, member) = object.members.iter().next()?;
            (!member.optional).then_some((name.as_str(), &member.shape))
        }
        _ => None,
    }
}

/// Whether `inner`, found inside a one-member object, is what `outer` was.
fn wraps(outer: &Shape, inner: &Shape) -> bool {
    outer == inner
        || matches!(
            (outer, inner),
            (Shape::AnyObject, Shape::Object(_)) | (Shape::Object(_), Shape::AnyObject)
        )
}

fn member_summary(member: &MemberShape) -> String {
    format!(
        "{} {}",
        if member.optional {
            "optional"
        } else {
            "required"
        },
        member.shape.summary()
    )
}

/// Appends one JSON pointer token (escaped as RFC 6901 says).
fn join(path: &str, token: &str) -> String {
    format!("{path}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Whether two member names are close enough for one to look like the other renamed: at most
/// half of the longer one differs.
fn looks_renamed(a: &str, b: &str) -> bool {
    let longer = a.chars().count().max(b.chars().count());
    edit_distance(a, b) * 2 <= longer
}

/// The Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(current).min(row[j])
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// `spec` with every integer of any width.
fn without_widths(spec: &WireSpec) -> WireSpec {
    fn shape(s: &mut Shape) {
        match s {
            Shape::Int(kind) => *kind = IntKind::Any,
            Shape::Array(inner) => shape(inner),
            Shape::Alternate(branches) => branches.iter_mut().for_each(shape),
            Shape::Object(o) => object(o),
            _ => {}
        }
    }
    fn object(o: &mut Object) {
        for m in o.members.values_mut() {
            shape(&mut m.shape);
        }
        if let Some(v) = &mut o.variants {
            v.cases.values_mut().for_each(object);
        }
    }
    let mut spec = spec.clone();
    for e in &mut spec.events {
        if let Data::Value(s) = &mut e.data {
            shape(s);
        }
    }
    spec.recursive.values_mut().for_each(shape);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("sector-count", "sectors-count"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert!(looks_renamed("sector-count", "sectors-count"));
        assert!(!looks_renamed("foo", "bar"));
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(join("/data", "a/b~c"), "/data/a~1b~0c");
    }
}
