//! [`MetricsService`]: records metric entities and answers what they add up to.

use std::sync::Arc;

use crate::domain::{Labels, Metric, MetricKind};
use crate::error::{ObsError, Result};
use crate::metrics::{
    render, AnyFamily, Buckets, Counter, Family, FamilySpec, Format, Gauge, Histogram, Instrument,
    Registrable, Registry, DEFAULT_SERIES_BUDGET,
};
use crate::ports::{Evictions, Query, Repository};

/// The info family carrying the service identity, rendered `target_info`.
const TARGET_INFO: &str = "target";

/// What the live series of one family add up to, read from the instruments
/// (the registry is the one source of truth; nothing else keeps a value).
///
/// For a counter or gauge, `count` is the number of series and `sum`, `min`,
/// `max` are over their current values (a counter's total, a gauge's
/// level); for a histogram, `count` and `sum` are over every observation
/// and `min`/`max` are unknown (`None`).
///
/// ```
/// use observa::{Metric, MetricKind};
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// obs.metrics().record(&Metric::gauge("depth", 3.0)?.with_label("queue", "a")?)?;
/// obs.metrics().record(&Metric::gauge("depth", 5.0)?.with_label("queue", "b")?)?;
/// let s = obs.metrics().summary("depth")?.unwrap();
/// assert_eq!((s.kind, s.count, s.sum, s.min, s.max), (MetricKind::Gauge, 2, 8.0, Some(3.0), Some(5.0)));
/// assert_eq!(s.mean(), Some(4.0));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricSummary {
    /// The family's kind.
    pub kind: MetricKind,
    /// Series (counter, gauge) or observations (histogram).
    pub count: u64,
    /// The sum of the series' values, or of the observations.
    pub sum: f64,
    /// The smallest series value (counter, gauge).
    pub min: Option<f64>,
    /// The largest series value (counter, gauge).
    pub max: Option<f64>,
}

impl MetricSummary {
    /// `sum / count`, `None` while `count` is zero.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    fn of_values(kind: MetricKind, values: impl Iterator<Item = f64>) -> Self {
        let mut summary = MetricSummary {
            kind,
            count: 0,
            sum: 0.0,
            min: None,
            max: None,
        };
        for value in values {
            summary.count += 1;
            summary.sum += value;
            summary.min = Some(summary.min.map_or(value, |m| m.min(value)));
            summary.max = Some(summary.max.map_or(value, |m| m.max(value)));
        }
        summary
    }
}

