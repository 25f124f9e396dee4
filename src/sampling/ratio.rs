//! The trace-id ratio rule, bit-identical to the OpenTelemetry Rust and Go
//! SDKs: a trace is sampled at ratio `r` iff
//! `u64::from_be_bytes(trace_id[8..16]) >> 1 < (r * 2^63) as u64`
//! (and always when `r >= 1`).

use crate::domain::TraceId;
use crate::error::{ObsError, Result};

/// `2^63` as a float: the scale of the bound.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// A validated sampling ratio in `[0, 1]` with its precomputed bound.
///
/// ```
/// use observa::sampling::Ratio;
///
/// let ratio = Ratio::new(0.25)?;
/// assert_eq!(ratio.value(), 0.25);
/// assert!(Ratio::new(1.5).is_err());
/// assert!(Ratio::new(f64::NAN).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    value: f64,
    /// `None` when `value >= 1`: every trace is sampled.
    bound: Option<u64>,
}

impl Ratio {
    /// A ratio; NaN, infinities and values outside `[0, 1]` are rejected.
    ///
    /// ```
    /// assert!(observa::sampling::Ratio::new(-0.1).is_err());
    /// assert!(observa::sampling::Ratio::new(0.0).is_ok());
    /// ```
    pub fn new(value: f64) -> Result<Ratio> {
        if !(0.0..=1.0).contains(&value) {
            return Err(ObsError::validation(
                "sampler",
                "ratio",
                value,
                "must be a number in [0, 1]",
            ));
        }
        // `max(value, 0)` as the SDKs do; `as u64` saturates like Go's conversion here.
        let bound = (value < 1.0).then(|| (value.max(0.0) * TWO_POW_63) as u64);
        Ok(Ratio { value, bound })
    }

    /// Parses a ratio from its text form (an `OTEL_TRACES_SAMPLER_ARG` value).
    ///
    /// ```
    /// use observa::sampling::Ratio;
    ///
    /// assert_eq!(Ratio::parse(" 0.5 ")?.value(), 0.5);
    /// assert!(Ratio::parse("half").is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Ratio> {
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| ObsError::validation("sampler", "ratio", text, "must be a number in [0, 1]"))?;
        Ratio::new(value)
    }

    /// The ratio as given.
    ///
    /// ```
    /// assert_eq!(observa::sampling::Ratio::new(0.1)?.value(), 0.1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Whether the trace `trace_id` is sampled at this ratio; deterministic,
    /// so every service using the same rule agrees, and monotone: a trace
    /// sampled at `r` is sampled at every `r' >= r`.
    ///
    /// ```
    /// use observa::{sampling::Ratio, TraceId};
    ///
    /// let low: TraceId = "ffffffffffffffff0000000000000001".parse()?;
    /// let high: TraceId = "0000000000000000ffffffffffffffff".parse()?;
    /// let half = Ratio::new(0.5)?;
    /// assert!(half.samples(low));
    /// assert!(!half.samples(high));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn samples(&self, trace_id: TraceId) -> bool {
        match self.bound {
            None => true,
            Some(bound) => random_part(trace_id) < bound,
        }
    }
}

/// The low (right-most) 8 bytes of the trace id, big-endian, shifted right
/// by one: the SDKs' 63-bit randomness.
fn random_part(trace_id: TraceId) -> u64 {
    let bytes = trace_id.to_bytes();
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[8..16]);
    u64::from_be_bytes(low) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id_with_low(low: u64) -> TraceId {
        let mut bytes = [0u8; 16];
        bytes[0] = 1; // never all zero
        bytes[8..].copy_from_slice(&low.to_be_bytes());
        TraceId::from_bytes(bytes).unwrap()
    }

    #[test]
    fn ratio_zero_never_and_one_always_samples() {
        let (never, always) = (Ratio::new(0.0).unwrap(), Ratio::new(1.0).unwrap());
        for low in [0, 1, u64::MAX / 2, u64::MAX] {
            assert!(!never.samples(id_with_low(low)), "{low:x}");
            assert!(always.samples(id_with_low(low)), "{low:x}");
        }
    }

    #[test]
    fn low_half_zero_is_sampled_from_two_to_the_minus_63() {
        let smallest = 2f64.powi(-63);
        assert!(Ratio::new(smallest).unwrap().samples(id_with_low(0)));
        assert!(Ratio::new(1e-6).unwrap().samples(id_with_low(0)));
        assert!(!Ratio::new(smallest / 2.0).unwrap().samples(id_with_low(0)));
    }

    #[test]
    fn low_half_all_ones_is_sampled_only_at_one() {
        let id = id_with_low(u64::MAX);
        for r in [0.5, 0.999_999, 1.0 - f64::EPSILON] {
            assert!(!Ratio::new(r).unwrap().samples(id), "{r}");
        }
        assert!(Ratio::new(1.0).unwrap().samples(id));
    }

    #[test]
    fn bad_ratios_are_rejected_with_the_value() {
        for bad in [f64::NAN, -0.0001, 1.0001, f64::INFINITY, f64::NEG_INFINITY] {
            let err = Ratio::new(bad).unwrap_err();
            assert_eq!(err.code(), "validation");
            assert!(err.to_string().contains("[0, 1]"), "{err}");
        }
        assert!(Ratio::parse("").is_err());
        assert!(Ratio::parse("1/2").is_err());
    }

    proptest! {
        #[test]
        fn half_samples_iff_top_bit_of_byte_8_is_clear(bytes in proptest::array::uniform16(any::<u8>())) {
            prop_assume!(bytes != [0u8; 16]);
            let id = TraceId::from_bytes(bytes).unwrap();
            prop_assert_eq!(Ratio::new(0.5).unwrap().samples(id), bytes[8] & 0x80 == 0);
        }

        #[test]
        fn sampling_is_monotone_in_the_ratio(low in any::<u64>(), a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let id = id_with_low(low);
            if Ratio::new(lo).unwrap().samples(id) {
                prop_assert!(Ratio::new(hi).unwrap().samples(id));
            }
        }
    }

    #[test]
    fn observed_rate_is_close_to_the_ratio() {
        const N: u32 = 40_000;
        let ids: Vec<TraceId> = (0..N).map(|_| TraceId::random()).collect();
        for r in [0.01, 0.1, 0.5, 0.9] {
            let ratio = Ratio::new(r).unwrap();
            let hits = ids.iter().filter(|id| ratio.samples(**id)).count();
            let observed = f64::from(hits as u32) / f64::from(N);
            // five standard deviations of a binomial proportion
            let tolerance = 5.0 * (r * (1.0 - r) / f64::from(N)).sqrt();
            assert!((observed - r).abs() < tolerance, "r={r} observed={observed}");
        }
    }
}
