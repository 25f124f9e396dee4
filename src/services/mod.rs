//! Services: the application rules, each depending only on repository ports.

mod alerts;
mod health;
mod logging;
mod metrics;
mod tracing;

pub use alerts::{AlertService, Raised};
pub use health::{HealthService, CONSECUTIVE_FAILURES};
pub use logging::LogService;
pub use metrics::{MetricSummary, MetricsService};
pub use tracing::{SpanNode, TracingService};
