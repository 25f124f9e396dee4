//! [`HealthService`]: runs registered checks, records health-check results
//! and rolls them up.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use uuid::Uuid;

use crate::alerts::AlertService;
use crate::domain::{Alert, AlertSeverity, HealthCheck, HealthStatus};
use crate::error::Result;
use crate::health::{CheckOptions, Checks, HealthConfig, HealthReport, LatestResults, Probe};
use crate::metrics::MetricsService;
use crate::metrics::{Family, FamilySpec, Gauge};
use crate::ports::{Evictions, Query, Repository};

/// How many failures in a row make a component "consistently unhealthy".
pub const CONSECUTIVE_FAILURES: usize = 3;

/// Runs registered health checks and records [`HealthCheck`] results:
/// remembers the latest per component (at most
/// [`HealthConfig::max_components`], least recently updated forgotten
/// first), rolls them up worst first ([`worst_wins`](crate::health::worst_wins),
/// the same rule as [`HealthReport::status`]), keeps bounded history,
/// raises an alert after [`CONSECUTIVE_FAILURES`] failures in a row (and
/// resolves it on recovery) and exports `health_check_status` and
/// `health_check_duration_seconds` gauges.
///
/// ```
/// use observa::{HealthCheck, HealthStatus, Observability};
///
/// let obs = Observability::builder().service("api", "1").build()?;
/// let health = obs.health();
/// assert_eq!(health.overall(), HealthStatus::Unknown);
/// health.record(HealthCheck::new("db", HealthStatus::Healthy, "")?)?;
/// health.record(HealthCheck::new("cache", HealthStatus::Degraded, "slow")?)?;
/// assert_eq!(health.overall(), HealthStatus::Degraded);
/// // a component that is not registered as optional counts as critical
/// health.record(HealthCheck::new("queue", HealthStatus::Unhealthy, "broker unreachable")?)?;
/// assert_eq!(health.overall(), HealthStatus::Unhealthy);
/// assert_eq!(health.unhealthy()[0].component(), "queue");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct HealthService {
    repository: Arc<dyn Repository<HealthCheck>>,
    latest: Arc<RwLock<LatestResults>>,
    checks: Arc<Checks>,
    wiring: Option<Arc<Wiring>>,
}

/// What the container adds: alerts, metrics and the service identity.
struct Wiring {
    alerts: AlertService,
    status: Family<Gauge>,
    duration: Family<Gauge>,
    service: String,
    version: String,
    /// Component → id of the open "persistently unhealthy" alert.
    open_alerts: Mutex<BTreeMap<String, Uuid>>,
}

impl HealthService {
    /// A service storing into `repository`, without alerts or metrics, with
    /// the default [`HealthConfig`].
    pub fn new(repository: Arc<dyn Repository<HealthCheck>>) -> Self {
        Self::bounded(repository, HealthConfig::default())
    }

