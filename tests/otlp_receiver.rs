//! OTLP/HTTP ingestion over real sockets: protobuf and JSON, gzip, partial
//! success, refusals (garbage, oversized, zip bombs), and random bodies.
#![cfg(feature = "otlp-receiver")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use observa::http::{HttpConfig, HttpServer};
use observa::otlp::proto::{
    any_value, metric, number_data_point, span, AnyValue, Encoding, ExportLogsServiceResponse,
    ExportMetricsServiceRequest, ExportMetricsServiceResponse, ExportTraceServiceRequest,
    ExportTraceServiceResponse, Gauge, Histogram, HistogramDataPoint, InstrumentationScope, KeyValue, Metric,
    NumberDataPoint, Resource, ResourceMetrics, ResourceSpans, ScopeMetrics, ScopeSpans, Span, Status, Sum,
};
use observa::{Labels, LogLevel, Observability, SpanId, SpanKind, SpanStatus, TraceId};
use proptest::prelude::*;

const T0: u64 = 1_700_000_000_000_000_000;

/// A response: status, headers (lowercase names) and raw body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `POST path` with `headers` and `body` over HTTP/1.1 (`Connection: close`).
fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // the server may answer and close before the whole body is written
    let _ = stream.write_all(body);
    read_answer(&mut stream)
}

fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 2 + size + 2..];
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn server(config: HttpConfig) -> (Observability, HttpServer) {
    let obs = Observability::builder()
        .service("collector", "1")
        .build()
        .unwrap();
    let server = HttpServer::start(&obs, config.bind("127.0.0.1:0").otlp_receiver(true)).unwrap();
    (obs, server)
}

fn resource(service: &str) -> Option<Resource> {
    Some(Resource {
        attributes: vec![
            KeyValue::string("service.name", service),
            KeyValue::string("host.name", "h1"),
        ],
        ..Default::default()
    })
}

fn int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(value)),
        }),
    }
}

/// A root span and a child with an event, a link, typed attributes and an error status.
fn two_spans() -> (ExportTraceServiceRequest, TraceId, SpanId, SpanId) {
    let (trace, root_id, child_id) = ([0xab; 16], [0x01; 8], [0x02; 8]);
    let root = Span {
        trace_id: trace.to_vec(),
        span_id: root_id.to_vec(),
        name: "GET /orders".into(),
        kind: 2,
        start_time_unix_nano: T0,
        end_time_unix_nano: T0 + 5_000_000,
        attributes: vec![
            KeyValue::string("http.request.method", "GET"),
            int("http.response.status_code", 200),
        ],
        status: Some(Status {
            code: 1,
            message: String::new(),
        }),
        ..Default::default()
    };
    let child = Span {
        trace_id: trace.to_vec(),
        span_id: child_id.to_vec(),
        parent_span_id: root_id.to_vec(),
        name: "SELECT orders".into(),
        kind: 3,
        start_time_unix_nano: T0 + 1_000_000,
        end_time_unix_nano: T0 + 3_000_000,
        events: vec![span::Event {
            time_unix_nano: T0 + 2_000_000,
            name: "retry".into(),
            ..Default::default()
        }],
        links: vec![span::Link {
            trace_id: vec![0xcd; 16],
            span_id: vec![0x03; 8],
            flags: 1,
            ..Default::default()
        }],
        status: Some(Status {
            code: 2,
            message: "timeout".into(),
        }),
        ..Default::default()
    };
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: resource("shop"),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "shop.db".into(),
                    version: "2.0".into(),
                    ..Default::default()
                }),
                spans: vec![root, child],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let ids = |t: [u8; 16], s: [u8; 8], p: [u8; 8]| {
        (
            TraceId::from_bytes(t).unwrap(),
            SpanId::from_bytes(s).unwrap(),
            SpanId::from_bytes(p).unwrap(),
        )
    };
    let (trace, root_id, child_id) = ids(trace, root_id, child_id);
    (request, trace, root_id, child_id)
}

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

