//! [`MetricsService`]: records metric entities and answers what they add up to.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::domain::{Labels, Metric, MetricKind};
use crate::error::{ObsError, Result};
use crate::ports::{Evictions, Query, Repository};

/// Count, sum, min, max and mean of every value recorded under one name.
///
/// ```
/// let s = observa::services::MetricSummary::default();
/// assert_eq!(s.count, 0);
/// assert_eq!(s.mean(), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MetricSummary {
    /// How many values were recorded.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl MetricSummary {
    /// The arithmetic mean, `None` before the first value.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    fn add(&mut self, value: f64) {
        if self.count == 0 {
            (self.min, self.max) = (value, value);
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.count += 1;
        self.sum += value;
    }
}

#[derive(Default)]
struct Aggregates {
    /// Per series (name + labels): a counter's running total, a gauge's last
    /// level, a histogram's last observation.
    current: HashMap<(String, Labels), f64>,
    /// Per name: the kind it was first recorded with, and its summary.
    names: HashMap<String, (MetricKind, MetricSummary)>,
}

/// Records [`Metric`] entities into a repository and keeps running figures
/// per series and per name that do not depend on what the repository keeps.
///
/// A name keeps the kind it was first recorded with; recording it with
/// another kind is a conflict.
///
/// ```
/// use observa::{Metric, Observability};
///
/// let obs = Observability::builder().service("shop", "1.0").build()?;
/// let metrics = obs.metrics();
/// metrics.record(&Metric::counter("orders_total", 2.0)?)?;
/// metrics.record(&Metric::counter("orders_total", 3.0)?)?;
/// assert_eq!(metrics.current_value("orders_total", &observa::Labels::empty())?, Some(5.0));
/// let summary = metrics.summary("orders_total")?.unwrap();
/// assert_eq!((summary.count, summary.max, summary.mean()), (2, 3.0, Some(2.5)));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct MetricsService {
    repository: Arc<dyn Repository<Metric>>,
    aggregates: Arc<Mutex<Aggregates>>,
}

impl MetricsService {
    /// A service storing into `repository`.
    pub fn new(repository: Arc<dyn Repository<Metric>>) -> Self {
        MetricsService {
            repository,
            aggregates: Arc::default(),
        }
    }

    /// Records one metric: updates its series and name summary, then stores it.
    pub fn record(&self, metric: &Metric) -> Result<()> {
        {
            let mut aggregates = self.aggregates.lock();
            let (kind, summary) = aggregates
                .names
                .entry(metric.name().to_owned())
                .or_insert((metric.kind(), MetricSummary::default()));
            if *kind != metric.kind() {
                return Err(ObsError::conflict(
                    "metric",
                    format!("`{}` is a {kind}, not a {}", metric.name(), metric.kind()),
                ));
            }
            summary.add(metric.value());
            let key = (metric.name().to_owned(), metric.labels().clone());
            let current = aggregates.current.entry(key).or_insert(0.0);
            *current = match metric.kind() {
                MetricKind::Counter => *current + metric.value(),
                MetricKind::Gauge | MetricKind::Histogram => metric.value(),
            };
        }
        self.repository.save(metric.clone())
    }

    /// The current value of the series `name` + `labels`: a counter's running
    /// total, a gauge's last level, a histogram's last observation.
    pub fn current_value(&self, name: &str, labels: &Labels) -> Result<Option<f64>> {
        let aggregates = self.aggregates.lock();
        Ok(aggregates
            .current
            .get(&(name.to_owned(), labels.clone()))
            .copied())
    }

    /// Count, sum, min, max and mean of every value recorded under `name`
    /// (all label sets together), `None` if nothing was recorded.
    pub fn summary(&self, name: &str) -> Result<Option<MetricSummary>> {
        Ok(self
            .aggregates
            .lock()
            .names
            .get(name)
            .map(|(_, summary)| *summary))
    }

    /// Every recorded name with its summary, sorted by name.
    pub fn summaries(&self) -> Result<Vec<(String, MetricSummary)>> {
        let aggregates = self.aggregates.lock();
        let mut all: Vec<_> = aggregates
            .names
            .iter()
            .map(|(n, (_, s))| (n.clone(), *s))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(all)
    }

    /// The stored metrics named `name`, newest first.
    pub fn by_name(&self, name: &str) -> Result<Vec<Metric>> {
        self.repository.query(&Query::new().name(name))
    }

    /// How many stored metrics the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository.evictions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;

    fn service() -> MetricsService {
        MetricsService::new(Arc::new(InMemoryRepository::new(100)))
    }

    #[test]
    fn gauges_keep_the_last_level_per_label_set() {
        let s = service();
        let eu = Labels::new([("region", "eu")]).unwrap();
        s.record(
            &Metric::gauge("depth", 3.0)
                .unwrap()
                .with_label("region", "eu")
                .unwrap(),
        )
        .unwrap();
        s.record(
            &Metric::gauge("depth", 1.0)
                .unwrap()
                .with_label("region", "eu")
                .unwrap(),
        )
        .unwrap();
        s.record(
            &Metric::gauge("depth", 9.0)
                .unwrap()
                .with_label("region", "us")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(s.current_value("depth", &eu).unwrap(), Some(1.0));
        let summary = s.summary("depth").unwrap().unwrap();
        assert_eq!(
            (summary.count, summary.min, summary.max, summary.sum),
            (3, 1.0, 9.0, 13.0)
        );
        assert_eq!(s.by_name("depth").unwrap().len(), 3);
    }

    #[test]
    fn a_name_cannot_change_kind() {
        let s = service();
        s.record(&Metric::gauge("x", 1.0).unwrap()).unwrap();
        let err = s.record(&Metric::counter("x", 1.0).unwrap()).unwrap_err();
        assert_eq!(err.code(), "conflict");
        assert_eq!(
            s.summary("x").unwrap().unwrap().count,
            1,
            "the refused metric is not counted"
        );
    }
}
