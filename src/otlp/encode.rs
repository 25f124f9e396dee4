//! Entities to OTLP messages: spans, log entries, and the resource and
//! instrumentation scope that frame them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::proto::{
    self, any_value, span as proto_span, AnyValue, ArrayValue, ExportLogsServiceRequest,
    ExportTraceServiceRequest, InstrumentationScope, KeyValue, KeyValueList, ResourceLogs, ResourceSpans,
    ScopeLogs, ScopeSpans,
};
use crate::domain::{LogEntry, Span, SpanKind, SpanStatus};
use crate::propagation::TraceParent;
use crate::traces::LINKS_ATTRIBUTE;

/// The name of the instrumentation scope observa reports (`observa`).
pub const SCOPE_NAME: &str = "observa";

/// Turns spans and log entries into OTLP messages framed by one resource
/// (`service.name`, `service.version`, `deployment.environment` and your
/// attributes) and the `observa` instrumentation scope; a log entry's target
/// becomes its scope name.
///
/// ```
/// use observa::otlp::OtlpEncoder;
///
/// let encoder = OtlpEncoder::new([("service.name", "shop"), ("service.version", "1.2")]);
/// let span = observa::Span::root("checkout", "shop")?.finish(observa::SpanStatus::Ok)?;
/// let request = encoder.traces_request(vec![encoder.span(&span, Some(1))]);
/// let sent = &request.resource_spans[0].scope_spans[0].spans[0];
/// assert_eq!(sent.name, "checkout");
/// assert_eq!(sent.trace_id, span.trace_id().to_bytes());
/// assert_eq!(sent.flags, 0x101, "sampled, parent-is-remote bit known");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OtlpEncoder {
    resource: proto::Resource,
    scope: InstrumentationScope,
}

impl OtlpEncoder {
    /// An encoder for this resource's attributes (later keys win over earlier ones).
    ///
    /// ```
    /// let encoder = observa::otlp::OtlpEncoder::new([("service.name", "a"), ("service.name", "b")]);
    /// assert_eq!(encoder.resource().attributes.len(), 1);
    /// assert_eq!(encoder.resource().attributes[0].value.as_ref().and_then(|v| v.as_str()), Some("b"));
    /// ```
    pub fn new<K: Into<String>, V: Into<String>>(
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> OtlpEncoder {
        let unique: BTreeMap<String, String> = attributes
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        OtlpEncoder {
            resource: proto::Resource {
                attributes: unique.into_iter().map(|(k, v)| KeyValue::string(k, v)).collect(),
                dropped_attributes_count: 0,
            },
            scope: InstrumentationScope {
                name: SCOPE_NAME.into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..Default::default()
            },
        }
    }

    /// The resource every request carries.
    ///
    /// ```
    /// assert!(observa::otlp::OtlpEncoder::new::<&str, &str>([]).resource().attributes.is_empty());
    /// ```
    pub fn resource(&self) -> &proto::Resource {
        &self.resource
    }

    /// One span: ids, kind, times, attributes, events, links (read back from
    /// the [`LINKS_ATTRIBUTE`] attribute) and status. `trace_flags` are the
    /// W3C flags of its trace, when known.
    ///
    /// ```
    /// use observa::otlp::{proto, OtlpEncoder};
    ///
    /// let span = observa::Span::root("load", "shop")?.finish(observa::SpanStatus::Error)?;
    /// let sent = OtlpEncoder::new([("service.name", "shop")]).span(&span, None);
    /// assert_eq!(sent.status.unwrap().code, proto::StatusCode::Error as i32);
    /// assert_eq!(sent.kind, proto::SpanKind::Internal as i32);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn span(&self, span: &Span, trace_flags: Option<u8>) -> proto::Span {
        let mut attributes = Vec::with_capacity(span.attributes().len());
        let mut links = Vec::new();
        for (key, value) in span.attributes() {
            if key == LINKS_ATTRIBUTE {
                links.extend(value.split(',').filter_map(link));
            } else {
                attributes.push(KeyValue::string(key.as_str(), value.as_str()));
            }
        }
        let start = nanos(span.start());
        proto::Span {
            trace_id: span.trace_id().to_bytes().to_vec(),
            span_id: span.span_id().to_bytes().to_vec(),
            parent_span_id: span
                .parent_span_id()
                .map(|p| p.to_bytes().to_vec())
                .unwrap_or_default(),
            flags: flags(trace_flags),
            name: span.operation().to_owned(),
            kind: kind(span.kind()) as i32,
            start_time_unix_nano: start,
            end_time_unix_nano: span.end().map_or(start, nanos),
            attributes,
            events: span
                .events()
                .iter()
                .map(|e| proto_span::Event {
                    time_unix_nano: nanos(e.time()),
                    name: e.name().to_owned(),
                    ..Default::default()
                })
                .collect(),
            links,
            status: Some(proto::Status {
                message: String::new(),
                code: status(span.status()) as i32,
            }),
            ..Default::default()
        }
    }

