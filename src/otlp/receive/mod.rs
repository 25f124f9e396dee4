//! OTLP ingestion (cargo feature `otlp-receiver`): what an OpenTelemetry SDK
//! or collector exports becomes validated entities in the repositories, so
//! observa can be the embedded collector of a small system. The HTTP
//! endpoint serves it at `POST /v1/traces`, `/v1/logs` and `/v1/metrics`
//! (see [`HttpConfig::otlp_receiver`](crate::http::HttpConfig::otlp_receiver));
//! [`Receiver`] is the same without HTTP.
//!
//! Every span, log record and data point is turned into a [`Span`](crate::Span),
//! [`LogEntry`](crate::LogEntry) or [`Metric`](crate::Metric) and recorded
//! through its service (redaction, sinks, bounds apply as for local ones).
//! One that fails validation is skipped and counted in the response's
//! `partial_success` with the first reason, as OTLP specifies. The
//! resource's `service.name` names the span's service, becomes a log field
//! and the `job` label of metrics; the conversions are described on
//! [`Receiver::traces`], [`Receiver::logs`] and [`Receiver::metrics`].
//! Refused items are also counted where operators look, in
//! `observa_dropped_total{kind="span"|"log_entry"|"metric_point",reason="otlp_refused"}`.

mod logs;
mod metrics;
mod spans;
mod values;

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::error::{ObsError, Result};
use crate::logs::LogService;
use crate::metrics::MetricsService;
use crate::otlp::proto::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse, Resource,
};
use crate::traces::TracingService;

/// How many cumulative counter series a receiver tracks (see [`Receiver::metrics`]).
pub const MAX_CUMULATIVE_SERIES: usize = 10_000;

/// Turns OTLP export requests into entities recorded by the tracing, log
/// and metrics services (those of an [`Observability`](crate::Observability):
/// `obs.tracing()`, `obs.logs()`, `obs.metrics()`).
///
/// ```
/// use observa::otlp::proto::{ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span, KeyValue, Resource};
///
/// let obs = observa::Observability::builder().service("collector", "1").build()?;
/// let receiver = observa::otlp::receive::Receiver::new(obs.tracing(), obs.logs(), obs.metrics());
/// let span = Span {
///     trace_id: vec![1; 16],
///     span_id: vec![2; 8],
///     name: "GET /".into(),
///     start_time_unix_nano: 1_700_000_000_000_000_000,
///     end_time_unix_nano: 1_700_000_000_250_000_000,
///     ..Default::default()
/// };
/// let broken = Span { trace_id: vec![0; 16], ..span.clone() };
/// let request = ExportTraceServiceRequest {
///     resource_spans: vec![ResourceSpans {
///         resource: Some(Resource { attributes: vec![KeyValue::string("service.name", "shop")], ..Default::default() }),
///         scope_spans: vec![ScopeSpans { spans: vec![span, broken], ..Default::default() }],
///         ..Default::default()
///     }],
/// };
/// let response = receiver.traces(&request);
/// assert_eq!(response.partial_success.unwrap().rejected_spans, 1);
/// let stored = obs.tracing().spans("01010101010101010101010101010101".parse()?)?;
/// assert_eq!((stored[0].operation(), stored[0].service()), ("GET /", "shop"));
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct Receiver {
    tracing: TracingService,
    logs: LogService,
    metrics: MetricsService,
    totals: Mutex<metrics::Totals>,
    refused: [AtomicU64; KINDS.len()],
}

/// Entity kinds, as in `observa_dropped_total{kind}`.
const KINDS: [&str; 3] = ["span", "log_entry", "metric_point"];
const SPANS: usize = 0;
const LOGS: usize = 1;
const POINTS: usize = 2;
/// The `reason` of what a receiver refused.
const REFUSED: &str = "otlp_refused";

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

impl Receiver {
    /// A receiver recording through these services.
    pub fn new(tracing: &TracingService, logs: &LogService, metrics: &MetricsService) -> Receiver {
        Receiver {
            tracing: tracing.clone(),
            logs: logs.clone(),
            metrics: metrics.clone(),
            totals: Mutex::new(metrics::Totals::new(MAX_CUMULATIVE_SERIES)),
            refused: Default::default(),
        }
    }

    /// Adds what a request had refused to `observa_dropped_total{kind,reason="otlp_refused"}`.
    fn count_refused(&self, kind: usize, tally: &Tally) {
        let Ok(n) = u64::try_from(tally.rejected) else {
            return;
        };
        if n == 0 {
            return;
        }
        let total = self.refused[kind].fetch_add(n, Ordering::Relaxed) + n;
        // the series is reserved by the registry, so this cannot be refused
        let _ = self
            .metrics
            .registry()
            .report_dropped(KINDS[kind], REFUSED, total);
    }

