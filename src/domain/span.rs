//! [`Span`]: one timed operation in a trace, with W3C-sized ids.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity_serde::validated_serde;
use super::{rules, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::{ObsError, Result};

/// Something that happened at a point in time during a span.
///
/// ```
/// let event = observa::SpanEvent::new("cache miss")?;
/// assert_eq!(event.name(), "cache miss");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanEvent {
    name: String,
    time: DateTime<Utc>,
}

#[derive(Deserialize)]
struct SpanEventFields {
    name: String,
    time: DateTime<Utc>,
}

impl<'de> Deserialize<'de> for SpanEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let f = SpanEventFields::deserialize(d)?;
        SpanEvent::at(f.name, f.time).map_err(super::entity_serde::de_error)
    }
}

impl SpanEvent {
    /// An event happening now.
    pub fn new(name: impl Into<String>) -> Result<SpanEvent> {
        SpanEvent::at(name, Utc::now())
    }

    /// An event at a given time.
    pub fn at(name: impl Into<String>, time: DateTime<Utc>) -> Result<SpanEvent> {
        let name = name.into();
        rules::short_name("span event", "name", &name)?;
        Ok(SpanEvent { name, time })
    }

    /// The event name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// When it happened.
    pub fn time(&self) -> DateTime<Utc> {
        self.time
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SpanFields {
    id: Uuid,
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
    operation: String,
    service: String,
    kind: SpanKind,
    status: SpanStatus,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    events: Vec<SpanEvent>,
}

/// One timed operation of a trace (the seed's "Trace"): trace id, span id,
/// optional parent, operation, service, kind, status, start and (once
/// finished) end, attributes and events.
///
/// A span is open until [`Span::finish`]; its end can never be before its
/// start, so its duration is never negative.
///
/// ```
/// use observa::{Span, SpanStatus};
///
/// let root = Span::root("checkout", "shop")?;
/// let child = root.child("charge_card")?.with_attribute("card.brand", "visa")?;
/// assert_eq!(child.trace_id(), root.trace_id());
/// assert_eq!(child.parent_span_id(), Some(root.span_id()));
///
/// let done = child.finish(SpanStatus::Ok)?;
/// assert!(done.duration().unwrap() >= chrono::Duration::zero());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    f: SpanFields,
}

validated_serde!(Span, SpanFields);

impl Span {
    /// Opens the first span of a new trace, with fresh random ids.
    pub fn root(operation: impl Into<String>, service: impl Into<String>) -> Result<Span> {
        Span::builder(operation, service).build()
    }

    /// Opens a span in the same trace whose parent is `self`.
    pub fn child(&self, operation: impl Into<String>) -> Result<Span> {
        Span::builder(operation, self.f.service.clone())
            .parent(self.f.trace_id, self.f.span_id)
            .build()
    }

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
            finished: None,
            attributes: BTreeMap::new(),
            events: Vec::new(),
        }
    }

    /// Returns the span with one more attribute (at most 64; values up to
    /// 1,024 characters, all names and values together up to
    /// [`MAX_ENTRIES_BYTES`](crate::domain::rules::MAX_ENTRIES_BYTES) bytes).
    pub fn with_attribute(self, key: impl Into<String>, value: impl Into<String>) -> Result<Span> {
        let mut f = self.f;
        f.attributes.insert(key.into(), value.into());
        Span::validate(f)
    }

    /// Returns the span with one more event (at most 64).
    pub fn with_event(self, event: SpanEvent) -> Result<Span> {
        let mut f = self.f;
        f.events.push(event);
        Span::validate(f)
    }

    /// Ends the span now with `status`. Finishing a finished span is a conflict.
    pub fn finish(self, status: SpanStatus) -> Result<Span> {
        self.finish_at(Utc::now(), status)
    }

    /// Ends the span at `end` with `status`; `end` must not be before the start.
    ///
    /// ```
    /// use observa::{Span, SpanStatus};
    ///
    /// let span = Span::root("job", "worker")?;
    /// let too_early = span.start() - chrono::Duration::seconds(1);
    /// assert!(span.clone().finish_at(too_early, SpanStatus::Ok).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn finish_at(self, end: DateTime<Utc>, status: SpanStatus) -> Result<Span> {
        if self.f.end.is_some() {
            return Err(ObsError::conflict(
                "span",
                format!("span {} is already finished", self.f.span_id),
            ));
        }
        let mut f = self.f;
        f.end = Some(end);
        f.status = status;
        Span::validate(f)
    }

    fn validate(f: SpanFields) -> Result<Span> {
        rules::short_name("span", "operation", &f.operation)?;
        rules::short_name("span", "service", &f.service)?;
        check_attributes(f.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        rules::at_most("span", "events", f.events.len(), rules::MAX_ATTRIBUTES)?;
        if let Some(end) = f.end {
            if end < f.start {
                return Err(ObsError::validation(
                    "span",
                    "end",
                    end,
                    "must not be before the start",
                ));
            }
        }
        if f.parent_span_id == Some(f.span_id) {
            return Err(ObsError::validation(
                "span",
                "parent_span_id",
                f.span_id,
                "must differ from the span id",
            ));
        }
        if f.id.is_nil() {
            return Err(ObsError::validation(
                "span",
                "id",
                f.id,
                "must not be the nil UUID",
            ));
        }
        Ok(Span { f })
    }

    /// The attribute values and event names, rewritten in place by redaction
    /// (which keeps them within their limits).
    pub(crate) fn text_mut(&mut self) -> (&mut BTreeMap<String, String>, impl Iterator<Item = &mut String>) {
        let events = self.f.events.iter_mut().map(|e| &mut e.name);
        (&mut self.f.attributes, events)
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.f.id
    }
    /// The trace this span belongs to.
    pub fn trace_id(&self) -> TraceId {
        self.f.trace_id
    }
    /// This span's id.
    pub fn span_id(&self) -> SpanId {
        self.f.span_id
    }
    /// The parent span, `None` for a root span.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.f.parent_span_id
    }
    /// The operation name.
    pub fn operation(&self) -> &str {
        &self.f.operation
    }
    /// The service that ran it.
    pub fn service(&self) -> &str {
        &self.f.service
    }
    /// The span kind.
    pub fn kind(&self) -> SpanKind {
        self.f.kind
    }
    /// The status (`unset` while open).
    pub fn status(&self) -> SpanStatus {
        self.f.status
    }
    /// When it started.
    pub fn start(&self) -> DateTime<Utc> {
        self.f.start
    }
    /// When it ended, `None` while open.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.f.end
    }
    /// How long it took, `None` while open; never negative.
    pub fn duration(&self) -> Option<Duration> {
        self.f.end.map(|end| end - self.f.start)
    }
    /// Whether [`Span::finish`] was called.
    pub fn is_finished(&self) -> bool {
        self.f.end.is_some()
    }
    /// The attributes, sorted by key.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.f.attributes
    }
    /// The events, in the order they were added.
    pub fn events(&self) -> &[SpanEvent] {
        &self.f.events
    }
    /// When the span started; the timestamp repositories order and age it by.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.f.start
    }
}

