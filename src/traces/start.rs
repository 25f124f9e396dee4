//! Starting [`ActiveSpan`]s: the parent (current, remote or none), the
//! sampling decision, and the scoped helpers `in_span` / `in_span_result`.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use crate::domain::{rules, SpanId, SpanKind, SpanStatus, TraceId};
use crate::error::Result;
use crate::propagation::TraceFlags;
use crate::sampling::Sampler;

use super::active::{set_attribute, status_of, ActiveSpan};
use super::context::{current, SpanContext};
use super::recording::{now, Extras, Recording};
use super::TracingService;

/// The attribute holding a span's links: the `traceparent` of each linked
/// span, comma-separated (the [`Span`](crate::Span) entity has no link field of its own).
pub const LINKS_ATTRIBUTE: &str = "observa.links";

/// Where a new span's parent comes from.
#[derive(Clone, Copy, Debug)]
enum Parent {
    Current,
    Root,
    Explicit(SpanContext),
}

/// Options for a new span: parent, kind, attributes, links; see
/// [`TracingService::span_builder`].
///
/// ```
/// use observa::propagation::TraceParent;
/// use observa::traces::SpanContext;
/// use observa::{Observability, SpanKind};
///
/// let obs = Observability::builder().service("api", "1").build()?;
/// let incoming: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse()?;
/// let remote = SpanContext::from_traceparent(&incoming);
/// let span = obs
///     .tracing()
///     .span_builder("GET /orders")
///     .parent(remote)
///     .kind(SpanKind::Server)
///     .attribute("http.request.method", "GET")
///     .start()?;
/// assert_eq!(span.context().trace_id(), incoming.trace_id());
/// assert!(span.is_recording(), "the remote parent is sampled");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[must_use = "a builder does nothing until `start` is called"]
pub struct ActiveSpanBuilder<'a> {
    tracing: &'a TracingService,
    operation: Cow<'static, str>,
    parent: Parent,
    kind: SpanKind,
    attributes: Vec<(String, String)>,
    links: Vec<SpanContext>,
}

impl std::fmt::Debug for ActiveSpanBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSpanBuilder")
            .field("operation", &self.operation)
            .field("parent", &self.parent)
            .field("kind", &self.kind)
            .field("attributes", &self.attributes)
            .field("links", &self.links)
            .finish()
    }
}

impl ActiveSpanBuilder<'_> {
    /// Starts the span under `parent` (e.g. a context extracted from a
    /// request's `traceparent`) instead of the current span.
    pub fn parent(mut self, parent: SpanContext) -> Self {
        self.parent = Parent::Explicit(parent);
        self
    }

    /// Starts a new trace even when a span is current.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let outer = obs.tracing().span("request");
    /// let _entered = outer.enter();
    /// let job = obs.tracing().span_builder("background job").root().start()?;
    /// assert_ne!(job.context().trace_id(), outer.context().trace_id());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn root(mut self) -> Self {
        self.parent = Parent::Root;
        self
    }

    /// Sets the span kind (default `internal`).
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = kind;
        self
    }

    /// Adds an attribute (validated at [`start`](Self::start)).
    pub fn attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((key.into(), value.into()));
        self
    }

    /// Links another span (e.g. one of the messages a batch consumes); kept
    /// in the attribute [`LINKS_ATTRIBUTE`].
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let producer = obs.tracing().span("publish");
    /// let consumer = obs.tracing().span_builder("consume").root().link(producer.context()).start()?;
    /// let trace_id = consumer.context().trace_id();
    /// drop(consumer);
    /// let stored = &obs.tracing().spans(trace_id)?[0];
    /// let links = &stored.attributes()[observa::traces::LINKS_ATTRIBUTE];
    /// assert_eq!(links, &producer.traceparent().to_string());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn link(mut self, linked: SpanContext) -> Self {
        self.links.push(linked);
        self
    }

    /// Asks the sampler and starts the span. An unsampled span costs a
    /// sampling decision (its span id is drawn when first read) and
    /// validates nothing; a sampled one is
    /// validated as [`Span`](crate::Span) is (operation, attributes).
    pub fn start(self) -> Result<ActiveSpan> {
        let parent = match self.parent {
            Parent::Current => current(),
            Parent::Root => None,
            Parent::Explicit(context) => Some(context),
        };
        let trace_id = parent.map_or_else(TraceId::random, |p| p.trace_id());
        let sampled = match parent {
            Some(p) if !p.is_remote() => self.tracing.local_child[usize::from(p.is_sampled())],
            _ => None,
        };
        let sampled = sampled.unwrap_or_else(|| {
            let parent = parent.map(|p| (p.flags(), p.is_remote()));
            let decision = self
                .tracing
                .sampler
                .should_sample(parent, trace_id, &self.operation);
            decision.is_sampled()
        });
        // a new trace id is random: the Level 2 `random` flag says so
        let flags = parent
            .map_or(TraceFlags::RANDOM, |p| p.flags())
            .with_sampled(sampled);
        if !sampled {
            return Ok(ActiveSpan::unsampled(trace_id, flags));
        }
        check_operation(&self.operation)?;
        let mut attributes = Vec::with_capacity(self.attributes.len());
        for (key, value) in self.attributes {
            set_attribute(&mut attributes, key, value)?;
        }
        if !self.links.is_empty() {
            let links: Vec<String> = self
                .links
                .iter()
                .map(|l| l.to_traceparent().to_string())
                .collect();
            set_attribute(&mut attributes, LINKS_ATTRIBUTE.to_owned(), links.join(","))?;
        }
        let extras = (!attributes.is_empty()).then(|| {
            Box::new(Extras {
                attributes,
                events: Vec::new(),
            })
        });
        let context = (trace_id, flags);
        Ok(self
            .tracing
            .start_recording(parent, context, self.operation, self.kind, extras))
    }
}

