//! [`DriftConfig`]: the validated settings of a drift detector, and its [`Baseline`] mode.

use super::method::DriftMethod;
use crate::domain::AlertSeverity;
use crate::error::{ObsError, Result};

/// Most samples a baseline or a recent window may hold.
///
/// ```
/// use observa::alerts::drift::{Baseline, DriftConfig, MAX_WINDOW};
/// assert!(DriftConfig::default().baseline(Baseline::Rolling(MAX_WINDOW + 1)).validate().is_err());
/// ```
pub const MAX_WINDOW: usize = 10_000;

/// How the baseline a series is judged against is kept.
///
/// Samples enter the baseline only after they leave the recent window, so
/// the window being judged is never part of its own reference.
///
/// ```
/// use observa::alerts::drift::{Baseline, DriftConfig};
///
/// let rolling = DriftConfig::default().baseline(Baseline::Rolling(1_000));
/// let frozen = DriftConfig::default().baseline(Baseline::Frozen(200));
/// assert!(rolling.validate().is_ok() && frozen.validate().is_ok());
/// assert!(DriftConfig::default().baseline(Baseline::Rolling(0)).validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// The last `n` samples before the recent window: the reference follows
    /// the series, so a lasting change stops being drift once the baseline
    /// has taken it in (the alert then resolves).
    Rolling(usize),
    /// The first `n` samples before the recent window, then never changed:
    /// a lasting change stays drift until the series comes back.
    Frozen(usize),
}

impl Baseline {
    /// How many samples the baseline holds at most.
    ///
    /// ```
    /// assert_eq!(observa::alerts::drift::Baseline::Frozen(64).capacity(), 64);
    /// ```
    pub fn capacity(self) -> usize {
        match self {
            Baseline::Rolling(n) | Baseline::Frozen(n) => n,
        }
    }
}

/// Settings of a [`DriftDetector`](super::DriftDetector). Setters never fail;
/// [`DriftConfig::validate`] (called by the detector's constructor) checks
/// the whole, so an invalid detector cannot exist.
///
/// Defaults (see `docs/benchmarks.md`, section "drift", for how they do on
/// synthetic series): a rolling baseline of 500 samples, a recent window of
/// 30, judging from 30 baseline samples on; |z| > 3; |M| > 3.5; mean-shift
/// bands 15 % (low), 30 % (medium), 50 % (high); EWMA λ = 0.2 with limit
/// 3.5; CUSUM k = 0.5, h = 8; all five methods. The EWMA limit and the CUSUM
/// interval sit above the textbook 3 and 4–5: on the benchmark's skewed
/// (log-normal) noise with an estimated σ those gave 25 and 84 false alarms
/// per 10,000 samples, these give about 6 and 5 for 4–7 samples more delay.
///
/// ```
/// use observa::alerts::drift::{Baseline, DriftConfig, DriftMethod};
///
/// let config = DriftConfig::default()
///     .baseline(Baseline::Frozen(300))
///     .min_samples(50)
///     .methods(&[DriftMethod::MeanShift, DriftMethod::Cusum])
///     .cusum(0.5, 4.0);
/// config.validate()?;
/// assert_eq!(config.severity_of(0.32), Some(observa::AlertSeverity::Medium));
/// let err = DriftConfig::default().z_threshold(f64::NAN).validate().unwrap_err();
/// assert_eq!(err.field(), Some("z_threshold"));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DriftConfig {
    pub(crate) baseline: Baseline,
    pub(crate) recent: usize,
    pub(crate) min_samples: usize,
    pub(crate) z_threshold: f64,
    pub(crate) robust_threshold: f64,
    pub(crate) bands: [f64; 3],
    pub(crate) ewma_lambda: f64,
    pub(crate) ewma_limit: f64,
    pub(crate) cusum_k: f64,
    pub(crate) cusum_h: f64,
    pub(crate) methods: u8,
    pub(crate) resolve_after: usize,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            baseline: Baseline::Rolling(500),
            recent: 30,
            min_samples: 30,
            z_threshold: 3.0,
            robust_threshold: 3.5,
            bands: [0.15, 0.30, 0.50],
            ewma_lambda: 0.2,
            ewma_limit: 3.5,
            cusum_k: 0.5,
            cusum_h: 8.0,
            methods: DriftMethod::ALL.iter().fold(0, |bits, m| bits | m.bit()),
            resolve_after: 1,
        }
    }
}

