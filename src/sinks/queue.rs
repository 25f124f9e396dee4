//! [`QueuedSink`]: a bounded queue in front of a [`Sink`], drained by one
//! background writer thread, so the caller never waits on I/O.

use std::collections::VecDeque;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::drops::{kind_index, IO_ERROR, KINDS, QUEUE_FULL, SHUTDOWN_TIMEOUT, SINK_PANIC};
use super::{DropCounts, Record, Sink};

/// How long dropping a [`QueuedSink`] waits for its queue to drain.
///
/// ```
/// assert_eq!(observa::sinks::DEFAULT_SHUTDOWN_DEADLINE.as_secs(), 5);
/// ```
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// What the writer thread is doing, so that senders wake it only when needed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// Writing a batch; it looks at the queue again when done.
    Busy,
    /// The queue was empty a moment ago; it looks again within [`LINGER`].
    Lingering,
    /// Asleep until woken.
    Idle,
}

/// How long the writer waits for more records before it sleeps until woken.
/// While it lingers, senders do not wake it (no system call on their side)
/// unless the queue is half full.
const LINGER: Duration = Duration::from_millis(1);

struct State {
    queue: VecDeque<Record>,
    /// Records accepted so far.
    accepted: u64,
    /// Records the writer has finished with (written and flushed, or counted as dropped).
    finished: u64,
    /// Records the writer has taken and not yet finished with.
    in_flight: usize,
    writer: Writer,
    closing: bool,
    exited: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer: records arrived, or shutdown began.
    work: Condvar,
    /// Wakes flushers: `finished` moved, or the writer exited.
    progress: Condvar,
    drops: Arc<DropCounts>,
    capacity: usize,
}

/// A [`Sink`] behind a bounded queue with its own writer thread.
///
/// [`send`](QueuedSink::send) takes a short lock, appends and returns: it
/// never waits for I/O. A full queue drops the record and counts it
/// (`queue_full`). The writer takes every queued record at once, writes
/// them, then flushes the sink, so under load one flush serves many records.
/// [`flush`](QueuedSink::flush) waits, up to a deadline, until everything
/// sent before it is written and flushed; dropping the sink (or
/// [`shutdown`](QueuedSink::shutdown)) drains the queue the same way.
/// At most `capacity` records are held at any time: those waiting plus the
/// batch being written.
///
/// ```
/// use std::time::Duration;
/// use observa::sinks::{MemorySink, QueuedSink, Resource};
/// use observa::{LogEntry, LogLevel};
///
/// let memory = MemorySink::new(Resource::new("shop", "1.0"), 100);
/// let sink = QueuedSink::spawn(memory.clone(), 1_000)?;
/// assert!(sink.send(LogEntry::new(LogLevel::Info, "one")?));
/// assert!(sink.shutdown(Duration::from_secs(5)));
/// assert_eq!(memory.lines().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct QueuedSink {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl QueuedSink {
    /// Starts a writer thread for `sink` behind a queue of `capacity`
    /// records (at least 1). Fails only if the thread cannot be spawned.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let memory = MemorySink::new(Resource::new("shop", "1"), 10);
    /// let sink = QueuedSink::spawn(memory.clone(), 10)?;
    /// assert_eq!(sink.capacity(), 10);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spawn(sink: impl Sink, capacity: usize) -> io::Result<QueuedSink> {
        let capacity = capacity.max(1);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                accepted: 0,
                finished: 0,
                in_flight: 0,
                writer: Writer::Busy,
                closing: false,
                exited: false,
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            drops: Arc::new(DropCounts::default()),
            capacity,
        });
        let for_writer = Arc::clone(&shared);
        let writer = std::thread::Builder::new()
            .name("observa-sink".into())
            .spawn(move || write_until_closed(&for_writer, sink))?;
        Ok(QueuedSink {
            shared,
            writer: Some(writer),
        })
    }

    /// Queues a record for the writer; `false` if the queue was full, in
    /// which case the record is dropped and counted. Never blocks on I/O.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let memory = MemorySink::new(Resource::new("shop", "1"), 10);
    /// let sink = QueuedSink::spawn(memory.clone(), 10)?;
    /// assert!(sink.send(observa::Span::root("checkout", "shop")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, record: impl Into<Record>) -> bool {
        let record = record.into();
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        if state.queue.len() + state.in_flight < shared.capacity {
            state.queue.push_back(record);
            state.accepted += 1;
            let wake = match state.writer {
                Writer::Idle => true,
                Writer::Lingering => state.queue.len() + state.in_flight == shared.capacity.div_ceil(2),
                Writer::Busy => false,
            };
            drop(state);
            if wake {
                shared.work.notify_one();
            }
            return true;
        }
        drop(state);
        shared.drops.add(&record, QUEUE_FULL, 1);
        false
    }

    /// Waits until every record sent before this call is written and
    /// flushed, or `timeout` passes; `true` if everything was.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let memory = MemorySink::new(Resource::new("shop", "1"), 10);
    /// let sink = QueuedSink::spawn(memory.clone(), 10)?;
    /// sink.send(observa::LogEntry::new(observa::LogLevel::Info, "hi")?);
    /// assert!(sink.flush(std::time::Duration::from_secs(5)));
    /// assert_eq!(memory.lines().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        let target = state.accepted;
        shared.work.notify_one();
        while state.finished < target && !state.exited {
            if shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        state.finished >= target
    }

    /// Stops accepting records, waits up to `timeout` for the queue to be
    /// written and flushed, and stops the writer. Records still queued at the
    /// deadline are dropped and counted (`shutdown_timeout`); the batch the
    /// writer is stuck in is left to it. `true` if everything was written.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let memory = MemorySink::new(Resource::new("shop", "1"), 10);
    /// let sink = QueuedSink::spawn(memory.clone(), 10)?;
    /// sink.send(observa::LogEntry::new(observa::LogLevel::Info, "bye")?);
    /// assert!(sink.shutdown(std::time::Duration::from_secs(5)));
    /// assert_eq!(memory.lines().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(mut self, timeout: Duration) -> bool {
        self.close(timeout)
    }

    /// The drop counts, shared: they stay readable after the sink is gone.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let sink = QueuedSink::spawn(MemorySink::new(Resource::new("shop", "1"), 10), 10)?;
    /// assert_eq!(sink.drops().get("span", "queue_full"), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn drops(&self) -> Arc<DropCounts> {
        Arc::clone(&self.shared.drops)
    }

    /// How many records are held: waiting, or in the batch being written.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let sink = QueuedSink::spawn(MemorySink::new(Resource::new("shop", "1"), 10), 10)?;
    /// assert!(sink.queued() <= sink.capacity());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn queued(&self) -> usize {
        let state = self.shared.state.lock();
        state.queue.len() + state.in_flight
    }

    /// The most records the queue holds.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, QueuedSink, Resource};
    ///
    /// let sink = QueuedSink::spawn(MemorySink::new(Resource::new("shop", "1"), 10), 0)?;
    /// assert_eq!(sink.capacity(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    fn close(&mut self, timeout: Duration) -> bool {
        let Some(writer) = self.writer.take() else {
            return true;
        };
        let deadline = Instant::now() + timeout;
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
            // The writer has left its loop; joining cannot wait on I/O.
            let _ = writer.join();
            return true;
        }
        // The writer is stuck in the sink: give up on what it has not taken.
        let abandoned: Vec<Record> = state.queue.drain(..).collect();
        state.finished += abandoned.len() as u64;
        drop(state);
        for record in &abandoned {
            shared.drops.add(record, SHUTDOWN_TIMEOUT, 1);
        }
        false
    }
}

