//! [`Outlet`]: the writer's half of the span pipeline. A raw record (ids,
//! clock instants, name, attributes) becomes the validated [`Span`] entity,
//! is redacted, saved in the repository and handed to the span sinks.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::pipeline::RawSpan;
use crate::domain::Span;
use crate::error::Result;
use crate::ports::Repository;
use crate::redaction::Redactor;
use crate::sinks::{Outlets, Record};

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
    pub(super) fn write(&self, raw: RawSpan, clock: &Anchor) -> Result<()> {
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
    pub(super) fn now() -> Anchor {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn instants_become_utc_times_in_order() {
        let clock = Anchor::now();
        let earlier = clock.instant - Duration::from_millis(5);
        let gap = clock.utc - clock.utc(earlier);
        assert_eq!(gap.num_milliseconds(), 5);
    }
}
