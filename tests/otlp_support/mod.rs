//! Helpers for the OTLP receiver tests: a raw HTTP/1.1 POST, gzip, a
//! server with the receiver on, and hand-built OTLP requests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use observa::http::{HttpConfig, HttpServer};
use observa::otlp::proto::{
    any_value, span, AnyValue, ExportTraceServiceRequest, InstrumentationScope, KeyValue, Resource,
    ResourceSpans, ScopeSpans, Span, Status,
};
use observa::{Observability, SpanId, TraceId};

pub const T0: u64 = 1_700_000_000_000_000_000;

/// A response: status, headers (lowercase names) and raw body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `POST path` with `headers` and `body` over HTTP/1.1 (`Connection: close`).
pub fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
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

pub fn read_answer(stream: &mut TcpStream) -> Answer {
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

pub fn dechunk(mut raw: &[u8]) -> Vec<u8> {
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

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub fn server(config: HttpConfig) -> (Observability, HttpServer) {
    let obs = Observability::builder()
        .service("collector", "1")
        .build()
        .unwrap();
    let server = HttpServer::start(&obs, config.bind("127.0.0.1:0").otlp_receiver(true)).unwrap();
    (obs, server)
}

pub fn resource(service: &str) -> Option<Resource> {
    Some(Resource {
        attributes: vec![
            KeyValue::string("service.name", service),
            KeyValue::string("host.name", "h1"),
        ],
        ..Default::default()
    })
}

pub fn int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(value)),
        }),
    }
}

/// A root span and a child with an event, a link, typed attributes and an error status.
pub fn two_spans() -> (ExportTraceServiceRequest, TraceId, SpanId, SpanId) {
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
