//! One metrics model: entities and handles share series, values are read
//! from the instruments, identity is exported once, budgets are per family,
//! rendered names never clash and refused updates are counted.

mod common;

use common::{peer, python_prometheus_client, run_with_stdin};
use observa::metrics::{Buckets, FamilySpec, Format};
use observa::prelude::*;

fn obs() -> Observability {
    Observability::builder()
        .service("shop", "1.0")
        .environment("prod")
        .label("team", "payments")
        .build()
        .unwrap()
}

/// The value of the sample line starting with `series ` in the 0.0.4 text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

/// Whether any sample (not a HELP line) has the value NaN.
fn renders_nan(text: &str) -> bool {
    text.lines().any(|l| !l.starts_with('#') && l.ends_with(" NaN"))
}

#[test]
fn an_entity_and_a_handle_with_the_same_name_land_in_the_same_series() {
    let obs = obs();
    let entity = obs
        .factory()
        .metric("orders_total", 1.0, "")
        .unwrap()
        .with_label("region", "eu")
        .unwrap();
    obs.metrics().record(&entity).unwrap();
    let handle = obs
        .metrics()
        .counter("orders_total", &[("region", "eu")])
        .unwrap();
    handle.inc();
    obs.metrics().record(&entity).unwrap();
    handle.inc();

    let text = obs.render(Format::Prometheus).unwrap();
    assert_eq!(sample(&text, "orders_total{region=\"eu\"}"), Some(4.0), "{text}");
    assert_eq!(text.matches("# TYPE orders_total counter").count(), 1);
    assert!(
        !text.contains("orders_total{env"),
        "no identity labels on series: {text}"
    );
    let labels = Labels::new([("region", "eu")]).unwrap();
    assert_eq!(
        obs.metrics().current_value("orders_total", &labels).unwrap(),
        Some(4.0),
        "current_value reads the instrument the exposition reads"
    );
    let summary = obs.metrics().summary("orders_total").unwrap().unwrap();
    assert_eq!((summary.count, summary.sum), (1, 4.0));
}

#[test]
fn service_identity_is_exported_once_as_target_info() {
    let obs = obs();
    obs.metrics().counter("orders_total", &[]).unwrap().inc();
    let text = obs.render(Format::Prometheus).unwrap();
    let info = "target_info{deployment_environment=\"prod\",service_name=\"shop\",service_version=\"1.0\",team=\"payments\"} 1\n";
    assert!(text.contains("# TYPE target_info gauge\n"), "{text}");
    assert!(text.contains(info), "{text}");
    assert!(!text.contains("service=\""), "{text}");
    let om = obs.render(Format::OpenMetrics).unwrap();
    assert!(om.contains("# TYPE target info\n") && om.contains(info), "{om}");
    // the identity names are the identity's: a default label may not take them
    let clash = Observability::builder()
        .service("shop", "1")
        .label("service_name", "other")
        .build();
    assert_eq!(clash.unwrap_err().code(), "configuration");
}

#[test]
fn the_entity_path_keeps_nothing_outside_the_budget() {
    let budget = 100;
    let obs = Observability::builder()
        .service("shop", "1")
        .series_budget(budget)
        .capacity(10)
        .build()
        .unwrap();
    let distinct = 50_000;
    for i in 0..distinct {
        let m = Metric::counter("logins_total", 1.0)
            .unwrap()
            .with_label("user", format!("u{i}"))
            .unwrap();
        obs.metrics().record(&m).unwrap();
    }
    let family = obs
        .metrics()
        .counter_family(FamilySpec::new("logins_total").labels(&["user"]))
        .unwrap();
    assert_eq!(family.len(), budget);
    let text = obs.render(Format::Prometheus).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("logins_total{")).count(),
        budget + 1
    );
    assert_eq!(
        sample(&text, "logins_total{observa_overflow=\"true\"}"),
        Some((distinct - budget) as f64)
    );
    // a label set folded into the overflow has no value of its own anywhere
    let late = Labels::new([("user", format!("u{}", distinct - 1))]).unwrap();
    assert_eq!(obs.metrics().current_value("logins_total", &late).unwrap(), None);
    let early = Labels::new([("user", "u0")]).unwrap();
    assert_eq!(
        obs.metrics().current_value("logins_total", &early).unwrap(),
        Some(1.0)
    );
    assert_eq!(obs.metrics().by_name("logins_total").unwrap().len(), 10);
}

#[test]
fn the_budget_is_per_family_and_leaves_observa_families_alone() {
    let obs = Observability::builder()
        .service("shop", "1")
        .series_budget(3)
        .build()
        .unwrap();
    for function in ["charge", "refund"] {
        obs.monitor_in("shop", function).run(|| ());
    }
    let depth = obs
        .metrics()
        .gauge_family(FamilySpec::new("depth").labels(&["q"]))
        .unwrap();
    for q in ["a", "b", "c", "d"] {
        depth.with_label_values(&[q]).unwrap().set(1.0);
    }
    let hits = obs
        .metrics()
        .counter_family(FamilySpec::new("hits_total").labels(&["p"]))
        .unwrap();
    for p in ["a", "b", "c"] {
        hits.with_label_values(&[p]).unwrap().inc();
    }
    let text = obs.render(Format::Prometheus).unwrap();
    let calls = "function_calls_total{function=\"refund\",module=\"shop\",result=\"ok\"}";
    assert_eq!(sample(&text, calls), Some(1.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "observa_series_refused_total{family=\"function_calls_total\"}"
        ),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "observa_series_refused_total{family=\"depth\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "observa_series_refused_total{family=\"hits_total\"}"),
        Some(0.0)
    );
    assert_eq!(depth.len(), 3);
    assert_eq!(hits.len(), 3);
}

