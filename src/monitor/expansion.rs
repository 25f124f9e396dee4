//! The run-time helpers the `monitored!` expansion calls: the result
//! classification and the future wrapper. (The `static` monitor it resolves
//! from the global container is [`LazyMonitor`](crate::LazyMonitor).)

use std::future::Future;

use super::{Monitor, Monitored, Outcome};

/// Runs a `monitored!` body once. Taking `FnOnce` makes the closure
/// `FnOnce`, so the body may return a borrow of what it captured
/// (`&mut self -> &mut T`).
#[doc(hidden)]
#[inline(always)]
pub fn __call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
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
