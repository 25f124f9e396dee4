//! [`Registry`]: every metric family by name, registered with validation.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::RwLock;

use super::family::{Family, Instrument};
use super::invalid::{InvalidSink, INVALID_UPDATES};
use super::spec::{descriptor, validate, validate_text, FamilySpec};
use super::{Buckets, Counter, Gauge, Histogram, MetricKind};
use crate::domain::{rules, Labels};
use crate::error::{ObsError, Result};

/// Default number of series one family may hold before folding new label
/// sets into overflow (each family has its own budget; observa's
/// `observa_*` self-metrics have none).
pub const DEFAULT_SERIES_BUDGET: usize = 2_000;
/// Most families one registry holds.
pub const MAX_FAMILIES: usize = 10_000;
/// The self-metric counting label sets refused by a family's budget.
pub const REFUSED_SERIES: &str = "observa_series_refused_total";
/// The self-metric counting records dropped to stay within bounds, by entity kind and reason.
pub const DROPPED_RECORDS: &str = "observa_dropped_total";
/// The self-metric counting alert notifications, by notifier and result.
pub const NOTIFICATIONS: &str = "observa_notifications_total";

/// A family of any kind, as the registry holds it.
#[derive(Clone, Debug)]
pub(crate) enum AnyFamily {
    Counter(Family<Counter>),
    Gauge(Family<Gauge>),
    Histogram(Family<Histogram>),
    /// An OpenMetrics info family (`target_info`): one constant label set.
    Info(Arc<InfoFamily>),
}

/// An info family: a name (without `_info`), help and one label set.
#[derive(Debug)]
pub(crate) struct InfoFamily {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) labels: Labels,
}

impl AnyFamily {
    /// The registered name.
    pub(crate) fn name(&self) -> &str {
        match self {
            AnyFamily::Counter(f) => f.name(),
            AnyFamily::Gauge(f) => f.name(),
            AnyFamily::Histogram(f) => f.name(),
            AnyFamily::Info(i) => &i.name,
        }
    }

    /// The label names, in the order values are given (none for info).
    pub(crate) fn label_names(&self) -> &[String] {
        match self {
            AnyFamily::Counter(f) => f.label_names(),
            AnyFamily::Gauge(f) => f.label_names(),
            AnyFamily::Histogram(f) => f.label_names(),
            AnyFamily::Info(_) => &[],
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            AnyFamily::Counter(_) => "counter",
            AnyFamily::Gauge(_) => "gauge",
            AnyFamily::Histogram(_) => "histogram",
            AnyFamily::Info(_) => "info",
        }
    }
}