#[test]
fn registrations_that_would_render_a_clashing_name_are_refused() {
    let obs = obs();
    let m = obs.metrics();
    let conflict = |result: Result<(), ObsError>, names: [&str; 2]| {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "conflict", "{err}");
        for name in names {
            assert!(
                err.to_string().contains(&format!("`{name}`")),
                "{err} names {name}"
            );
        }
    };
    m.counter("jobs", &[]).unwrap();
    conflict(m.counter("jobs_total", &[]).map(drop), ["jobs", "jobs_total"]);
    m.counter("req", &[]).unwrap();
    conflict(m.gauge("req_total", &[]).map(drop), ["req", "req_total"]);
    m.gauge("lat", &[]).unwrap();
    conflict(m.counter("lat_total", &[]).map(drop), ["lat", "lat_total"]);
    m.histogram("size", &[], Buckets::default()).unwrap();
    conflict(m.gauge("size_count", &[]).map(drop), ["size", "size_count"]);
    conflict(
        m.counter("function_calls", &[]).map(drop),
        ["function_calls_total", "function_calls"],
    );
    conflict(m.gauge("target_info", &[]).map(drop), ["target", "target_info"]);
    let entity = Metric::counter("jobs_total", 1.0).unwrap();
    conflict(m.record(&entity), ["jobs", "jobs_total"]);
}

#[test]
fn refused_handle_updates_are_counted_outside_the_budget() {
    let obs = Observability::builder()
        .service("shop", "1")
        .series_budget(1)
        .build()
        .unwrap();
    let m = obs.metrics();
    let counter = m.counter("sent_total", &[]).unwrap();
    counter.inc_by(-2.0);
    counter.inc_by(f64::NAN);
    counter.inc_by(f64::INFINITY);
    let gauge = m.gauge("level", &[]).unwrap();
    gauge.set(f64::NAN);
    gauge.add(f64::NEG_INFINITY);
    let histogram = m.histogram("wait_seconds", &[], Buckets::default()).unwrap();
    histogram.observe(f64::NAN);
    histogram.observe(-1.0);
    histogram.observe(-1.0);
    let text = obs.render(Format::Prometheus).unwrap();
    let invalid = |family: &str, reason: &str| {
        sample(
            &text,
            &format!("observa_invalid_updates_total{{family=\"{family}\",reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(invalid("sent_total", "negative"), Some(1.0), "{text}");
    assert_eq!(invalid("sent_total", "nan"), Some(1.0));
    assert_eq!(invalid("sent_total", "infinite"), Some(1.0));
    assert_eq!(invalid("level", "nan"), Some(1.0));
    assert_eq!(invalid("level", "infinite"), Some(1.0));
    assert_eq!(invalid("wait_seconds", "nan"), Some(1.0));
    assert_eq!(invalid("wait_seconds", "negative"), Some(2.0));
    assert_eq!(counter.get(), 0.0);
    assert!(!renders_nan(&text), "{text}");
}

#[test]
fn histograms_never_render_a_negative_or_nan_sum() {
    let obs = obs();
    let h = obs
        .metrics()
        .histogram("wait_seconds", &[], Buckets::default())
        .unwrap();
    h.observe(f64::INFINITY);
    h.observe(f64::NEG_INFINITY);
    h.observe(-3.0);
    let g = obs
        .metrics()
        .histogram("gap_seconds", &[], Buckets::default())
        .unwrap();
    g.observe(-3.0);
    g.observe(1.0);
    assert_eq!(
        Metric::histogram("gap_seconds", -1.0).unwrap_err().code(),
        "validation"
    );
    let text = obs.render(Format::Prometheus).unwrap();
    assert_eq!(sample(&text, "wait_seconds_sum"), Some(f64::INFINITY), "{text}");
    assert_eq!(sample(&text, "gap_seconds_sum"), Some(1.0), "{text}");
    assert!(!renders_nan(&text), "{text}");
    let om = obs.render(Format::OpenMetrics).unwrap();
    assert!(!renders_nan(&om) && !om.contains("_sum -"), "{om}");
    if let Some(python) = python_prometheus_client() {
        let script = "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nlist(p(sys.stdin.read()))";
        let (code, _, err) = run_with_stdin(&python, &["-c", script], &om);
        assert_eq!(code, 0, "{err}\n{om}");
    }
    if let Some(promtool) = peer("promtool") {
        let (code, out, err) = run_with_stdin(&promtool, &["check", "metrics"], &text);
        assert_eq!(code, 0, "{out}{err}\n{text}");
    }
}

#[test]
fn concurrent_renders_never_overshoot_the_dropped_total() {
    // each round: one log entry dropped, then four renders start together and
    // each raises observa_dropped_total{kind="log_entry",reason="capacity"} to the total, 1
    for round in 0..300 {
        let obs = Observability::builder()
            .service("shop", "1")
            .capacity(1)
            .build()
            .unwrap();
        obs.logs().log(LogLevel::Error, "first").unwrap();
        obs.logs().log(LogLevel::Error, "second").unwrap();
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    start.wait();
                    obs.render(Format::Prometheus).unwrap();
                });
            }
        });
        let text = obs.render(Format::Prometheus).unwrap();
        let dropped = sample(
            &text,
            "observa_dropped_total{kind=\"log_entry\",reason=\"capacity\"}",
        );
        assert_eq!(dropped, Some(1.0), "round {round}: concurrent renders overshot");
    }
}
