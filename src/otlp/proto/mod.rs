//! The OTLP v1 messages (`opentelemetry-proto` v1 schema), declared by hand
//! with `prost` derives, and their two wire encodings: protobuf and the
//! OTLP/JSON mapping (lowerCamelCase names, trace and span ids as hex,
//! enums as integers, 64-bit integers as decimal strings; numbers are
//! accepted for them on input, unknown fields are ignored).
//!
//! Rust names follow the `prost-build` output for the official `.proto`
//! files, so code written against the `opentelemetry-proto` crate reads the
//! same. See `docs/otlp.md` for why the messages are declared here.
//!
//! ```
//! use observa::otlp::proto::{Encoding, ExportLogsServiceRequest, LogRecord, ResourceLogs, ScopeLogs, AnyValue};
//!
//! let request = ExportLogsServiceRequest {
//!     resource_logs: vec![ResourceLogs {
//!         scope_logs: vec![ScopeLogs {
//!             log_records: vec![LogRecord { body: Some(AnyValue::string("hi")), trace_id: vec![1; 16], ..Default::default() }],
//!             ..Default::default()
//!         }],
//!         ..Default::default()
//!     }],
//! };
//! for encoding in [Encoding::Protobuf, Encoding::Json] {
//!     let bytes = encoding.encode(&request);
//!     assert_eq!(encoding.decode::<ExportLogsServiceRequest>(&bytes)?, request);
//! }
//! let json = String::from_utf8(Encoding::Json.encode(&request)).unwrap();
//! assert!(json.contains(r#""traceId":"01010101010101010101010101010101""#));
//! # Ok::<(), observa::ObsError>(())
//! ```

mod collector;
mod common;
mod json;
mod logs;
mod metrics;
#[cfg(test)]
mod tests;
mod trace;

pub use collector::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
pub use common::{any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, Resource};
pub use logs::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
pub use metrics::{
    exemplar, exponential_histogram_data_point, metric, number_data_point, summary_data_point,
    AggregationTemporality, Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary,
    SummaryDataPoint,
};
pub use trace::{span, ResourceSpans, ScopeSpans, Span, SpanKind, Status, StatusCode};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ObsError, Result};

/// A message that travels in both encodings: every request and response here.
pub trait OtlpMessage: prost::Message + Serialize + DeserializeOwned + Default {
    /// Its name in errors, e.g. `"otlp traces request"`.
    const NAME: &'static str;
}

macro_rules! otlp_message {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(impl OtlpMessage for $ty {
            const NAME: &'static str = $name;
        })*
    };
}

otlp_message!(
    ExportTraceServiceRequest => "otlp traces request",
    ExportLogsServiceRequest => "otlp logs request",
    ExportMetricsServiceRequest => "otlp metrics request",
    ExportTraceServiceResponse => "otlp traces response",
    ExportLogsServiceResponse => "otlp logs response",
    ExportMetricsServiceResponse => "otlp metrics response",
);

/// The two OTLP/HTTP body encodings.
///
/// ```
/// use observa::otlp::proto::Encoding;
///
/// assert_eq!(Encoding::Protobuf.content_type(), "application/x-protobuf");
/// assert_eq!(Encoding::from_content_type("application/json; charset=utf-8"), Some(Encoding::Json));
/// assert_eq!(Encoding::from_content_type("text/plain"), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Binary protobuf, `application/x-protobuf` (the default).
    #[default]
    Protobuf,
    /// The OTLP/JSON mapping, `application/json`.
    Json,
}

impl Encoding {
    /// The `Content-Type` of a body in this encoding.
    ///
    /// ```
    /// assert_eq!(observa::otlp::proto::Encoding::Json.content_type(), "application/json");
    /// ```
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }

    /// The encoding a `Content-Type` header names (parameters ignored), if any.
    ///
    /// ```
    /// use observa::otlp::proto::Encoding;
    ///
    /// assert_eq!(Encoding::from_content_type("Application/X-Protobuf"), Some(Encoding::Protobuf));
    /// ```
    pub fn from_content_type(value: &str) -> Option<Encoding> {
        let media = value.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("application/x-protobuf")
            || media.eq_ignore_ascii_case("application/protobuf")
        {
            Some(Encoding::Protobuf)
        } else if media.eq_ignore_ascii_case("application/json") {
            Some(Encoding::Json)
        } else {
            None
        }
    }

    /// Encodes a message.
    ///
    /// ```
    /// use observa::otlp::proto::{Encoding, ExportTraceServiceRequest};
    ///
    /// assert!(Encoding::Protobuf.encode(&ExportTraceServiceRequest::default()).is_empty());
    /// assert_eq!(Encoding::Json.encode(&ExportTraceServiceRequest::default()), br#"{"resourceSpans":[]}"#);
    /// ```
    pub fn encode<M: OtlpMessage>(self, message: &M) -> Vec<u8> {
        match self {
            Encoding::Protobuf => message.encode_to_vec(),
            // Serialising these plain structs into a Vec cannot fail.
            Encoding::Json => serde_json::to_vec(message).unwrap_or_default(),
        }
    }

    /// Decodes a message; malformed input is an [`ObsError::Decode`] naming the message.
    ///
    /// ```
    /// use observa::otlp::proto::{Encoding, ExportMetricsServiceRequest};
    ///
    /// let err = Encoding::Json.decode::<ExportMetricsServiceRequest>(b"{").unwrap_err();
    /// assert_eq!(err.code(), "decode");
    /// ```
    pub fn decode<M: OtlpMessage>(self, bytes: &[u8]) -> Result<M> {
        match self {
            Encoding::Protobuf => M::decode(bytes).map_err(|e| ObsError::Decode {
                entity: M::NAME,
                reason: e.to_string(),
            }),
            Encoding::Json => serde_json::from_slice(bytes).map_err(|e| ObsError::Decode {
                entity: M::NAME,
                reason: e.to_string(),
            }),
        }
    }
}
