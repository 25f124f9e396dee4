//! [`DriftMonitor`]: a drift detector whose verdicts become alerts and gauges.

use uuid::Uuid;

use super::config::DriftConfig;
use super::detector::{DriftDetector, DriftReport};
use super::method::DriftMethod;
use super::source::RegistrySampler;
use crate::alerts::AlertService;
use crate::domain::{Alert, AlertSeverity};
use crate::error::{ObsError, Result};
use crate::metrics::{FamilySpec, Gauge, MetricsService};

/// The gauge family holding every monitored series' latest score, labelled
/// `series` and `method`.
///
/// ```
/// assert_eq!(observa::alerts::drift::DRIFT_SCORE_METRIC, "drift_score");
/// ```
pub const DRIFT_SCORE_METRIC: &str = "drift_score";

/// Title of every drift alert; the labels `series` and `method` tell them apart.
const ALERT_TITLE: &str = "Drift detected";

/// One series watched for drift. Each sample goes through the detector;
/// then, for every enabled method:
///
/// - the `drift_score{series,method}` gauge is set to the method's score;
/// - when the method starts judging the series drifting, an alert
///   "Drift detected" labelled `series` and `method` is raised through the
///   [`AlertService`] (source `observa.drift`, annotations `score` and
///   `shift`). Its severity is the mean-shift band (15 % low, 30 % medium,
///   50 % high by default), `low` for a point anomaly or sequential alarm
///   below the low band. When the band rises, the alert is resolved and
///   raised again with the higher severity;
/// - when the method stops judging it drifting (for
///   [`DriftConfig::resolve_after`] samples in a row, by default 1), the
///   alert is resolved.
///
/// Memory is the detector's two windows plus one gauge handle and one open
/// alert id per method; the gauge family's series budget bounds the series.
///
/// ```
/// use observa::alerts::drift::{DriftConfig, DriftMethod, DriftMonitor};
/// use observa::{AlertSeverity, Labels, Observability};
///
/// let obs = Observability::builder().service("api", "1").build()?;
/// let config = DriftConfig::default().methods(&[DriftMethod::MeanShift]);
/// let mut queue = DriftMonitor::new(obs.alerts(), obs.metrics(), "queue_depth", config)?;
/// for i in 0..100 {
///     queue.observe(50.0 + (i % 3) as f64)?;
/// }
/// for _ in 0..30 {
///     queue.observe(80.0)?; // +58 %
/// }
/// let open = obs.alerts().active()?;
/// assert_eq!(open.len(), 1);
/// assert_eq!(open[0].severity(), AlertSeverity::High);
/// assert_eq!(open[0].labels().get("series"), Some("queue_depth"));
/// let labels = Labels::new([("method", "mean_shift"), ("series", "queue_depth")])?;
/// assert!(obs.metrics().current_value("drift_score", &labels)?.unwrap() > 0.5);
///
/// for _ in 0..30 {
///     queue.observe(51.0)?; // back to normal: the alert resolves
/// }
/// assert!(obs.alerts().active()?.is_empty());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct DriftMonitor {
    detector: DriftDetector,
    series: String,
    alerts: AlertService,
    gauges: [Option<Gauge>; 5],
    open: [Option<OpenAlert>; 5],
}

/// The alert a method keeps open, and how many calm samples it has seen since.
#[derive(Clone, Copy)]
struct OpenAlert {
    id: Uuid,
    severity: AlertSeverity,
    calm: usize,
}

