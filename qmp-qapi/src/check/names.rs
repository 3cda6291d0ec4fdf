//! QAPI's naming rules, shared by the expression checks and the schema checks.
//!
//! Names matter beyond style because QEMU turns them into C identifiers: two names that map to
//! the same identifier clash, and some spellings are reserved for what the generator itself
//! emits (`q_` prefixed helpers, `has_` flags, the `u` union member, `...List` array types).

/// The C identifier QEMU derives from a name, without the protection of C keywords: every
/// character that is not an ASCII letter, digit or `_` becomes `_`. Two members whose names
/// give the same identifier clash.
pub(crate) fn c_name(name: &str) -> String {
    c_chars(name).collect()
}

/// The characters of [`c_name`], without building it (the checks compare C names all the time
/// and need them built only for a set of them).
pub(crate) fn c_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
}

/// Whether two names give the same C identifier.
pub(crate) fn same_c_name(a: &str, b: &str) -> bool {
    c_chars(a).eq(c_chars(b))
}

/// Whether the C identifier of `name` starts with `prefix` (which is one already).
pub(crate) fn c_name_starts_with(name: &str, prefix: &str) -> bool {
    let mut chars = c_chars(name);
    prefix.chars().all(|p| chars.next() == Some(p))
}

/// The stem of a well-formed name: what is left after an optional downstream prefix
/// `__RFQDN_` and an optional experimental prefix `x-`. `None` if the name is malformed or
/// starts with the reserved `q_`.
///
/// A stem starts with an ASCII letter and goes on with ASCII letters, digits, `-` and `_`.
pub(crate) fn stem(name: &str) -> Option<&str> {
    // A single newline at the very end is tolerated, as QEMU's pattern tolerates it.
    let body = name.strip_suffix('\n').unwrap_or(name);
    let mut rest = body;
    if let Some(after) = rest.strip_prefix("__") {
        let run = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(after.len());
        if run == 0 || !after[run..].starts_with('_') {
            return None;
        }
        rest = &after[run + 1..];
    }
    let well_formed = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let stem = match rest.get(..2) {
        Some(x) if x.eq_ignore_ascii_case("x-") && well_formed(&rest[2..]) => &rest[2..],
        _ if well_formed(rest) => rest,
        _ => return None,
    };
    if c_name_starts_with(name, "q_") {
        return None;
    }
    Some(stem)
}

/// What is wrong with a name, for the messages of the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameError {
    /// Not a well-formed name at all (or a reserved `q_` one).
    Invalid,
    /// An event name with lowercase letters or `-`.
    NotUpper,
    /// A command, member, value or feature name with uppercase letters or `_`.
    NotLower,
    /// A type name that is not CamelCase.
    NotCamel,
}

impl NameError {
    /// The message for the name of `what` (`struct`, `'data' member 'Foo'`).
    pub(crate) fn message(self, what: &dyn std::fmt::Display) -> String {
        match self {
            NameError::Invalid => format!("{what} has an invalid name"),
            NameError::NotUpper => {
                format!("the name of {what} must be uppercase, without '-'")
            }
            NameError::NotLower => {
                format!("the name of {what} must be lowercase, without '_'")
            }
            NameError::NotCamel => format!("the name of {what} must be CamelCase"),
        }
    }
}

/// An event name: its stem has no lowercase letter and no `-`.
pub(crate) fn check_upper(name: &str) -> Result<(), NameError> {
    let stem = stem(name).ok_or(NameError::Invalid)?;
    if stem.chars().any(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(NameError::NotUpper);
    }
    Ok(())
}

/// A command, member, enum value or feature name: its stem has no uppercase letter (unless
/// `permit_upper`) and no `_` (unless `permit_underscore`).
pub(crate) fn check_lower(
    name: &str,
    permit_upper: bool,
    permit_underscore: bool,
) -> Result<(), NameError> {
    let stem = stem(name).ok_or(NameError::Invalid)?;
    if (!permit_upper && stem.chars().any(|c| c.is_ascii_uppercase()))
        || (!permit_underscore && stem.contains('_'))
    {
        return Err(NameError::NotLower);
    }
    Ok(())
}

/// A type name: its stem is CamelCase (an uppercase letter first, letters and digits only,
/// and at least one lowercase letter after the first character).
pub(crate) fn check_camel(name: &str) -> Result<(), NameError> {
    let stem = stem(name).ok_or(NameError::Invalid)?;
    let mut chars = stem.chars();
    let camel = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && stem.chars().all(|c| c.is_ascii_alphanumeric())
        && chars.any(|c| c.is_ascii_lowercase());
    if !camel {
        return Err(NameError::NotCamel);
    }
    Ok(())
}

/// Whether a condition name is a valid preprocessor-style identifier (`CONFIG_SPICE`).
pub(crate) fn is_condition_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem("foo-bar"), Some("foo-bar"));
        assert_eq!(stem("x-foo"), Some("foo"));
        assert_eq!(stem("__com.redhat_x-foo"), Some("foo"));
        assert_eq!(stem("__com.redhat_foo"), Some("foo"));
        assert_eq!(stem("x-1"), Some("x-1"));
        assert_eq!(stem("x-"), Some("x-"));
        assert_eq!(stem("_oops"), None);
        assert_eq!(stem("q-unix"), None);
        assert_eq!(stem("q_unix"), None);
        assert_eq!(stem(""), None);
        assert_eq!(stem("not\\possible"), None);
        assert_eq!(stem("__x"), None);
    }

    #[test]
    fn cases() {
        assert_eq!(check_upper("EVENT_A"), Ok(()));
        assert_eq!(check_upper("EVENT-A"), Err(NameError::NotUpper));
        assert_eq!(check_upper("__org.qemu_EVENT"), Ok(()));
        assert_eq!(check_lower("foo-bar", false, false), Ok(()));
        assert_eq!(check_lower("Foo", false, false), Err(NameError::NotLower));
        assert_eq!(check_lower("a_b", false, true), Ok(()));
        assert_eq!(check_camel("UserDefOne"), Ok(()));
        assert_eq!(check_camel("QType"), Ok(()));
        assert_eq!(check_camel("ABC"), Err(NameError::NotCamel));
        assert_eq!(check_camel("lower"), Err(NameError::NotCamel));
        assert_eq!(check_camel("Foo-Bar"), Err(NameError::NotCamel));
        assert!(is_condition_name("CONFIG_SPICE"));
        assert!(!is_condition_name("config"));
        assert!(!is_condition_name(""));
    }

    #[test]
    fn c_names() {
        assert_eq!(c_name("a-b.c"), "a_b_c");
        assert_eq!(c_name("has-x"), "has_x");
        assert!(same_c_name("a-b", "a_b"));
        assert!(!same_c_name("a-b", "a-bc"));
        assert!(c_name_starts_with("has-x", "has_"));
        assert!(!c_name_starts_with("ha", "has_"));
        assert!(c_name_starts_with("q.x", "q_"));
    }
}
