//! The value types of the OTLP settings: signals, compression, protocol,
//! batching and retry.

use std::time::Duration;

use super::proto::Encoding;
use crate::error::{ObsError, Result};

/// The three OTLP signals, each with its own URL path and settings.
///
/// ```
/// use observa::otlp::Signal;
///
/// assert_eq!(Signal::Traces.path(), "/v1/traces");
/// assert_eq!(Signal::ALL.len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// Spans, `POST /v1/traces`.
    Traces,
    /// Log records, `POST /v1/logs`.
    Logs,
    /// Metrics, `POST /v1/metrics`.
    Metrics,
}

impl Signal {
    /// Every signal.
    pub const ALL: [Signal; 3] = [Signal::Traces, Signal::Logs, Signal::Metrics];

    /// The path appended to a base endpoint.
    ///
    /// ```
    /// assert_eq!(observa::otlp::Signal::Metrics.path(), "/v1/metrics");
    /// ```
    pub fn path(self) -> &'static str {
        match self {
            Signal::Traces => "/v1/traces",
            Signal::Logs => "/v1/logs",
            Signal::Metrics => "/v1/metrics",
        }
    }

    /// The word in per-signal variable names (`TRACES` in `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    ///
    /// ```
    /// assert_eq!(observa::otlp::Signal::Logs.env_name(), "LOGS");
    /// ```
    pub fn env_name(self) -> &'static str {
        match self {
            Signal::Traces => "TRACES",
            Signal::Logs => "LOGS",
            Signal::Metrics => "METRICS",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Body compression.
///
/// ```
/// assert_eq!("gzip".parse::<observa::otlp::Compression>()?, observa::otlp::Compression::Gzip);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Sent as is (the default, as in the OpenTelemetry SDKs).
    #[default]
    None,
    /// `Content-Encoding: gzip`.
    Gzip,
}

impl std::str::FromStr for Compression {
    type Err = ObsError;

    fn from_str(s: &str) -> Result<Compression> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gzip" => Ok(Compression::Gzip),
            "none" | "" => Ok(Compression::None),
            other => Err(ObsError::validation(
                "otlp",
                "compression",
                other,
                "must be gzip or none",
            )),
        }
    }
}

/// Parses an OTLP protocol name: `http/protobuf` or `http/json`; `grpc` is refused with a hint.
///
/// ```
/// use observa::otlp::{parse_protocol, proto::Encoding};
///
/// assert_eq!(parse_protocol("http/json")?, Encoding::Json);
/// assert!(parse_protocol("grpc").unwrap_err().to_string().contains("http/protobuf"));
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn parse_protocol(name: &str) -> Result<Encoding> {
    match name.trim().to_ascii_lowercase().as_str() {
        "http/protobuf" | "" => Ok(Encoding::Protobuf),
        "http/json" => Ok(Encoding::Json),
        "grpc" => Err(ObsError::validation(
            "otlp",
            "protocol",
            "grpc",
            "gRPC is not supported: use http/protobuf (collector port 4318)",
        )),
        other => Err(ObsError::validation(
            "otlp",
            "protocol",
            other,
            "must be http/protobuf or http/json",
        )),
    }
}

/// How one signal is batched: the OpenTelemetry batch processor settings
/// (`OTEL_BSP_*` for spans, `OTEL_BLRP_*` for log records).
///
/// ```
/// use observa::otlp::BatchConfig;
///
/// let spans = BatchConfig::spans();
/// assert_eq!((spans.max_queue_size, spans.max_export_batch_size), (2_048, 512));
/// assert_eq!(spans.schedule_delay.as_secs(), 5);
/// assert_eq!(BatchConfig::logs().schedule_delay.as_secs(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// Records queued before new ones are dropped (and counted).
    pub max_queue_size: usize,
    /// Records per request, at most.
    pub max_export_batch_size: usize,
    /// The longest a record waits before its batch is sent.
    pub schedule_delay: Duration,
    /// The longest one batch may take, retries included.
    pub export_timeout: Duration,
}

impl BatchConfig {
    /// The span defaults: 2,048 queued, 512 per batch, every 5 s, 30 s per export.
    ///
    /// ```
    /// assert_eq!(observa::otlp::BatchConfig::spans().export_timeout.as_secs(), 30);
    /// ```
    pub fn spans() -> BatchConfig {
        BatchConfig {
            max_queue_size: 2_048,
            max_export_batch_size: 512,
            schedule_delay: Duration::from_secs(5),
            export_timeout: Duration::from_secs(30),
        }
    }

    /// The log record defaults: as for spans, but every 1 s.
    ///
    /// ```
    /// assert_eq!(observa::otlp::BatchConfig::logs().max_export_batch_size, 512);
    /// ```
    pub fn logs() -> BatchConfig {
        BatchConfig {
            schedule_delay: Duration::from_secs(1),
            ..BatchConfig::spans()
        }
    }

    pub(crate) fn check(&self, signal: &'static str) -> Result<()> {
        if self.max_queue_size == 0 || self.max_export_batch_size == 0 {
            return Err(ObsError::configuration(
                signal,
                "queue and batch sizes must be at least 1",
            ));
        }
        if self.max_export_batch_size > self.max_queue_size {
            return Err(ObsError::configuration(
                signal,
                "max_export_batch_size must not exceed max_queue_size",
            ));
        }
        if self.schedule_delay.is_zero() || self.export_timeout.is_zero() {
            return Err(ObsError::configuration(signal, "delays must be positive"));
        }
        Ok(())
    }
}

/// Retries of a failed export (HTTP 429, 502, 503, 504 or no answer):
/// exponential backoff from `initial_backoff` doubling up to `max_backoff`,
/// with jitter (each wait is drawn between half and all of it); a
/// `Retry-After` header replaces the computed wait, capped at `max_backoff`.
/// The batch's `export_timeout` bounds the whole.
///
/// ```
/// let retry = observa::otlp::RetryPolicy::default();
/// assert_eq!((retry.initial_backoff.as_secs(), retry.max_backoff.as_secs()), (1, 30));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait.
    pub initial_backoff: Duration,
    /// The longest wait, also the cap on `Retry-After`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}
