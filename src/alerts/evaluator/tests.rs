use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::alerts::rules::{AlertRule, Query, Selector};
use crate::domain::AlertStatus;
use crate::Observability;

fn minute(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(m)
}

fn setup(keep_firing_min: u64) -> (Observability, crate::metrics::Gauge, Evaluator) {
    let obs = Observability::builder().service("t", "1").build().unwrap();
    let gauge = obs.metrics().gauge("depth", &[("queue", "a")]).unwrap();
    let rule = AlertRule::builder(
        "Deep",
        Query::gauge(Selector::new("depth").unwrap()).above(10.0).unwrap(),
    )
    .keep_firing_for(Duration::from_secs(keep_firing_min * 60))
    .annotation("summary", "depth {{ $value }}")
    .build()
    .unwrap();
    let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(60)).unwrap();
    (obs, gauge, evaluator)
}

#[test]
fn a_firing_rule_raises_once_and_resolves_its_alert() {
    let (obs, gauge, evaluator) = setup(0);
    gauge.set(50.0);
    for m in 0..5 {
        evaluator.step(minute(m)).unwrap();
    }
    let active = obs.alerts().active().unwrap();
    assert_eq!(active.len(), 1, "raised once while firing");
    assert_eq!(active[0].message(), "depth 50");
    assert_eq!(active[0].starts_at(), minute(0));
    let id = active[0].id();
    gauge.set(1.0);
    evaluator.step(minute(5)).unwrap();
    assert_eq!(obs.alerts().get(id).unwrap().status(), AlertStatus::Resolved);
    gauge.set(60.0);
    evaluator.step(minute(6)).unwrap();
    let again = obs.alerts().active().unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].id(), id, "firing again is a new alert");
}

#[test]
fn keep_firing_for_delays_the_resolution() {
    let (obs, gauge, evaluator) = setup(2);
    gauge.set(50.0);
    evaluator.step(minute(0)).unwrap();
    gauge.set(1.0);
    evaluator.step(minute(1)).unwrap();
    evaluator.step(minute(2)).unwrap();
    assert_eq!(obs.alerts().active().unwrap().len(), 1);
    assert_eq!(evaluator.statuses()[0].value, Some(50.0), "keeps the last value");
    evaluator.step(minute(3)).unwrap();
    assert!(obs.alerts().active().unwrap().is_empty());
}

#[test]
fn an_alert_resolved_by_hand_does_not_fail_the_resolution() {
    let (obs, gauge, evaluator) = setup(0);
    gauge.set(50.0);
    evaluator.step(minute(0)).unwrap();
    let id = evaluator.statuses()[0].alert.unwrap();
    obs.alerts().resolve(id).unwrap();
    gauge.set(1.0);
    evaluator.step(minute(1)).unwrap();
    assert_eq!(evaluator.failures(), 0);
}

#[test]
fn too_many_rules_or_a_bad_interval_are_refused() {
    let obs = Observability::builder().service("t", "1").build().unwrap();
    let rule = AlertRule::builder("A", Query::gauge(Selector::new("x").unwrap()).above(1.0).unwrap())
        .build()
        .unwrap();
    let new = |rules, interval| Evaluator::new(obs.metrics(), obs.alerts(), rules, interval).map(drop);
    assert_eq!(
        new(vec![rule.clone(); MAX_RULES + 1], Duration::from_secs(60))
            .unwrap_err()
            .code(),
        "capacity"
    );
    assert!(new(vec![rule], Duration::from_millis(500)).is_err());
}

#[test]
fn the_container_runs_its_rules_on_a_named_thread_and_stops_it() {
    let rule = AlertRule::builder(
        "Deep",
        Query::gauge(Selector::new("depth").unwrap()).above(1.0).unwrap(),
    )
    .build()
    .unwrap();
    let obs = Observability::builder()
        .service("t", "1")
        .alert_rules(vec![rule])
        .evaluation_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    obs.metrics().gauge("depth", &[]).unwrap().set(5.0);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while obs.alerts().active().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(obs.rule_statuses()[0].state, RuleState::Firing);
    let alerts = obs.alerts().clone();
    let started = std::time::Instant::now();
    drop(obs);
    assert!(
        started.elapsed() < STOP_TIMEOUT,
        "the thread stopped without waiting out its interval"
    );
    assert_eq!(alerts.active().unwrap().len(), 1);
}

#[test]
fn a_step_back_in_time_is_refused_and_changes_nothing() {
    let (_obs, gauge, evaluator) = setup(0);
    gauge.set(50.0);
    evaluator.step(minute(5)).unwrap();
    let before = evaluator.statuses();
    gauge.set(1.0);
    assert_eq!(evaluator.step(minute(4)).unwrap_err().code(), "validation");
    assert_eq!(evaluator.step(minute(5)).unwrap_err().code(), "validation");
    assert_eq!(evaluator.statuses(), before);
    evaluator.step(minute(6)).unwrap();
    assert_eq!(evaluator.statuses()[0].state, RuleState::Inactive);
}
