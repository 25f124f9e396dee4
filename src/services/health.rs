//! [`HealthService`]: records health-check results and rolls them up.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::domain::{HealthCheck, HealthStatus};
use crate::error::Result;
use crate::ports::{Evictions, Query, Repository};

/// How many failures in a row make a component "consistently unhealthy".
pub const CONSECUTIVE_FAILURES: usize = 3;

/// Records [`HealthCheck`] results, remembers the latest per component and
/// rolls them up into one status.
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
}

impl HealthService {
    /// A service storing into `repository`.
    pub fn new(repository: Arc<dyn Repository<HealthCheck>>) -> Self {
        HealthService {
            repository,
            latest: Arc::default(),
        }
    }

    /// Stores a result and makes it its component's latest.
    pub fn record(&self, check: HealthCheck) -> Result<()> {
        self.repository.save(check.clone())?;
        let mut latest = self.latest.write();
        let newer = latest
            .get(check.component())
            .is_none_or(|l| l.timestamp() <= check.timestamp());
        if newer {
            latest.insert(check.component().to_owned(), check);
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
