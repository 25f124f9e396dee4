//! The quantile of a classic histogram, computed the way PromQL's
//! `histogram_quantile` does (Prometheus 2.x `promql/quantile.go`).

/// The `q` quantile of cumulative bucket counts (`cumulative[i]` observations
/// at or below `bounds[i]`; the last entry, one past the finite bounds, is
/// the `+Inf` bucket and the total). Linear interpolation inside the bucket
/// holding the rank; the first bucket starts at 0; a rank in the `+Inf`
/// bucket yields the highest finite bound. NaN when there are no
/// observations; `-Inf`/`+Inf` for `q` below 0 / above 1.
pub(crate) fn histogram_quantile(q: f64, bounds: &[f64], cumulative: &[f64]) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    if cumulative.len() != bounds.len() + 1 || bounds.is_empty() {
        return f64::NAN;
    }
    // ensureMonotonic: a bucket never holds fewer than the one below it.
    let mut counts = cumulative.to_vec();
    for i in 1..counts.len() {
        counts[i] = counts[i].max(counts[i - 1]);
    }
    let total = counts[counts.len() - 1];
    if total.is_nan() || total <= 0.0 {
        return f64::NAN;
    }
    let mut rank = q * total;
    let b = counts.iter().position(|&c| c >= rank).unwrap_or(counts.len() - 1);
    if b == counts.len() - 1 {
        return bounds[bounds.len() - 1];
    }
    if b == 0 && bounds[0] <= 0.0 {
        return bounds[0];
    }
    let (mut start, mut count) = (0.0, counts[b]);
    if b > 0 {
        start = bounds[b - 1];
        count -= counts[b - 1];
        rank -= counts[b - 1];
    }
    start + (bounds[b] - start) * (rank / count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn interpolates_inside_the_bucket_holding_the_rank() {
        let bounds = [0.1, 0.5, 1.0];
        // 10 at or below 0.1, 10 more up to 0.5, none above.
        let cumulative = [10.0, 20.0, 20.0, 20.0];
        assert_eq!(histogram_quantile(0.5, &bounds, &cumulative), 0.1);
        assert!((histogram_quantile(0.75, &bounds, &cumulative) - 0.3).abs() < 1e-12);
        assert_eq!(histogram_quantile(0.25, &bounds, &cumulative), 0.05);
        assert_eq!(histogram_quantile(0.99, &bounds, &[0.0, 0.0, 0.0, 5.0]), 1.0);
        assert!(histogram_quantile(0.5, &bounds, &[0.0; 4]).is_nan());
    }

    proptest! {
        #[test]
        fn quantiles_grow_with_q_and_stay_within_the_bounds(
            raw in proptest::collection::vec(0u32..100, 4),
            q1 in 0.0f64..=1.0,
            q2 in 0.0f64..=1.0,
        ) {
            let bounds = [0.1, 0.5, 1.0];
            let cumulative: Vec<f64> = raw.iter().scan(0.0, |acc, c| { *acc += f64::from(*c); Some(*acc) }).collect();
            let (lo, hi) = (q1.min(q2), q1.max(q2));
            let a = histogram_quantile(lo, &bounds, &cumulative);
            let b = histogram_quantile(hi, &bounds, &cumulative);
            if cumulative[3] == 0.0 {
                prop_assert!(a.is_nan() && b.is_nan());
            } else {
                prop_assert!(a <= b + 1e-12, "{a} > {b}");
                prop_assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b));
            }
        }
    }
}
