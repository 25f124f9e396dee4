//! One record as one JSON line, with the OpenTelemetry log data model names.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

use super::Record;
use crate::{LogEntry, LogLevel, ServiceInfo, Span};

/// The service identity written with every line: `service.name`,
/// `service.version` and, when set, `deployment.environment`. Encoded once,
/// when it is built.
///
/// ```
/// use observa::sinks::Resource;
///
/// let resource = Resource::new("checkout", "1.4.2").environment("prod");
/// assert_eq!(
///     resource.as_json(),
///     r#"{"service.name":"checkout","service.version":"1.4.2","deployment.environment":"prod"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    json: String,
    info: ServiceInfo,
}

impl Resource {
    /// A resource with a service name and version.
    ///
    /// ```
    /// let resource = observa::sinks::Resource::new("api", "2");
    /// assert_eq!(resource.as_json(), r#"{"service.name":"api","service.version":"2"}"#);
    /// ```
    pub fn new(service: impl Into<String>, version: impl Into<String>) -> Resource {
        Resource::from(&ServiceInfo {
            service: service.into(),
            version: version.into(),
            environment: None,
        })
    }

    /// Sets `deployment.environment`.
    ///
    /// ```
    /// let resource = observa::sinks::Resource::new("api", "2").environment("staging");
    /// assert!(resource.as_json().ends_with(r#""deployment.environment":"staging"}"#));
    /// ```
    #[must_use]
    pub fn environment(self, environment: impl Into<String>) -> Resource {
        let mut info = self.info;
        info.environment = Some(environment.into());
        Resource::from(&info)
    }

    /// The resource as a JSON object, exactly as it appears in each line.
    ///
    /// ```
    /// let resource = observa::sinks::Resource::new("a\"b", "1");
    /// let json: serde_json::Value = serde_json::from_str(resource.as_json())?;
    /// assert_eq!(json["service.name"], "a\"b");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_json(&self) -> &str {
        &self.json
    }
}

impl From<&ServiceInfo> for Resource {
    /// The container's identity as a resource.
    ///
    /// ```
    /// use observa::sinks::Resource;
    ///
    /// let obs = observa::Observability::builder().service("api", "2").environment("prod").build()?;
    /// let resource = Resource::from(obs.info());
    /// assert!(resource.as_json().contains(r#""service.name":"api""#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    fn from(info: &ServiceInfo) -> Resource {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(br#"{"service.name":"#);
        string(&mut out, &info.service);
        out.extend_from_slice(br#","service.version":"#);
        string(&mut out, &info.version);
        if let Some(environment) = &info.environment {
            out.extend_from_slice(br#","deployment.environment":"#);
            string(&mut out, environment);
        }
        out.push(b'}');
        Resource {
            json: String::from_utf8_lossy(&out).into_owned(),
            info: info.clone(),
        }
    }
}

/// Writes records as JSON lines (one object, one `\n`), with the names of the
/// OpenTelemetry log data model.
///
/// A log entry becomes `timestamp` and `observed_timestamp` (RFC 3339, UTC,
/// nanoseconds), `severity_text` (`TRACE` `DEBUG` `INFO` `SUCCESS` `WARNING`
/// `ERROR` `CRITICAL`), `severity_number` (OTel numbers, see
/// [`LogLevel::severity_number`]), `body`, `attributes` (the entry's fields),
/// and when present `trace_id`, `span_id`, `trace_flags` (two lowercase hex
/// digits, as in `traceparent`), `correlation_id` and
/// `instrumentation_scope.name` (the target); then `resource`.
///
/// A span becomes `name`, `trace_id`, `span_id`, `parent_span_id` (when it
/// has one), `trace_flags` (when known), `kind`, `status`, `start_time`,
/// `end_time` and `duration_ns` (once finished), `attributes`, `events`
/// (`name`, `timestamp`) and `resource`. Strings are escaped by `serde_json`.
///
/// ```
/// use observa::sinks::{JsonEncoder, Record, Resource};
/// use observa::{LogEntry, LogLevel};
///
/// let encoder = JsonEncoder::new(Resource::new("shop", "1.0"));
/// let entry = LogEntry::builder(LogLevel::Warning, "retrying \"payment\"").field("attempt", 2).build()?;
/// let mut line = Vec::new();
/// encoder.encode(&Record::from(entry), chrono::Utc::now(), &mut line);
///
/// let json: serde_json::Value = serde_json::from_slice(&line)?;
/// assert_eq!(json["severity_number"], 13);
/// assert_eq!(json["body"], "retrying \"payment\"");
/// assert_eq!(json["attributes"]["attempt"], 2);
/// assert_eq!(json["resource"]["service.name"], "shop");
/// assert!(line.ends_with(b"}\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct JsonEncoder {
    resource: Resource,
}

