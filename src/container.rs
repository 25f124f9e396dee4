//! [`Observability`]: the container that wires repositories into services.

use std::sync::Arc;

use crate::alerts::{AlertService, RuleStatus, RunningEvaluator};
use crate::domain::Labels;
use crate::error::Result;
use crate::factory::Factory;
use crate::health::HealthService;
use crate::logs::LogService;
use crate::metrics::Format;
use crate::metrics::MetricsService;
use crate::monitor::{CallFamilies, Monitor};
use crate::ports::Evictions;
use crate::sinks::Outlets;
use crate::traces::TracingService;

mod builder;
#[cfg(feature = "otlp")]
mod otlp;
mod outlets;

pub use builder::ObservabilityBuilder;

/// Default number of records each in-memory repository holds.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Who is being observed: service name, version and environment.
///
/// ```
/// let obs = observa::Observability::builder().service("api", "2.1.0").environment("staging").build()?;
/// let info = obs.info();
/// assert_eq!((info.service.as_str(), info.version.as_str()), ("api", "2.1.0"));
/// assert_eq!(info.environment.as_deref(), Some("staging"));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceInfo {
    /// The service name.
    pub service: String,
    /// The service version.
    pub version: String,
    /// The deployment environment, if set.
    pub environment: Option<String>,
}

struct Inner {
    info: ServiceInfo,
    factory: Factory,
    metrics: MetricsService,
    tracing: TracingService,
    logs: LogService,
    alerts: AlertService,
    health: HealthService,
    calls: CallFamilies,
    log_sinks: Arc<Outlets>,
    span_sinks: Arc<Outlets>,
    evaluator: Option<RunningEvaluator>,
    /// Declared after the sinks, so their queues drain into it before it stops.
    #[cfg(feature = "otlp")]
    otlp: Option<Arc<crate::otlp::OtlpExporter>>,
}

/// The container: one value holding the five services, wired to their
/// repositories, plus the [`Factory`] that stamps service name and default
/// labels. Cheap to clone (an `Arc`), `Send + Sync`; nothing is global unless
/// you call [`install_global`](crate::install_global).
///
/// ```
/// use observa::{LogLevel, Metric, Observability};
///
/// let obs = Observability::builder()
///     .service("checkout", "1.0.0")
///     .environment("prod")
///     .min_log_level(LogLevel::Info)
///     .capacity(1_000)
///     .build()?;
/// obs.metrics().record(&obs.factory().metric("orders_total", 1.0, "")?)?;
/// obs.logs().log(LogLevel::Info, "order placed")?;
/// let worker = obs.clone(); // shares the same services
/// std::thread::spawn(move || worker.logs().log(LogLevel::Info, "from a thread")).join().unwrap()?;
/// assert_eq!(obs.logs().recent(10)?.len(), 2);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct Observability {
    inner: Arc<Inner>,
}

impl Observability {
    /// A builder with in-memory defaults.
    pub fn builder() -> ObservabilityBuilder {
        ObservabilityBuilder::default()
    }

    /// Who is being observed.
    pub fn info(&self) -> &ServiceInfo {
        &self.inner.info
    }
    /// The entity factory stamping this container's service and labels.
    pub fn factory(&self) -> &Factory {
        &self.inner.factory
    }
    /// The labels stamped on alerts (`service`, and `env` if set, plus your
    /// own). Metrics carry none of them: the service identity and your
    /// labels are exported once, on `target_info`.
    pub fn default_labels(&self) -> Labels {
        self.inner.factory.default_labels().clone()
    }
    /// The metrics service.
    pub fn metrics(&self) -> &MetricsService {
        &self.inner.metrics
    }
    /// The tracing service.
    pub fn tracing(&self) -> &TracingService {
        &self.inner.tracing
    }
    /// The log service.
    pub fn logs(&self) -> &LogService {
        &self.inner.logs
    }
    /// The alert service.
    pub fn alerts(&self) -> &AlertService {
        &self.inner.alerts
    }
    /// Where each rule given to [`ObservabilityBuilder::alert_rules`] stands (empty without rules).
    pub fn rule_statuses(&self) -> Vec<RuleStatus> {
        self.inner
            .evaluator
            .as_ref()
            .map(RunningEvaluator::statuses)
            .unwrap_or_default()
    }
    /// The health service.
    pub fn health(&self) -> &HealthService {
        &self.inner.health
    }

    /// A [`Monitor`] for function `name` (the `module` label is empty); see
    /// [`Observability::monitor_in`]. Resolve it once and keep it.
    pub fn monitor(&self, name: &str) -> Monitor {
        self.monitor_in("", name)
    }

