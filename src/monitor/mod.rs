//! Function monitoring without proc macros: [`Monitor`] wraps closures,
//! `Result`-returning closures and futures, and `monitored!` wraps `fn` items.
//!
//! A call records, with the autometrics names so existing dashboards apply:
//! - `function_calls_total{function, module, result}` with `result` one of
//!   `ok`, `error`, `panic` (the panic is counted, then resumed) or
//!   `cancelled` (a future dropped before it finished);
//! - `function_calls_duration_seconds{function, module}`, a histogram with
//!   the default buckets (calls that end in `cancelled` are not timed);
//! - `function_calls_concurrent{function, module}`, calls in flight.
//!
//! When a sampled span is current (see [`traces`](crate::traces)), a call
//! also records a child span named after the function, current while the
//! call runs (for a future: during each poll), with status `ok`, or `error`
//! on `Err` or a panic (an event `panic` too). A future dropped before it
//! completes finishes its span with status `unset` and an event `cancelled`.
//! With no sampled span current, no span is made: the call reads the
//! thread's current context once; `Monitor::run`, `run_result` and a
//! synchronous `monitored!` fn then take a path without any span slot (an
//! `async fn` under `monitored!` carries an empty one); `docs/benchmarks.md`
//! has the measured cost.

mod expansion;
mod future;
mod guard;

use std::sync::Arc;

#[doc(hidden)]
pub use expansion::{
    __call_once, __monitored_future, __poll_in, __run_call, InContext, OtherOutcome, Probe, ResultOutcome,
};
pub use future::Monitored;
pub use guard::CallGuard;
use guard::PlainCall;

use crate::alerts::AlertService;
use crate::domain::{AlertSeverity, LogEntry, LogLevel};
use crate::error::Result;
use crate::logs::LogService;
use crate::metrics::MetricsService;
use crate::metrics::{Buckets, Counter, Family, FamilySpec, Gauge, Histogram};
use crate::traces::{ActiveSpan, TracingService};

/// The counter of calls by result.
pub const CALLS_TOTAL: &str = "function_calls_total";
/// The histogram of call durations.
pub const CALLS_DURATION: &str = "function_calls_duration_seconds";
/// The gauge of calls in flight.
pub const CALLS_CONCURRENT: &str = "function_calls_concurrent";

/// How a monitored call ended; the `result` label value.
///
/// ```
/// assert_eq!(observa::monitor::Outcome::Cancelled.as_str(), "cancelled");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned normally (or `Ok`).
    Ok,
    /// Returned `Err`.
    Error,
    /// Panicked; the panic was resumed.
    Panic,
    /// A future dropped before it finished.
    Cancelled,
}

impl Outcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Panic => "panic",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// `Error` for `Err`, `Ok` for `Ok`.
    pub fn of_result<T, E>(result: &std::result::Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        }
    }
}

/// Whether a sampled span is current on this thread (then a call records
/// a child span): one thread-local read.
#[inline]
fn sampled_span_current() -> bool {
    crate::traces::current().is_some_and(|c| c.is_sampled())
}

/// One synchronous call of `monitor` (with none, `f` alone), classified
/// by `classify`: what [`Monitor::run`] and `monitored!` do. With no sampled
/// span current the call has no span slot; otherwise it takes the traced
/// path, out of line.
#[inline(always)]
pub(crate) fn run_call<T>(
    monitor: Option<&Monitor>,
    f: impl FnOnce() -> T,
    classify: impl FnOnce(&T) -> Outcome,
) -> T {
    let call = match monitor {
        Some(monitor) if sampled_span_current() => return monitor.run_traced(f, classify),
        Some(monitor) => Some(PlainCall::new(&monitor.0)),
        None => None,
    };
    let out = f();
    if let Some(call) = call {
        call.finish(classify(&out));
    }
    out
}

/// Sets a call span's status from how the call ended.
pub(crate) fn settle(span: &mut ActiveSpan, outcome: Outcome) {
    match outcome {
        Outcome::Ok => span.set_status(crate::SpanStatus::Ok),
        Outcome::Error => span.set_status(crate::SpanStatus::Error),
        Outcome::Panic => {
            let _ = span.add_event("panic");
            span.set_status(crate::SpanStatus::Error);
        }
        Outcome::Cancelled => span.mark_cancelled(),
    }
}

