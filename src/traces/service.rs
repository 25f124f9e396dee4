//! [`TracingService`]: opens, finishes and reassembles spans.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::domain::{Span, SpanId, SpanStatus, TraceId};
use crate::error::{ObsError, Result};
use crate::ports::{Evictions, Query, Repository};
use crate::redaction::Redactor;
use crate::sampling::Sampler;
use crate::sinks::{Outlets, DEFAULT_QUEUE_CAPACITY};

use super::materialize::Outlet;
use super::pipeline::SpanPipeline;
use super::start::local_child_decisions;

/// One span and the spans started under it.
///
/// [`TracingService::trace_tree`] builds it without recursion; the derived
/// `Clone`, `PartialEq` and `Debug` do recurse, one stack frame per level.
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
    pub(super) service: Arc<str>,
    /// Decides which new spans are recorded (see `traces/active.rs`).
    pub(super) sampler: Arc<Sampler>,
    /// The sampler's fixed decisions for children of a local unsampled
    /// (`[0]`) and sampled (`[1]`) parent, so most spans skip the sampler.
    pub(super) local_child: [Option<bool>; 2],
    /// Makes `record`'s duplicate check and save one step.
    record_lock: Arc<Mutex<()>>,
    redactor: Arc<Redactor>,
    /// Where spans that finish as [`ActiveSpan`](super::ActiveSpan)s go,
    /// off the caller's thread; also holds the repository and the sinks.
    pub(super) pipeline: Arc<SpanPipeline>,
}

impl TracingService {
    /// A service naming its spans after `service` and storing into
    /// `repository`, redacting with [`Redactor::default`], with no sink.
    pub fn new(repository: Arc<dyn Repository<Span>>, service: impl Into<String>) -> Self {
        let service: Arc<str> = Arc::from(service.into());
        let redactor = Arc::new(Redactor::default());
        TracingService {
            pipeline: pipeline(&repository, &service, &redactor, Arc::default()),
            repository,
            service,
            local_child: local_child_decisions(&Sampler::default()),
            sampler: Arc::default(),
            record_lock: Arc::default(),
            redactor,
        }
    }

    /// The same service redacting with `redactor` and writing to `sinks`.
    pub(crate) fn with_outlets(self, redactor: Arc<Redactor>, sinks: Arc<Outlets>) -> Self {
        TracingService {
            pipeline: pipeline(&self.repository, &self.service, &redactor, sinks),
            redactor,
            ..self
        }
    }

    /// Stores a finished, redacted span and queues it on the span sinks.
    fn store(&self, span: Span) -> Result<Span> {
        let trace_flags = crate::traces::current()
            .filter(|c| c.trace_id() == span.trace_id())
            .map(|c| c.flags().to_byte());
        self.pipeline.outlet().store(span, trace_flags)
    }

    /// Stores every span finished so far that is still queued (queries do
    /// this first, so they see every finished span).
    pub(crate) fn drain(&self) {
        self.pipeline.drain();
    }

    /// Waits until the writer thread has stored every span finished before the
    /// call, or `deadline` passes; `true` if it has.
    pub(crate) fn flush_queue(&self, deadline: std::time::Instant) -> bool {
        self.pipeline.flush(deadline)
    }

    /// Finished spans dropped before reaching the repository, by reason:
    /// `queue_full`, `invalid` (refused by the [`Span`] entity) and
    /// `store_error` (refused by the repository).
    pub(crate) fn queue_drops(&self) -> [(&'static str, u64); 3] {
        self.pipeline.drops()
    }

    /// Opens the root span of a new trace.
    pub fn start_trace(&self, operation: impl Into<String>) -> Result<Span> {
        Span::root(operation, &*self.service)
    }

    /// Opens a span under `parent`, in the parent's trace.
    pub fn start_span(&self, parent: &Span, operation: impl Into<String>) -> Result<Span> {
        parent.child(operation)
    }

    /// Ends `span` now with `status`, redacts it (attribute values, event
    /// names), stores it and queues it on the span sinks; returns the span
    /// as stored.
    ///
    /// ```
    /// # use observa::{Observability, SpanStatus};
    /// let obs = Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().start_trace("login")?.with_attribute("user.email", "ann@example.com")?;
    /// let stored = obs.tracing().finish(span, SpanStatus::Ok)?;
    /// assert_eq!(stored.attributes()["user.email"], "[REDACTED]");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn finish(&self, span: Span, status: SpanStatus) -> Result<Span> {
        let mut finished = span.finish(status)?;
        self.redactor.redact_span(&mut finished);
        self.store(finished)
    }

