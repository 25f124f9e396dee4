//! `opentelemetry.proto.trace.v1`.

use serde::{Deserialize, Serialize};

use super::common::{InstrumentationScope, KeyValue, Resource};
use super::json::{hex_bytes, is_default, u64_string};

/// Spans of one resource (`trace.v1.ResourceSpans`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceSpans {
    /// The resource.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// The spans, by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    pub scope_spans: Vec<ScopeSpans>,
    /// The schema URL of the resource.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// Spans of one instrumentation scope (`trace.v1.ScopeSpans`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScopeSpans {
    /// The scope.
    #[prost(message, optional, tag = "1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<InstrumentationScope>,
    /// The spans.
    #[prost(message, repeated, tag = "2")]
    pub spans: Vec<Span>,
    /// The schema URL of the spans.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_url: String,
}

/// One operation (`trace.v1.Span`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Span {
    /// 16 bytes (hex in JSON).
    #[prost(bytes = "vec", tag = "1")]
    #[serde(with = "hex_bytes")]
    pub trace_id: Vec<u8>,
    /// 8 bytes (hex in JSON).
    #[prost(bytes = "vec", tag = "2")]
    #[serde(with = "hex_bytes")]
    pub span_id: Vec<u8>,
    /// The W3C `tracestate` header value.
    #[prost(string, tag = "3")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub trace_state: String,
    /// The parent's span id, empty for a root span.
    #[prost(bytes = "vec", tag = "4")]
    #[serde(with = "hex_bytes", skip_serializing_if = "Vec::is_empty")]
    pub parent_span_id: Vec<u8>,
    /// W3C trace flags in bits 0-7, and the parent-is-remote bits 8-9.
    #[prost(fixed32, tag = "16")]
    #[serde(skip_serializing_if = "is_default")]
    pub flags: u32,
    /// The operation name.
    #[prost(string, tag = "5")]
    pub name: String,
    /// A [`SpanKind`] as an integer.
    #[prost(enumeration = "SpanKind", tag = "6")]
    pub kind: i32,
    /// Start, nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "7")]
    #[serde(with = "u64_string")]
    pub start_time_unix_nano: u64,
    /// End, nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "8")]
    #[serde(with = "u64_string")]
    pub end_time_unix_nano: u64,
    /// Attributes.
    #[prost(message, repeated, tag = "9")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped before export.
    #[prost(uint32, tag = "10")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_attributes_count: u32,
    /// Events.
    #[prost(message, repeated, tag = "11")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<span::Event>,
    /// Events dropped before export.
    #[prost(uint32, tag = "12")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_events_count: u32,
    /// Links to other spans.
    #[prost(message, repeated, tag = "13")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<span::Link>,
    /// Links dropped before export.
    #[prost(uint32, tag = "14")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_links_count: u32,
    /// The outcome.
    #[prost(message, optional, tag = "15")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// [`Span`]'s nested messages.
pub mod span {
    use serde::{Deserialize, Serialize};

    use super::super::common::KeyValue;
    use super::super::json::{hex_bytes, is_default, u64_string};

    /// Something that happened at one time during a span (`Span.Event`).
    #[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    pub struct Event {
        /// When, nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "1")]
        #[serde(with = "u64_string")]
        pub time_unix_nano: u64,
        /// Its name.
        #[prost(string, tag = "2")]
        pub name: String,
        /// Attributes.
        #[prost(message, repeated, tag = "3")]
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub attributes: Vec<KeyValue>,
        /// Attributes dropped before export.
        #[prost(uint32, tag = "4")]
        #[serde(skip_serializing_if = "is_default")]
        pub dropped_attributes_count: u32,
    }

    /// A reference to another span (`Span.Link`).
    #[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    pub struct Link {
        /// The linked span's trace id.
        #[prost(bytes = "vec", tag = "1")]
        #[serde(with = "hex_bytes")]
        pub trace_id: Vec<u8>,
        /// The linked span's id.
        #[prost(bytes = "vec", tag = "2")]
        #[serde(with = "hex_bytes")]
        pub span_id: Vec<u8>,
        /// The linked span's `tracestate`.
        #[prost(string, tag = "3")]
        #[serde(skip_serializing_if = "String::is_empty")]
        pub trace_state: String,
        /// Attributes.
        #[prost(message, repeated, tag = "4")]
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub attributes: Vec<KeyValue>,
        /// Attributes dropped before export.
        #[prost(uint32, tag = "5")]
        #[serde(skip_serializing_if = "is_default")]
        pub dropped_attributes_count: u32,
        /// W3C trace flags and parent-is-remote bits.
        #[prost(fixed32, tag = "6")]
        #[serde(skip_serializing_if = "is_default")]
        pub flags: u32,
    }
}

/// A span's outcome (`trace.v1.Status`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Status {
    /// A developer-facing message.
    #[prost(string, tag = "2")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// A [`StatusCode`] as an integer.
    #[prost(enumeration = "StatusCode", tag = "3")]
    pub code: i32,
}

/// `Span.SpanKind`; integers in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SpanKind {
    /// Not given.
    Unspecified = 0,
    /// An internal operation.
    Internal = 1,
    /// Handles a remote request.
    Server = 2,
    /// Makes a remote request.
    Client = 3,
    /// Sends a message.
    Producer = 4,
    /// Receives a message.
    Consumer = 5,
}

/// `Status.StatusCode`; integers in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum StatusCode {
    /// Not set.
    Unset = 0,
    /// Completed successfully.
    Ok = 1,
    /// Failed.
    Error = 2,
}
