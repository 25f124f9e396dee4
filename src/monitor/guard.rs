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
    finished: bool,
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
            finished: false,
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
        self.finished = true;
        self.handles.end(self.start, outcome);
        if let Some(span) = self.span.take() {
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

impl Drop for CallGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            let outcome = if std::thread::panicking() {
                Outcome::Panic
            } else {
                Outcome::Cancelled
            };
            self.handles.end(self.start, outcome);
            if let Some(span) = self.span.take() {
                close_span(span, outcome);
            }
        }
    }
}

impl std::fmt::Debug for CallGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallGuard")
            .field("finished", &self.finished)
            .finish()
    }
}
