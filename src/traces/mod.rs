//! Traces: the [`TracingService`] that records [`Span`](crate::Span)s into
//! their repository and assembles trace trees, and the thread's current
//! [`SpanContext`]. The W3C Trace Context codec is in
//! [`propagation`](crate::propagation).

mod context;
mod service;

pub use context::{current, detached, enter, ContextGuard, SpanContext};
pub use service::{SpanNode, TracingService};
