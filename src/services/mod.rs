//! The five services in one place, re-exported from their signal modules
//! ([`metrics`](crate::metrics), [`traces`](crate::traces),
//! [`logs`](crate::logs), [`alerts`](crate::alerts),
//! [`health`](crate::health)). Each depends only on repository ports; the
//! container wires them.

pub use crate::alerts::{AlertService, Raised};
pub use crate::health::{HealthService, CONSECUTIVE_FAILURES};
pub use crate::logs::LogService;
pub use crate::metrics::{MetricSummary, MetricsService};
pub use crate::traces::{SpanNode, TracingService};