impl JsonEncoder {
    /// An encoder that stamps every line with `resource`.
    ///
    /// ```
    /// use observa::sinks::{JsonEncoder, Resource};
    ///
    /// let encoder = JsonEncoder::new(Resource::new("shop", "1.0"));
    /// let line = encoder.line(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into());
    /// assert!(line.contains(r#""resource":{"service.name":"shop""#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn new(resource: Resource) -> JsonEncoder {
        JsonEncoder { resource }
    }

    /// The resource stamped on every line.
    ///
    /// ```
    /// use observa::sinks::{JsonEncoder, Resource};
    ///
    /// let encoder = JsonEncoder::new(Resource::new("shop", "1.0"));
    /// assert!(encoder.resource().as_json().contains("shop"));
    /// ```
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// Appends `record` as one JSON line (ending in `\n`) to `out`;
    /// `observed` is the log entry's `observed_timestamp` (spans ignore it).
    ///
    /// ```
    /// use chrono::TimeZone;
    /// use observa::sinks::{JsonEncoder, Record, Resource};
    ///
    /// let observed = chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    /// let mut out = Vec::new();
    /// let entry = observa::LogEntry::new(observa::LogLevel::Info, "hi")?;
    /// JsonEncoder::new(Resource::new("shop", "1.0")).encode(&Record::from(entry), observed, &mut out);
    /// let text = String::from_utf8(out)?;
    /// assert!(text.contains(r#""observed_timestamp":"2026-01-02T03:04:05.000000000Z""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode(&self, record: &Record, observed: DateTime<Utc>, out: &mut Vec<u8>) {
        match record {
            Record::Log { entry, trace_flags } => self.log(entry, *trace_flags, observed, out),
            Record::Span { span, trace_flags } => self.span(span, *trace_flags, out),
        }
        out.extend_from_slice(b",\"resource\":");
        out.extend_from_slice(self.resource.json.as_bytes());
        out.extend_from_slice(b"}\n");
    }

    /// `record` as one JSON line (ending in `\n`), observed now.
    ///
    /// ```
    /// use observa::sinks::{JsonEncoder, Resource};
    ///
    /// let span = observa::Span::root("checkout", "shop")?.finish(observa::SpanStatus::Ok)?;
    /// let line = JsonEncoder::new(Resource::new("shop", "1.0")).line(&span.into());
    /// assert!(line.starts_with(r#"{"name":"checkout","#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn line(&self, record: &Record) -> String {
        let mut out = Vec::with_capacity(256);
        self.encode(record, Utc::now(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn log(&self, entry: &LogEntry, trace_flags: Option<u8>, observed: DateTime<Utc>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"timestamp\":");
        timestamp(out, entry.timestamp());
        out.extend_from_slice(b",\"observed_timestamp\":");
        timestamp(out, observed);
        out.extend_from_slice(b",\"severity_text\":\"");
        out.extend_from_slice(severity_text(entry.level()).as_bytes());
        out.extend_from_slice(b"\",\"severity_number\":");
        out.extend_from_slice(
            itoa::Buffer::new()
                .format(entry.level().severity_number())
                .as_bytes(),
        );
        out.extend_from_slice(b",\"body\":");
        string(out, entry.message());
        out.extend_from_slice(b",\"attributes\":{");
        for (i, (key, value)) in entry.fields().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, key);
            out.push(b':');
            json(out, value);
        }
        out.push(b'}');
        if let Some(trace_id) = entry.trace_id() {
            hex_field(out, b",\"trace_id\":\"", &trace_id.to_bytes());
        }
        if let Some(span_id) = entry.span_id() {
            hex_field(out, b",\"span_id\":\"", &span_id.to_bytes());
        }
        if let Some(flags) = trace_flags {
            hex_field(out, b",\"trace_flags\":\"", &[flags]);
        }
        if let Some(correlation_id) = entry.correlation_id() {
            out.extend_from_slice(b",\"correlation_id\":");
            string(out, correlation_id);
        }
        if let Some(target) = entry.target() {
            out.extend_from_slice(b",\"instrumentation_scope\":{\"name\":");
            string(out, target);
            out.push(b'}');
        }
    }

    fn span(&self, span: &Span, trace_flags: Option<u8>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"name\":");
        string(out, span.operation());
        hex_field(out, b",\"trace_id\":\"", &span.trace_id().to_bytes());
        hex_field(out, b",\"span_id\":\"", &span.span_id().to_bytes());
        if let Some(parent) = span.parent_span_id() {
            hex_field(out, b",\"parent_span_id\":\"", &parent.to_bytes());
        }
        if let Some(flags) = trace_flags {
            hex_field(out, b",\"trace_flags\":\"", &[flags]);
        }
        out.extend_from_slice(b",\"kind\":\"");
        out.extend_from_slice(span.kind().as_str().as_bytes());
        out.extend_from_slice(b"\",\"status\":\"");
        out.extend_from_slice(span.status().as_str().as_bytes());
        out.extend_from_slice(b"\",\"start_time\":");
        timestamp(out, span.start());
        if let (Some(end), Some(duration)) = (span.end(), span.duration()) {
            out.extend_from_slice(b",\"end_time\":");
            timestamp(out, end);
            out.extend_from_slice(b",\"duration_ns\":");
            let nanos = duration.num_nanoseconds().unwrap_or(i64::MAX);
            out.extend_from_slice(itoa::Buffer::new().format(nanos).as_bytes());
        }
        out.extend_from_slice(b",\"attributes\":{");
        for (i, (key, value)) in span.attributes().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, key);
            out.push(b':');
            string(out, value);
        }
        out.extend_from_slice(b"},\"events\":[");
        for (i, event) in span.events().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            string(out, event.name());
            out.extend_from_slice(b",\"timestamp\":");
            timestamp(out, event.time());
            out.push(b'}');
        }
        out.push(b']');
    }
}

