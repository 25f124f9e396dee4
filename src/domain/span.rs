//! [`Span`]: one timed operation in a trace, with W3C-sized ids.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{rules, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::{ObsError, Result};

mod builder;
mod event;
mod name;
mod time;

pub use builder::SpanBuilder;
pub use event::SpanEvent;
pub(crate) use name::{NameCache, SpanName};
pub(crate) use time::UnixTime;

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
    id: Uuid,
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
    /// Checked names, shared between the spans that carry them.
    operation: SpanName,
    service: SpanName,
    kind: SpanKind,
    status: SpanStatus,
    start: UnixTime,
    end: Option<UnixTime>,
    /// Attributes and events, boxed so that a span without them stays small
    /// and cheap to move and drop; `None` when there are none.
    text: Option<Box<SpanText>>,
}

/// A span's attributes and events.
#[derive(Clone, Debug, Default, PartialEq)]
struct SpanText {
    attributes: BTreeMap<String, String>,
    events: Vec<SpanEvent>,
}

impl SpanText {
    /// `None` when both are empty, so that equal spans hold equal values.
    fn boxed(attributes: BTreeMap<String, String>, events: Vec<SpanEvent>) -> Option<Box<SpanText>> {
        if attributes.is_empty() && events.is_empty() {
            None
        } else {
            Some(Box::new(SpanText { attributes, events }))
        }
    }
}

/// No attributes: what [`Span::attributes`] lends when a span has none.
static NO_ATTRIBUTES: BTreeMap<String, String> = BTreeMap::new();

/// A finished span's parts, its names already checked: what the span
/// writer builds a [`Span`] from (see [`Span::finished`]).
pub(crate) struct FinishedSpan {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub operation: SpanName,
    pub service: SpanName,
    pub kind: SpanKind,
    pub status: SpanStatus,
    pub start: UnixTime,
    pub end: UnixTime,
    /// Distinct keys (a repeated key keeps its last value).
    pub attributes: Vec<(String, String)>,
    pub events: Vec<SpanEvent>,
}

impl Span {
    /// Opens the first span of a new trace, with fresh random ids.
    pub fn root(operation: impl Into<String>, service: impl Into<String>) -> Result<Span> {
        Span::builder(operation, service).build()
    }

    /// Opens a span in the same trace whose parent is `self`.
    pub fn child(&self, operation: impl Into<String>) -> Result<Span> {
        Span::builder(operation, self.service())
            .parent(self.trace_id, self.span_id)
            .build()
    }

    /// A finished span with a fresh entity id, checked like every other
    /// (its names were checked when made).
    pub(crate) fn finished(parts: FinishedSpan) -> Result<Span> {
        let span = Span {
            id: super::random_uuid(),
            trace_id: parts.trace_id,
            span_id: parts.span_id,
            parent_span_id: parts.parent,
            operation: parts.operation,
            service: parts.service,
            kind: parts.kind,
            status: parts.status,
            start: parts.start,
            end: Some(parts.end),
            text: if parts.attributes.is_empty() && parts.events.is_empty() {
                None
            } else {
                SpanText::boxed(parts.attributes.into_iter().collect(), parts.events)
            },
        };
        span.check()?;
        Ok(span)
    }

    /// Returns the span with one more attribute (at most 64; values up to
    /// 1,024 characters, all names and values together up to
    /// [`MAX_ENTRIES_BYTES`](crate::domain::rules::MAX_ENTRIES_BYTES) bytes).
    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Result<Span> {
        let text = self.text.get_or_insert_with(Box::default);
        text.attributes.insert(key.into(), value.into());
        self.check()?;
        Ok(self)
    }

