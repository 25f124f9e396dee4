//! Stored traces as Jaeger JSON: the body of Jaeger's query API
//! (`GET /api/traces/{id}`), which Jaeger's UI also opens from a file
//! ("Upload JSON").
//!
//! Each span becomes a Jaeger span: its parent a `CHILD_OF` reference (always
//! the first reference, since the UI nests a span under its first one), its
//! links (kept in [`LINKS_ATTRIBUTE`]) `FOLLOWS_FROM` references, its
//! attributes string tags plus `span.kind`, `otel.status_code` and, for a
//! failed span, `error: true` (the OpenTelemetry-to-Jaeger conventions), its
//! events logs with an `event` field. Times are microseconds since the Unix
//! epoch. Each service name becomes one process (`p1`, `p2`, …).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{TracingService, LINKS_ATTRIBUTE};
use crate::domain::{Span, SpanKind, SpanStatus, TraceId};
use crate::error::{ObsError, Result};
use crate::propagation::TraceParent;

/// `spans` as Jaeger JSON, `{"data": [trace, …]}`, one trace per trace id in
/// the order the ids first appear, each trace's spans in the order given.
///
/// ```
/// use observa::{Span, SpanStatus};
///
/// let root = Span::root("GET /orders", "api")?.finish(SpanStatus::Ok)?;
/// let child = root.child("SELECT orders")?.finish(SpanStatus::Error)?;
/// let json = observa::traces::jaeger_json(&[root.clone(), child]);
///
/// let trace = &json["data"][0];
/// assert_eq!(trace["traceID"], root.trace_id().to_string());
/// let child = &trace["spans"][1];
/// assert_eq!(child["operationName"], "SELECT orders");
/// assert_eq!(child["references"][0]["refType"], "CHILD_OF");
/// assert_eq!(child["references"][0]["spanID"], root.span_id().to_string());
/// assert_eq!(trace["processes"][child["processID"].as_str().unwrap()]["serviceName"], "api");
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn jaeger_json(spans: &[Span]) -> Value {
    let mut order: Vec<TraceId> = Vec::new();
    let mut by_trace: BTreeMap<TraceId, Vec<&Span>> = BTreeMap::new();
    for span in spans {
        let group = by_trace.entry(span.trace_id()).or_default();
        if group.is_empty() {
            order.push(span.trace_id());
        }
        group.push(span);
    }
    let data: Vec<JaegerTrace<'_>> = order
        .iter()
        .map(|id| trace(*id, by_trace.get(id).map_or(&[][..], Vec::as_slice)))
        .collect();
    serde_json::json!({ "data": data })
}

impl TracingService {
    /// The stored spans of `trace_id` as Jaeger JSON (see [`jaeger_json`]);
    /// not found if no span of it is stored.
    ///
    /// ```
    /// # use observa::{Observability, SpanStatus};
    /// let obs = Observability::builder().service("api", "1").build()?;
    /// let root = obs.tracing().start_trace("GET /")?;
    /// let root = obs.tracing().finish(root, SpanStatus::Ok)?;
    /// let json = obs.tracing().jaeger_json(root.trace_id())?;
    /// assert_eq!(json["data"][0]["spans"][0]["operationName"], "GET /");
    /// assert_eq!(obs.tracing().jaeger_json(observa::TraceId::random()).unwrap_err().code(), "not_found");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn jaeger_json(&self, trace_id: TraceId) -> Result<Value> {
        let spans = self.spans(trace_id)?;
        if spans.is_empty() {
            return Err(ObsError::not_found("trace", trace_id));
        }
        Ok(jaeger_json(&spans))
    }
}

#[derive(Serialize)]
struct JaegerTrace<'a> {
    #[serde(rename = "traceID")]
    trace_id: String,
    spans: Vec<JaegerSpan<'a>>,
    processes: BTreeMap<String, Process<'a>>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JaegerSpan<'a> {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
    operation_name: &'a str,
    references: Vec<Reference>,
    start_time: i64,
    duration: i64,
    tags: Vec<Tag<'a>>,
    logs: Vec<Log<'a>>,
    #[serde(rename = "processID")]
    process_id: String,
    warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    ref_type: &'static str,
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
}

