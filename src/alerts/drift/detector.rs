//! [`DriftDetector`]: judges each sample of one series against its baseline.

use super::config::{Baseline, DriftConfig};
use super::method::DriftMethod;
use super::sequential::{Cusum, Ewma};
use super::window::{SampleWindow, Spread};
use crate::domain::AlertSeverity;
use crate::error::{ObsError, Result};

/// Scale of the modified z-score: Φ⁻¹(0.75), so 0.6745·(x − median)/MAD is
/// a z for normal data (Iglewicz and Hoaglin).
const MODIFIED_Z_SCALE: f64 = 0.6745;
/// When the MAD is 0, the mean absolute deviation times this stands in for it.
const MEAN_AD_SCALE: f64 = 1.253314;

/// The verdict of every enabled method on one sample.
///
/// ```
/// use observa::alerts::drift::{DriftConfig, DriftDetector, DriftMethod};
///
/// let mut detector = DriftDetector::new(DriftConfig::default())?;
/// let report = detector.observe(10.0)?;
/// assert!(!report.is_judged()); // still warming up
/// assert_eq!(report.score(DriftMethod::ZScore), None);
/// assert!(!report.any_drifting());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DriftReport {
    judged: bool,
    scores: [Option<f64>; 5],
    drifting: u8,
    band: Option<AlertSeverity>,
}

impl DriftReport {
    /// Whether the baseline had its minimum number of samples.
    pub fn is_judged(&self) -> bool {
        self.judged
    }

    /// The method's statistic for this sample: z, modified z, relative mean
    /// shift, EWMA in its own σ, or CUSUM sum. `None` while warming up, when
    /// the method is off, or when the baseline has no spread to measure by.
    pub fn score(&self, method: DriftMethod) -> Option<f64> {
        self.scores[method as usize]
    }

    /// Whether `method` judges the series drifting (or this point anomalous).
    pub fn is_drifting(&self, method: DriftMethod) -> bool {
        self.drifting & method.bit() != 0
    }

    /// Whether any enabled method does.
    pub fn any_drifting(&self) -> bool {
        self.drifting != 0
    }

    /// The severity band of the current mean shift (`None` below the low band
    /// or while it is not judged).
    pub fn band(&self) -> Option<AlertSeverity> {
        self.band
    }
}

/// Detects drift in one series: feed it every sample with
/// [`DriftDetector::observe`]. Pure and bounded (two windows of configured
/// size); no I/O. [`DriftMonitor`](super::DriftMonitor) turns its reports
/// into alerts and gauges.
///
/// Non-finite samples are refused with a validation error and counted
/// ([`DriftDetector::rejected`]); they change nothing. A baseline without
/// spread (σ = 0) leaves the z-based methods unjudged for that sample; a MAD
/// of 0 falls back to 1.2533 × the mean absolute deviation; a baseline mean
/// of 0 leaves the mean shift unjudged.
///
/// ```
/// use observa::alerts::drift::{DriftConfig, DriftDetector, DriftMethod};
///
/// let mut detector = DriftDetector::new(DriftConfig::default())?;
/// for i in 0..200 {
///     detector.observe(100.0 + (i % 7) as f64)?; // steady, a little noise
/// }
/// let report = detector.observe(400.0)?; // a spike
/// assert!(report.is_drifting(DriftMethod::ZScore));
/// assert!(report.is_drifting(DriftMethod::RobustZ));
/// assert!(!report.is_drifting(DriftMethod::MeanShift)); // one point moves the mean little
/// assert!(detector.observe(f64::NAN).is_err());
/// assert_eq!(detector.rejected(), 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DriftDetector {
    config: DriftConfig,
    recent: SampleWindow,
    baseline: SampleWindow,
    ewma: Ewma,
    cusum: Cusum,
    observed: u64,
    rejected: u64,
}

