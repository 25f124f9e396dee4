//! Embedded health checks: probes registered with per-check options, run
//! concurrently on plain threads with timeouts and caching, rolled up worst
//! first, and reported in the IETF `application/health+json` format.
//!
//! ```
//! use std::time::Duration;
//! use observa::health::{CheckOptions, ProbeReport};
//!
//! let obs = observa::Observability::builder().service("api", "1.0").build()?;
//! obs.health().register("database", || Ok::<(), String>(()))?;
//! obs.health().register_with("cache", CheckOptions::optional().timeout(Duration::from_millis(50)), || {
//!     ProbeReport::unhealthy("connection refused")
//! })?;
//! let report = obs.health().check_all();
//! assert_eq!(report.status(), observa::HealthStatus::Degraded); // an optional check failed
//! assert_eq!(obs.health().readiness().status(), observa::HealthStatus::Healthy); // critical only
//! # Ok::<(), observa::ObsError>(())
//! ```

mod probe;
mod report;
mod runner;
#[cfg(feature = "system")]
mod system;

pub use probe::{CheckOptions, Probe, ProbeReport};
pub use report::{worst_wins, HealthReport, HEALTH_JSON};
pub use runner::CheckResult;
pub(crate) use runner::Checks;
#[cfg(feature = "system")]
pub use system::{SystemChecks, Threshold};
