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
/// Largest single value of a log field (JSON-encoded), span attribute or
/// alert annotation, in bytes.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// Largest total, names plus values, of one entity's log fields, span
/// attributes or alert annotations, in bytes. With the message limits this
/// keeps any one log entry, span or alert under about 100 KiB.
pub const MAX_ENTRIES_BYTES: usize = 32 * 1024;

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
    // a printable ASCII first byte is not whitespace: no need to trim
    let starts_printable = text.as_bytes().first().is_some_and(u8::is_ascii_graphic);
    if !starts_printable && text.trim().is_empty() {
        return Err(ObsError::validation(entity, field, text, "must not be blank"));
    }
    // a text of at most `max` bytes has at most `max` characters
    if text.len() > max && !text.validate_length(None, Some(max as u64), None) {
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
    // control characters (U+0000-001F, U+007F, U+0080-009F) are encoded
    // with one of these bytes; only a name holding one is decoded
    let may_hold_control = name.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2);
    if may_hold_control && name.chars().any(char::is_control) {
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

/// The fields an entity reports its named entries under: one value, and all of them.
pub(crate) struct EntryFields {
    /// The field named when one value is too large (`"field value"`).
    pub value: &'static str,
    /// The field named when the total is too large (`"fields"`).
    pub total: &'static str,
}

/// Checks named entries given as `(name, value size in bytes)`: each value at
/// most [`MAX_VALUE_BYTES`], names plus values at most [`MAX_ENTRIES_BYTES`].
pub(crate) fn entry_bytes<'a>(
    entity: &'static str,
    fields: EntryFields,
    entries: impl IntoIterator<Item = (&'a str, usize)>,
) -> Result<()> {
    let mut total = 0usize;
    for (name, bytes) in entries {
        if bytes > MAX_VALUE_BYTES {
            return Err(ObsError::validation(
                entity,
                fields.value,
                format!("{name}: {bytes} bytes"),
                format!("must be at most {MAX_VALUE_BYTES} bytes"),
            ));
        }
        total = total.saturating_add(name.len()).saturating_add(bytes);
    }
    if total > MAX_ENTRIES_BYTES {
        return Err(ObsError::validation(
            entity,
            fields.total,
            format!("{total} bytes"),
            format!("names and values must total at most {MAX_ENTRIES_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The length of `value` encoded as compact JSON, counting no further than
/// just past `limit` (so a huge value costs no more than a small one).
pub(crate) fn json_bytes(value: &serde_json::Value, limit: usize) -> usize {
    use serde_json::Value;
    // the common scalars are measured without encoding them
    match value {
        Value::Null | Value::Bool(true) => return 4,
        Value::Bool(false) => return 5,
        Value::String(s) if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') => return s.len() + 2,
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                return decimal_digits(u);
            }
            if let Some(i) = n.as_i64() {
                return 1 + decimal_digits(i.unsigned_abs());
            }
        }
        _ => {}
    }
    struct Counter {
        bytes: usize,
        limit: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes += buf.len();
            if self.bytes > self.limit {
                return Err(std::io::Error::other("limit reached"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { bytes: 0, limit };
    let _stopped_at_limit = serde_json::to_writer(&mut counter, value);
    counter.bytes
}

/// How many decimal digits `n` is written with.
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
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

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,20}|[\"\\\\\u{0}-\u{1f}a\u{7f}\u{80}-\u{9f}é]{0,20}".prop_map(Value::from),
        ];
        scalar.prop_recursive(2, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z\"]{0,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn json_bytes_of_any_value_is_its_encoded_length(value in json_value(), limit in 0usize..64) {
            let encoded = serde_json::to_vec(&value).unwrap().len();
            prop_assert_eq!(json_bytes(&value, usize::MAX), encoded);
            let counted = json_bytes(&value, limit);
            prop_assert_eq!(counted > limit, encoded > limit);
            prop_assert!(counted <= encoded);
        }

        #[test]
        fn text_and_short_name_fast_paths_agree_with_the_char_rules(s in "\\PC{0,12}|[ \t\u{0}-\u{1f}\u{7f}-\u{a0}\u{2003}aé]{0,12}", max in 0usize..14) {
            let blank = s.trim().is_empty();
            let long = s.chars().count() > max;
            prop_assert_eq!(text("log", "message", &s, max).is_ok(), !blank && !long);
            let control = s.chars().any(char::is_control);
            let short_ok = !blank && s.chars().count() <= MAX_SHORT_NAME_LEN && !control;
            prop_assert_eq!(short_name("log", "target", &s).is_ok(), short_ok);
        }

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
        fn entry_bytes_accepts_exactly_the_bounds(
            sizes in proptest::collection::vec((0usize..64, 0usize..MAX_VALUE_BYTES + 2), 0..8)
        ) {
            let names: Vec<String> = sizes.iter().map(|(n, _)| "k".repeat(*n)).collect();
            let entries = names.iter().map(String::as_str).zip(sizes.iter().map(|(_, b)| *b));
            let fields = EntryFields { value: "field value", total: "fields" };
            let each_ok = sizes.iter().all(|(_, b)| *b <= MAX_VALUE_BYTES);
            let total: usize = sizes.iter().map(|(n, b)| n + b).sum();
            match entry_bytes("log entry", fields, entries) {
                Ok(()) => prop_assert!(each_ok && total <= MAX_ENTRIES_BYTES),
                Err(err) => {
                    prop_assert_eq!(err.entity(), Some("log entry"));
                    let expected = if each_ok { "fields" } else { "field value" };
                    prop_assert_eq!(err.field(), Some(expected));
                    prop_assert!(!each_ok || total > MAX_ENTRIES_BYTES);
                    prop_assert!(err.rule().unwrap().contains("bytes"));
                }
            }
        }

        #[test]
        fn json_bytes_is_the_encoded_length_up_to_the_limit(
            text in "\\PC{0,40}", number in proptest::num::f64::NORMAL, items in 0usize..30, limit in 0usize..400
        ) {
            let value = serde_json::json!({ "t": text, "n": number, "list": vec![text.clone(); items] });
            let encoded = serde_json::to_vec(&value).unwrap().len();
            let counted = json_bytes(&value, limit);
            if encoded <= limit {
                prop_assert_eq!(counted, encoded);
            } else {
                prop_assert!(counted > limit && counted <= encoded);
            }
        }

        #[test]
        fn text_never_panics(s in "\\PC*", max in 0usize..50) {
            let ok = text("log", "message", &s, max).is_ok();
            prop_assert_eq!(ok, !s.trim().is_empty() && s.chars().count() <= max);
        }
    }
}
