//! [`Buckets`]: validated histogram upper bounds.

use std::sync::Arc;

use crate::error::{ObsError, Result};

/// The OpenTelemetry default bounds, in seconds (also autometrics' defaults).
pub const DEFAULT_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Most finite bounds one histogram may have.
pub const MAX_BUCKETS: usize = 256;

/// Histogram upper bounds: finite, not negative, strictly increasing, at
/// least one and at most [`MAX_BUCKETS`]. `+Inf` is implied and never listed.
/// Bounds are not negative because histograms refuse negative observations
/// (see [`Histogram`](super::Histogram)); OpenMetrics forbids a `_sum` next
/// to negative buckets.
///
/// ```
/// use observa::metrics::Buckets;
///
/// assert_eq!(Buckets::default().bounds().len(), 14);
/// assert_eq!(Buckets::linear(1.0, 2.0, 3)?.bounds(), &[1.0, 3.0, 5.0]);
/// assert_eq!(Buckets::exponential(1.0, 10.0, 3)?.bounds(), &[1.0, 10.0, 100.0]);
/// assert!(Buckets::new(vec![1.0, 1.0]).is_err());
/// assert!(Buckets::new(vec![f64::INFINITY]).is_err());
/// assert!(Buckets::new(vec![-1.0, 1.0]).is_err());
/// assert!(Buckets::linear(0.0, 1.0, usize::MAX).is_err()); // checked before allocating
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Buckets(Arc<[f64]>);

impl Default for Buckets {
    fn default() -> Self {
        Buckets(Arc::from(&DEFAULT_BUCKETS[..]))
    }
}

impl Buckets {
    /// Validates explicit bounds.
    pub fn new(bounds: Vec<f64>) -> Result<Buckets> {
        let fail = |value: String, rule: &str| Err(ObsError::validation("buckets", "bounds", value, rule));
        if bounds.is_empty() {
            return fail("[]".into(), "need at least one bound");
        }
        check_count(bounds.len())?;
        if let Some(bad) = bounds.iter().find(|b| !b.is_finite()) {
            return fail(bad.to_string(), "bounds must be finite (+Inf is implied)");
        }
        if let Some(bad) = bounds.iter().find(|b| **b < 0.0) {
            return fail(
                bad.to_string(),
                "bounds must not be negative (observations are not)",
            );
        }
        if let Some(pair) = bounds.windows(2).find(|w| w[0] >= w[1]) {
            return fail(
                format!("{} then {}", pair[0], pair[1]),
                "bounds must be strictly increasing",
            );
        }
        Ok(Buckets(Arc::from(bounds)))
    }

    /// `count` bounds `start, start + width, ...`; `width` must be positive.
    pub fn linear(start: f64, width: f64, count: usize) -> Result<Buckets> {
        if width.is_nan() || width <= 0.0 {
            return Err(ObsError::validation(
                "buckets",
                "width",
                width,
                "must be positive",
            ));
        }
        check_count(count)?;
        Buckets::new((0..count).map(|i| start + width * i as f64).collect())
    }

    /// `count` bounds `start, start * factor, ...`; `start` must be positive and `factor` above 1.
    pub fn exponential(start: f64, factor: f64, count: usize) -> Result<Buckets> {
        if start.is_nan() || start <= 0.0 {
            return Err(ObsError::validation(
                "buckets",
                "start",
                start,
                "must be positive",
            ));
        }
        if factor.is_nan() || factor <= 1.0 {
            return Err(ObsError::validation(
                "buckets",
                "factor",
                factor,
                "must be greater than 1",
            ));
        }
        check_count(count)?;
        Buckets::new((0..count).map(|i| start * factor.powi(i as i32)).collect())
    }

    /// The finite upper bounds.
    pub fn bounds(&self) -> &[f64] {
        &self.0
    }

    /// The index of the first bound `>= value`, or `bounds().len()` for `+Inf`.
    #[inline]
    pub(crate) fn index_of(&self, value: f64) -> usize {
        let bounds = &*self.0;
        if bounds.len() <= 16 {
            bounds.iter().position(|b| value <= *b).unwrap_or(bounds.len())
        } else {
            bounds.partition_point(|b| *b < value)
        }
    }
}

/// Refuses more than [`MAX_BUCKETS`] bounds (before anything is allocated).
fn check_count(count: usize) -> Result<()> {
    if count > MAX_BUCKETS {
        return Err(ObsError::validation(
            "buckets",
            "count",
            count,
            format!("at most {MAX_BUCKETS} bounds"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn helpers_reject_bad_shapes() {
        assert!(Buckets::linear(0.0, 0.0, 3).is_err());
        assert!(Buckets::linear(0.0, f64::NAN, 3).is_err());
        assert!(Buckets::exponential(0.0, 2.0, 3).is_err());
        assert!(Buckets::exponential(1.0, 1.0, 3).is_err());
        assert!(Buckets::linear(0.0, 1.0, 0).is_err());
        assert!(Buckets::linear(0.0, 1.0, MAX_BUCKETS + 1).is_err());
        assert!(Buckets::new(vec![-0.5, 1.0]).is_err());
    }

    #[test]
    fn huge_counts_are_refused_before_allocating() {
        // `usize::MAX` used to panic with "capacity overflow", `1 << 27` to allocate 1 GiB first
        for count in [usize::MAX, 1 << 27, MAX_BUCKETS + 1] {
            let err = Buckets::linear(0.0, 1.0, count).unwrap_err();
            assert_eq!(err.code(), "validation");
            assert!(err.to_string().contains("at most 256 bounds"), "{err}");
            assert!(Buckets::exponential(1.0, 2.0, count).is_err());
        }
        assert_eq!(
            Buckets::exponential(1.0, 2.0, MAX_BUCKETS)
                .unwrap()
                .bounds()
                .len(),
            MAX_BUCKETS
        );
    }

    proptest! {
        #[test]
        fn accepted_bounds_are_finite_and_increasing(bounds in proptest::collection::vec(proptest::num::f64::ANY, 0..20)) {
            if let Ok(b) = Buckets::new(bounds) {
                prop_assert!(b.bounds().iter().all(|x| x.is_finite() && *x >= 0.0));
                prop_assert!(b.bounds().windows(2).all(|w| w[0] < w[1]));
            }
        }

        #[test]
        fn linear_and_binary_search_agree(value in 0f64..1e3, n in 1usize..40) {
            let b = Buckets::linear(0.0, 1000.0 / n as f64, n).unwrap();
            let expected = b.bounds().iter().position(|x| value <= *x).unwrap_or(n);
            prop_assert_eq!(b.index_of(value), expected);
        }
    }
}
