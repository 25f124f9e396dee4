//! The endpoints mounted into an application's own axum server.
#![cfg(feature = "axum")]

mod http_support;

use std::time::Duration;

use http_support::{exchange, status_of};
use observa::http::HttpConfig;

#[test]
fn the_router_mounts_into_an_axum_app() {
    let obs = observa::Observability::builder()
        .service("mounted", "1")
        .build()
        .unwrap();
    obs.metrics().counter("orders_total", &[]).unwrap().inc();
    obs.health()
        .register("database", || {
            observa::health::ProbeReport::unhealthy("password=hunter2")
        })
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let router = observa::http::router(&obs, HttpConfig::default().bearer_token("s3cret")).unwrap();
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "the application" }))
        .merge(router);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await });

    let get = |request: &str| exchange(addr, request.as_bytes(), Duration::from_secs(5)).0;
    assert!(get("GET / HTTP/1.0\r\n\r\n").ends_with("the application"));
    let metrics = get("GET /metrics HTTP/1.0\r\nauthorization: BEARER s3cret\r\nAccept: application/openmetrics-text\r\n\r\n");
    assert_eq!(status_of(&metrics), 200, "{metrics}");
    assert!(
        metrics.contains("orders_total") && metrics.ends_with("# EOF\n"),
        "{metrics}"
    );
    assert_eq!(status_of(&get("GET /metrics HTTP/1.0\r\n\r\n")), 401);
    assert_eq!(status_of(&get("GET /livez HTTP/1.0\r\n\r\n")), 200);
    let ready = get("GET /readyz?verbose HTTP/1.0\r\n\r\n");
    assert_eq!(status_of(&ready), 503);
    assert!(
        ready.contains("database") && !ready.contains("hunter2"),
        "{ready}"
    );
    let large = get("GET /livez HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000000000\r\n\r\n");
    assert_eq!(status_of(&large), 413);
    assert!(observa::http::router(&obs, HttpConfig::default().bearer_token("")).is_err());
    runtime.shutdown_timeout(Duration::from_secs(1));
}