impl TracingService {
    /// Starts a sampled span whose operation is checked: a span id other
    /// than the parent's, the clock read, the recording boxed.
    #[inline]
    fn start_recording(
        &self,
        parent: Option<SpanContext>,
        (trace_id, flags): (TraceId, TraceFlags),
        operation: Cow<'static, str>,
        kind: SpanKind,
        extras: Option<Box<Extras>>,
    ) -> ActiveSpan {
        let parent_id = parent.map(|p| p.span_id());
        let span_id = loop {
            let id = SpanId::random();
            if Some(id) != parent_id {
                break id;
            }
        };
        let recording = Recording {
            operation,
            parent: parent_id,
            kind,
            status: None,
            start: now(),
            extras,
            pipeline: Arc::clone(&self.pipeline),
        };
        ActiveSpan::recording(SpanContext::new(trace_id, span_id, flags), recording)
    }

    /// A sampled child of the local span `parent` (the sampler's decision
    /// for it being fixed): [`span`](Self::span) without the builder.
    #[inline(never)]
    fn start_sampled_local_child(&self, parent: SpanContext, operation: Cow<'static, str>) -> ActiveSpan {
        if check_operation(&operation).is_err() {
            return refused();
        }
        let context = (parent.trace_id(), parent.flags().with_sampled(true));
        self.start_recording(Some(parent), context, operation, SpanKind::Internal, None)
    }
}

/// Spans with a scope: the current span, sampling, closures run in a span.
impl TracingService {
    /// Returns the service deciding with `sampler` which new spans are
    /// recorded (the container sets it from
    /// [`ObservabilityBuilder::sampler`](crate::ObservabilityBuilder::sampler)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use observa::adapters::InMemoryRepository;
    /// use observa::sampling::Sampler;
    /// use observa::traces::TracingService;
    ///
    /// let tracing = TracingService::new(Arc::new(InMemoryRepository::new(10)), "api")
    ///     .with_sampler(Sampler::always_off());
    /// assert_eq!(tracing.sampler().description(), "AlwaysOffSampler");
    /// ```
    pub fn with_sampler(mut self, sampler: Sampler) -> Self {
        self.local_child = local_child_decisions(&sampler);
        self.sampler = Arc::new(sampler);
        self
    }

