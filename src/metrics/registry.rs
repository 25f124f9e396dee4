//! [`Registry`]: every metric family by name, registered with validation.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use parking_lot::RwLock;

use super::family::{Descriptor, Family, Instrument};
use super::{Buckets, Counter, Gauge, Histogram, MetricKind};
use crate::domain::rules;
use crate::error::{ObsError, Result};

/// Default number of series one family may hold before folding new label sets into overflow.
pub const DEFAULT_SERIES_BUDGET: usize = 2_000;
/// Most families one registry holds.
pub const MAX_FAMILIES: usize = 10_000;
/// The self-metric counting label sets refused by a family's budget.
pub const REFUSED_SERIES: &str = "observa_series_refused_total";
/// The self-metric counting records repositories dropped to stay within bounds, by entity kind.
pub const DROPPED_RECORDS: &str = "observa_dropped_total";

/// How to register a family: name, help, unit, label names and (histograms) buckets.
///
/// The unit, if given, must be a suffix of the name (`latency_seconds` with
/// unit `seconds`; for counters before `_total`), as OpenMetrics requires.
///
/// ```
/// use observa::metrics::{Buckets, FamilySpec};
///
/// let spec = FamilySpec::new("request_duration_seconds")
///     .help("Time to serve a request.")
///     .unit("seconds")
///     .labels(&["route"])
///     .buckets(Buckets::exponential(0.001, 2.0, 12)?);
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let family = obs.metrics().histogram_family(spec)?;
/// family.with_label_values(&["/orders"])?.observe(0.004);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct FamilySpec {
    name: String,
    help: Option<String>,
    unit: Option<String>,
    label_names: Vec<String>,
    buckets: Option<Buckets>,
}

impl FamilySpec {
    /// A spec for `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FamilySpec {
            name: name.into(),
            ..FamilySpec::default()
        }
    }
    /// The HELP text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// The unit (a suffix of the name).
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
    /// The label names, in the order values will be given.
    pub fn labels(mut self, names: &[&str]) -> Self {
        self.label_names = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }
    /// The histogram buckets (default [`DEFAULT_BUCKETS`](super::DEFAULT_BUCKETS)).
    pub fn buckets(mut self, buckets: Buckets) -> Self {
        self.buckets = Some(buckets);
        self
    }
}

/// A family of any kind, as the registry holds it.
#[derive(Clone, Debug)]
pub(crate) enum AnyFamily {
    Counter(Family<Counter>),
    Gauge(Family<Gauge>),
    Histogram(Family<Histogram>),
}

impl AnyFamily {
    fn kind(&self) -> MetricKind {
        match self {
            AnyFamily::Counter(_) => MetricKind::Counter,
            AnyFamily::Gauge(_) => MetricKind::Gauge,
            AnyFamily::Histogram(_) => MetricKind::Histogram,
        }
    }
}

/// Turns a typed family into the registry's enum and back.
pub(crate) trait Registrable: Instrument {
    fn wrap(family: Family<Self>) -> AnyFamily;
    fn unwrap(family: &AnyFamily) -> Option<Family<Self>>;
}

macro_rules! registrable {
    ($ty:ident) => {
        impl Registrable for $ty {
            fn wrap(family: Family<Self>) -> AnyFamily {
                AnyFamily::$ty(family)
            }
            fn unwrap(family: &AnyFamily) -> Option<Family<Self>> {
                match family {
                    AnyFamily::$ty(f) => Some(f.clone()),
                    _ => None,
                }
            }
        }
    };
}
registrable!(Counter);
registrable!(Gauge);
registrable!(Histogram);

/// All metric families, sorted by name. Registration validates names, label
/// names, units and buckets, and refuses a name already registered with
/// another kind, label names, help, unit or buckets.
pub(crate) struct Registry {
    families: RwLock<BTreeMap<String, AnyFamily>>,
    series_budget: usize,
    refused: Family<Counter>,
    dropped: Family<Counter>,
}