impl DriftConfig {
    /// How the baseline is kept (default `Rolling(500)`).
    ///
    /// ```
    /// use observa::alerts::drift::{Baseline, DriftConfig};
    /// assert!(DriftConfig::default().baseline(Baseline::Frozen(1_000)).validate().is_ok());
    /// ```
    pub fn baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = baseline;
        self
    }

    /// Samples in the recent window whose mean the mean shift compares (default 30).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().recent_window(10).validate().is_ok());
    /// assert!(DriftConfig::default().recent_window(0).validate().is_err());
    /// ```
    pub fn recent_window(mut self, samples: usize) -> Self {
        self.recent = samples;
        self
    }

    /// Baseline samples needed before any method judges (default 30, at least 2,
    /// at most the baseline's capacity).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().min_samples(100).validate().is_ok());
    /// assert!(DriftConfig::default().min_samples(1).validate().is_err());
    /// ```
    pub fn min_samples(mut self, samples: usize) -> Self {
        self.min_samples = samples;
        self
    }

    /// |z| above which `zscore` flags a point (default 3).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().z_threshold(4.0).validate().is_ok());
    /// assert!(DriftConfig::default().z_threshold(0.0).validate().is_err());
    /// ```
    pub fn z_threshold(mut self, threshold: f64) -> Self {
        self.z_threshold = threshold;
        self
    }

    /// |M| above which `robust_z` flags a point (default 3.5).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().robust_threshold(5.0).validate().is_ok());
    /// assert!(DriftConfig::default().robust_threshold(f64::INFINITY).validate().is_err());
    /// ```
    pub fn robust_threshold(mut self, threshold: f64) -> Self {
        self.robust_threshold = threshold;
        self
    }

    /// Relative mean shifts at which the low, medium and high bands start
    /// (default 0.15, 0.30, 0.50; strictly increasing, finite, above 0).
    ///
    /// ```
    /// # use observa::{alerts::drift::DriftConfig, AlertSeverity};
    /// let config = DriftConfig::default().shift_bands(0.1, 0.2, 1.0);
    /// assert_eq!(config.severity_of(0.5), Some(AlertSeverity::Medium));
    /// ```
    pub fn shift_bands(mut self, low: f64, medium: f64, high: f64) -> Self {
        self.bands = [low, medium, high];
        self
    }

    /// EWMA weight λ of the newest point (0 < λ ≤ 1, default 0.2) and the
    /// limit in units of the EWMA's own σ (default 3.5).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().ewma(0.1, 2.7).validate().is_ok());
    /// assert!(DriftConfig::default().ewma(0.0, 3.0).validate().is_err());
    /// ```
    pub fn ewma(mut self, lambda: f64, limit: f64) -> Self {
        self.ewma_lambda = lambda;
        self.ewma_limit = limit;
        self
    }

    /// CUSUM allowance k and decision interval h, both in baseline σ
    /// (defaults 0.5 and 8: k = 0.5 is tuned to shifts of about 1 σ).
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().cusum(0.0, 5.0).validate().is_ok());
    /// assert!(DriftConfig::default().cusum(-1.0, 5.0).validate().is_err());
    /// ```
    pub fn cusum(mut self, k: f64, h: f64) -> Self {
        self.cusum_k = k;
        self.cusum_h = h;
        self
    }

    /// The methods that judge (default all; at least one).
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftMethod};
    /// let config = DriftConfig::default().methods(&[DriftMethod::Cusum]);
    /// assert!(config.uses(DriftMethod::Cusum) && !config.uses(DriftMethod::MeanShift));
    /// ```
    pub fn methods(mut self, methods: &[DriftMethod]) -> Self {
        self.methods = methods.iter().fold(0, |bits, m| bits | m.bit());
        self
    }

    /// Consecutive samples a method must judge the series calm before a
    /// [`DriftMonitor`](super::DriftMonitor) resolves its alert (default 1:
    /// at once). Raise it to keep a series hovering at a threshold from
    /// raising and resolving an alert on every other sample.
    ///
    /// ```
    /// # use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().resolve_after(10).validate().is_ok());
    /// assert!(DriftConfig::default().resolve_after(0).validate().is_err());
    /// ```
    pub fn resolve_after(mut self, samples: usize) -> Self {
        self.resolve_after = samples;
        self
    }

    /// Whether `method` is enabled.
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftMethod};
    /// let config = DriftConfig::default().methods(&[DriftMethod::Ewma]);
    /// assert!(config.uses(DriftMethod::Ewma) && !config.uses(DriftMethod::ZScore));
    /// ```
    pub fn uses(&self, method: DriftMethod) -> bool {
        self.methods & method.bit() != 0
    }

    /// The severity band of a relative mean shift (its magnitude counts):
    /// `None` below the low band.
    ///
    /// ```
    /// use observa::{alerts::drift::DriftConfig, AlertSeverity};
    /// let config = DriftConfig::default();
    /// assert_eq!(config.severity_of(0.10), None);
    /// assert_eq!(config.severity_of(-0.15), Some(AlertSeverity::Low));
    /// assert_eq!(config.severity_of(0.5), Some(AlertSeverity::High));
    /// ```
    pub fn severity_of(&self, shift: f64) -> Option<AlertSeverity> {
        let size = shift.abs();
        let [low, medium, high] = self.bands;
        match size {
            s if s >= high => Some(AlertSeverity::High),
            s if s >= medium => Some(AlertSeverity::Medium),
            s if s >= low => Some(AlertSeverity::Low),
            _ => None,
        }
    }

    /// Checks every setting; the error names the field and the rule.
    ///
    /// ```
    /// use observa::alerts::drift::DriftConfig;
    /// assert!(DriftConfig::default().validate().is_ok());
    /// assert!(DriftConfig::default().shift_bands(0.3, 0.2, 0.5).validate().is_err());
    /// assert!(DriftConfig::default().ewma(1.5, 3.0).validate().is_err());
    /// assert!(DriftConfig::default().methods(&[]).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let capacity = self.baseline.capacity();
        within("baseline", capacity, 2, MAX_WINDOW)?;
        within("recent_window", self.recent, 1, MAX_WINDOW)?;
        within("min_samples", self.min_samples, 2, capacity)?;
        within("resolve_after", self.resolve_after, 1, MAX_WINDOW)?;
        positive("z_threshold", self.z_threshold)?;
        positive("robust_threshold", self.robust_threshold)?;
        positive("ewma_limit", self.ewma_limit)?;
        positive("cusum_h", self.cusum_h)?;
        for band in self.bands {
            positive("shift_bands", band)?;
        }
        if !(self.bands[0] < self.bands[1] && self.bands[1] < self.bands[2]) {
            return Err(invalid(
                "shift_bands",
                format!("{:?}", self.bands),
                "must be strictly increasing: low < medium < high",
            ));
        }
        if !(self.ewma_lambda > 0.0 && self.ewma_lambda <= 1.0) {
            return Err(invalid("ewma_lambda", self.ewma_lambda, "must be in (0, 1]"));
        }
        if !(self.cusum_k.is_finite() && self.cusum_k >= 0.0) {
            return Err(invalid("cusum_k", self.cusum_k, "must be finite and at least 0"));
        }
        if self.methods == 0 {
            return Err(invalid("methods", "[]", "name at least one method"));
        }
        Ok(())
    }
}

