//! [`Histogram`]: a distribution of non-negative values in fixed buckets.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::instruments::AtomicF64;
use super::invalid::{refuse, Invalid, InvalidSink};
use super::Buckets;

#[derive(Debug)]
struct HistogramCore {
    buckets: Buckets,
    /// One count per finite bound plus one for `+Inf`; not cumulative.
    counts: Box<[AtomicU64]>,
    sum: AtomicF64,
    invalid: Option<Arc<InvalidSink>>,
}

/// A distribution of non-negative values (durations, sizes) in fixed
/// buckets: constant memory, lock-free `observe`. Obtain one from
/// [`MetricsService::histogram`](crate::metrics::MetricsService::histogram).
///
/// Observations must not be negative, as OpenMetrics requires of a
/// histogram with a `_sum`: NaN and negative values are refused and counted
/// in `observa_invalid_updates_total{family, reason}`, so `_sum` is never
/// negative or NaN (`+Inf` is accepted and makes `_sum` `+Inf`). Measure a
/// signed quantity with a gauge, or split it into two histograms.
///
/// ```
/// use observa::metrics::Buckets;
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let latency = obs.metrics().histogram("latency_seconds", &[], Buckets::new(vec![0.1, 0.5, 1.0])?)?;
/// latency.observe(0.3);
/// latency.observe(2.0);
/// latency.observe(-1.0); // refused, counted
/// let snapshot = latency.snapshot();
/// assert_eq!(snapshot.count(), 2);
/// assert_eq!(snapshot.cumulative_counts(), vec![0, 1, 1, 2]); // ≤0.1, ≤0.5, ≤1, +Inf
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Histogram(Arc<HistogramCore>);

impl Histogram {
    pub(crate) fn new(buckets: Buckets, invalid: Option<Arc<InvalidSink>>) -> Self {
        let counts = (0..=buckets.bounds().len()).map(|_| AtomicU64::new(0)).collect();
        Histogram(Arc::new(HistogramCore {
            buckets,
            counts,
            sum: AtomicF64::default(),
            invalid,
        }))
    }

    /// Records one observation; NaN and negative values are refused and counted.
    #[inline]
    pub fn observe(&self, value: f64) {
        let core = &*self.0;
        if value.is_nan() || value < 0.0 {
            let reason = if value.is_nan() {
                Invalid::Nan
            } else {
                Invalid::Negative
            };
            refuse(core.invalid.as_deref(), reason);
            return;
        }
        let index = core.buckets.index_of(value);
        core.counts[index].fetch_add(1, Ordering::Relaxed);
        core.sum.add(value);
    }

    /// The buckets' upper bounds (without `+Inf`).
    pub fn buckets(&self) -> &Buckets {
        &self.0.buckets
    }

    /// A point-in-time copy of the counts and sum.
    pub fn snapshot(&self) -> HistogramSnapshot {
        let core = &*self.0;
        HistogramSnapshot {
            bounds: core.buckets.bounds().to_vec(),
            counts: core.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect(),
            sum: core.sum.load(),
        }
    }

    /// Calls `f` with each (upper bound, non-cumulative count), `+Inf` last,
    /// then returns (sum, count); no allocation.
    pub(crate) fn visit(&self, mut f: impl FnMut(f64, u64)) -> (f64, u64) {
        let core = &*self.0;
        let bounds = core.buckets.bounds().iter().copied().chain([f64::INFINITY]);
        let mut count = 0;
        for (bound, c) in bounds.zip(core.counts.iter()) {
            let c = c.load(Ordering::Relaxed);
            count += c;
            f(bound, c);
        }
        (core.sum.load(), count)
    }
}

/// A copy of a histogram's state; see [`Histogram::snapshot`].
///
/// ```
/// # let obs = observa::Observability::builder().service("api", "1").build()?;
/// let h = obs.metrics().histogram("size_bytes", &[], observa::metrics::Buckets::linear(100.0, 100.0, 3)?)?;
/// h.observe(150.0);
/// assert_eq!(h.snapshot().sum(), 150.0);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    bounds: Vec<f64>,
    counts: Vec<u64>,
    sum: f64,
}

impl HistogramSnapshot {
    /// The finite upper bounds.
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }
    /// Observations per bucket (not cumulative), `+Inf` last.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// Observations at or below each bound, `+Inf` last (equals [`count`](Self::count)).
    pub fn cumulative_counts(&self) -> Vec<u64> {
        self.counts
            .iter()
            .scan(0, |acc, c| {
                *acc += c;
                Some(*acc)
            })
            .collect()
    }
    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn histogram_sum_is_never_negative_or_nan() {
        let h = Histogram::new(Buckets::default(), None);
        h.observe(f64::INFINITY);
        h.observe(f64::NEG_INFINITY);
        h.observe(-2.0);
        h.observe(f64::NAN);
        let snapshot = h.snapshot();
        assert_eq!(snapshot.count(), 1);
        assert_eq!(snapshot.sum(), f64::INFINITY);
    }

    proptest! {
        #[test]
        fn every_accepted_observation_lands_in_exactly_one_bucket(values in proptest::collection::vec(proptest::num::f64::ANY, 0..50)) {
            let h = Histogram::new(Buckets::default(), None);
            for &v in &values {
                h.observe(v);
            }
            let snapshot = h.snapshot();
            let accepted: Vec<f64> = values.iter().copied().filter(|v| *v >= 0.0).collect();
            prop_assert_eq!(snapshot.count(), accepted.len() as u64);
            prop_assert!(snapshot.sum() >= 0.0);
            let cumulative = snapshot.cumulative_counts();
            for (i, bound) in snapshot.bounds().iter().enumerate() {
                let at_or_below = accepted.iter().filter(|v| **v <= *bound).count() as u64;
                prop_assert_eq!(cumulative[i], at_or_below);
            }
        }
    }
}