    /// Records every span through [`TracingService::record`](crate::traces::TracingService::record):
    /// ids, parent, kind (unspecified is internal), start and end (both
    /// required), status, attributes as text, the scope as
    /// `otel.scope.name`/`otel.scope.version`, the status message as
    /// `otel.status_description`, events (their attributes dropped) and links
    /// (in [`LINKS_ATTRIBUTE`](crate::traces::LINKS_ATTRIBUTE)). The service
    /// is the resource's `service.name`, else `unknown_service`.
    pub fn traces(&self, request: &ExportTraceServiceRequest) -> ExportTraceServiceResponse {
        let mut tally = Tally::default();
        let mut valid = Vec::new();
        for resource_spans in &request.resource_spans {
            let service = service_name(resource_spans.resource.as_ref()).unwrap_or("unknown_service");
            for scope_spans in &resource_spans.scope_spans {
                for span in &scope_spans.spans {
                    match spans::span(service, scope_spans.scope.as_ref(), span) {
                        Ok(span) => valid.push(span),
                        Err(err) => tally.note(Err(err)),
                    }
                }
            }
        }
        for recorded in self.tracing.record_all(valid) {
            tally.note(recorded);
        }
        self.count_refused(SPANS, &tally);
        ExportTraceServiceResponse {
            partial_success: tally.partial(|rejected_spans, error_message| ExportTracePartialSuccess {
                rejected_spans,
                error_message,
            }),
        }
    }

    /// Records every log record through [`LogService::record`](crate::logs::LogService::record):
    /// the level from the severity number (or text), the message from the
    /// body (non-string bodies as JSON text; without a body, the event name),
    /// attributes as typed fields plus `service.name`, the scope name as the
    /// target, trace and span ids, and the time (else the observed time,
    /// else now). A record below the minimum level is accepted and filtered
    /// as a local one would be.
    pub fn logs(&self, request: &ExportLogsServiceRequest) -> ExportLogsServiceResponse {
        let mut tally = Tally::default();
        for resource_logs in &request.resource_logs {
            let service = service_name(resource_logs.resource.as_ref());
            for scope_logs in &resource_logs.scope_logs {
                for record in &scope_logs.log_records {
                    let recorded = logs::entry(service, scope_logs.scope.as_ref(), record)
                        .and_then(|e| self.logs.record(e).map(drop));
                    tally.note(recorded);
                }
            }
        }
        self.count_refused(LOGS, &tally);
        ExportLogsServiceResponse {
            partial_success: tally.partial(|rejected_log_records, error_message| ExportLogsPartialSuccess {
                rejected_log_records,
                error_message,
            }),
        }
    }

    /// Records every number data point through [`MetricsService::record`](crate::metrics::MetricsService::record):
    /// a gauge sets a gauge, a monotonic sum adds to a counter (a cumulative
    /// one only its increase since the last point of the series, remembered
    /// for up to [`MAX_CUMULATIVE_SERIES`] series; a new start time or a
    /// smaller total is a restart), a cumulative non-monotonic sum sets a
    /// gauge. Names and label names get characters outside the Prometheus
    /// grammar replaced by `_`; `service.name` becomes the `job` label.
    /// Histogram, exponential histogram, summary and delta non-monotonic
    /// points are refused with a reason: observa's instruments take single
    /// values, not aggregates.
    pub fn metrics(&self, request: &ExportMetricsServiceRequest) -> ExportMetricsServiceResponse {
        let mut tally = Tally::default();
        let mut totals = self.totals.lock();
        for resource_metrics in &request.resource_metrics {
            let service = service_name(resource_metrics.resource.as_ref());
            for scope_metrics in &resource_metrics.scope_metrics {
                for m in &scope_metrics.metrics {
                    metrics::record(service, m, &self.metrics, &mut totals, &mut tally);
                }
            }
        }
        drop(totals);
        self.count_refused(POINTS, &tally);
        ExportMetricsServiceResponse {
            partial_success: tally.partial(|rejected_data_points, error_message| {
                ExportMetricsPartialSuccess {
                    rejected_data_points,
                    error_message,
                }
            }),
        }
    }
}

/// The resource's `service.name`, when it is a non-empty string.
fn service_name(resource: Option<&Resource>) -> Option<&str> {
    resource?
        .attributes
        .iter()
        .find(|kv| kv.key == "service.name")
        .and_then(|kv| kv.value.as_ref()?.as_str())
        .filter(|name| !name.trim().is_empty())
}

/// How many items of a request were refused, and the first reason.
#[derive(Default)]
struct Tally {
    rejected: i64,
    first: Option<String>,
}

impl Tally {
    fn note(&mut self, outcome: Result<()>) {
        if let Err(err) = outcome {
            self.refuse_all(1, &err);
        }
    }

    fn refuse_all(&mut self, count: usize, reason: &ObsError) {
        if count == 0 {
            return;
        }
        self.rejected = self
            .rejected
            .saturating_add(i64::try_from(count).unwrap_or(i64::MAX));
        self.first.get_or_insert_with(|| reason.to_string());
    }

    /// The partial success to answer: `None` when everything was kept.
    fn partial<P>(self, make: impl FnOnce(i64, String) -> P) -> Option<P> {
        let first = self.first?;
        let message = match self.rejected {
            1 => first,
            n => format!("{n} rejected; the first: {first}"),
        };
        Some(make(self.rejected, message))
    }
}

#[cfg(test)]
mod tests;