fn invalid(field: &'static str, value: impl std::fmt::Display, rule: &str) -> ObsError {
    ObsError::validation("drift config", field, value, rule)
}

fn within(field: &'static str, value: usize, min: usize, max: usize) -> Result<()> {
    if value < min || value > max {
        return Err(invalid(field, value, &format!("must be between {min} and {max}")));
    }
    Ok(())
}

fn positive(field: &'static str, value: f64) -> Result<()> {
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(field, value, "must be finite and above 0"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_samples_cannot_exceed_the_baseline() {
        let config = DriftConfig::default().baseline(Baseline::Frozen(20));
        assert_eq!(config.validate().unwrap_err().field(), Some("min_samples"));
        assert!(config.min_samples(20).validate().is_ok());
    }

    #[test]
    fn windows_are_bounded() {
        let err = DriftConfig::default()
            .recent_window(MAX_WINDOW + 1)
            .validate()
            .unwrap_err();
        assert_eq!(err.field(), Some("recent_window"));
        let err = DriftConfig::default()
            .baseline(Baseline::Rolling(MAX_WINDOW + 1))
            .validate()
            .unwrap_err();
        assert_eq!(err.field(), Some("baseline"));
    }

    #[test]
    fn band_edges_belong_to_the_higher_band() {
        let config = DriftConfig::default();
        assert_eq!(config.severity_of(0.30), Some(AlertSeverity::Medium));
        assert_eq!(config.severity_of(f64::NAN), None);
    }
}
