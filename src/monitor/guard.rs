//! [`CallGuard`]: one monitored call in progress.

use super::{settle, Handles, Outcome};
use crate::traces::{ActiveSpan, SpanContext};

/// One monitored call in progress, from [`Monitor::start`](super::Monitor::start).
/// [`finish`](CallGuard::finish) records how it ended; dropping it unfinished
/// records `panic` while the thread is panicking, else `cancelled`.
///
/// ```
/// use observa::monitor::Outcome;
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// let monitor = obs.monitor("batch");
/// let call = monitor.start();
/// // ... work ...
/// call.finish(Outcome::Ok);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[must_use = "dropping the guard at once records a cancelled call"]
pub struct CallGuard<'a> {
    handles: &'a Handles,
    start: u64,
    /// Boxed: a call with no span (the common case) carries a null pointer.
    span: Option<Box<ActiveSpan>>,
}

impl<'a> CallGuard<'a> {
    #[inline]
    pub(crate) fn new(handles: &'a Handles) -> Self {
        CallGuard {
            span: handles.child_span(),
            start: handles.begin(),
            handles,
        }
    }

    /// The context of the call's span, when one is recorded.
    #[inline]
    pub(crate) fn span_context(&self) -> Option<SpanContext> {
        self.span.as_deref().map(ActiveSpan::context)
    }

    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(mut self, outcome: Outcome) {
        self.handles.end(self.start, outcome);
        let span = self.span.take();
        // finished: nothing is left for `Drop` (which records an unfinished
        // call), and the empty span slot needs no drop
        std::mem::forget(self);
        if let Some(span) = span {
            close_span(span, outcome);
        }
    }
}

/// Sets the call span's status and records it; out of line, so a call
/// without a span pays one null check.
#[cold]
#[inline(never)]
fn close_span(mut span: Box<ActiveSpan>, outcome: Outcome) {
    settle(&mut span, outcome);
}

/// How a call dropped unfinished ended: `panic` while panicking, else `cancelled`.
fn unfinished() -> Outcome {
    if std::thread::panicking() {
        Outcome::Panic
    } else {
        Outcome::Cancelled
    }
}

impl Drop for CallGuard<'_> {
    /// Only a call dropped without [`finish`](CallGuard::finish) gets here.
    fn drop(&mut self) {
        let outcome = unfinished();
        self.handles.end(self.start, outcome);
        if let Some(span) = self.span.take() {
            close_span(span, outcome);
        }
    }
}

/// A call recorded without a span (no sampled span is current): what
/// [`Monitor::run`](super::Monitor::run) uses on its hot path, the
/// [`CallGuard`] minus the span slot.
pub(crate) struct PlainCall<'a> {
    handles: &'a Handles,
    start: u64,
}

// always inlined: the hot path of `Monitor::run` and `monitored!` is these two
impl<'a> PlainCall<'a> {
    #[inline(always)]
    pub(crate) fn new(handles: &'a Handles) -> Self {
        PlainCall {
            start: handles.begin(),
            handles,
        }
    }

    #[inline(always)]
    pub(crate) fn finish(self, outcome: Outcome) {
        self.handles.end(self.start, outcome);
        std::mem::forget(self);
    }
}

impl Drop for PlainCall<'_> {
    /// Only a call dropped without `finish` (a panic) gets here.
    fn drop(&mut self) {
        self.handles.end(self.start, unfinished());
    }
}

impl std::fmt::Debug for CallGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallGuard")
            .field("span", &self.span_context())
            .finish()
    }
}
