//! [`LogEntry`]: one validated, structured log record.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity_serde::validated_serde;
use super::{rules, LogLevel, SpanId, TraceId};
use crate::error::{ObsError, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct LogEntryFields {
    id: Uuid,
    level: LogLevel,
    message: String,
    #[serde(default)]
    fields: BTreeMap<String, serde_json::Value>,
    target: Option<String>,
    correlation_id: Option<String>,
    trace_id: Option<TraceId>,
    span_id: Option<SpanId>,
    timestamp: DateTime<Utc>,
}

/// One structured log record: level, message (at most 10,000 characters),
/// structured fields, the target or component that wrote it, and the
/// correlation, trace and span ids that tie it to a request.
///
/// ```
/// use observa::{LogEntry, LogLevel};
///
/// let entry = LogEntry::builder(LogLevel::Warning, "retrying payment")
///     .field("attempt", 2)
///     .target("payments")
///     .correlation_id("req-7f3a")
///     .build()?;
/// assert_eq!(entry.fields()["attempt"], 2);
/// assert!(LogEntry::new(LogLevel::Info, "   ").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    f: LogEntryFields,
}

validated_serde!(LogEntry, LogEntryFields);

impl LogEntry {
    /// A record with nothing but a level and a message.
    pub fn new(level: LogLevel, message: impl Into<String>) -> Result<LogEntry> {
        LogEntry::builder(level, message).build()
    }

    /// A builder for fields, target, correlation and trace context.
    pub fn builder(level: LogLevel, message: impl Into<String>) -> LogEntryBuilder {
        LogEntryBuilder {
            f: LogEntryFields {
                id: super::random_uuid(),
                level,
                message: message.into(),
                fields: BTreeMap::new(),
                target: None,
                correlation_id: None,
                trace_id: None,
                span_id: None,
                timestamp: Utc::now(),
            },
        }
    }

    fn validate(f: LogEntryFields) -> Result<LogEntry> {
        rules::text("log entry", "message", &f.message, rules::MAX_LOG_MESSAGE_LEN)?;
        rules::at_most("log entry", "fields", f.fields.len(), rules::MAX_ATTRIBUTES)?;
        for key in f.fields.keys() {
            rules::short_name("log entry", "field name", key)?;
        }
        let sizes = f
            .fields
            .iter()
            .map(|(name, value)| (name.as_str(), rules::json_bytes(value, rules::MAX_VALUE_BYTES)));
        let fields = rules::EntryFields {
            value: "field value",
            total: "fields",
        };
        rules::entry_bytes("log entry", fields, sizes)?;
        if let Some(target) = &f.target {
            rules::short_name("log entry", "target", target)?;
        }
        if let Some(id) = &f.correlation_id {
            validate_correlation_id(id)?;
        }
        if f.span_id.is_some() && f.trace_id.is_none() {
            return Err(ObsError::validation(
                "log entry",
                "span_id",
                "set",
                "a span id needs a trace id",
            ));
        }
        if f.id.is_nil() {
            return Err(ObsError::validation(
                "log entry",
                "id",
                f.id,
                "must not be the nil UUID",
            ));
        }
        Ok(LogEntry { f })
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.f.id
    }
    /// The level.
    pub fn level(&self) -> LogLevel {
        self.f.level
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.f.message
    }
    /// Structured fields, sorted by name.
    pub fn fields(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.f.fields
    }
    /// The target or component that wrote it.
    pub fn target(&self) -> Option<&str> {
        self.f.target.as_deref()
    }
    /// The request correlation id.
    pub fn correlation_id(&self) -> Option<&str> {
        self.f.correlation_id.as_deref()
    }
    /// The trace it belongs to.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.f.trace_id
    }
    /// The span it was written in.
    pub fn span_id(&self) -> Option<SpanId> {
        self.f.span_id
    }
    /// When it was written.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.f.timestamp
    }

    /// The message and fields, rewritten in place by redaction (which keeps
    /// the message within its limit).
    pub(crate) fn text_mut(&mut self) -> (&mut String, &mut BTreeMap<String, serde_json::Value>) {
        (&mut self.f.message, &mut self.f.fields)
    }

    /// Fills the trace context and correlation id the entry does not carry yet.
    /// `correlation_id` must already satisfy [`LogEntryBuilder::correlation_id`]'s rules.
    pub(crate) fn fill_context(&mut self, trace: Option<(TraceId, SpanId)>, correlation_id: Option<&str>) {
        if let (None, Some((trace_id, span_id))) = (self.f.trace_id, trace) {
            self.f.trace_id = Some(trace_id);
            self.f.span_id = Some(span_id);
        }
        if let (None, Some(id)) = (&self.f.correlation_id, correlation_id) {
            self.f.correlation_id = Some(id.to_owned());
        }
    }
}

