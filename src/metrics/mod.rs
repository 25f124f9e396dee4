//! The metrics hot path: typed handles over atomics, families with a
//! cardinality budget, a validating registry, and the Prometheus 0.0.4 and
//! OpenMetrics 1.0 expositions.
//!
//! Handles ([`Counter`], [`Gauge`], [`Histogram`]) are resolved once through
//! [`MetricsService`]; after that every
//! update is an atomic operation: no lock, no lookup, no allocation.

mod buckets;
mod exposition;
mod family;
mod histogram;
mod instruments;
mod invalid;
mod registry;
mod service;
mod spec;

pub use crate::domain::MetricKind;
pub use buckets::{Buckets, DEFAULT_BUCKETS, MAX_BUCKETS};
pub(crate) use exposition::render;
#[cfg(feature = "otlp")]
pub(crate) use exposition::snapshot::{snapshot, FamilySnapshot, LabelPairs, Points};
pub use exposition::Format;
pub use family::{Family, Instrument, OVERFLOW_LABEL};
pub use histogram::{Histogram, HistogramSnapshot};
pub use instruments::{Counter, Gauge};
pub use invalid::INVALID_UPDATES;
pub(crate) use registry::{AnyFamily, Registrable, Registry};
pub use registry::{DEFAULT_SERIES_BUDGET, DROPPED_RECORDS, MAX_FAMILIES, REFUSED_SERIES};
pub use service::{MetricSummary, MetricsService};
pub use spec::FamilySpec;
