//! [`Pipeline`]: raw records leave the caller's thread on a bounded queue;
//! one writer thread turns them into entities and hands them to their
//! outlets (repository, sinks). Spans and log entries both go this way; what
//! a record becomes is the [`Convert`] of the signal.
//!
//! Reads see their writes: a service drains ([`Pipeline::drain`]) before
//! every read of its repository, which converts, on the reading thread,
//! what is still queued, after the batch the writer may be converting. A
//! full queue drops the record and counts it (`queue_full`); a record the
//! entity refuses is counted (`invalid`), as is one the repository refuses
//! (`store_error`). Dropping the pipeline converts everything still queued.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use crate::error::Result;

/// What a signal's writer does with its raw records.
pub(crate) trait Convert: Send + Sync + 'static {
    /// What the caller queues.
    type Raw: Send + 'static;
    /// What is read once per batch (a clock anchor, or nothing).
    type Batch;
    /// The writer thread's name.
    const THREAD: &'static str;

    /// Starts a batch.
    fn batch(&self) -> Self::Batch;

    /// Converts one record and hands it to the outlets; an error is counted
    /// (`invalid` for a validation error, `store_error` otherwise).
    fn write(&self, raw: Self::Raw, batch: &Self::Batch) -> Result<()>;
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

struct Queue<R> {
    records: Vec<R>,
    writer: Writer,
    closed: bool,
}

struct Shared<C: Convert> {
    queue: Mutex<Queue<C::Raw>>,
    work: Condvar,
    /// The batch being converted (its buffer reused); held while converting,
    /// so a drain that gets it knows every earlier batch is stored.
    writing: Mutex<Vec<C::Raw>>,
    convert: C,
    capacity: usize,
    queue_full: AtomicU64,
    invalid: AtomicU64,
    store_error: AtomicU64,
}

impl<C: Convert> Shared<C> {
    /// Converts and stores everything queued now.
    fn write_pending(&self) {
        let mut batch = self.writing.lock();
        std::mem::swap(&mut self.queue.lock().records, &mut *batch);
        if batch.is_empty() {
            return;
        }
        let state = self.convert.batch();
        for raw in batch.drain(..) {
            if let Err(e) = self.convert.write(raw, &state) {
                let counter = if e.code() == "validation" {
                    &self.invalid
                } else {
                    &self.store_error
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn write_until_closed(&self) {
        let mut queue = self.queue.lock();
        loop {
            if queue.records.is_empty() {
                if queue.closed {
                    return;
                }
                if queue.writer == Writer::Busy {
                    queue.writer = Writer::Lingering;
                    self.work.wait_for(&mut queue, LINGER);
                } else {
                    queue.writer = Writer::Idle;
                    self.work.wait(&mut queue);
                }
                continue;
            }
            queue.writer = Writer::Busy;
            drop(queue);
            self.write_pending();
            queue = self.queue.lock();
        }
    }
}

/// A bounded queue of raw records and its writer thread; see the module docs.
pub(crate) struct Pipeline<C: Convert> {
    shared: Arc<Shared<C>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl<C: Convert> Pipeline<C> {
    /// A pipeline converting with `convert`, queueing at most `capacity`
    /// records (at least 1); its thread starts with the first record.
    pub fn new(convert: C, capacity: usize) -> Pipeline<C> {
        Pipeline {
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue {
                    records: Vec::new(),
                    writer: Writer::NotStarted,
                    closed: false,
                }),
                work: Condvar::new(),
                writing: Mutex::new(Vec::new()),
                convert,
                capacity: capacity.max(1),
                queue_full: AtomicU64::new(0),
                invalid: AtomicU64::new(0),
                store_error: AtomicU64::new(0),
            }),
            writer: Mutex::new(None),
        }
    }

    /// The conversion (and the outlets it holds).
    pub fn convert(&self) -> &C {
        &self.shared.convert
    }

    /// Queues a record; never blocks on the writer. A full queue drops it
    /// and counts it; returns whether it was queued.
    #[inline]
    pub fn send(&self, raw: C::Raw) -> bool {
        let shared = &*self.shared;
        let mut queue = shared.queue.lock();
        if queue.records.len() >= shared.capacity {
            drop(queue);
            shared.queue_full.fetch_add(1, Ordering::Relaxed);
            return false;
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
                return true;
            }
        };
        drop(queue);
        if wake {
            shared.work.notify_one();
        }
        true
    }

    #[cold]
    fn start_writer(&self) {
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name(C::THREAD.into())
            .spawn(move || shared.write_until_closed());
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

    /// Records dropped before reaching the outlets, by reason.
    pub fn drops(&self) -> [(&'static str, u64); 3] {
        let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("queue_full", count(&self.shared.queue_full)),
            ("invalid", count(&self.shared.invalid)),
            ("store_error", count(&self.shared.store_error)),
        ]
    }

    /// Holds the writer off (no batch is converted while the guard lives),
    /// so a test can fill the queue.
    #[cfg(test)]
    pub fn hold_writer(&self) -> impl Drop + '_ {
        self.shared.writing.lock()
    }
}

impl<C: Convert> Drop for Pipeline<C> {
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
    use crate::error::ObsError;

    /// Keeps even numbers, refuses odd ones as invalid and 0 as a store error.
    #[derive(Default)]
    struct Evens(Mutex<Vec<u32>>);

    impl Convert for Evens {
        type Raw = u32;
        type Batch = ();
        const THREAD: &'static str = "observa-test";
        fn batch(&self) {}
        fn write(&self, raw: u32, _: &()) -> Result<()> {
            match raw {
                0 => Err(ObsError::configuration("store", "refused")),
                n if n % 2 == 1 => Err(ObsError::validation("n", "n", n, "even")),
                n => {
                    self.0.lock().push(n);
                    Ok(())
                }
            }
        }
    }

    #[test]
    fn a_drain_sees_every_record_sent_before_it_in_order() {
        let pipeline = Pipeline::new(Evens::default(), 1_000);
        for n in 1..=200 {
            assert!(pipeline.send(n * 2));
        }
        pipeline.drain();
        let kept = pipeline.convert().0.lock().clone();
        assert_eq!(kept, (1..=200).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_full_queue_drops_and_refusals_are_counted_by_reason() {
        let pipeline = Pipeline::new(Evens::default(), 3);
        {
            let _held = pipeline.hold_writer();
            assert!(pipeline.send(0));
            assert!(pipeline.send(1));
            assert!(pipeline.send(2));
            assert!(!pipeline.send(4));
        }
        pipeline.drain();
        assert_eq!(
            pipeline.drops(),
            [("queue_full", 1), ("invalid", 1), ("store_error", 1)]
        );
        assert_eq!(*pipeline.convert().0.lock(), vec![2]);
    }

    #[test]
    fn dropping_the_pipeline_converts_what_is_queued() {
        let kept = Arc::new(Mutex::new(Vec::new()));
        struct Into(Arc<Mutex<Vec<u32>>>);
        impl Convert for Into {
            type Raw = u32;
            type Batch = ();
            const THREAD: &'static str = "observa-test";
            fn batch(&self) {}
            fn write(&self, raw: u32, _: &()) -> Result<()> {
                self.0.lock().push(raw);
                Ok(())
            }
        }
        let pipeline = Pipeline::new(Into(Arc::clone(&kept)), 100);
        for n in 0..50 {
            pipeline.send(n);
        }
        drop(pipeline);
        assert_eq!(kept.lock().len(), 50);
    }
}
