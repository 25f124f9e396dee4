//! The container's [`Factory`], which stamps the service name (and alert
//! labels) on the entities it builds. The free `create_*` functions, which
//! use the global container's factory, live with the global.

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
