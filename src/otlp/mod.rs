//! OpenTelemetry interop over OTLP/HTTP.
//!
//! - [`proto`]: the OTLP v1 messages with their protobuf and JSON codecs;
//! - [`OtlpConfig`]: settings from the standard `OTEL_*` environment, a TOML file and code;
//! - [`OtlpEncoder`]: spans and log entries as OTLP messages;
//! - the exporter (feature `otlp`), started by
//!   [`ObservabilityBuilder::otlp`](crate::ObservabilityBuilder::otlp);
//! - OTLP ingestion ([`receive`], feature `otlp-receiver`).

pub mod proto;
#[cfg(feature = "otlp-receiver")]
pub mod receive;

#[cfg(feature = "otlp")]
mod config;
#[cfg(feature = "otlp")]
mod delivery;
#[cfg(feature = "otlp")]
mod encode;
#[cfg(feature = "otlp")]
mod env;
#[cfg(feature = "otlp")]
mod exporter;
#[cfg(feature = "otlp")]
mod file;
#[cfg(feature = "otlp")]
mod metrics;
#[cfg(feature = "otlp")]
mod settings;
#[cfg(feature = "otlp")]
mod transport;

#[cfg(feature = "otlp")]
pub use config::{
    parse_protocol, BatchConfig, Compression, OtlpConfig, RetryPolicy, Signal, DEFAULT_ENDPOINT,
};
#[cfg(feature = "otlp")]
pub use encode::{OtlpEncoder, SCOPE_NAME};
#[cfg(feature = "otlp")]
pub use exporter::OtlpExporter;
