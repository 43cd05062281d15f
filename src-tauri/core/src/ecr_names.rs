//! ECR repository names: ECR's exact rule, the reason a name breaks it, and the obvious fix.
//!
//! The rule (docs/aws-facts.md#ecr, and the pattern of CreateRepository): 2–256 characters matching
//! `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*` — lower case letters and
//! digits, single `.` `_` `-` between them, and `/` between namespace parts.
//!
//! The UI checks names as the user types with a TypeScript twin of this module
//! (`ui/src/screens/repositories/names.ts`); both are tested against the same table of names
//! (`ui/src/screens/repositories/name-cases.json`), so they cannot drift apart silently.

use crate::error::{BerthError, Result};

pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 256;

/// The field name Berth's errors use for a repository name.
pub const FIELD: &str = "repositoryName";

/// Which part of the rule a name breaks, checked in this order (the first one found is reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    Required,
    Uppercase,
    Whitespace,
    /// Anything but `a-z 0-9 . _ - /`; the error names the offending characters.
    Characters,
    /// Starts or ends with a separator, or a namespace part does (`-web`, `web/`, `team/_web`).
    EdgeSeparator,
    /// Two separators in a row (`a..b`, `a-_b`, `team//web`).
    DoubleSeparator,
    TooShort,
    TooLong,
}

impl NameRule {
    pub fn as_str(self) -> &'static str {
        match self {
            NameRule::Required => "required",
            NameRule::Uppercase => "uppercase",
            NameRule::Whitespace => "whitespace",
            NameRule::Characters => "characters",
            NameRule::EdgeSeparator => "edgeSeparator",
            NameRule::DoubleSeparator => "doubleSeparator",
            NameRule::TooShort => "tooShort",
            NameRule::TooLong => "tooLong",
        }
    }
}

// ASCII whitespace as JavaScript's `\s` sees it, so the TypeScript twin agrees exactly; other
// (non-ASCII) spaces count as disallowed characters.
const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

fn is_separator(c: char) -> bool {
    matches!(c, '.' | '_' | '-')
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || is_separator(c) || c == '/'
}

/// The first rule `name` breaks, or `None` when ECR accepts it.
pub fn name_problem(name: &str) -> Option<NameRule> {
    if name.is_empty() {
        return Some(NameRule::Required);
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(NameRule::Uppercase);
    }
    if name.chars().any(|c| WHITESPACE.contains(&c)) {
        return Some(NameRule::Whitespace);
    }
    if !name.chars().all(is_allowed) {
        return Some(NameRule::Characters);
    }
    let edge = |c: Option<char>| c.is_some_and(|c| is_separator(c) || c == '/');
    let parts: Vec<&str> = name.split('/').collect();
    if edge(name.chars().next())
        || edge(name.chars().last())
        || parts
            .iter()
            .any(|p| p.starts_with(is_separator) || p.ends_with(is_separator))
    {
        return Some(NameRule::EdgeSeparator);
    }
    let doubled = |p: &&str| {
        p.is_empty()
            || p.chars()
                .zip(p.chars().skip(1))
                .any(|(a, b)| is_separator(a) && is_separator(b))
    };
    if parts.iter().any(doubled) {
        return Some(NameRule::DoubleSeparator);
    }
    let len = name.chars().count();
    if len < MIN_LEN {
        return Some(NameRule::TooShort);
    }
    if len > MAX_LEN {
        return Some(NameRule::TooLong);
    }
    None
}

/// The distinct characters ECR does not allow in `name`, in order of appearance (at most five).
pub fn disallowed_characters(name: &str) -> Vec<char> {
    let mut found = Vec::new();
    for c in name.chars() {
        if !is_allowed(c)
            && !c.is_ascii_uppercase()
            && !WHITESPACE.contains(&c)
            && !found.contains(&c)
        {
            found.push(c);
            if found.len() == 5 {
                break;
            }
        }
    }
    found
}

/// A valid name close to `name` when the fix is obvious: lower case, spaces and other ASCII
/// punctuation become `-`, runs of separators become one, separators at the ends of each part
/// go. `None` when `name` is valid already, holds non-ASCII text (no obvious spelling), or the
/// result would still be invalid (too short, too long).
pub fn suggestion(name: &str) -> Option<String> {
    if name_problem(name).is_none() || !name.is_ascii() {
        return None;
    }
    let mapped: String = name
        .trim_matches(|c| WHITESPACE.contains(&c))
        .to_ascii_lowercase()
        .chars()
        .map(|c| if is_allowed(c) { c } else { '-' })
        .collect();
    let parts: Vec<String> = mapped
        .split('/')
        .map(|part| {
            let mut out = String::new();
            for c in part.chars() {
                let after_separator = out.chars().last().is_some_and(is_separator);
                if !(is_separator(c) && after_separator) {
                    out.push(c);
                }
            }
            out.trim_matches(is_separator).to_owned()
        })
        .filter(|part| !part.is_empty())
        .collect();
    let fixed = parts.join("/");
    (fixed != name && name_problem(&fixed).is_none()).then_some(fixed)
}

/// Rejects a name ECR would reject, before any AWS call, with the rule and what fixes it.
pub fn validate(name: &str) -> Result<()> {
    let Some(rule) = name_problem(name) else {
        return Ok(());
    };
    let mut err = BerthError::invalid(FIELD, rule.as_str());
    match rule {
        NameRule::TooShort => err = err.with("min", MIN_LEN.to_string()),
        NameRule::TooLong => err = err.with("max", MAX_LEN.to_string()),
        NameRule::Characters => {
            let chars: Vec<String> = disallowed_characters(name)
                .into_iter()
                .map(String::from)
                .collect();
            err = err.with("chars", chars.join(" "));
        }
        _ => {}
    }
    Err(match suggestion(name) {
        Some(fixed) => err.with("suggestion", fixed),
        None => err,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_pass_and_each_rule_is_named() {
        for ok in ["web", "team/web-app", "a1", "x.y_z-0/q"] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        let cases = [
            ("", NameRule::Required),
            ("Web", NameRule::Uppercase),
            ("my app", NameRule::Whitespace),
            ("web@1", NameRule::Characters),
            ("-web", NameRule::EdgeSeparator),
            ("team/_web", NameRule::EdgeSeparator),
            ("web/", NameRule::EdgeSeparator),
            ("a..b", NameRule::DoubleSeparator),
            ("team//web", NameRule::DoubleSeparator),
            ("a", NameRule::TooShort),
        ];
        for (name, rule) in cases {
            assert_eq!(name_problem(name), Some(rule), "{name:?}");
        }
        assert_eq!(name_problem(&"a".repeat(257)), Some(NameRule::TooLong));
        assert_eq!(name_problem(&"a".repeat(256)), None);
    }

    #[test]
    fn the_error_carries_rule_limits_characters_and_suggestion() {
        let err = validate("My App").unwrap_err();
        assert_eq!(err.param("field"), Some(FIELD));
        assert_eq!(err.param("rule"), Some("uppercase"));
        assert_eq!(err.param("suggestion"), Some("my-app"));
        let err = validate("web:latest").unwrap_err();
        assert_eq!(err.param("chars"), Some(":"));
        assert_eq!(err.param("suggestion"), Some("web-latest"));
        let err = validate("웹").unwrap_err();
        assert_eq!(err.param("rule"), Some("characters"));
        assert_eq!(err.param("suggestion"), None);
        assert_eq!(validate("x").unwrap_err().param("min"), Some("2"));
    }
}
