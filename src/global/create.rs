//! The free `create_*` functions: entity factories on the installed global
//! container's [`Factory`], with closed sets parsed from text.

use crate::domain::{Alert, HealthCheck, Labels, LogEntry, Metric, Span};
use crate::error::Result;
use crate::factory::Factory;

/// The factory the free functions use: the installed global container's, or
/// a plain one (service `unknown_service`, no labels) when none is installed.
fn current() -> Factory {
    match super::global() {
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
