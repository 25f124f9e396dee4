//! Traces: the [`TracingService`] that records [`Span`](crate::Span)s into
//! their repository and assembles trace trees. The W3C Trace Context codec
//! is in [`propagation`](crate::propagation).

mod service;

pub use service::{SpanNode, TracingService};
