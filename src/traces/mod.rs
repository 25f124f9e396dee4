//! Traces: the [`TracingService`] that records [`Span`](crate::Span)s into
//! their repository and assembles trace trees, the thread's current
//! [`SpanContext`], and [`ActiveSpan`]s that make themselves current while
//! entered and finish when dropped. The W3C Trace Context codec is in
//! [`propagation`](crate::propagation), the samplers in
//! [`sampling`](crate::sampling).
//!
//! # Carrying the current span
//!
//! - **Within a thread**: [`ActiveSpan::enter`], or
//!   [`TracingService::in_span`], makes a span current; spans started
//!   meanwhile are its children.
//! - **To another thread**: copy the context with [`current`] and run the
//!   work in it there with [`with_context`].
//! - **Across `.await`**: wrap the future with [`Instrument::in_span`]; the
//!   span is current during each poll, on whichever thread polls it.
//!
//! ```
//! let obs = observa::Observability::builder().service("api", "1").build()?;
//! let root = obs.tracing().span("request");
//! let entered = root.enter();
//! let context = observa::traces::current();
//! let tracing = obs.tracing().clone();
//! std::thread::spawn(move || {
//!     observa::traces::with_context(context, || tracing.in_span("worker", || ()));
//! })
//! .join()
//! .unwrap();
//! drop(entered);
//! let trace_id = root.context().trace_id();
//! drop(root);
//! let tree = obs.tracing().trace_tree(trace_id)?;
//! assert_eq!(tree[0].children[0].span.operation(), "worker");
//! # Ok::<(), observa::ObsError>(())
//! ```

mod active;
mod context;
mod instrument;
mod jaeger;
mod lazy_id;
mod materialize;
mod pipeline;
mod recording;
mod service;
mod start;

pub use active::ActiveSpan;
pub use context::{current, detached, enter, with_context, ContextGuard, SpanContext};
pub use instrument::{Instrument, Instrumented};
pub use jaeger::jaeger_json;
pub use service::{SpanNode, TracingService};
pub use start::{ActiveSpanBuilder, LINKS_ATTRIBUTE};
