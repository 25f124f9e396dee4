//! Entity factories: the container's [`Factory`], which stamps the service
//! name (and alert labels), and the free `create_*` functions.

use crate::domain::{
    Alert, AlertSeverity, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric, Span,
};
use crate::error::Result;

/// Builds entities the way the owning container wants them: alerts carry
/// the container's default labels (the entity's own labels win), spans and
/// alerts carry the service name, log entries default their target to it.
/// Metrics carry no identity labels: the container exports the service
/// identity once, as `target_info`, so an entity and a handle with the same
/// name and labels land in the same series.
///
/// ```
/// use observa::{AlertSeverity, Observability};
///
/// let obs = Observability::builder()
///     .service("checkout", "1.4.2")
///     .environment("prod")
///     .build()?;
/// let factory = obs.factory();
/// let m = factory.metric("orders_total", 1.0, "")?;
/// assert!(m.labels().is_empty()); // identity is on target_info, not on each series
/// let a = factory.alert("Queue backlog", "orders queue above 1000", AlertSeverity::High)?;
/// assert_eq!(a.source(), "checkout");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Factory {
    service: String,
    default_labels: Labels,
}

impl Factory {
    /// A factory for `service` stamping `default_labels`.
    pub fn new(service: impl Into<String>, default_labels: Labels) -> Self {
        Factory {
            service: service.into(),
            default_labels,
        }
    }

    /// The service name it stamps.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The labels it adds to alerts.
    pub fn default_labels(&self) -> &Labels {
        &self.default_labels
    }

    /// A metric (kind inferred by [`MetricKind::infer`](crate::MetricKind::infer)),
    /// without identity labels (see the type's documentation).
    pub fn metric(&self, name: impl Into<String>, value: f64, unit: impl Into<String>) -> Result<Metric> {
        Metric::new(name, value, unit)
    }

    /// The root span of a new trace, named after the service.
    pub fn trace(&self, operation: impl Into<String>) -> Result<Span> {
        Span::root(operation, self.service.clone())
    }

    /// An active alert raised by the service, with the default labels.
    pub fn alert(
        &self,
        title: impl Into<String>,
        message: impl Into<String>,
        severity: AlertSeverity,
    ) -> Result<Alert> {
        Alert::builder(title, message, severity)
            .source(self.service.clone())
            .build()?
            .with_default_labels(&self.default_labels)
    }

    /// A health-check result.
    pub fn health_check(
        &self,
        component: impl Into<String>,
        status: HealthStatus,
        message: impl Into<String>,
    ) -> Result<HealthCheck> {
        HealthCheck::new(component, status, message)
    }

    /// A log entry whose target is the service.
    pub fn log_entry(&self, level: LogLevel, message: impl Into<String>) -> Result<LogEntry> {
        LogEntry::builder(level, message)
            .target(self.service.clone())
            .build()
    }
}

/// The factory the free functions use: the installed global container's, or
/// a plain one (service `unknown_service`, no labels) when none is installed.
fn current() -> Factory {
    match crate::global::global() {
        Some(obs) => obs.factory().clone(),
        None => Factory::new("unknown_service", Labels::empty()),
    }
}

/// Creates a validated metric; the kind is inferred from name and unit
/// (see [`MetricKind::infer`](crate::MetricKind::infer)).
///
/// ```
/// let m = observa::create_metric("response_time_seconds", 0.150, "seconds")?;
/// assert_eq!(m.kind(), observa::MetricKind::Histogram);
/// assert!(observa::create_metric("bad name", 1.0, "").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn create_metric(name: &str, value: f64, unit: &str) -> Result<Metric> {
    current().metric(name, value, unit)
}

/// Creates the root span of a new trace for `service`.
///
/// ```
/// let span = observa::create_trace("order_processing", "checkout")?;
/// assert_eq!(span.service(), "checkout");
/// assert!(span.parent_span_id().is_none());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn create_trace(operation: &str, service: &str) -> Result<Span> {
    Span::root(operation, service)
}

/// Creates an active alert; `severity` is parsed (`low`, `medium`, `high`,
/// `critical`, `emergency`).
///
/// ```
/// let alert = observa::create_alert("Disk full", "/var at 97%", "critical")?;
/// assert_eq!(alert.severity(), observa::AlertSeverity::Critical);
/// assert!(observa::create_alert("Disk full", "/var", "apocalyptic").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn create_alert(title: &str, message: &str, severity: &str) -> Result<Alert> {
    current().alert(title, message, severity.parse()?)
}

/// Creates a health-check result; `status` is parsed (`healthy`, `degraded`,
/// `unhealthy`, `unknown`, and the aliases pass/warn/fail, up/down).
///
/// ```
/// let check = observa::create_health_check("database", "healthy", "ping 3 ms")?;
/// assert_eq!(check.status(), observa::HealthStatus::Healthy);
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn create_health_check(component: &str, status: &str, message: &str) -> Result<HealthCheck> {
    current().health_check(component, status.parse()?, message)
}

/// Creates a log entry; `level` is parsed (`trace`, `debug`, `info`,
/// `success`, `warning`, `error`, `critical`).
///
/// ```
/// let entry = observa::create_log_entry("warning", "cache miss rate high")?;
/// assert_eq!(entry.level(), observa::LogLevel::Warning);
/// assert!(observa::create_log_entry("loud", "x").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn create_log_entry(level: &str, message: &str) -> Result<LogEntry> {
    current().log_entry(level.parse()?, message)
}
