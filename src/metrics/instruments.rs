//! The metric handles: [`Counter`], [`Gauge`] and [`Histogram`]. Each is an
//! `Arc` around atomics: cloning shares the series, and every update is a
//! lock-free atomic operation with no lookup and no allocation.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use super::Buckets;

/// An `f64` stored as bits in an `AtomicU64`, updated with compare-and-swap.
#[derive(Debug, Default)]
pub(crate) struct AtomicF64(AtomicU64);

impl AtomicF64 {
    #[inline]
    pub(crate) fn load(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }

    #[inline]
    pub(crate) fn store(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    #[inline]
    pub(crate) fn add(&self, delta: f64) {
        let mut current = self.0.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(current) + delta).to_bits();
            match self
                .0
                .compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }
}

#[derive(Debug, Default)]
struct CounterCore {
    /// Whole increments: `inc` is a single `fetch_add`.
    whole: AtomicU64,
    /// Fractional (and huge) increments, added with compare-and-swap.
    fraction: AtomicF64,
}

/// A monotonically increasing total. Obtain one from
/// [`MetricsService::counter`](crate::services::MetricsService::counter);
/// clones share the same series.
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let orders = obs.metrics().counter("orders_total", &[("region", "eu")])?;
/// orders.inc();
/// orders.inc_by(2.5);
/// assert_eq!(orders.get(), 3.5);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<CounterCore>);

impl Counter {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.whole.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `amount`; negative, NaN and infinite amounts are ignored (a
    /// counter never goes down), and counted nowhere: validate upstream with
    /// [`Metric::counter`](crate::Metric::counter) if the input is untrusted.
    #[inline]
    pub fn inc_by(&self, amount: f64) {
        if amount.is_finite() && amount > 0.0 {
            self.0.fraction.add(amount);
        }
    }

    /// The current total.
    pub fn get(&self) -> f64 {
        self.0.whole.load(Ordering::Relaxed) as f64 + self.0.fraction.load()
    }

    /// Raises the total to `total` if it is below it (for totals kept elsewhere).
    pub(crate) fn raise_to(&self, total: f64) {
        let missing = total - self.get();
        if missing > 0.0 {
            self.inc_by(missing);
        }
    }
}

#[derive(Debug, Default)]
struct GaugeCore {
    /// The level set or added as a float.
    level: AtomicF64,
    /// Whole steps from `inc`/`dec`: a single `fetch_add`, no CAS loop
    /// (the in-flight gauge of every monitored call takes this path).
    steps: AtomicI64,
}

/// A value that goes up and down. Obtain one from
/// [`MetricsService::gauge`](crate::services::MetricsService::gauge).
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let depth = obs.metrics().gauge("queue_depth", &[])?;
/// depth.set(10.0);
/// depth.dec();
/// depth.add(0.5);
/// assert_eq!(depth.get(), 9.5);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gauge(Arc<GaugeCore>);

impl Gauge {
    /// Sets the value; NaN and infinities are ignored. A `set` racing an
    /// `inc` on another thread may or may not include it, as with any order.
    #[inline]
    pub fn set(&self, value: f64) {
        if value.is_finite() {
            let steps = self.0.steps.load(Ordering::Relaxed);
            self.0.level.store(value - steps as f64);
        }
    }
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.steps.fetch_add(1, Ordering::Relaxed);
    }
    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.0.steps.fetch_sub(1, Ordering::Relaxed);
    }
    /// Adds `delta` (may be negative); NaN and infinities are ignored.
    #[inline]
    pub fn add(&self, delta: f64) {
        if delta.is_finite() {
            self.0.level.add(delta);
        }
    }
    /// The current value.
    pub fn get(&self) -> f64 {
        self.0.level.load() + self.0.steps.load(Ordering::Relaxed) as f64
    }
}

#[derive(Debug)]
struct HistogramCore {
    buckets: Buckets,
    /// One count per finite bound plus one for `+Inf`; not cumulative.
    counts: Box<[AtomicU64]>,
    sum: AtomicF64,
}

/// A distribution in fixed buckets: constant memory, lock-free `observe`.
/// Obtain one from [`MetricsService::histogram`](crate::services::MetricsService::histogram).
///
/// ```
/// use observa::metrics::Buckets;
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let latency = obs.metrics().histogram("latency_seconds", &[], Buckets::new(vec![0.1, 0.5, 1.0])?)?;
/// latency.observe(0.3);
/// latency.observe(2.0);
/// let snapshot = latency.snapshot();
/// assert_eq!(snapshot.count(), 2);
/// assert_eq!(snapshot.cumulative_counts(), vec![0, 1, 1, 2]); // ≤0.1, ≤0.5, ≤1, +Inf
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Histogram(Arc<HistogramCore>);

impl Histogram {
    pub(crate) fn new(buckets: Buckets) -> Self {
        let counts = (0..=buckets.bounds().len()).map(|_| AtomicU64::new(0)).collect();
        Histogram(Arc::new(HistogramCore {
            buckets,
            counts,
            sum: AtomicF64::default(),
        }))
    }

    /// Records one observation; NaN is ignored.
    #[inline]
    pub fn observe(&self, value: f64) {
        if value.is_nan() {
            return;
        }
        let core = &*self.0;
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
    fn counter_ignores_negative_and_non_finite() {
        let c = Counter::default();
        c.inc_by(-1.0);
        c.inc_by(f64::NAN);
        c.inc_by(f64::INFINITY);
        c.inc();
        assert_eq!(c.get(), 1.0);
        c.raise_to(5.0);
        c.raise_to(2.0);
        assert_eq!(c.get(), 5.0);
    }

    #[test]
    fn gauge_steps_and_levels_combine() {
        let g = Gauge::default();
        g.inc();
        g.inc();
        g.set(10.0);
        assert_eq!(g.get(), 10.0);
        g.dec();
        g.add(-0.5);
        assert_eq!(g.get(), 8.5);
        g.set(f64::NAN);
        assert_eq!(g.get(), 8.5);
    }

    #[test]
    fn concurrent_updates_are_not_lost() {
        let c = Counter::default();
        let g = Gauge::default();
        let h = Histogram::new(Buckets::new(vec![1.0]).unwrap());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        c.inc();
                        g.inc();
                        h.observe(0.5);
                    }
                });
            }
        });
        assert_eq!(c.get(), 40_000.0);
        assert_eq!(g.get(), 40_000.0);
        assert_eq!(h.snapshot().count(), 40_000);
        assert_eq!(h.snapshot().sum(), 20_000.0);
    }

    proptest! {
        #[test]
        fn every_observation_lands_in_exactly_one_bucket(values in proptest::collection::vec(proptest::num::f64::ANY, 0..50)) {
            let h = Histogram::new(Buckets::default());
            for &v in &values {
                h.observe(v);
            }
            let snapshot = h.snapshot();
            let counted = values.iter().filter(|v| !v.is_nan()).count() as u64;
            prop_assert_eq!(snapshot.count(), counted);
            let cumulative = snapshot.cumulative_counts();
            for (i, bound) in snapshot.bounds().iter().enumerate() {
                let at_or_below = values.iter().filter(|v| **v <= *bound).count() as u64;
                prop_assert_eq!(cumulative[i], at_or_below);
            }
        }
    }
}