/// The `severity_text` of a level: its name in upper case.
pub(crate) fn severity_text(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "TRACE",
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Success => "SUCCESS",
        LogLevel::Warning => "WARNING",
        LogLevel::Error => "ERROR",
        LogLevel::Critical => "CRITICAL",
    }
}

/// Appends a JSON string, escaped by serde_json.
fn string(out: &mut Vec<u8>, text: &str) {
    json(out, text);
}

/// Appends any value serde_json can write. Writing into a `Vec` cannot fail
/// for strings and `serde_json::Value`; should it ever, `null` keeps the
/// line valid JSON.
fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let mark = out.len();
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(mark);
        out.extend_from_slice(b"null");
    }
}

/// Appends `prefix`, the bytes as lowercase hex, and a closing quote.
fn hex_field(out: &mut Vec<u8>, prefix: &[u8], bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(prefix);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
    out.push(b'"');
}

/// Appends `"YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"` (RFC 3339, UTC, nanoseconds);
/// a leap second is written as second 60.
fn timestamp(out: &mut Vec<u8>, at: DateTime<Utc>) {
    let (mut second, mut nanos) = (at.second(), at.nanosecond());
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }
    out.push(b'"');
    let year = at.year();
    if (0..=9999).contains(&year) {
        digits(out, year as u32, 4);
    } else {
        // RFC 3339 has four-digit years only; chrono's own rendering keeps the value readable.
        out.extend_from_slice(format!("{year:+}").as_bytes());
    }
    out.push(b'-');
    digits(out, at.month(), 2);
    out.push(b'-');
    digits(out, at.day(), 2);
    out.push(b'T');
    digits(out, at.hour(), 2);
    out.push(b':');
    digits(out, at.minute(), 2);
    out.push(b':');
    digits(out, second, 2);
    out.push(b'.');
    digits(out, nanos, 9);
    out.extend_from_slice(b"Z\"");
}

/// Appends `value` as exactly `width` decimal digits (zero-padded).
fn digits(out: &mut Vec<u8>, value: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut v = value;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
