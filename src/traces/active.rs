//! [`ActiveSpan`]: a span in progress that finishes when dropped.

use std::mem::ManuallyDrop;

use crate::domain::{check_attributes, rules, SpanEvent, SpanStatus, TraceId};
use crate::error::Result;
use crate::propagation::{TraceFlags, TraceParent};

use super::context::{enter, ContextGuard, SpanContext};
use super::lazy_id::LazySpanId;
use super::recording::{Recording, RecordingBox};
#[cfg(doc)]
use super::TracingService;

/// A span in progress, from [`TracingService::span`] or
/// [`TracingService::span_builder`]. It finishes when dropped and, when its
/// trace is sampled, is then recorded: stored in the span repository and
/// queued on the span sinks, as [`TracingService::finish`] does.
///
/// An unsampled span is only a [`SpanContext`]: ids and flags without
/// `sampled`, so it propagates the decision to its children and to
/// `traceparent`, and records nothing; attributes, events and status set on
/// it are ignored (and not validated). Its span id is drawn the first time
/// its context is read (by [`context`](ActiveSpan::context),
/// [`enter`](ActiveSpan::enter), [`traceparent`](ActiveSpan::traceparent))
/// and is the same on every later read, so an unsampled span nobody looks
/// at costs no id.
///
/// The status recorded is the one set with [`ActiveSpan::set_status`], else
/// `error` (with an event `panic`) when the span is dropped while the thread
/// panics, else `unset`.
///
/// ```
/// use observa::{Observability, SpanStatus};
///
/// let obs = Observability::builder().service("shop", "1").build()?;
/// let mut root = obs.tracing().span("checkout");
/// root.set_attribute("cart.items", "3")?;
/// {
///     let _entered = root.enter(); // `root` is the current span here
///     let mut child = obs.tracing().span("charge_card");
///     assert_eq!(child.context().trace_id(), root.context().trace_id());
///     child.add_event("card accepted")?;
///     child.set_status(SpanStatus::Ok);
/// } // the child finishes and is recorded here
/// let trace_id = root.context().trace_id();
/// drop(root);
///
/// let tree = obs.tracing().trace_tree(trace_id)?;
/// assert_eq!(tree[0].span.operation(), "checkout");
/// assert_eq!(tree[0].children[0].span.operation(), "charge_card");
/// assert_eq!(tree[0].children[0].span.status(), SpanStatus::Ok);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[must_use = "a span finishes as soon as it is dropped"]
pub struct ActiveSpan {
    trace_id: TraceId,
    flags: TraceFlags,
    span_id: LazySpanId,
    /// Boxed: an unsampled span carries a null pointer, so it is small and
    /// dropping it is one test. `ManuallyDrop`: only [`Drop`] below takes
    /// it, and leaves `None`, so the span has no drop glue of its own.
    recording: ManuallyDrop<Option<RecordingBox>>,
}

impl ActiveSpan {
    /// An unsampled span: ids and flags, its span id drawn when first read.
    #[inline]
    pub(super) fn unsampled(trace_id: TraceId, flags: TraceFlags) -> ActiveSpan {
        ActiveSpan {
            trace_id,
            flags,
            span_id: LazySpanId::undrawn(),
            recording: ManuallyDrop::new(None),
        }
    }

    #[inline]
    pub(super) fn recording(context: SpanContext, recording: Recording) -> ActiveSpan {
        ActiveSpan {
            trace_id: context.trace_id(),
            flags: context.flags(),
            span_id: LazySpanId::drawn(context.span_id()),
            recording: ManuallyDrop::new(Some(RecordingBox::new(recording))),
        }
    }

    /// The span's identity: trace id, span id, flags.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().span("GET /");
    /// assert!(span.context().is_sampled(), "the default sampler samples new traces");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[inline]
    pub fn context(&self) -> SpanContext {
        SpanContext::new(self.trace_id, self.span_id.get(), self.flags)
    }