/// Every name a family renders in either format (counter `x`: `x`,
/// `x_total`, `x_created`; histogram `x`: `x`, `x_bucket`, `x_sum`,
/// `x_count`, `x_created`; gauge `x`: `x`; info `x`: `x`, `x_info`).
fn rendered_names(name: &str, kind: &str) -> Vec<String> {
    let (base, suffixes): (&str, &[&str]) = match kind {
        "counter" => (
            name.strip_suffix("_total").unwrap_or(name),
            &["", "_total", "_created"],
        ),
        "histogram" => (name, &["", "_bucket", "_sum", "_count", "_created"]),
        "info" => (name, &["", "_info"]),
        _ => (name, &[""]),
    };
    suffixes.iter().map(|s| format!("{base}{s}")).collect()
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
/// names, units and buckets, refuses a name already registered with another
/// kind, label names, help, unit or buckets, and refuses a family that would
/// render a name another family renders (in either format).
pub(crate) struct Registry {
    families: RwLock<Families>,
    refused: Family<Counter>,
    dropped: Family<Counter>,
    invalid: Family<Counter>,
    notifications: Family<Counter>,
}

#[derive(Default)]
struct Families {
    by_name: BTreeMap<String, AnyFamily>,
    /// Every rendered name → the family that renders it.
    reserved: HashMap<String, String>,
}

impl Families {
    /// Refuses `name` if any name it renders is already rendered by another family.
    fn check_free(&self, name: &str, kind: &str) -> Result<()> {
        rendered_names(name, kind)
            .iter()
            .find_map(|rendered| self.reserved.get(rendered).map(|owner| (rendered, owner)))
            .map_or(Ok(()), |(rendered, owner)| {
                Err(ObsError::conflict(
                    "metric",
                    format!("`{name}` collides with `{owner}`: both would render `{rendered}`"),
                ))
            })
    }

    fn insert(&mut self, name: String, kind: &str, family: AnyFamily) {
        for rendered in rendered_names(&name, kind) {
            self.reserved.insert(rendered, name.clone());
        }
        self.by_name.insert(name, family);
    }
}

impl Registry {
    pub(crate) fn new() -> Self {
        let mut families = Families::default();
        let mut self_metric = |name: &str, help: &str, labels: &[&str]| {
            let spec = FamilySpec::new(name).help(help).labels(labels);
            let family = Family::new(descriptor(spec), usize::MAX, None);
            families.insert(name.to_owned(), "counter", AnyFamily::Counter(family.clone()));
            family
        };
        let refused = self_metric(
            REFUSED_SERIES,
            "Label sets folded into a family's overflow series because its series budget was spent.",
            &["family"],
        );
        let dropped = self_metric(
            DROPPED_RECORDS,
            "Records dropped to stay within bounds: by a repository (capacity, age), a sink (queue_full, io_error, sink_panic, shutdown_timeout) or OTLP (otlp_*).",
            &["kind", "reason"],
        );
        let invalid = self_metric(
            INVALID_UPDATES,
            "Handle updates refused (NaN, infinite, or negative where the kind forbids it), by family and reason.",
            &["family", "reason"],
        );
        let notifications = self_metric(
            NOTIFICATIONS,
            "Alert notifications by notifier and result (sent, failed, dropped, abandoned, resent).",
            &["notifier", "result"],
        );
        Registry {
            families: RwLock::new(families),
            refused,
            dropped,
            invalid,
            notifications,
        }
    }

    /// Sets `observa_dropped_total{kind,reason}` to a running total.
    pub(crate) fn report_dropped(&self, kind: &str, reason: &str, total: u64) -> Result<()> {
        self.dropped.with_label_values(&[kind, reason])?.raise_to(total);
        Ok(())
    }

    /// Sets `observa_notifications_total{notifier,result}` to a running total.
    pub(crate) fn report_notifications(&self, notifier: &str, result: &str, total: u64) -> Result<()> {
        self.notifications
            .with_label_values(&[notifier, result])?
            .raise_to(total);
        Ok(())
    }

    /// The family registered under `name`, if any.
    pub(crate) fn get(&self, name: &str) -> Option<AnyFamily> {
        self.families.read().by_name.get(name).cloned()
    }

    /// Finds or registers the family described by `spec`; a new family holds
    /// at most `budget` series.
    pub(crate) fn family<M: Registrable>(&self, spec: FamilySpec, budget: usize) -> Result<Family<M>> {
        if let Some(existing) = self.families.read().by_name.get(&spec.name) {
            return reuse::<M>(existing, &spec);
        }
        let mut families = self.families.write();
        if let Some(existing) = families.by_name.get(&spec.name) {
            return reuse::<M>(existing, &spec);
        }
        let kind = M::KIND.as_str();
        families.check_free(&spec.name, kind)?; // a clash names both families
        validate(&spec, M::KIND)?;
        check_room(&families)?;
        let name = spec.name.clone();
        let sink = Arc::new(InvalidSink::new(&name, self.invalid.clone()));
        let mut spec = spec;
        if M::KIND == MetricKind::Histogram && spec.buckets.is_none() {
            spec.buckets = Some(Buckets::default()); // so asking with the defaults agrees
        }
        let family = Family::<M>::new(descriptor(spec), budget, Some(sink));
        family.count_refusals_in(self.refused.with_label_values(&[&name])?);
        families.insert(name, kind, M::wrap(family.clone()));
        Ok(family)
    }

    /// Registers the info family `name` (rendered `name_info`) with one label set.
    pub(crate) fn info(&self, name: &str, help: &str, labels: Labels) -> Result<()> {
        rules::metric_name("metric", name)?;
        validate_text("help", help)?;
        let mut families = self.families.write();
        families.check_free(name, "info")?;
        check_room(&families)?;
        let info = InfoFamily {
            name: name.to_owned(),
            help: help.to_owned(),
            labels,
        };
        families.insert(name.to_owned(), "info", AnyFamily::Info(Arc::new(info)));
        Ok(())
    }

    /// Calls `f` for every family, sorted by name.
    pub(crate) fn for_each_family(
        &self,
        mut f: impl FnMut(&AnyFamily) -> std::fmt::Result,
    ) -> std::fmt::Result {
        self.families.read().by_name.values().try_for_each(&mut f)
    }
}

fn check_room(families: &Families) -> Result<()> {
    if families.by_name.len() >= MAX_FAMILIES {
        return Err(ObsError::Capacity {
            resource: "metric families".into(),
            limit: MAX_FAMILIES,
        });
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_registration_must_agree() {
        let r = Registry::new();
        let spec = || FamilySpec::new("jobs_total").labels(&["queue"]);
        let first: Family<Counter> = r.family(spec().help("Jobs run."), 10).unwrap();
        let again: Family<Counter> = r.family(spec(), 10).unwrap();
        first.with_label_values(&["a"]).unwrap().inc();
        assert_eq!(again.with_label_values(&["a"]).unwrap().get(), 1.0);
        let code = |res: Result<Family<Counter>>| res.unwrap_err().code();
        assert_eq!(code(r.family(spec().help("Other help."), 10)), "conflict");
        assert_eq!(code(r.family(FamilySpec::new("jobs_total"), 10)), "conflict");
        assert_eq!(r.family::<Gauge>(spec(), 10).unwrap_err().code(), "conflict");
    }

    #[test]
    fn specs_are_validated() {
        let r = Registry::new();
        let err = |spec| r.family::<Histogram>(spec, 10).unwrap_err().code();
        assert_eq!(err(FamilySpec::new("bad-name")), "validation");
        assert_eq!(err(FamilySpec::new("h_seconds").labels(&["le"])), "validation");
        assert_eq!(
            err(FamilySpec::new("h_seconds").labels(&["a", "a"])),
            "validation"
        );
        assert_eq!(err(FamilySpec::new("h_seconds").unit("bytes")), "validation");
        assert_eq!(err(FamilySpec::new("h_count")), "validation");
        assert_eq!(err(FamilySpec::new("h_total")), "validation");
        assert_eq!(err(FamilySpec::new("observa_mine")), "validation");
        assert_eq!(
            r.family::<Gauge>(FamilySpec::new("g_sum"), 10)
                .unwrap_err()
                .code(),
            "validation"
        );
        assert!(r
            .family::<Histogram>(FamilySpec::new("h_seconds").unit("seconds"), 10)
            .is_ok());
        assert!(r
            .family::<Counter>(FamilySpec::new("sent_bytes_total").unit("bytes"), 10)
            .is_ok());
    }

    /// Registers `first` then `second` (each a kind and a name); returns the second's error.
    fn collide(first: (&str, &str), second: (&str, &str)) -> Option<ObsError> {
        let r = Registry::new();
        let register = |(kind, name): (&str, &str)| -> Result<()> {
            let spec = FamilySpec::new(name);
            match kind {
                "counter" => r.family::<Counter>(spec, 10).map(drop),
                "gauge" => r.family::<Gauge>(spec, 10).map(drop),
                "histogram" => r.family::<Histogram>(spec, 10).map(drop),
                _ => r.info(name, "Info.", Labels::empty()),
            }
        };
        register(first).expect("the first registration is accepted");
        register(second).err()
    }

    #[test]
    fn families_that_render_the_same_name_are_refused() {
        let cases = [
            (("counter", "jobs"), ("counter", "jobs_total"), "jobs_total"),
            (("counter", "jobs_total"), ("counter", "jobs"), "jobs"),
            (("counter", "req"), ("gauge", "req_total"), "req_total"),
            (("counter", "req"), ("gauge", "req_created"), "req_created"),
            (("histogram", "size"), ("gauge", "size_count"), "size_count"),
            (("gauge", "lat"), ("counter", "lat_total"), "lat"),
            (("histogram", "size"), ("counter", "size_count"), "size_count"),
            (("histogram", "size"), ("gauge", "size_bucket_created"), ""),
            (("info", "target"), ("gauge", "target_info"), "target_info"),
            (("gauge", "target"), ("info", "target"), "target"),
        ];
        for (first, second, rendered) in cases {
            let err = collide(first, second);
            if rendered.is_empty() {
                assert!(err.is_none(), "{first:?} then {second:?}: {err:?}");
                continue;
            }
            let err = err.unwrap_or_else(|| panic!("{first:?} then {second:?} was accepted"));
            let message = err.to_string();
            assert_eq!(err.code(), "conflict", "{message}");
            assert!(
                message.contains(&format!("`{}`", first.1)),
                "names the registered family: {message}"
            );
            assert!(
                message.contains(&format!("`{}`", second.1)),
                "names the refused family: {message}"
            );
            assert!(
                message.contains(&format!("`{rendered}`")),
                "names the clash: {message}"
            );
        }
    }

    #[test]
    fn self_metrics_are_reserved_too() {
        // the `observa_` prefix is refused, and the names self-metrics render are reserved
        let r = Registry::new();
        assert!(r.family::<Counter>(FamilySpec::new(INVALID_UPDATES), 10).is_err());
        assert_eq!(
            r.info("observa_dropped", "x", Labels::empty())
                .unwrap_err()
                .code(),
            "conflict"
        );
    }
}
