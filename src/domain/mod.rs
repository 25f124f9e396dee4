//! The domain layer: validated entities and value objects. Pure: no I/O, no
//! locks, no globals; the only clock read is the default timestamp, and the
//! only state is each thread's id generator ([`random_uuid`]).
//!
//! Every entity is built by a constructor or builder that returns
//! `Result<T, ObsError>`, keeps its fields private, and validates again when
//! deserialised, so an invalid entity cannot exist.

mod alert;
mod closed_set;
mod entity_serde;
mod health_check;
mod ids;
mod labels;
mod log_entry;
mod metric;
mod random;
pub mod rules;
mod span;
mod vocabulary;

pub use alert::{Alert, AlertBuilder};
pub use entity_serde::{from_json, FromJson};
pub use health_check::{HealthCheck, HealthCheckBuilder, Observation};
pub(crate) use ids::parse_lower_hex;
pub use ids::{SpanId, TraceId};
pub(crate) use labels::escape_label_value_into;
pub use labels::Labels;
pub(crate) use log_entry::validate_correlation_id;
pub use log_entry::{LogEntry, LogEntryBuilder};
pub(crate) use metric::name_fits_kind;
pub use metric::{Metric, MetricBuilder, MetricKind};
pub use random::random_uuid;
pub(crate) use span::{check_attributes, FinishedSpan, NameCache, SpanName, UnixTime};
pub use span::{Span, SpanBuilder, SpanEvent};
pub use vocabulary::{AlertSeverity, AlertStatus, HealthStatus, LogLevel, SpanKind, SpanStatus};
