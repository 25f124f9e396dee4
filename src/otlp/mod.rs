//! OpenTelemetry interop: the OTLP v1 messages and their codecs
//! ([`proto`]).

pub mod proto;
#[cfg(feature = "otlp-receiver")]
pub mod receive;
