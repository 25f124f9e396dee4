//! Redaction of JSON values (structured log fields): keys of nested objects
//! are checked against the key rules, strings and integers against the
//! patterns.

use std::borrow::Cow;

use serde_json::Value;

use super::Redactor;

impl Redactor {
    /// Redacts a JSON value in place and returns how many values changed:
    /// a member whose key matches a key rule becomes the replacement string
    /// whatever its type, strings are scanned for patterns, and integers are
    /// scanned through their decimal form (a card number logged as a number
    /// becomes the replacement string). Nesting is walked without recursion.
    ///
    /// ```
    /// use serde_json::json;
    ///
    /// let redactor = observa::redaction::Redactor::default();
    /// let mut body = json!({
    ///     "user": {"email": "ann@example.com", "credentials": {"password": "x"}},
    ///     "card": 4111111111111111u64,
    ///     "items": ["Bearer abcdefgh12345678", 3],
    /// });
    /// assert_eq!(redactor.redact_json(&mut body), 4);
    /// assert_eq!(body, json!({
    ///     "user": {"email": "[REDACTED]", "credentials": "[REDACTED]"},
    ///     "card": "[REDACTED]",
    ///     "items": ["Bearer [REDACTED]", 3],
    /// }));
    /// ```
    pub fn redact_json(&self, value: &mut Value) -> usize {
        if !matches!(value, Value::Object(_) | Value::Array(_)) {
            // a scalar: no stack of pending values to allocate
            return self.redact_scalar(value);
        }
        let mut changed = 0;
        let mut pending = vec![value];
        while let Some(value) = pending.pop() {
            match value {
                Value::Object(members) => {
                    for (key, member) in members.iter_mut() {
                        if self.keys.matches(key) {
                            self.counters.key();
                            *member = Value::String(self.replacement.to_string());
                            changed += 1;
                        } else {
                            pending.push(member);
                        }
                    }
                }
                Value::Array(items) => pending.extend(items.iter_mut()),
                scalar => changed += self.redact_scalar(scalar),
            }
        }
        changed
    }

    /// Redacts a string, integer, float, boolean or null (the last three
    /// never change); returns 1 if it changed.
    fn redact_scalar(&self, value: &mut Value) -> usize {
        let redacted = match value {
            Value::String(text) => match self.redact_text(text) {
                Cow::Owned(redacted) => redacted,
                Cow::Borrowed(_) => return 0,
            },
            Value::Number(number) => {
                let mut digits = Decimal::default();
                let decimal = match (number.as_u64(), number.as_i64()) {
                    (Some(n), _) => digits.of(n, false),
                    (None, Some(n)) => digits.of(n.unsigned_abs(), true),
                    (None, None) => return 0,
                };
                match self.redact_text(decimal) {
                    Cow::Owned(redacted) => redacted,
                    Cow::Borrowed(_) => return 0,
                }
            }
            _ => return 0,
        };
        *value = Value::String(redacted);
        1
    }

    /// Redacts one structured field in place, as [`redact_json`](Self::redact_json)
    /// would redact it as a member named `key`; returns how many values changed.
    ///
    /// ```
    /// use serde_json::json;
    ///
    /// let redactor = observa::redaction::Redactor::default();
    /// let mut token = json!({"value": "abc", "expires": 3600});
    /// assert_eq!(redactor.redact_field("refresh_token", &mut token), 1);
    /// assert_eq!(token, json!("[REDACTED]"));
    /// ```
    pub fn redact_field(&self, key: &str, value: &mut Value) -> usize {
        if self.keys.matches(key) {
            self.counters.key();
            *value = Value::String(self.replacement.to_string());
            return 1;
        }
        self.redact_json(value)
    }
}

/// The decimal form of an integer, written on the stack.
#[derive(Default)]
struct Decimal([u8; 20]);

impl Decimal {
    /// Writes `magnitude` (with a leading `-` if `negative`) and returns it.
    fn of(&mut self, mut magnitude: u64, negative: bool) -> &str {
        let mut at = self.0.len();
        loop {
            at -= 1;
            self.0[at] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if negative {
            at -= 1;
            self.0[at] = b'-';
        }
        std::str::from_utf8(&self.0[at..]).expect("ASCII digits")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::redaction::Pattern;

    #[test]
    fn keys_at_any_depth_and_patterns_in_any_string_are_redacted() {
        let redactor = Redactor::default();
        let mut value = json!([
            {"a": [{"b": {"Session-Id": 42}}]},
            "AKIAIOSFODNN7EXAMPLE",
            {"note": "mail ann@example.com", "count": 12, "ratio": 4111111111111111.0, "ok": true, "none": null},
        ]);
        assert_eq!(redactor.redact_json(&mut value), 3);
        assert_eq!(
            value,
            json!([
                {"a": [{"b": {"Session-Id": "[REDACTED]"}}]},
                "[REDACTED]",
                // floats are not card numbers; other scalars are kept
                {"note": "mail [REDACTED]", "count": 12, "ratio": 4111111111111111.0, "ok": true, "none": null},
            ])
        );
        let counts = redactor.counts();
        assert_eq!(
            (
                counts.keys(),
                counts.pattern(Pattern::AwsAccessKeyId),
                counts.pattern(Pattern::Email)
            ),
            (1, 1, 1)
        );
    }

    #[test]
    fn negative_and_large_integers_are_scanned_by_their_decimal_form() {
        let redactor = Redactor::default();
        let mut value = json!({"n": -4111111111111111i64, "m": 4111111111111112u64});
        // `-4111…` is a card number after a dash; 4111…2 fails the Luhn check
        assert_eq!(redactor.redact_json(&mut value), 1);
        assert_eq!(value, json!({"n": "-[REDACTED]", "m": 4111111111111112u64}));
    }

    proptest::proptest! {
        #[test]
        fn integers_are_scanned_as_their_decimal_text(n in proptest::prelude::any::<i64>(), u in proptest::prelude::any::<u64>()) {
            proptest::prop_assert_eq!(Decimal::default().of(n.unsigned_abs(), n < 0).to_owned(), n.to_string());
            proptest::prop_assert_eq!(Decimal::default().of(u, false).to_owned(), u.to_string());
            let redactor = Redactor::default();
            for value in [Value::from(n), Value::from(u)] {
                let text = value.to_string();
                let mut redacted = value.clone();
                let changed = redactor.redact_json(&mut redacted);
                match redactor.redact_text(&text) {
                    Cow::Owned(expected) => proptest::prop_assert_eq!((changed, redacted), (1, Value::String(expected))),
                    Cow::Borrowed(_) => proptest::prop_assert_eq!((changed, redacted), (0, value)),
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let mut value = json!("Bearer abcdefgh12345678");
        for _ in 0..1_000 {
            value = json!([value]);
        }
        assert_eq!(Redactor::default().redact_json(&mut value), 1);
        assert!(serde_json::to_string(&value)
            .unwrap()
            .contains("Bearer [REDACTED]"));
    }
}