    /// The sampler deciding for new spans (default parent-based, always on
    /// for new traces).
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// assert!(obs.tracing().sampler().description().starts_with("ParentBased{root:AlwaysOnSampler"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// Options for a new span; see [`ActiveSpanBuilder`].
    pub fn span_builder(&self, operation: impl Into<Cow<'static, str>>) -> ActiveSpanBuilder<'_> {
        ActiveSpanBuilder {
            tracing: self,
            operation: operation.into(),
            parent: Parent::Current,
            kind: SpanKind::Internal,
            attributes: Vec::new(),
            links: Vec::new(),
        }
    }

    /// Starts a span: a child of the current span if there is one, else
    /// the root of a new trace. Sampled by the service's sampler.
    ///
    /// An operation name the [`Span`](crate::Span) entity refuses (blank, over 256
    /// characters, control characters) gives a span that keeps the parent's
    /// trace and flags but is not recorded; use [`span_builder`](Self::span_builder)
    /// and its `start` to see the error.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let parent = obs.tracing().span("parent");
    /// let _entered = parent.enter();
    /// let child = obs.tracing().span("child");
    /// assert_eq!(child.context().trace_id(), parent.context().trace_id());
    /// assert!(!obs.tracing().span("").is_recording(), "a blank name is refused");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[inline(always)]
    pub fn span(&self, operation: impl Into<Cow<'static, str>>) -> ActiveSpan {
        // the common cases: a child of a local span whose sampling the
        // sampler fixes whatever its name (the default sampler's); an
        // unsampled one is only a context
        if let Some(parent) = current() {
            if !parent.is_remote() {
                let fixed = self.local_child[usize::from(parent.is_sampled())];
                if fixed == Some(false) {
                    let flags = parent.flags().with_sampled(false);
                    return ActiveSpan::unsampled(parent.trace_id(), flags);
                }
                if fixed == Some(true) {
                    return self.start_sampled_local_child(parent, operation.into());
                }
            }
        }
        self.start_with_sampler(operation.into())
    }

    /// [`span`](Self::span) asking the sampler, through the builder.
    #[inline(never)]
    fn start_with_sampler(&self, operation: Cow<'static, str>) -> ActiveSpan {
        self.span_builder(operation).start().unwrap_or_else(|_| refused())
    }

    /// Runs `f` with a new span current (see [`span`](Self::span)); the span
    /// finishes with status `ok` when `f` returns, `error` if it panics.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let total = obs.tracing().in_span("sum", || {
    ///     assert!(observa::traces::current().is_some());
    ///     2 + 2
    /// });
    /// assert_eq!(total, 4);
    /// assert_eq!(obs.tracing().by_operation("sum")?[0].status(), observa::SpanStatus::Ok);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn in_span<T>(&self, operation: impl Into<Cow<'static, str>>, f: impl FnOnce() -> T) -> T {
        let mut span = self.span(operation);
        let out = {
            let _entered = span.enter_owned();
            f()
        };
        span.set_status(SpanStatus::Ok);
        out
    }

    /// Like [`in_span`](Self::in_span) for a `Result`: status `ok` for `Ok`,
    /// `error` for `Err` or a panic.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let parsed = obs.tracing().in_span_result("parse", || "x".parse::<u8>());
    /// assert!(parsed.is_err());
    /// assert_eq!(obs.tracing().by_operation("parse")?[0].status(), observa::SpanStatus::Error);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn in_span_result<T, E>(
        &self,
        operation: impl Into<Cow<'static, str>>,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut span = self.span(operation);
        let out = {
            let _entered = span.enter_owned();
            f()
        };
        span.set_status(status_of(&out));
        out
    }
}

/// The fixed decisions of `sampler` for children of a local parent,
/// unsampled (`[0]`) and sampled (`[1]`); see [`Sampler::fixed_for_local_child`].
pub(super) fn local_child_decisions(sampler: &Sampler) -> [Option<bool>; 2] {
    [
        sampler.fixed_for_local_child(false),
        sampler.fixed_for_local_child(true),
    ]
}

/// Checks an operation name as the [`Span`](crate::Span) entity does. A
/// `&'static str` never changes, so the last one found valid on this thread
/// is not checked again (a span name is usually a literal, used in a loop).
#[allow(clippy::ptr_arg)] // whether the name is borrowed (`'static`) matters
fn check_operation(operation: &Cow<'static, str>) -> Result<()> {
    thread_local! {
        static LAST_VALID: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    }
    let Cow::Borrowed(name) = operation else {
        return rules::short_name("span", "operation", operation);
    };
    let key = (name.as_ptr() as usize, name.len());
    if LAST_VALID.with(Cell::get) != key {
        rules::short_name("span", "operation", name)?;
        LAST_VALID.with(|last| last.set(key));
    }
    Ok(())
}

/// The span given for a refused operation name: the current trace carried
/// on (or a new unsampled one), nothing recorded.
#[cold]
fn refused() -> ActiveSpan {
    let (trace_id, flags) = current().map_or((TraceId::random(), TraceFlags::RANDOM), |p| {
        (p.trace_id(), p.flags())
    });
    ActiveSpan::unsampled(trace_id, flags)
}