    /// A [`Monitor`] for function `name` in `module` (e.g. `module_path!()`),
    /// with its handles resolved.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// let charge = obs.monitor_in(module_path!(), "charge_card");
    /// let receipt: Result<&str, &str> = charge.run_result(|| Ok("r-1"));
    /// assert_eq!(receipt, Ok("r-1"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn monitor_in(&self, module: &str, name: &str) -> Monitor {
        self.inner.calls.monitor(module, name)
    }

    /// Every metric as Prometheus text 0.0.4 or OpenMetrics 1.0, including
    /// the service identity (`target_info`) and the self-telemetry:
    /// `observa_dropped_total{kind,reason}` (records the repositories dropped,
    /// reason `capacity` or `age`; records the sinks dropped, reason
    /// `queue_full`, `io_error`, `sink_panic` or `shutdown_timeout`, rendered
    /// when sinks are configured),
    /// `observa_series_refused_total{family}`,
    /// `observa_invalid_updates_total{family,reason}` and, when notifiers are
    /// configured, `observa_notifications_total{notifier,result}`.
    ///
    /// ```
    /// use observa::metrics::Format;
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").capacity(1).build()?;
    /// obs.logs().log(observa::LogLevel::Error, "one")?;
    /// obs.logs().log(observa::LogLevel::Error, "two")?;
    /// let text = obs.render(Format::Prometheus)?;
    /// assert!(text.contains("observa_dropped_total{kind=\"log_entry\",reason=\"capacity\"} 1\n"));
    /// assert!(text.contains("target_info{service_name=\"shop\",service_version=\"1\"} 1\n"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn render(&self, format: Format) -> Result<String> {
        let inner = &*self.inner;
        let dropped: [(&str, Evictions); 6] = [
            ("metric", inner.metrics.evictions()),
            ("span", inner.tracing.evictions()),
            ("log_entry", inner.logs.evictions()),
            ("alert", inner.alerts.evictions()),
            (
                "alert_fingerprint",
                Evictions {
                    capacity: inner.alerts.fingerprint_evictions(),
                    age: 0,
                },
            ),
            ("health_check", inner.health.evictions()),
        ];
        let registry = inner.metrics.registry();
        for (kind, evictions) in dropped {
            registry.report_dropped(kind, "capacity", evictions.capacity)?;
            if !kind.ends_with("_fingerprint") {
                registry.report_dropped(kind, "age", evictions.age)?;
            }
        }
        let forgotten = inner.health.components_evicted();
        registry.report_dropped("health_component", "capacity", forgotten)?;
        let mut sink_drops = inner.log_sinks.drops();
        for (key, count) in inner.span_sinks.drops() {
            *sink_drops.entry(key).or_insert(0) += count;
        }
        for (reason, count) in inner.tracing.queue_drops().into_iter().filter(|d| d.1 > 0) {
            *sink_drops.entry(("span", reason)).or_insert(0) += count;
        }
        for (reason, count) in inner.logs.queue_drops().into_iter().filter(|d| d.1 > 0) {
            *sink_drops.entry(("log_entry", reason)).or_insert(0) += count;
        }
        for ((kind, reason), count) in sink_drops {
            registry.report_dropped(kind, reason, count)?;
        }
        for (notifier, outcome, count) in inner.alerts.notifications().map_or(Vec::new(), |d| d.counts()) {
            registry.report_notifications(&notifier, outcome.as_str(), count)?;
        }
        inner.metrics.render(format)
    }
}

impl std::fmt::Debug for Observability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observability")
            .field("info", &self.inner.info)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogLevel;

    #[test]
    fn bad_settings_are_configuration_errors() {
        assert_eq!(
            Observability::builder().build().unwrap_err().code(),
            "configuration"
        );
        let zero = Observability::builder().service("a", "1").capacity(0).build();
        assert_eq!(zero.unwrap_err().code(), "configuration");
        let blank = Observability::builder().service(" ", "1").build();
        assert_eq!(blank.unwrap_err().code(), "validation");
        let bad_label = Observability::builder()
            .service("a", "1")
            .label("1x", "v")
            .build();
        assert_eq!(bad_label.unwrap_err().code(), "validation");
    }

    #[test]
    fn container_is_send_sync_and_clones_share_state() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Observability>();
        let obs = Observability::builder().service("a", "1").build().unwrap();
        let clone = obs.clone();
        clone.logs().log(LogLevel::Error, "shared").unwrap();
        assert_eq!(obs.logs().recent(1).unwrap()[0].message(), "shared");
    }
}
