//! [`ObservaLayer`]: tracing spans as observa [`Span`]s, tracing events as
//! [`LogEntry`] values.
//!
//! **Spans.** A tracing span becomes an observa span when it is created: its
//! name is the operation, its fields (and values recorded later) are the
//! attributes, as text. Its parent is the enclosing tracing span; a tracing
//! span without one joins the span context current on the thread
//! ([`current`]), e.g. one entered from an incoming `traceparent`, or starts
//! a new trace. It is finished and recorded through the
//! [`TracingService`] when tracing closes it
//! (its last handle is dropped). Its status is `error` when it has a field
//! named `error` (other than `false`), a field recorded as a `dyn Error`, or
//! an `ERROR` event directly inside it; otherwise it stays `unset`, as
//! tracing does not say whether the work succeeded. Under an unsampled
//! context a span gets its own ids and the same flags, and nothing is
//! recorded.
//!
//! **Current context.** While a tracing span is entered on a thread, its
//! context is observa's current one there, so observa code inside (logs,
//! monitors, propagation) sees it.
//!
//! **Events.** An event becomes a log entry through the
//! [`LogService`] (its minimum level, redaction and sinks apply). Levels map
//! as in [`map_level`]; the `message` field is the body (the event's name
//! when it has none), other fields are fields, its target is the entry's
//! target, its module, file and line are `code.namespace`, `code.filepath`
//! and `code.lineno`, and the enclosing span's ids (else the current
//! context's, unless the event says `parent: None`) tie it to its trace.

mod entered;
mod fields;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use self::fields::{AttributeVisitor, EventVisitor};
use super::fit::{self, Entries};
use crate::domain::{LogEntry, LogLevel, Span, SpanId, SpanStatus, TraceId};
use crate::logs::LogService;
use crate::propagation::TraceFlags;
use crate::traces::{current, SpanContext, TracingService};
use crate::Observability;

/// The observa level of a tracing level.
///
/// | tracing | observa |
/// |---|---|
/// | `ERROR` | [`LogLevel::Error`] |
/// | `WARN` | [`LogLevel::Warning`] |
/// | `INFO` | [`LogLevel::Info`] |
/// | `DEBUG` | [`LogLevel::Debug`] |
/// | `TRACE` | [`LogLevel::Trace`] |
///
/// ```
/// use observa::bridges::tracing::map_level;
/// use observa::LogLevel;
///
/// assert_eq!(map_level(&tracing::Level::WARN), LogLevel::Warning);
/// assert_eq!(map_level(&tracing::Level::ERROR), LogLevel::Error);
/// ```
pub fn map_level(level: &Level) -> LogLevel {
    match *level {
        Level::ERROR => LogLevel::Error,
        Level::WARN => LogLevel::Warning,
        Level::INFO => LogLevel::Info,
        Level::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    }
}

/// What the layer keeps in a tracing span's extensions while it is open.
struct SpanData {
    /// `None` when the span is not sampled.
    span: Option<Span>,
    context: SpanContext,
    attributes: Entries<String>,
    error: bool,
}

struct Inner {
    tracing: TracingService,
    logs: LogService,
    service: String,
    dropped: AtomicU64,
}

/// A `tracing_subscriber::Layer` recording tracing spans and events into an
/// [`Observability`] (see the [module](self) documentation for the mapping).
///
/// Cheap to clone; clones share the [`dropped`](ObservaLayer::dropped) count.
///
/// ```
/// use observa::bridges::tracing::ObservaLayer;
/// use observa::traces::current;
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// let subscriber = tracing_subscriber::registry().with(ObservaLayer::new(&obs));
/// tracing::subscriber::with_default(subscriber, || {
///     let order = tracing::info_span!("place_order", order_id = 7);
///     let _entered = order.enter();
///     let context = current().expect("the entered span is observa's current context");
///     tracing::info_span!("charge_card").in_scope(|| tracing::error!("card declined"));
///     tracing::info!(items = 3, "order placed");
///     assert_eq!(obs.logs().recent(1)?[0].span_id(), Some(context.span_id()));
///     Ok::<_, observa::ObsError>(())
/// })?;
///
/// let place_order = &obs.tracing().by_operation("place_order")?[0];
/// assert_eq!(place_order.attributes()["order_id"], "7");
/// let tree = obs.tracing().trace_tree(place_order.trace_id())?;
/// let charge = &tree[0].children[0].span;
/// assert_eq!((charge.operation(), charge.status()), ("charge_card", observa::SpanStatus::Error));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct ObservaLayer {
    inner: Arc<Inner>,
}

impl ObservaLayer {
    /// A layer recording into `obs`'s tracing and log services.
    pub fn new(obs: &Observability) -> ObservaLayer {
        ObservaLayer {
            inner: Arc::new(Inner {
                tracing: obs.tracing().clone(),
                logs: obs.logs().clone(),
                service: obs.info().service.clone(),
                dropped: AtomicU64::new(0),
            }),
        }
    }

