//! Entities as a user builds them: every invalid input is a clear ObsError.

use observa::prelude::*;
use observa::ObsError;

fn rule_of(err: ObsError) -> (String, String) {
    match err {
        ObsError::Validation { field, rule, .. } => (field.to_owned(), rule),
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn factories_parse_closed_sets_and_name_the_problem() {
    let (field, rule) = rule_of(observa::create_alert("t", "m", "apocalyptic").unwrap_err());
    assert_eq!(field, "value");
    assert!(rule.contains("low medium high critical emergency"), "{rule}");
    assert!(observa::create_log_entry("WARNING", "ok").is_ok());
    assert!(observa::create_health_check("db", "sideways", "").is_err());
    assert!(observa::create_trace(" ", "svc").is_err());
}

#[test]
fn metric_rules_from_the_seed_are_enforced() {
    let cases: &[(&str, f64, &str)] = &[
        ("__reserved", 1.0, "`__` prefix is reserved"),
        ("9lives", 1.0, "[a-zA-Z_:][a-zA-Z0-9_:]*"),
        ("temperature", f64::INFINITY, "finite"),
        ("errors_total", -1.0, "must not be negative"),
    ];
    for (name, value, expected) in cases {
        let (_, rule) = rule_of(observa::create_metric(name, *value, "").unwrap_err());
        assert!(rule.contains(expected), "{name}: {rule}");
    }
}

#[test]
fn every_entity_survives_a_json_round_trip() {
    let metric = Metric::counter("jobs_total", 1.0).unwrap();
    let span = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
    let alert = Alert::new("t", "m", AlertSeverity::Low).unwrap();
    let check = HealthCheck::new("db", HealthStatus::Healthy, "fine").unwrap();
    let entry = LogEntry::new(LogLevel::Critical, "down").unwrap();
    assert_eq!(
        serde_json::from_str::<Metric>(&serde_json::to_string(&metric).unwrap()).unwrap(),
        metric
    );
    assert_eq!(
        serde_json::from_str::<Span>(&serde_json::to_string(&span).unwrap()).unwrap(),
        span
    );
    assert_eq!(
        serde_json::from_str::<Alert>(&serde_json::to_string(&alert).unwrap()).unwrap(),
        alert
    );
    assert_eq!(
        serde_json::from_str::<HealthCheck>(&serde_json::to_string(&check).unwrap()).unwrap(),
        check
    );
    assert_eq!(
        serde_json::from_str::<LogEntry>(&serde_json::to_string(&entry).unwrap()).unwrap(),
        entry
    );
}

#[test]
fn span_ids_are_w3c_sized_and_never_zero() {
    let span = Span::root("op", "svc").unwrap();
    assert_eq!(span.trace_id().to_string().len(), 32);
    assert_eq!(span.span_id().to_string().len(), 16);
    assert!("0000000000000000".parse::<observa::SpanId>().is_err());
}