impl Registry {
    pub(crate) fn new(series_budget: usize) -> Self {
        let mut families = BTreeMap::new();
        let mut self_metric = |name: &str, help: &str, label: &str| {
            let spec = FamilySpec::new(name).help(help).labels(&[label]);
            let family = Family::new(descriptor(spec), usize::MAX);
            families.insert(name.to_owned(), AnyFamily::Counter(family.clone()));
            family
        };
        let refused = self_metric(
            REFUSED_SERIES,
            "Label sets folded into a family's overflow series because its series budget was spent.",
            "family",
        );
        let dropped = self_metric(
            DROPPED_RECORDS,
            "Records a bounded repository dropped (oldest first) to stay within capacity or age.",
            "kind",
        );
        Registry {
            families: RwLock::new(families),
            series_budget,
            refused,
            dropped,
        }
    }

    /// Sets `observa_dropped_total{kind}` to a repository's running total.
    pub(crate) fn report_dropped(&self, kind: &str, total: u64) -> Result<()> {
        self.dropped.with_label_values(&[kind])?.raise_to(total as f64);
        Ok(())
    }

    /// Finds or registers the family described by `spec`.
    pub(crate) fn family<M: Registrable>(&self, spec: FamilySpec) -> Result<Family<M>> {
        if let Some(existing) = self.families.read().get(&spec.name) {
            return reuse::<M>(existing, &spec);
        }
        validate(&spec, M::KIND)?;
        let mut families = self.families.write();
        if let Some(existing) = families.get(&spec.name) {
            return reuse::<M>(existing, &spec);
        }
        if families.len() >= MAX_FAMILIES {
            return Err(ObsError::Capacity {
                resource: "metric families".into(),
                limit: MAX_FAMILIES,
            });
        }
        let name = spec.name.clone();
        let family = Family::<M>::new(descriptor(spec), self.series_budget);
        family.count_refusals_in(self.refused.with_label_values(&[&name])?);
        families.insert(name, M::wrap(family.clone()));
        Ok(family)
    }

    /// Calls `f` for every family, sorted by name.
    pub(crate) fn for_each_family(
        &self,
        mut f: impl FnMut(&AnyFamily) -> std::fmt::Result,
    ) -> std::fmt::Result {
        self.families.read().values().try_for_each(&mut f)
    }
}

fn descriptor(spec: FamilySpec) -> Descriptor {
    let help = OnceLock::new();
    if let Some(text) = spec.help {
        let _ = help.set(text);
    }
    let unit = OnceLock::new();
    if let Some(text) = spec.unit {
        let _ = unit.set(text);
    }
    Descriptor {
        name: spec.name,
        help,
        unit,
        label_names: spec.label_names.into(),
        buckets: spec.buckets,
    }
}

/// Returns the existing family if `spec` agrees with it; a spec that leaves
/// help or unit out agrees with anything, and a first explicit help or unit
/// is kept.
fn reuse<M: Registrable>(existing: &AnyFamily, spec: &FamilySpec) -> Result<Family<M>> {
    let conflict = |what: String| Err(ObsError::conflict("metric", format!("`{}` {what}", spec.name)));
    let Some(family) = M::unwrap(existing) else {
        return conflict(format!(
            "is registered as a {}, not a {}",
            existing.kind(),
            M::KIND
        ));
    };
    let desc = family.descriptor();
    if *desc.label_names != *spec.label_names {
        return conflict(format!(
            "has labels {:?}, not {:?}",
            desc.label_names, spec.label_names
        ));
    }
    if spec.buckets.is_some() && spec.buckets != desc.buckets {
        return conflict("is registered with other buckets".into());
    }
    for (field, given, kept) in [("help", &spec.help, &desc.help), ("unit", &spec.unit, &desc.unit)] {
        if let Some(given) = given {
            validate_text(field, given)?;
            let kept = kept.get_or_init(|| given.clone());
            if kept != given {
                return conflict(format!("is registered with {field} {kept:?}, not {given:?}"));
            }
        }
    }
    Ok(family)
}

