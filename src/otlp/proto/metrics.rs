//! `opentelemetry.proto.metrics.v1`.

use serde::{Deserialize, Serialize};

use super::common::{InstrumentationScope, KeyValue, Resource};
use super::json::{f64_json, hex_bytes, is_default, opt_f64_json, u64_string, vec_u64_string};

/// Metrics of one resource (`metrics.v1.ResourceMetrics`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceMetrics {
    /// The resource.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// The metrics, by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    pub scope_metrics: Vec<ScopeMetrics>,
    /// The schema URL of the resource.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// Metrics of one instrumentation scope (`metrics.v1.ScopeMetrics`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScopeMetrics {
    /// The scope.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<InstrumentationScope>,
    /// The metrics.
    #[prost(message, repeated, tag = "2")]
    pub metrics: Vec<Metric>,
    /// The schema URL of the metrics.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// One metric: name, description, unit and its points (`metrics.v1.Metric`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Metric {
    /// The name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The help text.
    #[prost(string, tag = "2")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The unit (UCUM), e.g. `s`, `By`.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Extra metadata.
    #[prost(message, repeated, tag = "12")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<KeyValue>,
    /// The points; in JSON the variant name is the field name (`sum`, `gauge`, …).
    #[prost(oneof = "metric::Data", tags = "5, 7, 9, 10, 11")]
    #[serde(flatten)]
    pub data: Option<metric::Data>,
}

/// The variants of [`Metric`].
pub mod metric {
    use serde::{Deserialize, Serialize};

    use super::{ExponentialHistogram, Gauge, Histogram, Sum, Summary};

    /// What kind of points a metric has.
    #[derive(Clone, PartialEq, prost::Oneof, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Data {
        /// Last values.
        #[prost(message, tag = "5")]
        Gauge(Gauge),
        /// Sums (counters when monotonic).
        #[prost(message, tag = "7")]
        Sum(Sum),
        /// Explicit-bucket histograms.
        #[prost(message, tag = "9")]
        Histogram(Histogram),
        /// Base-2 exponential histograms.
        #[prost(message, tag = "10")]
        ExponentialHistogram(ExponentialHistogram),
        /// Quantile summaries (legacy).
        #[prost(message, tag = "11")]
        Summary(Summary),
    }
}

/// `metrics.v1.AggregationTemporality`; integers in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum AggregationTemporality {
    /// Not given.
    Unspecified = 0,
    /// Each point covers the time since the previous one.
    Delta = 1,
    /// Each point covers the time since a fixed start.
    Cumulative = 2,
}

/// Gauge points (`metrics.v1.Gauge`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Gauge {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<NumberDataPoint>,
}

/// Sum points (`metrics.v1.Sum`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Sum {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<NumberDataPoint>,
    /// An [`AggregationTemporality`] as an integer.
    #[prost(enumeration = "AggregationTemporality", tag = "2")]
    pub aggregation_temporality: i32,
    /// Whether the sum only grows (a counter).
    #[prost(bool, tag = "3")]
    pub is_monotonic: bool,
}

/// Histogram points (`metrics.v1.Histogram`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Histogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<HistogramDataPoint>,
    /// An [`AggregationTemporality`] as an integer.
    #[prost(enumeration = "AggregationTemporality", tag = "2")]
    pub aggregation_temporality: i32,
}

/// Exponential histogram points (`metrics.v1.ExponentialHistogram`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExponentialHistogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<ExponentialHistogramDataPoint>,
    /// An [`AggregationTemporality`] as an integer.
    #[prost(enumeration = "AggregationTemporality", tag = "2")]
    pub aggregation_temporality: i32,
}

/// Summary points (`metrics.v1.Summary`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Summary {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<SummaryDataPoint>,
}

/// A gauge or sum value at one time (`metrics.v1.NumberDataPoint`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NumberDataPoint {
    /// The series' attributes (Prometheus labels).
    #[prost(message, repeated, tag = "7")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Start of the cumulative window, nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    #[serde(with = "u64_string")]
    pub start_time_unix_nano: u64,
    /// The time of the value.
    #[prost(fixed64, tag = "3")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// Exemplars.
    #[prost(message, repeated, tag = "5")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exemplars: Vec<Exemplar>,
    /// Data point flags (bit 0: no recorded value).
    #[prost(uint32, tag = "8")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
    /// The value; in JSON `asDouble` or `asInt`.
    #[prost(oneof = "number_data_point::Value", tags = "4, 6")]
    #[serde(flatten)]
    pub value: Option<number_data_point::Value>,
}

/// The variants of [`NumberDataPoint`].
pub mod number_data_point {
    use serde::{Deserialize, Serialize};

    use super::super::json::{f64_json, i64_string};

