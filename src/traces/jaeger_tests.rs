use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone};
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::adapters::InMemoryRepository;
use crate::domain::{SpanEvent, SpanId};

fn at(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(micros).single().unwrap()
}

const T0: i64 = 1_700_000_000_000_000;

/// root (server, ok) ── child (client, error, one event, one link)
///                    └─ other-service span (producer, unset)
fn sample_trace() -> (Span, Span, Span, TraceParent) {
    let root = Span::builder("GET /orders", "api")
        .kind(SpanKind::Server)
        .start(at(T0))
        .build()
        .unwrap()
        .with_attribute("http.request.method", "GET")
        .unwrap()
        .finish_at(at(T0 + 5_000), SpanStatus::Ok)
        .unwrap();
    let link: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        .parse()
        .unwrap();
    let child = Span::builder("SELECT orders", "api")
        .parent(root.trace_id(), root.span_id())
        .kind(SpanKind::Client)
        .start(at(T0 + 1_000))
        .build()
        .unwrap()
        .with_attribute("db.system", "postgresql")
        .unwrap()
        .with_attribute(LINKS_ATTRIBUTE, link.to_string())
        .unwrap()
        .with_event(SpanEvent::at("retry", at(T0 + 1_500)).unwrap())
        .unwrap()
        .finish_at(at(T0 + 3_250), SpanStatus::Error)
        .unwrap();
    let remote = Span::builder("publish", "mailer")
        .parent(root.trace_id(), root.span_id())
        .kind(SpanKind::Producer)
        .start(at(T0 + 4_000))
        .build()
        .unwrap()
        .finish_at(at(T0 + 4_000), SpanStatus::Unset)
        .unwrap();
    (root, child, remote, link)
}

#[test]
fn a_span_tree_becomes_jaeger_json_field_by_field() {
    let (root, child, remote, link) = sample_trace();
    let json = jaeger_json(&[root.clone(), child.clone(), remote.clone()]);
    let data = json["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let trace = &data[0];
    let trace_id = root.trace_id().to_string();
    assert_eq!(trace["traceID"], trace_id);
    assert_eq!(trace["warnings"], json!([]));
    assert_eq!(
        trace["processes"],
        json!({
            "p1": { "serviceName": "api", "tags": [] },
            "p2": { "serviceName": "mailer", "tags": [] },
        })
    );
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 3);

    let r = &spans[0];
    assert_eq!(r["traceID"], trace_id);
    assert_eq!(r["spanID"], root.span_id().to_string());
    assert_eq!(r["operationName"], "GET /orders");
    assert_eq!(r["references"], json!([]));
    assert_eq!(r["startTime"], T0);
    assert_eq!(r["duration"], 5_000);
    assert_eq!(r["processID"], "p1");
    assert_eq!(r["logs"], json!([]));
    assert_eq!(r["warnings"], json!([]));
    assert_eq!(
        r["tags"],
        json!([
            { "key": "http.request.method", "type": "string", "value": "GET" },
            { "key": "span.kind", "type": "string", "value": "server" },
            { "key": "otel.status_code", "type": "string", "value": "OK" },
        ])
    );

    let c = &spans[1];
    assert_eq!(c["spanID"], child.span_id().to_string());
    assert_eq!(c["operationName"], "SELECT orders");
    assert_eq!(
        c["references"],
        json!([
            { "refType": "CHILD_OF", "traceID": trace_id, "spanID": root.span_id().to_string() },
            { "refType": "FOLLOWS_FROM", "traceID": link.trace_id().to_string(), "spanID": link.parent_id().to_string() },
        ])
    );
    assert_eq!(c["startTime"], T0 + 1_000);
    assert_eq!(c["duration"], 2_250);
    assert_eq!(
        c["tags"],
        json!([
            { "key": "db.system", "type": "string", "value": "postgresql" },
            { "key": "span.kind", "type": "string", "value": "client" },
            { "key": "otel.status_code", "type": "string", "value": "ERROR" },
            { "key": "error", "type": "bool", "value": true },
        ])
    );
    assert_eq!(
        c["logs"],
        json!([{ "timestamp": T0 + 1_500, "fields": [{ "key": "event", "type": "string", "value": "retry" }] }])
    );
    assert_eq!(c["processID"], "p1");

    let m = &spans[2];
    assert_eq!(m["processID"], "p2");
    assert_eq!(m["duration"], 0);
    assert_eq!(
        m["tags"],
        json!([{ "key": "span.kind", "type": "string", "value": "producer" }])
    );
}