/// The three families every monitor records into, registered once per container.
#[derive(Clone, Debug)]
pub(crate) struct CallFamilies {
    calls: Family<Counter>,
    duration: Family<Histogram>,
    concurrent: Family<Gauge>,
    failures: Option<FailureReports>,
    tracing: Option<CallTracing>,
}

/// Where calls record their spans, and (per function) the operation name.
#[derive(Clone)]
pub(crate) struct CallTracing(TracingService, String);

impl std::fmt::Debug for CallTracing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CallTracing").field(&self.1).finish()
    }
}

/// Where a failed call is also reported, when the container asks for it.
#[derive(Clone)]
pub(crate) struct FailureReports {
    pub(crate) logs: LogService,
    pub(crate) alerts: AlertService,
    pub(crate) source: String,
}

impl std::fmt::Debug for FailureReports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FailureReports")
    }
}

impl CallFamilies {
    pub(crate) fn register(metrics: &MetricsService, failures: Option<FailureReports>) -> Result<Self> {
        let labels = ["function", "module"];
        Ok(CallFamilies {
            calls: metrics.counter_family(
                FamilySpec::new(CALLS_TOTAL)
                    .help("Calls of monitored functions, by result.")
                    .labels(&["function", "module", "result"]),
            )?,
            duration: metrics.histogram_family(
                FamilySpec::new(CALLS_DURATION)
                    .help("Duration of monitored function calls.")
                    .unit("seconds")
                    .labels(&labels)
                    .buckets(Buckets::default()),
            )?,
            concurrent: metrics.gauge_family(
                FamilySpec::new(CALLS_CONCURRENT)
                    .help("Monitored function calls in flight.")
                    .labels(&labels),
            )?,
            failures,
            tracing: None,
        })
    }

    /// Calls record a child span into `tracing` when a sampled span is current.
    pub(crate) fn with_tracing(mut self, tracing: TracingService) -> Self {
        self.tracing = Some(CallTracing(tracing, String::new()));
        self
    }

