//! The container's metrics as OTLP: counters as monotonic cumulative sums,
//! gauges as gauges, histograms as explicit-bucket cumulative histograms.

use super::proto::{
    metric, number_data_point, AggregationTemporality, Gauge, Histogram, HistogramDataPoint, KeyValue,
    Metric, NumberDataPoint, Sum,
};
use crate::metrics::{snapshot, FamilySnapshot, LabelPairs, MetricsService, Points};

/// Every family of `metrics`, as points covering `start..now` (nanoseconds
/// since the Unix epoch), and the number of points.
pub(crate) fn metrics(metrics: &MetricsService, start: u64, now: u64) -> (Vec<Metric>, u64) {
    let mut points = 0;
    let list = snapshot(metrics.registry())
        .into_iter()
        .map(|family| {
            let (metric, n) = convert(family, start, now);
            points += n;
            metric
        })
        .collect();
    (list, points)
}

fn attributes(labels: LabelPairs) -> Vec<KeyValue> {
    labels.into_iter().map(|(k, v)| KeyValue::string(k, v)).collect()
}

fn convert(family: FamilySnapshot, start: u64, now: u64) -> (Metric, u64) {
    let number = |(labels, value): (LabelPairs, f64)| NumberDataPoint {
        attributes: attributes(labels),
        start_time_unix_nano: start,
        time_unix_nano: now,
        value: Some(number_data_point::Value::AsDouble(value)),
        ..Default::default()
    };
    let cumulative = AggregationTemporality::Cumulative as i32;
    let data = match family.points {
        Points::Counter(series) => metric::Data::Sum(Sum {
            data_points: series.into_iter().map(number).collect(),
            aggregation_temporality: cumulative,
            is_monotonic: true,
        }),
        Points::Gauge(series) => metric::Data::Gauge(Gauge {
            data_points: series.into_iter().map(number).collect(),
        }),
        Points::Histogram(series) => metric::Data::Histogram(Histogram {
            data_points: series
                .into_iter()
                .map(|(labels, h)| HistogramDataPoint {
                    attributes: attributes(labels),
                    start_time_unix_nano: start,
                    time_unix_nano: now,
                    count: h.count,
                    sum: Some(h.sum),
                    bucket_counts: h.counts,
                    explicit_bounds: h.bounds,
                    ..Default::default()
                })
                .collect(),
            aggregation_temporality: cumulative,
        }),
    };
    let n = match &data {
        metric::Data::Sum(s) => s.data_points.len(),
        metric::Data::Gauge(g) => g.data_points.len(),
        metric::Data::Histogram(h) => h.data_points.len(),
        _ => 0,
    } as u64;
    let metric = Metric {
        name: family.name,
        description: family.help.unwrap_or_default(),
        unit: family.unit.as_deref().map(ucum).unwrap_or_default().to_owned(),
        metadata: Vec::new(),
        data: Some(data),
    };
    (metric, n)
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
