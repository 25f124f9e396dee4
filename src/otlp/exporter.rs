//! [`OtlpExporter`]: bounded queues per signal, drained in batches by one
//! exporter thread that also sends the metrics on an interval.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use parking_lot::{Condvar, Mutex};

use super::config::{OtlpConfig, Signal};
use super::delivery::{deliver, Tally, QUEUE_FULL, SHUTDOWN_TIMEOUT};
use super::encode::{nanos, OtlpEncoder};
use super::proto::{self, ExportMetricsServiceRequest, ResourceMetrics, ScopeMetrics};
use super::transport::Transport;
use crate::error::{ObsError, Result};
use crate::metrics::MetricsService;
use crate::sinks::{Record, Sink};

const SPAN: usize = 0;
const LOG: usize = 1;
const METRIC: usize = 2;

type LogItem = (Option<String>, proto::LogRecord);

#[derive(Default)]
struct State {
    spans: VecDeque<proto::Span>,
    logs: VecDeque<LogItem>,
    flush_asked: u64,
    flush_done: u64,
    closing: Option<Instant>,
    exited: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    progress: Condvar,
    config: OtlpConfig,
    encoder: OtlpEncoder,
    tally: Tally,
    metrics: Option<MetricsService>,
    started: u64,
}

/// The OTLP/HTTP exporter: spans and log records reach it through the sink
/// port (the container adds its sinks when built with
/// [`ObservabilityBuilder::otlp`](crate::ObservabilityBuilder::otlp)), wait in a
/// bounded queue per signal, and leave in batches from the exporter's own
/// thread, which also sends the container's metrics every interval. A full
/// queue drops and counts; a down, slow or refusing collector never blocks
/// the caller. Dropping the exporter flushes within
/// [`OtlpConfig::shutdown_timeout`] (default
/// [`DEFAULT_SHUTDOWN_DEADLINE`](crate::sinks::DEFAULT_SHUTDOWN_DEADLINE)).
///
/// ```
/// use std::time::Duration;
/// use observa::otlp::{OtlpConfig, Signal};
///
/// // nothing listens on port 9: the spans are dropped and counted, the caller never waits
/// let config = OtlpConfig::default()
///     .endpoint("http://127.0.0.1:9")
///     .timeout(Duration::from_millis(200))
///     .shutdown_timeout(Duration::from_millis(100)); // and the drop gives up after 0.1 s
/// let obs = observa::Observability::builder().service("shop", "1").otlp(config).build()?;
/// let span = obs.tracing().start_trace("checkout")?;
/// obs.tracing().finish(span, observa::SpanStatus::Ok)?;
/// obs.flush(Duration::from_millis(300)); // gives up waiting; the exporter retries on its thread
/// assert_eq!(obs.otlp().expect("enabled").delivered(Signal::Traces), 0);
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct OtlpExporter {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl OtlpExporter {
    /// Starts the exporter thread for `config`, framing everything with
    /// `encoder`'s resource; `metrics` is the registry to export, if any.
    pub(crate) fn start(
        config: OtlpConfig,
        encoder: OtlpEncoder,
        metrics: Option<MetricsService>,
    ) -> Result<Self> {
        config.check()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            progress: Condvar::new(),
            tally: Tally::new(metrics.clone()),
            metrics: metrics.filter(|_| config.is_enabled(Signal::Metrics)),
            config,
            encoder,
            started: nanos(Utc::now()),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("observa-otlp".into())
            .spawn(move || run(&for_thread))
            .map_err(|e| ObsError::configuration("otlp", format!("cannot start the exporter thread: {e}")))?;
        Ok(OtlpExporter {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// A sink feeding this exporter's span and log queues.
    pub(crate) fn sink(&self) -> OtlpSink {
        OtlpSink(Arc::clone(&self.shared))
    }

    /// Sends everything queued, and the metrics, now; waits up to `timeout`
    /// for it to be delivered (or given up); `true` if it finished in time.
    ///
    /// ```
    /// # let obs = observa::Observability::builder().service("shop", "1")
    /// #     .otlp(observa::otlp::OtlpConfig::default().endpoint("http://127.0.0.1:9")
    /// #         .shutdown_timeout(std::time::Duration::ZERO)).build()?;
    /// let exporter = obs.otlp().unwrap();
    /// exporter.flush(std::time::Duration::from_millis(10));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = crate::worker::deadline_after(timeout);
        let mut state = self.shared.state.lock();
        state.flush_asked += 1;
        let asked = state.flush_asked;
        self.shared.wake.notify_all();
        while state.flush_done < asked && !state.exited {
            if self.shared.progress.wait_until(&mut state, deadline).timed_out() {
                return state.flush_done >= asked;
            }
        }
        state.flush_done >= asked
    }

    /// Items delivered so far (accepted by the collector) for one signal;
    /// for metrics, data points.
    ///
    /// ```
    /// # let obs = observa::Observability::builder().service("shop", "1")
    /// #     .otlp(observa::otlp::OtlpConfig::default().endpoint("http://127.0.0.1:9")
    /// #         .shutdown_timeout(std::time::Duration::ZERO)).build()?;
    /// assert_eq!(obs.otlp().unwrap().delivered(observa::otlp::Signal::Logs), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn delivered(&self, signal: Signal) -> u64 {
        self.shared.tally.delivered_count(signal.index())
    }

    /// Every `(kind, reason, count)` the exporter lost, zeros included: kinds
    /// `span`, `log_entry`, `metric_point`; reasons `otlp_queue_full`,
    /// `otlp_rejected` (a 4xx other than 429, or a partial success),
    /// `otlp_failed` (no success before the export timeout), and
    /// `otlp_shutdown_timeout`. The same counts appear in
    /// `observa_dropped_total{kind,reason}`.
    ///
    /// ```
    /// # let obs = observa::Observability::builder().service("shop", "1")
    /// #     .otlp(observa::otlp::OtlpConfig::default().endpoint("http://127.0.0.1:9")
    /// #         .shutdown_timeout(std::time::Duration::ZERO)).build()?;
    /// let drops = obs.otlp().unwrap().drops();
    /// assert!(drops.contains(&("span", "otlp_queue_full", 0)));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn drops(&self) -> Vec<(&'static str, &'static str, u64)> {
        self.shared.tally.snapshot()
    }

    /// Stops the thread after a last export, waiting at most `timeout`;
    /// what is still queued then is counted as `otlp_shutdown_timeout`.
    pub(crate) fn shutdown(&self, timeout: Duration) -> bool {
        let deadline = crate::worker::deadline_after(timeout);
        let mut state = self.shared.state.lock();
        state.closing = Some(state.closing.map_or(deadline, |d| d.min(deadline)));
        self.shared.wake.notify_all();
        while !state.exited {
            if self.shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        let exited = state.exited;
        drop(state);
        if let Some(thread) = self.thread.lock().take() {
            if exited {
                let _ = thread.join();
            }
        }
        exited
    }
}

impl Drop for OtlpExporter {
    fn drop(&mut self) {
        self.shutdown(self.shared.config.shutdown_timeout);
    }
}

impl std::fmt::Debug for OtlpExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpExporter").finish_non_exhaustive()
    }
}

