//! Decoding entities from JSON: `observa::domain::from_json` hands back the
//! ObsError that refused the value (code, entity, field, value, rule), and a
//! Decode error for text that is not the entity's JSON shape.

use observa::domain::{from_json, FromJson};
use observa::{
    Alert, AlertSeverity, HealthCheck, HealthStatus, LogEntry, LogLevel, Metric, ObsError, Observation, Span,
    SpanEvent, SpanStatus,
};
use serde_json::{json, Value};

/// Round-trips `entity`, then applies `break_it` and expects the refusal
/// `(entity, field)` with its rule intact.
fn refused_with<E>(entity: &E, break_it: impl FnOnce(&mut Value), expected: (&str, &str)) -> ObsError
where
    E: FromJson + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let mut value = serde_json::to_value(entity).unwrap();
    assert_eq!(&from_json::<E>(&value.to_string()).unwrap(), entity);
    break_it(&mut value);
    let text = value.to_string();
    let err = from_json::<E>(&text).unwrap_err();
    assert_eq!(err.code(), "validation", "{err}");
    assert_eq!(
        (err.entity(), err.field()),
        (Some(expected.0), Some(expected.1)),
        "{err}"
    );
    assert!(err.rule().is_some_and(|r| !r.is_empty()));
    // serde's own path still validates, with the same text.
    let serde_err = serde_json::from_str::<E>(&text).unwrap_err();
    assert!(serde_err.to_string().starts_with(&err.to_string()), "{serde_err}");
    err
}

fn decode_error<E: FromJson + std::fmt::Debug>(text: &str) -> ObsError {
    let err = from_json::<E>(text).unwrap_err();
    assert_eq!((err.code(), err.entity()), ("decode", Some(E::ENTITY)), "{err}");
    err
}

#[test]
fn metric_refusals_keep_their_obs_error() {
    let metric = Metric::counter("jobs_total", 1.0).unwrap();
    let err = refused_with(&metric, |v| v["value"] = json!(-1.0), ("metric", "value"));
    assert_eq!(err.value(), Some("-1"));
    refused_with(&metric, |v| v["name"] = json!("9lives"), ("metric", "name"));
    refused_with(
        &metric,
        |v| v["labels"] = json!({"__x": "1"}),
        ("label", "label name"),
    );
    refused_with(
        &metric,
        |v| v["kind"] = json!("summary"),
        ("metric kind", "value"),
    );
    decode_error::<Metric>(r#"{"name": "jobs_total""#);
}

#[test]
fn span_refusals_keep_their_obs_error() {
    let span = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
    refused_with(
        &span,
        |v| v["end"] = json!("2000-01-01T00:00:00Z"),
        ("span", "end"),
    );
    let err = refused_with(
        &span,
        |v| v["trace_id"] = json!("00000000000000000000000000000000"),
        ("trace id", "id"),
    );
    assert_eq!(err.rule(), Some("must not be all zero"));
    refused_with(
        &span,
        |v| v["status"] = json!("sideways"),
        ("span status", "value"),
    );
    refused_with(
        &span,
        |v| v["events"] = json!([{"name": " ", "time": "2024-01-01T00:00:00Z"}]),
        ("span event", "name"),
    );
    let err = decode_error::<Span>(&json!({"operation": "op"}).to_string());
    assert!(err.to_string().contains("missing field"), "{err}");
    decode_error::<SpanEvent>("[]");
}

#[test]
fn log_entry_refusals_keep_their_obs_error() {
    let entry = LogEntry::builder(LogLevel::Error, "boom")
        .correlation_id("req-1")
        .build()
        .unwrap();
    refused_with(&entry, |v| v["message"] = json!("   "), ("log entry", "message"));
    refused_with(
        &entry,
        |v| v["correlation_id"] = json!("a b"),
        ("log entry", "correlation_id"),
    );
    refused_with(&entry, |v| v["level"] = json!("loud"), ("log level", "value"));
    decode_error::<LogEntry>("not json");
}

#[test]
fn alert_refusals_keep_their_obs_error() {
    let alert = Alert::new("Disk full", "/var", AlertSeverity::High).unwrap();
    refused_with(
        &alert,
        |v| v["fingerprint"] = json!("0000000000000000"),
        ("alert", "fingerprint"),
    );
    refused_with(&alert, |v| v["status"] = json!("resolved"), ("alert", "ends_at"));
    refused_with(
        &alert,
        |v| v["severity"] = json!("apocalyptic"),
        ("alert severity", "value"),
    );
    let err = decode_error::<Alert>(r#"{"title": 7}"#);
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn health_check_refusals_keep_their_obs_error() {
    let check = HealthCheck::builder("db", HealthStatus::Healthy)
        .observation(Observation::new("latency", 3.0, "ms").unwrap())
        .build()
        .unwrap();
    refused_with(
        &check,
        |v| v["component"] = json!("db:primary"),
        ("health check", "component"),
    );
    refused_with(
        &check,
        |v| v["duration"] = json!(-1.0),
        ("health check", "duration"),
    );
    refused_with(
        &check,
        |v| v["observations"][0]["name"] = json!("a:b"),
        ("observation", "name"),
    );
    decode_error::<HealthCheck>("");
    decode_error::<Observation>(r#"{"name": "x"}"#);
}

#[test]
fn the_trait_method_and_the_free_function_agree() {
    let text = r#"{"level":"info"}"#;
    assert_eq!(
        LogEntry::from_json(text).unwrap_err().to_string(),
        from_json::<LogEntry>(text).unwrap_err().to_string()
    );
}

#[test]
fn a_refusal_from_an_earlier_decode_is_never_reported_for_a_later_one() {
    let alert = Alert::new("t", "m", AlertSeverity::Low).unwrap();
    let mut bad = serde_json::to_value(&alert).unwrap();
    bad["severity"] = json!("apocalyptic");
    // serde (not from_json) leaves a refusal behind on this thread...
    assert!(serde_json::from_value::<Alert>(bad).is_err());
    // ...which a syntax error must not pick up.
    assert_eq!(from_json::<Alert>("{").unwrap_err().code(), "decode");
}