fn validate(spec: &FamilySpec, kind: MetricKind) -> Result<()> {
    rules::metric_name("metric", &spec.name)?;
    if spec.name.starts_with("observa_") {
        // self-telemetry names are reserved, so a user family cannot collide with them
        return Err(ObsError::validation(
            "metric",
            "name",
            &spec.name,
            "the `observa_` prefix is reserved",
        ));
    }
    for name in &spec.label_names {
        rules::label_name("metric", name)?;
        if kind == MetricKind::Histogram && (name == "le" || name == "quantile") {
            return Err(ObsError::validation(
                "metric",
                "label name",
                name,
                "reserved on histograms",
            ));
        }
    }
    let mut sorted = spec.label_names.clone();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ObsError::validation(
            "metric",
            "label name",
            &pair[0],
            "label names must be unique",
        ));
    }
    rules::at_most("metric", "labels", spec.label_names.len(), rules::MAX_LABELS)?;
    if let Some(help) = &spec.help {
        validate_text("help", help)?;
    }
    if let Some(unit) = &spec.unit {
        validate_unit(&spec.name, unit, kind)?;
    }
    if kind == MetricKind::Histogram
        && ["_bucket", "_sum", "_count"]
            .iter()
            .any(|s| spec.name.ends_with(s))
    {
        return Err(ObsError::validation(
            "metric",
            "name",
            &spec.name,
            "a histogram name must not end in _bucket, _sum or _count",
        ));
    }
    Ok(())
}

fn validate_text(field: &'static str, text: &str) -> Result<()> {
    rules::text("metric", field, text, rules::MAX_MESSAGE_LEN)
}

fn validate_unit(name: &str, unit: &str, kind: MetricKind) -> Result<()> {
    let fail = |rule: &str| Err(ObsError::validation("metric", "unit", unit, rule));
    if unit.is_empty() || !unit.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return fail("must match [a-zA-Z0-9_]+");
    }
    let base = match kind {
        MetricKind::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    if !base.ends_with(&format!("_{unit}")) {
        return fail("the metric name must end with `_<unit>` (before `_total` for counters)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_registration_must_agree() {
        let r = Registry::new(10);
        let spec = || FamilySpec::new("jobs_total").labels(&["queue"]);
        let first: Family<Counter> = r.family(spec().help("Jobs run.")).unwrap();
        let again: Family<Counter> = r.family(spec()).unwrap();
        first.with_label_values(&["a"]).unwrap().inc();
        assert_eq!(again.with_label_values(&["a"]).unwrap().get(), 1.0);
        let code = |res: Result<Family<Counter>>| res.unwrap_err().code();
        assert_eq!(code(r.family(spec().help("Other help."))), "conflict");
        assert_eq!(code(r.family(FamilySpec::new("jobs_total"))), "conflict");
        assert_eq!(r.family::<Gauge>(spec()).unwrap_err().code(), "conflict");
    }

    #[test]
    fn specs_are_validated() {
        let r = Registry::new(10);
        let err = |spec| r.family::<Histogram>(spec).unwrap_err().code();
        assert_eq!(err(FamilySpec::new("bad-name")), "validation");
        assert_eq!(err(FamilySpec::new("h_seconds").labels(&["le"])), "validation");
        assert_eq!(
            err(FamilySpec::new("h_seconds").labels(&["a", "a"])),
            "validation"
        );
        assert_eq!(err(FamilySpec::new("h_seconds").unit("bytes")), "validation");
        assert_eq!(err(FamilySpec::new("h_count")), "validation");
        assert_eq!(err(FamilySpec::new("observa_mine")), "validation");
        assert!(r
            .family::<Histogram>(FamilySpec::new("h_seconds").unit("seconds"))
            .is_ok());
        assert!(r
            .family::<Counter>(FamilySpec::new("sent_bytes_total").unit("bytes"))
            .is_ok());
    }
}
