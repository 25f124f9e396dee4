//! [`LogService`]: records log entries at or above a minimum level.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::correlation;
use crate::domain::{LogEntry, LogLevel, TraceId};
use crate::error::Result;
use crate::ports::{Evictions, Query, Repository};
use crate::redaction::Redactor;
use crate::sinks::{Outlets, Record};
use crate::traces;

/// Records [`LogEntry`] values at or above a minimum level and finds them again.
/// Entries below the level are counted, not stored.
///
/// An entry that passes the level filter is, in this order:
/// 1. given the current span's `trace_id`/`span_id` ([`traces::current`])
///    and the current correlation id ([`with_correlation`](Self::with_correlation))
///    unless it carries its own;
/// 2. redacted (body and field values, by key rules and value patterns; see
///    [`Redactor`], configured with `ObservabilityBuilder::redactor`);
/// 3. stored in the repository and queued on every log sink (with the
///    current trace flags when it belongs to the current trace).
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
    redactor: Arc<Redactor>,
    sinks: Arc<Outlets>,
}

impl LogService {
    /// A service storing entries at or above `min_level` into `repository`,
    /// redacting with [`Redactor::default`], with no sink.
    pub fn new(repository: Arc<dyn Repository<LogEntry>>, min_level: LogLevel) -> Self {
        LogService {
            repository,
            min_level,
            filtered: Arc::default(),
            redactor: Arc::new(Redactor::default()),
            sinks: Arc::default(),
        }
    }

    /// The same service redacting with `redactor` and writing to `sinks`.
    pub(crate) fn with_outlets(self, redactor: Arc<Redactor>, sinks: Arc<Outlets>) -> Self {
        LogService {
            redactor,
            sinks,
            ..self
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

    /// Stores `entry` if its level is enabled (after filling its context and
    /// redacting it, see the type docs) and queues it on the log sinks;
    /// returns whether it was stored.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::traces::{enter, SpanContext};
    /// use observa::{LogEntry, LogLevel, Observability, SpanId, TraceId};
    ///
    /// let obs = Observability::builder().service("api", "1").build()?;
    /// let span = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    /// {
    ///     let _in_span = enter(span);
    ///     obs.logs().record(LogEntry::builder(LogLevel::Info, "paid").field("token", "t0p").build()?)?;
    /// }
    /// let stored = &obs.logs().recent(1)?[0];
    /// assert_eq!((stored.trace_id(), stored.span_id()), (Some(span.trace_id()), Some(span.span_id())));
    /// assert_eq!(stored.fields()["token"], "[REDACTED]");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn record(&self, mut entry: LogEntry) -> Result<bool> {
        if !self.enabled(entry.level()) {
            self.filtered.fetch_add(1, Ordering::Relaxed);
            return Ok(false);
        }
        let context = traces::current();
        let trace = context.map(|c| (c.trace_id(), c.span_id()));
        correlation::with_current(|id| entry.fill_context(trace, id));
        self.redactor.redact_log_entry(&mut entry);
        if self.sinks.is_empty() {
            self.repository.save(entry)?;
            return Ok(true);
        }
        let trace_flags = context
            .filter(|c| entry.trace_id() == Some(c.trace_id()))
            .map(|c| c.flags().to_byte());
        self.repository.save(entry.clone())?;
        self.sinks.send(Record::Log { entry, trace_flags });
        Ok(true)
    }

    /// Runs `f` with `id` as the correlation id of this thread: every entry
    /// recorded inside (by any service) without a correlation id of its own
    /// gets it, and JSON lines carry it as `correlation_id`. Scopes nest; the
    /// previous id comes back when `f` returns or panics. To follow work to
    /// another thread, read [`correlation_id`](super::correlation_id) and
    /// open a scope there. The id must be a valid correlation id (no
    /// whitespace, at most 128 characters), else a validation error.
    ///
    /// ```
    /// use observa::{LogLevel, Observability};
    ///
    /// let obs = Observability::builder().service("api", "1").build()?;
    /// obs.logs().with_correlation("req-7f3a", || obs.logs().log(LogLevel::Info, "handled"))??;
    /// assert_eq!(obs.logs().recent(1)?[0].correlation_id(), Some("req-7f3a"));
    /// assert!(obs.logs().with_correlation("two words", || ()).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_correlation<R>(&self, id: &str, f: impl FnOnce() -> R) -> Result<R> {
        correlation::scoped(id, f)
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
