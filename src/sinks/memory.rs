//! [`MemorySink`]: JSON lines kept in a bounded in-memory buffer.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;

use chrono::Utc;
use parking_lot::Mutex;

use super::{JsonEncoder, Record, Resource, Sink};

struct Lines {
    lines: VecDeque<String>,
    capacity: usize,
    evicted: u64,
}

/// Keeps the last `capacity` records as JSON lines (without the trailing
/// `\n`), for tests and examples. Clones share one buffer: keep a clone,
/// hand the other to a [`QueuedSink`](super::QueuedSink), read the lines.
/// When full, the oldest line goes and [`evicted`](MemorySink::evicted) counts it.
///
/// ```
/// use observa::sinks::{MemorySink, Resource, Sink};
/// use observa::{LogEntry, LogLevel};
///
/// let mut sink = MemorySink::new(Resource::new("shop", "1.0"), 2);
/// for message in ["one", "two", "three"] {
///     sink.write(&LogEntry::new(LogLevel::Info, message)?.into())?;
/// }
/// let lines = sink.lines();
/// assert_eq!(lines.len(), 2);
/// assert!(lines[0].contains(r#""body":"two""#));
/// assert_eq!(sink.evicted(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MemorySink {
    encoder: JsonEncoder,
    shared: Arc<Mutex<Lines>>,
    buf: Vec<u8>,
}

impl MemorySink {
    /// An empty buffer for at most `capacity` lines (at least 1).
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource, Sink};
    ///
    /// let mut sink = MemorySink::new(Resource::new("shop", "1"), 1);
    /// assert!(sink.lines().is_empty());
    /// ```
    pub fn new(resource: Resource, capacity: usize) -> MemorySink {
        MemorySink {
            encoder: JsonEncoder::new(resource),
            shared: Arc::new(Mutex::new(Lines {
                lines: VecDeque::new(),
                capacity: capacity.max(1),
                evicted: 0,
            })),
            buf: Vec::new(),
        }
    }

    /// The lines held, oldest first.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource, Sink};
    ///
    /// let mut sink = MemorySink::new(Resource::new("shop", "1"), 1);
    /// sink.write(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into())?;
    /// assert!(sink.lines()[0].starts_with(r#"{"timestamp":"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lines(&self) -> Vec<String> {
        self.shared.lock().lines.iter().cloned().collect()
    }

    /// How many lines were pushed out because the buffer was full.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource, Sink};
    ///
    /// let mut sink = MemorySink::new(Resource::new("shop", "1"), 1);
    /// for _ in 0..3 {
    ///     sink.write(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into())?;
    /// }
    /// assert_eq!(sink.evicted(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evicted(&self) -> u64 {
        self.shared.lock().evicted
    }

    /// Forgets every line held (the eviction count stays).
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource, Sink};
    ///
    /// let mut sink = MemorySink::new(Resource::new("shop", "1.0"), 10);
    /// sink.write(&observa::Span::root("op", "shop")?.into())?;
    /// sink.clear();
    /// assert!(sink.lines().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clear(&self) {
        self.shared.lock().lines.clear();
    }
}

impl Sink for MemorySink {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        self.buf.clear();
        self.encoder.encode(record, Utc::now(), &mut self.buf);
        self.buf.pop(); // the trailing newline
        let line = String::from_utf8_lossy(&self.buf).into_owned();
        let mut shared = self.shared.lock();
        if shared.lines.len() >= shared.capacity {
            shared.lines.pop_front();
            shared.evicted += 1;
        }
        shared.lines.push_back(line);
        Ok(())
    }
}

impl std::fmt::Debug for MemorySink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shared = self.shared.lock();
        f.debug_struct("MemorySink")
            .field("lines", &shared.lines.len())
            .field("capacity", &shared.capacity)
            .field("evicted", &shared.evicted)
            .finish()
    }
}
