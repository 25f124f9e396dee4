//! The run-time helpers the `monitored!` expansion calls: the result
//! classification and the future wrapper. (The `static` monitor it resolves
//! from the global container is [`LazyMonitor`](crate::LazyMonitor).)

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{CallGuard, Monitor, Monitored, Outcome};
use crate::traces::{with_context, SpanContext};

/// Runs a `monitored!` body once. Taking `FnOnce` makes the closure
/// `FnOnce`, so the body may return a borrow of what it captured
/// (`&mut self -> &mut T`).
#[doc(hidden)]
#[inline(always)]
pub fn __call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// Runs a synchronous `monitored!` body as one call of `monitor` (when the
/// global is installed), classified by `classify`, as [`Monitor::run`]
/// does: the body is expanded once, and the call's span (with a sampled
/// span current) is made on an out-of-line path.
#[doc(hidden)]
#[inline(always)]
pub fn __run_call<T>(
    monitor: Option<&Monitor>,
    body: impl FnOnce() -> T,
    classify: impl FnOnce(&T) -> Outcome,
) -> T {
    super::run_call(monitor, body, classify)
}

/// Runs an `async fn` body of `monitored!` with the call's span (if any)
/// current during each poll.
#[doc(hidden)]
#[inline]
pub fn __poll_in<F: Future>(call: &Option<CallGuard<'_>>, future: F) -> InContext<F> {
    InContext {
        future,
        context: call.as_ref().and_then(CallGuard::span_context),
    }
}

pin_project_lite::pin_project! {
    /// A future polled with a context current; see [`__poll_in`].
    #[doc(hidden)]
    #[derive(Debug)]
    pub struct InContext<F> {
        #[pin]
        future: F,
        context: Option<SpanContext>,
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        with_context(*this.context, || this.future.poll(cx))
    }
}

/// Wraps the future a `monitored!` fn returns, if a monitor is resolved.
#[doc(hidden)]
#[inline]
pub fn __monitored_future<F: Future>(
    monitor: Option<&Monitor>,
    future: F,
    classify: fn(&F::Output) -> Outcome,
) -> Monitored<F> {
    Monitored::optional(monitor.cloned(), future, classify)
}

/// Classifies a return value for `monitored!` without knowing its type in
/// advance: `Result`s by `is_err`, anything else as `ok` (autoref
/// specialisation: the `Result` impl is on `Probe`, the fallback on `&Probe`).
#[doc(hidden)]
pub struct Probe<'a, T>(pub &'a T);

#[doc(hidden)]
pub trait ResultOutcome {
    fn outcome(&self) -> Outcome;
}

impl<T, E> ResultOutcome for Probe<'_, Result<T, E>> {
    #[inline]
    fn outcome(&self) -> Outcome {
        Outcome::of_result(self.0)
    }
}

#[doc(hidden)]
pub trait OtherOutcome {
    fn outcome(&self) -> Outcome;
}

impl<T> OtherOutcome for &Probe<'_, T> {
    #[inline]
    fn outcome(&self) -> Outcome {
        Outcome::Ok
    }
}
