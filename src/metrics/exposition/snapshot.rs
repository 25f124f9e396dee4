//! The registry as plain values, for exporters that push (OTLP): each
//! family's name, help, unit and points, read from the live instruments.
//! Info families (`target_info`) are left out: pushed formats carry the
//! service identity as resource attributes.

use super::super::family::{Family, Instrument, SeriesMap};
use super::super::registry::{AnyFamily, Registry};
use super::super::{Histogram, MetricKind};
use super::OVERFLOW_LABELS;

/// One series' label pairs, in the family's label order.
pub(crate) type LabelPairs = Vec<(String, String)>;

/// A histogram's state: per-bucket (not cumulative) counts, one more than
/// the finite upper bounds (the last bucket is `+Inf`).
pub(crate) struct HistogramPoint {
    pub(crate) bounds: Vec<f64>,
    pub(crate) counts: Vec<u64>,
    pub(crate) sum: f64,
    pub(crate) count: u64,
}

/// The points of one family, by kind.
pub(crate) enum Points {
    Counter(Vec<(LabelPairs, f64)>),
    Gauge(Vec<(LabelPairs, f64)>),
    Histogram(Vec<(LabelPairs, HistogramPoint)>),
}

/// One family: counters named without `_total`.
pub(crate) struct FamilySnapshot {
    pub(crate) name: String,
    pub(crate) help: Option<String>,
    pub(crate) unit: Option<String>,
    pub(crate) points: Points,
}

/// Every counter, gauge and histogram family with its series.
pub(crate) fn snapshot(registry: &Registry) -> Vec<FamilySnapshot> {
    let mut out = Vec::new();
    let _ = registry.for_each_family(|family| {
        let (desc, kind, points) = match family {
            AnyFamily::Counter(f) => (
                f.descriptor(),
                MetricKind::Counter,
                Points::Counter(series(f, |c| c.get())),
            ),
            AnyFamily::Gauge(f) => (
                f.descriptor(),
                MetricKind::Gauge,
                Points::Gauge(series(f, |g| g.get())),
            ),
            AnyFamily::Histogram(f) => (
                f.descriptor(),
                MetricKind::Histogram,
                Points::Histogram(series(f, histogram)),
            ),
            AnyFamily::Info(_) => return Ok(()),
        };
        out.push(FamilySnapshot {
            name: desc.sample_base(kind).to_owned(),
            help: desc.help.get().cloned(),
            unit: desc.unit.get().cloned(),
            points,
        });
        Ok(())
    });
    out
}

fn series<M: Instrument, P>(family: &Family<M>, mut point: impl FnMut(&M) -> P) -> Vec<(LabelPairs, P)> {
    let names = &family.descriptor().label_names;
    family.with_series(|map: &SeriesMap<M>, overflow| {
        let mut out: Vec<(LabelPairs, P)> = map
            .entries
            .iter()
            .map(|s| {
                let labels = names.iter().cloned().zip(s.values.iter().cloned()).collect();
                (labels, point(&s.handle))
            })
            .collect();
        if let Some(handle) = overflow {
            let (name, value) = OVERFLOW_LABELS[0];
            out.push((vec![(name.to_owned(), value.to_owned())], point(handle)));
        }
        out
    })
}

fn histogram(h: &Histogram) -> HistogramPoint {
    let mut bounds = Vec::new();
    let mut counts = Vec::new();
    let (sum, count) = h.visit(|bound, c| {
        counts.push(c);
        if bound.is_finite() {
            bounds.push(bound);
        }
    });
    HistogramPoint {
        bounds,
        counts,
        sum,
        count,
    }
}