/// The sink port side of the exporter: converts each record on the sink's
/// writer thread and queues it, dropping (and counting) when the queue is full.
pub(crate) struct OtlpSink(Arc<Shared>);

impl Sink for OtlpSink {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        let shared = &*self.0;
        let (kind, batch) = match record {
            Record::Span { span, trace_flags } => {
                if !shared.config.is_enabled(Signal::Traces) {
                    return Ok(());
                }
                let span = shared.encoder.span(span, *trace_flags);
                let mut state = shared.state.lock();
                if state.spans.len() >= shared.config.spans.max_queue_size || state.closing.is_some() {
                    drop(state);
                    shared.tally.drop(SPAN, QUEUE_FULL, 1);
                    return Ok(());
                }
                state.spans.push_back(span);
                (state.spans.len(), shared.config.spans.max_export_batch_size)
            }
            Record::Log { entry, trace_flags } => {
                if !shared.config.is_enabled(Signal::Logs) {
                    return Ok(());
                }
                let record = shared.encoder.log_record(entry, *trace_flags, Utc::now());
                let item = (entry.target().map(str::to_owned), record);
                let mut state = shared.state.lock();
                if state.logs.len() >= shared.config.logs.max_queue_size || state.closing.is_some() {
                    drop(state);
                    shared.tally.drop(LOG, QUEUE_FULL, 1);
                    return Ok(());
                }
                state.logs.push_back(item);
                (state.logs.len(), shared.config.logs.max_export_batch_size)
            }
        };
        if kind >= batch {
            shared.wake.notify_all();
        }
        Ok(())
    }
}