#[test]
fn spans_of_several_traces_are_grouped_per_trace_in_first_seen_order() {
    let (root, child, _, _) = sample_trace();
    let other = Span::root("job", "worker")
        .unwrap()
        .finish(SpanStatus::Ok)
        .unwrap();
    let json = jaeger_json(&[other.clone(), root.clone(), child]);
    let data = json["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["traceID"], other.trace_id().to_string());
    assert_eq!(data[1]["traceID"], root.trace_id().to_string());
    assert_eq!(data[1]["spans"].as_array().unwrap().len(), 2);
    assert_eq!(jaeger_json(&[]), json!({ "data": [] }));
}

#[test]
fn an_unreadable_link_stays_a_tag_with_a_warning_and_an_open_span_is_flagged() {
    let span = Span::root("op", "svc")
        .unwrap()
        .with_attribute(LINKS_ATTRIBUTE, "not-a-traceparent")
        .unwrap();
    let json = jaeger_json(&[span]);
    let s = &json["data"][0]["spans"][0];
    assert_eq!(s["references"], json!([]));
    assert_eq!(
        s["tags"][0],
        json!({ "key": LINKS_ATTRIBUTE, "type": "string", "value": "not-a-traceparent" })
    );
    let warnings = s["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(s["duration"], 0);
}

#[test]
fn the_service_answers_a_stored_trace_and_not_found_otherwise() {
    let tracing = TracingService::new(Arc::new(InMemoryRepository::new(10)), "api");
    let (root, child, _, _) = sample_trace();
    tracing.record(child.clone()).unwrap();
    tracing.record(root.clone()).unwrap();
    let json = tracing.jaeger_json(root.trace_id()).unwrap();
    let ids: Vec<&str> = json["data"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["spanID"].as_str().unwrap())
        .collect();
    // earliest start first, whatever the recording order
    assert_eq!(ids, [root.span_id().to_string(), child.span_id().to_string()]);
    let err = tracing.jaeger_json(TraceId::random()).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

/// A random valid trace: span `i`'s parent is one of the spans before it,
/// or a span that was never stored (an orphan), or none (a root).
fn arbitrary_trace() -> impl Strategy<Value = Vec<Span>> {
    let span = (
        0usize..64,
        any::<bool>(),
        0i64..10_000_000,
        0i64..1_000_000,
        proptest::collection::btree_map("[a-z.]{1,12}", "\\PC{0,24}", 0..4),
        proptest::collection::vec(("\\PC{1,16}", 0i64..1_000_000), 0..3),
        0usize..3,
        0usize..5,
        0usize..3,
    );
    (proptest::collection::vec(span, 1..24), "[a-z]{1,8}").prop_map(|(specs, service)| {
        let trace_id = TraceId::random();
        let mut spans: Vec<Span> = Vec::new();
        for (i, (parent, orphan, start, length, attributes, events, links, kind, status)) in
            specs.into_iter().enumerate()
        {
            let services = [service.as_str(), "other"];
            let builder = Span::builder(format!("op{i}"), services[i % 2])
                .kind(SpanKind::ALL[kind])
                .start(at(T0 + start));
            let builder = match (spans.len(), orphan) {
                (0, _) => builder.trace_id(trace_id),
                (_, true) => builder.parent(trace_id, SpanId::random()),
                (n, false) => builder.parent(trace_id, spans[parent % n].span_id()),
            };
            let mut span = builder.build().unwrap();
            for (key, value) in attributes {
                if let Ok(next) = span.clone().with_attribute(key, value) {
                    span = next;
                }
            }
            for (name, offset) in events {
                if let Ok(event) = SpanEvent::at(name, at(T0 + start + offset)) {
                    span = span.with_event(event).unwrap();
                }
            }
            if links > 0 {
                let value: Vec<String> = (0..links)
                    .map(|_| {
                        TraceParent::new(TraceId::random(), SpanId::random(), Default::default()).to_string()
                    })
                    .collect();
                span = span.with_attribute(LINKS_ATTRIBUTE, value.join(",")).unwrap();
            }
            let end = span.start() + Duration::microseconds(length);
            spans.push(span.finish_at(end, SpanStatus::ALL[status]).unwrap());
        }
        spans
    })
}

proptest! {
    #[test]
    fn any_valid_trace_is_valid_jaeger_json_with_consistent_references(spans in arbitrary_trace()) {
        let text = jaeger_json(&spans).to_string();
        let json: Value = serde_json::from_str(&text).unwrap();
        let data = json["data"].as_array().unwrap();
        prop_assert_eq!(data.len(), 1);
        let trace = &data[0];
        let trace_id = spans[0].trace_id().to_string();
        prop_assert_eq!(trace["traceID"].as_str(), Some(trace_id.as_str()));
        let processes = trace["processes"].as_object().unwrap();
        let out = trace["spans"].as_array().unwrap();
        prop_assert_eq!(out.len(), spans.len());
        let by_id: HashMap<String, &Span> = spans.iter().map(|s| (s.span_id().to_string(), s)).collect();
        for s in out {
            let original = by_id[s["spanID"].as_str().unwrap()];
            prop_assert_eq!(s["traceID"].as_str(), Some(trace_id.as_str()));
            prop_assert_eq!(s["operationName"].as_str(), Some(original.operation()));
            let process = &processes[s["processID"].as_str().unwrap()];
            prop_assert_eq!(process["serviceName"].as_str(), Some(original.service()));
            prop_assert_eq!(s["startTime"].as_i64(), Some(original.start().timestamp_micros()));
            prop_assert_eq!(
                s["duration"].as_i64(),
                original.duration().and_then(|d| d.num_microseconds())
            );
            let refs = s["references"].as_array().unwrap();
            let child_of: Vec<&Value> = refs.iter().filter(|r| r["refType"] == "CHILD_OF").collect();
            match original.parent_span_id() {
                None => prop_assert!(child_of.is_empty()),
                Some(parent) => {
                    // the parent comes first (the UI nests under the first reference)
                    prop_assert_eq!(&refs[0]["refType"], "CHILD_OF");
                    prop_assert_eq!(child_of.len(), 1);
                    prop_assert_eq!(refs[0]["spanID"].as_str().map(str::to_owned), Some(parent.to_string()));
                    prop_assert_eq!(refs[0]["traceID"].as_str(), Some(trace_id.as_str()));
                }
            }
            let links = original.attributes().get(LINKS_ATTRIBUTE).map_or(0, |l| l.split(',').count());
            prop_assert_eq!(refs.len() - child_of.len(), links);
            prop_assert!(s["tags"].as_array().unwrap().iter().all(|t| t["key"] != LINKS_ATTRIBUTE));
            prop_assert_eq!(s["logs"].as_array().unwrap().len(), original.events().len());
        }
    }
}