    /// Resolves the handles of one function; label values that cannot be
    /// stored (over 1,024 characters) fall back to the families' overflow.
    pub(crate) fn monitor(&self, module: &str, function: &str) -> Monitor {
        let calls = |result: Outcome| self.calls.with_label_values(&[function, module, result.as_str()]);
        let handles = (|| {
            Ok::<_, crate::ObsError>(Handles {
                ok: calls(Outcome::Ok)?,
                error: calls(Outcome::Error)?,
                panic: calls(Outcome::Panic)?,
                cancelled: calls(Outcome::Cancelled)?,
                duration: self.duration.with_label_values(&[function, module])?,
                concurrent: self.concurrent.with_label_values(&[function, module])?,
                clock: quanta::Clock::new(),
                failures: self
                    .failures
                    .clone()
                    .map(|f| (f, function.to_owned(), module.to_owned())),
                tracing: self
                    .tracing
                    .clone()
                    .map(|t| CallTracing(t.0, function.to_owned())),
            })
        })();
        match handles {
            Ok(handles) => Monitor(Arc::new(handles)),
            Err(_) => self.monitor("", "observa_label_too_long"),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Handles {
    ok: Counter,
    error: Counter,
    panic: Counter,
    cancelled: Counter,
    duration: Histogram,
    concurrent: Gauge,
    clock: quanta::Clock,
    failures: Option<(FailureReports, String, String)>,
    /// Where the call's span goes, and its operation name.
    tracing: Option<CallTracing>,
}

impl Handles {
    #[inline]
    pub(crate) fn begin(&self) -> u64 {
        self.concurrent.inc();
        self.clock.raw()
    }

    #[inline]
    pub(crate) fn end(&self, start: u64, outcome: Outcome) {
        let end = self.clock.raw();
        self.concurrent.dec();
        let counter = match outcome {
            Outcome::Ok => &self.ok,
            Outcome::Error => &self.error,
            Outcome::Panic => &self.panic,
            Outcome::Cancelled => &self.cancelled,
        };
        counter.inc();
        if outcome != Outcome::Cancelled {
            self.duration
                .observe(self.clock.delta_as_nanos(start, end) as f64 * 1e-9);
        }
        if outcome != Outcome::Ok && outcome != Outcome::Cancelled {
            self.report_failure(outcome);
        }
    }

    /// The call's span: a child of the current span when that one is
    /// sampled, else `None` (one thread-local read).
    #[inline]
    pub(crate) fn child_span(&self) -> Option<Box<ActiveSpan>> {
        if sampled_span_current() {
            self.start_child_span()
        } else {
            None
        }
    }

    #[cold]
    #[inline(never)]
    fn start_child_span(&self) -> Option<Box<ActiveSpan>> {
        let CallTracing(tracing, operation) = self.tracing.as_ref()?;
        Some(Box::new(tracing.span(operation.clone())))
    }

    #[cold]
    fn report_failure(&self, outcome: Outcome) {
        let Some((reports, function, module)) = &self.failures else {
            return;
        };
        let message = format!("{module}::{function} ended with {}", outcome.as_str());
        let entry = LogEntry::builder(LogLevel::Error, message.clone())
            .target(reports.source.clone())
            .field("function", function.as_str())
            .field("module", module.as_str())
            .field("result", outcome.as_str())
            .build();
        let alert =
            crate::domain::Alert::builder(format!("{function} is failing"), message, AlertSeverity::High)
                .label("function", function.as_str())
                .label("module", module.as_str())
                .source(reports.source.clone())
                .build();
        // Reporting is best effort: a failure here must not change the call's result.
        if let Ok(entry) = entry {
            let _ = reports.logs.record(entry);
        }
        if let Ok(alert) = alert {
            let _ = reports.alerts.raise(alert);
        }
    }
}

/// The resolved handles of one monitored function. Cheap to clone; calling
/// through it does no lookup and no allocation: one clock pair, the in-flight
/// gauge up and down, one counter and one histogram observation.
///
/// ```
/// use observa::metrics::Format;
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// let monitor = obs.monitor("process_order");
/// let total = monitor.run(|| 2 + 2);
/// let paid: Result<u32, String> = monitor.run_result(|| Err("card declined".to_owned()));
/// assert_eq!(total, 4);
/// assert!(paid.is_err());
/// let text = obs.render(Format::Prometheus)?;
/// assert!(text.contains(r#"function_calls_total{function="process_order",module="",result="error"} 1"#));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Monitor(Arc<Handles>);

impl Monitor {
    /// Runs `f`, counting it as `ok` (or `panic`, then resuming the panic).
    #[inline]
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        run_call(Some(self), f, |_| Outcome::Ok)
    }

    /// Runs `f`, counting `Ok` as `ok` and `Err` as `error`.
    #[inline]
    pub fn run_result<T, E>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        run_call(Some(self), f, Outcome::of_result)
    }

    /// A call with a child span, current while `f` runs; out of line, so
    /// the calls without a span stay small.
    #[cold]
    #[inline(never)]
    fn run_traced<T>(&self, f: impl FnOnce() -> T, classify: impl FnOnce(&T) -> Outcome) -> T {
        let guard = self.start();
        let out = crate::traces::with_context(guard.span_context(), f);
        guard.finish(classify(&out));
        out
    }

    /// Wraps a future: timed from its first poll to completion across every
    /// poll, counted as `ok`; dropped before completion, `cancelled`.
    /// Works with any executor.
    pub fn run_future<F: std::future::Future>(&self, future: F) -> Monitored<F> {
        Monitored::new(self.clone(), future, |_| Outcome::Ok)
    }

    /// Like [`Monitor::run_future`], for futures of `Result`: `Err` counts as `error`.
    pub fn run_future_result<F, T, E>(&self, future: F) -> Monitored<F>
    where
        F: std::future::Future<Output = std::result::Result<T, E>>,
    {
        Monitored::new(self.clone(), future, Outcome::of_result)
    }

    /// Starts a call by hand; [`CallGuard::finish`] ends it. A guard dropped
    /// unfinished counts as `panic` while panicking, else `cancelled`. The
    /// call's span, if any, is not entered: spans started meanwhile are
    /// siblings of it, not children.
    #[inline]
    pub fn start(&self) -> CallGuard<'_> {
        CallGuard::new(&self.0)
    }

    pub(crate) fn handles(&self) -> &Arc<Handles> {
        &self.0
    }
}
