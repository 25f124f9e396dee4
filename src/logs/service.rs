//! [`LogService`]: records log entries at or above a minimum level.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::correlation;
use super::outlet::{LogOutlet, LogPipeline, RawLog};
use crate::domain::{LogEntry, LogLevel, TraceId};
use crate::error::Result;
use crate::ports::{Evictions, Query, Repository};
use crate::redaction::Redactor;
use crate::sinks::{Outlets, DEFAULT_QUEUE_CAPACITY};
use crate::traces;

/// Records [`LogEntry`] values at or above a minimum level and finds them again.
/// Entries below the level are counted, not stored.
///
/// An entry that passes the level filter is, in this order:
/// 1. given the current span's `trace_id`/`span_id` ([`traces::current`])
///    and the current correlation id ([`with_correlation`](Self::with_correlation))
///    unless it carries its own (on the caller's thread);
/// 2. queued for the service's writer thread (a bounded queue of
///    [`DEFAULT_QUEUE_CAPACITY`] entries; when full, the entry is dropped and
///    counted as `observa_dropped_total{kind="log_entry",reason="queue_full"}`),
///    which
/// 3. redacts it (body and field values, by key rules and value patterns;
///    see [`Redactor`], configured with `ObservabilityBuilder::redactor`),
///    before anything stores or writes it;
/// 4. stores it in the repository and queues it on every log sink (with the
///    current trace flags when it belongs to the current trace). An entry
///    the repository refuses is counted as `reason="store_error"`.
///
/// Reads see their writes: every query of this service first stores what
/// is still queued, on the reading thread, so an entry is found as soon as
/// `record` has returned. A repository read directly (not through this
/// service) sees it once the writer has stored it, or after
/// [`Observability::flush`](crate::Observability::flush).
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
    min_level: LogLevel,
    filtered: Arc<AtomicU64>,
    /// The writer thread's queue; also holds the repository, the redactor
    /// and the sinks.
    pipeline: Arc<LogPipeline>,
}

impl LogService {
    /// A service storing entries at or above `min_level` into `repository`,
    /// redacting with [`Redactor::default`], with no sink.
    pub fn new(repository: Arc<dyn Repository<LogEntry>>, min_level: LogLevel) -> Self {
        LogService {
            min_level,
            filtered: Arc::default(),
            pipeline: pipeline(repository, Arc::new(Redactor::default()), Arc::default()),
        }
    }