    /// Like [`new`](Self::new) with explicit bounds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use observa::adapters::InMemoryRepository;
    /// use observa::health::HealthConfig;
    /// use observa::services::HealthService;
    ///
    /// let health = HealthService::with_config(
    ///     Arc::new(InMemoryRepository::new(100)),
    ///     HealthConfig::default().max_components(2),
    /// )?;
    /// for component in ["a", "b", "c"] {
    ///     health.record(observa::HealthCheck::new(component, observa::HealthStatus::Healthy, "")?)?;
    /// }
    /// assert_eq!(health.components().len(), 2);
    /// assert_eq!(health.components_evicted(), 1); // "a", the least recently updated
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_config(repository: Arc<dyn Repository<HealthCheck>>, config: HealthConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self::bounded(repository, config))
    }

    fn bounded(repository: Arc<dyn Repository<HealthCheck>>, config: HealthConfig) -> Self {
        HealthService {
            repository,
            latest: Arc::new(RwLock::new(LatestResults::new(config.max_components_value()))),
            checks: Arc::new(Checks::new(config.probe_workers_value())),
            wiring: None,
        }
    }

    /// A service that also raises alerts through `alerts` and exports gauges through `metrics`.
    pub(crate) fn wired(
        repository: Arc<dyn Repository<HealthCheck>>,
        config: HealthConfig,
        alerts: AlertService,
        metrics: &MetricsService,
        (service, version): (&str, &str),
    ) -> Result<Self> {
        let status = metrics.gauge_family(
            FamilySpec::new("health_check_status")
                .help("Latest health-check status per component: 1 for the current status, 0 for the others.")
                .labels(&["component", "status"]),
        )?;
        let duration = metrics.gauge_family(
            FamilySpec::new("health_check_duration_seconds")
                .help("How long the latest health check of each component took.")
                .unit("seconds")
                .labels(&["component"]),
        )?;
        let mut health = HealthService::with_config(repository, config)?;
        health.wiring = Some(Arc::new(Wiring {
            alerts,
            status,
            duration,
            service: service.to_owned(),
            version: version.to_owned(),
            open_alerts: Mutex::default(),
        }));
        Ok(health)
    }

    /// Registers a critical check with default options (1 s timeout, 1 s cache).
    pub fn register(&self, component: &str, probe: impl Probe) -> Result<()> {
        self.register_with(component, CheckOptions::default(), probe)
    }

    /// Registers a check with explicit options. Names are unique.
    pub fn register_with(&self, component: &str, options: CheckOptions, probe: impl Probe) -> Result<()> {
        self.checks.register(component, options, Arc::new(probe))
    }

    /// Registers the system checks (`memory`, `disk` if paths are given,
    /// `cpu`, `process`, `uptime`): the probes [`SystemChecks::probes`](crate::health::SystemChecks::probes) yields.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// obs.health().register_system_checks(observa::health::SystemChecks::default())?;
    /// assert!(obs.health().has_checks());
    /// // registering them twice is a name conflict
    /// assert!(obs.health().register_system_checks(observa::health::SystemChecks::default()).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[cfg(feature = "system")]
    pub fn register_system_checks(&self, config: crate::health::SystemChecks) -> Result<()> {
        for named in config.probes() {
            self.checks
                .register(named.name(), named.options(), Arc::clone(named.probe()))?;
        }
        Ok(())
    }

    /// Runs every registered check on the probe pool (each within its
    /// timeout, reusing cached results within their TTL, sharing runs that
    /// concurrent requests already started), records the fresh results and
    /// rolls them up worst first. Blocks at most the longest check timeout.
    pub fn check_all(&self) -> HealthReport {
        self.run(|_| true)
    }

    /// Like [`check_all`](Self::check_all) for critical checks only: the readiness answer.
    pub fn readiness(&self) -> HealthReport {
        self.run(CheckOptions::is_critical)
    }

    /// The liveness answer: the process only, no dependencies, always healthy
    /// while it can answer (Kubernetes restarts a pod whose liveness fails,
    /// so a database outage must not fail it).
    pub fn liveness(&self) -> HealthReport {
        let (service, version) = self.identity();
        HealthReport::new(Vec::new(), service, version).assume_healthy()
    }

    /// Whether any check is registered.
    pub fn has_checks(&self) -> bool {
        !self.checks.is_empty()
    }

    fn run(&self, filter: impl Fn(&CheckOptions) -> bool) -> HealthReport {
        let results = self.checks.run(filter);
        for result in results.iter().filter(|r| !r.cached) {
            // recording is best effort: the probe answer must not depend on storage
            let _ = self.record_as(result.check.clone(), result.critical);
        }
        let (service, version) = self.identity();
        HealthReport::new(results, service, version)
    }

    fn identity(&self) -> (&str, &str) {
        match &self.wiring {
            Some(w) => (w.service.as_str(), w.version.as_str()),
            None => ("", ""),
        }
    }

    /// Stores a result, makes it its component's latest, updates the gauges,
    /// and raises or resolves the component's persistent-failure alert. The
    /// result counts as critical in [`overall`](Self::overall) unless its
    /// component is registered as an optional check.
    pub fn record(&self, check: HealthCheck) -> Result<()> {
        let critical = self.checks.is_critical(check.component()).unwrap_or(true);
        self.record_as(check, critical)
    }

    fn record_as(&self, check: HealthCheck, critical: bool) -> Result<()> {
        self.repository.save(check.clone())?;
        let updated = self.latest.write().update(check.clone(), critical);
        if let Some(wiring) = &self.wiring {
            if let Some(evicted) = &updated.evicted {
                // the alert stays open in the alert service; only the link goes
                wiring.open_alerts.lock().remove(evicted);
            }
            export(wiring, &check)?;
            self.alert_on_persistent_failure(wiring, &check)?;
        }
        Ok(())
    }

    fn alert_on_persistent_failure(&self, wiring: &Wiring, check: &HealthCheck) -> Result<()> {
        let component = check.component();
        let max_open = self.latest.read().max();
        let mut open = wiring.open_alerts.lock();
        if check.status() == HealthStatus::Unhealthy {
            if open.len() < max_open
                && !open.contains_key(component)
                && self.is_consistently_unhealthy(component)?
            {
                let alert = Alert::builder(
                    format!("{component} is persistently unhealthy"),
                    format!(
                        "{CONSECUTIVE_FAILURES} failed checks in a row; last: {}",
                        check.message()
                    ),
                    AlertSeverity::Critical,
                )
                .label("component", component)
                .source(wiring.service.clone())
                .build()?;
                let raised = wiring.alerts.raise(alert)?;
                open.insert(component.to_owned(), raised.alert.id());
            }
        } else if check.status() == HealthStatus::Healthy {
            if let Some(id) = open.remove(component) {
                wiring.alerts.resolve(id)?;
            }
        }
        Ok(())
    }

    /// The latest result of every component, sorted by component.
    pub fn components(&self) -> Vec<HealthCheck> {
        self.latest.read().iter().cloned().collect()
    }

    /// How many components were forgotten to keep within
    /// [`HealthConfig::max_components`] (their history stays in the repository).
    pub fn components_evicted(&self) -> u64 {
        self.latest.read().evicted()
    }

    /// The latest result of `component`, if it was ever checked.
    pub fn latest(&self, component: &str) -> Option<HealthCheck> {
        self.latest.read().get(component).cloned()
    }

    /// Components whose latest result is unhealthy.
    pub fn unhealthy(&self) -> Vec<HealthCheck> {
        let latest = self.latest.read();
        latest
            .iter()
            .filter(|c| c.status() == HealthStatus::Unhealthy)
            .cloned()
            .collect()
    }

    /// The stored results of `component`, newest first, at most `n`.
    pub fn history(&self, component: &str, n: usize) -> Result<Vec<HealthCheck>> {
        self.repository.query(&Query::new().component(component).limit(n))
    }

    /// Whether the last [`CONSECUTIVE_FAILURES`] stored results of `component` are all unhealthy.
    pub fn is_consistently_unhealthy(&self, component: &str) -> Result<bool> {
        let recent = self.history(component, CONSECUTIVE_FAILURES)?;
        Ok(recent.len() == CONSECUTIVE_FAILURES
            && recent.iter().all(|c| c.status() == HealthStatus::Unhealthy))
    }

    /// Worst-wins over the latest result per component (the rule of
    /// [`worst_wins`](crate::health::worst_wins)): after a
    /// [`check_all`](Self::check_all) with no other recorded components it
    /// equals that report's status. Costs the same for any number of components.
    pub fn overall(&self) -> HealthStatus {
        self.latest.read().overall()
    }

    /// How many stored results the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository.evictions()
    }
}