    /// One log record in the log data model: times, severity, body,
    /// attributes (the entry's fields, and its correlation id), trace
    /// context. `observed` is when the pipeline saw it.
    ///
    /// ```
    /// use observa::{LogEntry, LogLevel};
    ///
    /// let entry = LogEntry::builder(LogLevel::Warning, "slow").field("ms", 812).build()?;
    /// let record = observa::otlp::OtlpEncoder::new([("service.name", "shop")]).log_record(&entry, None, chrono::Utc::now());
    /// assert_eq!((record.severity_number, record.severity_text.as_str()), (13, "WARNING"));
    /// assert_eq!(record.body.unwrap().as_str(), Some("slow"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn log_record(
        &self,
        entry: &LogEntry,
        trace_flags: Option<u8>,
        observed: DateTime<Utc>,
    ) -> proto::LogRecord {
        let mut attributes: Vec<KeyValue> = entry
            .fields()
            .iter()
            .map(|(key, value)| KeyValue {
                key: key.clone(),
                value: Some(json_value(value)),
            })
            .collect();
        if let Some(id) = entry.correlation_id() {
            attributes.push(KeyValue::string("correlation_id", id));
        }
        proto::LogRecord {
            time_unix_nano: nanos(entry.timestamp()),
            observed_time_unix_nano: nanos(observed),
            severity_number: i32::from(entry.level().severity_number()),
            severity_text: crate::sinks::severity_text(entry.level()).to_owned(),
            body: Some(AnyValue::string(entry.message())),
            attributes,
            flags: trace_flags.map_or(0, u32::from),
            trace_id: entry
                .trace_id()
                .map(|t| t.to_bytes().to_vec())
                .unwrap_or_default(),
            span_id: entry.span_id().map(|s| s.to_bytes().to_vec()).unwrap_or_default(),
            ..Default::default()
        }
    }

    /// A `POST /v1/traces` body holding `spans`.
    ///
    /// ```
    /// let request = observa::otlp::OtlpEncoder::new([("service.name", "shop")]).traces_request(Vec::new());
    /// assert_eq!(request.resource_spans[0].scope_spans[0].scope.as_ref().unwrap().name, "observa");
    /// ```
    pub fn traces_request(&self, spans: Vec<proto::Span>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(self.resource.clone()),
                scope_spans: vec![ScopeSpans {
                    scope: Some(self.scope.clone()),
                    spans,
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            }],
        }
    }

    /// A `POST /v1/logs` body holding `records`, grouped by scope: each
    /// record's scope is its entry's target, or `observa` when it has none.
    ///
    /// ```
    /// use observa::{LogEntry, LogLevel};
    ///
    /// let encoder = observa::otlp::OtlpEncoder::new([("service.name", "shop")]);
    /// let entry = LogEntry::builder(LogLevel::Info, "hi").target("shop::cart").build()?;
    /// let record = encoder.log_record(&entry, None, chrono::Utc::now());
    /// let request = encoder.logs_request(vec![(entry.target().map(str::to_owned), record)]);
    /// assert_eq!(request.resource_logs[0].scope_logs[0].scope.as_ref().unwrap().name, "shop::cart");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn logs_request(&self, records: Vec<(Option<String>, proto::LogRecord)>) -> ExportLogsServiceRequest {
        let mut scopes: BTreeMap<Option<String>, Vec<proto::LogRecord>> = BTreeMap::new();
        for (target, record) in records {
            scopes.entry(target).or_default().push(record);
        }
        let scope_logs = scopes
            .into_iter()
            .map(|(target, log_records)| ScopeLogs {
                scope: Some(match target {
                    Some(name) => InstrumentationScope {
                        name,
                        ..Default::default()
                    },
                    None => self.scope.clone(),
                }),
                log_records,
                schema_url: String::new(),
            })
            .collect();
        ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(self.resource.clone()),
                scope_logs,
                schema_url: String::new(),
            }],
        }
    }

    pub(crate) fn scope(&self) -> &InstrumentationScope {
        &self.scope
    }
}

