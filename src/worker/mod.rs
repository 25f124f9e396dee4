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

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

mod thread;

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

/// What a [`Worker`]'s thread does with the items; it lives on that thread.
pub(crate) trait Consumer<T>: Send + 'static {
    /// Handles one item; items come in the order they were sent.
    fn consume(&mut self, item: &T);

    /// Runs after every batch, e.g. to flush what `consume` buffered.
    fn end_batch(&mut self) {}

    /// When [`tick`](Consumer::tick) should next run, if ever.
    fn next_tick(&self) -> Option<Instant> {
        None
    }

    /// Timed work, run once `next_tick` has passed, before the next batch
    /// and never once closing began. It must move `next_tick` on.
    fn tick(&mut self) {}

    /// One of the calls above panicked (the panic is counted, and the thread
    /// carries on with the next item).
    fn panicked(&mut self, _during: During<'_, T>) {}
}

/// A [`Consumer`] call (the one that panicked, when given to
/// [`Consumer::panicked`]).
#[derive(Debug)]
pub(crate) enum During<'a, T> {
    /// [`Consumer::consume`] of this item.
    Consume(&'a T),
    /// [`Consumer::end_batch`].
    EndBatch,
    /// [`Consumer::tick`].
    Tick,
}

/// Why an item never reached the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    /// The queue was full (or closed) when it was sent.
    Full,
    /// It was still queued when the close deadline passed.
    Abandoned,
}

type LossHook<T> = Box<dyn Fn(&T, Loss) + Send + Sync>;

/// How to start a [`Worker`]: its thread's name, its capacity, its batch
/// size and who hears of lost items.
pub(crate) struct WorkerConfig<T> {
    name: String,
    capacity: usize,
    max_batch: usize,
    on_loss: Option<LossHook<T>>,
}

impl<T: Send + 'static> WorkerConfig<T> {
    /// A thread named `name` behind a queue holding `capacity` items (at
    /// least 1: waiting plus being consumed), taking all it finds at once.
    pub(crate) fn new(name: impl Into<String>, capacity: usize) -> WorkerConfig<T> {
        WorkerConfig {
            name: name.into(),
            capacity: capacity.max(1),
            max_batch: usize::MAX,
            on_loss: None,
        }
    }

    /// Takes at most `max_batch` items (at least 1) at a time.
    pub(crate) fn batch(mut self, max_batch: usize) -> WorkerConfig<T> {
        self.max_batch = max_batch.max(1);
        self
    }

    /// Calls `hook` with every lost item (beyond the worker's own counts):
    /// on the sending thread for [`Loss::Full`], on the closing one for
    /// [`Loss::Abandoned`].
    pub(crate) fn on_loss(mut self, hook: impl Fn(&T, Loss) + Send + Sync + 'static) -> WorkerConfig<T> {
        self.on_loss = Some(Box::new(hook));
        self
    }

    /// Starts the thread; fails only if it cannot be spawned.
    pub(crate) fn spawn(self, consumer: impl Consumer<T>) -> io::Result<Worker<T>> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                accepted: 0,
                finished: 0,
                in_flight: 0,
                phase: Phase::Busy,
                closing: false,
                exited: false,
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            capacity: self.capacity,
            max_batch: self.max_batch,
            on_loss: self.on_loss,
            dropped: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            panicked: AtomicU64::new(0),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || thread::consume_until_closed(&for_thread, consumer))?;
        Ok(Worker {
            name: self.name,
            shared,
            thread: Some(thread),
        })
    }
}

/// What the thread is doing, so that senders wake it only when needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Consuming (or about to); it looks at the queue again when done.
    Busy,
    /// The queue was empty a moment ago; it looks again within [`LINGER`].
    Lingering,
    /// Asleep until woken (or until its next tick).
    Idle,
}

struct State<T> {
    queue: VecDeque<T>,
    /// Items accepted so far.
    accepted: u64,
    /// Items consumed (or abandoned) so far.
    finished: u64,
    /// Items the thread has taken and not yet finished with.
    in_flight: usize,
    phase: Phase,
    closing: bool,
    exited: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes the thread: items arrived, a flush began, or closing began.
    work: Condvar,
    /// Wakes flushers and closers: `finished` moved, or the thread exited.
    progress: Condvar,
    capacity: usize,
    max_batch: usize,
    on_loss: Option<LossHook<T>>,
    dropped: AtomicU64,
    abandoned: AtomicU64,
    panicked: AtomicU64,
}

impl<T> Shared<T> {
    fn lost(&self, items: &[&T], loss: Loss) {
        let counter = match loss {
            Loss::Full => &self.dropped,
            Loss::Abandoned => &self.abandoned,
        };
        counter.fetch_add(items.len() as u64, Ordering::Relaxed);
        if let Some(hook) = &self.on_loss {
            items.iter().for_each(|item| hook(item, loss));
        }
    }
}

/// A bounded queue of `T` and the one named thread that consumes it; see
/// the module docs.
pub(crate) struct Worker<T: Send + 'static> {
    name: String,
    shared: Arc<Shared<T>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Worker<T> {
    /// Queues `item`; `false` if the queue was full (or closed), in which
    /// case the item is dropped and counted. Never waits for the consumer.
    #[inline]
    pub(crate) fn send(&self, item: T) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        let held = state.queue.len() + state.in_flight;
        if held >= shared.capacity || state.closing {
            drop(state);
            shared.lost(&[&item], Loss::Full);
            return false;
        }
        state.queue.push_back(item);
        state.accepted += 1;
        let wake = match state.phase {
            Phase::Idle => {
                // later senders need not wake it again
                state.phase = Phase::Busy;
                true
            }
            Phase::Lingering => held + 1 == shared.capacity.div_ceil(2),
            Phase::Busy => false,
        };
        drop(state);
        if wake {
            shared.work.notify_one();
        }
        true
    }

    /// Waits until every item sent before this call is consumed, or
    /// `deadline` passes; `true` if everything was.
    pub(crate) fn flush(&self, deadline: Instant) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        let target = state.accepted;
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
        let Some(thread) = self.thread.take() else {
            return true;
        };
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        state.closing = true;
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

impl<T: Send + 'static> Drop for Worker<T> {
    /// Closes within [`DROP_TIMEOUT`].
    fn drop(&mut self) {
        self.close(Instant::now() + DROP_TIMEOUT);
    }
}

impl<T: Send + 'static> std::fmt::Debug for Worker<T> {
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
