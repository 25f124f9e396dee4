//! [`BurnWindow`] and the burn-rate condition of one SLO alert.

use std::time::Duration;

use super::Sli;
use crate::alerts::rules::{check_duration, promql_duration, promql_number, quoted, Input, Readings};
use crate::error::{ObsError, Result};

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
    pub(super) slo: String,
    pub(super) sli: Sli,
    pub(super) budget: f64,
    pub(super) windows: Vec<BurnWindow>,
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
        let selector = format!("{{slo={}}}", quoted(&self.slo));
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
