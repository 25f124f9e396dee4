//! Embedded health checks as a service uses them: probes, timeouts, caching,
//! roll-up, persistent-failure alerts, the HTTP probes and the IETF JSON.

mod common;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(feature = "http")]
use common::http_get;
use common::{peer, run_with_stdin};
use observa::health::{worst_wins, CheckOptions, ProbeReport};
use observa::metrics::Format;
use observa::prelude::*;
use observa::{AlertStatus, Observation};

fn obs() -> Observability {
    Observability::builder()
        .service("orders", "3.1.4")
        .build()
        .unwrap()
}

#[test]
fn roll_up_is_worst_first_with_optional_checks_degrading() {
    use HealthStatus::*;
    // (results as (status, critical), expected)
    let table: &[(&[(HealthStatus, bool)], HealthStatus)] = &[
        (&[], Unknown),
        (&[(Healthy, true)], Healthy),
        (&[(Healthy, true), (Degraded, true)], Degraded),
        (&[(Healthy, true), (Unhealthy, true)], Unhealthy),
        (&[(Healthy, true), (Unhealthy, false)], Degraded),
        (&[(Degraded, false), (Unhealthy, false)], Degraded),
        (&[(Unknown, true), (Healthy, true)], Healthy),
        (&[(Unknown, true), (Unknown, false)], Unknown),
        (&[(Unknown, true), (Unhealthy, true)], Unhealthy),
        (
            &[
                (Healthy, false),
                (Healthy, true),
                (Unhealthy, true),
                (Degraded, true),
            ],
            Unhealthy,
        ),
    ];
    for (results, expected) in table {
        assert_eq!(worst_wins(results.iter().copied()), *expected, "{results:?}");
    }
}

#[test]
fn a_hung_check_times_out_and_never_hangs_the_caller() {
    let obs = obs();
    let options = CheckOptions::critical().timeout(Duration::from_millis(100));
    obs.health()
        .register_with("slow_dependency", options, || {
            std::thread::sleep(Duration::from_millis(600));
            ProbeReport::healthy()
        })
        .unwrap();
    obs.health().register("fast", || true).unwrap();
    let started = Instant::now();
    let report = obs.health().check_all();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(400), "the caller waited {took:?}");
    assert_eq!(report.status(), HealthStatus::Unhealthy);
    let slow = &report.results()[0].check;
    assert_eq!(slow.status(), HealthStatus::Unhealthy);
    assert!(slow.message().contains("timed out"), "{}", slow.message());
    // while the first run is still stuck, no second thread piles up
    let again = obs.health().check_all();
    assert!(
        again.results()[0].check.message().contains("previous run"),
        "{:?}",
        again.results()[0]
    );
    assert_eq!(again.results()[1].check.status(), HealthStatus::Healthy);
}

#[test]
fn results_are_cached_for_their_ttl() {
    let obs = obs();
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let options = CheckOptions::critical().cache_ttl(Duration::from_secs(30));
    obs.health()
        .register_with("db", options, move || {
            counted.fetch_add(1, Ordering::SeqCst);
            HealthStatus::Healthy
        })
        .unwrap();
    let first = obs.health().check_all();
    let second = obs.health().check_all();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(!first.results()[0].cached && second.results()[0].cached);
    assert_eq!(
        obs.health().history("db", 10).unwrap().len(),
        1,
        "cached answers are not recorded twice"
    );
}

#[test]
fn registration_is_validated() {
    let obs = obs();
    obs.health().register("db", || true).unwrap();
    assert_eq!(
        obs.health().register("db", || true).unwrap_err().code(),
        "conflict"
    );
    assert_eq!(
        obs.health().register("db:primary", || true).unwrap_err().code(),
        "validation"
    );
    let zero = CheckOptions::critical().timeout(Duration::ZERO);
    assert_eq!(
        obs.health().register_with("x", zero, || true).unwrap_err().code(),
        "configuration"
    );
}

#[test]
fn a_panicking_check_is_unhealthy_not_fatal() {
    let obs = obs();
    obs.health()
        .register("broken", || -> bool { panic!("probe bug") })
        .unwrap();
    let report = obs.health().check_all();
    assert_eq!(report.results()[0].check.message(), "the check panicked");
}

#[test]
fn three_failures_raise_an_alert_and_recovery_resolves_it() {
    let obs = obs();
    let failing = Arc::new(AtomicU32::new(1));
    let flag = Arc::clone(&failing);
    let uncached = CheckOptions::critical().cache_ttl(Duration::ZERO);
    obs.health()
        .register_with("payments", uncached, move || {
            if flag.load(Ordering::SeqCst) == 1 {
                Err("gateway unreachable".to_owned())
            } else {
                Ok(())
            }
        })
        .unwrap();
    for round in 1..=4 {
        obs.health().check_all();
        let open = obs.alerts().active().unwrap();
        assert_eq!(open.len(), usize::from(round >= 3), "after {round} failures");
    }
    let alert = obs.alerts().active().unwrap().remove(0);
    assert_eq!(alert.title(), "payments is persistently unhealthy");
    assert!(alert.message().contains("gateway unreachable"));
    failing.store(0, Ordering::SeqCst);
    obs.health().check_all();
    assert!(obs.alerts().active().unwrap().is_empty());
    assert_eq!(
        obs.alerts().get(alert.id()).unwrap().status(),
        AlertStatus::Resolved
    );
}

