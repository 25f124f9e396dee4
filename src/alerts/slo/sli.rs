//! [`Sli`]: what counts as a bad event, as PromQL and over recorded readings.

use std::time::Duration;

use crate::alerts::rules::{error_ratio, promql_duration, promql_number, Input, Reading, Readings, Selector};
use crate::domain::rules as checks;
use crate::error::{ObsError, Result};

/// What counts as a bad event for an [`Slo`](crate::alerts::Slo): a ratio of counters, or the
/// requests of a histogram slower than a bucket bound.
///
/// ```
/// use observa::alerts::{Sli, rules::Selector};
///
/// let errors = Sli::errors_over_total(
///     Selector::new("http_requests_total")?.label("code", "500")?,
///     Selector::new("http_requests_total")?,
/// );
/// let checkout = Sli::monitored_function("checkout")?; // function_calls_total{result="error"} / all calls
/// let slow = Sli::latency(Selector::new("http_request_duration_seconds")?, 0.5)?; // slower than 0.5 s
/// assert!(Sli::latency(Selector::new("h")?, f64::NAN).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sli(SliKind);

#[derive(Clone, Debug, PartialEq)]
enum SliKind {
    ErrorsOverTotal(Selector, Selector),
    GoodOverTotal(Selector, Selector),
    /// Requests above the bucket bound (one of the histogram's bounds).
    Latency(Selector, f64),
}

impl Sli {
    /// Bad events are `errors`, out of `total`.
    pub fn errors_over_total(errors: Selector, total: Selector) -> Sli {
        Sli(SliKind::ErrorsOverTotal(errors, total))
    }

    /// Bad events are `total` minus `good`.
    ///
    /// ```
    /// # use observa::alerts::{Sli, Slo, rules::Selector};
    /// let sli = Sli::good_over_total(Selector::new("checks_ok_total")?, Selector::new("checks_total")?);
    /// assert!(Slo::builder("checks", sli, 0.99).build().is_ok());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn good_over_total(good: Selector, total: Selector) -> Sli {
        Sli(SliKind::GoodOverTotal(good, total))
    }

    /// The error calls of a function instrumented with
    /// [`Observability::monitor`](crate::Observability::monitor), out of all its calls.
    pub fn monitored_function(function: &str) -> Result<Sli> {
        // `crate::monitor::CALLS_TOTAL`; named here because monitor depends on alerts.
        let calls = Selector::new("function_calls_total")?.label("function", function)?;
        Ok(Sli::errors_over_total(
            calls.clone().label("result", "error")?,
            calls,
        ))
    }

    /// Bad events are observations of `histogram` above `threshold`, which
    /// must be one of its bucket bounds (otherwise the in-process evaluator
    /// finds no value, as PromQL finds no `le` series).
    pub fn latency(histogram: Selector, threshold: f64) -> Result<Sli> {
        checks::finite("slo", "latency threshold", threshold)?;
        if threshold <= 0.0 {
            return Err(ObsError::validation(
                "slo",
                "latency threshold",
                threshold,
                "must be positive",
            ));
        }
        Ok(Sli(SliKind::Latency(histogram, threshold)))
    }

    pub(super) fn inputs(&self) -> Vec<Input> {
        match &self.0 {
            SliKind::ErrorsOverTotal(a, b) | SliKind::GoodOverTotal(a, b) => {
                vec![Input::Sum(a.clone()), Input::Sum(b.clone())]
            }
            SliKind::Latency(h, _) => vec![Input::Buckets(h.clone())],
        }
    }

    /// The labels every ratio carries: the matchers the selectors share.
    pub(super) fn result_labels(&self) -> Vec<(String, String)> {
        match &self.0 {
            SliKind::ErrorsOverTotal(a, b) | SliKind::GoodOverTotal(a, b) => a
                .matchers()
                .iter()
                .filter(|m| b.matchers().contains(m))
                .cloned()
                .collect(),
            SliKind::Latency(h, _) => h.matchers().to_vec(),
        }
    }

    /// The error ratio over `window` in PromQL.
    pub(super) fn to_promql(&self, window: Duration) -> String {
        let w = promql_duration(window);
        let labels = self.result_labels();
        let by: Vec<&str> = labels.iter().map(|(n, _)| n.as_str()).collect();
        let sum = |inner: String| format!("sum by ({}) ({inner})", by.join(", "));
        let rate = |s: String| sum(format!("rate({s}[{w}])"));
        match &self.0 {
            SliKind::ErrorsOverTotal(e, t) => format!("{} / {}", rate(e.to_promql()), rate(t.to_promql())),
            SliKind::GoodOverTotal(g, t) => {
                format!("1 - ({} / {})", rate(g.to_promql()), rate(t.to_promql()))
            }
            SliKind::Latency(h, le) => {
                let bucket = h.with_suffix("_bucket", Some(("le", &promql_number(*le))));
                format!("1 - ({} / {})", rate(bucket), rate(h.with_suffix("_count", None)))
            }
        }
    }

    /// The error ratio over `window` from recorded readings.
    pub(super) fn ratio(&self, readings: &dyn Readings, window: Duration) -> Option<f64> {
        match &self.0 {
            SliKind::ErrorsOverTotal(..) => error_ratio(readings, 0, 1, window),
            SliKind::GoodOverTotal(..) => {
                let good = readings.increase(0, window)?;
                let total = readings.increase(1, window)?;
                Some(1.0 - good / total)
            }
            SliKind::Latency(_, le) => {
                let (start, _) = readings.window_start(0, window)?;
                let (Reading::Buckets(bounds, old), Some(Reading::Buckets(_, new))) =
                    (start, readings.latest(0))
                else {
                    return None;
                };
                let i = bounds.iter().position(|b| b == le)?;
                let total = new.last()? - old.last()?;
                Some(1.0 - (new[i] - old[i]) / total)
            }
        }
    }
}
