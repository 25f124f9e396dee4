//! [`Query`] and [`Condition`]: what a rule measures and when it holds, as
//! PromQL for the rule file and as a computation over recorded readings
//! for the in-process evaluator.

use std::sync::Arc;
use std::time::Duration;

use crate::alerts::slo::BurnAlert;
use crate::error::{ObsError, Result};

use super::promql;
use super::quantile::histogram_quantile;
use super::readings::{Input, Reading, Readings};
use super::selector::Selector;

/// A number a rule computes from live metrics; finish it with
/// [`Query::above`] or [`Query::below`].
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::rules::{Query, Selector};
///
/// let five_minutes = Duration::from_secs(300);
/// let p99 = Query::quantile(0.99, Selector::new("http_request_duration_seconds")?, five_minutes)?;
/// assert_eq!(
///     p99.above(0.5)?.to_promql(),
///     "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5",
/// );
/// assert!(Query::quantile(1.5, Selector::new("h")?, five_minutes).is_err());
/// assert!(Query::rate(Selector::new("c_total")?, Duration::from_millis(1500)).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Query(QueryKind);

#[derive(Clone, Debug, PartialEq)]
enum QueryKind {
    Gauge(Selector),
    Rate(Selector, Duration),
    Quantile(f64, Selector, Duration),
    ErrorRatio(Selector, Selector, Duration),
}

impl Query {
    /// The current value of a gauge (summed over the matched series).
    ///
    /// ```
    /// # use observa::alerts::rules::{Query, Selector};
    /// let depth = Query::gauge(Selector::new("queue_depth")?.label("queue", "orders")?);
    /// assert_eq!(depth.below(1.0)?.to_promql(), r#"sum by (queue) (queue_depth{queue="orders"}) < 1"#);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn gauge(selector: Selector) -> Query {
        Query(QueryKind::Gauge(selector))
    }

    /// A counter's per-second rate over `window` (at least 1s, whole seconds).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use observa::alerts::rules::{Query, Selector};
    /// let q = Query::rate(Selector::new("jobs_total")?, Duration::from_secs(300))?;
    /// assert_eq!(q.above(2.0)?.to_promql(), "sum by () (rate(jobs_total[5m])) > 2");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn rate(counter: Selector, window: Duration) -> Result<Query> {
        promql::check_duration("window", window, 1)?;
        Ok(Query(QueryKind::Rate(counter, window)))
    }

    /// The `q` quantile (0 to 1) of a histogram's observations over `window`,
    /// from its buckets as PromQL's `histogram_quantile` computes it.
    pub fn quantile(q: f64, histogram: Selector, window: Duration) -> Result<Query> {
        if !(0.0..=1.0).contains(&q) {
            return Err(ObsError::validation(
                "alert rule",
                "quantile",
                q,
                "must be between 0 and 1",
            ));
        }
        promql::check_duration("window", window, 1)?;
        Ok(Query(QueryKind::Quantile(q, histogram, window)))
    }

    /// The increase of `errors` divided by the increase of `total` over
    /// `window`: `0.05` means 5 % of requests failed.
    pub fn error_ratio(errors: Selector, total: Selector, window: Duration) -> Result<Query> {
        promql::check_duration("window", window, 1)?;
        Ok(Query(QueryKind::ErrorRatio(errors, total, window)))
    }

    /// Holds while the value is strictly above `threshold` (finite).
    pub fn above(self, threshold: f64) -> Result<Condition> {
        self.compare(Comparison::Above, threshold)
    }

    /// Holds while the value is strictly below `threshold` (finite).
    pub fn below(self, threshold: f64) -> Result<Condition> {
        self.compare(Comparison::Below, threshold)
    }

    fn compare(self, op: Comparison, threshold: f64) -> Result<Condition> {
        if !threshold.is_finite() {
            return Err(ObsError::validation(
                "alert rule",
                "threshold",
                threshold,
                "must be finite",
            ));
        }
        Ok(Condition(ConditionKind::Threshold(self, op, threshold)))
    }

    fn to_promql(&self) -> String {
        match &self.0 {
            QueryKind::Gauge(s) => s.sum(&s.to_promql(), &[]),
            QueryKind::Rate(s, w) => {
                s.sum(&format!("rate({}[{}])", s.to_promql(), promql::duration(*w)), &[])
            }
            QueryKind::Quantile(q, s, w) => {
                let rate = format!(
                    "rate({}[{}])",
                    s.with_suffix("_bucket", None),
                    promql::duration(*w)
                );
                format!(
                    "histogram_quantile({}, {})",
                    promql::number(*q),
                    s.sum(&rate, &["le"])
                )
            }
            QueryKind::ErrorRatio(errors, total, w) => {
                let common = common_matchers(errors, total);
                let rate = |s: &Selector| format!("rate({}[{}])", s.to_promql(), promql::duration(*w));
                format!(
                    "{} / {}",
                    common.sum(&rate(errors), &[]),
                    common.sum(&rate(total), &[])
                )
            }
        }
    }
}