fn export(wiring: &Wiring, check: &HealthCheck) -> Result<()> {
    for status in HealthStatus::ALL {
        let gauge = wiring
            .status
            .with_label_values(&[check.component(), status.as_str()])?;
        gauge.set(if *status == check.status() { 1.0 } else { 0.0 });
    }
    wiring
        .duration
        .with_label_values(&[check.component()])?
        .set(check.duration().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;
    use HealthStatus::*;

    fn service() -> HealthService {
        HealthService::new(Arc::new(InMemoryRepository::new(100)))
    }

    #[test]
    fn three_failures_in_a_row_are_consistent() {
        let health = service();
        for status in [Unhealthy, Unhealthy, Healthy, Unhealthy, Unhealthy] {
            health
                .record(HealthCheck::new("db", status, "").unwrap())
                .unwrap();
        }
        assert!(!health.is_consistently_unhealthy("db").unwrap());
        health
            .record(HealthCheck::new("db", Unhealthy, "").unwrap())
            .unwrap();
        assert!(health.is_consistently_unhealthy("db").unwrap());
        assert_eq!(health.history("db", 10).unwrap().len(), 6);
        assert!(!health.is_consistently_unhealthy("never-checked").unwrap());
    }

    #[test]
    fn latest_per_component_wins() {
        let health = service();
        health
            .record(HealthCheck::new("db", Unhealthy, "down").unwrap())
            .unwrap();
        health
            .record(HealthCheck::new("db", Healthy, "").unwrap())
            .unwrap();
        assert_eq!(health.overall(), Healthy);
        assert_eq!(health.components().len(), 1);
    }
}
