//! [`ObservabilityBuilder`]: the container's settings, checked and wired by `build`.

use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "otlp")]
use super::otlp;
use super::outlets::spawn_sinks;
use super::{Inner, Observability, ServiceInfo, DEFAULT_CAPACITY};
use crate::adapters::InMemoryRepository;
use crate::alerts::notify::{NotificationDispatcher, Notifier};
use crate::alerts::rules::AlertRule;
use crate::alerts::{AlertService, Evaluator, DEFAULT_EVALUATION_INTERVAL};
use crate::domain::{rules, Alert, HealthCheck, Labels, LogEntry, LogLevel, Metric, Span};
use crate::error::{ObsError, Result};
use crate::factory::Factory;
use crate::health::HealthConfig;
use crate::health::HealthService;
use crate::logs::LogService;
use crate::metrics::MetricsService;
use crate::metrics::DEFAULT_SERIES_BUDGET;
use crate::monitor::{CallFamilies, FailureReports};
use crate::ports::{Record, Repository};
use crate::redaction::Redactor;
use crate::sampling::Sampler;
use crate::sinks::{ConsoleSink, Resource, Sink, DEFAULT_QUEUE_CAPACITY};
use crate::traces::TracingService;

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
    pub(super) service: Option<(String, String)>,
    pub(super) environment: Option<String>,
    pub(super) labels: Vec<(String, String)>,
    pub(super) capacity: Option<usize>,
    pub(super) max_age: Option<Duration>,
    pub(super) series_budget: Option<usize>,
    pub(super) report_failures: bool,
    pub(super) min_log_level: Option<LogLevel>,
    pub(super) sampler: Option<Sampler>,
    pub(super) metric_repository: Option<Arc<dyn Repository<Metric>>>,
    pub(super) span_repository: Option<Arc<dyn Repository<Span>>>,
    pub(super) log_repository: Option<Arc<dyn Repository<LogEntry>>>,
    pub(super) alert_repository: Option<Arc<dyn Repository<Alert>>>,
    pub(super) health_repository: Option<Arc<dyn Repository<HealthCheck>>>,
    pub(super) health: HealthConfig,
    pub(super) log_sinks: Vec<Box<dyn Sink>>,
    pub(super) span_sinks: Vec<Box<dyn Sink>>,
    pub(super) console_logs: bool,
    pub(super) sink_queue_capacity: Option<usize>,
    pub(super) redactor: Option<Redactor>,
    pub(super) alert_rules: Vec<AlertRule>,
    pub(super) evaluation_interval: Option<Duration>,
    pub(super) notifiers: Vec<Box<dyn Notifier>>,
    #[cfg(feature = "otlp")]
    pub(super) otlp: Option<crate::otlp::OtlpConfig>,
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
