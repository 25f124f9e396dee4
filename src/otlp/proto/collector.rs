//! `opentelemetry.proto.collector.{trace,logs,metrics}.v1`: the bodies of
//! `POST /v1/traces`, `/v1/logs`, `/v1/metrics` and their responses.

use serde::{Deserialize, Serialize};

use super::json::{i64_string, is_default};
use super::logs::ResourceLogs;
use super::metrics::ResourceMetrics;
use super::trace::ResourceSpans;

/// The body of `POST /v1/traces`.
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportTraceServiceRequest {
    /// Spans, by resource.
    #[prost(message, repeated, tag = "1")]
    pub resource_spans: Vec<ResourceSpans>,
}

/// The body of `POST /v1/logs`.
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportLogsServiceRequest {
    /// Log records, by resource.
    #[prost(message, repeated, tag = "1")]
    pub resource_logs: Vec<ResourceLogs>,
}

/// The body of `POST /v1/metrics`.
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportMetricsServiceRequest {
    /// Metrics, by resource.
    #[prost(message, repeated, tag = "1")]
    pub resource_metrics: Vec<ResourceMetrics>,
}

macro_rules! response {
    ($(#[$doc:meta])* $response:ident, $(#[$pdoc:meta])* $partial:ident, $rejected:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
        #[serde(default, rename_all = "camelCase")]
        pub struct $response {
            /// Set when the server kept only part of the request.
            #[prost(message, optional, tag = "1")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub partial_success: Option<$partial>,
        }

        $(#[$pdoc])*
        #[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
        #[serde(default, rename_all = "camelCase")]
        pub struct $partial {
            /// How many items the server rejected.
            #[prost(int64, tag = "1")]
            #[serde(with = "i64_string", skip_serializing_if = "is_default")]
            pub $rejected: i64,
            /// Why, for a human.
            #[prost(string, tag = "2")]
            #[serde(skip_serializing_if = "String::is_empty")]
            pub error_message: String,
        }
    };
}

response!(
    /// The answer to `POST /v1/traces`.
    ExportTraceServiceResponse,
    /// What part of a traces request was rejected.
    ExportTracePartialSuccess,
    rejected_spans
);
response!(
    /// The answer to `POST /v1/logs`.
    ExportLogsServiceResponse,
    /// What part of a logs request was rejected.
    ExportLogsPartialSuccess,
    rejected_log_records
);
response!(
    /// The answer to `POST /v1/metrics`.
    ExportMetricsServiceResponse,
    /// What part of a metrics request was rejected.
    ExportMetricsPartialSuccess,
    rejected_data_points
);
