//! `otlp_encode`: turning a batch of 512 finished spans, or 512 log records,
//! into an OTLP/HTTP protobuf request body, as an exporter does once per
//! batch. Throughput is per span or record (criterion's `elem/s`); the time
//! per item is the batch time divided by 512.
//!
//! The span: a child span with 4 string attributes, 1 event, status ok,
//! kind server. The log record: level WARN, a message, 3 fields (string,
//! integer, string), trace and span ids.
//!
//! - `observa/spans_to_protobuf`: `OtlpEncoder::span` for each `observa::Span`
//!   (borrowed), `traces_request`, `Encoding::Protobuf.encode` (prost).
//! - `opentelemetry/spans_to_protobuf`: the OpenTelemetry SDK exporter path
//!   for the same batch: `opentelemetry_proto::transform::trace::tonic::
//!   group_spans_by_resource_and_scope(Vec<SpanData>, &resource)` (what
//!   `opentelemetry-otlp`'s HTTP exporter calls), then prost `encode_to_vec`.
//!   The `Vec<SpanData>` is cloned outside the timing (`iter_batched`), since
//!   the SDK's batch processor hands it over by value.
//! - `observa/logs_to_protobuf` and `opentelemetry/logs_to_protobuf`: the same
//!   for log records (`SdkLogRecord`s made by an SDK logger,
//!   `group_logs_by_resource_and_scope(LogBatch, &resource)`).

mod common;

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use observa::otlp::proto::Encoding;
use observa::otlp::OtlpEncoder;
use observa::{LogEntry, LogLevel, Span, SpanKind, SpanStatus};
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind as OtelKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::logs::{LogBatch, SdkLogRecord, SdkLoggerProvider};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use prost::Message as _;

const BATCH: usize = 512;
const ATTRIBUTES: [(&str, &str); 4] = [
    ("http.request.method", "GET"),
    ("url.path", "/cart/42"),
    ("server.address", "shop.internal"),
    ("user_agent.original", "curl/8.5.0"),
];

fn observa_spans() -> Vec<Span> {
    let root = Span::root("checkout", "shop").unwrap();
    (0..BATCH)
        .map(|_| {
            let mut span = Span::builder("GET /cart", "shop")
                .parent(root.trace_id(), root.span_id())
                .kind(SpanKind::Server)
                .build()
                .unwrap();
            for (k, v) in ATTRIBUTES {
                span = span.with_attribute(k, v).unwrap();
            }
            span.with_event(observa::SpanEvent::new("cache miss").unwrap())
                .unwrap()
                .finish(SpanStatus::Ok)
                .unwrap()
        })
        .collect()
}

fn otel_spans() -> Vec<SpanData> {
    let trace = TraceId::from_bytes(observa::TraceId::random().to_bytes());
    let parent = SpanId::from_bytes(observa::SpanId::random().to_bytes());
    (0..BATCH)
        .map(|_| {
            let mut events = SpanEvents::default();
            events.events.push(opentelemetry::trace::Event::new(
                "cache miss",
                SystemTime::now(),
                vec![],
                0,
            ));
            SpanData {
                span_context: SpanContext::new(
                    trace,
                    SpanId::from_bytes(observa::SpanId::random().to_bytes()),
                    TraceFlags::SAMPLED,
                    false,
                    TraceState::NONE,
                ),
                parent_span_id: parent,
                parent_span_is_remote: false,
                span_kind: OtelKind::Server,
                name: "GET /cart".into(),
                start_time: SystemTime::now(),
                end_time: SystemTime::now(),
                attributes: ATTRIBUTES.iter().map(|(k, v)| KeyValue::new(*k, *v)).collect(),
                dropped_attributes_count: 0,
                events,
                links: SpanLinks::default(),
                status: Status::Ok,
                instrumentation_scope: InstrumentationScope::builder("observa").build(),
            }
        })
        .collect()
}

fn resource() -> [(&'static str, &'static str); 3] {
    [
        ("service.name", "shop"),
        ("service.version", "1.0"),
        ("deployment.environment", "prod"),
    ]
}

