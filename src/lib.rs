#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod adapters;
mod container;
pub mod domain;
mod error;
mod factory;
mod global;
mod hash;
pub mod health;
#[cfg(feature = "http")]
pub mod http;
pub mod metrics;
pub mod monitor;
pub mod ports;
pub mod services;

pub use container::{Observability, ObservabilityBuilder, ServiceInfo, DEFAULT_CAPACITY};
pub use domain::{
    Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric,
    MetricKind, Observation, Span, SpanEvent, SpanId, SpanKind, SpanStatus, TraceId,
};
pub use error::{ObsError, Result};
pub use factory::{
    create_alert, create_health_check, create_log_entry, create_metric, create_trace, Factory,
};
pub use global::{global, install_global, monitor, monitor_result};

/// The names most programs need: `use observa::prelude::*;`.
///
/// ```
/// use observa::prelude::*;
///
/// let obs = Observability::builder().service("api", "1.0").build()?;
/// obs.metrics().record(&Metric::gauge("queue_depth", 3.0)?)?;
/// # Ok::<(), ObsError>(())
/// ```
pub mod prelude {
    pub use crate::{
        Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric,
        MetricKind, ObsError, Observability, Span, SpanStatus,
    };
}
