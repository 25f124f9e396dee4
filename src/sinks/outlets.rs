//! [`Outlets`]: the queued sinks of one signal, fed together.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{QueuedSink, Record};

/// How many records each sink's queue holds unless configured otherwise
/// (`ObservabilityBuilder::sink_queue_capacity`).
///
/// ```
/// assert_eq!(observa::sinks::DEFAULT_QUEUE_CAPACITY, 10_000);
/// ```
pub const DEFAULT_QUEUE_CAPACITY: usize = 10_000;

/// The queued sinks one service fans its records out to: every record goes
/// to every sink, each behind its own bounded queue, so a slow sink drops
/// its own records and never holds back another. Dropping it shuts each
/// sink down in turn ([`QueuedSink`]'s deadline each).
///
/// ```
/// use std::time::Duration;
/// use observa::sinks::{MemorySink, Outlets, QueuedSink, Resource};
///
/// let (a, b) = (MemorySink::new(Resource::new("shop", "1"), 10), MemorySink::new(Resource::new("shop", "1"), 10));
/// let outlets = Outlets::new(vec![QueuedSink::spawn(a.clone(), 10)?, QueuedSink::spawn(b.clone(), 10)?]);
/// outlets.send(observa::LogEntry::new(observa::LogLevel::Info, "both")?.into());
/// assert!(outlets.flush(Duration::from_secs(5)));
/// assert_eq!((a.lines().len(), b.lines().len()), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Outlets {
    sinks: Vec<QueuedSink>,
}

impl Outlets {
    /// Fans out to `sinks`.
    ///
    /// ```
    /// assert!(observa::sinks::Outlets::new(Vec::new()).is_empty());
    /// ```
    pub fn new(sinks: Vec<QueuedSink>) -> Outlets {
        Outlets { sinks }
    }

    /// Whether there is no sink (sending then costs nothing).
    ///
    /// ```
    /// assert!(observa::sinks::Outlets::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }

    /// Queues `record` on every sink (a copy for all but the last); never
    /// blocks. Returns how many sinks accepted it.
    ///
    /// ```
    /// let outlets = observa::sinks::Outlets::default();
    /// assert_eq!(outlets.send(observa::Span::root("op", "shop")?.into()), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn send(&self, record: Record) -> usize {
        let Some((last, rest)) = self.sinks.split_last() else {
            return 0;
        };
        let copies = rest.iter().filter(|sink| sink.send(record.clone())).count();
        copies + usize::from(last.send(record))
    }

    /// Waits until every sink has written and flushed what was sent before
    /// the call, all within one `timeout`; `true` if every one did.
    ///
    /// ```
    /// assert!(observa::sinks::Outlets::default().flush(std::time::Duration::ZERO));
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = crate::worker::deadline_after(timeout);
        // every sink is flushed, even after one has missed the deadline
        let missed = self
            .sinks
            .iter()
            .filter(|sink| !sink.flush(deadline.saturating_duration_since(Instant::now())))
            .count();
        missed == 0
    }

    /// Every sink's drops summed by `(kind, reason)`, zeros included.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Outlets, QueuedSink, Resource};
    ///
    /// let outlets = Outlets::new(vec![QueuedSink::spawn(MemorySink::new(Resource::new("shop", "1"), 1), 1)?]);
    /// let drops = outlets.drops();
    /// assert_eq!(drops[&("log_entry", "queue_full")], 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn drops(&self) -> BTreeMap<(&'static str, &'static str), u64> {
        let mut total = BTreeMap::new();
        for sink in &self.sinks {
            for (kind, reason, count) in sink.drops().snapshot() {
                *total.entry((kind, reason)).or_insert(0) += count;
            }
        }
        total
    }
}
