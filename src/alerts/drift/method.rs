//! [`DriftMethod`]: the statistics a drift detector can judge a series by.

use std::fmt;
use std::str::FromStr;

use crate::error::{ObsError, Result};

/// One way of judging a series against its baseline.
///
/// | method | statistic | drifting when (defaults) |
/// |---|---|---|
/// | `zscore` | z = (x − mean) / σ of the baseline | \|z\| > 3 |
/// | `robust_z` | M = 0.6745 · (x − median) / MAD of the baseline | \|M\| > 3.5 |
/// | `mean_shift` | (mean of the recent window − baseline mean) / \|baseline mean\| | ≥ 15 % (bands 15/30/50 %) |
/// | `ewma` | EWMA of z, in units of its own σ (σ·√(λ/(2−λ))) | > 3.5 (λ = 0.2) |
/// | `cusum` | tabular CUSUM of z: S⁺ = max(0, S⁺ + z − k), S⁻ likewise | max(S⁺, S⁻) > h (k = 0.5, h = 8) |
///
/// The first two flag single points (spikes); the last three flag sustained
/// shifts, the sequential ones (EWMA, CUSUM) even when each point alone looks normal.
///
/// ```
/// use observa::alerts::drift::DriftMethod;
///
/// assert_eq!("CUSUM".parse::<DriftMethod>()?, DriftMethod::Cusum);
/// assert_eq!(DriftMethod::RobustZ.to_string(), "robust_z");
/// assert_eq!(DriftMethod::ALL.len(), 5);
/// assert!("hunch".parse::<DriftMethod>().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DriftMethod {
    /// Point anomaly: the classic z-score against the baseline mean and σ.
    ZScore,
    /// Point anomaly: the modified z-score of Iglewicz and Hoaglin (median, MAD).
    RobustZ,
    /// Sustained shift: the recent window's mean against the baseline mean, in bands.
    MeanShift,
    /// Sustained small shift: an exponentially weighted moving average of z.
    Ewma,
    /// Sustained small shift: the tabular (two-sided) cumulative sum of z.
    Cusum,
}

impl DriftMethod {
    /// Every method, in declaration order.
    ///
    /// ```
    /// assert_eq!(observa::alerts::drift::DriftMethod::ALL[0].as_str(), "zscore");
    /// ```
    pub const ALL: &'static [DriftMethod] = &[
        DriftMethod::ZScore,
        DriftMethod::RobustZ,
        DriftMethod::MeanShift,
        DriftMethod::Ewma,
        DriftMethod::Cusum,
    ];

    /// The canonical lowercase spelling, used as the `method` label.
    ///
    /// ```
    /// assert_eq!(observa::alerts::drift::DriftMethod::MeanShift.as_str(), "mean_shift");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            DriftMethod::ZScore => "zscore",
            DriftMethod::RobustZ => "robust_z",
            DriftMethod::MeanShift => "mean_shift",
            DriftMethod::Ewma => "ewma",
            DriftMethod::Cusum => "cusum",
        }
    }

    /// Bit of this method in a method set.
    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for DriftMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DriftMethod {
    type Err = ObsError;

    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        DriftMethod::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == lower || (lower == "mad" && *m == DriftMethod::RobustZ))
            .ok_or_else(|| {
                ObsError::validation(
                    "drift method",
                    "value",
                    s,
                    "must be one of zscore, robust_z (or mad), mean_shift, ewma, cusum",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_parses_back_from_its_name_and_has_its_own_bit() {
        let mut bits = 0u8;
        for m in DriftMethod::ALL {
            assert_eq!(m.as_str().parse::<DriftMethod>().unwrap(), *m);
            assert_eq!(bits & m.bit(), 0);
            bits |= m.bit();
        }
        assert_eq!("MAD".parse::<DriftMethod>().unwrap(), DriftMethod::RobustZ);
    }
}