/// The matchers two selectors share (same name and value): the labels a
/// ratio of their sums carries.
fn common_matchers(a: &Selector, b: &Selector) -> Selector {
    let mut common = Selector::new(a.metric()).expect("already valid");
    for (name, value) in a.matchers() {
        if b.matchers().iter().any(|(n, v)| n == name && v == value) {
            common = common.label(name.clone(), value.clone()).expect("already valid");
        }
    }
    common
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Comparison {
    Above,
    Below,
}

/// When a rule holds. Build one from a [`Query`], or with
/// [`Condition::absent`] / [`Condition::consecutive_increases`]; SLOs build
/// their burn-rate conditions themselves.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::rules::{Condition, Query, Selector};
///
/// let errors = Selector::new("http_requests_total")?.label("code", "500")?;
/// let total = Selector::new("http_requests_total")?;
/// let ratio = Query::error_ratio(errors, total, Duration::from_secs(300))?.above(0.05)?;
/// assert_eq!(
///     ratio.to_promql(),
///     r#"sum by () (rate(http_requests_total{code="500"}[5m])) / sum by () (rate(http_requests_total[5m])) > 0.05"#,
/// );
/// let gone = Condition::absent(Selector::new("heartbeat_total")?.label("job", "etl")?);
/// assert_eq!(gone.to_promql(), r#"absent(heartbeat_total{job="etl"})"#);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Condition(pub(crate) ConditionKind);

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ConditionKind {
    Threshold(Query, Comparison, f64),
    Absent(Selector),
    Consecutive(Selector, u32, Duration),
    Burn(Arc<BurnAlert>),
}

/// Most consecutive failures a rule may wait for.
pub const MAX_CONSECUTIVE: u32 = 1_000;

impl Condition {
    /// Holds while no series matches `selector` (`absent(…)` in PromQL); the
    /// alert carries the selector's labels. Pair it with a `for` duration to
    /// mean "no samples for that long".
    ///
    /// ```
    /// # use observa::alerts::rules::{Condition, Selector};
    /// assert_eq!(Condition::absent(Selector::new("up")?).to_promql(), "absent(up)");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn absent(selector: Selector) -> Condition {
        Condition(ConditionKind::Absent(selector))
    }

    /// Holds after the counter (for example a monitored function's
    /// `function_calls_total{result="error"}`, or a health check's failure
    /// counter) has grown at each of `count` consecutive checks `interval`
    /// apart: the rule is pending from the first failure and fires at the
    /// `count`-th (its `for` becomes `(count - 1) × interval`). For a
    /// health check, whose latest result is the gauge
    /// `health_check_status{component, status}`, the same is
    /// `Query::gauge(status="unhealthy" selector).above(0.5)` with a `for`
    /// of `(count - 1)` check intervals.
    ///
    /// ```
    /// use std::time::Duration;
    /// use observa::alerts::rules::{Condition, Selector};
    ///
    /// let failures = Selector::new("function_calls_total")?.label("function", "charge")?.label("result", "error")?;
    /// let c = Condition::consecutive_increases(failures, 3, Duration::from_secs(60))?;
    /// assert!(c.to_promql().contains("offset 1m) > 0"));
    /// assert!(Condition::consecutive_increases(Selector::new("x_total")?, 0, Duration::from_secs(60)).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn consecutive_increases(counter: Selector, count: u32, interval: Duration) -> Result<Condition> {
        if !(1..=MAX_CONSECUTIVE).contains(&count) {
            return Err(ObsError::validation(
                "alert rule",
                "count",
                count,
                "must be between 1 and 1000",
            ));
        }
        promql::check_duration("interval", interval, 1)?;
        promql::check_duration("interval", interval * count, 1)?;
        Ok(Condition(ConditionKind::Consecutive(counter, count, interval)))
    }

    /// The condition as a PromQL expression.
    pub fn to_promql(&self) -> String {
        match &self.0 {
            ConditionKind::Threshold(query, op, threshold) => {
                let op = match op {
                    Comparison::Above => ">",
                    Comparison::Below => "<",
                };
                format!("{} {op} {}", query.to_promql(), promql::number(*threshold))
            }
            ConditionKind::Absent(s) => format!("absent({})", s.to_promql()),
            ConditionKind::Consecutive(s, _, interval) => {
                let now = s.sum(&s.to_promql(), &[]);
                let before = s.sum(
                    &format!("{} offset {}", s.to_promql(), promql::duration(*interval)),
                    &[],
                );
                format!("{now} - {before} > 0")
            }
            ConditionKind::Burn(burn) => burn.to_promql(),
        }
    }

    /// How long the condition itself must hold before firing, on top of the rule's `for`.
    pub(crate) fn implied_hold(&self) -> Duration {
        match &self.0 {
            ConditionKind::Consecutive(_, count, interval) => *interval * (count - 1),
            _ => Duration::ZERO,
        }
    }

    /// The readings the evaluator records for this condition, in order.
    pub(crate) fn inputs(&self) -> Vec<Input> {
        match &self.0 {
            ConditionKind::Threshold(query, ..) => match &query.0 {
                QueryKind::Gauge(s) | QueryKind::Rate(s, _) => vec![Input::Sum(s.clone())],
                QueryKind::Quantile(_, s, _) => vec![Input::Buckets(s.clone())],
                QueryKind::ErrorRatio(e, t, _) => vec![Input::Sum(e.clone()), Input::Sum(t.clone())],
            },
            ConditionKind::Absent(s) => vec![Input::Sum(s.clone())],
            ConditionKind::Consecutive(s, ..) => vec![Input::Sum(s.clone())],
            ConditionKind::Burn(burn) => burn.inputs(),
        }
    }

    /// The longest look back the condition needs.
    pub(crate) fn longest_window(&self) -> Duration {
        match &self.0 {
            ConditionKind::Threshold(query, ..) => match &query.0 {
                QueryKind::Gauge(_) => Duration::ZERO,
                QueryKind::Rate(_, w) | QueryKind::Quantile(_, _, w) | QueryKind::ErrorRatio(_, _, w) => *w,
            },
            ConditionKind::Absent(_) => Duration::ZERO,
            ConditionKind::Consecutive(_, _, interval) => *interval,
            ConditionKind::Burn(burn) => burn.longest_window(),
        }
    }

    /// The labels the expression's result carries (the selector's matchers).
    pub(crate) fn result_labels(&self) -> Vec<(String, String)> {
        match &self.0 {
            ConditionKind::Threshold(query, ..) => match &query.0 {
                QueryKind::Gauge(s) | QueryKind::Rate(s, _) | QueryKind::Quantile(_, s, _) => {
                    s.matchers().to_vec()
                }
                QueryKind::ErrorRatio(e, t, _) => common_matchers(e, t).matchers().to_vec(),
            },
            ConditionKind::Absent(s) | ConditionKind::Consecutive(s, ..) => s.matchers().to_vec(),
            ConditionKind::Burn(burn) => burn.result_labels(),
        }
    }

    /// `Some(value)` when the condition holds on `readings`, the value being what `{{ $value }}` shows.
    pub(crate) fn evaluate(&self, readings: &dyn Readings) -> Option<f64> {
        match &self.0 {
            ConditionKind::Threshold(query, op, threshold) => {
                let value = query_value(query, readings)?;
                let holds = match op {
                    Comparison::Above => value > *threshold,
                    Comparison::Below => value < *threshold,
                };
                holds.then_some(value)
            }
            ConditionKind::Absent(_) => readings.latest(0).is_none().then_some(1.0),
            ConditionKind::Consecutive(_, _, interval) => {
                let now = readings.latest(0)?.scalar()?;
                let before = readings.at_offset(0, *interval)?.scalar()?;
                let delta = now - before;
                (delta > 0.0).then_some(delta)
            }
            ConditionKind::Burn(burn) => burn.evaluate(readings),
        }
    }
}

fn query_value(query: &Query, readings: &dyn Readings) -> Option<f64> {
    match &query.0 {
        QueryKind::Gauge(_) => readings.latest(0)?.scalar(),
        QueryKind::Rate(_, w) => readings.rate(0, *w),
        QueryKind::Quantile(q, _, w) => {
            let (start, _) = readings.window_start(0, *w)?;
            let Reading::Buckets(bounds, old) = start else {
                return None;
            };
            let Reading::Buckets(_, new) = readings.latest(0)? else {
                return None;
            };
            let delta: Vec<f64> = new.iter().zip(old.iter()).map(|(n, o)| n - o).collect();
            Some(histogram_quantile(*q, bounds, &delta))
        }
        QueryKind::ErrorRatio(_, _, w) => error_ratio(readings, 0, 1, *w),
    }
}

/// `Δ errors / Δ total` over `window` (NaN when nothing happened, as in PromQL).
pub(crate) fn error_ratio(
    readings: &dyn Readings,
    errors: usize,
    total: usize,
    window: Duration,
) -> Option<f64> {
    Some(readings.increase(errors, window)? / readings.increase(total, window)?)
}