    /// Stores an already finished span (e.g. one received from elsewhere),
    /// redacted as [`finish`](Self::finish) does, and queues it on the span sinks.
    ///
    /// A span whose span id is already stored in its trace under another
    /// entity id is refused (a validation error on `span_id`): trace trees
    /// need one span per id. Recording the same span again replaces it. The
    /// check reads the trace's stored spans, so it costs a repository query.
    ///
    /// ```
    /// # use observa::{Observability, Span, SpanStatus};
    /// let obs = Observability::builder().service("api", "1").build()?;
    /// let root = Span::root("GET /", "api")?.finish(SpanStatus::Ok)?;
    /// obs.tracing().record(root.clone())?;
    /// obs.tracing().record(root.clone())?; // the same span again: replaced
    ///
    /// let json = serde_json::to_value(&root).unwrap();
    /// let mut copy = json.clone();
    /// copy["id"] = uuid::Uuid::new_v4().to_string().into();
    /// let impostor: Span = serde_json::from_value(copy).unwrap();
    /// let err = obs.tracing().record(impostor).unwrap_err();
    /// assert_eq!((err.entity(), err.field()), (Some("span"), Some("span_id")));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn record(&self, span: Span) -> Result<()> {
        self.record_all(vec![span]).pop().unwrap_or(Ok(()))
    }

    /// Records several spans as [`record`](Self::record) does each, with one
    /// repository query per trace rather than per span (what a batch received
    /// over OTLP needs); one result per span, in order.
    pub(crate) fn record_all(&self, spans: Vec<Span>) -> Vec<Result<()>> {
        let _one_at_a_time = self.record_lock.lock();
        self.drain();
        let mut stored_ids: HashMap<TraceId, HashMap<SpanId, uuid::Uuid>> = HashMap::new();
        let mut record_one = |mut span: Span| -> Result<()> {
            if !span.is_finished() {
                return Err(ObsError::validation(
                    "span",
                    "end",
                    "none",
                    "only finished spans are recorded",
                ));
            }
            self.redactor.redact_span(&mut span);
            let ids = match stored_ids.entry(span.trace_id()) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let stored = self.repository.query(&Query::new().trace_id(span.trace_id()))?;
                    slot.insert(stored.iter().map(|s| (s.span_id(), s.id())).collect())
                }
            };
            if ids.get(&span.span_id()).is_some_and(|id| *id != span.id()) {
                return Err(ObsError::validation(
                    "span",
                    "span_id",
                    span.span_id(),
                    "must be unique within its trace: another span with this id is already recorded",
                ));
            }
            ids.insert(span.span_id(), span.id());
            self.store(span).map(drop)
        };
        spans.into_iter().map(&mut record_one).collect()
    }

    /// The stored spans of a trace, earliest start first.
    pub fn spans(&self, trace_id: TraceId) -> Result<Vec<Span>> {
        self.drain();
        let mut spans = self.repository.query(&Query::new().trace_id(trace_id))?;
        spans.sort_by_key(Span::start);
        Ok(spans)
    }

    /// The stored spans with `operation`, newest first.
    pub fn by_operation(&self, operation: &str) -> Result<Vec<Span>> {
        self.drain();
        self.repository.query(&Query::new().operation(operation))
    }

    /// The trace as a forest: spans whose parent is not stored are roots
    /// (normally just the one root span). Not found if no span is stored.
    ///
    /// Built without recursion in O(n log n), so any depth works on any
    /// stack. Every stored span appears exactly once: should a repository
    /// hold parent links that loop (spans stored past [`TracingService::record`]'s
    /// checks), the earliest span of the loop becomes a root.
    pub fn trace_tree(&self, trace_id: TraceId) -> Result<Vec<SpanNode>> {
        let spans = self.spans(trace_id)?;
        if spans.is_empty() {
            return Err(ObsError::not_found("trace", trace_id));
        }
        Ok(build_forest(spans))
    }

    /// How many stored spans the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.drain();
        self.repository.evictions()
    }
}

