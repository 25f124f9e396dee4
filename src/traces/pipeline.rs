//! [`SpanPipeline`]: finished spans leave the caller's thread as raw records
//! (ids, clock instants, name, attributes) on a bounded queue
//! ([`Pipeline`]); its writer thread turns them into validated, redacted
//! [`Span`] entities, stores them and hands them to the span sinks.
//!
//! Queries read their own writes: every read of the repository first
//! converts what is still queued (`SpanPipeline::drain`), so a span is
//! visible as soon as it has finished. A full queue drops the record and
//! counts it (`queue_full`); a record the entity refuses is counted too
//! (`invalid`), as is one the repository refuses (`store_error`). Dropping the pipeline converts everything still queued.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{Span, SpanEvent, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::Result;
use crate::pipeline::{Convert, Pipeline};
use crate::ports::Repository;
use crate::propagation::TraceFlags;
use crate::redaction::Redactor;
use crate::sinks::{Outlets, Record};

/// A span as its caller leaves it: what the entity is built from.
pub(super) struct RawSpan {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub flags: TraceFlags,
    pub operation: Cow<'static, str>,
    pub kind: SpanKind,
    pub start: quanta::Instant,
    pub end: quanta::Instant,
    pub status: SpanStatus,
    /// Distinct keys, already checked as the entity checks them.
    pub attributes: Vec<(String, String)>,
    pub events: Vec<SpanEvent>,
}

/// Where finished spans go: the repository and the span sinks, redacted first.
pub(super) struct Outlet {
    pub repository: Arc<dyn Repository<Span>>,
    pub service: Arc<str>,
    pub redactor: Arc<Redactor>,
    pub sinks: Arc<Outlets>,
}

impl Outlet {
    /// Stores a finished, redacted span and queues it on the span sinks.
    pub fn store(&self, span: Span, trace_flags: Option<u8>) -> Result<Span> {
        self.repository.save(span.clone())?;
        if !self.sinks.is_empty() {
            self.sinks.send(Record::Span {
                span: span.clone(),
                trace_flags,
            });
        }
        Ok(span)
    }

    /// Builds, redacts and stores the entity of `raw` (a copy only when
    /// there are sinks).
    fn write(&self, raw: RawSpan, clock: &Anchor) -> Result<()> {
        let trace_flags = Some(raw.flags.to_byte());
        let mut span = materialize(raw, clock, &self.service)?;
        self.redactor.redact_span(&mut span);
        let for_sinks = (!self.sinks.is_empty()).then(|| span.clone());
        self.repository.save(span)?;
        if let Some(span) = for_sinks {
            self.sinks.send(Record::Span { span, trace_flags });
        }
        Ok(())
    }
}

/// A clock pair read once per batch, to turn instants into UTC times.
pub(super) struct Anchor {
    instant: quanta::Instant,
    utc: DateTime<Utc>,
}

impl Anchor {
    fn now() -> Anchor {
        Anchor {
            instant: quanta::Instant::now(),
            utc: Utc::now(),
        }
    }

    fn utc(&self, at: quanta::Instant) -> DateTime<Utc> {
        let ago = self.instant.saturating_duration_since(at);
        self.utc - chrono::Duration::from_std(ago).unwrap_or(chrono::Duration::zero())
    }
}

fn materialize(raw: RawSpan, clock: &Anchor, service: &str) -> Result<Span> {
    let attributes = raw.attributes.into_iter().collect();
    let builder = Span::builder(raw.operation, service)
        .span_id(raw.span_id)
        .kind(raw.kind)
        .start(clock.utc(raw.start))
        .finished(clock.utc(raw.end), raw.status, attributes, raw.events);
    match raw.parent {
        Some(parent) => builder.parent(raw.trace_id, parent),
        None => builder.trace_id(raw.trace_id),
    }
    .build()
}

impl Convert for Outlet {
    type Raw = RawSpan;
    type Batch = Anchor;
    const THREAD: &'static str = "observa-spans";

    fn batch(&self) -> Anchor {
        Anchor::now()
    }

    fn write(&self, raw: RawSpan, clock: &Anchor) -> Result<()> {
        Outlet::write(self, raw, clock)
    }
}

/// The bounded queue of raw spans and its writer thread; see the module docs.
pub(super) type SpanPipeline = Pipeline<Outlet>;

impl SpanPipeline {
    /// Where the spans go.
    pub fn outlet(&self) -> &Outlet {
        self.convert()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::adapters::InMemoryRepository;

    fn pipeline(service: &str, capacity: usize) -> (SpanPipeline, Arc<InMemoryRepository<Span>>) {
        let repository = Arc::new(InMemoryRepository::new(100));
        let outlet = Outlet {
            repository: repository.clone(),
            service: Arc::from(service),
            redactor: Arc::new(Redactor::default()),
            sinks: Arc::default(),
        };
        (SpanPipeline::new(outlet, capacity), repository)
    }

    fn raw(operation: &'static str) -> RawSpan {
        let now = quanta::Instant::now();
        RawSpan {
            trace_id: TraceId::random(),
            span_id: SpanId::random(),
            parent: None,
            flags: TraceFlags::SAMPLED,
            operation: Cow::Borrowed(operation),
            kind: SpanKind::Internal,
            start: now,
            end: now,
            status: SpanStatus::Ok,
            attributes: vec![("user.email".into(), "ann@example.com".into())],
            events: Vec::new(),
        }
    }

    #[test]
    fn a_span_the_entity_refuses_is_counted_not_lost() {
        let (pipeline, repository) = pipeline(" ", 10);
        pipeline.send(raw("op"));
        pipeline.drain();
        assert_eq!(repository.len().unwrap(), 0);
        assert_eq!(pipeline.drops()[1], ("invalid", 1));
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_the_rest_is_stored_redacted() {
        let (pipeline, repository) = pipeline("svc", 2);
        {
            // the writer cannot take a batch while this is held
            let _writing = pipeline.hold_writer();
            for _ in 0..5 {
                pipeline.send(raw("op"));
            }
        }
        pipeline.drain();
        assert_eq!(pipeline.drops()[0], ("queue_full", 3));
        let stored = repository.query(&crate::ports::Query::new()).unwrap();
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].attributes()["user.email"], "[REDACTED]");
    }

    #[test]
    fn instants_become_utc_times_in_order() {
        let clock = Anchor::now();
        let earlier = clock.instant - Duration::from_millis(5);
        let gap = clock.utc - clock.utc(earlier);
        assert_eq!(gap.num_milliseconds(), 5);
    }
}
