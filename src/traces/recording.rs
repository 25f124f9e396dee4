//! The recorded part of a sampled [`ActiveSpan`](super::ActiveSpan): what it
//! holds while in progress, the box it is kept in (reused per thread), the
//! clock it is timed with, and its hand-over to the pipeline when it finishes.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use crate::domain::{rules, SpanEvent, SpanId, SpanKind, SpanStatus, TraceId};
use crate::propagation::TraceFlags;

use super::context::SpanContext;
use super::lazy_id::LazySpanId;
use super::pipeline::{RawSpan, SpanPipeline};

/// The recorded part of a sampled span, kept small (the ids are in the
/// span); turned into a [`RawSpan`] for the pipeline when it finishes (the
/// entity is built off this thread).
pub(super) struct Recording {
    pub operation: Cow<'static, str>,
    pub parent: Option<SpanId>,
    pub kind: SpanKind,
    pub status: Option<SpanStatus>,
    pub start: quanta::Instant,
    /// Attributes and events, allocated only for a span that has some.
    pub extras: Option<Box<Extras>>,
    pub pipeline: Arc<SpanPipeline>,
}

/// A span's attributes (distinct keys, checked) and events.
#[derive(Default)]
pub(super) struct Extras {
    pub attributes: Vec<(String, String)>,
    pub events: Vec<SpanEvent>,
}

thread_local! {
    /// The box of the last span finished on this thread, emptied, for the
    /// next span started here: a loop of spans allocates nothing.
    static SPARE: Cell<Option<Box<Option<Recording>>>> = const { Cell::new(None) };
}

/// A sampled span's [`Recording`], boxed so that an unsampled span stays
/// small; the box is reused through this thread's spare. Holds `Some` until
/// [`finish`](RecordingBox::finish) empties it.
pub(super) struct RecordingBox(Box<Option<Recording>>);

impl RecordingBox {
    #[inline]
    pub fn new(recording: Recording) -> RecordingBox {
        let spare = SPARE.try_with(Cell::take).ok().flatten();
        let mut slot = spare.unwrap_or_else(|| Box::new(None));
        *slot = Some(recording);
        RecordingBox(slot)
    }

    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut Recording> {
        (*self.0).as_mut()
    }

    /// Stamps the end, settles the status, hands the record to the
    /// pipeline and leaves the emptied box to the next span on this thread.
    #[inline(never)]
    pub fn finish(self, trace_id: TraceId, span_id: &LazySpanId, flags: TraceFlags) {
        let end = now();
        let context = SpanContext::new(trace_id, span_id.get(), flags);
        let mut slot = self.0;
        let recording = slot.take();
        // (on a thread being torn down the box is simply freed)
        let _ = SPARE.try_with(move |spare| spare.set(Some(slot)));
        if let Some(recording) = recording {
            send(context, recording, end);
        }
    }
}

/// Settles the status and queues the record; best effort: the pipeline
/// counts what it drops, and a span must never fail or panic its caller.
fn send(context: SpanContext, recording: Recording, end: quanta::Instant) {
    let Recording {
        operation,
        parent,
        kind,
        status,
        start,
        extras,
        pipeline,
    } = recording;
    let Extras {
        attributes,
        mut events,
    } = extras.map(|e| *e).unwrap_or_default();
    let status = match status {
        Some(status) => status,
        None if std::thread::panicking() => {
            // a span already holding its maximum of events keeps them
            if events.len() < rules::MAX_ATTRIBUTES {
                events.extend(SpanEvent::new("panic"));
            }
            SpanStatus::Error
        }
        None => SpanStatus::Unset,
    };
    pipeline.send(RawSpan {
        trace_id: context.trace_id(),
        span_id: context.span_id(),
        parent,
        flags: context.flags(),
        operation,
        kind,
        start,
        end,
        status,
        attributes,
        events,
    });
}

/// The time now on the clock spans are timed with. Every `quanta::Clock`
/// shares one calibration, so these instants compare with
/// `quanta::Instant::now()` (what the pipeline converts them against);
/// reading a clock directly skips the thread-local lookup of a mocked clock
/// that `Instant::now` makes on every call.
#[inline]
pub(super) fn now() -> quanta::Instant {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new).now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_instants_are_on_the_time_base_of_quanta_instants() {
        for _ in 0..1_000 {
            let before = quanta::Instant::now();
            let at = now();
            let after = quanta::Instant::now();
            assert!(before <= at && at <= after, "{before:?} {at:?} {after:?}");
        }
    }
}
