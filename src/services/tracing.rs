//! [`TracingService`]: opens, finishes and reassembles spans.

use std::sync::Arc;

use crate::domain::{Span, SpanStatus, TraceId};
use crate::error::{ObsError, Result};
use crate::ports::{Evictions, Query, Repository};

/// One span and the spans started under it.
///
/// ```
/// # use observa::Observability;
/// let obs = Observability::builder().service("api", "1").build()?;
/// let root = obs.tracing().start_trace("GET /")?;
/// let trace_id = root.trace_id();
/// obs.tracing().finish(root, observa::SpanStatus::Ok)?;
/// let tree = obs.tracing().trace_tree(trace_id)?;
/// assert_eq!(tree[0].span.operation(), "GET /");
/// assert!(tree[0].children.is_empty());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SpanNode {
    /// The span.
    pub span: Span,
    /// Its children, earliest start first.
    pub children: Vec<SpanNode>,
}

/// Starts traces and child spans for one service and stores finished spans.
///
/// Spans are values: `start_*` hands one out, the caller keeps it while the
/// work runs, and [`TracingService::finish`] stamps the end and stores it.
///
/// ```
/// use observa::{Observability, SpanStatus};
///
/// let obs = Observability::builder().service("checkout", "1.0").build()?;
/// let tracing = obs.tracing();
/// let root = tracing.start_trace("place_order")?;
/// let child = tracing.start_span(&root, "charge_card")?;
/// tracing.finish(child, SpanStatus::Ok)?;
/// let root = tracing.finish(root, SpanStatus::Ok)?;
///
/// let tree = tracing.trace_tree(root.trace_id())?;
/// assert_eq!(tree.len(), 1);
/// assert_eq!(tree[0].children[0].span.operation(), "charge_card");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct TracingService {
    repository: Arc<dyn Repository<Span>>,
    service: String,
}

impl TracingService {
    /// A service naming its spans after `service` and storing into `repository`.
    pub fn new(repository: Arc<dyn Repository<Span>>, service: impl Into<String>) -> Self {
        TracingService {
            repository,
            service: service.into(),
        }
    }

    /// Opens the root span of a new trace.
    pub fn start_trace(&self, operation: impl Into<String>) -> Result<Span> {
        Span::root(operation, self.service.clone())
    }

    /// Opens a span under `parent`, in the parent's trace.
    pub fn start_span(&self, parent: &Span, operation: impl Into<String>) -> Result<Span> {
        parent.child(operation)
    }

    /// Ends `span` now with `status` and stores it; returns the finished span.
    pub fn finish(&self, span: Span, status: SpanStatus) -> Result<Span> {
        let finished = span.finish(status)?;
        self.repository.save(finished.clone())?;
        Ok(finished)
    }

    /// Stores an already finished span (e.g. one received from elsewhere).
    pub fn record(&self, span: Span) -> Result<()> {
        if !span.is_finished() {
            return Err(ObsError::validation(
                "span",
                "end",
                "none",
                "only finished spans are recorded",
            ));
        }
        self.repository.save(span)
    }

    /// The stored spans of a trace, earliest start first.
    pub fn spans(&self, trace_id: TraceId) -> Result<Vec<Span>> {
        let mut spans = self.repository.query(&Query::new().trace_id(trace_id))?;
        spans.sort_by_key(Span::start);
        Ok(spans)
    }

    /// The stored spans with `operation`, newest first.
    pub fn by_operation(&self, operation: &str) -> Result<Vec<Span>> {
        self.repository.query(&Query::new().operation(operation))
    }

    /// The trace as a forest: spans whose parent is not stored are roots
    /// (normally just the one root span). Not found if no span is stored.
    pub fn trace_tree(&self, trace_id: TraceId) -> Result<Vec<SpanNode>> {
        let spans = self.spans(trace_id)?;
        if spans.is_empty() {
            return Err(ObsError::not_found("trace", trace_id));
        }
        let is_stored = |id| spans.iter().any(|s| s.span_id() == id);
        let roots = spans
            .iter()
            .filter(|s| !s.parent_span_id().is_some_and(is_stored));
        Ok(roots.map(|root| build_node(root, &spans)).collect())
    }

    /// How many stored spans the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository.evictions()
    }
}

fn build_node(span: &Span, all: &[Span]) -> SpanNode {
    let children = all
        .iter()
        .filter(|s| s.parent_span_id() == Some(span.span_id()))
        .map(|child| build_node(child, all))
        .collect();
    SpanNode {
        span: span.clone(),
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;

    #[test]
    fn tree_nests_grandchildren_and_keeps_orphans_as_roots() {
        let tracing = TracingService::new(Arc::new(InMemoryRepository::new(100)), "svc");
        let root = tracing.start_trace("root").unwrap();
        let child = tracing.start_span(&root, "child").unwrap();
        let grandchild = tracing.start_span(&child, "grandchild").unwrap();
        let orphan_parent = tracing.start_span(&root, "never finished").unwrap();
        let orphan = tracing.start_span(&orphan_parent, "orphan").unwrap();
        for span in [grandchild, child, orphan, root] {
            tracing.finish(span, SpanStatus::Ok).unwrap();
        }
        let trace_id = orphan_parent.trace_id();
        let tree = tracing.trace_tree(trace_id).unwrap();
        let roots: Vec<_> = tree.iter().map(|n| n.span.operation()).collect();
        assert_eq!(roots, ["root", "orphan"]);
        assert_eq!(tree[0].children[0].children[0].span.operation(), "grandchild");
    }

    #[test]
    fn unknown_trace_is_not_found_and_open_spans_are_not_recorded() {
        let tracing = TracingService::new(Arc::new(InMemoryRepository::new(10)), "svc");
        assert_eq!(
            tracing.trace_tree(TraceId::random()).unwrap_err().code(),
            "not_found"
        );
        let open = tracing.start_trace("op").unwrap();
        assert_eq!(tracing.record(open).unwrap_err().code(), "validation");
    }
}
