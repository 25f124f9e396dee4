//! OTLP metric data points → [`Metric`] entities.
//!
//! Gauges set a gauge; monotonic sums add to a counter (a delta as is, a
//! cumulative total as the increase since the last total seen for the
//! series, which [`Totals`] remembers); non-monotonic cumulative sums set a
//! gauge. Histogram, exponential histogram and summary points carry
//! aggregates, not observations, so they are refused with a reason. Names
//! and label names get every character the Prometheus grammar does not
//! allow replaced by `_` (`http.server.duration` → `http_server_duration`);
//! the resource's `service.name` becomes the `job` label.

use std::collections::HashMap;

use chrono::Utc;

use crate::domain::{Metric, MetricKind};
use crate::error::{ObsError, Result};
use crate::metrics::MetricsService;
use crate::otlp::proto::{metric, number_data_point, NumberDataPoint};

use super::values::{time, to_text};
use super::Tally;

/// OTLP `AggregationTemporality`: 1 delta, 2 cumulative.
const DELTA: i32 = 1;

/// One series: the sanitized name and its sorted labels.
type SeriesKey = (String, Vec<(String, String)>);

/// The last cumulative total seen per counter series (and the start time
/// it counts from), so a cumulative point adds only its increase. Bounded:
/// a new series beyond the cap is refused rather than double counted later.
pub(super) struct Totals {
    last: HashMap<SeriesKey, (u64, f64)>,
    cap: usize,
}

impl Totals {
    pub(super) fn new(cap: usize) -> Self {
        Totals {
            last: HashMap::new(),
            cap,
        }
    }

    /// The increase `total` (counted from `start`) makes on the series: all
    /// of it for a new series or after a reset (a new start time or a smaller
    /// total).
    fn increase(&self, key: &SeriesKey, start: u64, total: f64) -> Result<f64> {
        match self.last.get(key) {
            Some(&(seen_start, seen)) if seen_start == start && total >= seen => Ok(total - seen),
            Some(_) => Ok(total),
            None if self.last.len() >= self.cap => Err(ObsError::validation(
                "metric",
                "series",
                &key.0,
                format!("more than {} cumulative counter series are tracked", self.cap),
            )),
            None => Ok(total),
        }
    }
}

/// Records every data point of `m`, tallying the refused ones.
pub(super) fn record(
    service: Option<&str>,
    m: &crate::otlp::proto::Metric,
    metrics: &MetricsService,
    totals: &mut Totals,
    tally: &mut Tally,
) {
    let name = sanitize(&m.name, true);
    let (points, kind, cumulative) = match &m.data {
        None => return,
        Some(metric::Data::Gauge(g)) => (&g.data_points, MetricKind::Gauge, false),
        Some(metric::Data::Sum(s)) if s.is_monotonic => (
            &s.data_points,
            MetricKind::Counter,
            s.aggregation_temporality != DELTA,
        ),
        Some(metric::Data::Sum(s)) if s.aggregation_temporality != DELTA => {
            (&s.data_points, MetricKind::Gauge, false)
        }
        Some(other) => {
            let (count, what) = match other {
                metric::Data::Histogram(h) => (h.data_points.len(), "histogram"),
                metric::Data::ExponentialHistogram(h) => (h.data_points.len(), "exponential histogram"),
                metric::Data::Summary(s) => (s.data_points.len(), "summary"),
                metric::Data::Sum(s) => (s.data_points.len(), "delta non-monotonic sum"),
                metric::Data::Gauge(g) => (g.data_points.len(), "gauge"),
            };
            let reason = ObsError::validation(
                "metric",
                "data",
                &m.name,
                format!("{what} data points are not recorded: observa records single values"),
            );
            tally.refuse_all(count, &reason);
            return;
        }
    };
    for point in points {
        tally.note(number_point(
            service, &name, &m.unit, kind, cumulative, point, metrics, totals,
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn number_point(
    service: Option<&str>,
    name: &str,
    unit: &str,
    kind: MetricKind,
    cumulative: bool,
    point: &NumberDataPoint,
    metrics: &MetricsService,
    totals: &mut Totals,
) -> Result<()> {
    let value = match point.value {
        Some(number_data_point::Value::AsDouble(d)) => d,
        Some(number_data_point::Value::AsInt(i)) => i as f64,
        None => {
            return Err(ObsError::validation(
                "metric",
                "value",
                name,
                "a data point needs a value",
            ))
        }
    };
    let mut labels: Vec<(String, String)> = point
        .attributes
        .iter()
        .map(|kv| (sanitize(&kv.key, false), to_text(kv.value.as_ref())))
        .collect();
    if let Some(service) = service {
        labels.push(("job".to_owned(), service.to_owned()));
    }
    labels.sort();
    let key: SeriesKey = (name.to_owned(), labels);
    let recorded = if cumulative {
        totals.increase(&key, point.start_time_unix_nano, value)?
    } else {
        value
    };
    let at = match point.time_unix_nano {
        0 => Utc::now(),
        nanos => time("metric", "time_unix_nano", nanos)?,
    };
    let mut builder = Metric::builder(name, recorded)
        .kind(kind)
        .unit(unit)
        .timestamp(at);
    for (label, label_value) in &key.1 {
        builder = builder.label(label.as_str(), label_value.as_str());
    }
    let entity = builder.build()?;
    metrics.record(&entity)?;
    if cumulative {
        totals.last.insert(key, (point.start_time_unix_nano, value));
    }
    Ok(())
}

/// Replaces each character the Prometheus grammar does not allow with `_`
/// (`:` only in metric names) and prefixes a leading digit with `_`.
fn sanitize(name: &str, metric_name: bool) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || (metric_name && c == ':');
    let mut out: String = name.chars().map(|c| if allowed(c) { c } else { '_' }).collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_to_fit_the_prometheus_grammar() {
        assert_eq!(
            sanitize("http.server.request.duration", true),
            "http_server_request_duration"
        );
        assert_eq!(sanitize("a:b-c", true), "a:b_c");
        assert_eq!(sanitize("a:b", false), "a_b");
        assert_eq!(sanitize("9lives", false), "_9lives");
        assert_eq!(sanitize("ünï", true), "_n_");
    }

    #[test]
    fn cumulative_totals_add_their_increase_and_restart_on_reset() {
        let mut totals = Totals::new(1);
        let key: SeriesKey = ("requests".into(), vec![]);
        assert_eq!(totals.increase(&key, 5, 10.0).unwrap(), 10.0);
        totals.last.insert(key.clone(), (5, 10.0));
        assert_eq!(totals.increase(&key, 5, 15.0).unwrap(), 5.0);
        assert_eq!(
            totals.increase(&key, 5, 3.0).unwrap(),
            3.0,
            "a smaller total is a reset"
        );
        assert_eq!(
            totals.increase(&key, 9, 12.0).unwrap(),
            12.0,
            "a new start is a reset"
        );
        let other: SeriesKey = ("other".into(), vec![]);
        assert_eq!(totals.increase(&other, 0, 1.0).unwrap_err().code(), "validation");
    }
}
