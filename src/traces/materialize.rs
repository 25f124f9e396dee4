//! [`Outlet`]: the writer's half of the span pipeline. A raw record (ids,
//! clock instants, name, attributes) becomes the validated [`Span`] entity,
//! is redacted, saved in the repository and handed to the span sinks.
//!
//! What makes it cheap per span: the service name is checked once, operation
//! names once per distinct name ([`NameCache`]), and both are shared with the
//! entity rather than copied; clock instants become times by integer
//! arithmetic from one clock pair per batch ([`Anchor`]); a span without
//! attributes or events skips redaction; a copy is made only for sinks.

use std::sync::Arc;

use chrono::Utc;
use parking_lot::Mutex;

use super::pipeline::RawSpan;
use crate::domain::{FinishedSpan, NameCache, Span, SpanName, UnixTime};
use crate::error::{ObsError, Result};
use crate::ports::Repository;
use crate::redaction::Redactor;
use crate::sinks::{Outlets, Record};

/// Where finished spans go: the repository and the span sinks, redacted first.
pub(super) struct Outlet {
    repository: Arc<dyn Repository<Span>>,
    service: Arc<str>,
    /// `service`, checked once; `None` if the rule refuses it (every span is
    /// then refused, with the rule's error).
    checked_service: Option<SpanName>,
    /// Operation names already checked. Writers take turns (the pipeline
    /// converts one batch at a time), so the lock is not contended.
    names: Mutex<NameCache>,
    redactor: Arc<Redactor>,
    sinks: Arc<Outlets>,
}

impl Outlet {
    pub fn new(
        repository: Arc<dyn Repository<Span>>,
        service: Arc<str>,
        redactor: Arc<Redactor>,
        sinks: Arc<Outlets>,
    ) -> Outlet {
        Outlet {
            repository,
            checked_service: SpanName::new("service", &service).ok(),
            service,
            names: Mutex::default(),
            redactor,
            sinks,
        }
    }

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
    pub(super) fn write(&self, raw: RawSpan, clock: &Anchor) -> Result<()> {
        let trace_flags = Some(raw.flags.to_byte());
        let mut span = self.materialize(raw, clock)?;
        if span.has_text() {
            self.redactor.redact_span(&mut span);
        }
        let for_sinks = (!self.sinks.is_empty()).then(|| span.clone());
        self.repository.save(span)?;
        if let Some(span) = for_sinks {
            self.sinks.send(Record::Span { span, trace_flags });
        }
        Ok(())
    }

    /// The entity of `raw`, checked as every span is.
    fn materialize(&self, raw: RawSpan, clock: &Anchor) -> Result<Span> {
        let service = match &self.checked_service {
            Some(service) => service.clone(),
            None => SpanName::new("service", &self.service)?,
        };
        let operation = self.names.lock().get("operation", &raw.operation)?;
        Span::finished(FinishedSpan {
            trace_id: raw.trace_id,
            span_id: raw.span_id,
            parent: raw.parent,
            operation,
            service,
            kind: raw.kind,
            status: raw.status,
            start: clock.time_of(raw.start, "start")?,
            end: clock.time_of(raw.end, "end")?,
            attributes: raw.attributes,
            events: raw.events,
        })
    }
}

/// A clock pair read once per batch, to turn instants into UTC times.
pub(super) struct Anchor {
    instant: quanta::Instant,
    now: UnixTime,
}

impl Anchor {
    pub(super) fn now() -> Anchor {
        Anchor {
            instant: quanta::Instant::now(),
            now: UnixTime::from_utc(Utc::now()),
        }
    }

    /// The UTC time of `at` (an instant after the anchor's counts as the
    /// anchor's time); a validation error on `field` if it is out of range.
    fn time_of(&self, at: quanta::Instant, field: &'static str) -> Result<UnixTime> {
        let ago = self.instant.saturating_duration_since(at);
        self.now.before(ago).ok_or_else(|| {
            ObsError::validation(
                "span",
                field,
                format!("{ago:?} before {:?}", self.now),
                "must be a time a timestamp can hold",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;
    use std::time::Duration;

    #[test]
    fn instants_become_utc_times_in_order() {
        let clock = Anchor::now();
        let earlier = clock.instant - Duration::from_millis(5);
        let gap = clock.now.to_utc() - clock.time_of(earlier, "start").unwrap().to_utc();
        assert_eq!(gap.num_milliseconds(), 5);
        let later = clock.instant + Duration::from_millis(5);
        assert_eq!(clock.time_of(later, "end").unwrap(), clock.now);
    }

    #[test]
    fn a_refused_operation_is_refused_every_time_and_valid_ones_are_stored_with_their_times() {
        let repository = Arc::new(InMemoryRepository::new(10));
        let outlet = Outlet::new(
            repository.clone(),
            Arc::from("svc"),
            Arc::new(Redactor::default()),
            Arc::default(),
        );
        let clock = Anchor::now();
        let start = clock.instant - Duration::from_millis(7);
        for _ in 0..3 {
            let err = outlet
                .write(RawSpan::finished_root("bad\u{7}", start, clock.instant), &clock)
                .unwrap_err();
            assert_eq!((err.code(), err.field()), ("validation", Some("operation")));
            outlet
                .write(RawSpan::finished_root("good", start, clock.instant), &clock)
                .unwrap();
        }
        let stored = repository.recent(10).unwrap();
        assert_eq!(stored.len(), 3);
        for span in stored {
            assert_eq!((span.operation(), span.service()), ("good", "svc"));
            assert_eq!(span.end(), Some(clock.now.to_utc()));
            assert_eq!(span.duration().unwrap().num_milliseconds(), 7);
        }
    }
}
