//! [`Query`]: the filters a repository search accepts, and [`Record`], what
//! an entity must tell a repository so it can be stored and searched.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{
    Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, LogEntry, LogLevel, Metric, Span,
    SpanStatus, TraceId,
};

/// Filters for [`Repository::query`](super::Repository::query). Every filter
/// that is set must match; a filter that does not apply to the entity type
/// (a log level on a metric, say) matches nothing. Results come newest first,
/// cut to `limit` if set.
///
/// ```
/// use observa::ports::Query;
/// use observa::LogLevel;
///
/// let q = Query::new().level(LogLevel::Error).limit(10);
/// assert_eq!(q.limit_value(), Some(10));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct Query {
    pub(crate) name: Option<String>,
    pub(crate) level: Option<LogLevel>,
    pub(crate) severity: Option<AlertSeverity>,
    pub(crate) alert_status: Option<AlertStatus>,
    pub(crate) health_status: Option<HealthStatus>,
    pub(crate) span_status: Option<SpanStatus>,
    pub(crate) component: Option<String>,
    pub(crate) operation: Option<String>,
    pub(crate) trace_id: Option<TraceId>,
    pub(crate) since: Option<DateTime<Utc>>,
    pub(crate) until: Option<DateTime<Utc>>,
    pub(crate) limit: Option<usize>,
}

impl Query {
    /// A query that matches everything.
    pub fn new() -> Query {
        Query::default()
    }
    /// Metric name equals `name`.
    pub fn name(mut self, name: impl Into<String>) -> Query {
        self.name = Some(name.into());
        self
    }
    /// Log level equals `level`.
    pub fn level(mut self, level: LogLevel) -> Query {
        self.level = Some(level);
        self
    }
    /// Alert severity equals `severity`.
    pub fn severity(mut self, severity: AlertSeverity) -> Query {
        self.severity = Some(severity);
        self
    }
    /// Alert status equals `status`.
    pub fn alert_status(mut self, status: AlertStatus) -> Query {
        self.alert_status = Some(status);
        self
    }
    /// Health status equals `status`.
    pub fn health_status(mut self, status: HealthStatus) -> Query {
        self.health_status = Some(status);
        self
    }
    /// Span status equals `status`.
    pub fn span_status(mut self, status: SpanStatus) -> Query {
        self.span_status = Some(status);
        self
    }
    /// Health-check component, or log target, equals `component`.
    pub fn component(mut self, component: impl Into<String>) -> Query {
        self.component = Some(component.into());
        self
    }
    /// Span operation equals `operation`.
    pub fn operation(mut self, operation: impl Into<String>) -> Query {
        self.operation = Some(operation.into());
        self
    }
    /// Span or log entry belongs to `trace_id`.
    pub fn trace_id(mut self, trace_id: TraceId) -> Query {
        self.trace_id = Some(trace_id);
        self
    }
    /// Timestamp at or after `at`.
    pub fn since(mut self, at: DateTime<Utc>) -> Query {
        self.since = Some(at);
        self
    }
    /// Timestamp strictly before `at`.
    pub fn until(mut self, at: DateTime<Utc>) -> Query {
        self.until = Some(at);
        self
    }
    /// At most `n` results (the newest).
    pub fn limit(mut self, n: usize) -> Query {
        self.limit = Some(n);
        self
    }
    /// The result limit, if set.
    pub fn limit_value(&self) -> Option<usize> {
        self.limit
    }

    /// Whether `record` passes every filter of this query.
    ///
    /// ```
    /// use observa::ports::Query;
    /// use observa::{Metric, LogLevel};
    ///
    /// let m = Metric::gauge("up", 1.0)?;
    /// assert!(Query::new().name("up").matches(&m));
    /// assert!(!Query::new().level(LogLevel::Info).matches(&m));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn matches<R: Record>(&self, record: &R) -> bool {
        let at = record.timestamp();
        self.since.is_none_or(|since| at >= since)
            && self.until.is_none_or(|until| at < until)
            && record.matches_filters(self)
    }
}

/// Compares an optional filter with the entity's value; an unset filter passes.
fn eq<T: PartialEq>(filter: &Option<T>, value: T) -> bool {
    filter.as_ref().is_none_or(|f| *f == value)
}

/// Whether any filter outside `allowed` is set: such a filter cannot match.
fn sets_other(q: &Query, allowed: &[&str]) -> bool {
    let set = [
        ("name", q.name.is_some()),
        ("level", q.level.is_some()),
        ("severity", q.severity.is_some()),
        ("alert_status", q.alert_status.is_some()),
        ("health_status", q.health_status.is_some()),
        ("span_status", q.span_status.is_some()),
        ("component", q.component.is_some()),
        ("operation", q.operation.is_some()),
        ("trace_id", q.trace_id.is_some()),
    ];
    set.iter()
        .any(|(name, is_set)| *is_set && !allowed.contains(name))
}