/// Builds a [`LogEntry`]; see [`LogEntry::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct LogEntryBuilder {
    f: LogEntryFields,
}

impl LogEntryBuilder {
    /// Adds a structured field (at most 64; each value at most
    /// [`MAX_VALUE_BYTES`](crate::domain::rules::MAX_VALUE_BYTES) bytes as JSON, names and
    /// values together at most [`MAX_ENTRIES_BYTES`](crate::domain::rules::MAX_ENTRIES_BYTES)).
    #[inline]
    pub fn field(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.f.fields.insert(name.into(), value.into());
        self
    }
    /// Sets the target or component.
    #[inline]
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.f.target = Some(target.into());
        self
    }
    /// Sets the correlation id (no whitespace, at most 128 characters).
    #[inline]
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.f.correlation_id = Some(id.into());
        self
    }
    /// Ties the record to a trace, and optionally a span in it.
    #[inline]
    pub fn trace(mut self, trace_id: TraceId, span_id: Option<SpanId>) -> Self {
        self.f.trace_id = Some(trace_id);
        self.f.span_id = span_id;
        self
    }
    /// Sets when it was written (default now).
    #[inline]
    pub fn timestamp(mut self, at: DateTime<Utc>) -> Self {
        self.f.timestamp = at;
        self
    }
    /// Validates and builds the record.
    pub fn build(self) -> Result<LogEntry> {
        LogEntry::validate(self.f)
    }
}

/// The rule a correlation id follows: a short name without whitespace.
pub(crate) fn validate_correlation_id(id: &str) -> Result<()> {
    rules::short_name("log entry", "correlation_id", id)?;
    if id.chars().any(char::is_whitespace) {
        return Err(ObsError::validation(
            "log entry",
            "correlation_id",
            id,
            "must not contain whitespace",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn message_limit_is_10_000_characters() {
        assert!(LogEntry::new(LogLevel::Info, "a".repeat(10_000)).is_ok());
        let err = LogEntry::new(LogLevel::Info, "a".repeat(10_001)).unwrap_err();
        assert!(err.to_string().contains("at most 10000"), "{err}");
    }

    #[test]
    fn json_round_trips_and_validates() {
        let entry = LogEntry::builder(LogLevel::Error, "boom")
            .trace(TraceId::random(), Some(SpanId::random()))
            .field("code", "E42")
            .build()
            .unwrap();
        let mut json = serde_json::to_value(&entry).unwrap();
        assert_eq!(serde_json::from_value::<LogEntry>(json.clone()).unwrap(), entry);
        json["level"] = "loud".into();
        assert!(serde_json::from_value::<LogEntry>(json.clone()).is_err());
        json["level"] = "error".into();
        json["trace_id"] = serde_json::Value::Null;
        assert!(serde_json::from_value::<LogEntry>(json).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_messages_never_panic(message in "\\PC{0,100}", correlation in "\\PC{0,10}") {
            let built = LogEntry::builder(LogLevel::Info, message.clone()).correlation_id(correlation).build();
            if built.is_ok() {
                prop_assert!(!message.trim().is_empty());
            }
        }
    }
}