/// Checks a span's attributes (distinct keys) as [`Span`] does: at most
/// [`MAX_ATTRIBUTES`](rules::MAX_ATTRIBUTES), each key a short name, each
/// value a label value, their bytes within the entry limits.
pub(crate) fn check_attributes<'a>(
    attributes: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Result<()> {
    rules::at_most(
        "span",
        "attributes",
        attributes.clone().count(),
        rules::MAX_ATTRIBUTES,
    )?;
    for (key, value) in attributes.clone() {
        rules::short_name("span", "attribute key", key)?;
        rules::label_value("span", value)?;
    }
    let fields = rules::EntryFields {
        value: "attribute value",
        total: "attributes",
    };
    rules::entry_bytes("span", fields, attributes.map(|(k, v)| (k, v.len())))
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
    finished: Option<(DateTime<Utc>, SpanStatus)>,
    attributes: BTreeMap<String, String>,
    events: Vec<SpanEvent>,
}

impl SpanBuilder {
    /// Builds the span finished at `end` with `status`, with `attributes`
    /// and `events`: validated once, as the finished span.
    pub(crate) fn finished(
        mut self,
        end: DateTime<Utc>,
        status: SpanStatus,
        attributes: BTreeMap<String, String>,
        events: Vec<SpanEvent>,
    ) -> Self {
        self.finished = Some((end, status));
        self.attributes = attributes;
        self.events = events;
        self
    }
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
        Span::validate(SpanFields {
            id: super::random_uuid(),
            trace_id: self.trace_id.unwrap_or_else(TraceId::random),
            span_id,
            parent_span_id: self.parent,
            operation: self.operation,
            service: self.service,
            kind: self.kind,
            status: self.finished.map_or(SpanStatus::Unset, |f| f.1),
            start: self.start.unwrap_or_else(Utc::now),
            end: self.finished.map(|f| f.0),
            attributes: self.attributes,
            events: self.events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finishing_twice_is_a_conflict() {
        let done = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
        assert_eq!(done.finish(SpanStatus::Error).unwrap_err().code(), "conflict");
    }

    #[test]
    fn attribute_count_is_bounded() {
        let mut span = Span::root("op", "svc").unwrap();
        for i in 0..rules::MAX_ATTRIBUTES {
            span = span.with_attribute(format!("k{i}"), "v").unwrap();
        }
        assert!(span.with_attribute("one_more", "v").is_err());
    }

    #[test]
    fn json_rejects_end_before_start() {
        let span = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
        let mut json: serde_json::Value = serde_json::to_value(&span).unwrap();
        assert_eq!(serde_json::from_value::<Span>(json.clone()).unwrap(), span);
        json["end"] = serde_json::json!("2000-01-01T00:00:00Z");
        assert!(serde_json::from_value::<Span>(json).is_err());
    }

    proptest! {
        #[test]
        fn finish_never_yields_negative_duration(offset_ms in -10_000i64..10_000) {
            let span = Span::root("op", "svc").unwrap();
            let end = span.start() + Duration::milliseconds(offset_ms);
            match span.finish_at(end, SpanStatus::Ok) {
                Ok(done) => prop_assert!(done.duration().unwrap() >= Duration::zero()),
                Err(e) => { prop_assert!(offset_ms < 0); prop_assert_eq!(e.code(), "validation"); }
            }
        }

        #[test]
        fn arbitrary_names_never_panic(op in "\\PC{0,200}", svc in "\\PC{0,20}") {
            if let Ok(span) = Span::root(op, svc) {
                prop_assert!(!span.operation().trim().is_empty());
            }
        }
    }
}
