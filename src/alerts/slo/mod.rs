//! [`Slo`]: availability and latency objectives with the SRE workbook's
//! multi-window, multi-burn-rate alerts, evaluated in process and exported
//! as recording and alerting rules.

mod burn;
mod sli;

use std::sync::Arc;
use std::time::Duration;

use burn::ratio_record;
pub(crate) use burn::BurnAlert;
pub use burn::BurnWindow;
pub use sli::Sli;

use crate::domain::{rules as checks, AlertSeverity};
use crate::error::{ObsError, Result};

use super::rules::{AlertRule, Condition, ConditionKind};
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
            .flat_map(|w| [w.long(), w.short()])
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
