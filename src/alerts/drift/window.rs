//! [`SampleWindow`]: a bounded window of finite samples with its mean,
//! standard deviation, median and MAD.

use std::collections::VecDeque;

/// The last `capacity` samples in arrival order, plus the same samples kept
/// sorted so the median costs nothing and the MAD half a merge.
#[derive(Clone, Debug)]
pub(crate) struct SampleWindow {
    arrival: VecDeque<f64>,
    sorted: Vec<f64>,
    capacity: usize,
    /// The spread of the current content, until the next push.
    cached: Option<Spread>,
}

/// Location and spread of a window, computed in one go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Spread {
    pub(crate) mean: f64,
    /// Sample standard deviation (n − 1).
    pub(crate) std_dev: f64,
    pub(crate) median: f64,
    /// Median absolute deviation from the median.
    pub(crate) mad: f64,
    /// Mean absolute deviation from the median (the MAD's fallback when it is 0).
    pub(crate) mean_ad: f64,
}

impl SampleWindow {
    /// An empty window holding at most `capacity` (≥ 1) samples.
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        SampleWindow {
            arrival: VecDeque::with_capacity(capacity),
            sorted: Vec::with_capacity(capacity),
            capacity,
            cached: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.arrival.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.arrival.len() >= self.capacity
    }

    /// Adds a finite `value`; returns the oldest sample if it had to leave.
    pub(crate) fn push(&mut self, value: f64) -> Option<f64> {
        debug_assert!(value.is_finite());
        self.cached = None;
        let evicted = if self.is_full() {
            let oldest = self.arrival.pop_front();
            if let Some(old) = oldest {
                let at = self.sorted.partition_point(|v| v.total_cmp(&old).is_lt());
                self.sorted.remove(at);
            }
            oldest
        } else {
            None
        };
        self.arrival.push_back(value);
        let at = self.sorted.partition_point(|v| v.total_cmp(&value).is_lt());
        self.sorted.insert(at, value);
        evicted
    }

    /// The arithmetic mean (two-pass, offset by the median, so large
    /// constant offsets do not eat the precision of the spread).
    pub(crate) fn mean(&self) -> Option<f64> {
        let n = self.arrival.len();
        if n == 0 {
            return None;
        }
        let pivot = self.median()?;
        let sum: f64 = self.arrival.iter().map(|v| v - pivot).sum();
        Some(pivot + sum / n as f64)
    }

    /// The median of the window.
    pub(crate) fn median(&self) -> Option<f64> {
        median_of_sorted(&self.sorted)
    }

    /// Mean, standard deviation, median and MAD; `None` below two samples.
    /// Computed once per content (a frozen baseline pays for it once).
    pub(crate) fn spread(&mut self) -> Option<Spread> {
        let n = self.arrival.len();
        if n < 2 {
            return None;
        }
        if let Some(cached) = self.cached {
            return Some(cached);
        }
        let median = self.median()?;
        let mean = self.mean()?;
        let squares: f64 = self.arrival.iter().map(|v| (v - mean) * (v - mean)).sum();
        let std_dev = (squares / (n - 1) as f64).sqrt();
        let mean_ad = self.sorted.iter().map(|v| (v - median).abs()).sum::<f64>() / n as f64;
        let mad = mad_of_sorted(&self.sorted, median);
        self.cached = Some(Spread {
            mean,
            std_dev,
            median,
            mad,
            mean_ad,
        });
        self.cached
    }
}

fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(sorted[n / 2 - 1] + (sorted[n / 2] - sorted[n / 2 - 1]) / 2.0),
    }
}

/// The median of |v − median| over `sorted` (at least one value): the
/// deviations below and above the median are two ascending runs, merged
/// only as far as their middle.
fn mad_of_sorted(sorted: &[f64], median: f64) -> f64 {
    let n = sorted.len();
    let split = sorted.partition_point(|v| *v < median);
    // next deviation below the median: sorted[below - 1]; above: sorted[above]
    let (mut below, mut above) = (split, split);
    let mut next = || {
        let low = (below > 0).then(|| median - sorted[below - 1]);
        let high = sorted.get(above).map(|v| v - median);
        match (low, high) {
            (Some(l), Some(h)) if l <= h => {
                below -= 1;
                l
            }
            (Some(l), None) => {
                below -= 1;
                l
            }
            (_, Some(h)) => {
                above += 1;
                h
            }
            (None, None) => 0.0,
        }
    };
    let mut lower = 0.0;
    for _ in 0..n / 2 {
        lower = next();
    }
    let upper = next();
    if n % 2 == 1 {
        upper
    } else {
        lower + (upper - lower) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_last_capacity_samples() {
        let mut w = SampleWindow::new(3);
        assert_eq!(w.push(5.0), None);
        w.push(1.0);
        w.push(3.0);
        assert_eq!(w.push(2.0), Some(5.0));
        assert_eq!(w.len(), 3);
        assert_eq!(w.median(), Some(2.0));
        assert_eq!(w.mean(), Some(2.0));
    }

    #[test]
    fn spread_of_a_known_sample() {
        let mut w = SampleWindow::new(10);
        for v in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            w.push(v);
        }
        let s = w.spread().unwrap();
        assert_eq!(s.mean, 5.0);
        assert!((s.std_dev - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.median, 4.5);
        // |x − 4.5| = 2.5 0.5 0.5 0.5 0.5 0.5 2.5 4.5 → median 0.5
        assert_eq!(s.mad, 0.5);
        assert_eq!(s.mean_ad, 12.0 / 8.0);
    }

    #[test]
    fn the_mad_matches_a_sort_of_the_deviations() {
        let mut w = SampleWindow::new(64);
        let mut x = 7u64;
        for n in 1..=64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            w.push((x >> 40) as f64 % 37.0);
            let mut sorted = w.sorted.clone();
            let median = median_of_sorted(&sorted).unwrap();
            sorted = sorted.iter().map(|v| (v - median).abs()).collect();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(
                mad_of_sorted(&w.sorted, median),
                median_of_sorted(&sorted).unwrap(),
                "n = {n}"
            );
        }
    }

    #[test]
    fn a_constant_window_has_no_spread() {
        let mut w = SampleWindow::new(4);
        for _ in 0..6 {
            w.push(7.0);
        }
        let s = w.spread().unwrap();
        assert_eq!(
            (s.mean, s.std_dev, s.median, s.mad, s.mean_ad),
            (7.0, 0.0, 7.0, 0.0, 0.0)
        );
        assert!(SampleWindow::new(4).spread().is_none());
    }
}
