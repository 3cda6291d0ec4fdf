//! Rust names for wire names: `BALLOON_CHANGE` -> `BalloonChange`, `sector-num` -> `sector_num`,
//! `type` -> `r#type`.

use proc_macro2::{Ident, Span};

/// Splits a wire name into lowercase words at `_`, `-`, `.`, spaces and lower-to-upper case steps.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        } else {
            if c.is_ascii_uppercase()
                && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                && !word.is_empty()
            {
                out.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        prev = Some(c);
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `BALLOON_CHANGE` -> `BalloonChange`; a leading digit gets a `V` in front.
pub fn pascal(name: &str) -> String {
    pascal_words(&words(name))
}

/// A schema type's name in Rust case: `ACPIOSTInfo` -> `AcpiostInfo`, `SocketAddressType` stays,
/// `q_obj_BLOCK_IO_ERROR-arg` -> `QObjBlockIoErrorArg`. An upper-case run ends before the capital
/// that starts the next word (`OSTInfo` is `OST` and `Info`).
pub fn pascal_type(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut split = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && prev_upper && next_lower {
            split.push('_');
        }
        split.push(c);
    }
    pascal(&split)
}

/// Joins words in PascalCase.
pub fn pascal_words(words: &[String]) -> String {
    let mut out = String::new();
    for w in words {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `sector-num` -> `sector_num`; a leading digit gets a `_` in front.
pub fn snake(name: &str) -> String {
    let mut out = words(name).join("_");
    if out.is_empty() {
        out.push_str("field");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing `_`.
const PLAIN_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The identifier for a snake_case or PascalCase name, raw where the name is a keyword.
pub fn ident(name: &str) -> Ident {
    if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else if PLAIN_KEYWORDS.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `name` as it is printed: a keyword that cannot be raw gets a trailing `_` (`Self` ->
/// `Self_`); other keywords stay, and [`ident`] makes them raw (`r#type`).
pub fn escape(name: String) -> String {
    if PLAIN_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Whether `name` is an identifier as it is, without `r#` or a suffix (not a keyword).
pub fn is_plain(name: &str) -> bool {
    !RAW_KEYWORDS.contains(&name) && syn::parse_str::<syn::Ident>(name).is_ok()
}

/// Whether [`ident`] prints `name` as a valid identifier (a keyword that cannot be raw is not).
pub fn is_valid(name: &str) -> bool {
    RAW_KEYWORDS.contains(&name) || syn::parse_str::<syn::Ident>(name).is_ok()
}

/// Items of the Rust prelude (types, traits and the variants `Some`, `None`, `Ok`, `Err`) that a
/// generated type must not be named: a user's `use events::*` would shadow them.
pub const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Makes `name` (escaped as [`escape`] does) differ from every name in `taken` by appending a
/// number, and records it. Comparing the printed names keeps them distinct: `Self` and a `Self_`
/// of the spec do not both become `Self_`.
pub fn unique(name: String, taken: &mut std::collections::BTreeSet<String>) -> String {
    // The number goes on the name as written: `Self` is `Self_`, then `Self2`.
    let mut candidate = escape(name.clone());
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_become_pascal_case() {
        assert_eq!(pascal("BALLOON_CHANGE"), "BalloonChange");
        assert_eq!(pascal("ACPI_DEVICE_OST"), "AcpiDeviceOst");
        assert_eq!(pascal("ipv4"), "Ipv4");
        assert_eq!(pascal("1.raw"), "V1Raw");
        assert_eq!(pascal("slot-type"), "SlotType");
        assert_eq!(pascal(""), "Empty");
    }

    #[test]
    fn type_names_become_rust_case() {
        assert_eq!(pascal_type("ACPIOSTInfo"), "AcpiostInfo");
        assert_eq!(pascal_type("SocketAddress"), "SocketAddress");
        assert_eq!(
            pascal_type("GuestPanicInformationHyperV"),
            "GuestPanicInformationHyperV"
        );
        assert_eq!(pascal_type("String"), "String");
        assert_eq!(
            pascal_type("QCryptoTLSCredsEndpoint"),
            "QCryptoTlsCredsEndpoint"
        );
    }

    #[test]
    fn member_names_become_snake_case() {
        assert_eq!(snake("sector-num"), "sector_num");
        assert_eq!(snake("x509_dname"), "x509_dname");
        assert_eq!(snake("trayOpen"), "tray_open");
        assert_eq!(snake("tray-open"), "tray_open");
        assert_eq!(snake("9lives"), "_9lives");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("device").to_string(), "device");
    }

    #[test]
    fn keywords_that_cannot_be_raw_are_escaped_before_made_unique() {
        let mut taken = std::collections::BTreeSet::new();
        assert_eq!(unique("Self_".into(), &mut taken), "Self_");
        assert_eq!(unique("Self".into(), &mut taken), "Self2");
        assert_eq!(unique("self".into(), &mut taken), "self_");
        assert_eq!(unique("type".into(), &mut taken), "type");
        for name in taken {
            assert!(is_valid(&name), "{name}");
        }
        assert!(!is_valid("Self"));
        assert!(!is_valid(""));
        assert!(!is_valid("1a"));
    }

    #[test]
    fn unique_appends_a_number() {
        let mut taken = std::collections::BTreeSet::new();
        assert_eq!(unique("A".into(), &mut taken), "A");
        assert_eq!(unique("A".into(), &mut taken), "A2");
        assert_eq!(unique("A".into(), &mut taken), "A3");
    }
}
