//! [`SpanPipeline`]: finished spans leave the caller's thread as raw records
//! (ids, clock instants, name, attributes) on a bounded queue; one writer
//! thread turns them into validated, redacted [`Span`] entities, stores
//! them and hands them to the span sinks.
//!
//! Queries read their own writes: every read of the repository first
//! converts what is still queued ([`SpanPipeline::drain`]), so a span is
//! visible as soon as it has finished. A full queue drops the record and
//! counts it (`queue_full`); a record the entity refuses is counted too
//! (`invalid`), as is one the repository refuses (`store_error`). Dropping the pipeline converts everything still queued.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::materialize::{Anchor, Outlet};
use crate::domain::{SpanEvent, SpanId, SpanKind, SpanStatus, TraceId};
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

/// What the writer thread is doing, so that senders wake it only when needed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// No thread yet: the first record starts it.
    NotStarted,
    /// Converting a batch; it looks at the queue again when done.
    Busy,
    /// The queue was empty a moment ago; it looks again within [`LINGER`].
    Lingering,
    /// Asleep until woken.
    Idle,
}

/// How long the writer waits for more records before it sleeps until woken.
const LINGER: Duration = Duration::from_millis(1);

struct Queue {
    records: Vec<RawSpan>,
    writer: Writer,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
    /// The batch being converted (its buffer reused); held while converting,
    /// so a drain that gets it knows every earlier batch is stored.
    writing: Mutex<Vec<RawSpan>>,
    outlet: Outlet,
    capacity: usize,
    queue_full: AtomicU64,
    invalid: AtomicU64,
    store_error: AtomicU64,
}

impl Shared {
    /// Converts and stores everything queued now.
    fn write_pending(&self) {
        let mut batch = self.writing.lock();
        std::mem::swap(&mut self.queue.lock().records, &mut *batch);
        if batch.is_empty() {
            return;
        }
        let clock = Anchor::now();
        for raw in batch.drain(..) {
            if let Err(e) = self.outlet.write(raw, &clock) {
                let counter = if e.code() == "validation" {
                    &self.invalid
                } else {
                    &self.store_error
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn write_until_closed(shared: &Shared) {
    let mut queue = shared.queue.lock();
    loop {
        if queue.records.is_empty() {
            if queue.closed {
                return;
            }
            if queue.writer == Writer::Busy {
                queue.writer = Writer::Lingering;
                shared.work.wait_for(&mut queue, LINGER);
            } else {
                queue.writer = Writer::Idle;
                shared.work.wait(&mut queue);
            }
            continue;
        }
        queue.writer = Writer::Busy;
        drop(queue);
        shared.write_pending();
        queue = shared.queue.lock();
    }
}

/// The bounded queue of raw spans and its writer thread; see the module docs.
pub(super) struct SpanPipeline {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl SpanPipeline {
    pub fn new(outlet: Outlet, capacity: usize) -> SpanPipeline {
        SpanPipeline {
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue {
                    records: Vec::new(),
                    writer: Writer::NotStarted,
                    closed: false,
                }),
                work: Condvar::new(),
                writing: Mutex::new(Vec::new()),
                outlet,
                capacity: capacity.max(1),
                queue_full: AtomicU64::new(0),
                invalid: AtomicU64::new(0),
                store_error: AtomicU64::new(0),
            }),
            writer: Mutex::new(None),
        }
    }

    pub fn outlet(&self) -> &Outlet {
        &self.shared.outlet
    }

    /// Queues a finished span; never blocks on the writer. A full queue
    /// drops it and counts it.
    #[inline]
    pub fn send(&self, raw: RawSpan) {
        let shared = &*self.shared;
        let mut queue = shared.queue.lock();
        if queue.records.len() >= shared.capacity {
            drop(queue);
            shared.queue_full.fetch_add(1, Ordering::Relaxed);
            return;
        }
        queue.records.push(raw);
        let wake = match queue.writer {
            Writer::Idle => {
                queue.writer = Writer::Busy;
                true
            }
            Writer::Lingering => queue.records.len() == shared.capacity.div_ceil(2),
            Writer::Busy => false,
            Writer::NotStarted => {
                queue.writer = Writer::Busy;
                drop(queue);
                self.start_writer();
                return;
            }
        };
        drop(queue);
        if wake {
            shared.work.notify_one();
        }
    }

    #[cold]
    fn start_writer(&self) {
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name("observa-spans".into())
            .spawn(move || write_until_closed(&shared));
        match spawned {
            Ok(handle) => *self.writer.lock() = Some(handle),
            Err(_) => {
                // no thread: convert on this one, and try again next time
                self.shared.queue.lock().writer = Writer::NotStarted;
                self.drain();
            }
        }
    }

    /// Converts and stores, on this thread, everything queued so far, after
    /// the batch the writer may be converting.
    pub fn drain(&self) {
        self.shared.write_pending();
    }

    /// Records dropped before reaching the repository, by reason.
    pub fn drops(&self) -> [(&'static str, u64); 3] {
        let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("queue_full", count(&self.shared.queue_full)),
            ("invalid", count(&self.shared.invalid)),
            ("store_error", count(&self.shared.store_error)),
        ]
    }
}

impl Drop for SpanPipeline {
    fn drop(&mut self) {
        self.shared.queue.lock().closed = true;
        self.shared.work.notify_all();
        if let Some(writer) = self.writer.get_mut().take() {
            let _ = writer.join();
        }
        self.drain();
    }
}

#[cfg(test)]
mod tests {
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
            let _writing = pipeline.shared.writing.lock();
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