impl Drop for QueuedSink {
    /// Shuts down with [`DEFAULT_SHUTDOWN_DEADLINE`].
    fn drop(&mut self) {
        self.close(DEFAULT_SHUTDOWN_DEADLINE);
    }
}

impl std::fmt::Debug for QueuedSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedSink")
            .field("capacity", &self.shared.capacity)
            .field("queued", &self.queued())
            .finish_non_exhaustive()
    }
}

/// The writer thread: takes every queued record, writes and flushes them,
/// until shutdown begins and the queue is empty.
fn write_until_closed(shared: &Shared, mut sink: impl Sink) {
    let mut batch = VecDeque::new();
    loop {
        {
            let mut state = shared.state.lock();
            let mut lingered = false;
            while state.queue.is_empty() && !state.closing {
                if lingered {
                    state.writer = Writer::Idle;
                    shared.work.wait(&mut state);
                } else {
                    state.writer = Writer::Lingering;
                    lingered = shared.work.wait_for(&mut state, LINGER).timed_out();
                }
            }
            state.writer = Writer::Busy;
            if state.queue.is_empty() {
                state.exited = true;
                shared.progress.notify_all();
                return;
            }
            std::mem::swap(&mut state.queue, &mut batch);
            state.in_flight = batch.len();
        }
        let taken = batch.len() as u64;
        write_batch(shared, &mut sink, &batch);
        batch.clear();
        let mut state = shared.state.lock();
        state.finished += taken;
        state.in_flight = 0;
        shared.progress.notify_all();
    }
}

fn write_batch(shared: &Shared, sink: &mut impl Sink, batch: &VecDeque<Record>) {
    // Records written without error, by kind: lost if the flush fails.
    let mut written = [0u64; KINDS.len()];
    for record in batch {
        match catch_unwind(AssertUnwindSafe(|| sink.write(record))) {
            Ok(Ok(())) => written[kind_index(record)] += 1,
            Ok(Err(_)) => shared.drops.add(record, IO_ERROR, 1),
            Err(_) => shared.drops.add(record, SINK_PANIC, 1),
        }
    }
    let flushed = catch_unwind(AssertUnwindSafe(|| sink.flush()));
    if !matches!(flushed, Ok(Ok(()))) {
        let reason = if flushed.is_err() { SINK_PANIC } else { IO_ERROR };
        for (kind, n) in written.into_iter().enumerate() {
            shared.drops.add_kind(kind, reason, n);
        }
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
