//! [`Metric`]: one validated measurement, and [`MetricKind`] with its inference rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::closed_set::closed_set;
use super::entity_serde::validated_serde;
use super::{rules, Labels};
use crate::error::{ObsError, Result};

closed_set!(
    /// What a metric measures, which decides how it aggregates and exports.
    ///
    /// ```
    /// use observa::MetricKind;
    ///
    /// assert_eq!("counter".parse::<MetricKind>()?, MetricKind::Counter);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    MetricKind, "metric kind" {
        /// A running total that only goes up; a recorded value is an increment.
        Counter = "counter",
        /// A value that goes up and down; a recorded value replaces the last one.
        Gauge = "gauge",
        /// A distribution; a recorded value is one observation.
        Histogram = "histogram",
    }
);

impl MetricKind {
    /// Infers the kind from the unit and name when none is given:
    /// unit `count`/`counts` or a name ending `_total`/`_count` → counter;
    /// `histogram` in the unit or a name ending `_seconds`/`_duration`/`_time`
    /// → histogram; anything else → gauge. The counter rules win over the
    /// histogram rules.
    ///
    /// ```
    /// use observa::MetricKind;
    ///
    /// assert_eq!(MetricKind::infer("requests_total", ""), MetricKind::Counter);
    /// assert_eq!(MetricKind::infer("errors", "count"), MetricKind::Counter);
    /// assert_eq!(MetricKind::infer("latency_seconds", "s"), MetricKind::Histogram);
    /// assert_eq!(MetricKind::infer("payload", "histogram_bytes"), MetricKind::Histogram);
    /// assert_eq!(MetricKind::infer("queue_depth", "items"), MetricKind::Gauge);
    /// ```
    pub fn infer(name: &str, unit: &str) -> MetricKind {
        let unit = unit.to_ascii_lowercase();
        if unit == "count" || unit == "counts" || name.ends_with("_total") || name.ends_with("_count") {
            MetricKind::Counter
        } else if unit.contains("histogram")
            || ["_seconds", "_duration", "_time"]
                .iter()
                .any(|s| name.ends_with(s))
        {
            MetricKind::Histogram
        } else {
            MetricKind::Gauge
        }
    }
}

/// Label names a histogram may not carry: the exposition formats reserve them.
const HISTOGRAM_RESERVED_LABELS: [&str; 2] = ["le", "quantile"];
/// Name endings a gauge or histogram may not have: the formats reserve
/// `_total` for counters and `_bucket`, `_sum`, `_count` for histograms and
/// summaries (promtool refuses them elsewhere).
const NON_COUNTER_RESERVED_SUFFIXES: [&str; 4] = ["_total", "_bucket", "_sum", "_count"];

/// Refuses a gauge or histogram name ending in a suffix the exposition
/// formats reserve for other kinds (`_total`, `_bucket`, `_sum`, `_count`).
pub(crate) fn name_fits_kind(name: &str, kind: MetricKind) -> Result<()> {
    if kind != MetricKind::Counter && NON_COUNTER_RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return Err(ObsError::validation(
            "metric",
            "name",
            name,
            format!("a {kind} name must not end in _total, _bucket, _sum or _count"),
        ));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct MetricFields {
    id: Uuid,
    name: String,
    value: f64,
    kind: MetricKind,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    labels: Labels,
    timestamp: DateTime<Utc>,
}

/// One measurement: a name following the Prometheus grammar, a finite value,
/// a kind, a unit, labels and a UTC timestamp. It cannot be built invalid.
///
/// For a counter the value is an increment (never negative); for a gauge it
/// is the new level; for a histogram it is one observation (never negative:
/// histograms measure durations and sizes, and OpenMetrics forbids a
/// negative `_sum`). A gauge or histogram name may not end in `_total`,
/// `_bucket`, `_sum` or `_count`, which the formats reserve for other kinds.
///
/// ```
/// use observa::{Metric, MetricKind};
///
/// let m = Metric::gauge("queue_depth", 12.0)?.with_label("queue", "orders")?;
/// assert_eq!(m.kind(), MetricKind::Gauge);
/// assert_eq!(m.labels().get("queue"), Some("orders"));
///
/// // kind inferred from name and unit
/// let latency = Metric::new("response_time_seconds", 0.150, "seconds")?;
/// assert_eq!(latency.kind(), MetricKind::Histogram);
///
/// assert!(Metric::counter("errors_total", -1.0).is_err());
/// assert!(Metric::gauge("temperature", f64::NAN).is_err());
/// assert!(Metric::histogram("delta_seconds", -0.5).is_err());
/// assert!(Metric::gauge("jobs_total", 1.0).is_err()); // `_total` is for counters
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    f: MetricFields,
}

