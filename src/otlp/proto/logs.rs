//! `opentelemetry.proto.logs.v1`.

use serde::{Deserialize, Serialize};

use super::common::{AnyValue, InstrumentationScope, KeyValue, Resource};
use super::json::{hex_bytes, is_default, u64_string};

/// Log records of one resource (`logs.v1.ResourceLogs`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceLogs {
    /// The resource.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// The records, by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    pub scope_logs: Vec<ScopeLogs>,
    /// The schema URL of the resource.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// Log records of one instrumentation scope (`logs.v1.ScopeLogs`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScopeLogs {
    /// The scope.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<InstrumentationScope>,
    /// The records.
    #[prost(message, repeated, tag = "2")]
    pub log_records: Vec<LogRecord>,
    /// The schema URL of the records.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// One log record, in the OpenTelemetry log data model (`logs.v1.LogRecord`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LogRecord {
    /// When the event happened, nanoseconds since the Unix epoch (0: unknown).
    #[prost(fixed64, tag = "1")]
    #[serde(with = "u64_string")]
    pub time_unix_nano: u64,
    /// When the record was observed by the pipeline.
    #[prost(fixed64, tag = "11")]
    #[serde(with = "u64_string")]
    pub observed_time_unix_nano: u64,
    /// A [`SeverityNumber`] as an integer.
    #[prost(enumeration = "SeverityNumber", tag = "2")]
    pub severity_number: i32,
    /// The severity as written by the source (`INFO`, …).
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub severity_text: String,
    /// The message.
    #[prost(message, optional, tag = "5")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<AnyValue>,
    /// Attributes.
    #[prost(message, repeated, tag = "6")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped before export.
    #[prost(uint32, tag = "7")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_attributes_count: u32,
    /// W3C trace flags in bits 0-7.
    #[prost(fixed32, tag = "8")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
    /// 16 bytes, or empty (hex in JSON).
    #[prost(bytes = "vec", tag = "9")]
    #[serde(with = "hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub trace_id: Vec<u8>,
    /// 8 bytes, or empty (hex in JSON).
    #[prost(bytes = "vec", tag = "10")]
    #[serde(with = "hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub span_id: Vec<u8>,
    /// The event's name, for records that are events.
    #[prost(string, tag = "12")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub event_name: String,
}

/// `logs.v1.SeverityNumber`: 1-24 in six ranges of four; integers in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[allow(missing_docs)]
pub enum SeverityNumber {
    Unspecified = 0,
    Trace = 1,
    Trace2 = 2,
    Trace3 = 3,
    Trace4 = 4,
    Debug = 5,
    Debug2 = 6,
    Debug3 = 7,
    Debug4 = 8,
    Info = 9,
    Info2 = 10,
    Info3 = 11,
    Info4 = 12,
    Warn = 13,
    Warn2 = 14,
    Warn3 = 15,
    Warn4 = 16,
    Error = 17,
    Error2 = 18,
    Error3 = 19,
    Error4 = 20,
    Fatal = 21,
    Fatal2 = 22,
    Fatal3 = 23,
    Fatal4 = 24,
}