    /// A double or an integer value.
    #[derive(Clone, Copy, PartialEq, prost::Oneof, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Value {
        /// A double.
        #[prost(double, tag = "4")]
        AsDouble(#[serde(with = "f64_json")] f64),
        /// An integer (a decimal string in JSON).
        #[prost(sfixed64, tag = "6")]
        AsInt(#[serde(with = "i64_string")] i64),
    }
}

/// Explicit-bucket histogram at one time (`metrics.v1.HistogramDataPoint`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HistogramDataPoint {
    /// The series' attributes.
    #[prost(message, repeated, tag = "9")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Start of the cumulative window.
    #[prost(fixed64, tag = "2")]
    #[serde(with = "u64_string")]
    pub start_time_unix_nano: u64,
    /// The time of the point.
    #[prost(fixed64, tag = "3")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    #[serde(with = "u64_string")]
    pub count: u64,
    /// Their sum.
    #[prost(double, optional, tag = "5")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// Per-bucket (not cumulative) counts, one more than `explicit_bounds`.
    #[prost(fixed64, repeated, tag = "6")]
    #[serde(with = "vec_u64_string", skip_serializing_if = "Vec::is_empty")]
    pub bucket_counts: Vec<u64>,
    /// Upper bounds (inclusive) of all buckets but the last.
    #[prost(double, repeated, tag = "7")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explicit_bounds: Vec<f64>,
    /// Exemplars.
    #[prost(message, repeated, tag = "8")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exemplars: Vec<Exemplar>,
    /// Data point flags.
    #[prost(uint32, tag = "10")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
    /// Smallest observation.
    #[prost(double, optional, tag = "11")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest observation.
    #[prost(double, optional, tag = "12")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// Exponential histogram at one time (`metrics.v1.ExponentialHistogramDataPoint`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExponentialHistogramDataPoint {
    /// The series' attributes.
    #[prost(message, repeated, tag = "1")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Start of the cumulative window.
    #[prost(fixed64, tag = "2")]
    #[serde(with = "u64_string")]
    pub start_time_unix_nano: u64,
    /// The time of the point.
    #[prost(fixed64, tag = "3")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    #[serde(with = "u64_string")]
    pub count: u64,
    /// Their sum.
    #[prost(double, optional, tag = "5")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// Resolution: bucket boundaries are powers of `2^(2^-scale)`.
    #[prost(sint32, tag = "6")]
    pub scale: i32,
    /// Observations in the zero bucket.
    #[prost(fixed64, tag = "7")]
    #[serde(with = "u64_string")]
    pub zero_count: u64,
    /// Buckets of positive values.
    #[prost(message, optional, tag = "8")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive: Option<exponential_histogram_data_point::Buckets>,
    /// Buckets of negative values.
    #[prost(message, optional, tag = "9")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative: Option<exponential_histogram_data_point::Buckets>,
    /// Data point flags.
    #[prost(uint32, tag = "10")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
    /// Exemplars.
    #[prost(message, repeated, tag = "11")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exemplars: Vec<Exemplar>,
    /// Smallest observation.
    #[prost(double, optional, tag = "12")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest observation.
    #[prost(double, optional, tag = "13")]
    #[serde(with = "opt_f64_json", skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Width of the zero region.
    #[prost(double, tag = "14")]
    #[serde(with = "f64_json")]
    pub zero_threshold: f64,
}

/// [`ExponentialHistogramDataPoint`]'s nested messages.
pub mod exponential_histogram_data_point {
    use serde::{Deserialize, Serialize};

    use super::super::json::vec_u64_string;

    /// Contiguous bucket counts from an offset.
    #[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    pub struct Buckets {
        /// Index of the first bucket.
        #[prost(sint32, tag = "1")]
        pub offset: i32,
        /// Counts.
        #[prost(uint64, repeated, tag = "2")]
        #[serde(with = "vec_u64_string")]
        pub bucket_counts: Vec<u64>,
    }
}

/// Quantile summary at one time (`metrics.v1.SummaryDataPoint`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SummaryDataPoint {
    /// The series' attributes.
    #[prost(message, repeated, tag = "7")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Start of the cumulative window.
    #[prost(fixed64, tag = "2")]
    #[serde(with = "u64_string")]
    pub start_time_unix_nano: u64,
    /// The time of the point.
    #[prost(fixed64, tag = "3")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    #[serde(with = "u64_string")]
    pub count: u64,
    /// Their sum.
    #[prost(double, tag = "5")]
    #[serde(with = "f64_json")]
    pub sum: f64,
    /// Quantiles.
    #[prost(message, repeated, tag = "6")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quantile_values: Vec<summary_data_point::ValueAtQuantile>,
    /// Data point flags.
    #[prost(uint32, tag = "8")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
}

/// [`SummaryDataPoint`]'s nested messages.
pub mod summary_data_point {
    use serde::{Deserialize, Serialize};

    use super::super::json::f64_json;

    /// One quantile and its value.
    #[derive(Clone, Copy, PartialEq, prost::Message, Serialize, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    pub struct ValueAtQuantile {
        /// The quantile, 0 to 1.
        #[prost(double, tag = "1")]
        #[serde(with = "f64_json")]
        pub quantile: f64,
        /// Its value.
        #[prost(double, tag = "2")]
        #[serde(with = "f64_json")]
        pub value: f64,
    }
}

/// A sample measurement tied to a trace (`metrics.v1.Exemplar`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Exemplar {
    /// Attributes not on the point.
    #[prost(message, repeated, tag = "7")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filtered_attributes: Vec<KeyValue>,
    /// When it was measured.
    #[prost(fixed64, tag = "2")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// The span it was measured in (hex in JSON).
    #[prost(bytes = "vec", tag = "4")]
    #[serde(with = "hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub span_id: Vec<u8>,
    /// The trace it was measured in (hex in JSON).
    #[prost(bytes = "vec", tag = "5")]
    #[serde(with = "hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub trace_id: Vec<u8>,
    /// The value; in JSON `asDouble` or `asInt`.
    #[prost(oneof = "exemplar::Value", tags = "3, 6")]
    #[serde(flatten)]
    pub value: Option<exemplar::Value>,
}

/// The variants of [`Exemplar`].
pub mod exemplar {
    use serde::{Deserialize, Serialize};

    use super::super::json::{f64_json, i64_string};

    /// A double or an integer value.
    #[derive(Clone, Copy, PartialEq, prost::Oneof, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Value {
        /// A double.
        #[prost(double, tag = "3")]
        AsDouble(#[serde(with = "f64_json")] f64),
        /// An integer (a decimal string in JSON).
        #[prost(sfixed64, tag = "6")]
        AsInt(#[serde(with = "i64_string")] i64),
    }
}
