//! Redaction of whole entities: a log entry's body and fields, a span's
//! attribute values and event names. The services call these before any
//! outlet (repository, sink, exporter) sees the entity.

use std::borrow::Cow;

use super::Redactor;
use crate::domain::rules::{
    self, MAX_ENTRIES_BYTES, MAX_LABEL_VALUE_LEN, MAX_LOG_MESSAGE_LEN, MAX_SHORT_NAME_LEN, MAX_VALUE_BYTES,
};
use crate::domain::{LogEntry, Span};

impl Redactor {
    /// Whether this redactor has no rule at all (as [`Redactor::empty`]):
    /// redacting with it changes nothing, so services skip it.
    ///
    /// ```
    /// use observa::redaction::Redactor;
    ///
    /// assert!(Redactor::empty().is_empty());
    /// assert!(!Redactor::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.patterns == 0 && self.keys.iter().next().is_none()
    }

    /// Redacts a log entry in place: the body by the value patterns, each
    /// field by its key and the patterns ([`redact_field`](Self::redact_field)).
    /// Returns how many values changed. A body that the replacement made
    /// longer than the message limit is cut at the limit; a field value made
    /// larger than the field limits is replaced whole, so the entry stays valid.
    ///
    /// ```
    /// use observa::redaction::Redactor;
    /// use observa::{LogEntry, LogLevel};
    ///
    /// let mut entry = LogEntry::builder(LogLevel::Info, "mail ann@example.com")
    ///     .field("password", "hunter2")
    ///     .field("order", 42)
    ///     .build()?;
    /// assert_eq!(Redactor::default().redact_log_entry(&mut entry), 2);
    /// assert_eq!(entry.message(), "mail [REDACTED]");
    /// assert_eq!(entry.fields()["password"], "[REDACTED]");
    /// assert_eq!(entry.fields()["order"], 42);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn redact_log_entry(&self, entry: &mut LogEntry) -> usize {
        if self.is_empty() {
            return 0;
        }
        let (message, fields) = entry.text_mut();
        let mut changed = self.redact_string(message, MAX_LOG_MESSAGE_LEN);
        let mut grown = Vec::new();
        for (key, value) in fields.iter_mut() {
            if self.redact_field(key, value) > 0 {
                changed += 1;
                grown.push(key.clone());
            }
        }
        if !grown.is_empty() {
            let size = |v: &serde_json::Value| rules::json_bytes(v, MAX_VALUE_BYTES + 1);
            let total: usize = fields.iter().map(|(k, v)| k.len() + size(v)).sum();
            for key in grown {
                let value = fields.get_mut(&key).expect("a field just redacted");
                if total > MAX_ENTRIES_BYTES || size(value) > MAX_VALUE_BYTES {
                    *value = serde_json::Value::String(self.replacement.to_string());
                }
            }
        }
        changed
    }

    /// Redacts a span in place: each attribute value by its key and the
    /// patterns, each event name by the patterns. Returns how many values
    /// changed; a value made longer than its limit is cut at the limit, and
    /// should the attributes then pass their total limit, every changed
    /// value is replaced whole, so the span stays valid.
    ///
    /// ```
    /// use observa::redaction::Redactor;
    /// use observa::{Span, SpanEvent};
    ///
    /// let mut span = Span::root("login", "auth")?
    ///     .with_attribute("http.request.header.authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")?
    ///     .with_attribute("user", "ann@example.com")?
    ///     .with_event(SpanEvent::new("sent to bob@example.com")?)?;
    /// assert_eq!(Redactor::default().redact_span(&mut span), 3);
    /// assert_eq!(span.attributes()["user"], "[REDACTED]");
    /// assert_eq!(span.events()[0].name(), "sent to [REDACTED]");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn redact_span(&self, span: &mut Span) -> usize {
        if self.is_empty() {
            return 0;
        }
        let Some((attributes, events)) = span.text_mut() else {
            return 0;
        };
        let mut grown = Vec::new();
        for (key, value) in attributes.iter_mut() {
            if self.is_sensitive_key(key) {
                self.counters.key();
                value.clear();
                value.push_str(&self.replacement);
                grown.push(key.clone());
            } else if self.redact_string(value, MAX_LABEL_VALUE_LEN) > 0 {
                grown.push(key.clone());
            }
        }
        let mut changed = grown.len();
        let total: usize = attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
        if total > MAX_ENTRIES_BYTES {
            for key in grown {
                let value = attributes.get_mut(&key).expect("an attribute just redacted");
                value.clear();
                value.push_str(&self.replacement);
            }
        }
        for name in events {
            changed += self.redact_string(name, MAX_SHORT_NAME_LEN);
        }
        changed
    }

    /// Redacts `text` in place by the patterns, keeping it within
    /// `max_chars`; 1 if it changed.
    fn redact_string(&self, text: &mut String, max_chars: usize) -> usize {
        match self.redact_text(text) {
            Cow::Borrowed(_) => 0,
            Cow::Owned(mut redacted) => {
                truncate_chars(&mut redacted, max_chars);
                *text = redacted;
                1
            }
        }
    }
}

/// Cuts `text` to at most `max_chars` characters.
fn truncate_chars(text: &mut String, max_chars: usize) {
    if text.len() > max_chars {
        if let Some((at, _)) = text.char_indices().nth(max_chars) {
            text.truncate(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogLevel;

    #[test]
    fn a_body_the_replacement_lengthens_stays_within_the_limit_and_valid() {
        let redactor = Redactor::default().with_replacement("#".repeat(256)).unwrap();
        let body = "a@b.co ".repeat(MAX_LOG_MESSAGE_LEN / 7);
        let mut entry = LogEntry::new(LogLevel::Info, body).unwrap();
        assert!(redactor.redact_log_entry(&mut entry) > 0);
        assert_eq!(entry.message().chars().count(), MAX_LOG_MESSAGE_LEN);
        let json = serde_json::to_string(&entry).unwrap();
        assert!(
            serde_json::from_str::<LogEntry>(&json).is_ok(),
            "still a valid entry"
        );
    }

    #[test]
    fn fields_and_attributes_the_replacement_lengthens_stay_valid() {
        let redactor = Redactor::default().with_replacement("#".repeat(256)).unwrap();
        let mails = "a@b.co ".repeat(MAX_VALUE_BYTES / 8);
        let mut entry = LogEntry::builder(LogLevel::Info, "x")
            .field("one", mails.clone())
            .field(
                "two",
                mails.chars().take(MAX_ENTRIES_BYTES / 4).collect::<String>(),
            )
            .build()
            .unwrap();
        assert_eq!(redactor.redact_log_entry(&mut entry), 2);
        let json = serde_json::to_string(&entry).unwrap();
        assert!(
            serde_json::from_str::<LogEntry>(&json).is_ok(),
            "still a valid entry"
        );

        let mut span = Span::root("op", "svc").unwrap();
        let value = "a@b.co ".repeat(112); // 40 of them fit the total limit before redaction
        for i in 0..40 {
            span = span.with_attribute(format!("k{i}"), value.clone()).unwrap();
        }
        assert_eq!(redactor.redact_span(&mut span), 40);
        let json = serde_json::to_string(&span).unwrap();
        assert!(serde_json::from_str::<Span>(&json).is_ok(), "still a valid span");
    }

    #[test]
    fn an_empty_redactor_changes_nothing() {
        let mut entry = LogEntry::builder(LogLevel::Info, "ann@example.com")
            .field("password", "x")
            .build()
            .unwrap();
        let before = entry.clone();
        assert_eq!(Redactor::empty().redact_log_entry(&mut entry), 0);
        assert_eq!(entry, before);
    }
}