    /// Returns the span with one more event (at most 64).
    pub fn with_event(mut self, event: SpanEvent) -> Result<Span> {
        self.text.get_or_insert_with(Box::default).events.push(event);
        self.check()?;
        Ok(self)
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
    pub fn finish_at(mut self, end: DateTime<Utc>, status: SpanStatus) -> Result<Span> {
        if self.end.is_some() {
            return Err(ObsError::conflict(
                "span",
                format!("span {} is already finished", self.span_id),
            ));
        }
        self.end = Some(UnixTime::from_utc(end));
        self.status = status;
        self.check()?;
        Ok(self)
    }

    /// Checks every rule but the names' (their type holds them).
    fn check(&self) -> Result<()> {
        if let Some(text) = &self.text {
            check_attributes(text.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
            rules::at_most("span", "events", text.events.len(), rules::MAX_ATTRIBUTES)?;
        }
        if let Some(end) = self.end {
            if end < self.start {
                return Err(ObsError::validation(
                    "span",
                    "end",
                    end.to_utc(),
                    "must not be before the start",
                ));
            }
        }
        if self.parent_span_id == Some(self.span_id) {
            return Err(ObsError::validation(
                "span",
                "parent_span_id",
                self.span_id,
                "must differ from the span id",
            ));
        }
        if self.id.is_nil() {
            return Err(ObsError::validation(
                "span",
                "id",
                self.id,
                "must not be the nil UUID",
            ));
        }
        Ok(())
    }

    /// Whether redaction has anything to look at: attributes or events.
    pub(crate) fn has_text(&self) -> bool {
        self.text.is_some()
    }

    /// The attribute values and event names, rewritten in place by redaction
    /// (which keeps them within their limits); `None` if there are none.
    pub(crate) fn text_mut(
        &mut self,
    ) -> Option<(&mut BTreeMap<String, String>, impl Iterator<Item = &mut String>)> {
        let text = self.text.as_deref_mut()?;
        let events = text.events.iter_mut().map(SpanEvent::name_mut);
        Some((&mut text.attributes, events))
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.id
    }
    /// The trace this span belongs to.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }
    /// This span's id.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }
    /// The parent span, `None` for a root span.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.parent_span_id
    }
    /// The operation name.
    pub fn operation(&self) -> &str {
        self.operation.as_str()
    }
    /// The service that ran it.
    pub fn service(&self) -> &str {
        self.service.as_str()
    }
    /// The span kind.
    pub fn kind(&self) -> SpanKind {
        self.kind
    }
    /// The status (`unset` while open).
    pub fn status(&self) -> SpanStatus {
        self.status
    }
    /// When it started.
    pub fn start(&self) -> DateTime<Utc> {
        self.start.to_utc()
    }
    /// When it ended, `None` while open.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.end.map(UnixTime::to_utc)
    }
    /// How long it took, `None` while open; never negative.
    pub fn duration(&self) -> Option<Duration> {
        self.end().map(|end| end - self.start())
    }
    /// Whether [`Span::finish`] was called.
    pub fn is_finished(&self) -> bool {
        self.end.is_some()
    }
    /// The attributes, sorted by key.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        self.text.as_ref().map_or(&NO_ATTRIBUTES, |t| &t.attributes)
    }
    /// The events, in the order they were added.
    pub fn events(&self) -> &[SpanEvent] {
        self.text.as_ref().map_or(&[], |t| &t.events)
    }
    /// When the span started; the timestamp repositories order and age it by.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.start()
    }
}

/// The JSON shape of a span, written from a borrowed span.
#[derive(Serialize)]
struct SpanJson<'a> {
    id: Uuid,
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
    operation: &'a str,
    service: &'a str,
    kind: SpanKind,
    status: SpanStatus,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    attributes: &'a BTreeMap<String, String>,
    events: &'a [SpanEvent],
}

/// The same shape, read; validated into a [`Span`] as a constructor would.
#[derive(Deserialize)]
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

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        SpanJson {
            id: self.id,
            trace_id: self.trace_id,
            span_id: self.span_id,
            parent_span_id: self.parent_span_id,
            operation: self.operation(),
            service: self.service(),
            kind: self.kind,
            status: self.status,
            start: self.start(),
            end: self.end(),
            attributes: self.attributes(),
            events: self.events(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let f = SpanFields::deserialize(d)?;
        let validated = || -> Result<Span> {
            let span = Span {
                operation: SpanName::from_string("operation", f.operation)?,
                service: SpanName::from_string("service", f.service)?,
                id: f.id,
                trace_id: f.trace_id,
                span_id: f.span_id,
                parent_span_id: f.parent_span_id,
                kind: f.kind,
                status: f.status,
                start: UnixTime::from_utc(f.start),
                end: f.end.map(UnixTime::from_utc),
                text: SpanText::boxed(f.attributes, f.events),
            };
            span.check()?;
            Ok(span)
        };
        validated().map_err(super::entity_serde::de_error)
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

#[cfg(test)]
mod tests;