impl DriftMonitor {
    /// Watches `series` (any label value) with a detector built from
    /// `config`, raising into `alerts` and registering its gauges in `metrics`.
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftMonitor};
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// assert!(DriftMonitor::new(obs.alerts(), obs.metrics(), "rps", DriftConfig::default()).is_ok());
    /// let bad = DriftConfig::default().min_samples(0);
    /// assert!(DriftMonitor::new(obs.alerts(), obs.metrics(), "rps", bad).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn new(
        alerts: &AlertService,
        metrics: &MetricsService,
        series: &str,
        config: DriftConfig,
    ) -> Result<Self> {
        let detector = DriftDetector::new(config)?;
        let family = metrics.gauge_family(
            FamilySpec::new(DRIFT_SCORE_METRIC)
                .help("Latest drift score of a series: z, modified z, relative mean shift, EWMA in its own sigma, or CUSUM sum.")
                .labels(&["series", "method"]),
        )?;
        let mut gauges: [Option<Gauge>; 5] = Default::default();
        for &method in DriftMethod::ALL {
            if detector.config().uses(method) {
                gauges[method as usize] = Some(family.with_label_values(&[series, method.as_str()])?);
            }
        }
        Ok(DriftMonitor {
            detector,
            series: series.to_owned(),
            alerts: alerts.clone(),
            gauges,
            open: Default::default(),
        })
    }

    /// The series watched.
    ///
    /// ```
    /// # use observa::alerts::drift::{DriftConfig, DriftMonitor};
    /// # let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let monitor = DriftMonitor::new(obs.alerts(), obs.metrics(), "p99_seconds", DriftConfig::default())?;
    /// assert_eq!(monitor.series(), "p99_seconds");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn series(&self) -> &str {
        &self.series
    }

    /// The detector, for its configuration and counts.
    ///
    /// ```
    /// # use observa::alerts::drift::{DriftConfig, DriftMonitor};
    /// # let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut monitor = DriftMonitor::new(obs.alerts(), obs.metrics(), "rps", DriftConfig::default())?;
    /// assert!(monitor.observe(f64::NAN).is_err());
    /// assert_eq!(monitor.detector().rejected(), 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn detector(&self) -> &DriftDetector {
        &self.detector
    }

    /// Judges `value`, updates the gauges and raises or resolves alerts.
    /// A non-finite value is refused (and counted) before anything changes.
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftMonitor};
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut monitor = DriftMonitor::new(obs.alerts(), obs.metrics(), "rps", DriftConfig::default())?;
    /// let report = monitor.observe(120.0)?;
    /// assert!(!report.is_judged() && obs.alerts().active()?.is_empty());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn observe(&mut self, value: f64) -> Result<DriftReport> {
        let report = self.detector.observe(value)?;
        for &method in DriftMethod::ALL {
            let Some(gauge) = &self.gauges[method as usize] else {
                continue;
            };
            if let Some(score) = report.score(method) {
                gauge.set(score);
            }
            self.follow(method, &report)?;
        }
        Ok(report)
    }

    /// Takes the sampler's next sample, if it has one (see [`RegistrySampler`]).
    ///
    /// ```
    /// use observa::alerts::drift::{DriftConfig, DriftMonitor, RegistrySampler};
    ///
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let depth = obs.metrics().gauge("queue_depth", &[])?;
    /// let mut monitor = DriftMonitor::new(obs.alerts(), obs.metrics(), "queue_depth", DriftConfig::default())?;
    /// let mut sampler = RegistrySampler::gauge(depth.clone());
    /// depth.set(12.0);
    /// assert!(monitor.sample(&mut sampler)?.is_some()); // call this at your interval
    /// assert_eq!(monitor.detector().observed(), 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn sample(&mut self, sampler: &mut RegistrySampler) -> Result<Option<DriftReport>> {
        sampler.next_sample().map(|value| self.observe(value)).transpose()
    }

    /// Brings the method's open alert in line with the report.
    fn follow(&mut self, method: DriftMethod, report: &DriftReport) -> Result<()> {
        let slot = method as usize;
        if !report.is_drifting(method) {
            let quiet_enough = self.detector.config().resolve_after;
            if let Some(open) = &mut self.open[slot] {
                open.calm += 1;
                if open.calm >= quiet_enough {
                    let id = open.id;
                    self.open[slot] = None;
                    resolve(&self.alerts, id)?;
                }
            }
            return Ok(());
        }
        let severity = report.band().unwrap_or(AlertSeverity::Low);
        match &mut self.open[slot] {
            Some(open) if open.severity >= severity => {
                open.calm = 0;
                return Ok(());
            }
            Some(open) => {
                let id = open.id;
                self.open[slot] = None;
                resolve(&self.alerts, id)?;
            }
            None => {}
        }
        let score = report.score(method).unwrap_or(f64::NAN);
        let shift = report
            .score(DriftMethod::MeanShift)
            .map_or_else(|| "n/a".to_owned(), |s| format!("{:+.1} %", s * 100.0));
        let alert = Alert::builder(
            ALERT_TITLE,
            format!(
                "{} drifts by {}: score {score:.3}, mean shift {shift}",
                self.series, method
            ),
            severity,
        )
        .label("series", self.series.as_str())
        .label("method", method.as_str())
        .annotation("score", format!("{score}"))
        .annotation("shift", shift)
        .source("observa.drift")
        .build()?;
        let raised = self.alerts.raise(alert)?;
        self.open[slot] = Some(OpenAlert {
            id: raised.alert.id(),
            severity,
            calm: 0,
        });
        Ok(())
    }
}

/// Resolves `id`; one resolved or evicted meanwhile needs nothing more.
fn resolve(alerts: &AlertService, id: Uuid) -> Result<()> {
    match alerts.resolve(id) {
        Ok(_) | Err(ObsError::NotFound { .. } | ObsError::Conflict { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}
