#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod domain;
mod error;

pub use domain::{
    Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric,
    MetricKind, Observation, Span, SpanEvent, SpanId, SpanKind, SpanStatus, TraceId,
};
pub use error::{ObsError, Result};