#[cfg(feature = "http")]
fn served(obs: &Observability) -> observa::http::HttpServer {
    observa::http::serve(obs, "127.0.0.1:0").unwrap()
}

#[cfg(feature = "http")]
#[test]
fn probes_answer_with_the_right_codes_and_headers() {
    let obs = obs();
    let healthy = Arc::new(AtomicU32::new(1));
    let flag = Arc::clone(&healthy);
    let uncached = CheckOptions::critical().cache_ttl(Duration::ZERO);
    obs.health()
        .register_with("database", uncached, move || flag.load(Ordering::SeqCst) == 1)
        .unwrap();
    obs.health()
        .register_with("recommendations", CheckOptions::optional(), || {
            ProbeReport::unhealthy("503 from upstream")
        })
        .unwrap();
    let server = served(&obs);
    let addr = server.local_addr();

    let live = http_get(addr, "/livez", &[]);
    assert_eq!(
        (live.status, live.header("Content-Type")),
        (200, Some("application/health+json"))
    );
    assert_eq!(live.header("Cache-Control"), Some("no-store"));

    let ready = http_get(addr, "/readyz", &[]);
    assert_eq!(ready.status, 200, "only critical checks count for readiness");
    let body: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(body["status"], "pass");
    assert!(
        body.get("checks").is_none(),
        "checks are listed only with ?verbose"
    );
    let verbose: serde_json::Value =
        serde_json::from_str(&http_get(addr, "/readyz?verbose", &[]).body).unwrap();
    assert_eq!(verbose["checks"]["database:status"][0]["status"], "pass");

    let full = http_get(addr, "/health", &[]);
    assert_eq!(full.status, 200, "an optional failure warns (200)");
    let body: serde_json::Value = serde_json::from_str(&full.body).unwrap();
    assert_eq!(body["status"], "warn");
    assert_eq!(
        body["checks"]["recommendations:status"][0]["output"],
        "503 from upstream"
    );

    healthy.store(0, Ordering::SeqCst);
    assert_eq!(http_get(addr, "/readyz", &[]).status, 503);
    assert_eq!(http_get(addr, "/health", &[]).status, 503);
    assert_eq!(
        http_get(addr, "/livez", &[]).status,
        200,
        "liveness ignores dependencies"
    );
}

#[cfg(feature = "http")]
#[test]
fn health_detail_can_be_switched_off() {
    let obs = obs();
    let config = observa::http::HttpConfig::default()
        .bind("127.0.0.1:0")
        .health_detail(false);
    let server = observa::http::HttpServer::start(&obs, config).unwrap();
    assert_eq!(http_get(server.local_addr(), "/health", &[]).status, 404);
    assert_eq!(http_get(server.local_addr(), "/readyz", &[]).status, 200);
}

/// The draft's field rules: status pass/warn/fail; `checks` keys are
/// `component:measurement` with neither part empty nor containing `:`;
/// each value is an array of objects; `observedUnit` goes with
/// `observedValue`; `output` is absent on pass; `time` is ISO 8601.
#[test]
fn health_json_follows_the_draft_field_rules() {
    let obs = obs();
    obs.health()
        .register("memory", || {
            ProbeReport::degraded("above 80%")
                .with_observation(Observation::new("utilization", 83.5, "percent").unwrap())
        })
        .unwrap();
    obs.health().register("database", || true).unwrap();
    let json = obs.health().check_all().to_health_json(true);
    assert!(["pass", "warn", "fail"].contains(&json["status"].as_str().unwrap()));
    assert_eq!(json["version"], "3.1.4");
    assert_eq!(json["serviceId"], "orders");
    let checks = json["checks"].as_object().unwrap();
    assert!(checks.contains_key("memory:utilization") && checks.contains_key("database:responseTime"));
    for (key, entries) in checks {
        let parts: Vec<&str> = key.split(':').collect();
        assert!(parts.len() == 2 && parts.iter().all(|p| !p.is_empty()), "{key}");
        for entry in entries.as_array().expect("an array per key") {
            let entry = entry.as_object().unwrap();
            let status = entry["status"].as_str().unwrap();
            assert!(["pass", "warn", "fail"].contains(&status));
            assert_eq!(
                entry.contains_key("observedValue"),
                entry.contains_key("observedUnit"),
                "{key}"
            );
            if status == "pass" {
                assert!(!entry.contains_key("output"), "{key}");
            }
            let time = entry["time"].as_str().unwrap();
            assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");
        }
    }
    assert_eq!(checks["memory:utilization"][0]["observedValue"], 83.5);
    assert_eq!(checks["memory:utilization"][0]["observedUnit"], "percent");
}

#[test]
fn health_metrics_pass_promtool() {
    let obs = obs();
    obs.health().register("database", || true).unwrap();
    obs.health()
        .register_with("cache", CheckOptions::optional(), || false)
        .unwrap();
    obs.health().check_all();
    let text = obs.render(Format::Prometheus).unwrap();
    assert!(
        text.contains(r#"health_check_status{component="cache",status="unhealthy"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"health_check_status{component="cache",status="healthy"} 0"#));
    assert!(text.contains(r#"health_check_duration_seconds{component="database"} "#));
    let Some(promtool) = peer("promtool") else { return };
    let (code, out, err) = run_with_stdin(&promtool, &["check", "metrics"], &text);
    assert_eq!(code, 0, "{out}{err}");
}
