//! [`Worker`]: a bounded queue drained by one named background thread, for
//! the outlets that must never make their caller wait on I/O (the sinks'
//! `QueuedSink`, the alert notifications' dispatcher).
//!
//! [`send`](Worker::send) takes one short lock, appends and returns; a full
//! queue drops the item and counts it. The thread takes up to a batch of
//! items at a time and hands them, in order, to its [`Consumer`]; a panic
//! there is caught and counted, and the thread carries on.
//! [`flush`](Worker::flush) waits, up to a deadline, until everything sent
//! before it is consumed; [`close`](Worker::close) (and dropping the worker)
//! consumes what is queued within a deadline and gives up on the rest.
//!
//! The consumer is shared behind a lock that the thread holds while it
//! consumes a batch, so [`drain_here`](Worker::drain_here) can consume what
//! is queued on the calling thread, after the batch in flight, and
//! [`close_here`](Worker::close_here) can close without giving anything up
//! (the spans' and logs' [`Pipeline`](crate::pipeline::Pipeline) reads its
//! writes this way). A worker made with [`WorkerConfig::lazy`] starts its
//! thread with the first item.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

mod config;
mod consumer;
mod thread;

use config::spawn_thread;
pub(crate) use config::WorkerConfig;
pub(crate) use consumer::{Consumer, During};

/// How long dropping a [`Worker`] waits for its queue to be consumed.
pub(crate) const DROP_TIMEOUT: Duration = Duration::from_secs(5);

/// The instant `timeout` from now; a timeout too long to add (such as
/// `Duration::MAX`) waits about a century instead of overflowing.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3_600);
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(CENTURY))
        .unwrap_or(now)
}

/// How long the thread waits for more items before it sleeps until woken.
/// While it lingers, senders do not wake it (no system call on their side)
/// unless the queue is half full.
const LINGER: Duration = Duration::from_millis(1);

/// Why an item never reached the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    /// The queue was full (or closed) when it was sent.
    Full,
    /// It was still queued when the close deadline passed.
    Abandoned,
}

type LossHook<T> = Box<dyn Fn(&T, Loss) + Send + Sync>;

/// What the thread is doing, so that senders wake it only when needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No thread yet (a lazy worker): the first item starts it.
    NotStarted,
    /// Consuming (or about to); it looks at the queue again when done.
    Busy,
    /// The queue was empty a moment ago; it looks again within [`LINGER`].
    Lingering,
    /// Asleep until woken (or until its next tick).
    Idle,
}

struct State<T> {
    queue: Vec<T>,
    /// The most items that may wait: the capacity less those in flight,
    /// or 0 once closing began (so `send` makes one comparison).
    limit: usize,
    /// Items consumed (or abandoned) so far; with those held, every item
    /// accepted.
    finished: u64,
    /// Items taken (by the thread or a drain) and not yet finished with.
    in_flight: usize,
    phase: Phase,
    closing: bool,
    exited: bool,
}

impl<T> State<T> {
    fn begin_closing(&mut self) {
        self.closing = true;
        self.limit = 0;
    }

    /// `batch` was taken from the queue (by the thread or a drain).
    fn take_in_flight(&mut self, taken: usize, capacity: usize) {
        self.in_flight = taken;
        if !self.closing {
            self.limit = capacity - taken;
        }
    }

    /// The batch in flight is finished.
    fn finish_in_flight(&mut self, capacity: usize) {
        self.finished += self.in_flight as u64;
        self.in_flight = 0;
        if !self.closing {
            self.limit = capacity;
        }
    }
}

/// The consumer and the buffer of the batch it is consuming (reused); locked
/// by whoever consumes, so batches are consumed one after the other.
struct Consuming<T, C> {
    consumer: C,
    batch: Vec<T>,
}

struct Shared<T, C> {
    state: Mutex<State<T>>,
    /// Wakes the thread: items arrived, a flush began, or closing began.
    work: Condvar,
    /// Wakes flushers and closers: `finished` moved, or the thread exited.
    progress: Condvar,
    consuming: Mutex<Consuming<T, C>>,
    capacity: usize,
    max_batch: usize,
    on_loss: Option<LossHook<T>>,
    dropped: AtomicU64,
    abandoned: AtomicU64,
    panicked: AtomicU64,
}

impl<T, C> Shared<T, C> {
    #[cold]
    #[inline(never)]
    fn lost(&self, items: &[&T], loss: Loss) -> u64 {
        let counter = match loss {
            Loss::Full => &self.dropped,
            Loss::Abandoned => &self.abandoned,
        };
        let before = counter.fetch_add(items.len() as u64, Ordering::Relaxed);
        if let Some(hook) = &self.on_loss {
            items.iter().for_each(|item| hook(item, loss));
        }
        before
    }
}

