//! Sending one batch with retries, and counting what could not be delivered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::config::{RetryPolicy, SignalSettings};
use super::proto::OtlpMessage;
use super::transport::{Body, Outcome, PartialSuccess, Transport};
use crate::metrics::MetricsService;

/// Entity kinds, as in `observa_dropped_total{kind}`.
pub(crate) const KINDS: [&str; 3] = ["span", "log_entry", "metric_point"];
/// Why the exporter lost items.
pub(crate) const REASONS: [&str; 4] = [
    "otlp_queue_full",
    "otlp_rejected",
    "otlp_failed",
    "otlp_shutdown_timeout",
];
pub(crate) const QUEUE_FULL: usize = 0;
pub(crate) const REJECTED: usize = 1;
pub(crate) const FAILED: usize = 2;
pub(crate) const SHUTDOWN_TIMEOUT: usize = 3;

/// Items lost and items delivered, by kind; every drop is also raised into
/// `observa_dropped_total{kind,reason}` of the container's registry.
pub(crate) struct Tally {
    dropped: [[AtomicU64; REASONS.len()]; KINDS.len()],
    delivered: [AtomicU64; KINDS.len()],
    metrics: Option<MetricsService>,
}

impl Tally {
    pub(crate) fn new(metrics: Option<MetricsService>) -> Tally {
        Tally {
            dropped: Default::default(),
            delivered: Default::default(),
            metrics,
        }
    }

    pub(crate) fn drop(&self, kind: usize, reason: usize, n: u64) {
        if n == 0 {
            return;
        }
        let total = self.dropped[kind][reason].fetch_add(n, Ordering::Relaxed) + n;
        if let Some(metrics) = &self.metrics {
            let _ = metrics
                .registry()
                .report_dropped(KINDS[kind], REASONS[reason], total);
        }
    }

    pub(crate) fn delivered(&self, kind: usize, n: u64) {
        self.delivered[kind].fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn delivered_count(&self, kind: usize) -> u64 {
        self.delivered[kind].load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut out = Vec::new();
        for (k, kind) in KINDS.iter().enumerate() {
            for (r, reason) in REASONS.iter().enumerate() {
                out.push((*kind, *reason, self.dropped[k][r].load(Ordering::Relaxed)));
            }
        }
        out
    }
}

/// Sends `message` (`items` entities of `kind`) until it is delivered, the
/// server rejects it, or `deadline()` passes; `pause` waits between attempts
/// and returns early when the deadline moves (shutdown).
#[allow(clippy::too_many_arguments)]
pub(crate) fn deliver<M: OtlpMessage, R: OtlpMessage + PartialSuccess>(
    transport: &Transport,
    settings: &SignalSettings,
    retry: RetryPolicy,
    message: &M,
    (kind, items): (usize, u64),
    tally: &Tally,
    deadline: impl Fn() -> Instant,
    pause: impl Fn(Duration),
) {
    let body = Body::new(message, settings);
    let mut backoff = retry.initial_backoff;
    loop {
        let remaining = deadline().saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            tally.drop(kind, FAILED, items);
            return;
        }
        match transport.send::<R>(settings, &body, settings.timeout.min(remaining)) {
            Outcome::Delivered { rejected } => {
                let rejected = u64::try_from(rejected).unwrap_or(0).min(items);
                tally.drop(kind, REJECTED, rejected);
                tally.delivered(kind, items - rejected);
                return;
            }
            Outcome::Rejected { .. } => {
                tally.drop(kind, REJECTED, items);
                return;
            }
            Outcome::Retry { retry_after, .. } => {
                let wait = match retry_after {
                    Some(after) => after.min(retry.max_backoff),
                    None => jitter(backoff),
                };
                backoff = (backoff * 2).min(retry.max_backoff);
                if crate::worker::deadline_after(wait) >= deadline() {
                    tally.drop(kind, FAILED, items);
                    return;
                }
                pause(wait);
            }
        }
    }
}

/// A wait drawn uniformly between half of `backoff` and all of it.
fn jitter(backoff: Duration) -> Duration {
    let random = getrandom::u64().unwrap_or(u64::MAX / 2);
    let fraction = 0.5 + (random >> 11) as f64 / (1u64 << 53) as f64 / 2.0;
    backoff.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_between_half_and_all_of_the_backoff() {
        for _ in 0..1_000 {
            let wait = jitter(Duration::from_millis(1_000));
            assert!(
                wait >= Duration::from_millis(500) && wait <= Duration::from_millis(1_000),
                "{wait:?}"
            );
        }
    }
}
