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
//!
//! The queue and its thread are a lazy [`Worker`] (it starts with the first
//! record); at most `capacity` records are held, waiting or being converted.
//!
//! A read made while converting (a repository's `save` or a sink that
//! queries a service, on the writer thread or on a draining reader) does not
//! drain: it would wait for the conversion it is part of. It sees what is
//! stored, not what is still queued.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::error::Result;
use crate::worker::{Consumer, Worker, WorkerConfig};

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

/// The conversion and what it refused, shared by the pipeline (which reads
/// them) and its writer.
struct Outlets<C> {
    convert: C,
    invalid: AtomicU64,
    store_error: AtomicU64,
}

thread_local! {
    /// Whether this thread is converting records of some pipeline.
    static CONVERTING: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as converting until dropped.
struct Converting {
    was: bool,
}

impl Converting {
    fn enter() -> Converting {
        Converting {
            was: CONVERTING.with(|c| c.replace(true)),
        }
    }
}

impl Drop for Converting {
    fn drop(&mut self) {
        CONVERTING.with(|c| c.set(self.was));
    }
}

/// The [`Consumer`] of the raw records: converts them, the batch state read
/// once per batch.
struct Writer<C: Convert> {
    outlets: Arc<Outlets<C>>,
}

impl<C: Convert> Writer<C> {
    #[inline]
    fn write(&self, raw: C::Raw, batch: &C::Batch) {
        let outlets = &*self.outlets;
        if let Err(e) = outlets.convert.write(raw, batch) {
            let counter = if e.code() == "validation" {
                &outlets.invalid
            } else {
                &outlets.store_error
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl<C: Convert> Consumer<C::Raw> for Writer<C> {
    fn consume(&mut self, raw: C::Raw) {
        let _converting = Converting::enter();
        self.write(raw, &self.outlets.convert.batch());
    }

    fn consume_all(&mut self, raws: &mut std::vec::Drain<'_, C::Raw>) {
        let _converting = Converting::enter();
        let batch = self.outlets.convert.batch();
        for raw in raws {
            self.write(raw, &batch);
        }
    }
}

/// A bounded queue of raw records and its writer thread; see the module docs.
pub(crate) struct Pipeline<C: Convert> {
    outlets: Arc<Outlets<C>>,
    worker: Worker<C::Raw, Writer<C>>,
}

impl<C: Convert> Pipeline<C> {
    /// A pipeline converting with `convert`, holding at most `capacity`
    /// records (at least 1: waiting, or in the batch being converted); its
    /// thread starts with the first record.
    pub fn new(convert: C, capacity: usize) -> Pipeline<C> {
        let outlets = Arc::new(Outlets {
            convert,
            invalid: AtomicU64::new(0),
            store_error: AtomicU64::new(0),
        });
        let writer = Writer {
            outlets: Arc::clone(&outlets),
        };
        let worker = WorkerConfig::new(C::THREAD, capacity).lazy(writer);
        Pipeline { outlets, worker }
    }

    /// The conversion (and the outlets it holds).
    pub fn convert(&self) -> &C {
        &self.outlets.convert
    }

    /// Queues a record; never blocks on the writer. A full queue drops it
    /// and counts it; returns whether it was queued.
    #[inline]
    pub fn send(&self, raw: C::Raw) -> bool {
        self.worker.send(raw)
    }

    /// Converts and stores, on this thread, everything queued so far, after
    /// the batch the writer may be converting; nothing when called from a
    /// conversion (see the module docs).
    pub fn drain(&self) {
        if !CONVERTING.with(Cell::get) {
            self.worker.drain_here();
        }
    }

    /// Waits until the writer has converted every record sent before the
    /// call, or `deadline` passes; `true` if it has.
    pub fn flush(&self, deadline: Instant) -> bool {
        self.worker.flush(deadline)
    }

    /// Records dropped before reaching the outlets, by reason.
    pub fn drops(&self) -> [(&'static str, u64); 3] {
        let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("queue_full", self.worker.dropped()),
            ("invalid", count(&self.outlets.invalid)),
            ("store_error", count(&self.outlets.store_error)),
        ]
    }

    /// Holds the writer off (no batch is converted while the guard lives),
    /// so a test can fill the queue.
    #[cfg(test)]
    pub fn hold_writer(&self) -> impl Drop + '_ {
        self.worker.hold_consumer()
    }
}

impl<C: Convert> Drop for Pipeline<C> {
    /// Converts everything still queued.
    fn drop(&mut self) {
        self.worker.close_here();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ObsError;
    use parking_lot::Mutex;

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

    #[test]
    fn a_panic_while_converting_loses_that_record_only() {
        #[derive(Default)]
        struct PanicsOnThree(Mutex<Vec<u32>>);
        impl Convert for PanicsOnThree {
            type Raw = u32;
            type Batch = ();
            const THREAD: &'static str = "observa-test";
            fn batch(&self) {}
            fn write(&self, raw: u32, _: &()) -> Result<()> {
                assert_ne!(raw, 3, "conversion failure");
                self.0.lock().push(raw);
                Ok(())
            }
        }
        let pipeline = Pipeline::new(PanicsOnThree::default(), 100);
        {
            let _held = pipeline.hold_writer();
            (0..6).for_each(|n| assert!(pipeline.send(n)));
        }
        pipeline.drain();
        assert!(pipeline.send(6), "still accepting");
        pipeline.drain();
        assert_eq!(*pipeline.convert().0.lock(), [0, 1, 2, 4, 5, 6]);
    }
}
