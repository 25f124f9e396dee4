//! [`RegistrySampler`]: reads a drift monitor's next sample from a live
//! instrument, so the registry stays the one copy of the data.

use crate::metrics::{Gauge, Histogram};

/// Reads one sample per call from a live instrument: a gauge's level, or the
/// mean of the observations a histogram took since the previous call (its
/// sum and count deltas). Call [`DriftMonitor::sample`](super::DriftMonitor::sample)
/// at your interval (every scrape, every second); a histogram that took no
/// observation in between gives no sample.
///
/// ```
/// use observa::alerts::drift::RegistrySampler;
/// use observa::metrics::Buckets;
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let latency = obs.metrics().histogram("latency_seconds", &[], Buckets::default())?;
/// let mut sampler = RegistrySampler::histogram_mean(latency.clone());
/// assert_eq!(sampler.next_sample(), None); // nothing observed yet
/// latency.observe(0.1);
/// latency.observe(0.3);
/// assert!((sampler.next_sample().unwrap() - 0.2).abs() < 1e-12);
/// latency.observe(0.5);
/// assert_eq!(sampler.next_sample(), Some(0.5)); // only what came since
///
/// let depth = obs.metrics().gauge("queue_depth", &[])?;
/// depth.set(7.0);
/// assert_eq!(RegistrySampler::gauge(depth).next_sample(), Some(7.0));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RegistrySampler {
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    Gauge(Gauge),
    HistogramMean {
        histogram: Histogram,
        count: u64,
        sum: f64,
    },
}

impl RegistrySampler {
    /// Samples the gauge's current level.
    pub fn gauge(gauge: Gauge) -> Self {
        RegistrySampler {
            source: Source::Gauge(gauge),
        }
    }

    /// Samples the mean of the histogram's observations since the previous
    /// sample (the first sample covers everything observed since the sampler
    /// was made).
    pub fn histogram_mean(histogram: Histogram) -> Self {
        let now = histogram.snapshot();
        RegistrySampler {
            source: Source::HistogramMean {
                count: now.count(),
                sum: now.sum(),
                histogram,
            },
        }
    }

    /// The next sample, `None` when a histogram took no observation since the
    /// last one.
    pub fn next_sample(&mut self) -> Option<f64> {
        match &mut self.source {
            Source::Gauge(gauge) => Some(gauge.get()),
            Source::HistogramMean {
                histogram,
                count,
                sum,
            } => {
                let now = histogram.snapshot();
                let new = now.count().checked_sub(*count).filter(|n| *n > 0)?;
                let mean = (now.sum() - *sum) / new as f64;
                (*count, *sum) = (now.count(), now.sum());
                Some(mean)
            }
        }
    }
}
