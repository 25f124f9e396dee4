//! OpenTelemetry interop: the OTLP v1 messages and their codecs
//! ([`proto`]), and OTLP ingestion (`receive`, feature `otlp-receiver`).

pub mod proto;
#[cfg(feature = "otlp-receiver")]
pub mod receive;