    /// How many spans and log entries the services refused (they were not
    /// stored), plus fields and attributes left out to keep them within the
    /// limits. Events below the log service's minimum level are not counted.
    ///
    /// ```
    /// use observa::bridges::tracing::ObservaLayer;
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// let layer = ObservaLayer::new(&obs);
    /// let subscriber = tracing_subscriber::registry().with(layer.clone());
    /// tracing::subscriber::with_default(subscriber, || tracing::info!(ok = true, "fits"));
    /// assert_eq!(layer.dropped(), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    fn drop_count(&self, n: u64) {
        if n > 0 {
            self.inner.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// The key of span `id` of this layer in the per-thread entered stack.
    fn key(&self, id: &Id) -> (usize, u64) {
        (Arc::as_ptr(&self.inner) as usize, id.into_u64())
    }

    /// Opens the observa side of a new tracing span under `parent`.
    /// The container's sampler decides, as for observa's own spans.
    fn open(&self, operation: &str, parent: Option<SpanContext>) -> SpanData {
        let trace_id = parent.map_or_else(TraceId::random, |p| p.trace_id());
        let decision = self.inner.tracing.sampler().should_sample(
            parent.map(|p| (p.flags(), p.is_remote())),
            trace_id,
            operation,
        );
        // a new trace id is random: the Level 2 `random` flag says so
        let flags = parent
            .map_or(TraceFlags::RANDOM, |p| p.flags())
            .with_sampled(decision.is_sampled());
        let span = if flags.is_sampled() {
            let operation = fit::short_name(operation, "tracing span");
            let builder = Span::builder(operation, self.inner.service.clone());
            let builder = match parent {
                Some(parent) => builder.parent(parent.trace_id(), parent.span_id()),
                None => builder.trace_id(trace_id),
            };
            builder.build().inspect_err(|_| self.drop_count(1)).ok()
        } else {
            None
        };
        let context = match &span {
            Some(span) => SpanContext::new(span.trace_id(), span.span_id(), flags),
            None => SpanContext::new(trace_id, SpanId::random(), flags),
        };
        SpanData {
            span,
            context,
            attributes: Entries::default(),
            error: false,
        }
    }

    /// Finishes and records the observa side of a closed tracing span.
    fn close(&self, data: SpanData) {
        self.drop_count(data.attributes.dropped());
        let Some(mut span) = data.span else { return };
        for (name, value) in data.attributes.into_entries() {
            match span.with_attribute(name, value) {
                Ok(with) => span = with,
                Err(_) => return self.drop_count(1),
            }
        }
        let status = if data.error {
            SpanStatus::Error
        } else {
            SpanStatus::Unset
        };
        if self.inner.tracing.finish(span, status).is_err() {
            self.drop_count(1);
        }
    }

    fn log(&self, event: &Event<'_>, level: LogLevel, context: Option<SpanContext>) {
        let metadata = event.metadata();
        let mut visitor = EventVisitor::default();
        event.record(&mut visitor);
        let mut fields = visitor.fields;
        if let Some(module) = metadata.module_path() {
            fields.insert_json("code.namespace", module.into());
        }
        if let Some(file) = metadata.file() {
            fields.insert_json("code.filepath", file.into());
        }
        if let Some(line) = metadata.line() {
            fields.insert_json("code.lineno", line.into());
        }
        self.drop_count(fields.dropped());
        let message = fit::message(visitor.message.unwrap_or_default(), metadata.name());
        let target = fit::short_name(metadata.target(), "tracing");
        let mut entry = LogEntry::builder(level, message).target(target);
        for (name, value) in fields.into_entries() {
            entry = entry.field(name, value);
        }
        if let Some(context) = context {
            entry = entry.trace(context.trace_id(), Some(context.span_id()));
        }
        if entry
            .build()
            .and_then(|entry| self.inner.logs.record(entry))
            .is_err()
        {
            self.drop_count(1);
        }
    }
}

impl std::fmt::Debug for ObservaLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservaLayer")
            .field("service", &self.inner.service)
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl<S> Layer<S> for ObservaLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = match span.parent() {
            Some(parent) => parent.extensions().get::<SpanData>().map(|data| data.context),
            None if attrs.is_root() => None,
            None => current(),
        };
        let mut data = self.open(attrs.metadata().name(), parent);
        attrs.record(&mut AttributeVisitor {
            attributes: &mut data.attributes,
            error: &mut data.error,
        });
        span.extensions_mut().insert(data);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(data) = extensions.get_mut::<SpanData>() {
            values.record(&mut AttributeVisitor {
                attributes: &mut data.attributes,
                error: &mut data.error,
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = map_level(event.metadata().level());
        let span = ctx.event_span(event);
        let mut context = None;
        if let Some(span) = &span {
            let mut extensions = span.extensions_mut();
            if let Some(data) = extensions.get_mut::<SpanData>() {
                data.error |= level == LogLevel::Error;
                context = Some(data.context);
            }
        }
        if self.inner.logs.enabled(level) {
            match context {
                Some(context) => self.log(event, level, Some(context)),
                // an explicit `parent: None`: the log service must not join the thread's trace
                None if event.is_root() => crate::traces::detached(|| self.log(event, level, None)),
                None => self.log(event, level, current()),
            }
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let context = span.extensions().get::<SpanData>().map(|data| data.context);
        if let Some(context) = context {
            entered::enter(self.key(id), context);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        entered::exit(self.key(id));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let data = span.extensions_mut().remove::<SpanData>();
        if let Some(data) = data {
            self.close(data);
        }
    }
}
