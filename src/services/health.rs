//! [`HealthService`]: records health-check results and rolls them up.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use uuid::Uuid;

use super::{AlertService, MetricsService};
use crate::domain::{Alert, AlertSeverity, HealthCheck, HealthStatus};
use crate::error::Result;
use crate::health::{CheckOptions, Checks, HealthReport, Probe};
use crate::metrics::{Family, FamilySpec, Gauge};
use crate::ports::{Evictions, Query, Repository};

/// How many failures in a row make a component "consistently unhealthy".
pub const CONSECUTIVE_FAILURES: usize = 3;

/// Runs registered health checks and records [`HealthCheck`] results:
/// remembers the latest per component, rolls them up, keeps bounded history,
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
/// health.record(HealthCheck::new("cache", HealthStatus::Healthy, "")?)?;
/// health.record(HealthCheck::new("queue", HealthStatus::Unhealthy, "broker unreachable")?)?;
/// assert_eq!(health.overall(), HealthStatus::Degraded); // 1 of 3 unhealthy
/// assert_eq!(health.unhealthy()[0].component(), "queue");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct HealthService {
    repository: Arc<dyn Repository<HealthCheck>>,
    latest: Arc<RwLock<BTreeMap<String, HealthCheck>>>,
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
    /// A service storing into `repository`, without alerts or metrics.
    pub fn new(repository: Arc<dyn Repository<HealthCheck>>) -> Self {
        HealthService {
            repository,
            latest: Arc::default(),
            checks: Arc::default(),
            wiring: None,
        }
    }

    /// A service that also raises alerts through `alerts` and exports gauges through `metrics`.
    pub(crate) fn wired(
        repository: Arc<dyn Repository<HealthCheck>>,
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
        let mut health = HealthService::new(repository);
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

    /// Registers a critical check with default options (1 s timeout, no cache).
    pub fn register(&self, component: &str, probe: impl Probe) -> Result<()> {
        self.register_with(component, CheckOptions::default(), probe)
    }

    /// Registers a check with explicit options. Names are unique.
    pub fn register_with(&self, component: &str, options: CheckOptions, probe: impl Probe) -> Result<()> {
        self.checks.register(component, options, Arc::new(probe))
    }

    /// Runs every registered check (concurrently, each within its timeout,
    /// reusing cached results within their TTL), records the fresh results
    /// and rolls them up worst first.
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
            let _ = self.record(result.check.clone());
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
    /// and raises or resolves the component's persistent-failure alert.
    pub fn record(&self, check: HealthCheck) -> Result<()> {
        self.repository.save(check.clone())?;
        {
            let mut latest = self.latest.write();
            let newer = latest
                .get(check.component())
                .is_none_or(|l| l.timestamp() <= check.timestamp());
            if newer {
                latest.insert(check.component().to_owned(), check.clone());
            }
        }
        if let Some(wiring) = &self.wiring {
            export(wiring, &check)?;
            self.alert_on_persistent_failure(wiring, &check)?;
        }
        Ok(())
    }

    fn alert_on_persistent_failure(&self, wiring: &Wiring, check: &HealthCheck) -> Result<()> {
        let component = check.component();
        let mut open = wiring.open_alerts.lock();
        if check.status() == HealthStatus::Unhealthy {
            if !open.contains_key(component) && self.is_consistently_unhealthy(component)? {
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
        self.latest.read().values().cloned().collect()
    }

    /// The latest result of `component`, if it was ever checked.
    pub fn latest(&self, component: &str) -> Option<HealthCheck> {
        self.latest.read().get(component).cloned()
    }

    /// Components whose latest result is unhealthy.
    pub fn unhealthy(&self) -> Vec<HealthCheck> {
        let latest = self.latest.read();
        latest
            .values()
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

    /// The roll-up of the latest result per component (see [`overall_status`]).
    pub fn overall(&self) -> HealthStatus {
        let latest = self.latest.read();
        overall_status(latest.values().map(HealthCheck::status))
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

/// The roll-up rule: no components → unknown; all healthy → healthy; fewer
/// than half unhealthy → degraded; otherwise unhealthy. A degraded or unknown
/// component keeps the whole from being healthy.
///
/// ```
/// use observa::services::overall_status;
/// use observa::HealthStatus::*;
///
/// assert_eq!(overall_status([]), Unknown);
/// assert_eq!(overall_status([Healthy, Healthy]), Healthy);
/// assert_eq!(overall_status([Healthy, Unknown]), Degraded);
/// assert_eq!(overall_status([Healthy, Healthy, Unhealthy]), Degraded);
/// assert_eq!(overall_status([Healthy, Unhealthy]), Unhealthy); // half is not fewer than half
/// ```
pub fn overall_status(statuses: impl IntoIterator<Item = HealthStatus>) -> HealthStatus {
    let (mut total, mut healthy, mut unhealthy) = (0usize, 0usize, 0usize);
    for status in statuses {
        total += 1;
        healthy += usize::from(status == HealthStatus::Healthy);
        unhealthy += usize::from(status == HealthStatus::Unhealthy);
    }
    if total == 0 {
        HealthStatus::Unknown
    } else if healthy == total {
        HealthStatus::Healthy
    } else if unhealthy * 2 < total {
        HealthStatus::Degraded
    } else {
        HealthStatus::Unhealthy
    }
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
    fn roll_up_table() {
        let cases: &[(&[HealthStatus], HealthStatus)] = &[
            (&[], Unknown),
            (&[Healthy], Healthy),
            (&[Unhealthy], Unhealthy),
            (&[Degraded], Degraded),
            (&[Unknown], Degraded),
            (&[Healthy, Degraded], Degraded),
            (&[Healthy, Healthy, Healthy, Unhealthy], Degraded),
            (&[Healthy, Healthy, Unhealthy, Unhealthy], Unhealthy),
            (&[Unhealthy, Unhealthy, Unhealthy], Unhealthy),
        ];
        for (statuses, expected) in cases {
            assert_eq!(
                overall_status(statuses.iter().copied()),
                *expected,
                "{statuses:?}"
            );
        }
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