/// Nanoseconds since the Unix epoch (0 before it, saturating after 2262).
pub(crate) fn nanos(time: DateTime<Utc>) -> u64 {
    time.timestamp_nanos_opt()
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

/// OTLP span flags: the W3C flags in bits 0-7, and bit 8 set to say bit 9
/// (parent is remote) is known; observa's spans are recorded locally.
fn flags(trace_flags: Option<u8>) -> u32 {
    trace_flags.map_or(0, |f| u32::from(f) | 0x100)
}

fn link(traceparent: &str) -> Option<proto_span::Link> {
    let parent: TraceParent = traceparent.trim().parse().ok()?;
    Some(proto_span::Link {
        trace_id: parent.trace_id().to_bytes().to_vec(),
        span_id: parent.parent_id().to_bytes().to_vec(),
        flags: flags(Some(parent.flags().to_byte())),
        ..Default::default()
    })
}

fn kind(kind: SpanKind) -> proto::SpanKind {
    match kind {
        SpanKind::Internal => proto::SpanKind::Internal,
        SpanKind::Server => proto::SpanKind::Server,
        SpanKind::Client => proto::SpanKind::Client,
        SpanKind::Producer => proto::SpanKind::Producer,
        SpanKind::Consumer => proto::SpanKind::Consumer,
    }
}

fn status(status: SpanStatus) -> proto::StatusCode {
    match status {
        SpanStatus::Unset => proto::StatusCode::Unset,
        SpanStatus::Ok => proto::StatusCode::Ok,
        SpanStatus::Error => proto::StatusCode::Error,
    }
}

/// A JSON field value as an OTLP value: strings, booleans, integers,
/// doubles, arrays and objects map to their kind; `null` is an empty value.
fn json_value(value: &serde_json::Value) -> AnyValue {
    use serde_json::Value as J;
    let value = match value {
        J::Null => None,
        J::Bool(b) => Some(any_value::Value::BoolValue(*b)),
        J::Number(n) => Some(match n.as_i64() {
            Some(i) => any_value::Value::IntValue(i),
            None => any_value::Value::DoubleValue(n.as_f64().unwrap_or(f64::NAN)),
        }),
        J::String(s) => Some(any_value::Value::StringValue(s.clone())),
        J::Array(items) => Some(any_value::Value::ArrayValue(ArrayValue {
            values: items.iter().map(json_value).collect(),
        })),
        J::Object(map) => Some(any_value::Value::KvlistValue(KeyValueList {
            values: map
                .iter()
                .map(|(k, v)| KeyValue {
                    key: k.clone(),
                    value: Some(json_value(v)),
                })
                .collect(),
        })),
    };
    AnyValue { value }
}