validated_serde!(Metric, MetricFields);

impl Metric {
    /// A metric whose kind is inferred by [`MetricKind::infer`].
    pub fn new(name: impl Into<String>, value: f64, unit: impl Into<String>) -> Result<Metric> {
        Metric::builder(name, value).unit(unit).build()
    }

    /// A counter increment.
    pub fn counter(name: impl Into<String>, increment: f64) -> Result<Metric> {
        Metric::builder(name, increment).kind(MetricKind::Counter).build()
    }

    /// A gauge reading.
    pub fn gauge(name: impl Into<String>, value: f64) -> Result<Metric> {
        Metric::builder(name, value).kind(MetricKind::Gauge).build()
    }

    /// A histogram observation.
    pub fn histogram(name: impl Into<String>, observation: f64) -> Result<Metric> {
        Metric::builder(name, observation)
            .kind(MetricKind::Histogram)
            .build()
    }

    /// A builder for every optional part: kind, unit, labels, timestamp.
    ///
    /// ```
    /// use observa::{Metric, MetricKind};
    ///
    /// let m = Metric::builder("bytes_sent", 512.0)
    ///     .kind(MetricKind::Counter)
    ///     .unit("bytes")
    ///     .label("peer", "db-1")
    ///     .build()?;
    /// assert_eq!(m.unit(), "bytes");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn builder(name: impl Into<String>, value: f64) -> MetricBuilder {
        MetricBuilder {
            name: name.into(),
            value,
            kind: None,
            unit: String::new(),
            labels: Vec::new(),
            timestamp: None,
        }
    }

    /// Returns the metric with one more label, validated like the rest.
    pub fn with_label(self, name: impl Into<String>, value: impl Into<String>) -> Result<Metric> {
        let mut f = self.f;
        f.labels.insert(name, value)?;
        Metric::validate(f)
    }

    /// Returns the metric with every label of `defaults` it does not already set.
    ///
    /// ```
    /// let defaults = observa::Labels::new([("service", "checkout")])?;
    /// let m = observa::Metric::gauge("up", 1.0)?.with_default_labels(&defaults)?;
    /// assert_eq!(m.labels().get("service"), Some("checkout"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_default_labels(self, defaults: &Labels) -> Result<Metric> {
        let mut f = self.f;
        f.labels = f.labels.with_defaults(defaults)?;
        Metric::validate(f)
    }

    fn validate(f: MetricFields) -> Result<Metric> {
        rules::metric_name("metric", &f.name)?;
        rules::finite("metric", "value", f.value)?;
        if !f.unit.is_empty() {
            rules::short_name("metric", "unit", &f.unit)?;
        }
        name_fits_kind(&f.name, f.kind)?;
        match f.kind {
            MetricKind::Counter | MetricKind::Histogram if f.value < 0.0 => {
                return Err(ObsError::validation(
                    "metric",
                    "value",
                    f.value,
                    format!("a {} value must not be negative", f.kind),
                ));
            }
            MetricKind::Histogram => {
                if let Some(label) = HISTOGRAM_RESERVED_LABELS.iter().find(|l| f.labels.contains(l)) {
                    return Err(ObsError::validation(
                        "metric",
                        "labels",
                        label,
                        "`le` and `quantile` are reserved on histograms",
                    ));
                }
            }
            _ => {}
        }
        if f.id.is_nil() {
            return Err(ObsError::validation(
                "metric",
                "id",
                f.id,
                "must not be the nil UUID",
            ));
        }
        Ok(Metric { f })
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.f.id
    }
    /// The metric name.
    pub fn name(&self) -> &str {
        &self.f.name
    }
    /// The value: an increment, a level or an observation, by [`Metric::kind`].
    pub fn value(&self) -> f64 {
        self.f.value
    }
    /// The kind.
    pub fn kind(&self) -> MetricKind {
        self.f.kind
    }
    /// The unit, empty when none was given.
    pub fn unit(&self) -> &str {
        &self.f.unit
    }
    /// The labels.
    pub fn labels(&self) -> &Labels {
        &self.f.labels
    }
    /// When the measurement was taken.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.f.timestamp
    }
}

