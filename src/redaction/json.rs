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
                Value::String(text) => {
                    if let Cow::Owned(redacted) = self.redact_text(text) {
                        *text = redacted;
                        changed += 1;
                    }
                }
                Value::Number(number) if number.is_u64() || number.is_i64() => {
                    if let Cow::Owned(redacted) = self.redact_text(&number.to_string()) {
                        *value = Value::String(redacted);
                        changed += 1;
                    }
                }
                Value::Number(_) | Value::Bool(_) | Value::Null => {}
            }
        }
        changed
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
