//! [`Monitored`]: a future timed across its polls.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{settle, Monitor, Outcome};
use crate::traces::ActiveSpan;

/// The call state of a future: started at the first poll, recorded when
/// dropped, with the outcome set at completion, or else `cancelled` (`panic`
/// while unwinding from a poll).
struct Running {
    monitor: Monitor,
    start: u64,
    outcome: Option<Outcome>,
    span: Option<Box<ActiveSpan>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let outcome = self.outcome.unwrap_or(if std::thread::panicking() {
            Outcome::Panic
        } else {
            Outcome::Cancelled
        });
        self.monitor.handles().end(self.start, outcome);
        if let Some(span) = &mut self.span {
            settle(span, outcome);
        }
    }
}

pin_project_lite::pin_project! {
    /// A future wrapped by [`Monitor::run_future`](super::Monitor::run_future):
    /// timed from its first poll until it completes, across every poll, on any
    /// executor. Dropped before completion it counts as `cancelled`. Under a
    /// sampled current span (at the first poll) the call's span is current
    /// during each poll.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let monitor = obs.monitor("load_user");
    /// let user = futures_lite_block_on(monitor.run_future(async { "ada" }));
    /// assert_eq!(user, "ada");
    /// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let waker = std::task::Waker::noop();
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct Monitored<F: Future> {
        #[pin]
        future: F,
        monitor: Option<Monitor>,
        running: Option<Running>,
        classify: fn(&F::Output) -> Outcome,
    }
}

impl<F: Future> Monitored<F> {
    pub(crate) fn new(monitor: Monitor, future: F, classify: fn(&F::Output) -> Outcome) -> Self {
        Self::optional(Some(monitor), future, classify)
    }

    /// Without a monitor the future runs unmeasured.
    pub(crate) fn optional(monitor: Option<Monitor>, future: F, classify: fn(&F::Output) -> Outcome) -> Self {
        Monitored {
            future,
            monitor,
            running: None,
            classify,
        }
    }
}

impl<F: Future> Future for Monitored<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.running.is_none() {
            if let Some(monitor) = this.monitor.take() {
                let span = monitor.handles().child_span();
                let start = monitor.handles().begin();
                *this.running = Some(Running {
                    monitor,
                    start,
                    outcome: None,
                    span,
                });
            }
        }
        let context = this
            .running
            .as_ref()
            .and_then(|r| r.span.as_deref().map(ActiveSpan::context));
        let output = std::task::ready!(crate::traces::with_context(context, || this.future.poll(cx)));
        if let Some(mut running) = this.running.take() {
            running.outcome = Some((this.classify)(&output));
        }
        Poll::Ready(output)
    }
}

impl<F: Future> std::fmt::Debug for Monitored<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitored")
            .field("started", &self.running.is_some())
            .finish()
    }
}
