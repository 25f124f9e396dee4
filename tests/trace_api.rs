//! `GET /api/traces/{id}`: a stored trace as Jaeger JSON over a real socket.
#![cfg(feature = "http")]

mod common;

use common::http_get;
use observa::http::{HttpConfig, HttpServer};
use observa::{Observability, Span, SpanEvent, SpanStatus};
use serde_json::Value;

/// A container holding one finished two-span trace; returns its root.
fn with_trace() -> (Observability, Span, Span) {
    let obs = Observability::builder().service("api", "1").build().unwrap();
    let root = obs.tracing().start_trace("GET /orders").unwrap();
    let child = obs
        .tracing()
        .start_span(&root, "SELECT orders")
        .unwrap()
        .with_event(SpanEvent::new("cache miss").unwrap())
        .unwrap();
    let child = obs.tracing().finish(child, SpanStatus::Ok).unwrap();
    let root = obs.tracing().finish(root, SpanStatus::Ok).unwrap();
    (obs, root, child)
}

#[test]
fn a_stored_trace_is_served_as_jaeger_json() {
    let (obs, root, child) = with_trace();
    let config = HttpConfig::default().bind("127.0.0.1:0").trace_api(true);
    let server = HttpServer::start(&obs, config).unwrap();
    let addr = server.local_addr();

    let found = http_get(addr, &format!("/api/traces/{}", root.trace_id()), &[]);
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.header("Content-Type"), Some("application/json"));
    let json: Value = serde_json::from_str(&found.body).unwrap();
    let trace = &json["data"][0];
    assert_eq!(trace["traceID"], root.trace_id().to_string());
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2);
    let served_child = spans
        .iter()
        .find(|s| s["spanID"] == child.span_id().to_string())
        .unwrap();
    assert_eq!(
        served_child["references"][0]["spanID"],
        root.span_id().to_string()
    );
    assert_eq!(served_child["logs"][0]["fields"][0]["value"], "cache miss");

    // ids in upper case are Jaeger's too
    let upper = root.trace_id().to_string().to_ascii_uppercase();
    assert_eq!(http_get(addr, &format!("/api/traces/{upper}"), &[]).status, 200);

    for unknown in [
        observa::TraceId::random().to_string(),
        "not-hex".to_owned(),
        String::new(),
        "0".repeat(33),
    ] {
        let missing = http_get(addr, &format!("/api/traces/{unknown}"), &[]);
        assert_eq!(missing.status, 404, "{unknown}");
        let reason: Value = serde_json::from_str(&missing.body).unwrap();
        assert_eq!(reason["data"], Value::Null);
        assert_eq!(reason["errors"][0]["code"], 404);
        assert!(!reason["errors"][0]["msg"].as_str().unwrap().is_empty());
    }
}

#[test]
fn the_trace_api_is_off_by_default_and_behind_the_token() {
    let (obs, root, _) = with_trace();
    let path = format!("/api/traces/{}", root.trace_id());

    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    assert_eq!(http_get(server.local_addr(), &path, &[]).status, 404);
    server.shutdown();

    let config = HttpConfig::default()
        .bind("127.0.0.1:0")
        .trace_api(true)
        .bearer_token("s3cret");
    let server = HttpServer::start(&obs, config).unwrap();
    let addr = server.local_addr();
    let denied = http_get(addr, &path, &[]);
    assert_eq!(denied.status, 401);
    assert!(!denied.body.contains(&root.span_id().to_string()));
    let allowed = http_get(addr, &path, &[("Authorization", "Bearer s3cret")]);
    assert_eq!(allowed.status, 200);
    assert!(allowed.body.contains(&root.span_id().to_string()));
}

#[cfg(feature = "axum")]
#[test]
fn the_axum_router_serves_the_trace_api_too() {
    let (obs, root, _) = with_trace();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let router = observa::http::router(&obs, HttpConfig::default().trace_api(true)).unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, router).await });
    let found = http_get(addr, &format!("/api/traces/{}", root.trace_id()), &[]);
    assert_eq!(found.status, 200, "{}", found.body);
    let json: Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(json["data"][0]["traceID"], root.trace_id().to_string());
    let missing = http_get(addr, &format!("/api/traces/{}", observa::TraceId::random()), &[]);
    assert_eq!(missing.status, 404);
}
