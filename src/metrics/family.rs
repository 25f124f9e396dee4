//! [`Family`]: all series of one metric name, keyed by label values, with a
//! cardinality budget.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use super::invalid::InvalidSink;
use super::{Buckets, Counter, Gauge, Histogram, MetricKind};
use crate::domain::rules;
use crate::error::{ObsError, Result};
use crate::hash::hash_strs;

/// The label a family's overflow series carries instead of its own labels.
pub const OVERFLOW_LABEL: &str = "observa_overflow";

/// A handle type a [`Family`] can hold ([`Counter`], [`Gauge`],
/// [`Histogram`]); sealed: the registry creates a fresh one for each series.
pub trait Instrument: Clone + Send + Sync + 'static + sealed::Create {
    /// The kind of family holding it.
    const KIND: MetricKind;
}

pub(crate) mod sealed {
    use std::sync::Arc;

    use super::super::invalid::InvalidSink;
    use super::super::Buckets;

    /// Creates a zeroed instrument that counts refused updates in `invalid`.
    pub trait Create {
        /// A new instrument for a family with these buckets (histograms only).
        fn create(buckets: Option<&Buckets>, invalid: Option<Arc<InvalidSink>>) -> Self;
    }
}

impl Instrument for Counter {
    const KIND: MetricKind = MetricKind::Counter;
}
impl sealed::Create for Counter {
    fn create(_: Option<&Buckets>, invalid: Option<Arc<InvalidSink>>) -> Self {
        Counter::with_sink(invalid)
    }
}

impl Instrument for Gauge {
    const KIND: MetricKind = MetricKind::Gauge;
}
impl sealed::Create for Gauge {
    fn create(_: Option<&Buckets>, invalid: Option<Arc<InvalidSink>>) -> Self {
        Gauge::with_sink(invalid)
    }
}

impl Instrument for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;
}
impl sealed::Create for Histogram {
    fn create(buckets: Option<&Buckets>, invalid: Option<Arc<InvalidSink>>) -> Self {
        Histogram::new(buckets.cloned().unwrap_or_default(), invalid)
    }
}

/// Hashes are computed by [`hash_strs`]; the map uses them as they are.
#[derive(Default)]
pub(crate) struct PrehashedKey(u64);

impl Hasher for PrehashedKey {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Series in creation order, plus an index from the label-value hash to the
/// first series with that hash; series sharing a hash are chained by `next`.
pub(crate) struct SeriesMap<M> {
    index: HashMap<u64, usize, BuildHasherDefault<PrehashedKey>>,
    pub(crate) entries: Vec<Series<M>>,
}

/// One series: its label values, its handle, the next series with the same hash.
pub(crate) struct Series<M> {
    pub(crate) values: Box<[String]>,
    pub(crate) handle: M,
    next: Option<usize>,
}

/// What describes a family: name, help, unit, label names, buckets.
#[derive(Debug)]
pub(crate) struct Descriptor {
    pub(crate) name: String,
    pub(crate) help: OnceLock<String>,
    pub(crate) unit: OnceLock<String>,
    pub(crate) label_names: Box<[String]>,
    pub(crate) buckets: Option<Buckets>,
}

struct FamilyCore<M> {
    desc: Descriptor,
    series: RwLock<SeriesMap<M>>,
    budget: usize,
    overflow: OnceLock<M>,
    refused: OnceLock<Counter>,
    invalid: Option<Arc<InvalidSink>>,
}

/// Every series of one metric name. [`Family::with_label_values`] finds or
/// creates the series for a list of label values (in the family's label-name
/// order) and returns its handle. Past the cardinality budget, new label
/// sets share one overflow series labelled `observa_overflow="true"`, and
/// `observa_series_refused_total{family}` counts each refusal.
///
/// ```
/// use observa::metrics::FamilySpec;
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let requests = obs.metrics().counter_family(
///     FamilySpec::new("http_requests_total").help("HTTP requests served.").labels(&["method", "code"]),
/// )?;
/// requests.with_label_values(&["GET", "200"])?.inc();
/// requests.with_label_values(&["GET", "200"])?.inc();
/// assert_eq!(requests.with_label_values(&["GET", "200"])?.get(), 2.0);
/// assert!(requests.with_label_values(&["GET"]).is_err()); // one value per label name
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct Family<M>(Arc<FamilyCore<M>>);

impl<M> Clone for Family<M> {
    fn clone(&self) -> Self {
        Family(Arc::clone(&self.0))
    }
}

impl<M: Instrument> Family<M> {
    pub(crate) fn new(desc: Descriptor, budget: usize, invalid: Option<Arc<InvalidSink>>) -> Self {
        Family(Arc::new(FamilyCore {
            desc,
            series: RwLock::new(SeriesMap {
                index: HashMap::default(),
                entries: Vec::new(),
            }),
            budget,
            overflow: OnceLock::new(),
            refused: OnceLock::new(),
            invalid,
        }))
    }

    /// The handle for these label values, created on first use.
    #[inline]
    pub fn with_label_values<S: AsRef<str>>(&self, values: &[S]) -> Result<M> {
        let core = &*self.0;
        if values.len() != core.desc.label_names.len() {
            return Err(ObsError::validation(
                "metric",
                "labels",
                format!("{} values", values.len()),
                format!(
                    "`{}` takes values for {:?}",
                    core.desc.name, core.desc.label_names
                ),
            ));
        }
        let hash = hash_strs(values);
        if let Some(found) = core.series.read().find(hash, values) {
            return Ok(found);
        }
        self.insert(hash, values)
    }

    #[cold]
    fn insert<S: AsRef<str>>(&self, hash: u64, values: &[S]) -> Result<M> {
        for value in values {
            rules::label_value("metric", value.as_ref())?;
        }
        let core = &*self.0;
        let mut series = core.series.write();
        if let Some(found) = series.find(hash, values) {
            return Ok(found);
        }
        if series.entries.len() >= core.budget {
            if let Some(refused) = core.refused.get() {
                refused.inc();
            }
            return Ok(core
                .overflow
                .get_or_init(|| M::create(core.desc.buckets.as_ref(), core.invalid.clone()))
                .clone());
        }
        let handle = M::create(core.desc.buckets.as_ref(), core.invalid.clone());
        series.push(
            hash,
            values.iter().map(|v| v.as_ref().to_owned()).collect(),
            handle.clone(),
        );
        Ok(handle)
    }

    /// The existing series for these label values (never creates one).
    pub(crate) fn get<S: AsRef<str>>(&self, values: &[S]) -> Option<M> {
        if values.len() != self.0.desc.label_names.len() {
            return None;
        }
        self.0.series.read().find(hash_strs(values), values)
    }

    /// The metric name.
    pub fn name(&self) -> &str {
        &self.0.desc.name
    }

    /// The label names, in the order values are given.
    pub fn label_names(&self) -> &[String] {
        &self.0.desc.label_names
    }

    /// How many series exist (not counting the overflow series).
    pub fn len(&self) -> usize {
        self.0.series.read().entries.len()
    }

    /// Whether no series exists yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn descriptor(&self) -> &Descriptor {
        &self.0.desc
    }

    pub(crate) fn count_refusals_in(&self, counter: Counter) {
        let _ = self.0.refused.set(counter);
    }

    /// Calls `f` with the series map (read-locked) and the overflow series, if any.
    pub(crate) fn with_series<R>(&self, f: impl FnOnce(&SeriesMap<M>, Option<&M>) -> R) -> R {
        f(&self.0.series.read(), self.0.overflow.get())
    }
}

impl<M: Clone> SeriesMap<M> {
    #[inline]
    fn find<S: AsRef<str>>(&self, hash: u64, values: &[S]) -> Option<M> {
        let mut position = *self.index.get(&hash)?;
        loop {
            let series = &self.entries[position];
            if series.values.iter().zip(values).all(|(k, v)| k == v.as_ref()) {
                return Some(series.handle.clone());
            }
            position = series.next?;
        }
    }

