//! [`Threshold`]: a warn and a critical level for a system figure.

use crate::domain::HealthStatus;
use crate::error::Result;

/// A warn and a critical level; a value at or above a level reaches it.
///
/// ```
/// use observa::health::Threshold;
/// use observa::HealthStatus::*;
///
/// let t = Threshold::new(80.0, 95.0)?;
/// assert_eq!(t.classify(79.9), Healthy);
/// assert_eq!(t.classify(80.0), Degraded);
/// assert_eq!(t.classify(95.0), Unhealthy);
/// assert!(Threshold::new(95.0, 80.0).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub(super) warn: f64,
    pub(super) critical: f64,
}

impl Threshold {
    /// Validates `warn <= critical`, both finite.
    pub fn new(warn: f64, critical: f64) -> Result<Threshold> {
        crate::domain::rules::finite("threshold", "warn", warn)?;
        crate::domain::rules::finite("threshold", "critical", critical)?;
        if warn > critical {
            return Err(crate::ObsError::validation(
                "threshold",
                "warn",
                warn,
                format!("must not exceed the critical level {critical}"),
            ));
        }
        Ok(Threshold { warn, critical })
    }

    /// Unhealthy at or above critical, degraded at or above warn, else healthy.
    pub fn classify(&self, value: f64) -> HealthStatus {
        if value >= self.critical {
            HealthStatus::Unhealthy
        } else if value >= self.warn {
            HealthStatus::Degraded
        } else {
            HealthStatus::Healthy
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn classify_is_monotonic(warn in 0.0f64..100.0, gap in 0.0f64..100.0, a in -10.0f64..300.0, b in -10.0f64..300.0) {
            let t = Threshold::new(warn, warn + gap).unwrap();
            let rank = |s| match s { HealthStatus::Healthy => 0, HealthStatus::Degraded => 1, _ => 2 };
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(rank(t.classify(lo)) <= rank(t.classify(hi)));
        }
    }
}
