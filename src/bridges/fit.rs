//! Fitting what a facade hands over into the entities' limits, so a record
//! is kept (trimmed) rather than refused by validation.

use std::collections::BTreeMap;

#[cfg(feature = "tracing")]
use crate::domain::rules::MAX_LABEL_VALUE_LEN;
use crate::domain::rules::MAX_VALUE_BYTES;
use crate::domain::rules::{
    self, MAX_ATTRIBUTES, MAX_ENTRIES_BYTES, MAX_LOG_MESSAGE_LEN, MAX_SHORT_NAME_LEN,
};

/// The first `max` characters of `text`.
pub(crate) fn truncate_chars(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
    }
    text
}

/// A log message that validates: `fallback` when `text` is blank, cut to
/// [`MAX_LOG_MESSAGE_LEN`] characters.
pub(crate) fn message(text: String, fallback: &str) -> String {
    let text = if text.trim().is_empty() {
        fallback.to_owned()
    } else {
        text
    };
    truncate_chars(text, MAX_LOG_MESSAGE_LEN)
}

/// `name` cut to a valid short name (target, operation), or `fallback` when
/// it is blank or holds control characters.
pub(crate) fn short_name(name: &str, fallback: &str) -> String {
    let name = truncate_chars(name.to_owned(), MAX_SHORT_NAME_LEN);
    if rules::short_name("bridge", "name", &name).is_ok() {
        name
    } else {
        fallback.to_owned()
    }
}

/// Named values kept within the limits every entity applies to its fields
/// and attributes: valid short names, at most [`MAX_ATTRIBUTES`] entries,
/// each value at most [`MAX_VALUE_BYTES`], names and values together at most
/// [`MAX_ENTRIES_BYTES`]. What does not fit is left out and counted.
#[derive(Debug)]
pub(crate) struct Entries<V> {
    map: BTreeMap<String, (V, usize)>,
    bytes: usize,
    dropped: u64,
}

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries {
            map: BTreeMap::new(),
            bytes: 0,
            dropped: 0,
        }
    }
}

impl<V> Entries<V> {
    /// Sets `name` to `value`, whose size counted against the limits is
    /// `size` bytes; returns whether it was kept.
    pub(crate) fn insert(&mut self, name: &str, value: V, size: usize) -> bool {
        let fits_name = rules::short_name("bridge", "name", name).is_ok();
        let old = self.map.get(name).map_or(0, |(_, old)| name.len() + old);
        let total = self.bytes - old + name.len() + size;
        let room = old > 0 || self.map.len() < MAX_ATTRIBUTES;
        if !fits_name || size > MAX_VALUE_BYTES || total > MAX_ENTRIES_BYTES || !room {
            self.dropped += 1;
            return false;
        }
        self.bytes = total;
        self.map.insert(name.to_owned(), (value, size));
        true
    }

    /// How many values were left out.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept entries, sorted by name.
    pub(crate) fn into_entries(self) -> impl Iterator<Item = (String, V)> {
        self.map.into_iter().map(|(name, (value, _))| (name, value))
    }
}

impl Entries<serde_json::Value> {
    /// Sets a log field, sized as its compact JSON.
    pub(crate) fn insert_json(&mut self, name: &str, value: serde_json::Value) -> bool {
        let size = rules::json_bytes(&value, MAX_VALUE_BYTES);
        self.insert(name, value, size)
    }
}

#[cfg(feature = "tracing")]
impl Entries<String> {
    /// Sets a span attribute, its value cut to [`MAX_LABEL_VALUE_LEN`] characters.
    pub(crate) fn insert_text(&mut self, name: &str, value: String) -> bool {
        let value = truncate_chars(value, MAX_LABEL_VALUE_LEN);
        let size = value.len();
        self.insert(name, value, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LogEntry, LogLevel};
    use proptest::prelude::*;

    #[test]
    fn messages_are_never_blank_or_too_long() {
        assert_eq!(message("  ".into(), "fallback"), "fallback");
        let long = message("é".repeat(MAX_LOG_MESSAGE_LEN + 5), "x");
        assert_eq!(long.chars().count(), MAX_LOG_MESSAGE_LEN);
        assert_eq!(short_name("a\u{7}b", "fallback"), "fallback");
        assert_eq!(short_name(&"n".repeat(500), "x").len(), MAX_SHORT_NAME_LEN);
    }

    #[test]
    fn entries_stop_at_the_count_limit_and_replace_in_place() {
        let mut entries = Entries::default();
        for i in 0..MAX_ATTRIBUTES + 3 {
            entries.insert_json(&format!("k{i}"), "v".into());
        }
        assert_eq!(entries.dropped(), 3);
        assert!(
            entries.insert_json("k0", "replaced".into()),
            "an existing name always has room"
        );
        assert_eq!(entries.into_entries().count(), MAX_ATTRIBUTES);
    }

    proptest! {
        // Whatever arrives, what is kept passes the entities' own validation.
        #[test]
        fn kept_fields_always_validate(
            pairs in proptest::collection::vec(("\\PC{0,140}", 0usize..20_000), 0..80),
            text in "\\PC{0,30}",
        ) {
            let mut fields = Entries::default();
            for (name, len) in &pairs {
                fields.insert_json(name, serde_json::Value::String("x".repeat(*len)));
            }
            let mut entry = LogEntry::builder(LogLevel::Info, message(text, "fallback"));
            for (name, value) in fields.into_entries() {
                entry = entry.field(name, value);
            }
            prop_assert!(entry.build().is_ok());
        }

        #[cfg(feature = "tracing")]
        #[test]
        fn kept_attributes_always_validate(
            pairs in proptest::collection::vec(("\\PC{0,140}", 0usize..5_000), 0..80),
        ) {
            let mut attributes = Entries::default();
            for (name, len) in &pairs {
                attributes.insert_text(name, "y".repeat(*len));
            }
            let mut span = crate::Span::root("op", "svc").unwrap();
            for (name, value) in attributes.into_entries() {
                span = span.with_attribute(name, value).unwrap();
            }
        }
    }
}
