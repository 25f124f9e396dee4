//! [`LogService`]: records log entries at or above a minimum level.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::domain::{LogEntry, LogLevel, TraceId};
use crate::error::Result;
use crate::ports::{Evictions, Query, Repository};

/// Records [`LogEntry`] values at or above a minimum level and finds them again.
/// Entries below the level are counted, not stored.
///
/// ```
/// use observa::{LogEntry, LogLevel, Observability};
///
/// let obs = Observability::builder().service("api", "1").min_log_level(LogLevel::Info).build()?;
/// let logs = obs.logs();
/// assert!(logs.record(LogEntry::new(LogLevel::Error, "db down")?)?);
/// assert!(!logs.record(LogEntry::new(LogLevel::Debug, "noise")?)?);
/// assert_eq!(logs.filtered(), 1);
/// assert_eq!(logs.by_level(LogLevel::Error)?.len(), 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct LogService {
    repository: Arc<dyn Repository<LogEntry>>,
    min_level: LogLevel,
    filtered: Arc<AtomicU64>,
}

impl LogService {
    /// A service storing entries at or above `min_level` into `repository`.
    pub fn new(repository: Arc<dyn Repository<LogEntry>>, min_level: LogLevel) -> Self {
        LogService {
            repository,
            min_level,
            filtered: Arc::default(),
        }
    }

    /// The minimum level stored.
    pub fn min_level(&self) -> LogLevel {
        self.min_level
    }

    /// Whether an entry at `level` would be stored; check it before building
    /// an expensive entry.
    pub fn enabled(&self, level: LogLevel) -> bool {
        level >= self.min_level
    }

    /// Stores `entry` if its level is enabled; returns whether it was stored.
    pub fn record(&self, entry: LogEntry) -> Result<bool> {
        if !self.enabled(entry.level()) {
            self.filtered.fetch_add(1, Ordering::Relaxed);
            return Ok(false);
        }
        self.repository.save(entry)?;
        Ok(true)
    }

    /// Builds and records an entry from a level and a message.
    pub fn log(&self, level: LogLevel, message: impl Into<String>) -> Result<bool> {
        self.record(LogEntry::new(level, message)?)
    }

    /// The `n` newest stored entries.
    pub fn recent(&self, n: usize) -> Result<Vec<LogEntry>> {
        self.repository.recent(n)
    }

    /// Stored entries at exactly `level`, newest first.
    pub fn by_level(&self, level: LogLevel) -> Result<Vec<LogEntry>> {
        self.repository.query(&Query::new().level(level))
    }

    /// Stored entries belonging to `trace_id`, newest first.
    pub fn for_trace(&self, trace_id: TraceId) -> Result<Vec<LogEntry>> {
        self.repository.query(&Query::new().trace_id(trace_id))
    }

    /// Stored entries passing `query`, newest first.
    pub fn query(&self, query: &Query) -> Result<Vec<LogEntry>> {
        self.repository.query(query)
    }

    /// How many entries were below the minimum level and not stored.
    pub fn filtered(&self) -> u64 {
        self.filtered.load(Ordering::Relaxed)
    }

    /// How many stored entries the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository.evictions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;
    use crate::domain::SpanId;

    #[test]
    fn finds_entries_by_trace() {
        let logs = LogService::new(Arc::new(InMemoryRepository::new(10)), LogLevel::Trace);
        let trace = TraceId::random();
        let entry = LogEntry::builder(LogLevel::Info, "in trace")
            .trace(trace, Some(SpanId::random()))
            .build()
            .unwrap();
        logs.record(entry.clone()).unwrap();
        logs.log(LogLevel::Info, "elsewhere").unwrap();
        assert_eq!(logs.for_trace(trace).unwrap(), vec![entry]);
        assert_eq!(logs.recent(5).unwrap().len(), 2);
    }
}
