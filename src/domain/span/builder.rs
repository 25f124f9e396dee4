//! [`SpanBuilder`]: a [`Span`] with its optional parts (ids, parent, kind,
//! start time) set one by one, validated once when built.

use chrono::{DateTime, Utc};

use super::{Span, SpanName, UnixTime};
use crate::domain::{random_uuid, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::Result;

impl Span {
    /// A builder for every optional part: ids, parent, kind, start time.
    ///
    /// ```
    /// use observa::{Span, SpanKind, TraceId};
    ///
    /// let trace: TraceId = "4bf92f3577b34da6a3ce929d0e0e4736".parse()?;
    /// let parent = "00f067aa0ba902b7".parse()?;
    /// let span = Span::builder("GET /orders", "api")
    ///     .parent(trace, parent)
    ///     .kind(SpanKind::Server)
    ///     .build()?;
    /// assert_eq!(span.trace_id(), trace);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn builder(operation: impl Into<String>, service: impl Into<String>) -> SpanBuilder {
        SpanBuilder {
            operation: operation.into(),
            service: service.into(),
            trace_id: None,
            span_id: None,
            parent: None,
            kind: SpanKind::Internal,
            start: None,
        }
    }
}

/// Builds a [`Span`]; see [`Span::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SpanBuilder {
    operation: String,
    service: String,
    trace_id: Option<TraceId>,
    span_id: Option<SpanId>,
    parent: Option<SpanId>,
    kind: SpanKind,
    start: Option<DateTime<Utc>>,
}

impl SpanBuilder {
    /// Joins an existing trace (e.g. one received in a `traceparent` header) under `parent`.
    pub fn parent(mut self, trace_id: TraceId, parent: SpanId) -> Self {
        self.trace_id = Some(trace_id);
        self.parent = Some(parent);
        self
    }
    /// Sets the trace of a root span (default a fresh random one); a later
    /// [`parent`](SpanBuilder::parent) replaces it.
    ///
    /// ```
    /// let trace = observa::TraceId::random();
    /// let root = observa::Span::builder("job", "worker").trace_id(trace).build()?;
    /// assert_eq!((root.trace_id(), root.parent_span_id()), (trace, None));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn trace_id(mut self, trace_id: TraceId) -> Self {
        self.trace_id = Some(trace_id);
        self
    }
    /// Sets the span id (default a fresh random one), e.g. for a span
    /// received from elsewhere; it must differ from the parent's.
    ///
    /// ```
    /// let (trace, parent, id) = (observa::TraceId::random(), observa::SpanId::random(), observa::SpanId::random());
    /// let span = observa::Span::builder("job", "worker").parent(trace, parent).span_id(id).build()?;
    /// assert_eq!(span.span_id(), id);
    /// assert!(observa::Span::builder("job", "worker").parent(trace, parent).span_id(parent).build().is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn span_id(mut self, span_id: SpanId) -> Self {
        self.span_id = Some(span_id);
        self
    }
    /// Sets the span kind (default `internal`).
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = kind;
        self
    }
    /// Sets the start time (default now).
    pub fn start(mut self, at: DateTime<Utc>) -> Self {
        self.start = Some(at);
        self
    }
    /// Validates and opens the span (with a fresh span id unless one was set).
    pub fn build(self) -> Result<Span> {
        let span_id = self.span_id.unwrap_or_else(|| loop {
            let id = SpanId::random();
            if Some(id) != self.parent {
                break id;
            }
        });
        let operation = SpanName::from_string("operation", self.operation)?;
        let service = SpanName::from_string("service", self.service)?;
        let span = Span {
            id: random_uuid(),
            trace_id: self.trace_id.unwrap_or_else(TraceId::random),
            span_id,
            parent_span_id: self.parent,
            operation,
            service,
            kind: self.kind,
            status: SpanStatus::Unset,
            start: UnixTime::from_utc(self.start.unwrap_or_else(Utc::now)),
            end: None,
            text: None,
        };
        span.check()?;
        Ok(span)
    }
}
