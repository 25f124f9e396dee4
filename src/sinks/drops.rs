//! [`DropCounts`]: what the sinks lost, by entity kind and reason.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Record;

pub(super) const KINDS: [&str; 2] = ["log_entry", "span"];
pub(super) const REASONS: [&str; 4] = ["queue_full", "io_error", "sink_panic", "shutdown_timeout"];
pub(super) const QUEUE_FULL: usize = 0;
pub(super) const IO_ERROR: usize = 1;
pub(super) const SINK_PANIC: usize = 2;
pub(super) const SHUTDOWN_TIMEOUT: usize = 3;

/// Records a sink lost, by entity kind (`log_entry`, `span`) and reason:
///
/// - `queue_full`: the queue was at capacity when the record was sent;
/// - `io_error`: the sink's `write` failed, or its `flush` failed after the record was written;
/// - `sink_panic`: the sink panicked while writing it (the writer thread carries on);
/// - `shutdown_timeout`: it was still queued when the shutdown deadline passed.
///
/// The counts only grow; export them as `observa_dropped_total{kind,reason}`.
///
/// ```
/// use observa::sinks::{MemorySink, QueuedSink, Resource};
/// use observa::{LogEntry, LogLevel};
///
/// let sink = QueuedSink::spawn(MemorySink::new(Resource::new("shop", "1"), 10), 10)?;
/// let drops = sink.drops();
/// sink.shutdown(std::time::Duration::from_secs(5));
/// assert_eq!(drops.total(), 0);
/// for (kind, reason, count) in drops.snapshot() {
///     println!("observa_dropped_total{{kind=\"{kind}\",reason=\"{reason}\"}} {count}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct DropCounts {
    counts: [[AtomicU64; REASONS.len()]; KINDS.len()],
}

impl DropCounts {
    /// The count for one kind and reason; 0 for names it does not know.
    ///
    /// ```
    /// let drops = observa::sinks::DropCounts::default();
    /// assert_eq!(drops.get("log_entry", "queue_full"), 0);
    /// ```
    pub fn get(&self, kind: &str, reason: &str) -> u64 {
        let k = KINDS.iter().position(|&k| k == kind);
        let r = REASONS.iter().position(|&r| r == reason);
        match (k, r) {
            (Some(k), Some(r)) => self.counts[k][r].load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// Every drop, whatever its kind and reason.
    ///
    /// ```
    /// assert_eq!(observa::sinks::DropCounts::default().total(), 0);
    /// ```
    pub fn total(&self) -> u64 {
        self.counts
            .iter()
            .flatten()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    /// Every `(kind, reason, count)`, zeros included, in a fixed order.
    ///
    /// ```
    /// let all = observa::sinks::DropCounts::default().snapshot();
    /// assert!(all.contains(&("span", "io_error", 0)));
    /// ```
    pub fn snapshot(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut out = Vec::with_capacity(KINDS.len() * REASONS.len());
        for (k, kind) in KINDS.iter().enumerate() {
            for (r, reason) in REASONS.iter().enumerate() {
                out.push((*kind, *reason, self.counts[k][r].load(Ordering::Relaxed)));
            }
        }
        out
    }

    pub(super) fn add(&self, record: &Record, reason: usize, n: u64) {
        self.add_kind(kind_index(record), reason, n);
    }

    pub(super) fn add_kind(&self, kind: usize, reason: usize, n: u64) {
        self.counts[kind][reason].fetch_add(n, Ordering::Relaxed);
    }
}

pub(super) fn kind_index(record: &Record) -> usize {
    match record {
        Record::Log { .. } => 0,
        Record::Span { .. } => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LogEntry, LogLevel};

    #[test]
    fn counts_by_kind_and_reason_and_unknown_names_read_as_zero() {
        let drops = DropCounts::default();
        drops.add(
            &Record::from(LogEntry::new(LogLevel::Info, "x").unwrap()),
            QUEUE_FULL,
            2,
        );
        drops.add_kind(1, IO_ERROR, 3);
        assert_eq!(drops.get("log_entry", "queue_full"), 2);
        assert_eq!(drops.get("span", "io_error"), 3);
        assert_eq!(drops.get("metric", "queue_full"), 0);
        assert_eq!(drops.get("log_entry", "tired"), 0);
        assert_eq!(drops.total(), 5);
        assert_eq!(drops.snapshot().len(), KINDS.len() * REASONS.len());
    }
}
