//! Tests of the span entity: rules on every construction path, JSON shape.

use super::*;
use crate::domain::{SpanId, TraceId};
use proptest::prelude::*;

#[test]
fn finishing_twice_is_a_conflict() {
    let done = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
    assert_eq!(done.finish(SpanStatus::Error).unwrap_err().code(), "conflict");
}

#[test]
fn attribute_count_is_bounded() {
    let mut span = Span::root("op", "svc").unwrap();
    for i in 0..rules::MAX_ATTRIBUTES {
        span = span.with_attribute(format!("k{i}"), "v").unwrap();
    }
    assert!(span.with_attribute("one_more", "v").is_err());
}

#[test]
fn json_keeps_its_shape() {
    let json = r#"{"id":"67e55044-10b1-426f-9247-bb680e5fe0c8","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","parent_span_id":"00f067aa0ba902b8","operation":"GET /","service":"api","kind":"server","status":"ok","start":"2026-01-02T03:04:05.123456789Z","end":"2026-01-02T03:04:06Z","attributes":{"a":"1"},"events":[{"name":"e","time":"2026-01-02T03:04:05.500Z"}]}"#;
    let span: Span = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_string(&span).unwrap(), json);
    assert_eq!(span.duration(), Some(Duration::nanoseconds(876_543_211)));
}

#[test]
fn attributes_and_events_round_trip_and_equal_spans_compare_equal() {
    let span = Span::root("op", "svc")
        .unwrap()
        .with_attribute("k", "v")
        .unwrap()
        .with_event(SpanEvent::new("e").unwrap())
        .unwrap();
    let back: Span = serde_json::from_value(serde_json::to_value(&span).unwrap()).unwrap();
    assert_eq!(back, span);
    assert_eq!(
        (back.attributes()["k"].as_str(), back.events()[0].name()),
        ("v", "e")
    );
    let bare = Span::root("op", "svc").unwrap();
    let json = serde_json::to_value(&bare).unwrap();
    assert_eq!(
        (&json["attributes"], &json["events"]),
        (&serde_json::json!({}), &serde_json::json!([]))
    );
    assert_eq!(serde_json::from_value::<Span>(json).unwrap(), bare);
}

#[test]
fn json_rejects_end_before_start() {
    let span = Span::root("op", "svc").unwrap().finish(SpanStatus::Ok).unwrap();
    let mut json: serde_json::Value = serde_json::to_value(&span).unwrap();
    assert_eq!(serde_json::from_value::<Span>(json.clone()).unwrap(), span);
    json["end"] = serde_json::json!("2000-01-01T00:00:00Z");
    assert!(serde_json::from_value::<Span>(json).is_err());
}

proptest! {
    #[test]
    fn finish_never_yields_negative_duration(offset_ms in -10_000i64..10_000) {
        let span = Span::root("op", "svc").unwrap();
        let end = span.start() + Duration::milliseconds(offset_ms);
        match span.finish_at(end, SpanStatus::Ok) {
            Ok(done) => prop_assert!(done.duration().unwrap() >= Duration::zero()),
            Err(e) => { prop_assert!(offset_ms < 0); prop_assert_eq!(e.code(), "validation"); }
        }
    }

    #[test]
    fn arbitrary_names_never_panic(op in "\\PC{0,200}", svc in "\\PC{0,20}") {
        if let Ok(span) = Span::root(op, svc) {
            prop_assert!(!span.operation().trim().is_empty());
        }
    }
}

/// Operation names drawn from a small pool: valid, blank, with a control
/// character, too long.
fn operation() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("checkout".to_owned()),
        Just("GET /orders".to_owned()),
        Just(" ".to_owned()),
        Just("bad\u{7}".to_owned()),
        Just("x".repeat(rules::MAX_SHORT_NAME_LEN + 1)),
    ]
}

proptest! {
    /// The writer's path (a cached name, then `Span::finished`) refuses a
    /// span exactly when the public builder and `finish_at` refuse it.
    #[test]
    fn the_writers_path_refuses_what_the_builder_refuses(
        names in proptest::collection::vec(operation(), 1..8),
        same_parent in any::<bool>(),
        end_offset_ms in -5i64..5,
    ) {
        let mut cache = NameCache::default();
        let service = SpanName::new("service", "svc").unwrap();
        let (trace, id) = (TraceId::random(), SpanId::random());
        let parent = if same_parent { id } else { SpanId::random() };
        let start = Utc::now();
        let end = start + Duration::milliseconds(end_offset_ms);
        for name in names {
            let built = Span::builder(name.clone(), "svc")
                .parent(trace, parent)
                .span_id(id)
                .start(start)
                .build()
                .and_then(|span| span.finish_at(end, SpanStatus::Ok));
            let written = cache.get("operation", &name).and_then(|operation| {
                Span::finished(FinishedSpan {
                    trace_id: trace,
                    span_id: id,
                    parent: Some(parent),
                    operation,
                    service: service.clone(),
                    kind: SpanKind::Internal,
                    status: SpanStatus::Ok,
                    start: UnixTime::from_utc(start),
                    end: UnixTime::from_utc(end),
                    attributes: Vec::new(),
                    events: Vec::new(),
                })
            });
            match (built, written) {
                (Ok(built), Ok(written)) => {
                    prop_assert_eq!(
                        serde_json::to_value(&written).unwrap()["operation"].clone(),
                        serde_json::to_value(&built).unwrap()["operation"].clone()
                    );
                    prop_assert_eq!((written.start(), written.end()), (built.start(), built.end()));
                }
                // (with both the parent and the end wrong, the two paths
                // may name either)
                (Err(built), Err(written)) if same_parent && end_offset_ms < 0 => {
                    prop_assert_eq!(built.code(), written.code())
                }
                (Err(built), Err(written)) => prop_assert_eq!(built.to_string(), written.to_string()),
                (built, written) => prop_assert!(false, "builder {:?}, writer {:?}", built, written),
            }
        }
    }
}