/// The pipeline of a service: spans finished as `ActiveSpan`s go to
/// `repository` and `sinks`, redacted by `redactor`.
fn pipeline(
    repository: &Arc<dyn Repository<Span>>,
    service: &Arc<str>,
    redactor: &Arc<Redactor>,
    sinks: Arc<Outlets>,
) -> Arc<SpanPipeline> {
    let outlet = Outlet::new(
        Arc::clone(repository),
        Arc::clone(service),
        Arc::clone(redactor),
        sinks,
    );
    Arc::new(SpanPipeline::new(outlet, DEFAULT_QUEUE_CAPACITY))
}

/// Links `spans` (earliest start first) into a forest. Children attach to
/// the earliest stored span with their parent's id; each span is placed once.
fn build_forest(spans: Vec<Span>) -> Vec<SpanNode> {
    let mut index: HashMap<SpanId, usize> = HashMap::with_capacity(spans.len());
    for (i, span) in spans.iter().enumerate() {
        index.entry(span.span_id()).or_insert(i);
    }
    let parent_of = |span: &Span| span.parent_span_id().and_then(|p| index.get(&p).copied());
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    for (i, span) in spans.iter().enumerate() {
        if let Some(parent) = parent_of(span).filter(|&p| p != i) {
            children[parent].push(i);
        }
    }
    // Depth-first discovery with an explicit stack; a span already placed is
    // never placed again, which breaks any loop in the parent links.
    let mut placed = vec![false; spans.len()];
    let mut kept: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    let mut discovery = Vec::with_capacity(spans.len());
    let mut roots = Vec::new();
    let natural_roots = (0..spans.len()).filter(|&i| parent_of(&spans[i]).is_none_or(|p| p == i));
    let natural_roots: Vec<usize> = natural_roots.collect();
    for root in natural_roots.into_iter().chain(0..spans.len()) {
        if placed[root] {
            continue;
        }
        placed[root] = true;
        roots.push(root);
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            discovery.push(node);
            for &child in &children[node] {
                if !placed[child] {
                    placed[child] = true;
                    kept[node].push(child);
                    stack.push(child);
                }
            }
        }
    }
    // Children are discovered after their parent, so building in reverse
    // discovery order finds every child's node ready.
    let mut spans: Vec<Option<Span>> = spans.into_iter().map(Some).collect();
    let mut nodes: Vec<Option<SpanNode>> = (0..spans.len()).map(|_| None).collect();
    for &i in discovery.iter().rev() {
        let children = kept[i].iter().filter_map(|&c| nodes[c].take()).collect();
        let span = spans[i].take().expect("each span is discovered once");
        nodes[i] = Some(SpanNode { span, children });
    }
    roots.into_iter().filter_map(|r| nodes[r].take()).collect()
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
    fn a_batch_refuses_span_ids_taken_in_its_trace_or_earlier_in_the_batch() {
        let tracing = TracingService::new(Arc::new(InMemoryRepository::new(100)), "svc");
        let stored = Span::root("a", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
        tracing.record(stored.clone()).unwrap();
        let twin = |span: &Span| {
            let mut json = serde_json::to_value(span).unwrap();
            json["id"] = crate::domain::random_uuid().to_string().into();
            serde_json::from_value::<Span>(json).unwrap()
        };
        let fresh = stored.child("b").unwrap().finish(SpanStatus::Ok).unwrap();
        let open = stored.child("c").unwrap();
        let batch = vec![twin(&stored), fresh.clone(), twin(&fresh), stored.clone(), open];
        let results = tracing.record_all(batch);
        let outcome: Vec<Option<&str>> = results
            .iter()
            .map(|r| r.as_ref().err().and_then(|e| e.field()))
            .collect();
        assert_eq!(
            outcome,
            [Some("span_id"), None, Some("span_id"), None, Some("end")]
        );
        assert_eq!(tracing.spans(stored.trace_id()).unwrap().len(), 2);
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
