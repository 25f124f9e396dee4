//! OTLP/HTTP ingestion over real sockets: protobuf and JSON, gzip, spans,
//! logs and metrics arriving as entities, and partial success.
#![cfg(feature = "otlp-receiver")]

mod otlp_support;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};

use observa::http::HttpConfig;
use observa::otlp::proto::{
    metric, number_data_point, Encoding, ExportLogsServiceResponse, ExportMetricsServiceRequest,
    ExportMetricsServiceResponse, ExportTraceServiceResponse, Gauge, Histogram, HistogramDataPoint, KeyValue,
    Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};
use observa::{Labels, LogLevel, Observability, SpanId, SpanKind, SpanStatus, TraceId};
use otlp_support::{gzip, post, read_answer, resource, server, two_spans, T0};

#[test]
fn protobuf_spans_arrive_as_spans_and_open_in_the_trace_api() {
    let (obs, server) = server(HttpConfig::default().trace_api(true));
    let (request, trace, root_id, child_id) = two_spans();
    let body = Encoding::Protobuf.encode(&request);
    let answer = post(
        server.local_addr(),
        "/v1/traces",
        &[("Content-Type", "application/x-protobuf")],
        &body,
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/x-protobuf"));
    let response: ExportTraceServiceResponse = Encoding::Protobuf.decode(&answer.body).unwrap();
    assert_eq!(response.partial_success, None);

    let spans = obs.tracing().spans(trace).unwrap();
    assert_eq!(spans.len(), 2);
    let (root, child) = (&spans[0], &spans[1]);
    assert_eq!((root.span_id(), root.parent_span_id()), (root_id, None));
    assert_eq!((root.operation(), root.service()), ("GET /orders", "shop"));
    assert_eq!((root.kind(), root.status()), (SpanKind::Server, SpanStatus::Ok));
    assert_eq!(root.attributes()["http.request.method"], "GET");
    assert_eq!(root.attributes()["http.response.status_code"], "200");
    assert_eq!(root.duration().unwrap().num_milliseconds(), 5);
    assert_eq!(
        (child.span_id(), child.parent_span_id()),
        (child_id, Some(root_id))
    );
    assert_eq!(
        (child.kind(), child.status()),
        (SpanKind::Client, SpanStatus::Error)
    );
    assert_eq!(child.attributes()["otel.status_description"], "timeout");
    assert_eq!(child.attributes()["otel.scope.name"], "shop.db");
    assert_eq!(child.attributes()["otel.scope.version"], "2.0");
    assert_eq!(
        child.attributes()[observa::traces::LINKS_ATTRIBUTE],
        format!("00-{}-0303030303030303-01", "cd".repeat(16))
    );
    assert_eq!(child.events()[0].name(), "retry");
    assert_eq!(
        child.events()[0].time().timestamp_nanos_opt(),
        Some((T0 + 2_000_000) as i64)
    );

    let jaeger = common_get(server.local_addr(), &format!("/api/traces/{trace}"));
    let json: serde_json::Value = serde_json::from_str(&jaeger).unwrap();
    let child_json = &json["data"][0]["spans"][1];
    assert_eq!(child_json["references"][0]["spanID"], root_id.to_string());
    assert_eq!(child_json["references"][1]["refType"], "FOLLOWS_FROM");
}

fn common_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let answer = read_answer(&mut stream);
    assert_eq!(answer.status, 200);
    String::from_utf8(answer.body).unwrap()
}

#[test]
fn json_logs_arrive_with_level_fields_and_trace_context() {
    let (obs, server) = server(HttpConfig::default());
    let body = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
        "scopeLogs":[{"scope":{"name":"shop.payments"},"logRecords":[
          {"timeUnixNano":"1700000000000000000","severityNumber":17,"severityText":"ERROR",
           "body":{"stringValue":"card declined"},
           "attributes":[{"key":"attempt","value":{"intValue":"3"}},{"key":"retry","value":{"boolValue":true}}],
           "traceId":"abababababababababababababababab","spanId":"0101010101010101"},
          {"severityText":"warn","body":{"kvlistValue":{"values":[{"key":"k","value":{"doubleValue":1.5}}]}}}
        ]}]}]}"#;
    let answer = post(
        server.local_addr(),
        "/v1/logs",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    let response: ExportLogsServiceResponse = Encoding::Json.decode(&answer.body).unwrap();
    assert_eq!(response.partial_success, None);

    let entries = obs.logs().recent(10).unwrap();
    assert_eq!(entries.len(), 2);
    let declined = entries.iter().find(|e| e.message() == "card declined").unwrap();
    assert_eq!(declined.level(), LogLevel::Error);
    assert_eq!(declined.fields()["attempt"], 3);
    assert_eq!(declined.fields()["retry"], true);
    assert_eq!(declined.fields()["service.name"], "shop");
    assert_eq!(declined.target(), Some("shop.payments"));
    assert_eq!(
        declined.trace_id(),
        Some(TraceId::from_bytes([0xab; 16]).unwrap())
    );
    assert_eq!(declined.span_id(), Some(SpanId::from_bytes([0x01; 8]).unwrap()));
    assert_eq!(declined.timestamp().timestamp_nanos_opt(), Some(T0 as i64));
    let structured = entries.iter().find(|e| e.message() != "card declined").unwrap();
    assert_eq!(structured.level(), LogLevel::Warning);
    assert_eq!(structured.message(), r#"{"k":1.5}"#);
}

fn number(value: i64, start: u64, attributes: Vec<KeyValue>) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: T0,
        value: Some(number_data_point::Value::AsInt(value)),
        ..Default::default()
    }
}

