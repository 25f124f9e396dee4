//! [`Probe`]: what a health check runs, and [`CheckOptions`]: how.

use std::fmt::Display;
use std::time::Duration;

use crate::domain::{HealthStatus, Observation};

/// What one run of a probe found: a status, a message and observed values.
///
/// ```
/// use observa::health::ProbeReport;
/// use observa::{HealthStatus, Observation};
///
/// let report = ProbeReport::degraded("replica lag 4 s")
///     .with_observation(Observation::new("lag", 4.0, "s")?);
/// assert_eq!(report.status(), HealthStatus::Degraded);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReport {
    status: HealthStatus,
    message: String,
    observations: Vec<Observation>,
}

impl ProbeReport {
    /// A report with `status` and `message`.
    pub fn new(status: HealthStatus, message: impl Into<String>) -> Self {
        ProbeReport {
            status,
            message: message.into(),
            observations: Vec::new(),
        }
    }
    /// Healthy, nothing to say.
    pub fn healthy() -> Self {
        ProbeReport::new(HealthStatus::Healthy, "")
    }
    /// Working, with a concern.
    pub fn degraded(message: impl Into<String>) -> Self {
        ProbeReport::new(HealthStatus::Degraded, message)
    }
    /// Not working.
    pub fn unhealthy(message: impl Into<String>) -> Self {
        ProbeReport::new(HealthStatus::Unhealthy, message)
    }
    /// Adds an observed value.
    pub fn with_observation(mut self, observation: Observation) -> Self {
        self.observations.push(observation);
        self
    }
    /// The status.
    pub fn status(&self) -> HealthStatus {
        self.status
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The observed values.
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }
}

impl From<HealthStatus> for ProbeReport {
    fn from(status: HealthStatus) -> Self {
        ProbeReport::new(status, "")
    }
}

impl From<bool> for ProbeReport {
    /// `true` is healthy, `false` unhealthy.
    fn from(up: bool) -> Self {
        if up {
            ProbeReport::healthy()
        } else {
            ProbeReport::unhealthy("check returned false")
        }
    }
}

impl<E: Display> From<Result<(), E>> for ProbeReport {
    /// `Ok` is healthy; `Err` is unhealthy with the error as message.
    fn from(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => ProbeReport::healthy(),
            Err(err) => ProbeReport::unhealthy(err.to_string()),
        }
    }
}

/// A health check: anything that can say how a component is. Closures
/// returning a [`ProbeReport`], a [`HealthStatus`], a `bool` or a
/// `Result<(), impl Display>` are probes.
///
/// ```
/// use observa::health::{Probe, ProbeReport};
///
/// struct Always;
/// impl Probe for Always {
///     fn check(&self) -> ProbeReport {
///         ProbeReport::healthy()
///     }
/// }
/// let closure = || Err::<(), _>("connection refused");
/// assert_eq!(closure.check().message(), "connection refused");
/// assert_eq!(Always.check(), ProbeReport::healthy());
/// ```
pub trait Probe: Send + Sync + 'static {
    /// Runs the check once. It may block; the runner enforces the timeout.
    fn check(&self) -> ProbeReport;
}

impl<F, R> Probe for F
where
    F: Fn() -> R + Send + Sync + 'static,
    R: Into<ProbeReport>,
{
    fn check(&self) -> ProbeReport {
        self().into()
    }
}

/// How a registered check runs: critical or optional, timeout, cache TTL.
///
/// A critical check that fails makes the whole unhealthy (and not ready);
/// an optional one that fails only degrades it. Defaults: critical,
/// [`DEFAULT_TIMEOUT`] and [`DEFAULT_CACHE_TTL`] (1 s each).
///
/// ```
/// use std::time::Duration;
/// use observa::health::{CheckOptions, DEFAULT_CACHE_TTL};
///
/// let options = CheckOptions::optional().timeout(Duration::from_millis(200)).cache_ttl(Duration::from_secs(5));
/// assert!(!options.is_critical());
/// assert_eq!(CheckOptions::default().cache_ttl_value(), DEFAULT_CACHE_TTL);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct CheckOptions {
    critical: bool,
    timeout: Duration,
    cache_ttl: Duration,
}

/// How long a check's result is reused unless its options say otherwise:
/// whatever the request rate, a probe runs at most about once per second,
/// and an answer is at most this old (plus the probe's run time).
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(1);

/// How long a run may take unless its options say otherwise (the Kubernetes
/// probe default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

impl Default for CheckOptions {
    /// Critical, [`DEFAULT_TIMEOUT`] (1 s), cached for [`DEFAULT_CACHE_TTL`] (1 s).
    fn default() -> Self {
        CheckOptions {
            critical: true,
            timeout: DEFAULT_TIMEOUT,
            cache_ttl: DEFAULT_CACHE_TTL,
        }
    }
}

impl CheckOptions {
    /// A critical check (the default).
    pub fn critical() -> Self {
        CheckOptions::default()
    }
    /// An optional check: failing degrades, never fails, the whole.
    pub fn optional() -> Self {
        CheckOptions {
            critical: false,
            ..CheckOptions::default()
        }
    }
    /// How long a run may take before it counts as unhealthy ("timed out").
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// How long a result is reused before the probe runs again
    /// (`Duration::ZERO`: run on every request, still one run at a time).
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }
    /// Whether the check is critical.
    pub fn is_critical(&self) -> bool {
        self.critical
    }
    /// The timeout.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }
    /// The cache TTL.
    pub fn cache_ttl_value(&self) -> Duration {
        self.cache_ttl
    }
}

/// A probe with the component name and options it is registered under, as
/// `SystemChecks::probes` (feature `system`) yields them.
///
/// ```
/// use observa::health::{CheckOptions, NamedProbe};
///
/// let probe = NamedProbe::new("cache", CheckOptions::optional(), || true);
/// assert_eq!(probe.name(), "cache");
/// assert!(probe.probe().check().status() == observa::HealthStatus::Healthy);
/// ```
#[derive(Clone)]
pub struct NamedProbe {
    name: String,
    options: CheckOptions,
    probe: std::sync::Arc<dyn Probe>,
}

impl NamedProbe {
    /// `probe`, to be registered as `name` with `options`.
    pub fn new(name: impl Into<String>, options: CheckOptions, probe: impl Probe) -> Self {
        NamedProbe {
            name: name.into(),
            options,
            probe: std::sync::Arc::new(probe),
        }
    }
    /// The component name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The options.
    pub fn options(&self) -> CheckOptions {
        self.options
    }
    /// The probe.
    pub fn probe(&self) -> &std::sync::Arc<dyn Probe> {
        &self.probe
    }
}

impl std::fmt::Debug for NamedProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedProbe")
            .field("name", &self.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