    /// The `traceparent` to send to a service this span calls.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().span("call billing");
    /// let header = span.traceparent().to_string();
    /// assert!(header.starts_with("00-") && header.ends_with("-03"), "sampled and random: {header}");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn traceparent(&self) -> TraceParent {
        self.context().to_traceparent()
    }

    /// Whether the span will be recorded (its trace is sampled).
    ///
    /// ```
    /// use observa::sampling::Sampler;
    /// let obs = observa::Observability::builder()
    ///     .service("api", "1")
    ///     .sampler(Sampler::always_off())
    ///     .build()?;
    /// assert!(!obs.tracing().span("GET /").is_recording());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    /// Makes this span the thread's current span until the guard drops:
    /// spans started meanwhile become its children.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().span("outer");
    /// let _entered = span.enter();
    /// assert_eq!(observa::traces::current(), Some(span.context()));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[inline]
    pub fn enter(&self) -> ContextGuard {
        enter(self.context())
    }

    /// [`enter`](Self::enter) for a span this thread alone holds: an
    /// unsampled span's id is drawn without an atomic read-modify-write.
    #[inline]
    pub(super) fn enter_owned(&mut self) -> ContextGuard {
        let span_id = self.span_id.get_mut();
        enter(SpanContext::new(self.trace_id, span_id, self.flags))
    }

    /// Adds or replaces an attribute (validated as [`Span::with_attribute`](crate::Span::with_attribute)
    /// does; a refused attribute leaves the span unchanged).
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut span = obs.tracing().span("GET /orders");
    /// span.set_attribute("http.response.status_code", "200")?;
    /// assert!(span.set_attribute("", "empty keys are refused").is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn set_attribute(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        if let Some(recording) = self.recording_mut() {
            let extras = recording.extras.get_or_insert_with(Box::default);
            set_attribute(&mut extras.attributes, key.into(), value.into())?;
        }
        Ok(())
    }

    /// Adds an event happening now.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut span = obs.tracing().span("lookup");
    /// span.add_event("cache miss")?;
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn add_event(&mut self, name: impl Into<String>) -> Result<()> {
        if let Some(recording) = self.recording_mut() {
            let event = SpanEvent::new(name)?;
            let events = &mut recording.extras.get_or_insert_with(Box::default).events;
            rules::at_most("span", "events", events.len() + 1, rules::MAX_ATTRIBUTES)?;
            events.push(event);
        }
        Ok(())
    }

    /// Sets the status recorded when the span finishes.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut span = obs.tracing().span("charge");
    /// span.set_status(observa::SpanStatus::Error);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn set_status(&mut self, status: SpanStatus) {
        if let Some(recording) = self.recording_mut() {
            recording.status = Some(status);
        }
    }

    /// Sets the status from a result: `ok` for `Ok`, `error` for `Err`.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let mut span = obs.tracing().span("parse");
    /// let parsed = "x".parse::<u8>();
    /// span.set_status_from(&parsed);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn set_status_from<T, E>(&mut self, result: &std::result::Result<T, E>) {
        self.set_status(status_of(result));
    }

    /// Finishes the span now (as dropping it does) and records it when sampled.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().span("job");
    /// let trace_id = span.context().trace_id();
    /// span.finish();
    /// assert_eq!(obs.tracing().spans(trace_id)?.len(), 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn finish(self) {}

    #[inline]
    fn recording_mut(&mut self) -> Option<&mut Recording> {
        self.recording.as_mut().and_then(RecordingBox::get_mut)
    }

    /// Marks a span whose work was abandoned (a future dropped before it
    /// completed): an event `cancelled`, the status left as set.
    pub(crate) fn mark_cancelled(&mut self) {
        let _ = self.add_event("cancelled");
    }
}

/// `ok` for `Ok`, `error` for `Err`.
pub(crate) fn status_of<T, E>(result: &std::result::Result<T, E>) -> SpanStatus {
    if result.is_ok() {
        SpanStatus::Ok
    } else {
        SpanStatus::Error
    }
}

/// Sets `key` in `attributes` (distinct keys), refusing what the [`Span`]
/// entity would refuse; a refused attribute leaves them unchanged.
pub(super) fn set_attribute(
    attributes: &mut Vec<(String, String)>,
    key: String,
    value: String,
) -> Result<()> {
    let slot = attributes.iter().position(|(k, _)| *k == key);
    let pairs = attributes
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != slot)
        .map(|(_, (k, v))| (k.as_str(), v.as_str()));
    check_attributes(pairs.chain([(key.as_str(), value.as_str())]))?;
    match slot {
        Some(i) => attributes[i].1 = value,
        None => attributes.push((key, value)),
    }
    Ok(())
}

impl Drop for ActiveSpan {
    #[inline(always)]
    fn drop(&mut self) {
        // (the id and the context are read out of line, in `finish`)
        if let Some(recording) = self.recording.take() {
            recording.finish(self.trace_id, &self.span_id, self.flags);
        }
    }
}

impl std::fmt::Debug for ActiveSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSpan")
            .field("context", &self.context())
            .field("recording", &self.is_recording())
            .finish()
    }
}