fn metrics_request(total: i64) -> ExportMetricsServiceRequest {
    let route = || vec![KeyValue::string("http.route", "/a")];
    let metrics = vec![
        Metric {
            name: "queue.depth".into(),
            data: Some(metric::Data::Gauge(Gauge {
                data_points: vec![number(7, 0, vec![])],
            })),
            ..Default::default()
        },
        Metric {
            name: "http.requests".into(),
            data: Some(metric::Data::Sum(Sum {
                data_points: vec![number(total, T0, route())],
                aggregation_temporality: 2,
                is_monotonic: true,
            })),
            ..Default::default()
        },
        Metric {
            name: "http.duration".into(),
            data: Some(metric::Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint::default()],
                aggregation_temporality: 2,
            })),
            ..Default::default()
        },
    ];
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: resource("shop"),
            scope_metrics: vec![ScopeMetrics {
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[test]
fn gzip_metrics_record_gauges_and_cumulative_counters_and_refuse_histograms() {
    let (obs, server) = server(HttpConfig::default());
    let headers = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "gzip"),
    ];
    for total in [10, 15] {
        let body = gzip(&Encoding::Protobuf.encode(&metrics_request(total)));
        let answer = post(server.local_addr(), "/v1/metrics", &headers, &body);
        assert_eq!(answer.status, 200);
        let response: ExportMetricsServiceResponse = Encoding::Protobuf.decode(&answer.body).unwrap();
        let partial = response.partial_success.expect("the histogram point is refused");
        assert_eq!(partial.rejected_data_points, 1);
        assert!(
            partial.error_message.contains("histogram"),
            "{}",
            partial.error_message
        );
    }
    let job = Labels::new([("job", "shop")]).unwrap();
    assert_eq!(
        obs.metrics().current_value("queue_depth", &job).unwrap(),
        Some(7.0)
    );
    let series = Labels::new([("job", "shop"), ("http_route", "/a")]).unwrap();
    // cumulative totals 10 then 15: the counter is at 15, not 25
    assert_eq!(
        obs.metrics().current_value("http_requests", &series).unwrap(),
        Some(15.0)
    );
}

#[test]
fn a_partly_bad_request_keeps_the_good_spans_and_says_what_it_refused() {
    let (obs, server) = server(HttpConfig::default());
    let (mut request, trace, root_id, _) = two_spans();
    let spans = &mut request.resource_spans[0].scope_spans[0].spans;
    spans[1].trace_id.truncate(15);
    let mut unfinished = spans[0].clone();
    unfinished.span_id = vec![9; 8];
    unfinished.end_time_unix_nano = 0;
    spans.push(unfinished);
    let body = Encoding::Json.encode(&request);
    let answer = post(
        server.local_addr(),
        "/v1/traces",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(answer.status, 200);
    let response: ExportTraceServiceResponse = Encoding::Json.decode(&answer.body).unwrap();
    let partial = response.partial_success.unwrap();
    assert_eq!(partial.rejected_spans, 2);
    assert!(
        partial.error_message.contains("trace_id"),
        "{}",
        partial.error_message
    );
    let kept = obs.tracing().spans(trace).unwrap();
    assert_eq!(kept.iter().map(|s| s.span_id()).collect::<Vec<_>>(), [root_id]);
}

#[cfg(feature = "axum")]
#[test]
fn the_axum_router_receives_otlp_too() {
    let obs = Observability::builder()
        .service("collector", "1")
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = HttpConfig::default().otlp_receiver(true).max_otlp_body(1024);
    let router = observa::http::router(&obs, config).unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, router).await });
    let (request, trace, _, _) = two_spans();
    let body = gzip(&Encoding::Protobuf.encode(&request));
    let headers = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "gzip"),
    ];
    assert_eq!(post(addr, "/v1/traces", &headers, &body).status, 200);
    assert_eq!(obs.tracing().spans(trace).unwrap().len(), 2);
    let too_big = post(
        addr,
        "/v1/logs",
        &[("Content-Type", "application/json")],
        &[b' '; 2048],
    );
    assert_eq!(too_big.status, 413);
}
