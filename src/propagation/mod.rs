//! W3C Trace Context propagation: read the caller's trace from incoming
//! headers and pass it on in outgoing ones.
//!
//! [`extract`] reads `traceparent` and `tracestate` from any [`Carrier`]
//! (a header map); [`inject`] writes them. The codec is strict, following
//! the grammar of the W3C Trace Context specification (Level 1, with the
//! Level 2 `random-trace-id` flag and the relaxed tracestate key grammar):
//!
//! - a `traceparent` that is missing, repeated or invalid yields no context,
//!   and its `tracestate` is then ignored: the service starts a new trace;
//! - an invalid `tracestate` (one bad member, a duplicate key, more than 32
//!   members) is dropped whole while the `traceparent` is kept;
//! - header names are matched case-insensitively; values are sent lowercase,
//!   as version `00`, with reserved flag bits cleared.
//!
//! ```
//! use observa::propagation::{extract, inject, TraceContext};
//! use observa::SpanId;
//!
//! let incoming = vec![
//!     ("TraceParent".to_owned(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned()),
//!     ("tracestate".to_owned(), "congo=t61rcWkgMzE".to_owned()),
//! ];
//! let caller = extract(&incoming).expect("a valid traceparent");
//! let mine = caller.child(SpanId::random()); // the span this service starts
//!
//! let mut outgoing: Vec<(String, String)> = Vec::new();
//! inject(&mine, &mut outgoing);
//! assert_eq!(outgoing[0].0, "traceparent");
//! assert!(outgoing[0].1.starts_with("00-0af7651916cd43dd8448eb211c80319c-"));
//! assert_eq!(outgoing[1], ("tracestate".to_owned(), "congo=t61rcWkgMzE".to_owned()));
//!
//! let fresh = TraceContext::new_root(true); // no valid caller: a new trace
//! assert!(fresh.parent().flags().is_sampled());
//! ```

mod carrier;
mod traceparent;
mod tracestate;

pub use carrier::Carrier;
pub use traceparent::{TraceFlags, TraceParent};
pub use tracestate::{TraceState, MAX_MEMBERS, PROPAGATED_LEN};

use crate::domain::{SpanId, TraceId};

/// The `traceparent` header name.
pub const TRACEPARENT: &str = "traceparent";
/// The `tracestate` header name.
pub const TRACESTATE: &str = "tracestate";

/// A trace context as carried between services: the `traceparent` and the
/// (possibly empty) `tracestate`.
///
/// ```
/// use observa::propagation::{TraceContext, TraceParent};
///
/// let parent: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00".parse()?;
/// let context = TraceContext::new(parent, Default::default());
/// assert!(!context.parent().flags().is_sampled());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceContext {
    parent: TraceParent,
    state: TraceState,
}

impl TraceContext {
    /// A context from its two parts.
    pub fn new(parent: TraceParent, state: TraceState) -> TraceContext {
        TraceContext { parent, state }
    }

    /// A new trace with random ids, `sampled` as given and the Level 2
    /// `random-trace-id` flag set (observa's trace ids are random).
    pub fn new_root(sampled: bool) -> TraceContext {
        let flags = TraceFlags::RANDOM.with_sampled(sampled);
        TraceContext::new(
            TraceParent::new(TraceId::random(), SpanId::random(), flags),
            TraceState::new(),
        )
    }

    /// The `traceparent` part.
    pub fn parent(&self) -> &TraceParent {
        &self.parent
    }

    /// The `tracestate` part.
    pub fn state(&self) -> &TraceState {
        &self.state
    }

    /// The `tracestate` part, to update this vendor's entry.
    pub fn state_mut(&mut self) -> &mut TraceState {
        &mut self.state
    }

    /// The context to forward once this service's span `span_id` is started:
    /// same trace, flags and state, `span_id` as the new parent id.
    #[must_use]
    pub fn child(&self, span_id: SpanId) -> TraceContext {
        TraceContext::new(self.parent.child(span_id), self.state.clone())
    }
}

/// Reads the caller's context. `None` when `traceparent` is missing,
/// repeated or invalid (start a new trace then); an invalid `tracestate` is
/// dropped and the `traceparent` kept.
///
/// ```
/// use std::collections::HashMap;
///
/// let mut headers = HashMap::new();
/// headers.insert("traceparent".to_owned(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned());
/// headers.insert("tracestate".to_owned(), "bad key=1".to_owned());
/// let context = observa::propagation::extract(&headers).unwrap();
/// assert!(context.state().is_empty(), "the invalid tracestate is dropped");
/// ```
pub fn extract(carrier: &impl Carrier) -> Option<TraceContext> {
    let parents = carrier.get_all(TRACEPARENT);
    let [parent] = parents.as_slice() else {
        return None;
    };
    let parent: TraceParent = parent.parse().ok()?;
    let state = TraceState::from_headers(carrier.get_all(TRACESTATE)).unwrap_or_default();
    Some(TraceContext::new(parent, state))
}

/// Writes `context` as `traceparent` and, when not empty, `tracestate`
/// (cut to [`PROPAGATED_LEN`] characters), replacing any earlier values.
pub fn inject(context: &TraceContext, carrier: &mut impl Carrier) {
    carrier.set(TRACEPARENT, context.parent.to_string());
    if context.state.is_empty() {
        carrier.remove(TRACESTATE);
    } else {
        carrier.set(TRACESTATE, context.state.header_value());
    }
}

#[cfg(test)]
mod tests;