impl DriftDetector {
    /// A detector with `config`, validated.
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftDetector};
    /// assert!(DriftDetector::new(DriftConfig::default()).is_ok());
    /// assert!(DriftDetector::new(DriftConfig::default().recent_window(0)).is_err());
    /// ```
    pub fn new(config: DriftConfig) -> Result<Self> {
        config.validate()?;
        Ok(DriftDetector {
            recent: SampleWindow::new(config.recent),
            baseline: SampleWindow::new(config.baseline.capacity()),
            ewma: Ewma::new(config.ewma_lambda, config.ewma_limit),
            cusum: Cusum::new(config.cusum_k, config.cusum_h),
            config,
            observed: 0,
            rejected: 0,
        })
    }

    /// The configuration.
    ///
    /// ```
    /// # use observa::alerts::drift::{DriftConfig, DriftDetector};
    /// let detector = DriftDetector::new(DriftConfig::default())?;
    /// assert_eq!(detector.config(), &DriftConfig::default());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn config(&self) -> &DriftConfig {
        &self.config
    }

    /// Finite samples taken so far.
    ///
    /// ```
    /// # use observa::alerts::drift::{DriftConfig, DriftDetector};
    /// let mut detector = DriftDetector::new(DriftConfig::default())?;
    /// detector.observe(1.0)?;
    /// assert_eq!(detector.observed(), 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// Non-finite samples refused so far.
    ///
    /// ```
    /// # use observa::alerts::drift::{DriftConfig, DriftDetector};
    /// let mut detector = DriftDetector::new(DriftConfig::default())?;
    /// assert!(detector.observe(f64::INFINITY).is_err());
    /// assert_eq!((detector.observed(), detector.rejected()), (0, 1));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Judges `value` against the baseline, then takes it in: into the
    /// recent window, whose oldest sample moves on into the baseline.
    ///
    /// ```
    /// use observa::alerts::drift::{Baseline, DriftConfig, DriftDetector, DriftMethod};
    ///
    /// let config = DriftConfig::default().baseline(Baseline::Frozen(50)).recent_window(10);
    /// let mut detector = DriftDetector::new(config)?;
    /// for i in 0..60 {
    ///     detector.observe(10.0 + (i % 2) as f64)?; // 10, 11, 10, ...
    /// }
    /// let mut last = None;
    /// for _ in 0..10 {
    ///     last = Some(detector.observe(14.0)?); // +33 %
    /// }
    /// let last = last.unwrap();
    /// assert!(last.is_drifting(DriftMethod::MeanShift));
    /// assert_eq!(last.band(), Some(observa::AlertSeverity::Medium));
    /// assert!(last.score(DriftMethod::MeanShift).unwrap() > 0.3);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn observe(&mut self, value: f64) -> Result<DriftReport> {
        if !value.is_finite() {
            self.rejected += 1;
            return Err(ObsError::validation(
                "drift sample",
                "value",
                value,
                "must be finite (NaN and infinities are refused and counted)",
            ));
        }
        self.observed += 1;
        let spread = if self.baseline.len() >= self.config.min_samples {
            self.baseline.spread()
        } else {
            None
        };
        if let Some(leaving) = self.recent.push(value) {
            let frozen = matches!(self.config.baseline, Baseline::Frozen(_));
            if !(frozen && self.baseline.is_full()) {
                self.baseline.push(leaving);
            }
        }
        Ok(match spread {
            Some(spread) => self.judge(value, spread),
            None => DriftReport {
                judged: false,
                scores: [None; 5],
                drifting: 0,
                band: None,
            },
        })
    }

    fn judge(&mut self, value: f64, base: Spread) -> DriftReport {
        let config = &self.config;
        // Samples near ±f64::MAX can overflow a sum or a spread: a statistic
        // that is not finite is not judged, rather than judged on NaN.
        let finite = |v: f64| Some(v).filter(|v| v.is_finite());
        let z = (base.std_dev > 0.0)
            .then(|| (value - base.mean) / base.std_dev)
            .and_then(finite);
        let robust = if base.mad > 0.0 {
            Some(MODIFIED_Z_SCALE * (value - base.median) / base.mad)
        } else {
            (base.mean_ad > 0.0).then(|| (value - base.median) / (MEAN_AD_SCALE * base.mean_ad))
        }
        .and_then(finite);
        let shift = match self.recent.mean() {
            Some(recent) if self.recent.is_full() && base.mean != 0.0 => {
                finite((recent - base.mean) / base.mean.abs())
            }
            _ => None,
        };
        let ewma = match z {
            Some(z) => self.ewma.update(z),
            None => self.ewma.score(),
        };
        let cusum = match z {
            Some(z) => self.cusum.update(z),
            None => self.cusum.score(),
        };
        let band = shift.and_then(|s| config.severity_of(s));
        let verdicts = [
            (
                DriftMethod::ZScore,
                z,
                z.is_some_and(|z| z.abs() > config.z_threshold),
            ),
            (
                DriftMethod::RobustZ,
                robust,
                robust.is_some_and(|m| m.abs() > config.robust_threshold),
            ),
            (DriftMethod::MeanShift, shift, band.is_some()),
            (DriftMethod::Ewma, Some(ewma), self.ewma.is_drifting(ewma)),
            (DriftMethod::Cusum, Some(cusum), self.cusum.is_drifting(cusum)),
        ];
        let mut report = DriftReport {
            judged: true,
            scores: [None; 5],
            drifting: 0,
            band,
        };
        for (method, score, drifting) in verdicts {
            if config.uses(method) {
                report.scores[method as usize] = score;
                if drifting {
                    report.drifting |= method.bit();
                }
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_near_the_float_limits_leave_no_nan_scores() {
        let config = DriftConfig::default().recent_window(1).min_samples(2);
        let mut detector = DriftDetector::new(config).unwrap();
        for v in [f64::MAX, f64::MAX, 0.0, 0.0, -f64::MAX, 0.0, 0.0, 0.0] {
            let report = detector.observe(v).unwrap();
            for m in DriftMethod::ALL {
                let score = report.score(*m);
                assert!(score.is_none_or(f64::is_finite), "{m}: {score:?}");
            }
        }
    }
}