/// What a repository needs to know about an entity: its id, its timestamp
/// (for ordering and ageing), a kind name for errors and self-telemetry, and
/// how it answers the filters of a [`Query`].
///
/// Implemented for the five entities; implement it for your own types to store
/// them in an [`InMemoryRepository`](crate::adapters::InMemoryRepository).
pub trait Record: Clone + Send + Sync + 'static {
    /// Short lowercase name of the entity kind (`"metric"`, `"span"`, ...).
    const KIND: &'static str;
    /// The unique id.
    fn id(&self) -> Uuid;
    /// The time the record is ordered and aged by.
    fn timestamp(&self) -> DateTime<Utc>;
    /// Whether the entity passes the query's entity-specific filters (not the time range).
    fn matches_filters(&self, query: &Query) -> bool;
}

impl Record for Metric {
    const KIND: &'static str = "metric";
    fn id(&self) -> Uuid {
        Metric::id(self)
    }
    fn timestamp(&self) -> DateTime<Utc> {
        Metric::timestamp(self)
    }
    fn matches_filters(&self, q: &Query) -> bool {
        !sets_other(q, &["name"]) && eq(&q.name.as_deref(), self.name())
    }
}

impl Record for Span {
    const KIND: &'static str = "span";
    fn id(&self) -> Uuid {
        Span::id(self)
    }
    fn timestamp(&self) -> DateTime<Utc> {
        Span::timestamp(self)
    }
    fn matches_filters(&self, q: &Query) -> bool {
        !sets_other(q, &["operation", "trace_id", "span_status"])
            && eq(&q.operation.as_deref(), self.operation())
            && eq(&q.trace_id, self.trace_id())
            && eq(&q.span_status, self.status())
    }
}

impl Record for Alert {
    const KIND: &'static str = "alert";
    fn id(&self) -> Uuid {
        Alert::id(self)
    }
    fn timestamp(&self) -> DateTime<Utc> {
        Alert::timestamp(self)
    }
    fn matches_filters(&self, q: &Query) -> bool {
        !sets_other(q, &["severity", "alert_status"])
            && eq(&q.severity, self.severity())
            && eq(&q.alert_status, self.status())
    }
}

impl Record for HealthCheck {
    const KIND: &'static str = "health_check";
    fn id(&self) -> Uuid {
        HealthCheck::id(self)
    }
    fn timestamp(&self) -> DateTime<Utc> {
        HealthCheck::timestamp(self)
    }
    fn matches_filters(&self, q: &Query) -> bool {
        !sets_other(q, &["component", "health_status"])
            && eq(&q.component.as_deref(), self.component())
            && eq(&q.health_status, self.status())
    }
}

impl Record for LogEntry {
    const KIND: &'static str = "log_entry";
    fn id(&self) -> Uuid {
        LogEntry::id(self)
    }
    fn timestamp(&self) -> DateTime<Utc> {
        LogEntry::timestamp(self)
    }
    fn matches_filters(&self, q: &Query) -> bool {
        !sets_other(q, &["level", "component", "trace_id"])
            && eq(&q.level, self.level())
            && q.component.as_deref().is_none_or(|c| self.target() == Some(c))
            && q.trace_id.is_none_or(|t| self.trace_id() == Some(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AlertSeverity, SpanStatus};

    #[test]
    fn filters_that_do_not_apply_match_nothing() {
        let alert = Alert::new("t", "m", AlertSeverity::High).unwrap();
        assert!(Query::new().severity(AlertSeverity::High).matches(&alert));
        assert!(!Query::new().severity(AlertSeverity::Low).matches(&alert));
        assert!(!Query::new().name("t").matches(&alert));
    }

    #[test]
    fn time_range_is_half_open() {
        let span = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
        let at = span.timestamp();
        assert!(Query::new()
            .since(at)
            .until(at + chrono::Duration::nanoseconds(1))
            .matches(&span));
        assert!(!Query::new().until(at).matches(&span));
    }

    #[test]
    fn log_component_filter_uses_the_target() {
        let entry = LogEntry::builder(LogLevel::Info, "hi")
            .target("db")
            .build()
            .unwrap();
        assert!(Query::new().component("db").level(LogLevel::Info).matches(&entry));
        assert!(!Query::new().component("api").matches(&entry));
    }
}