#[test]
fn garbage_gets_400_with_a_status_body_and_unknown_types_get_415() {
    let (_obs, server) = server(HttpConfig::default());
    let addr = server.local_addr();
    let garbage = post(
        addr,
        "/v1/traces",
        &[("Content-Type", "application/x-protobuf")],
        &[0xff; 64],
    );
    assert_eq!(garbage.status, 400);
    let status = decode_status_protobuf(&garbage.body);
    assert_eq!(status.0, 3);
    assert!(!status.1.is_empty());

    let json = post(
        addr,
        "/v1/logs",
        &[("Content-Type", "application/json")],
        b"{\"resourceLogs\": 7}",
    );
    assert_eq!(json.status, 400);
    let reason: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    assert_eq!(reason["code"], 3);
    assert!(
        reason["message"].as_str().unwrap().contains("otlp logs request"),
        "{reason}"
    );

    let corrupt_gzip = post(
        addr,
        "/v1/metrics",
        &[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
        b"not gzip at all",
    );
    assert_eq!(corrupt_gzip.status, 400);

    let text = post(addr, "/v1/traces", &[("Content-Type", "text/plain")], b"hello");
    assert_eq!(text.status, 415);
    let brotli = post(
        addr,
        "/v1/traces",
        &[("Content-Type", "application/json"), ("Content-Encoding", "br")],
        b"{}",
    );
    assert_eq!(brotli.status, 415);
}

/// `google.rpc.Status` fields 1 (code) and 2 (message), read by hand.
fn decode_status_protobuf(bytes: &[u8]) -> (u64, String) {
    let (mut code, mut message, mut i) = (0, String::new(), 0);
    while i < bytes.len() {
        let key = bytes[i];
        i += 1;
        match key {
            0x08 => {
                code = u64::from(bytes[i]);
                i += 1;
            }
            0x12 => {
                let len = usize::from(bytes[i]);
                message = String::from_utf8(bytes[i + 1..i + 1 + len].to_vec()).unwrap();
                i += 1 + len;
            }
            other => panic!("unexpected key {other:#x}"),
        }
    }
    (code, message)
}

#[test]
fn oversized_bodies_and_zip_bombs_get_413() {
    let limit = 64 * 1024;
    let (obs, server) = server(HttpConfig::default().max_otlp_body(limit));
    let addr = server.local_addr();
    let json = [("Content-Type", "application/json")];

    let declared = post(addr, "/v1/logs", &json, &vec![b' '; limit as usize + 1]);
    assert_eq!(declared.status, 413);
    assert_eq!(declared.header("connection"), Some("close"));

    // chunked, no declared length: refused once the limit is passed
    let mut chunked = Vec::new();
    for _ in 0..3 {
        chunked.extend_from_slice(format!("{:x}\r\n", limit / 2).as_bytes());
        chunked.extend(std::iter::repeat_n(b' ', (limit / 2) as usize));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = post(
        addr,
        "/v1/logs",
        &[json[0], ("Transfer-Encoding", "chunked")],
        &chunked,
    );
    assert_eq!(streamed.status, 413);

    // 64 MiB of zeros in about 64 KiB of gzip
    let bomb = gzip(&vec![0u8; 64 * 1024 * 1024]);
    assert!((bomb.len() as u64) < limit, "{}", bomb.len());
    let gz = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "gzip"),
    ];
    let exploded = post(addr, "/v1/traces", &gz, &bomb);
    assert_eq!(exploded.status, 413);
    assert!(obs.tracing().evictions().total() == 0 && obs.logs().recent(1).unwrap().is_empty());

    // a body just within the limit is fine
    let small = post(addr, "/v1/logs", &json, b"{}");
    assert_eq!(small.status, 200);
}

#[test]
fn the_receiver_needs_the_token_and_is_off_unless_enabled() {
    let (_obs, server) = server(HttpConfig::default().bearer_token("s3cret"));
    let addr = server.local_addr();
    let json = ("Content-Type", "application/json");
    assert_eq!(post(addr, "/v1/traces", &[json], b"{}").status, 401);
    let authorized = post(
        addr,
        "/v1/traces",
        &[json, ("Authorization", "Bearer s3cret")],
        b"{}",
    );
    assert_eq!(authorized.status, 200);

    let obs = Observability::builder().service("api", "1").build().unwrap();
    let plain = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let off = post(plain.local_addr(), "/v1/traces", &[json], b"{}");
    assert!(off.status == 404 || off.status == 405, "{}", off.status);
}

fn shared_server() -> &'static (Observability, HttpServer) {
    static SERVER: std::sync::OnceLock<(Observability, HttpServer)> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| server(HttpConfig::default().max_otlp_body(16 * 1024)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bodies_never_get_a_5xx(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        path in prop::sample::select(vec!["/v1/traces", "/v1/logs", "/v1/metrics"]),
        content_type in prop::sample::select(vec!["application/x-protobuf", "application/json"]),
        compress in any::<bool>(),
    ) {
        let (_, server) = shared_server();
        let body = if compress { gzip(&body) } else { body };
        let mut headers = vec![("Content-Type", content_type)];
        if compress {
            headers.push(("Content-Encoding", "gzip"));
        }
        let answer = post(server.local_addr(), path, &headers, &body);
        prop_assert!(answer.status == 200 || answer.status == 400, "{}", answer.status);
    }
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

#[test]
fn requests_beyond_the_ingest_slots_get_503_with_retry_after_and_the_slots_come_back() {
    let (_obs, server) = server(HttpConfig::default());
    let addr = server.local_addr();
    // each stalled upload holds a slot while its body trickles in
    let mut stalled = Vec::new();
    let busy = (0..32).find_map(|_| {
        let mut stream = TcpStream::connect(addr).unwrap();
        let head = "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
        stream.write_all(head.as_bytes()).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut first = [0u8; 12];
        match stream.read(&mut first) {
            Ok(n) if n > 0 => Some((String::from_utf8_lossy(&first[..n]).into_owned(), stream)),
            _ => {
                stalled.push(stream);
                None
            }
        }
    });
    let (status_line, mut refused) = busy.expect("some request is refused once every slot is taken");
    assert!(status_line.starts_with("HTTP/1.1 503"), "{status_line}");
    refused.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let answer = read_answer(&mut refused);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert!(!stalled.is_empty());
    drop(stalled);
    let json = [("Content-Type", "application/json")];
    let mut status = 0;
    for _ in 0..50 {
        status = post(addr, "/v1/logs", &json, b"{}").status;
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(status, 200, "the slots are released when the uploads go away");
}