/// Builds a [`Metric`]; see [`Metric::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct MetricBuilder {
    name: String,
    value: f64,
    kind: Option<MetricKind>,
    unit: String,
    labels: Vec<(String, String)>,
    timestamp: Option<DateTime<Utc>>,
}

impl MetricBuilder {
    /// Sets the kind; without it the kind is inferred by [`MetricKind::infer`].
    pub fn kind(mut self, kind: MetricKind) -> Self {
        self.kind = Some(kind);
        self
    }
    /// Sets the unit.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }
    /// Adds a label (validated at `build`).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
    /// Sets the timestamp; the default is now.
    pub fn timestamp(mut self, at: DateTime<Utc>) -> Self {
        self.timestamp = Some(at);
        self
    }
    /// Validates and builds the metric.
    pub fn build(self) -> Result<Metric> {
        let kind = self
            .kind
            .unwrap_or_else(|| MetricKind::infer(&self.name, &self.unit));
        Metric::validate(MetricFields {
            id: super::random_uuid(),
            labels: Labels::new(self.labels)?,
            name: self.name,
            value: self.value,
            kind,
            unit: self.unit,
            timestamp: self.timestamp.unwrap_or_else(Utc::now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn histograms_reserve_le_and_quantile_and_series_suffixes() {
        assert!(Metric::histogram("latency_seconds", 1.0)
            .unwrap()
            .with_label("le", "1")
            .is_err());
        assert!(Metric::histogram("latency_seconds", 1.0)
            .unwrap()
            .with_label("quantile", "0.5")
            .is_err());
        assert!(Metric::gauge("threshold", 1.0)
            .unwrap()
            .with_label("le", "1")
            .is_ok());
        assert!(Metric::histogram("latency_bucket", 1.0).is_err());
    }

    #[test]
    fn inference_is_used_only_without_explicit_kind() {
        assert_eq!(
            Metric::new("jobs_total", 1.0, "").unwrap().kind(),
            MetricKind::Counter
        );
        assert_eq!(
            Metric::gauge("jobs_waiting", -1.0).unwrap().kind(),
            MetricKind::Gauge
        );
        assert_eq!(Metric::gauge("jobs_total", 1.0).unwrap_err().code(), "validation");
        assert_eq!(Metric::gauge("jobs_count", 1.0).unwrap_err().code(), "validation");
        assert_eq!(
            Metric::histogram("size_total", 1.0).unwrap_err().code(),
            "validation"
        );
        assert_eq!(
            Metric::histogram("size_bytes", -1.0).unwrap_err().code(),
            "validation"
        );
    }

    #[test]
    fn json_round_trips_and_rejects_invalid_entities() {
        let m = Metric::counter("hits_total", 2.0)
            .unwrap()
            .with_label("path", "/")
            .unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), m);
        let negative = json.replace("\"value\":2.0", "\"value\":-2.0");
        assert_ne!(negative, json);
        let err = serde_json::from_str::<Metric>(&negative).unwrap_err();
        assert!(err.to_string().contains("must not be negative"), "{err}");
        let bad_name = json.replace("hits_total", "hits-total");
        assert!(serde_json::from_str::<Metric>(&bad_name).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics_and_accepted_metrics_hold_their_rules(
            name in "\\PC{0,30}|[a-z_][a-z0-9_]{0,30}",
            value in proptest::num::f64::ANY,
            unit in "\\PC{0,10}",
        ) {
            match Metric::new(name.clone(), value, unit) {
                Ok(m) => {
                    prop_assert!(m.value().is_finite());
                    prop_assert!(rules::metric_name("metric", m.name()).is_ok());
                    prop_assert!(m.kind() == MetricKind::Gauge || m.value() >= 0.0);
                }
                Err(e) => prop_assert_eq!(e.code(), "validation"),
            }
        }
    }
}
