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

use super::materialize::{Anchor, Outlet};
use crate::domain::{SpanEvent, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::Result;
use crate::pipeline::{Convert, Pipeline};
use crate::propagation::TraceFlags;

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

#[cfg(test)]
impl RawSpan {
    /// A finished root span with nothing but its times, for tests.
    pub(super) fn finished_root(
        operation: &'static str,
        start: quanta::Instant,
        end: quanta::Instant,
    ) -> RawSpan {
        RawSpan {
            trace_id: TraceId::random(),
            span_id: SpanId::random(),
            parent: None,
            flags: TraceFlags::SAMPLED,
            operation: Cow::Borrowed(operation),
            kind: SpanKind::Internal,
            start,
            end,
            status: SpanStatus::Ok,
            attributes: Vec::new(),
            events: Vec::new(),
        }
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
    use std::sync::Arc;

    use super::*;
    use crate::adapters::InMemoryRepository;
    use crate::domain::Span;
    use crate::ports::Repository;
    use crate::redaction::Redactor;

    fn pipeline(service: &str, capacity: usize) -> (SpanPipeline, Arc<InMemoryRepository<Span>>) {
        let repository = Arc::new(InMemoryRepository::new(100));
        let outlet = Outlet::new(
            repository.clone(),
            Arc::from(service),
            Arc::new(Redactor::default()),
            Arc::default(),
        );
        (SpanPipeline::new(outlet, capacity), repository)
    }

    fn raw(operation: &'static str) -> RawSpan {
        let now = quanta::Instant::now();
        RawSpan {
            attributes: vec![("user.email".into(), "ann@example.com".into())],
            ..RawSpan::finished_root(operation, now, now)
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
}
