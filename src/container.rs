//! [`Observability`]: the container that wires repositories into services.

use std::sync::Arc;
use std::time::Duration;

use crate::adapters::InMemoryRepository;
use crate::alerts::notify::{NotificationDispatcher, Notifier};
use crate::alerts::rules::AlertRule;
use crate::alerts::{AlertService, Evaluator, RuleStatus, RunningEvaluator, DEFAULT_EVALUATION_INTERVAL};
use crate::domain::{rules, Alert, HealthCheck, Labels, LogEntry, LogLevel, Metric, Span};
use crate::error::{ObsError, Result};
use crate::factory::Factory;
use crate::health::HealthConfig;
use crate::health::HealthService;
use crate::logs::LogService;
use crate::metrics::MetricsService;
use crate::metrics::{Format, DEFAULT_SERIES_BUDGET};
use crate::monitor::{CallFamilies, FailureReports, Monitor};
use crate::ports::{Evictions, Record, Repository};
use crate::redaction::Redactor;
use crate::sampling::Sampler;
use crate::sinks::{ConsoleSink, Outlets, Resource, Sink, DEFAULT_QUEUE_CAPACITY};
use crate::traces::TracingService;

#[cfg(feature = "otlp")]
mod otlp;
mod outlets;

use outlets::spawn_sinks;

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

/// Configures an [`Observability`]; every repository can be replaced by
/// your own [`Repository`] implementation.
///
/// ```
/// use std::sync::Arc;
/// use observa::adapters::InMemoryRepository;
/// use observa::Observability;
///
/// let my_store = Arc::new(InMemoryRepository::new(50));
/// let obs = Observability::builder()
///     .service("api", "1.0")
///     .label("team", "payments")
///     .log_repository(my_store.clone())
///     .build()?;
/// obs.logs().log(observa::LogLevel::Warning, "slow")?;
/// // entries reach the repository on a writer thread; `flush` (or any
/// // query through `obs.logs()`) stores what is still queued
/// obs.flush(std::time::Duration::from_secs(5));
/// use observa::ports::Repository;
/// assert_eq!(my_store.len()?, 1);
/// assert_eq!(obs.default_labels().get("team"), Some("payments"));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ObservabilityBuilder {
    service: Option<(String, String)>,
    environment: Option<String>,
    labels: Vec<(String, String)>,
    capacity: Option<usize>,
    max_age: Option<Duration>,
    series_budget: Option<usize>,
    report_failures: bool,
    min_log_level: Option<LogLevel>,
    sampler: Option<Sampler>,
    metric_repository: Option<Arc<dyn Repository<Metric>>>,
    span_repository: Option<Arc<dyn Repository<Span>>>,
    log_repository: Option<Arc<dyn Repository<LogEntry>>>,
    alert_repository: Option<Arc<dyn Repository<Alert>>>,
    health_repository: Option<Arc<dyn Repository<HealthCheck>>>,
    health: HealthConfig,
    log_sinks: Vec<Box<dyn Sink>>,
    span_sinks: Vec<Box<dyn Sink>>,
    console_logs: bool,
    sink_queue_capacity: Option<usize>,
    redactor: Option<Redactor>,
    alert_rules: Vec<AlertRule>,
    evaluation_interval: Option<Duration>,
    notifiers: Vec<Box<dyn Notifier>>,
    #[cfg(feature = "otlp")]
    otlp: Option<crate::otlp::OtlpConfig>,
}

