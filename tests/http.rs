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

#[test]
fn accept_q_values_and_versions_decide_the_format() {
    let obs = exercised_registry();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let (om, text) = (
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        "text/plain; version=0.0.4; charset=utf-8",
    );
    let cases = [
        ("text/plain;q=0.9, application/openmetrics-text;q=0.5", text),
        ("text/plain;q=0.5, application/openmetrics-text;q=0.9", om),
        ("application/openmetrics-text;version=0.0.1", text),
        ("application/openmetrics-text;q=0, */*", text),
        ("text/plain;q=0, */*", om),
        ("*/*", text),
        ("application/openmetrics-text;q=bogus", text),
    ];
    for (accept, expected) in cases {
        let response = http_get(server.local_addr(), "/metrics", &[("Accept", accept)]);
        assert_eq!(
            response.header("Content-Type"),
            Some(expected),
            "Accept: {accept}"
        );
    }
}

#[test]
fn bearer_scheme_is_matched_in_any_case() {
    let obs = exercised_registry();
    let config = HttpConfig::default().bind("127.0.0.1:0").bearer_token("s3cret");
    let server = HttpServer::start(&obs, config).unwrap();
    for value in ["Bearer s3cret", "bearer s3cret", "BEARER s3cret", "bEaReR s3cret"] {
        let response = http_get(server.local_addr(), "/metrics", &[("Authorization", value)]);
        assert_eq!(response.status, 200, "Authorization: {value}");
    }
    let response = http_get(
        server.local_addr(),
        "/metrics",
        &[("Authorization", "Basic s3cret")],
    );
    assert_eq!(response.status, 401);
}

#[test]
fn an_empty_token_is_a_configuration_error() {
    let obs = exercised_registry();
    let config = HttpConfig::default().bind("127.0.0.1:0").bearer_token("");
    let err = HttpServer::start(&obs, config).unwrap_err();
    assert_eq!(err.code(), "configuration");
}

#[test]
fn readyz_verbose_without_the_token_shows_no_probe_output() {
    let obs = exercised_registry();
    let secret = "postgres://admin:hunter2@10.0.0.5:5432/orders";
    obs.health()
        .register("database", move || {
            observa::health::ProbeReport::unhealthy(secret)
        })
        .unwrap();
    let config = HttpConfig::default().bind("127.0.0.1:0").bearer_token("s3cret");
    let server = HttpServer::start(&obs, config).unwrap();
    let addr = server.local_addr();

    let open = http_get(addr, "/readyz?verbose", &[]);
    assert_eq!(open.status, 503);
    assert!(
        open.body.contains("database"),
        "check names may show: {}",
        open.body
    );
    assert!(
        !open.body.contains("hunter2"),
        "probe output leaked: {}",
        open.body
    );

    let token = [("Authorization", "Bearer s3cret")];
    assert!(http_get(addr, "/readyz?verbose", &token).body.contains("hunter2"));
    assert!(http_get(addr, "/health", &token).body.contains("hunter2"));
}

#[test]
fn serves_and_shuts_down_from_inside_an_async_runtime() {
    let obs = exercised_registry();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
        let addr = server.local_addr();
        let status = tokio::task::spawn_blocking(move || http_get(addr, "/livez", &[]).status)
            .await
            .unwrap();
        assert_eq!(status, 200);
        drop(server);
    });
}
