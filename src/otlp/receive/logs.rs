//! OTLP log records → [`LogEntry`] entities.

use chrono::Utc;

use crate::domain::{LogEntry, LogLevel};
use crate::error::Result;
use crate::otlp::proto::{InstrumentationScope, LogRecord};

use super::values::{span_id, time, to_json, to_text, trace_id};

/// The record as an entity: the level from the severity number (or the
/// severity text when the number is unset; info when neither says), the
/// message from the body (or the event name), the attributes as typed
/// fields plus `service.name` from the resource, the scope name as the
/// target, the trace context, and the time it happened (else when it was
/// observed, else now).
pub(super) fn entry(
    service: Option<&str>,
    scope: Option<&InstrumentationScope>,
    r: &LogRecord,
) -> Result<LogEntry> {
    let message = match r.body.as_ref().and_then(|b| b.value.as_ref()) {
        Some(_) => to_text(r.body.as_ref()),
        None => r.event_name.clone(),
    };
    let mut builder = LogEntry::builder(level(r.severity_number, &r.severity_text), message);
    for attribute in &r.attributes {
        builder = builder.field(attribute.key.as_str(), to_json(attribute.value.as_ref()));
    }
    if let Some(service) = service {
        builder = builder.field("service.name", service);
    }
    if let Some(name) = scope.map(|s| s.name.as_str()).filter(|n| !n.is_empty()) {
        builder = builder.target(name);
    }
    if !r.trace_id.is_empty() {
        let span = match r.span_id.is_empty() {
            true => None,
            false => Some(span_id("log record", &r.span_id)?),
        };
        builder = builder.trace(trace_id("log record", &r.trace_id)?, span);
    }
    let at = match (r.time_unix_nano, r.observed_time_unix_nano) {
        (0, 0) => Utc::now(),
        (0, observed) => time("log record", "observed_time_unix_nano", observed)?,
        (at, _) => time("log record", "time_unix_nano", at)?,
    };
    builder.timestamp(at).build()
}

/// OTLP severity numbers in ranges of four (TRACE 1–4 … FATAL 21–24);
/// 10 (INFO2) is `success`, observa's own level between info and warning.
fn level(number: i32, text: &str) -> LogLevel {
    match number {
        1..=4 => LogLevel::Trace,
        5..=8 => LogLevel::Debug,
        10 => LogLevel::Success,
        9..=12 => LogLevel::Info,
        13..=16 => LogLevel::Warning,
        17..=20 => LogLevel::Error,
        21..=24 => LogLevel::Critical,
        _ => text.trim().parse().unwrap_or(LogLevel::Info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_maps_back_from_its_own_severity_number() {
        for level_ in LogLevel::ALL {
            assert_eq!(level(i32::from(level_.severity_number()), ""), *level_);
        }
        assert_eq!(level(0, "WARN"), LogLevel::Warning);
        assert_eq!(level(0, "shouting"), LogLevel::Info);
        assert_eq!(level(99, ""), LogLevel::Info);
    }
}
