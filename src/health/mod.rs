//! Embedded health checks: probes registered with per-check options, run on
//! a small bounded pool of worker threads, each within its timeout, one run
//! per check at a time (concurrent requests share it), results cached for
//! their TTL, rolled up worst first, and reported in the IETF
//! `application/health+json` format.
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
//! assert_eq!(obs.health().overall(), report.status());          // one roll-up rule
//! assert_eq!(obs.health().readiness().status(), observa::HealthStatus::Healthy); // critical only
//! # Ok::<(), observa::ObsError>(())
//! ```
//!
//! Bounds and defaults:
//! - at most [`DEFAULT_PROBE_WORKERS`] probes run at once (see
//!   [`HealthConfig`]); a probe that hangs holds one worker until it returns
//!   and is never started again meanwhile; a check that cannot start before
//!   its deadline reports unhealthy "not started" rather than a thread being
//!   added;
//! - each check's timeout ([`DEFAULT_TIMEOUT`], 1 s) and cache TTL
//!   ([`DEFAULT_CACHE_TTL`], 1 s) come from its [`CheckOptions`];
//! - the latest result of at most [`DEFAULT_MAX_COMPONENTS`] components is
//!   kept; at most [`MAX_CHECKS`] checks are registered.
//!
//! This module does not depend on the services: system checks (feature
//! `system`) are plain [`NamedProbe`]s from `SystemChecks::probes`, which
//! `HealthService::register_system_checks` registers.

mod config;
mod latest;
mod pool;
mod probe;
mod report;
mod runner;
mod service;
#[cfg(feature = "system")]
mod system;
#[cfg(feature = "system")]
mod threshold;

pub use config::{HealthConfig, DEFAULT_MAX_COMPONENTS, DEFAULT_PROBE_WORKERS, MAX_CHECKS};
pub(crate) use latest::LatestResults;
pub use probe::{CheckOptions, NamedProbe, Probe, ProbeReport, DEFAULT_CACHE_TTL, DEFAULT_TIMEOUT};
pub use report::{worst_wins, HealthReport, HEALTH_JSON};
pub use runner::CheckResult;
pub(crate) use runner::Checks;
pub use service::{HealthService, CONSECUTIVE_FAILURES};
#[cfg(feature = "system")]
pub use system::SystemChecks;
#[cfg(feature = "system")]
pub use threshold::Threshold;
