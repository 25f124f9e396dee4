//! [`Slo`]: availability and latency objectives with the SRE workbook's
//! multi-window, multi-burn-rate alerts, evaluated in process and exported
//! as recording and alerting rules.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::{rules as checks, AlertSeverity};
use crate::error::{ObsError, Result};

use super::rules::{
    check_duration, promql_duration, promql_number, AlertRule, Condition, ConditionKind, Input, Reading,
    Readings, Selector,
};

/// What counts as a bad event for an [`Slo`]: a ratio of counters, or the
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

    fn inputs(&self) -> Vec<Input> {
        match &self.0 {
            SliKind::ErrorsOverTotal(a, b) | SliKind::GoodOverTotal(a, b) => {
                vec![Input::Sum(a.clone()), Input::Sum(b.clone())]
            }
            SliKind::Latency(h, _) => vec![Input::Buckets(h.clone())],
        }
    }

    /// The labels every ratio carries: the matchers the selectors share.
    fn result_labels(&self) -> Vec<(String, String)> {
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
    fn to_promql(&self, window: Duration) -> String {
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
    fn ratio(&self, readings: &dyn Readings, window: Duration) -> Option<f64> {
        match &self.0 {
            SliKind::ErrorsOverTotal(..) => super::rules::error_ratio(readings, 0, 1, window),
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

/// One burn-rate condition: the error ratio over both `long` and `short`
/// exceeds `factor × (1 − objective)`.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::BurnWindow;
///
/// let fast = BurnWindow::new(Duration::from_secs(3600), Duration::from_secs(300), 14.4)?;
/// assert_eq!(fast.factor(), 14.4);
/// assert!(BurnWindow::new(Duration::from_secs(300), Duration::from_secs(3600), 1.0).is_err()); // short > long
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnWindow {
    long: Duration,
    short: Duration,
    factor: f64,
}

impl BurnWindow {
    /// A pair of windows (whole seconds, `short` ≤ `long` ≤ 31 days) and a positive burn factor.
    pub fn new(long: Duration, short: Duration, factor: f64) -> Result<BurnWindow> {
        check_duration("window", long, 1)?;
        check_duration("window", short, 1)?;
        if short > long {
            return Err(ObsError::validation(
                "slo",
                "window",
                format!("{short:?}"),
                "the short window must not exceed the long one",
            ));
        }
        if !(factor.is_finite() && factor > 0.0) {
            return Err(ObsError::validation(
                "slo",
                "burn factor",
                factor,
                "must be positive and finite",
            ));
        }
        Ok(BurnWindow { long, short, factor })
    }
    /// The long window.
    pub fn long(&self) -> Duration {
        self.long
    }
    /// The short window.
    pub fn short(&self) -> Duration {
        self.short
    }
    /// The burn rate: 1 spends the budget exactly over the SLO period.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The SRE workbook's pages for a 30-day budget: 2 % of it in 1 h
    /// (1 h & 5 m at 14.4×) or 5 % in 6 h (6 h & 30 m at 6×).
    ///
    /// ```
    /// use observa::alerts::BurnWindow;
    /// let factors: Vec<f64> = BurnWindow::page_30d().iter().map(|w| w.factor()).collect();
    /// assert_eq!(factors, [14.4, 6.0]);
    /// assert_eq!(BurnWindow::ticket_30d()[0].long().as_secs(), 3 * 86_400);
    /// ```
    pub fn page_30d() -> Vec<BurnWindow> {
        vec![
            BurnWindow {
                long: hours(1),
                short: mins(5),
                factor: 14.4,
            },
            BurnWindow {
                long: hours(6),
                short: mins(30),
                factor: 6.0,
            },
        ]
    }

    /// The SRE workbook's ticket for a 30-day budget: 10 % of it in 3 days (3 d & 6 h at 1×).
    pub fn ticket_30d() -> Vec<BurnWindow> {
        vec![BurnWindow {
            long: hours(72),
            short: hours(6),
            factor: 1.0,
        }]
    }
}

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}
fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// The name of the recording rule holding an SLO's error ratio over `window`.
pub(crate) fn ratio_record(window: Duration) -> String {
    format!("slo:sli_error:ratio_rate{}", promql_duration(window))
}

/// The condition of one SLO alert: any of its burn windows exceeded.
#[derive(Debug, PartialEq)]
pub(crate) struct BurnAlert {
    slo: String,
    sli: Sli,
    budget: f64,
    windows: Vec<BurnWindow>,
}

impl BurnAlert {
    pub(crate) fn inputs(&self) -> Vec<Input> {
        self.sli.inputs()
    }
    pub(crate) fn longest_window(&self) -> Duration {
        self.windows.iter().map(|w| w.long).max().unwrap_or_default()
    }
    pub(crate) fn result_labels(&self) -> Vec<(String, String)> {
        let mut labels = self.sli.result_labels();
        labels.push(("slo".to_owned(), self.slo.clone()));
        labels
    }
    fn threshold(&self, w: &BurnWindow) -> f64 {
        w.factor * self.budget
    }
    pub(crate) fn to_promql(&self) -> String {
        let selector = format!("{{slo={}}}", super::rules::quoted(&self.slo));
        let branches: Vec<String> = self
            .windows
            .iter()
            .map(|w| {
                let k = promql_number(self.threshold(w));
                let long = format!("{}{selector} > {k}", ratio_record(w.long));
                let short = format!("{}{selector} > {k}", ratio_record(w.short));
                format!("({long} and {short})")
            })
            .collect();
        branches.join(" or ")
    }
    /// The long-window ratio of the first window pair that burns too fast.
    pub(crate) fn evaluate(&self, readings: &dyn Readings) -> Option<f64> {
        self.windows.iter().find_map(|w| {
            let k = self.threshold(w);
            let long = self.sli.ratio(readings, w.long)?;
            let short = self.sli.ratio(readings, w.short)?;
            (long > k && short > k).then_some(long)
        })
    }
}

/// A service level objective: the fraction of good events an [`Sli`]
/// should see (`0.999`), with burn-rate alerts: a critical "page" and a
/// medium "ticket" alert named `ErrorBudgetBurn` carrying `slo="<name>"`
/// (the SRE workbook's windows for a 30-day budget unless changed).
///
/// ```
/// use observa::alerts::{Slo, Sli};
///
/// let slo = Slo::builder("checkout-availability", Sli::monitored_function("checkout")?, 0.999).build()?;
/// let rules = slo.alert_rules()?;
/// assert_eq!(rules.len(), 2); // page and ticket
/// assert!(rules[0].condition().to_promql().starts_with(
///     r#"(slo:sli_error:ratio_rate1h{slo="checkout-availability"} > 0.0144"#)); // 14.4 × (1 − 0.999)
/// assert!(Slo::builder("x", Sli::monitored_function("f")?, 1.0).build().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    name: String,
    sli: Sli,
    objective: f64,
    page: Vec<BurnWindow>,
    ticket: Vec<BurnWindow>,
}

impl Slo {
    /// A builder for the objective `name` (used as the `slo` label).
    pub fn builder(name: impl Into<String>, sli: Sli, objective: f64) -> SloBuilder {
        SloBuilder(Slo {
            name: name.into(),
            sli,
            objective,
            page: BurnWindow::page_30d(),
            ticket: BurnWindow::ticket_30d(),
        })
    }
    /// The name (the `slo` label).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The objective, between 0 and 1 exclusive.
    pub fn objective(&self) -> f64 {
        self.objective
    }
    /// The error budget, `1 − objective`.
    pub fn budget(&self) -> f64 {
        1.0 - self.objective
    }

    /// Every window length the SLO's ratios are computed over, shortest first.
    ///
    /// ```
    /// # use observa::alerts::{Sli, Slo};
    /// let slo = Slo::builder("api", Sli::monitored_function("handle")?, 0.999).build()?;
    /// let minutes: Vec<u64> = slo.windows().iter().map(|w| w.as_secs() / 60).collect();
    /// assert_eq!(minutes, [5, 30, 60, 360, 4320]);
    /// assert!((slo.budget() - 0.001).abs() < 1e-12);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn windows(&self) -> Vec<Duration> {
        let mut all: Vec<Duration> = self
            .page
            .iter()
            .chain(&self.ticket)
            .flat_map(|w| [w.long, w.short])
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The recording rules: (record name, PromQL, labels) for each window.
    pub(crate) fn recording_rules(&self) -> Vec<(String, String)> {
        self.windows()
            .into_iter()
            .map(|w| (ratio_record(w), self.sli.to_promql(w)))
            .collect()
    }

    /// The page (critical) and ticket (medium) alert rules, page first; a
    /// severity with no windows has no rule.
    pub fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        let mut rules = Vec::new();
        for (windows, severity) in [
            (&self.page, AlertSeverity::Critical),
            (&self.ticket, AlertSeverity::Medium),
        ] {
            if windows.is_empty() {
                continue;
            }
            let burn = BurnAlert {
                slo: self.name.clone(),
                sli: self.sli.clone(),
                budget: self.budget(),
                windows: windows.clone(),
            };
            let rule = AlertRule::builder("ErrorBudgetBurn", Condition(ConditionKind::Burn(Arc::new(burn))))
                .severity(severity)
                .label("slo", self.name.clone())
                .annotation(
                    "summary",
                    format!(
                        "SLO {} burns its error budget: error ratio {{{{ $value }}}}",
                        self.name
                    ),
                )
                .build()?;
            rules.push(rule);
        }
        Ok(rules)
    }
}

/// Builds an [`Slo`].
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::{BurnWindow, Slo, Sli, rules::Selector};
///
/// let slo = Slo::builder("latency", Sli::latency(Selector::new("http_request_duration_seconds")?, 0.25)?, 0.99)
///     .page(vec![BurnWindow::new(Duration::from_secs(3600), Duration::from_secs(300), 14.4)?])
///     .ticket(vec![])
///     .build()?;
/// assert_eq!(slo.alert_rules()?.len(), 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SloBuilder(Slo);

impl SloBuilder {
    /// Replaces the page (critical) burn windows.
    pub fn page(mut self, windows: Vec<BurnWindow>) -> Self {
        self.0.page = windows;
        self
    }
    /// Replaces the ticket (medium) burn windows.
    pub fn ticket(mut self, windows: Vec<BurnWindow>) -> Self {
        self.0.ticket = windows;
        self
    }
    /// Validates: a label-value name, an objective strictly between 0 and 1, at most 8 windows per severity.
    pub fn build(self) -> Result<Slo> {
        let slo = self.0;
        checks::short_name("slo", "name", &slo.name)?;
        if !(slo.objective > 0.0 && slo.objective < 1.0) {
            return Err(ObsError::validation(
                "slo",
                "objective",
                slo.objective,
                "must be between 0 and 1 exclusive",
            ));
        }
        checks::at_most("slo", "page windows", slo.page.len(), 8)?;
        checks::at_most("slo", "ticket windows", slo.ticket.len(), 8)?;
        Ok(slo)
    }
}
