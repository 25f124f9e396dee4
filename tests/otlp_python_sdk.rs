//! The official OpenTelemetry Python SDK's OTLP/HTTP exporters send spans,
//! logs and metrics (gzip, protobuf) to observa's receiver, and the entities
//! arrive. Needs `python3` with `opentelemetry-sdk` and
//! `opentelemetry-exporter-otlp-proto-http` (`.ci/run` installs them):
//! skipped locally with a printed reason when missing, a failure under `CI`.
#![cfg(feature = "otlp-receiver")]

use std::path::Path;
use std::process::Command;

use observa::http::{HttpConfig, HttpServer};
use observa::{Labels, LogLevel, Observability, SpanKind, TraceId};

/// `python3` when it can import every module of `modules`; otherwise prints
/// why the test is skipped and returns `None` (fails when `CI` is set).
fn python_with(modules: &[&str]) -> Option<&'static str> {
    let imports = modules
        .iter()
        .map(|m| format!("import {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    let ok = Command::new("python3")
        .args(["-c", &imports])
        .output()
        .is_ok_and(|out| out.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with {modules:?} is required in CI (.ci/run installs them)"
        );
        eprintln!(
            "skipped: python3 cannot import {modules:?} \
             (pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http)"
        );
        return None;
    }
    Some("python3")
}

#[test]
fn the_python_sdk_exporters_deliver_spans_logs_and_metrics() {
    let Some(python) = python_with(&["opentelemetry.sdk", "opentelemetry.exporter.otlp.proto.http"]) else {
        return;
    };
    let obs = Observability::builder()
        .service("collector", "1")
        .build()
        .unwrap();
    let config = HttpConfig::default().bind("127.0.0.1:0").otlp_receiver(true);
    let server = HttpServer::start(&obs, config).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/otel_sdk_send.py");
    let out = Command::new(python)
        .arg(script)
        .arg(format!("http://{}", server.local_addr()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK script failed: {stderr}");
    let sent: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let trace: TraceId = sent["trace_id"].as_str().unwrap().parse().unwrap();
    let root_id = sent["root_span_id"].as_str().unwrap();
    let child_id = sent["child_span_id"].as_str().unwrap();

    let spans = obs.tracing().spans(trace).unwrap();
    assert_eq!(spans.len(), 2, "{spans:?}");
    let root = spans.iter().find(|s| s.span_id().to_string() == root_id).unwrap();
    let child = spans
        .iter()
        .find(|s| s.span_id().to_string() == child_id)
        .unwrap();
    assert_eq!(
        (root.operation(), root.service(), root.kind()),
        ("checkout", "py-shop", SpanKind::Server)
    );
    assert_eq!(root.parent_span_id(), None);
    assert_eq!(root.attributes()["order.id"], "42");
    assert_eq!(root.attributes()["paid"], "true");
    assert_eq!(root.attributes()["otel.scope.name"], "py.shop.checkout");
    assert_eq!(root.events()[0].name(), "validated");
    assert_eq!(
        (child.operation(), child.kind()),
        ("charge card", SpanKind::Client)
    );
    assert_eq!(
        child.parent_span_id().map(|p| p.to_string()).as_deref(),
        Some(root_id)
    );
    assert_eq!(child.attributes()["card.brand"], "visa");
    assert!(child.start() >= root.start() && child.end() <= root.end());

    let logs = obs.logs().for_trace(trace).unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let declined = &logs[0];
    assert_eq!(
        (declined.level(), declined.message()),
        (LogLevel::Error, "card declined")
    );
    assert_eq!(
        declined.span_id().map(|s| s.to_string()).as_deref(),
        Some(child_id)
    );
    assert_eq!(declined.fields()["attempt"], 2);
    assert_eq!(declined.fields()["service.name"], "py-shop");
    assert_eq!(declined.target(), Some("py.shop.payments"));

    let series = Labels::new([("job", "py-shop"), ("region", "eu")]).unwrap();
    assert_eq!(
        obs.metrics().current_value("shop_orders", &series).unwrap(),
        Some(3.0)
    );
}
