//! OTLP spans → [`Span`] entities.

use crate::domain::{Span, SpanEvent, SpanKind, SpanStatus};
use crate::error::{ObsError, Result};
use crate::otlp::proto::{self, InstrumentationScope};
use crate::propagation::{TraceFlags, TraceParent};
use crate::traces::LINKS_ATTRIBUTE;

use super::values::{span_id, time, to_text, trace_id};

/// The span as an entity: ids, parent, kind, times, attributes (plus
/// `otel.scope.name`/`otel.scope.version` and `otel.status_description`
/// when set), events and links (in [`LINKS_ATTRIBUTE`]); `service` comes
/// from the resource. Event and link attributes have no place in the entity
/// and are dropped.
pub(super) fn span(service: &str, scope: Option<&InstrumentationScope>, s: &proto::Span) -> Result<Span> {
    let trace = trace_id("span", &s.trace_id)?;
    let mut builder = Span::builder(s.name.as_str(), service)
        .trace_id(trace)
        .span_id(span_id("span", &s.span_id)?)
        .kind(kind(s.kind))
        .start(time("span", "start_time_unix_nano", s.start_time_unix_nano)?);
    if !s.parent_span_id.is_empty() {
        builder = builder.parent(trace, span_id("span", &s.parent_span_id)?);
    }
    let mut span = builder.build()?;
    for attribute in &s.attributes {
        span = span.with_attribute(attribute.key.as_str(), to_text(attribute.value.as_ref()))?;
    }
    if let Some(scope) = scope {
        for (key, value) in [
            ("otel.scope.name", &scope.name),
            ("otel.scope.version", &scope.version),
        ] {
            if !value.is_empty() {
                span = span.with_attribute(key, value.as_str())?;
            }
        }
    }
    let status = s.status.as_ref();
    if let Some(message) = status.map(|st| st.message.as_str()).filter(|m| !m.is_empty()) {
        span = span.with_attribute("otel.status_description", message)?;
    }
    for event in &s.events {
        let at = time("span event", "time_unix_nano", event.time_unix_nano)?;
        span = span.with_event(SpanEvent::at(event.name.as_str(), at)?)?;
    }
    if !s.links.is_empty() {
        let links = s
            .links
            .iter()
            .map(|l| {
                let flags = TraceFlags::from_byte(l.flags.to_le_bytes()[0]);
                let parent = TraceParent::new(
                    trace_id("span link", &l.trace_id)?,
                    span_id("span link", &l.span_id)?,
                    flags,
                );
                Ok(parent.to_string())
            })
            .collect::<Result<Vec<String>>>()?;
        span = span.with_attribute(LINKS_ATTRIBUTE, links.join(","))?;
    }
    let end = time("span", "end_time_unix_nano", s.end_time_unix_nano)?;
    span.finish_at(
        end,
        status.map_or(Ok(SpanStatus::Unset), |st| status_of(st.code))?,
    )
}

/// OTLP `SpanKind`: 0 (unspecified) and 1 are internal.
fn kind(code: i32) -> SpanKind {
    match code {
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Internal,
    }
}

/// OTLP `StatusCode`: 0 unset, 1 ok, 2 error.
fn status_of(code: i32) -> Result<SpanStatus> {
    match code {
        0 => Ok(SpanStatus::Unset),
        1 => Ok(SpanStatus::Ok),
        2 => Ok(SpanStatus::Error),
        other => Err(ObsError::validation(
            "span",
            "status",
            other,
            "must be 0 (unset), 1 (ok) or 2 (error)",
        )),
    }
}