impl ObservabilityBuilder {
    /// Sets the service name and version (required).
    pub fn service(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.service = Some((name.into(), version.into()));
        self
    }
    /// Sets the deployment environment: `deployment_environment` on
    /// `target_info`, and the `env` label of alerts.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }
    /// Adds a default label: exported once on `target_info`, stamped on alerts.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
    /// Records each default in-memory repository holds (default 10,000; at least 1).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity);
        self
    }
    /// Maximum age of records in the default in-memory repositories (default:
    /// none; zero is a configuration error).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = || observa::Observability::builder().service("api", "1");
    /// let hour = builder().max_age(Duration::from_secs(3_600)).build();
    /// assert!(hour.is_ok());
    /// let zero = builder().max_age(Duration::ZERO).build();
    /// assert_eq!(zero.err().map(|e| e.code()), Some("configuration"));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }
    /// Series each of your metric families may hold before new label sets
    /// fold into its overflow series (default 2,000; at least 1). The budget
    /// is per family; observa's own families (`function_calls_*`,
    /// `health_check_*`) get at least the default, and the `observa_*`
    /// self-metrics have none.
    pub fn series_budget(mut self, budget: usize) -> Self {
        self.series_budget = Some(budget);
        self
    }
    /// When set, a monitored call that fails (`error` or `panic`) also
    /// records an error LogEntry and raises an Alert (de-duplicated per
    /// function). Off by default.
    pub fn report_monitor_failures(mut self, enabled: bool) -> Self {
        self.report_failures = enabled;
        self
    }
    /// The lowest log level stored (default `info`).
    pub fn min_log_level(mut self, level: LogLevel) -> Self {
        self.min_log_level = Some(level);
        self
    }
    /// Sets the head sampler deciding which new spans are recorded
    /// (default [`Sampler::default`]: parent-based, always on for new traces).
    ///
    /// ```
    /// use observa::sampling::Sampler;
    /// let obs = observa::Observability::builder()
    ///     .service("api", "1")
    ///     .sampler(Sampler::parent_based(Sampler::trace_id_ratio(0.1)?))
    ///     .build()?;
    /// assert!(obs.tracing().sampler().description().contains("TraceIdRatioBased{0.100000}"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = Some(sampler);
        self
    }
    /// Stores metrics in `repository` instead of memory.
    pub fn metric_repository(mut self, repository: Arc<dyn Repository<Metric>>) -> Self {
        self.metric_repository = Some(repository);
        self
    }
    /// Stores spans in `repository` instead of memory.
    pub fn span_repository(mut self, repository: Arc<dyn Repository<Span>>) -> Self {
        self.span_repository = Some(repository);
        self
    }
    /// Stores log entries in `repository` instead of memory.
    pub fn log_repository(mut self, repository: Arc<dyn Repository<LogEntry>>) -> Self {
        self.log_repository = Some(repository);
        self
    }
    /// Stores alerts in `repository` instead of memory.
    pub fn alert_repository(mut self, repository: Arc<dyn Repository<Alert>>) -> Self {
        self.alert_repository = Some(repository);
        self
    }
    /// Stores health-check results in `repository` instead of memory.
    pub fn health_repository(mut self, repository: Arc<dyn Repository<HealthCheck>>) -> Self {
        self.health_repository = Some(repository);
        self
    }

    /// Bounds of the health service: probe workers and remembered
    /// components (default [`HealthConfig::default`]).
    pub fn health(mut self, config: HealthConfig) -> Self {
        self.health = config;
        self
    }

    /// Evaluates `rules` (see [`Slo::alert_rules`](crate::alerts::Slo::alert_rules)
    /// for SLOs) on the thread `observa-rule-evaluator`, raising and
    /// resolving alerts; stopped when the last container clone is dropped.
    ///
    /// ```
    /// use observa::alerts::rules::{AlertRule, Query, Selector};
    /// let rule = AlertRule::builder("QueueBacklog", Query::gauge(Selector::new("queue_depth")?).above(100.0)?).build()?;
    /// let obs = observa::Observability::builder().service("api", "1").alert_rules(vec![rule]).build()?;
    /// assert_eq!(obs.rule_statuses()[0].rule, "QueueBacklog");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn alert_rules(mut self, rules: Vec<AlertRule>) -> Self {
        self.alert_rules.extend(rules);
        self
    }

    /// How often alert rules are evaluated (default
    /// [`DEFAULT_EVALUATION_INTERVAL`](crate::alerts::DEFAULT_EVALUATION_INTERVAL), whole seconds).
    pub fn evaluation_interval(mut self, interval: Duration) -> Self {
        self.evaluation_interval = Some(interval);
        self
    }

    /// Validates the settings and wires the container.
    pub fn build(self) -> Result<Observability> {
        #[cfg(feature = "otlp")]
        let otlp_config = otlp::enabled(self.otlp);
        #[cfg(feature = "otlp")]
        let (service, sampler) = (
            self.service
                .or_else(|| otlp_config.as_ref().and_then(otlp::service_from)),
            self.sampler
                .or_else(|| otlp_config.as_ref().and_then(|c| c.configured_sampler().cloned())),
        );
        #[cfg(not(feature = "otlp"))]
        let (service, sampler) = (self.service, self.sampler);
        let (service, version) = service
            .ok_or_else(|| ObsError::configuration("service", "call .service(name, version) before build"))?;
        rules::short_name("service", "name", &service)?;
        rules::short_name("service", "version", &version)?;
        if let Some(env) = &self.environment {
            rules::short_name("service", "environment", env)?;
        }
        if self.capacity == Some(0) {
            return Err(ObsError::configuration("capacity", "must be at least 1"));
        }
        if self.series_budget == Some(0) {
            return Err(ObsError::configuration("series_budget", "must be at least 1"));
        }
        if self.max_age.is_some_and(|age| age.is_zero()) {
            return Err(ObsError::configuration("max_age", "must be positive"));
        }
        if self.sink_queue_capacity == Some(0) {
            return Err(ObsError::configuration(
                "sink_queue_capacity",
                "must be at least 1",
            ));
        }
        let mut labels = Labels::new([("service", service.as_str())])?;
        if let Some(env) = &self.environment {
            labels.insert("env", env.as_str())?;
        }
        let user_labels = Labels::new(self.labels)?;
        labels = user_labels.with_defaults(&labels)?;
        let memory = MemoryDefaults {
            capacity: self.capacity.unwrap_or(DEFAULT_CAPACITY),
            max_age: self.max_age,
        };
        let budget = self.series_budget.unwrap_or(DEFAULT_SERIES_BUDGET);
        let metrics = MetricsService::with_series_budget(memory.or(self.metric_repository), budget);
        metrics.export_identity((&service, &version), self.environment.as_deref(), &user_labels)?;
        // observa's own families are budgeted apart from the user's
        let own_families = metrics.with_family_budget(budget.max(DEFAULT_SERIES_BUDGET));
        let info = ServiceInfo {
            service: service.clone(),
            version: version.clone(),
            environment: self.environment,
        };
        let mut log_sinks = self.log_sinks;
        if self.console_logs {
            log_sinks.push(Box::new(ConsoleSink::stderr(Resource::from(&info))));
        }
        #[cfg_attr(not(feature = "otlp"), allow(unused_mut))]
        let mut span_sinks = self.span_sinks;
        #[cfg(feature = "otlp")]
        let otlp = match otlp_config {
            Some(config) => Some(otlp::start(
                config,
                &info,
                &user_labels,
                &metrics,
                [&mut log_sinks, &mut span_sinks],
            )?),
            None => None,
        };
        let queue = self.sink_queue_capacity.unwrap_or(DEFAULT_QUEUE_CAPACITY);
        let log_sinks = Arc::new(spawn_sinks(log_sinks, queue)?);
        let span_sinks = Arc::new(spawn_sinks(span_sinks, queue)?);
        let redactor = Arc::new(self.redactor.unwrap_or_default());
        let logs = LogService::new(
            memory.or(self.log_repository),
            self.min_log_level.unwrap_or(LogLevel::Info),
        )
        .with_outlets(Arc::clone(&redactor), Arc::clone(&log_sinks));
        let mut alerts = AlertService::new(memory.or(self.alert_repository))
            .with_open_limit(memory.capacity)
            .with_default_labels(labels.clone());
        if !self.notifiers.is_empty() {
            let dispatcher = NotificationDispatcher::spawn(self.notifiers, queue)?;
            alerts = alerts.with_notifications(Arc::new(dispatcher));
        }
        let failures = self.report_failures.then(|| FailureReports {
            logs: logs.clone(),
            alerts: alerts.clone(),
            source: service.clone(),
        });
        let health = HealthService::wired(
            memory.or(self.health_repository),
            self.health,
            alerts.clone(),
            &own_families,
            (&service, &version),
        )?;
        let tracing = TracingService::new(memory.or(self.span_repository), service.clone())
            .with_sampler(sampler.unwrap_or_default())
            .with_outlets(redactor, Arc::clone(&span_sinks));
        let interval = self.evaluation_interval.unwrap_or(DEFAULT_EVALUATION_INTERVAL);
        let evaluator = match self.alert_rules.is_empty() {
            true => None,
            false => Some(Evaluator::new(&metrics, &alerts, self.alert_rules, interval)?.start()?),
        };
        let inner = Inner {
            evaluator,
            calls: CallFamilies::register(&own_families, failures)?.with_tracing(tracing.clone()),
            health,
            factory: Factory::new(service.clone(), labels),
            metrics,
            tracing,
            logs,
            alerts,
            info,
            log_sinks,
            span_sinks,
            #[cfg(feature = "otlp")]
            otlp,
        };
        Ok(Observability {
            inner: Arc::new(inner),
        })
    }
}

/// How the default in-memory repositories are bounded.
#[derive(Clone, Copy)]
struct MemoryDefaults {
    capacity: usize,
    max_age: Option<Duration>,
}

impl MemoryDefaults {
    /// The user's repository if given, else a bounded in-memory one.
    fn or<E: Record>(self, given: Option<Arc<dyn Repository<E>>>) -> Arc<dyn Repository<E>> {
        given.unwrap_or_else(|| {
            let repo = InMemoryRepository::new(self.capacity);
            match self.max_age {
                Some(age) => Arc::new(repo.with_max_age(age)),
                None => Arc::new(repo),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
