//! EWMA and tabular CUSUM on standardised points: the two detectors of
//! small, sustained shifts.
//!
//! Both are fed z = (x − baseline mean) / baseline σ, clipped so that one
//! point alone moves the statistic at most half-way to the alarm limit: a
//! single spike is the point-anomaly methods' business, and it must neither
//! trip a sequential alarm nor leave it on the brink for the noise after it.

/// Exponentially weighted moving average of z: s = λ·z + (1 − λ)·s.
#[derive(Clone, Debug)]
pub(crate) struct Ewma {
    lambda: f64,
    limit: f64,
    /// σ of s for independent standard-normal z: √(λ / (2 − λ)).
    sigma: f64,
    state: f64,
}

impl Ewma {
    pub(crate) fn new(lambda: f64, limit: f64) -> Self {
        Ewma {
            lambda,
            limit,
            sigma: (lambda / (2.0 - lambda)).sqrt(),
            state: 0.0,
        }
    }

    /// Takes one z; returns the statistic in units of the EWMA's σ.
    pub(crate) fn update(&mut self, z: f64) -> f64 {
        let clip = self.limit * self.sigma / (2.0 * self.lambda);
        let z = z.clamp(-clip, clip);
        self.state = self.lambda * z + (1.0 - self.lambda) * self.state;
        self.state / self.sigma
    }

    /// The statistic without a new point.
    pub(crate) fn score(&self) -> f64 {
        self.state / self.sigma
    }

    pub(crate) fn is_drifting(&self, score: f64) -> bool {
        score.abs() > self.limit
    }
}

/// Two-sided tabular CUSUM of z with allowance k and decision interval h.
#[derive(Clone, Debug)]
pub(crate) struct Cusum {
    k: f64,
    h: f64,
    upper: f64,
    lower: f64,
}

impl Cusum {
    pub(crate) fn new(k: f64, h: f64) -> Self {
        Cusum {
            k,
            h,
            upper: 0.0,
            lower: 0.0,
        }
    }

    /// Takes one z; returns max(S⁺, S⁻). The sums are capped at 2h so that
    /// the alarm ends within about h / k points once the shift is over.
    pub(crate) fn update(&mut self, z: f64) -> f64 {
        let clip = self.h / 2.0 + self.k;
        let z = z.clamp(-clip, clip);
        let cap = 2.0 * self.h;
        self.upper = (self.upper + z - self.k).clamp(0.0, cap);
        self.lower = (self.lower - z - self.k).clamp(0.0, cap);
        self.score()
    }

    pub(crate) fn score(&self) -> f64 {
        self.upper.max(self.lower)
    }

    pub(crate) fn is_drifting(&self, score: f64) -> bool {
        score > self.h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_huge_point_goes_half_way_to_either_limit() {
        let mut ewma = Ewma::new(0.2, 3.0);
        let e = ewma.update(1e9);
        assert!((e - 1.5).abs() < 1e-9 && !ewma.is_drifting(e));
        let mut cusum = Cusum::new(0.5, 5.0);
        let s = cusum.update(-1e9);
        assert!((s - 2.5).abs() < 1e-12 && !cusum.is_drifting(s));
        // three in a row trip them: a large step is caught on its third point
        let (e, c) = (ewma.update(1e9), cusum.update(-1e9));
        assert!(!ewma.is_drifting(e) && !cusum.is_drifting(c));
        let (e, c) = (ewma.update(1e9), cusum.update(-1e9));
        assert!(ewma.is_drifting(e) && cusum.is_drifting(c));
    }

    #[test]
    fn a_one_sigma_shift_trips_cusum_in_about_ten_points() {
        let mut cusum = Cusum::new(0.5, 5.0);
        let tripped = (1..=30).find(|_| {
            let s = cusum.update(1.0);
            cusum.is_drifting(s)
        });
        assert_eq!(tripped, Some(11)); // 0.5 per point, must exceed 5
    }

    #[test]
    fn sums_are_capped_and_recover() {
        let mut cusum = Cusum::new(0.5, 5.0);
        for _ in 0..1_000 {
            cusum.update(3.0);
        }
        assert_eq!(cusum.score(), 10.0);
        let back = (1..=30).find(|_| {
            let s = cusum.update(0.0);
            !cusum.is_drifting(s)
        });
        assert_eq!(back, Some(10));
    }

    #[test]
    fn ewma_follows_a_sustained_shift() {
        let mut ewma = Ewma::new(0.2, 3.0);
        let tripped = (1..=50).find(|_| {
            let e = ewma.update(2.0);
            ewma.is_drifting(e)
        });
        // s_n = 2(1 − 0.8ⁿ) must exceed 3·(1/3) = 1: n = 4
        assert_eq!(tripped, Some(4));
        assert!(ewma.score() > 3.0);
    }
}
