//! [`Instrumented`]: a future whose span is current during each poll, so
//! the span follows the work across `.await` points and threads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::domain::SpanStatus;

use super::active::{status_of, ActiveSpan};

pin_project_lite::pin_project! {
    /// A future run in a span, from [`Instrument::in_span`] or
    /// [`Instrument::in_span_result`]: the span is entered for each poll
    /// (on whichever thread polls), so spans started by the future are its
    /// children. When the future completes the span finishes with status
    /// `ok` (or by the result); dropped before completing, the span finishes
    /// with its status as set (`unset` by default) and an event `cancelled`;
    /// a panic inside a poll finishes it with `error`.
    ///
    /// ```
    /// use observa::traces::Instrument;
    ///
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let span = obs.tracing().span("load_user");
    /// let trace_id = span.context().trace_id();
    /// let work = async { observa::traces::current().map(|c| c.trace_id()) };
    /// let seen = block_on(work.in_span(span));
    /// assert_eq!(seen, Some(trace_id), "the span is current while the future runs");
    /// assert_eq!(obs.tracing().spans(trace_id)?[0].status(), observa::SpanStatus::Ok);
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let waker = std::task::Waker::noop();
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<F: Future> {
        #[pin]
        future: F,
        span: Option<ActiveSpan>,
        classify: fn(&F::Output) -> SpanStatus,
    }

    impl<F: Future> PinnedDrop for Instrumented<F> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(span) = this.project().span.as_mut() {
                span.mark_cancelled();
            }
        }
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let entered = this.span.as_ref().map(ActiveSpan::enter);
        let polling = FinishOnPanic(this.span);
        let output = std::task::ready!(this.future.poll(cx));
        drop(entered);
        if let Some(mut span) = polling.0.take() {
            span.set_status((this.classify)(&output));
        }
        Poll::Ready(output)
    }
}

/// Finishes the span with `error` and an event `panic` if a poll panics.
struct FinishOnPanic<'a>(&'a mut Option<ActiveSpan>);

impl Drop for FinishOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(mut span) = self.0.take() {
                let _ = span.add_event("panic");
                span.set_status(SpanStatus::Error);
            }
        }
    }
}

impl<F: Future> std::fmt::Debug for Instrumented<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrumented").field("span", &self.span).finish()
    }
}

/// Runs a future in a span; implemented for every future.
///
/// ```
/// use observa::traces::Instrument;
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let fetch = async { Err::<u8, &str>("timeout") };
/// let out = block_on(fetch.in_span_result(obs.tracing().span("fetch")));
/// assert!(out.is_err());
/// assert_eq!(obs.tracing().by_operation("fetch")?[0].status(), observa::SpanStatus::Error);
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// # Ok::<(), observa::ObsError>(())
/// ```
pub trait Instrument: Future + Sized {
    /// Runs the future with `span` current during each poll; the span
    /// finishes with status `ok` when the future completes.
    fn in_span(self, span: ActiveSpan) -> Instrumented<Self> {
        Instrumented {
            future: self,
            span: Some(span),
            classify: |_| SpanStatus::Ok,
        }
    }

    /// Like [`in_span`](Instrument::in_span) for a future of `Result`: the
    /// span's status is `error` for `Err`.
    fn in_span_result<T, E>(self, span: ActiveSpan) -> Instrumented<Self>
    where
        Self: Future<Output = std::result::Result<T, E>>,
    {
        Instrumented {
            future: self,
            span: Some(span),
            classify: status_of,
        }
    }
}

impl<F: Future> Instrument for F {}