/// The metrics service: hands out metric handles (the hot path), records
/// [`Metric`] entities into the same instruments and into a bounded
/// repository of recent history, and renders everything for Prometheus.
///
/// An entity and a handle with the same name and labels update the same
/// series; current values and summaries are read from the instruments.
/// A name keeps the kind, label names, help, unit and buckets it was first
/// registered with; asking for it with others is a conflict, and so is a
/// name that would render a sample name another family renders.
///
/// ```
/// use observa::{Labels, Metric, Observability};
///
/// let obs = Observability::builder().service("shop", "1.0").build()?;
/// let metrics = obs.metrics();
/// metrics.record(&Metric::counter("orders_total", 2.0)?.with_label("region", "eu")?)?;
/// metrics.counter("orders_total", &[("region", "eu")])?.inc(); // the same series
/// let eu = Labels::new([("region", "eu")])?;
/// assert_eq!(metrics.current_value("orders_total", &eu)?, Some(3.0));
/// assert!(metrics.render(observa::metrics::Format::Prometheus)?.contains("orders_total{region=\"eu\"} 3\n"));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct MetricsService {
    repository: Arc<dyn Repository<Metric>>,
    registry: Arc<Registry>,
    /// Series each family registered through this service may hold.
    budget: usize,
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
            registry: Arc::new(Registry::new()),
            budget,
        }
    }

    /// The same registry and repository, registering new families with `budget`.
    pub(crate) fn with_family_budget(&self, budget: usize) -> Self {
        MetricsService {
            budget,
            ..self.clone()
        }
    }

    /// The counter for `name` and `labels`, registering the family on first
    /// use (label names sorted, unless the family exists with another order).
    /// Resolve it once and keep it: each call is a lookup, each `inc` on the
    /// handle is one atomic add.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> Result<Counter> {
        self.resolve(FamilySpec::new(name), labels)
    }

    /// The gauge for `name` and `labels`; see [`MetricsService::counter`].
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Result<Gauge> {
        self.resolve(FamilySpec::new(name), labels)
    }

    /// The histogram for `name` and `labels` with `buckets`; see [`MetricsService::counter`].
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)], buckets: Buckets) -> Result<Histogram> {
        self.resolve(FamilySpec::new(name).buckets(buckets), labels)
    }

    /// The counter family described by `spec` (help, unit, label names).
    pub fn counter_family(&self, spec: FamilySpec) -> Result<Family<Counter>> {
        self.registry.family(spec, self.budget)
    }

    /// The gauge family described by `spec`.
    pub fn gauge_family(&self, spec: FamilySpec) -> Result<Family<Gauge>> {
        self.registry.family(spec, self.budget)
    }

    /// The histogram family described by `spec`.
    pub fn histogram_family(&self, spec: FamilySpec) -> Result<Family<Histogram>> {
        self.registry.family(spec, self.budget)
    }

    /// The series of `labels` in the family `spec` names: label values are
    /// matched to an existing family's label names by name.
    fn resolve<M: Registrable>(&self, spec: FamilySpec, labels: &[(&str, &str)]) -> Result<M> {
        let mut sorted = labels.to_vec();
        sorted.sort_unstable_by_key(|(name, _)| *name);
        let mut names: Vec<String> = sorted.iter().map(|(n, _)| (*n).to_owned()).collect();
        if let Some(existing) = self.registry.get(spec.name()) {
            let mut existing_names = existing.label_names().to_vec();
            existing_names.sort_unstable();
            if existing_names == names {
                names = existing.label_names().to_vec();
            }
        }
        let values: Vec<&str> = names
            .iter()
            .map(|n| sorted.iter().find(|(name, _)| name == n).map_or("", |(_, v)| *v))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.registry
            .family::<M>(spec.labels(&names), self.budget)?
            .with_label_values(&values)
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Exports the service identity once, as `target_info` (OpenMetrics
    /// info; an info-style gauge in 0.0.4): `service_name`,
    /// `service_version`, `deployment_environment` (if set) and the default
    /// labels, which may not reuse those three names.
    pub(crate) fn export_identity(
        &self,
        (service, version): (&str, &str),
        environment: Option<&str>,
        defaults: &Labels,
    ) -> Result<()> {
        let mut identity = Labels::new([("service_name", service), ("service_version", version)])?;
        if let Some(env) = environment {
            identity.insert("deployment_environment", env)?;
        }
        if let Some((name, _)) = defaults.iter().find(|(name, _)| identity.contains(name)) {
            return Err(ObsError::configuration(
                "label",
                format!("`{name}` is part of the service identity; set it with service() or environment()"),
            ));
        }
        let help = "Target metadata: the service identity, exported once instead of on every series.";
        self.registry
            .info(TARGET_INFO, help, defaults.with_defaults(&identity)?)
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
    /// buckets, the default ones for a new family), then stores it in the
    /// bounded repository. The series is the one a handle with the same
    /// name and labels uses, within the family's series budget. The unit is
    /// announced in the exposition only when the name ends with `_<unit>`.
    pub fn record(&self, metric: &Metric) -> Result<()> {
        let labels: Vec<(&str, &str)> = metric.labels().iter().collect();
        let mut spec = FamilySpec::new(metric.name());
        if unit_fits_name(metric) {
            spec = spec.unit(metric.unit());
        }
        match metric.kind() {
            MetricKind::Counter => self.resolve::<Counter>(spec, &labels)?.inc_by(metric.value()),
            MetricKind::Gauge => self.resolve::<Gauge>(spec, &labels)?.set(metric.value()),
            MetricKind::Histogram => self.resolve::<Histogram>(spec, &labels)?.observe(metric.value()),
        }
        self.repository.save(metric.clone())
    }

    /// The current value of the series `name` + `labels`, read from its
    /// instrument: a counter's total, a gauge's level, a histogram's sum of
    /// observations. `None` when no such series exists (a label set folded
    /// into the overflow series has none of its own).
    pub fn current_value(&self, name: &str, labels: &Labels) -> Result<Option<f64>> {
        let Some(family) = self.registry.get(name) else {
            return Ok(None);
        };
        let names = family.label_names();
        if names.len() != labels.len() {
            return Ok(None);
        }
        let Some(values) = names.iter().map(|n| labels.get(n)).collect::<Option<Vec<&str>>>() else {
            return Ok(None);
        };
        Ok(match &family {
            AnyFamily::Counter(f) => f.get(&values).map(|c| c.get()),
            AnyFamily::Gauge(f) => f.get(&values).map(|g| g.get()),
            AnyFamily::Histogram(f) => f.get(&values).map(|h| h.snapshot().sum()),
            AnyFamily::Info(_) => None,
        })
    }

    /// What the live series of the family `name` add up to (see
    /// [`MetricSummary`]), `None` if no such family is registered.
    pub fn summary(&self, name: &str) -> Result<Option<MetricSummary>> {
        Ok(self.registry.get(name).as_ref().and_then(summarise))
    }

    /// Every registered family with its summary, sorted by name.
    pub fn summaries(&self) -> Result<Vec<(String, MetricSummary)>> {
        let mut all = Vec::new();
        let _ = self.registry.for_each_family(|family| {
            if let Some(summary) = summarise(family) {
                all.push((family.name().to_owned(), summary));
            }
            Ok(())
        });
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

/// Reads a family's live series (overflow included) into a summary.
fn summarise(family: &AnyFamily) -> Option<MetricSummary> {
    fn handles<M: Instrument>(family: &Family<M>) -> Vec<M> {
        family.with_series(|map, overflow| {
            map.entries
                .iter()
                .map(|s| &s.handle)
                .chain(overflow)
                .cloned()
                .collect()
        })
    }
    Some(match family {
        AnyFamily::Counter(f) => {
            MetricSummary::of_values(MetricKind::Counter, handles(f).iter().map(Counter::get))
        }
        AnyFamily::Gauge(f) => MetricSummary::of_values(MetricKind::Gauge, handles(f).iter().map(Gauge::get)),
        AnyFamily::Histogram(f) => {
            let snapshots: Vec<_> = handles(f).iter().map(Histogram::snapshot).collect();
            MetricSummary {
                kind: MetricKind::Histogram,
                count: snapshots.iter().map(|s| s.count()).sum(),
                sum: snapshots.iter().map(|s| s.sum()).sum(),
                min: None,
                max: None,
            }
        }
        AnyFamily::Info(_) => return None,
    })
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
            (2, Some(1.0), Some(9.0), 10.0),
            "two series: eu at 1, us at 9"
        );
        assert_eq!(s.by_name("depth").unwrap().len(), 3);
    }

    #[test]
    fn a_name_cannot_change_kind() {
        let s = service();
        s.record(&Metric::gauge("x", 1.0).unwrap()).unwrap();
        let err = s.record(&Metric::counter("x", 1.0).unwrap()).unwrap_err();
        assert_eq!(err.code(), "conflict");
        let summary = s.summary("x").unwrap().unwrap();
        assert_eq!(
            (summary.kind, summary.sum),
            (MetricKind::Gauge, 1.0),
            "the refused metric is not counted"
        );
    }

    #[test]
    fn label_order_follows_the_registered_family() {
        let s = service();
        let family = s
            .counter_family(FamilySpec::new("hits_total").labels(&["path", "code"]))
            .unwrap();
        family.with_label_values(&["/", "200"]).unwrap().inc();
        let entity = Metric::counter("hits_total", 2.0)
            .unwrap()
            .with_label("code", "200")
            .unwrap()
            .with_label("path", "/")
            .unwrap();
        s.record(&entity).unwrap();
        s.counter("hits_total", &[("code", "200"), ("path", "/")])
            .unwrap()
            .inc();
        assert_eq!(family.len(), 1);
        assert_eq!(s.current_value("hits_total", entity.labels()).unwrap(), Some(4.0));
    }

    #[test]
    fn histogram_summaries_come_from_the_instruments() {
        let s = service();
        for v in [1.0, 3.0] {
            s.record(&Metric::histogram("wait_seconds", v).unwrap()).unwrap();
        }
        s.histogram("wait_seconds", &[], Buckets::default())
            .unwrap()
            .observe(2.0);
        let summary = s.summary("wait_seconds").unwrap().unwrap();
        assert_eq!((summary.count, summary.sum, summary.mean()), (3, 6.0, Some(2.0)));
        assert_eq!(
            s.current_value("wait_seconds", &Labels::empty()).unwrap(),
            Some(6.0)
        );
        assert!(s
            .summaries()
            .unwrap()
            .iter()
            .any(|(name, _)| name == "wait_seconds"));
    }
}