/// A bounded queue of `T` and the one named thread that consumes it with
/// `C`; see the module docs.
pub(crate) struct Worker<T: Send + 'static, C: Consumer<T> = Box<dyn Consumer<T>>> {
    name: String,
    shared: Arc<Shared<T, C>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<T: Send + 'static, C: Consumer<T>> Worker<T, C> {
    /// Queues `item`; `false` if the queue was full (or closed), in which
    /// case the item is dropped and counted. Never waits for the consumer.
    #[inline]
    pub(crate) fn send(&self, item: T) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        if state.queue.len() >= state.limit {
            drop(state);
            match shared.on_loss {
                None => shared.dropped.fetch_add(1, Ordering::Relaxed),
                Some(_) => shared.lost(&[&item], Loss::Full),
            };
            return false;
        }
        state.queue.push(item);
        let wake = match state.phase {
            Phase::Idle => {
                // later senders need not wake it again
                state.phase = Phase::Busy;
                true
            }
            // half full, counting those in flight
            Phase::Lingering => {
                state.queue.len() + shared.capacity - state.limit == shared.capacity.div_ceil(2)
            }
            Phase::Busy => false,
            Phase::NotStarted => {
                state.phase = Phase::Busy;
                drop(state);
                self.start();
                return true;
            }
        };
        drop(state);
        if wake {
            shared.work.notify_one();
        }
        true
    }

    #[cold]
    fn start(&self) {
        match spawn_thread(&self.name, &self.shared) {
            Ok(thread) => *self.thread.lock() = Some(thread),
            Err(_) => {
                // no thread: consume on this one, and try again next time
                self.shared.state.lock().phase = Phase::NotStarted;
                self.drain_here();
            }
        }
    }

    /// Consumes, on this thread, everything queued so far, after the batch
    /// the thread may be consuming.
    pub(crate) fn drain_here(&self) {
        let shared = &*self.shared;
        let mut consuming = shared.consuming.lock();
        let Consuming { consumer, batch } = &mut *consuming;
        {
            let mut state = shared.state.lock();
            if state.queue.is_empty() {
                return;
            }
            std::mem::swap(&mut state.queue, batch);
            state.take_in_flight(batch.len(), shared.capacity);
        }
        thread::consume_batch(shared, consumer, batch);
    }

    /// Waits until every item sent before this call is consumed, or
    /// `deadline` passes; `true` if everything was.
    pub(crate) fn flush(&self, deadline: Instant) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        // everything accepted so far: finished, or still held
        let target = state.finished + (state.queue.len() + state.in_flight) as u64;
        // no need to linger: someone is waiting
        shared.work.notify_one();
        while state.finished < target && !state.exited {
            if shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        state.finished >= target
    }

    /// Stops accepting items, waits until `deadline` for the queue to be
    /// consumed, and stops the thread. What is still queued then is
    /// abandoned and counted; the batch the consumer is stuck in is left to
    /// it. `true` if everything was consumed (also if already closed).
    pub(crate) fn close(&mut self, deadline: Instant) -> bool {
        let Some(thread) = self.thread.get_mut().take() else {
            return true;
        };
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        state.begin_closing();
        shared.work.notify_one();
        while !state.exited {
            if shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        if state.exited {
            drop(state);
            // The thread has left its loop; joining cannot wait on the consumer.
            let _ = thread.join();
            return true;
        }
        // The consumer is stuck: give up on what the thread has not taken.
        let abandoned = std::mem::take(&mut state.queue);
        state.finished += abandoned.len() as u64;
        drop(state);
        shared.lost(&abandoned.iter().collect::<Vec<_>>(), Loss::Abandoned);
        false
    }

    /// Stops accepting items, consumes on this thread what is still queued
    /// (after the batch in flight, however long it takes) and stops the
    /// thread: nothing is given up.
    pub(crate) fn close_here(&mut self) {
        self.shared.state.lock().begin_closing();
        self.shared.work.notify_one();
        self.drain_here();
        if let Some(thread) = self.thread.get_mut().take() {
            // the queue is empty and closing began: the thread leaves its loop
            let _ = thread.join();
        }
    }

    /// How many items are held: waiting, or taken and not yet consumed.
    pub(crate) fn queued(&self) -> usize {
        let state = self.shared.state.lock();
        state.queue.len() + state.in_flight
    }

    /// How many items the thread has taken and not yet consumed.
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> usize {
        self.shared.state.lock().in_flight
    }

    /// Holds the consumer: no batch is consumed while the guard lives.
    #[cfg(test)]
    pub(crate) fn hold_consumer(&self) -> impl Drop + '_ {
        self.shared.consuming.lock()
    }

    /// The most items held at once.
    pub(crate) fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Items dropped because the queue was full (or closed).
    pub(crate) fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Items abandoned at a close deadline.
    pub(crate) fn abandoned(&self) -> u64 {
        self.shared.abandoned.load(Ordering::Relaxed)
    }

    /// Panics caught in the consumer.
    pub(crate) fn panicked(&self) -> u64 {
        self.shared.panicked.load(Ordering::Relaxed)
    }
}

impl<T: Send + 'static, C: Consumer<T>> Drop for Worker<T, C> {
    /// Closes within [`DROP_TIMEOUT`].
    fn drop(&mut self) {
        self.close(Instant::now() + DROP_TIMEOUT);
    }
}

impl<T: Send + 'static, C: Consumer<T>> std::fmt::Debug for Worker<T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.name)
            .field("capacity", &self.shared.capacity)
            .field("queued", &self.queued())
            .field("dropped", &self.dropped())
            .field("abandoned", &self.abandoned())
            .field("panicked", &self.panicked())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
