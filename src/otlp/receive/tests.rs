use proptest::prelude::*;

use super::*;
use crate::metrics::Format;
use crate::otlp::proto::{
    metric, span, AnyValue, Histogram, HistogramDataPoint, KeyValue, LogRecord, Metric, ResourceLogs,
    ResourceMetrics, ResourceSpans, ScopeLogs, ScopeMetrics, ScopeSpans, Span, Status,
};
use crate::Observability;

const T0: u64 = 1_700_000_000_000_000_000;

fn ids(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    // mostly well-formed, sometimes short, empty or all zero
    prop_oneof![
        3 => proptest::collection::vec(1u8.., len.clone()),
        1 => proptest::collection::vec(any::<u8>(), 0..20),
        1 => len.prop_map(|n| vec![0; n]),
    ]
}

fn arbitrary_span() -> impl Strategy<Value = Span> {
    (
        ids(16..17),
        ids(8..9),
        prop_oneof![Just(Vec::new()), ids(8..9)],
        "\\PC{0,40}",
        -1i32..7,
        prop_oneof![Just(0u64), T0..T0 + 1_000_000, Just(u64::MAX)],
        0u64..2_000_000,
        proptest::collection::vec(("\\PC{0,20}", "\\PC{0,30}"), 0..6),
        proptest::collection::vec(("\\PC{0,20}", 0u64..2), 0..3),
        proptest::collection::vec((ids(16..17), ids(8..9)), 0..3),
        -1i32..4,
    )
        .prop_map(
            |(
                trace_id,
                span_id,
                parent_span_id,
                name,
                kind,
                start,
                length,
                attributes,
                events,
                links,
                status,
            )| Span {
                trace_id,
                span_id,
                parent_span_id,
                name,
                kind,
                start_time_unix_nano: start,
                end_time_unix_nano: start.saturating_add(length),
                attributes: attributes
                    .into_iter()
                    .map(|(k, v)| KeyValue::string(k, v))
                    .collect(),
                events: events
                    .into_iter()
                    .map(|(name, at)| span::Event {
                        name,
                        time_unix_nano: at * start,
                        ..Default::default()
                    })
                    .collect(),
                links: links
                    .into_iter()
                    .map(|(trace_id, span_id)| span::Link {
                        trace_id,
                        span_id,
                        ..Default::default()
                    })
                    .collect(),
                status: Some(Status {
                    code: status,
                    message: String::new(),
                }),
                ..Default::default()
            },
        )
}

/// Keeps every level, so a stored entry is never filtered out.
fn obs() -> Observability {
    Observability::builder()
        .service("collector", "1")
        .min_log_level(crate::LogLevel::Trace)
        .build()
        .unwrap()
}

/// `observa_dropped_total{kind,reason="otlp_refused"}` as rendered, 0 when absent.
fn refused(obs: &Observability, kind: &str) -> i64 {
    let series = format!("observa_dropped_total{{kind=\"{kind}\",reason=\"otlp_refused\"}} ");
    let text = obs.render(Format::Prometheus).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0, |value| value.parse().unwrap())
}

#[test]
fn refused_points_are_counted_as_dropped_across_requests() {
    let obs = obs();
    let receiver = Receiver::new(obs.tracing(), obs.logs(), obs.metrics());
    let histogram = Metric {
        name: "latency".into(),
        data: Some(metric::Data::Histogram(Histogram {
            data_points: vec![HistogramDataPoint::default(); 3],
            ..Default::default()
        })),
        ..Default::default()
    };
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![histogram],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    for sent in 1..=2 {
        let response = receiver.metrics(&request);
        assert_eq!(response.partial_success.unwrap().rejected_data_points, 3);
        assert_eq!(refused(&obs, "metric_point"), 3 * sent);
    }
    assert_eq!(refused(&obs, "span"), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_span_is_either_stored_as_sent_or_counted_as_rejected(
        spans in proptest::collection::vec(arbitrary_span(), 0..12),
    ) {
        let obs = obs();
        let receiver = Receiver::new(obs.tracing(), obs.logs(), obs.metrics());
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans { spans: spans.clone(), ..Default::default() }],
                ..Default::default()
            }],
        };
        let response = receiver.traces(&request);
        let rejected = response.partial_success.as_ref().map_or(0, |p| p.rejected_spans);
        let mut kept = 0;
        for sent in &spans {
            let found = super::values::trace_id("span", &sent.trace_id)
                .ok()
                .and_then(|t| obs.tracing().spans(t).ok())
                .and_then(|s| s.into_iter().find(|s| s.span_id().to_bytes()[..] == sent.span_id[..]));
            if let Some(span) = found {
                kept += 1;
                prop_assert_eq!(span.operation(), sent.name.as_str());
                prop_assert_eq!(span.service(), "unknown_service");
                prop_assert_eq!(span.start().timestamp_nanos_opt(), Some(sent.start_time_unix_nano as i64));
            }
        }
        // duplicates of one span id in a trace are refused, so kept + rejected covers every span
        prop_assert_eq!(kept as i64 + rejected, spans.len() as i64, "{:?}", response);
        prop_assert_eq!(refused(&obs, "span"), rejected);
        if rejected > 0 {
            prop_assert!(!response.partial_success.unwrap().error_message.is_empty());
        }
    }

    #[test]
    fn any_log_record_is_stored_or_counted(
        body in proptest::option::of("\\PC{0,60}"),
        severity in -2i32..30,
        trace_id in ids(16..17),
        span_id in prop_oneof![Just(Vec::new()), ids(8..9)],
        time in prop_oneof![Just(0u64), T0..T0 + 10, Just(u64::MAX)],
        keys in proptest::collection::vec("\\PC{0,20}", 0..5),
    ) {
        let obs = obs();
        let receiver = Receiver::new(obs.tracing(), obs.logs(), obs.metrics());
        let record = LogRecord {
            body: body.map(AnyValue::string),
            severity_number: severity,
            trace_id,
            span_id,
            time_unix_nano: time,
            attributes: keys.into_iter().map(|k| KeyValue::string(k, "v")).collect(),
            ..Default::default()
        };
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                scope_logs: vec![ScopeLogs { log_records: vec![record], ..Default::default() }],
                ..Default::default()
            }],
        };
        let rejected = receiver.logs(&request).partial_success.map_or(0, |p| p.rejected_log_records);
        let stored = obs.logs().recent(10).unwrap().len() as i64;
        prop_assert_eq!(stored + rejected, 1);
        prop_assert_eq!(refused(&obs, "log_entry"), rejected);
    }
}