    /// The same service redacting with `redactor` and writing to `sinks`.
    pub(crate) fn with_outlets(self, redactor: Arc<Redactor>, sinks: Arc<Outlets>) -> Self {
        let repository = Arc::clone(&self.pipeline.convert().repository);
        LogService {
            pipeline: pipeline(repository, redactor, sinks),
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

    /// Records `entry` if its level is enabled: fills its context here and
    /// queues it for redaction, the repository and the log sinks (see the
    /// type docs). Returns whether it was accepted: `false` when its level
    /// is below the minimum (counted by [`filtered`](Self::filtered)) or the
    /// queue is full (counted as `queue_full`). It does not return errors
    /// today: a repository's refusal happens later, on the writer thread,
    /// and is counted (`store_error`) instead. The `Result` stays in the
    /// signature, so callers need not change.
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
        let trace_flags = context
            .filter(|c| entry.trace_id() == Some(c.trace_id()))
            .map(|c| c.flags().to_byte());
        Ok(self.pipeline.send(RawLog { entry, trace_flags }))
    }

    /// Stores, on this thread, every entry recorded so far that is still
    /// queued (queries do this first, so they see every recorded entry).
    pub(crate) fn drain(&self) {
        self.pipeline.drain();
    }

    /// Waits until the writer thread has stored every entry recorded before the
    /// call, or `deadline` passes; `true` if it has.
    pub(crate) fn flush_queue(&self, deadline: std::time::Instant) -> bool {
        self.pipeline.flush(deadline)
    }

    /// Entries dropped before reaching the repository, by reason:
    /// `queue_full`, `invalid` and `store_error` (refused by the repository).
    pub(crate) fn queue_drops(&self) -> [(&'static str, u64); 3] {
        self.pipeline.drops()
    }

    /// The repository, once what is queued is stored.
    fn repository(&self) -> &dyn Repository<LogEntry> {
        self.drain();
        &*self.pipeline.convert().repository
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
        self.repository().recent(n)
    }

    /// Stored entries at exactly `level`, newest first.
    pub fn by_level(&self, level: LogLevel) -> Result<Vec<LogEntry>> {
        self.repository().query(&Query::new().level(level))
    }

    /// Stored entries belonging to `trace_id`, newest first.
    pub fn for_trace(&self, trace_id: TraceId) -> Result<Vec<LogEntry>> {
        self.repository().query(&Query::new().trace_id(trace_id))
    }

    /// Stored entries passing `query`, newest first.
    pub fn query(&self, query: &Query) -> Result<Vec<LogEntry>> {
        self.repository().query(query)
    }

    /// How many entries were below the minimum level and not stored.
    pub fn filtered(&self) -> u64 {
        self.filtered.load(Ordering::Relaxed)
    }

    /// How many stored entries the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository().evictions()
    }
}

/// The queue and writer thread of a service's outlets.
fn pipeline(
    repository: Arc<dyn Repository<LogEntry>>,
    redactor: Arc<Redactor>,
    sinks: Arc<Outlets>,
) -> Arc<LogPipeline> {
    let outlet = LogOutlet {
        repository,
        redactor,
        sinks,
    };
    Arc::new(LogPipeline::new(outlet, DEFAULT_QUEUE_CAPACITY))
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

    /// Refuses every save, keeping what it was given.
    #[derive(Default)]
    struct Refusing(parking_lot::Mutex<Vec<LogEntry>>);

    impl Repository<LogEntry> for Refusing {
        fn save(&self, entity: LogEntry) -> Result<()> {
            self.0.lock().push(entity);
            Err(crate::ObsError::configuration("repository", "read-only"))
        }
        fn get(&self, _: uuid::Uuid) -> Result<Option<LogEntry>> {
            Ok(None)
        }
        fn recent(&self, _: usize) -> Result<Vec<LogEntry>> {
            Ok(Vec::new())
        }
        fn query(&self, _: &Query) -> Result<Vec<LogEntry>> {
            Ok(Vec::new())
        }
        fn len(&self) -> Result<usize> {
            Ok(0)
        }
        fn purge_older_than(&self, _: chrono::DateTime<chrono::Utc>) -> Result<usize> {
            Ok(0)
        }
        fn evictions(&self) -> Evictions {
            Evictions::default()
        }
    }

    #[test]
    fn an_entry_the_repository_refuses_is_counted_not_lost() {
        let repository = Arc::new(Refusing::default());
        let logs = LogService::new(repository.clone(), LogLevel::Info);
        let entry = LogEntry::builder(LogLevel::Info, "mail ann@example.com")
            .field("password", "hunter2")
            .build()
            .unwrap();
        assert!(logs.record(entry).unwrap());
        assert!(logs.recent(1).unwrap().is_empty());
        assert_eq!(logs.queue_drops()[2], ("store_error", 1));
        // what reached the repository was redacted first
        let seen = repository.0.lock();
        assert_eq!(seen[0].message(), "mail [REDACTED]");
        assert_eq!(seen[0].fields()["password"], "[REDACTED]");
    }

    #[test]
    fn a_full_queue_refuses_the_entry_and_counts_it() {
        let logs = LogService::new(Arc::new(InMemoryRepository::new(10)), LogLevel::Info);
        {
            let _held = logs.pipeline.hold_writer();
            for _ in 0..DEFAULT_QUEUE_CAPACITY {
                assert!(logs.log(LogLevel::Info, "kept").unwrap());
            }
            assert!(!logs.log(LogLevel::Info, "dropped").unwrap());
        }
        assert_eq!(logs.queue_drops()[0], ("queue_full", 1));
        assert_eq!(logs.recent(1).unwrap()[0].message(), "kept");
    }

    #[test]
    fn an_entry_is_found_as_soon_as_record_returns_from_any_thread() {
        let logs = LogService::new(Arc::new(InMemoryRepository::new(1_000)), LogLevel::Info);
        std::thread::scope(|s| {
            for t in 0..4 {
                let logs = &logs;
                s.spawn(move || {
                    for i in 0..100 {
                        let message = format!("t{t} n{i}");
                        logs.log(LogLevel::Info, message.clone()).unwrap();
                        assert_eq!(
                            logs.recent(1_000)
                                .unwrap()
                                .iter()
                                .filter(|e| e.message() == message)
                                .count(),
                            1
                        );
                    }
                });
            }
        });
        assert_eq!(logs.recent(1_000).unwrap().len(), 400);
    }
}
