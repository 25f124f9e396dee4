//! [`QueuedSink`]: a bounded queue in front of a [`Sink`], drained by one
//! background writer thread, so the caller never waits on I/O.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::drops::{kind_index, IO_ERROR, KINDS, QUEUE_FULL, SHUTDOWN_TIMEOUT, SINK_PANIC};
use super::{DropCounts, Record, Sink};
use crate::worker::{self, Consumer, During, Loss, Worker, WorkerConfig};

/// How long dropping a [`QueuedSink`] waits for its queue to drain.
///
/// ```
/// assert_eq!(observa::sinks::DEFAULT_SHUTDOWN_DEADLINE.as_secs(), 5);
/// ```
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = worker::DROP_TIMEOUT;

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
    /// Dropping it shuts down with [`DEFAULT_SHUTDOWN_DEADLINE`].
    worker: Worker<Record>,
    drops: Arc<DropCounts>,
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
        let drops = Arc::new(DropCounts::default());
        let counted = Arc::clone(&drops);
        let worker = WorkerConfig::new("observa-sink", capacity)
            .on_loss(move |record, loss| {
                let reason = match loss {
                    Loss::Full => QUEUE_FULL,
                    Loss::Abandoned => SHUTDOWN_TIMEOUT,
                };
                counted.add(record, reason, 1);
            })
            .spawn(Box::new(Writer {
                sink,
                drops: Arc::clone(&drops),
                written: [0; KINDS.len()],
                writing: 0,
            }) as Box<dyn Consumer<Record>>)?;
        Ok(QueuedSink { worker, drops })
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
        self.worker.send(record.into())
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
        self.worker.flush(worker::deadline_after(timeout))
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
        self.worker.close(worker::deadline_after(timeout))
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
        Arc::clone(&self.drops)
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
        self.worker.queued()
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
        self.worker.capacity()
    }
}

impl std::fmt::Debug for QueuedSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedSink")
            .field("capacity", &self.capacity())
            .field("queued", &self.queued())
            .finish_non_exhaustive()
    }
}

/// The writer thread's side: writes each record of a batch, then flushes
/// the sink once; what an error or a panic cost is counted by kind.
struct Writer<S> {
    sink: S,
    drops: Arc<DropCounts>,
    /// Records of this batch written without error, by kind: lost if the
    /// flush fails.
    written: [u64; KINDS.len()],
    /// The kind of the record being written (counted if writing panics).
    writing: usize,
}

impl<S> Writer<S> {
    /// Counts the records of this batch that a failed flush may have lost.
    fn lose_written(&mut self, reason: usize) {
        for (kind, n) in std::mem::take(&mut self.written).into_iter().enumerate() {
            self.drops.add_kind(kind, reason, n);
        }
    }
}

impl<S: Sink> Consumer<Record> for Writer<S> {
    fn consume(&mut self, record: Record) {
        self.writing = kind_index(&record);
        match self.sink.write(&record) {
            Ok(()) => self.written[self.writing] += 1,
            Err(_) => self.drops.add(&record, IO_ERROR, 1),
        }
    }

    fn end_batch(&mut self) {
        match self.sink.flush() {
            Ok(()) => self.written = [0; KINDS.len()],
            Err(_) => self.lose_written(IO_ERROR),
        }
    }

    fn panicked(&mut self, during: During) {
        match during {
            During::Consume => self.drops.add_kind(self.writing, SINK_PANIC, 1),
            During::EndBatch => self.lose_written(SINK_PANIC),
            During::Tick => {}
        }
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
