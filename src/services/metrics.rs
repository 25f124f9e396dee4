//! [`MetricsService`]: records metric entities and answers what they add up to.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::domain::{Labels, Metric, MetricKind};
use crate::error::Result;
use crate::metrics::{
    render, Buckets, Counter, Family, FamilySpec, Format, Gauge, Histogram, Registrable, Registry,
    DEFAULT_SERIES_BUDGET,
};
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
    /// Per name: the summary of every value recorded.
    names: HashMap<String, MetricSummary>,
}

/// The metrics service: hands out metric handles (the hot path), records
/// [`Metric`] entities into the same instruments and into a repository, keeps
/// running figures per series and per name that do not depend on what the
/// repository keeps, and renders everything for Prometheus.
///
/// A name keeps the kind, label names, help, unit and buckets it was first
/// registered with; asking for it with others is a conflict.
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
    registry: Arc<Registry>,
    aggregates: Arc<Mutex<Aggregates>>,
}

impl MetricsService {
    /// A service storing into `repository`, with the default series budget.
    pub fn new(repository: Arc<dyn Repository<Metric>>) -> Self {
        MetricsService::with_series_budget(repository, DEFAULT_SERIES_BUDGET)
    }

    /// A service whose families hold at most `budget` series each.
    pub fn with_series_budget(repository: Arc<dyn Repository<Metric>>, budget: usize) -> Self {
        MetricsService {
            repository,
            registry: Arc::new(Registry::new(budget)),
            aggregates: Arc::default(),
        }
    }

    /// The counter for `name` and `labels`, registering the family on first
    /// use (label names are sorted). Resolve it once and keep it: each call
    /// is a lookup, each `inc` on the handle is one atomic add.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> Result<Counter> {
        self.lookup(FamilySpec::new(name), labels)
    }

    /// The gauge for `name` and `labels`; see [`MetricsService::counter`].
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Result<Gauge> {
        self.lookup(FamilySpec::new(name), labels)
    }

    /// The histogram for `name` and `labels` with `buckets`; see [`MetricsService::counter`].
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)], buckets: Buckets) -> Result<Histogram> {
        self.lookup(FamilySpec::new(name).buckets(buckets), labels)
    }

    /// The counter family described by `spec` (help, unit, label names).
    pub fn counter_family(&self, spec: FamilySpec) -> Result<Family<Counter>> {
        self.registry.family(spec)
    }

    /// The gauge family described by `spec`.
    pub fn gauge_family(&self, spec: FamilySpec) -> Result<Family<Gauge>> {
        self.registry.family(spec)
    }

    /// The histogram family described by `spec`.
    pub fn histogram_family(&self, spec: FamilySpec) -> Result<Family<Histogram>> {
        self.registry.family(spec)
    }

    fn lookup<M: Registrable>(&self, spec: FamilySpec, labels: &[(&str, &str)]) -> Result<M> {
        let mut sorted = labels.to_vec();
        sorted.sort_unstable_by_key(|(name, _)| *name);
        let names: Vec<&str> = sorted.iter().map(|(n, _)| *n).collect();
        let values: Vec<&str> = sorted.iter().map(|(_, v)| *v).collect();
        self.registry
            .family::<M>(spec.labels(&names))?
            .with_label_values(&values)
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything registered, as Prometheus text 0.0.4 or OpenMetrics 1.0.
    ///
    /// ```
    /// use observa::metrics::Format;
    ///
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// obs.metrics().counter("orders_total", &[("region", "eu")])?.inc();
    /// let text = obs.metrics().render(Format::Prometheus)?;
    /// assert!(text.contains("orders_total{region=\"eu\"} 1\n"));
    /// let om = obs.metrics().render(Format::OpenMetrics)?;
    /// assert!(om.contains("# TYPE orders counter\n") && om.ends_with("# EOF\n"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn render(&self, format: Format) -> Result<String> {
        render(&self.registry, format)
    }

    /// Records one metric entity: updates the instrument of its series
    /// (counter: add, gauge: set, histogram: observe with the family's
    /// buckets, the default ones for a new family) and its name summary,
    /// then stores it. The unit is announced in the exposition only when the
    /// name ends with `_<unit>`.
    pub fn record(&self, metric: &Metric) -> Result<()> {
        self.update_instrument(metric)?;
        {
            let mut aggregates = self.aggregates.lock();
            aggregates
                .names
                .entry(metric.name().to_owned())
                .or_default()
                .add(metric.value());
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
        Ok(self.aggregates.lock().names.get(name).copied())
    }

    /// Every recorded name with its summary, sorted by name.
    pub fn summaries(&self) -> Result<Vec<(String, MetricSummary)>> {
        let aggregates = self.aggregates.lock();
        let mut all: Vec<_> = aggregates.names.iter().map(|(n, s)| (n.clone(), *s)).collect();
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

    fn update_instrument(&self, metric: &Metric) -> Result<()> {
        let names: Vec<&str> = metric.labels().iter().map(|(n, _)| n).collect();
        let values: Vec<&str> = metric.labels().iter().map(|(_, v)| v).collect();
        let mut spec = FamilySpec::new(metric.name()).labels(&names);
        if unit_fits_name(metric) {
            spec = spec.unit(metric.unit());
        }
        match metric.kind() {
            MetricKind::Counter => self
                .registry
                .family::<Counter>(spec)?
                .with_label_values(&values)?
                .inc_by(metric.value()),
            MetricKind::Gauge => self
                .registry
                .family::<Gauge>(spec)?
                .with_label_values(&values)?
                .set(metric.value()),
            MetricKind::Histogram => self
                .registry
                .family::<Histogram>(spec)?
                .with_label_values(&values)?
                .observe(metric.value()),
        }
        Ok(())
    }
}

/// Whether the entity's unit can be announced: `[a-zA-Z0-9_]+` and a suffix of the name.
fn unit_fits_name(metric: &Metric) -> bool {
    let unit = metric.unit();
    let base = metric.name().strip_suffix("_total").unwrap_or(metric.name());
    !unit.is_empty()
        && unit.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && base.ends_with(&format!("_{unit}"))
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