#[derive(Serialize)]
struct Process<'a> {
    #[serde(rename = "serviceName")]
    service_name: &'a str,
    tags: Vec<Tag<'a>>,
}

#[derive(Serialize)]
struct Tag<'a> {
    key: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: Value,
}

impl<'a> Tag<'a> {
    fn string(key: &'a str, value: &str) -> Self {
        Tag {
            key,
            kind: "string",
            value: Value::from(value),
        }
    }
}

#[derive(Serialize)]
struct Log<'a> {
    timestamp: i64,
    fields: Vec<Tag<'a>>,
}

fn trace<'a>(trace_id: TraceId, spans: &[&'a Span]) -> JaegerTrace<'a> {
    let mut processes: BTreeMap<String, Process<'a>> = BTreeMap::new();
    let mut process_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut jaeger_spans = Vec::with_capacity(spans.len());
    for span in spans {
        let next = process_of.len() + 1;
        let process_id = process_of
            .entry(span.service())
            .or_insert_with(|| {
                let id = format!("p{next}");
                processes.insert(
                    id.clone(),
                    Process {
                        service_name: span.service(),
                        tags: Vec::new(),
                    },
                );
                id
            })
            .clone();
        jaeger_spans.push(jaeger_span(span, process_id));
    }
    JaegerTrace {
        trace_id: trace_id.to_string(),
        spans: jaeger_spans,
        processes,
        warnings: Vec::new(),
    }
}

fn jaeger_span(span: &Span, process_id: String) -> JaegerSpan<'_> {
    let mut warnings = Vec::new();
    let mut references = Vec::new();
    if let Some(parent) = span.parent_span_id() {
        references.push(Reference {
            ref_type: "CHILD_OF",
            trace_id: span.trace_id().to_string(),
            span_id: parent.to_string(),
        });
    }
    let mut tags: Vec<Tag<'_>> = Vec::with_capacity(span.attributes().len() + 3);
    for (key, value) in span.attributes() {
        if key == LINKS_ATTRIBUTE {
            match parse_links(value) {
                Some(links) => {
                    references.extend(links.iter().map(|l| Reference {
                        ref_type: "FOLLOWS_FROM",
                        trace_id: l.trace_id().to_string(),
                        span_id: l.parent_id().to_string(),
                    }));
                    continue;
                }
                None => warnings.push(format!(
                    "{LINKS_ATTRIBUTE} holds an unreadable link, kept as a tag"
                )),
            }
        }
        tags.push(Tag::string(key, value));
    }
    tags.push(Tag::string("span.kind", kind_name(span.kind())));
    match span.status() {
        SpanStatus::Unset => {}
        SpanStatus::Ok => tags.push(Tag::string("otel.status_code", "OK")),
        SpanStatus::Error => {
            tags.push(Tag::string("otel.status_code", "ERROR"));
            tags.push(Tag {
                key: "error",
                kind: "bool",
                value: Value::Bool(true),
            });
        }
    }
    let start_time = micros(span.start());
    let duration = match span.duration() {
        Some(d) => d.num_microseconds().unwrap_or(i64::MAX).max(0),
        None => {
            warnings.push("the span was not finished: its duration is shown as 0".to_owned());
            0
        }
    };
    if start_time == 0 {
        warnings.push("the span started at or before 1970-01-01: its start is shown as 0".to_owned());
    }
    let logs = span
        .events()
        .iter()
        .map(|event| Log {
            timestamp: micros(event.time()),
            fields: vec![Tag::string("event", event.name())],
        })
        .collect();
    JaegerSpan {
        trace_id: span.trace_id().to_string(),
        span_id: span.span_id().to_string(),
        operation_name: span.operation(),
        references,
        start_time,
        duration,
        tags,
        logs,
        process_id,
        warnings,
    }
}

/// Microseconds since the Unix epoch; Jaeger's times are unsigned, so
/// earlier times are shown as 0.
fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros().max(0)
}

/// The links of [`LINKS_ATTRIBUTE`] (comma-separated `traceparent`s), or
/// `None` if any is unreadable.
fn parse_links(value: &str) -> Option<Vec<TraceParent>> {
    value.split(',').map(|l| l.trim().parse().ok()).collect()
}

fn kind_name(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Internal => "internal",
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
    }
}

#[cfg(test)]
#[path = "jaeger_tests.rs"]
mod tests;