/// The exporter thread.
fn run(shared: &Shared) {
    let transport = Transport::new();
    let config = &shared.config;
    let now = Instant::now();
    let mut next = [
        now + config.spans.schedule_delay,
        now + config.logs.schedule_delay,
        now + config.metric_interval,
    ];
    loop {
        let mut state = shared.state.lock();
        loop {
            let now = Instant::now();
            let due = state.closing.is_some()
                || state.flush_asked > state.flush_done
                || state.spans.len() >= config.spans.max_export_batch_size
                || state.logs.len() >= config.logs.max_export_batch_size
                || next.iter().any(|&t| t <= now);
            if due {
                break;
            }
            let wake_at = next.iter().copied().min().unwrap_or(now);
            shared.wake.wait_until(&mut state, wake_at);
        }
        let now = Instant::now();
        let closing = state.closing;
        let flushing = state.flush_asked;
        let all = closing.is_some() || flushing > state.flush_done;
        let spans = take(
            &mut state.spans,
            all || next[SPAN] <= now,
            config.spans.max_export_batch_size,
        );
        let logs = take(
            &mut state.logs,
            all || next[LOG] <= now,
            config.logs.max_export_batch_size,
        );
        drop(state);
        let metrics_due = all || next[METRIC] <= now;
        let deadline = |timeout: Duration| {
            let batch_deadline = crate::worker::deadline_after(timeout);
            move || {
                let closing = shared.state.lock().closing;
                closing.map_or(batch_deadline, |c| c.min(batch_deadline))
            }
        };
        let pause = |wait: Duration| {
            let mut state = shared.state.lock();
            let until = crate::worker::deadline_after(wait);
            let until = state.closing.map_or(until, |c| c.min(until));
            let _ = shared.wake.wait_until(&mut state, until);
        };
        for batch in chunks(spans, config.spans.max_export_batch_size) {
            let n = batch.len() as u64;
            let request = shared.encoder.traces_request(batch);
            deliver::<_, proto::ExportTraceServiceResponse>(
                &transport,
                &config.signals[Signal::Traces.index()],
                config.retry,
                &request,
                (SPAN, n),
                &shared.tally,
                deadline(config.spans.export_timeout),
                pause,
            );
        }
        for batch in chunks(logs, config.logs.max_export_batch_size) {
            let n = batch.len() as u64;
            let request = shared.encoder.logs_request(batch);
            deliver::<_, proto::ExportLogsServiceResponse>(
                &transport,
                &config.signals[Signal::Logs.index()],
                config.retry,
                &request,
                (LOG, n),
                &shared.tally,
                deadline(config.logs.export_timeout),
                pause,
            );
        }
        if metrics_due {
            if let Some(metrics) = &shared.metrics {
                let (request, points) = metrics_request(shared, metrics);
                if points > 0 {
                    deliver::<_, proto::ExportMetricsServiceResponse>(
                        &transport,
                        &config.signals[Signal::Metrics.index()],
                        config.retry,
                        &request,
                        (METRIC, points),
                        &shared.tally,
                        deadline(config.spans.export_timeout),
                        pause,
                    );
                }
            }
        }
        let now = Instant::now();
        if all || next[SPAN] <= now {
            next[SPAN] = now + config.spans.schedule_delay;
        }
        if all || next[LOG] <= now {
            next[LOG] = now + config.logs.schedule_delay;
        }
        if metrics_due {
            next[METRIC] = now + config.metric_interval;
        }
        let mut state = shared.state.lock();
        if all {
            state.flush_done = state.flush_done.max(flushing);
        }
        if closing.is_some() {
            shared
                .tally
                .drop(SPAN, SHUTDOWN_TIMEOUT, state.spans.len() as u64);
            shared.tally.drop(LOG, SHUTDOWN_TIMEOUT, state.logs.len() as u64);
            state.spans.clear();
            state.logs.clear();
            state.exited = true;
        }
        shared.progress.notify_all();
        if state.exited {
            return;
        }
    }
}

/// Everything queued when `all`, else nothing unless a full batch is waiting
/// (then the full batches).
fn take<T>(queue: &mut VecDeque<T>, all: bool, batch: usize) -> Vec<T> {
    let n = if all {
        queue.len()
    } else {
        queue.len() - queue.len() % batch
    };
    queue.drain(..n).collect()
}

fn chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut items = items.into_iter().peekable();
    let mut out = Vec::new();
    while items.peek().is_some() {
        out.push(items.by_ref().take(size).collect());
    }
    out
}

fn metrics_request(shared: &Shared, metrics: &MetricsService) -> (ExportMetricsServiceRequest, u64) {
    let (list, points) = super::metrics::metrics(metrics, shared.started, nanos(Utc::now()));
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(shared.encoder.resource().clone()),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(shared.encoder.scope().clone()),
                metrics: list,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    };
    (request, points)
}
