//! [`RetryPolicy`]: bounded attempts with exponential backoff and jitter.

use std::time::Duration;

/// How an HTTP notifier retries a delivery that may succeed later
/// (transport errors, HTTP 429 and 5xx; see
/// [`NotifyError::is_retryable`](super::NotifyError::is_retryable)).
///
/// The wait before retry `n` (0-based) is drawn from
/// `[base / 2, base]` where `base = min(max_delay, first_delay × 2ⁿ)`:
/// exponential backoff with "equal jitter", so many senders failing at
/// once do not retry in step, and no wait exceeds `max_delay`.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::notify::RetryPolicy;
///
/// let policy = RetryPolicy::new(4, Duration::from_millis(100), Duration::from_secs(1));
/// assert_eq!(policy.attempts(), 4);
/// assert_eq!(policy.delay(0, 1.0), Duration::from_millis(100));
/// assert_eq!(policy.delay(1, 0.0), Duration::from_millis(100)); // half of 200 ms
/// assert_eq!(policy.delay(9, 1.0), Duration::from_secs(1));     // capped
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 500 ms doubling up to 10 s.
    fn default() -> Self {
        RetryPolicy::new(4, Duration::from_millis(500), Duration::from_secs(10))
    }
}

impl RetryPolicy {
    /// At most `attempts` tries in all (at least 1), the first retry after
    /// about `first_delay`, no wait longer than `max_delay` (at least
    /// `first_delay`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = observa::alerts::notify::RetryPolicy::new(0, Duration::from_secs(2), Duration::from_secs(1));
    /// assert_eq!(p.attempts(), 1);
    /// assert_eq!(p.delay(5, 1.0), Duration::from_secs(2));
    /// ```
    pub fn new(attempts: u32, first_delay: Duration, max_delay: Duration) -> Self {
        RetryPolicy {
            attempts: attempts.max(1),
            first_delay,
            max_delay: max_delay.max(first_delay),
        }
    }

    /// One attempt, no retry.
    ///
    /// ```
    /// assert_eq!(observa::alerts::notify::RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        RetryPolicy::new(1, Duration::ZERO, Duration::ZERO)
    }

    /// Tries in all, the first included.
    ///
    /// ```
    /// assert_eq!(observa::alerts::notify::RetryPolicy::default().attempts(), 4);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The wait before retry `retry` (0 for the first retry), for a `jitter`
    /// drawn uniformly from `[0, 1]` (clamped; NaN counts as 0).
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = observa::alerts::notify::RetryPolicy::new(5, Duration::from_millis(10), Duration::from_secs(60));
    /// assert_eq!(p.delay(3, 1.0), Duration::from_millis(80));
    /// assert_eq!(p.delay(3, 0.5), Duration::from_millis(60));
    /// ```
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let doubling = 2u32.saturating_pow(retry.min(31));
        let base = self.first_delay.saturating_mul(doubling).min(self.max_delay);
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        let half = base / 2;
        half + (base - half).mul_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn waits_grow_stay_within_half_and_whole_base_and_never_pass_the_cap(
            first_ms in 1u64..2_000,
            max_ms in 1u64..60_000,
            retry in 0u32..64,
            jitter in proptest::num::f64::ANY,
        ) {
            let policy = RetryPolicy::new(5, Duration::from_millis(first_ms), Duration::from_millis(max_ms));
            let max = Duration::from_millis(max_ms.max(first_ms));
            let base = Duration::from_millis(first_ms)
                .saturating_mul(2u32.saturating_pow(retry.min(31)))
                .min(max);
            let wait = policy.delay(retry, jitter);
            prop_assert!(wait <= base && wait >= base / 2, "{wait:?} outside [{:?}, {base:?}]", base / 2);
            prop_assert!(wait <= max);
            // the lowest wait of the next retry is never below this one's lowest
            prop_assert!(policy.delay(retry + 1, 0.0) >= policy.delay(retry, 0.0));
        }
    }

    #[test]
    fn the_schedule_doubles_until_the_cap() {
        let policy = RetryPolicy::new(6, Duration::from_millis(100), Duration::from_millis(500));
        let top: Vec<u128> = (0..5).map(|n| policy.delay(n, 1.0).as_millis()).collect();
        assert_eq!(top, [100, 200, 400, 500, 500]);
    }
}
