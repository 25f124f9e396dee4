//! The validation rules shared by every entity: name grammars, text limits
//! and number checks. Each rule returns `Result<(), ObsError>` naming the
//! entity and field it was checking, so callers only say *what* they check.

use validator::ValidateLength;

use crate::error::{ObsError, Result};

/// Longest metric name accepted, in bytes.
pub const MAX_METRIC_NAME_LEN: usize = 200;
/// Longest label name accepted, in bytes.
pub const MAX_LABEL_NAME_LEN: usize = 100;
/// Longest label value accepted, in characters.
pub const MAX_LABEL_VALUE_LEN: usize = 1_024;
/// Most labels one metric or alert may carry.
pub const MAX_LABELS: usize = 32;
/// Most attributes, fields or annotations one entity may carry.
pub const MAX_ATTRIBUTES: usize = 64;
/// Longest log message accepted, in characters.
pub const MAX_LOG_MESSAGE_LEN: usize = 10_000;
/// Longest alert title accepted, in characters.
pub const MAX_ALERT_TITLE_LEN: usize = 200;
/// Longest alert message or health message accepted, in characters.
pub const MAX_MESSAGE_LEN: usize = 10_000;
/// Longest short name (service, component, operation, target, unit...) accepted, in characters.
pub const MAX_SHORT_NAME_LEN: usize = 128;

/// Checks the Prometheus metric name grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`,
/// the reserved `__` prefix and [`MAX_METRIC_NAME_LEN`].
pub(crate) fn metric_name(entity: &'static str, name: &str) -> Result<()> {
    let fail = |rule: &str| Err(ObsError::validation(entity, "name", name, rule));
    if name.is_empty() {
        return fail("must not be empty");
    }
    if name.len() > MAX_METRIC_NAME_LEN {
        return fail("must be at most 200 bytes long");
    }
    if name.starts_with("__") {
        return fail("the `__` prefix is reserved for Prometheus' own use");
    }
    if !matches_grammar(name, |b| b.is_ascii_alphabetic() || b == b'_' || b == b':') {
        return fail("must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    }
    Ok(())
}

/// Checks the Prometheus label name grammar `[a-zA-Z_][a-zA-Z0-9_]*`,
/// the reserved `__` prefix and [`MAX_LABEL_NAME_LEN`].
pub(crate) fn label_name(entity: &'static str, name: &str) -> Result<()> {
    let fail = |rule: &str| Err(ObsError::validation(entity, "label name", name, rule));
    if name.is_empty() {
        return fail("must not be empty");
    }
    if name.len() > MAX_LABEL_NAME_LEN {
        return fail("must be at most 100 bytes long");
    }
    if name.starts_with("__") {
        return fail("the `__` prefix is reserved for Prometheus' own use");
    }
    if !matches_grammar(name, |b| b.is_ascii_alphabetic() || b == b'_') {
        return fail("must match [a-zA-Z_][a-zA-Z0-9_]*");
    }
    Ok(())
}

/// Checks a label value: any UTF-8 up to [`MAX_LABEL_VALUE_LEN`] characters.
pub(crate) fn label_value(entity: &'static str, value: &str) -> Result<()> {
    if !value.validate_length(None, Some(MAX_LABEL_VALUE_LEN as u64), None) {
        return Err(ObsError::validation(
            entity,
            "label value",
            value,
            "must be at most 1024 characters long",
        ));
    }
    Ok(())
}

fn matches_grammar(name: &str, first: impl Fn(u8) -> bool) -> bool {
    let bytes = name.as_bytes();
    first(bytes[0]) && bytes[1..].iter().all(|&b| first(b) || b.is_ascii_digit())
}

/// Checks that `text` has visible content and at most `max` characters.
pub(crate) fn text(entity: &'static str, field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(ObsError::validation(entity, field, text, "must not be blank"));
    }
    if !text.validate_length(None, Some(max as u64), None) {
        return Err(ObsError::validation(
            entity,
            field,
            text,
            format!("must be at most {max} characters long"),
        ));
    }
    Ok(())
}

/// Checks a short identifier-like name (service, component, operation, unit...):
/// non-blank, at most [`MAX_SHORT_NAME_LEN`] characters, no control characters.
pub(crate) fn short_name(entity: &'static str, field: &'static str, name: &str) -> Result<()> {
    text(entity, field, name, MAX_SHORT_NAME_LEN)?;
    if name.chars().any(char::is_control) {
        return Err(ObsError::validation(
            entity,
            field,
            name.escape_debug(),
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Checks that a number is finite (not NaN, not infinite).
pub(crate) fn finite(entity: &'static str, field: &'static str, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(ObsError::validation(entity, field, value, "must be finite"));
    }
    Ok(())
}

/// Checks that a collection of `count` items stays within `max`.
pub(crate) fn at_most(entity: &'static str, field: &'static str, count: usize, max: usize) -> Result<()> {
    if count > max {
        return Err(ObsError::validation(
            entity,
            field,
            format!("{count} entries"),
            format!("must have at most {max} entries"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_metric_grammar(s: &str) -> bool {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }

    fn is_label_grammar(s: &str) -> bool {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    #[test]
    fn metric_names_follow_the_prometheus_grammar() {
        for ok in ["a", "_a", ":a", "http_requests_total", "job:rate5m", "A9_:"] {
            assert!(metric_name("metric", ok).is_ok(), "{ok}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "__name", "a.b"] {
            assert!(metric_name("metric", bad).is_err(), "{bad}");
        }
        assert!(metric_name("metric", &"a".repeat(MAX_METRIC_NAME_LEN)).is_ok());
        assert!(metric_name("metric", &"a".repeat(MAX_METRIC_NAME_LEN + 1)).is_err());
    }

    #[test]
    fn label_names_reject_colons_and_reserved_prefix() {
        assert!(label_name("label", "region").is_ok());
        assert!(label_name("label", "_x1").is_ok());
        for bad in ["", "a:b", "1a", "__meta", "a-b"] {
            assert!(label_name("label", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_rejects_blank_and_long() {
        assert!(text("log", "message", "  \t", 10).is_err());
        assert!(text("log", "message", "héllo", 5).is_ok());
        assert!(text("log", "message", "héllo!", 5).is_err());
    }

    proptest! {
        #[test]
        fn metric_name_accepts_exactly_the_grammar(s in "\\PC{0,40}|[a-zA-Z_:][a-zA-Z0-9_:]{0,40}") {
            let expected = is_metric_grammar(&s) && !s.starts_with("__");
            match metric_name("metric", &s) {
                Ok(()) => prop_assert!(expected),
                Err(ObsError::Validation { field, value, .. }) => {
                    prop_assert!(!expected);
                    prop_assert_eq!(field, "name");
                    prop_assert_eq!(value, s);
                }
                Err(other) => prop_assert!(false, "wrong error {other}"),
            }
        }

        #[test]
        fn label_name_accepts_exactly_the_grammar(s in "\\PC{0,40}|[a-zA-Z_][a-zA-Z0-9_]{0,40}") {
            let expected = is_label_grammar(&s) && !s.starts_with("__");
            prop_assert_eq!(label_name("label", &s).is_ok(), expected);
        }

        #[test]
        fn finite_rejects_exactly_nan_and_infinities(v in proptest::num::f64::ANY) {
            prop_assert_eq!(finite("metric", "value", v).is_ok(), v.is_finite());
        }

        #[test]
        fn text_never_panics(s in "\\PC*", max in 0usize..50) {
            let ok = text("log", "message", &s, max).is_ok();
            prop_assert_eq!(ok, !s.trim().is_empty() && s.chars().count() <= max);
        }
    }
}
