#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod adapters;
pub mod alerts;
pub mod bridges;
mod container;
pub mod domain;
mod error;
mod factory;
mod global;
mod hash;
pub mod health;
#[cfg(feature = "http")]
pub mod http;
pub mod logs;
pub mod metrics;
pub mod monitor;
#[cfg(any(feature = "otlp", feature = "otlp-receiver"))]
pub mod otlp;
mod pipeline;
pub mod ports;
pub mod propagation;
pub mod redaction;
pub mod sampling;
pub mod services;
pub mod sinks;
pub mod traces;
mod worker;

pub use container::{Observability, ObservabilityBuilder, ServiceInfo, DEFAULT_CAPACITY};
pub use domain::{
    Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric,
    MetricKind, Observation, Span, SpanEvent, SpanId, SpanKind, SpanStatus, TraceId,
};
pub use error::{ObsError, Result};
pub use factory::Factory;
pub use global::{
    create_alert, create_health_check, create_log_entry, create_metric, create_trace, global, install_global,
    monitor, monitor_result, LazyMonitor,
};

/// The names most programs need: `use observa::prelude::*;`.
///
/// The container and its builder, the five entities and their closed sets,
/// the ids, the metric handles and their specs, the export format, the
/// function monitor and the health-check vocabulary.
///
/// ```
/// use observa::prelude::*;
///
/// let obs = Observability::builder().service("api", "1.0").build()?;
/// obs.metrics().record(&Metric::gauge("queue_depth", 3.0)?)?;
/// let sizes = obs.metrics().histogram_family(
///     FamilySpec::new("payload_bytes").unit("bytes").buckets(Buckets::exponential(64.0, 4.0, 6)?),
/// )?;
/// sizes.with_label_values::<&str>(&[])?.observe(512.0);
/// obs.health().register_with("cache", CheckOptions::optional(), || ProbeReport::healthy())?;
/// let text = obs.render(Format::OpenMetrics)?;
/// assert!(text.ends_with("# EOF\n"));
/// # Ok::<(), ObsError>(())
/// ```
pub mod prelude {
    #[cfg(feature = "system")]
    pub use crate::health::SystemChecks;
    pub use crate::health::{CheckOptions, HealthConfig, HealthReport, ProbeReport};
    pub use crate::metrics::{Buckets, Counter, FamilySpec, Format, Gauge, Histogram};
    pub use crate::monitor::{Monitor, Outcome};
    pub use crate::{
        Alert, AlertSeverity, AlertStatus, HealthCheck, HealthStatus, Labels, LogEntry, LogLevel, Metric,
        MetricKind, ObsError, Observability, ObservabilityBuilder, Span, SpanId, SpanKind, SpanStatus,
        TraceId,
    };
}
