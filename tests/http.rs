//! The HTTP endpoint, over real sockets on 127.0.0.1.

mod common;

use common::{exercised_registry, http_get};
use observa::http::{HttpConfig, HttpServer};

#[test]
fn metrics_format_follows_the_accept_header() {
    let obs = exercised_registry();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    assert!(addr.ip().is_loopback());

    let text = http_get(addr, "/metrics", &[]);
    assert_eq!(text.status, 200);
    assert_eq!(
        text.header("Content-Type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(text.body.contains("# TYPE http_requests_total counter"));

    // what Prometheus 2.x sends
    let accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                  text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let om = http_get(addr, "/metrics", &[("Accept", accept)]);
    assert_eq!(om.status, 200);
    assert_eq!(
        om.header("Content-Type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert!(om.body.ends_with("# EOF\n"));

    assert_eq!(http_get(addr, "/nope", &[]).status, 404);
    server.shutdown(); // returns once the serving thread has ended
}

#[test]
fn bearer_token_guards_metrics_and_health_but_not_the_probes() {
    let obs = exercised_registry();
    let config = HttpConfig::default().bind("127.0.0.1:0").bearer_token("s3cret");
    let server = HttpServer::start(&obs, config).unwrap();
    let addr = server.local_addr();
    let denied = http_get(addr, "/metrics", &[]);
    assert_eq!(denied.status, 401);
    assert_eq!(denied.header("WWW-Authenticate"), Some("Bearer"));
    assert_eq!(
        http_get(addr, "/metrics", &[("Authorization", "Bearer wrong")]).status,
        401
    );
    let allowed = http_get(addr, "/metrics", &[("Authorization", "Bearer s3cret")]);
    assert_eq!(allowed.status, 200);
    assert_eq!(http_get(addr, "/health", &[]).status, 401);
    assert_eq!(
        http_get(addr, "/livez", &[]).status,
        200,
        "the kubelet sends no token"
    );
    assert_eq!(http_get(addr, "/readyz", &[]).status, 200);
    drop(server); // dropping shuts down too
}

#[test]
fn binding_a_taken_port_is_a_clear_error() {
    let obs = exercised_registry();
    let first = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let err = observa::http::serve(&obs, &first.local_addr().to_string()).unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains("binding"), "{err}");
}
