//! [`HealthConfig`]: the bounds of the health service.

use crate::error::{ObsError, Result};

/// Probe worker threads per health service unless configured:
/// at most this many probes run at once.
pub const DEFAULT_PROBE_WORKERS: usize = 4;

/// Components whose latest result the health service remembers unless
/// configured; past it, the least recently updated component is forgotten.
pub const DEFAULT_MAX_COMPONENTS: usize = 1_000;

/// Checks one health service accepts; registering more is a capacity error.
pub const MAX_CHECKS: usize = 10_000;

/// Bounds of a health service: how many probe workers run checks and how
/// many components' latest results it remembers.
///
/// - `probe_workers` (default [`DEFAULT_PROBE_WORKERS`]): threads start on
///   demand up to this number and end after 5 s idle. A hung probe holds one
///   worker until it returns; when every worker is busy, a check that cannot
///   start before its timeout reports unhealthy "not started" instead of a
///   new thread being created.
/// - `max_components` (default [`DEFAULT_MAX_COMPONENTS`]): when a new
///   component would exceed it, the least recently updated one is forgotten
///   (its history stays in the repository); each one counts in
///   `observa_dropped_total{kind="health_component",reason="capacity"}`.
///
/// ```
/// use observa::health::HealthConfig;
///
/// let obs = observa::Observability::builder()
///     .service("api", "1")
///     .health(HealthConfig::default().probe_workers(2).max_components(100))
///     .build()?;
/// obs.health().register("db", || true)?;
/// assert_eq!(obs.health().check_all().status(), observa::HealthStatus::Healthy);
/// assert!(HealthConfig::default().probe_workers(0).validate().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct HealthConfig {
    probe_workers: usize,
    max_components: usize,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            probe_workers: DEFAULT_PROBE_WORKERS,
            max_components: DEFAULT_MAX_COMPONENTS,
        }
    }
}

impl HealthConfig {
    /// At most `workers` probes run at once (at least 1).
    pub fn probe_workers(mut self, workers: usize) -> Self {
        self.probe_workers = workers;
        self
    }
    /// Remember the latest result of at most `components` components (at least 1).
    pub fn max_components(mut self, components: usize) -> Self {
        self.max_components = components;
        self
    }
    /// The probe worker limit.
    pub fn probe_workers_value(&self) -> usize {
        self.probe_workers
    }
    /// The component limit.
    pub fn max_components_value(&self) -> usize {
        self.max_components
    }
    /// Checks both limits are at least 1.
    pub fn validate(&self) -> Result<()> {
        if self.probe_workers == 0 {
            return Err(ObsError::configuration("probe_workers", "must be at least 1"));
        }
        if self.max_components == 0 {
            return Err(ObsError::configuration("max_components", "must be at least 1"));
        }
        Ok(())
    }
}
