//! The container and services, used as a user would: public API only.

use std::sync::Arc;

use observa::adapters::InMemoryRepository;
use observa::ports::{Query, Repository};
use observa::prelude::*;

fn obs() -> Observability {
    Observability::builder()
        .service("shop", "1.0.0")
        .environment("test")
        .capacity(100)
        .build()
        .unwrap()
}

#[test]
fn a_request_is_traced_logged_and_measured_end_to_end() {
    let obs = obs();
    let root = obs.tracing().start_trace("GET /orders").unwrap();
    let db = obs.tracing().start_span(&root, "SELECT orders").unwrap();
    let entry = LogEntry::builder(LogLevel::Info, "query ran")
        .trace(db.trace_id(), Some(db.span_id()))
        .correlation_id("req-1")
        .build()
        .unwrap();
    obs.logs().record(entry).unwrap();
    obs.tracing().finish(db, SpanStatus::Ok).unwrap();
    let root = obs.tracing().finish(root, SpanStatus::Ok).unwrap();
    obs.metrics()
        .record(&obs.factory().metric("http_requests_total", 1.0, "").unwrap())
        .unwrap();

    let tree = obs.tracing().trace_tree(root.trace_id()).unwrap();
    assert_eq!(tree[0].children[0].span.operation(), "SELECT orders");
    assert_eq!(
        obs.logs().for_trace(root.trace_id()).unwrap()[0].correlation_id(),
        Some("req-1")
    );
    assert_eq!(obs.default_labels().get("env"), Some("test"));
    assert_eq!(
        obs.metrics()
            .current_value("http_requests_total", &Labels::empty())
            .unwrap(),
        Some(1.0),
        "no identity labels on the series"
    );
}

#[test]
fn user_repositories_replace_the_defaults() {
    let metrics = Arc::new(InMemoryRepository::new(2));
    let obs = Observability::builder()
        .service("shop", "1")
        .metric_repository(metrics.clone())
        .build()
        .unwrap();
    for i in 0..5 {
        obs.metrics()
            .record(&Metric::gauge("depth", f64::from(i)).unwrap())
            .unwrap();
    }
    assert_eq!(metrics.len().unwrap(), 2);
    assert_eq!(
        obs.metrics().evictions().capacity,
        3,
        "evictions are counted, not silent"
    );
    // current values come from the instruments, not from what the repository kept
    assert_eq!(
        obs.metrics().current_value("depth", &Labels::empty()).unwrap(),
        Some(4.0)
    );
}

#[test]
fn alerts_deduplicate_until_resolved() {
    let obs = obs();
    let make = || {
        obs.factory()
            .alert("Queue backlog", "1000 waiting", AlertSeverity::High)
            .unwrap()
    };
    let first = obs.alerts().raise(make()).unwrap();
    assert!(obs.alerts().raise(make()).unwrap().deduplicated);
    obs.alerts().resolve(first.alert.id()).unwrap();
    assert!(!obs.alerts().raise(make()).unwrap().deduplicated);
    assert_eq!(obs.alerts().active().unwrap().len(), 1);
}

#[test]
fn health_rolls_up_latest_results() {
    let obs = obs();
    for (component, status) in [("db", "healthy"), ("cache", "degraded"), ("queue", "healthy")] {
        obs.health()
            .record(observa::create_health_check(component, status, "").unwrap())
            .unwrap();
    }
    assert_eq!(obs.health().overall(), HealthStatus::Degraded);
    for _ in 0..3 {
        obs.health()
            .record(HealthCheck::new("db", HealthStatus::Unhealthy, "refused").unwrap())
            .unwrap();
    }
    assert!(obs.health().is_consistently_unhealthy("db").unwrap());
    assert_eq!(obs.health().history("db", 10).unwrap().len(), 4);
}

#[test]
fn repositories_answer_every_seed_finder() {
    let obs = obs();
    obs.logs().log(LogLevel::Error, "e").unwrap();
    obs.logs().log(LogLevel::Warning, "w").unwrap();
    assert_eq!(obs.logs().by_level(LogLevel::Error).unwrap().len(), 1);
    let span = obs
        .tracing()
        .finish(obs.tracing().start_trace("op").unwrap(), SpanStatus::Error)
        .unwrap();
    assert_eq!(obs.tracing().by_operation("op").unwrap(), vec![span]);
    let repo = InMemoryRepository::<LogEntry>::new(10);
    repo.save(LogEntry::new(LogLevel::Info, "x").unwrap()).unwrap();
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(repo.query(&Query::new().since(later)).unwrap().len(), 0);
    assert_eq!(repo.purge_older_than(later).unwrap(), 1);
    assert!(repo.is_empty().unwrap());
}

#[test]
fn nothing_is_global_unless_installed() {
    assert!(observa::global().is_none());
    let m = observa::create_metric("orders_total", 1.0, "").unwrap();
    assert!(m.labels().is_empty());
}
