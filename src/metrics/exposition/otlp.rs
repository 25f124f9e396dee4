//! The registry as OTLP metrics: counters as monotonic cumulative sums,
//! gauges as gauges, histograms as explicit-bucket cumulative histograms.
//! Info families (`target_info`) are left out: OTLP carries the service
//! identity as resource attributes.

use super::super::family::{Family, Instrument, SeriesMap};
use super::super::registry::{AnyFamily, Registry};
use super::super::{Histogram, MetricKind};
use super::OVERFLOW_LABELS;
use crate::otlp::proto::{
    metric, number_data_point, AggregationTemporality, Gauge, HistogramDataPoint, KeyValue, Metric,
    NumberDataPoint, Sum,
};

/// Every series of every family, as points covering `start..now` (nanoseconds since the Unix epoch).
pub(crate) fn metrics(registry: &Registry, start: u64, now: u64) -> Vec<Metric> {
    let mut out = Vec::new();
    let number = |value: f64, attributes| NumberDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: now,
        value: Some(number_data_point::Value::AsDouble(value)),
        ..Default::default()
    };
    let _ = registry.for_each_family(|family| {
        let data = match family {
            AnyFamily::Counter(f) => (
                f.descriptor(),
                MetricKind::Counter,
                metric::Data::Sum(Sum {
                    data_points: points(f, |c, attributes| number(c.get(), attributes)),
                    aggregation_temporality: AggregationTemporality::Cumulative as i32,
                    is_monotonic: true,
                }),
            ),
            AnyFamily::Gauge(f) => (
                f.descriptor(),
                MetricKind::Gauge,
                metric::Data::Gauge(Gauge {
                    data_points: points(f, |g, attributes| number(g.get(), attributes)),
                }),
            ),
            AnyFamily::Histogram(f) => (
                f.descriptor(),
                MetricKind::Histogram,
                metric::Data::Histogram(crate::otlp::proto::Histogram {
                    data_points: points(f, |h, attributes| histogram(h, attributes, start, now)),
                    aggregation_temporality: AggregationTemporality::Cumulative as i32,
                }),
            ),
            AnyFamily::Info(_) => return Ok(()),
        };
        let (desc, kind, data) = data;
        out.push(Metric {
            name: desc.sample_base(kind).to_owned(),
            description: desc.help.get().cloned().unwrap_or_default(),
            unit: desc.unit.get().map(|u| ucum(u).to_owned()).unwrap_or_default(),
            metadata: Vec::new(),
            data: Some(data),
        });
        Ok(())
    });
    out
}

fn points<M: Instrument, P>(family: &Family<M>, mut point: impl FnMut(&M, Vec<KeyValue>) -> P) -> Vec<P> {
    let names = &family.descriptor().label_names;
    family.with_series(|map: &SeriesMap<M>, overflow| {
        let mut out: Vec<P> = map
            .entries
            .iter()
            .map(|series| {
                let attributes = names
                    .iter()
                    .zip(series.values.iter())
                    .map(|(n, v)| KeyValue::string(n.as_str(), v.as_str()))
                    .collect();
                point(&series.handle, attributes)
            })
            .collect();
        if let Some(handle) = overflow {
            let (name, value) = OVERFLOW_LABELS[0];
            out.push(point(handle, vec![KeyValue::string(name, value)]));
        }
        out
    })
}

fn histogram(h: &Histogram, attributes: Vec<KeyValue>, start: u64, now: u64) -> HistogramDataPoint {
    let mut bucket_counts = Vec::new();
    let mut explicit_bounds = Vec::new();
    let (sum, count) = h.visit(|bound, c| {
        bucket_counts.push(c);
        if bound.is_finite() {
            explicit_bounds.push(bound);
        }
    });
    HistogramDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: now,
        count,
        sum: Some(sum),
        bucket_counts,
        explicit_bounds,
        ..Default::default()
    }
}

/// The UCUM code OpenTelemetry uses for a Prometheus-style unit name.
fn ucum(unit: &str) -> &str {
    match unit {
        "seconds" => "s",
        "milliseconds" => "ms",
        "microseconds" => "us",
        "nanoseconds" => "ns",
        "bytes" => "By",
        "ratio" => "1",
        "percent" => "%",
        other => other,
    }
}