    fn push(&mut self, hash: u64, values: Box<[String]>, handle: M) {
        let position = self.entries.len();
        self.entries.push(Series {
            values,
            handle,
            next: None,
        });
        match self.index.get(&hash) {
            None => {
                self.index.insert(hash, position);
            }
            Some(&first) => {
                let mut last = first;
                while let Some(next) = self.entries[last].next {
                    last = next;
                }
                self.entries[last].next = Some(position);
            }
        }
    }
}

impl<M> std::fmt::Debug for Family<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family")
            .field("desc", &self.0.desc)
            .field("budget", &self.0.budget)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(budget: usize) -> Family<Counter> {
        let desc = Descriptor {
            name: "c_total".into(),
            help: OnceLock::new(),
            unit: OnceLock::new(),
            label_names: vec!["user".to_owned()].into(),
            buckets: None,
        };
        let family = Family::new(desc, budget, None);
        family.count_refusals_in(Counter::default());
        family
    }

    #[test]
    fn past_the_budget_new_label_sets_fold_into_overflow() {
        let f = family(3);
        for i in 0..1_000 {
            f.with_label_values(&[format!("user{i}")]).unwrap().inc();
        }
        assert_eq!(f.len(), 3);
        let overflow = f.with_series(|_, overflow| overflow.unwrap().get());
        assert_eq!(overflow, 997.0);
        assert_eq!(f.0.refused.get().unwrap().get(), 997.0);
        // existing series still resolve to themselves
        assert_eq!(f.with_label_values(&["user0"]).unwrap().get(), 1.0);
    }

    #[test]
    fn series_sharing_a_hash_are_chained() {
        let mut map = SeriesMap {
            index: HashMap::default(),
            entries: Vec::new(),
        };
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            let counter = Counter::default();
            counter.inc_by(i as f64 + 1.0);
            map.push(7, vec![(*name).to_owned()].into(), counter); // same hash on purpose
        }
        assert_eq!(map.find(7, &["c"]).unwrap().get(), 3.0);
        assert_eq!(map.find(7, &["a"]).unwrap().get(), 1.0);
        assert!(map.find(7, &["d"]).is_none());
        assert!(map.find(8, &["a"]).is_none());
    }

    #[test]
    fn over_long_values_are_rejected_not_stored() {
        let f = family(10);
        assert!(f.with_label_values(&["x".repeat(2_000)]).is_err());
        assert!(f.is_empty());
    }
}