fn spans(c: &mut Criterion) {
    let mut group = c.benchmark_group("otlp_encode_spans");
    group.throughput(Throughput::Elements(BATCH as u64));
    let encoder = OtlpEncoder::new(resource());
    let ours = observa_spans();
    let theirs = otel_spans();
    let otel_resource: ResourceAttributesWithSchema = (&Resource::builder_empty()
        .with_attributes(resource().iter().map(|(k, v)| KeyValue::new(*k, *v)))
        .build())
        .into();
    let ours_bytes = Encoding::Protobuf
        .encode(&encoder.traces_request(ours.iter().map(|s| encoder.span(s, Some(1))).collect()));
    let theirs_bytes = ExportTraceServiceRequest {
        resource_spans: opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope(
            theirs.clone(),
            &otel_resource,
        ),
    }
    .encode_to_vec();
    println!(
        "bytes per span: observa {}, opentelemetry {}",
        ours_bytes.len() / BATCH,
        theirs_bytes.len() / BATCH
    );
    group.bench_function("observa/spans_to_protobuf", |b| {
        b.iter(|| {
            let spans = ours.iter().map(|s| encoder.span(s, Some(1))).collect();
            black_box(Encoding::Protobuf.encode(&encoder.traces_request(spans)))
        })
    });
    group.bench_function("opentelemetry/spans_to_protobuf", |b| {
        b.iter_batched(
            || theirs.clone(),
            |spans| {
                let resource_spans =
                    opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope(
                        spans,
                        &otel_resource,
                    );
                black_box(ExportTraceServiceRequest { resource_spans }.encode_to_vec())
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn otel_logs() -> (Vec<SdkLogRecord>, InstrumentationScope) {
    let logger = SdkLoggerProvider::builder().build().logger("observa");
    let trace = TraceId::from_bytes(observa::TraceId::random().to_bytes());
    let span = SpanId::from_bytes(observa::SpanId::random().to_bytes());
    let records = (0..BATCH)
        .map(|_| {
            let mut record = logger.create_log_record();
            record.set_timestamp(SystemTime::now());
            record.set_observed_timestamp(SystemTime::now());
            record.set_severity_number(Severity::Warn);
            record.set_severity_text("WARNING");
            record.set_body(AnyValue::from("cart is slow"));
            record.add_attribute("user", "alice");
            record.add_attribute("items", 3_i64);
            record.add_attribute("region", "eu");
            record.set_trace_context(trace, span, Some(TraceFlags::SAMPLED));
            record
        })
        .collect();
    (records, InstrumentationScope::builder("observa").build())
}

fn logs(c: &mut Criterion) {
    let mut group = c.benchmark_group("otlp_encode_logs");
    group.throughput(Throughput::Elements(BATCH as u64));
    let encoder = OtlpEncoder::new(resource());
    let root = Span::root("checkout", "shop").unwrap();
    let entries: Vec<LogEntry> = (0..BATCH)
        .map(|_| {
            LogEntry::builder(LogLevel::Warning, "cart is slow")
                .field("user", "alice")
                .field("items", 3)
                .field("region", "eu")
                .trace(root.trace_id(), Some(root.span_id()))
                .build()
                .unwrap()
        })
        .collect();
    let (records, scope) = otel_logs();
    let otel_resource: ResourceAttributesWithSchema = (&Resource::builder_empty()
        .with_attributes(resource().iter().map(|(k, v)| KeyValue::new(*k, *v)))
        .build())
        .into();
    let now = chrono::Utc::now();
    group.bench_function("observa/logs_to_protobuf", |b| {
        b.iter(|| {
            let records = entries
                .iter()
                .map(|e| (None, encoder.log_record(e, Some(1), now)))
                .collect();
            black_box(Encoding::Protobuf.encode(&encoder.logs_request(records)))
        })
    });
    let pairs: Vec<(&SdkLogRecord, &InstrumentationScope)> = records.iter().map(|r| (r, &scope)).collect();
    group.bench_function("opentelemetry/logs_to_protobuf", |b| {
        b.iter(|| {
            let resource_logs = opentelemetry_proto::transform::logs::tonic::group_logs_by_resource_and_scope(
                LogBatch::new(&pairs),
                &otel_resource,
            );
            black_box(ExportLogsServiceRequest { resource_logs }.encode_to_vec())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = spans, logs
}
criterion_main!(benches);
