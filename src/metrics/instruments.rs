//! The metric handles [`Counter`] and [`Gauge`] (and [`Histogram`](super::Histogram)). Each is an
//! `Arc` around atomics: cloning shares the series, and every update is a
//! lock-free atomic operation with no lookup and no allocation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::invalid::{refuse, Invalid, InvalidSink};

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
    /// Where refused increments are counted (none for a detached handle).
    invalid: Option<Arc<InvalidSink>>,
}

/// A monotonically increasing total. Obtain one from
/// [`MetricsService::counter`](crate::metrics::MetricsService::counter);
/// clones share the same series.
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let orders = obs.metrics().counter("orders_total", &[("region", "eu")])?;
/// orders.inc();
/// orders.inc_by(2.5);
/// orders.inc_by(-1.0); // refused, counted in observa_invalid_updates_total
/// assert_eq!(orders.get(), 3.5);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<CounterCore>);

impl Counter {
    pub(crate) fn with_sink(invalid: Option<Arc<InvalidSink>>) -> Self {
        Counter(Arc::new(CounterCore {
            invalid,
            ..CounterCore::default()
        }))
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.whole.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `amount`. A counter never goes down and never holds NaN or an
    /// infinity: a negative, NaN or infinite amount is refused and counted
    /// in `observa_invalid_updates_total{family, reason}` (`negative`, `nan`,
    /// `infinite`); zero is a no-op.
    #[inline]
    pub fn inc_by(&self, amount: f64) {
        if amount > 0.0 && amount < f64::INFINITY {
            self.0.fraction.add(amount);
        } else if amount != 0.0 {
            refuse(self.0.invalid.as_deref(), Invalid::of(amount));
        }
    }

    /// The current total.
    pub fn get(&self) -> f64 {
        self.0.whole.load(Ordering::Relaxed) as f64 + self.0.fraction.load()
    }

    /// Raises the total to `total` if it is below it (for totals kept
    /// elsewhere): an atomic max, so concurrent callers never overshoot.
    /// Meant for counters updated only this way.
    pub(crate) fn raise_to(&self, total: u64) {
        self.0.whole.fetch_max(total, Ordering::Relaxed);
    }
}

#[derive(Debug, Default)]
struct GaugeCore {
    /// The level: one word, so `set`, `inc`, `dec` and `add` are linearizable.
    level: AtomicF64,
    invalid: Option<Arc<InvalidSink>>,
}

/// A value that goes up and down. Obtain one from
/// [`MetricsService::gauge`](crate::metrics::MetricsService::gauge).
///
/// Every update is one atomic operation on one word, so concurrent updates
/// end at a value some sequential order of them gives.
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let depth = obs.metrics().gauge("queue_depth", &[])?;
/// depth.set(10.0);
/// depth.dec();
/// depth.add(0.5);
/// depth.set(f64::NAN); // refused, counted in observa_invalid_updates_total
/// assert_eq!(depth.get(), 9.5);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gauge(Arc<GaugeCore>);

impl Gauge {
    pub(crate) fn with_sink(invalid: Option<Arc<InvalidSink>>) -> Self {
        Gauge(Arc::new(GaugeCore {
            invalid,
            ..GaugeCore::default()
        }))
    }

    /// Sets the value; NaN and infinities are refused and counted in
    /// `observa_invalid_updates_total{family, reason}`.
    #[inline]
    pub fn set(&self, value: f64) {
        if value.is_finite() {
            self.0.level.store(value);
        } else {
            refuse(self.0.invalid.as_deref(), Invalid::of(value));
        }
    }
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.level.add(1.0);
    }
    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.0.level.add(-1.0);
    }
    /// Adds `delta` (may be negative); NaN and infinities are refused and counted.
    #[inline]
    pub fn add(&self, delta: f64) {
        if delta.is_finite() {
            self.0.level.add(delta);
        } else {
            refuse(self.0.invalid.as_deref(), Invalid::of(delta));
        }
    }
    /// The current value.
    pub fn get(&self) -> f64 {
        self.0.level.load()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_refuses_negative_and_non_finite() {
        let c = Counter::default();
        c.inc_by(-1.0);
        c.inc_by(f64::NAN);
        c.inc_by(f64::INFINITY);
        c.inc_by(0.0);
        c.inc();
        assert_eq!(c.get(), 1.0);
        c.raise_to(5);
        c.raise_to(2);
        assert_eq!(c.get(), 5.0);
    }

    #[test]
    fn gauge_updates_combine() {
        let g = Gauge::default();
        g.inc();
        g.inc();
        g.set(10.0);
        assert_eq!(g.get(), 10.0);
        g.dec();
        g.add(-0.5);
        assert_eq!(g.get(), 8.5);
        g.set(f64::NAN);
        g.add(f64::INFINITY);
        assert_eq!(g.get(), 8.5);
    }

    /// Runs each worker in a loop on its own thread until `for_ms`
    /// milliseconds pass, calling `watch` in a loop on this thread meanwhile.
    fn free_running(workers: &[&(dyn Fn() + Sync)], for_ms: u64, mut watch: impl FnMut()) {
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for work in workers {
                let stop = &stop;
                s.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        work();
                    }
                });
            }
            let start = std::time::Instant::now();
            while start.elapsed() < std::time::Duration::from_millis(for_ms) {
                watch();
            }
            stop.store(true, Ordering::Relaxed);
        });
    }

    #[test]
    fn gauge_set_is_linearizable_with_inc() {
        // T1{inc; set(1)} ∥ T2{set(2)} in loops: every sequential order of
        // these keeps the gauge within 1..=3 and ends at 1 or 2 (a `set`
        // that read the steps, then stored, used to reach 10^5)
        let g = Gauge::default();
        let mut seen = (f64::INFINITY, f64::NEG_INFINITY);
        let t1 = || {
            g.inc();
            g.set(1.0);
        };
        let t2 = || g.set(2.0);
        free_running(&[&t1, &t2], 1_000, || {
            let v = g.get();
            seen = (seen.0.min(v), seen.1.max(v));
        });
        let end = g.get();
        assert!(seen.0 >= 0.0 && seen.1 <= 3.0, "saw values {seen:?}");
        assert!(end == 1.0 || end == 2.0, "ended at {end}");
    }

    #[test]
    fn raise_to_is_an_atomic_max() {
        // threads raise to a running total kept elsewhere (as concurrent
        // renders do): the counter must never exceed the total
        let c = Counter::default();
        let total = AtomicU64::new(0);
        let overshoot = std::sync::atomic::AtomicBool::new(false);
        let raise = || {
            c.raise_to(total.load(Ordering::SeqCst));
            if c.get() > total.load(Ordering::SeqCst) as f64 {
                overshoot.store(true, Ordering::Relaxed);
            }
        };
        free_running(&[&raise, &raise], 300, || {
            total.fetch_add(1_000, Ordering::SeqCst);
            std::thread::yield_now();
        });
        assert!(
            !overshoot.load(Ordering::Relaxed),
            "concurrent raises overshot the total"
        );
    }

    #[test]
    fn concurrent_updates_are_not_lost() {
        let c = Counter::default();
        let g = Gauge::default();
        let h = super::super::Histogram::new(super::super::Buckets::new(vec![1.0]).unwrap(), None);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        c.inc();
                        g.inc();
                        g.dec();
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
}
