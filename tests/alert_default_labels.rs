//! Alerts raised through the container carry its default labels (`service`,
//! `env`, and those given to `ObservabilityBuilder::label`), whoever raises
//! them: the caller, a rule of the evaluator, or a drift monitor.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use observa::alerts::drift::{DriftConfig, DriftMethod, DriftMonitor};
use observa::alerts::rules::{AlertRule, Query, Selector};
use observa::alerts::Evaluator;
use observa::{Alert, AlertSeverity, Observability};

fn obs() -> Observability {
    Observability::builder()
        .service("checkout", "1")
        .environment("prod")
        .label("team", "payments")
        .build()
        .unwrap()
}

fn assert_identity(alert: &Alert) {
    let labels = alert.labels();
    assert_eq!(labels.get("service"), Some("checkout"), "{alert:?}");
    assert_eq!(labels.get("env"), Some("prod"), "{alert:?}");
    assert_eq!(labels.get("team"), Some("payments"), "{alert:?}");
}

#[test]
fn alerts_from_rules_carry_the_default_labels() {
    let obs = obs();
    let depth = obs
        .metrics()
        .gauge("queue_depth", &[("queue", "orders")])
        .unwrap();
    let query = Query::gauge(Selector::new("queue_depth").unwrap())
        .above(100.0)
        .unwrap();
    let rule = AlertRule::builder("QueueBacklog", query).build().unwrap();
    let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(60)).unwrap();
    depth.set(250.0);
    evaluator
        .step(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
        .unwrap();
    let active = obs.alerts().active().unwrap();
    assert_eq!(active.len(), 1);
    assert_identity(&active[0]);
}

#[test]
fn alerts_from_drift_monitors_carry_the_default_labels() {
    let obs = obs();
    let config = DriftConfig::default().methods(&[DriftMethod::MeanShift]);
    let mut monitor = DriftMonitor::new(obs.alerts(), obs.metrics(), "latency", config).unwrap();
    for i in 0..100 {
        monitor.observe(50.0 + (i % 3) as f64).unwrap();
    }
    for _ in 0..30 {
        monitor.observe(90.0).unwrap();
    }
    let active = obs.alerts().active().unwrap();
    assert_eq!(active.len(), 1);
    assert_identity(&active[0]);
    assert_eq!(active[0].labels().get("series"), Some("latency"));
}

#[test]
fn a_label_the_alert_sets_wins_and_de_duplication_still_holds() {
    let obs = obs();
    let alert = || {
        Alert::builder("Disk full", "/var", AlertSeverity::High)
            .label("team", "storage")
            .build()
            .unwrap()
    };
    let first = obs.alerts().raise(alert()).unwrap();
    assert_eq!(first.alert.labels().get("team"), Some("storage"));
    assert_eq!(first.alert.labels().get("service"), Some("checkout"));
    let again = obs.alerts().raise(alert()).unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.alert.id(), first.alert.id());
}
