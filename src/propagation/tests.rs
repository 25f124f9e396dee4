//! Extraction and injection rules, case by case from the specification.

use super::*;

const PARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn header_names_are_case_insensitive() {
    for name in ["traceparent", "TraceParent", "TRACEPARENT"] {
        assert!(extract(&headers(&[(name, PARENT)])).is_some(), "{name}");
    }
    for name in ["trace-parent", "trace.parent", "traceparent2"] {
        assert!(
            extract(&headers(&[(name, PARENT)])).is_none(),
            "{name} is not the header"
        );
    }
}

#[test]
fn a_missing_or_repeated_traceparent_gives_no_context() {
    assert!(extract(&headers(&[])).is_none());
    let twice = headers(&[
        ("traceparent", PARENT),
        (
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-01",
        ),
    ]);
    assert!(extract(&twice).is_none());
    let same_twice = headers(&[("traceparent", PARENT), ("traceparent", PARENT)]);
    assert!(extract(&same_twice).is_none());
}

#[test]
fn tracestate_without_a_valid_traceparent_is_ignored() {
    let bad_parent = headers(&[
        (
            "traceparent",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        ),
        ("tracestate", "foo=1"),
    ]);
    assert!(extract(&bad_parent).is_none());
}

#[test]
fn an_invalid_tracestate_is_dropped_and_the_parent_kept() {
    for state in ["foo=bar=baz", "foo=", "Foo=1", "a=1,a=2"] {
        let context = extract(&headers(&[("traceparent", PARENT), ("tracestate", state)])).unwrap();
        assert!(context.state().is_empty(), "{state:?} kept");
        assert_eq!(context.parent().to_string(), PARENT);
    }
}

#[test]
fn repeated_tracestate_lines_are_merged_in_order() {
    let context = extract(&headers(&[
        ("traceparent", PARENT),
        ("tracestate", "foo=1"),
        ("TraceState", "bar=2"),
    ]))
    .unwrap();
    assert_eq!(context.state().to_string(), "foo=1,bar=2");
}

#[test]
fn an_empty_tracestate_is_accepted() {
    let context = extract(&headers(&[("traceparent", PARENT), ("tracestate", "")])).unwrap();
    assert!(context.state().is_empty());
}

#[test]
fn forwarding_keeps_trace_flags_and_state_with_a_new_parent() {
    let incoming = headers(&[
        (
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02",
        ),
        ("tracestate", "foo=1"),
    ]);
    let caller = extract(&incoming).unwrap();
    let span = SpanId::random();
    let mut outgoing = headers(&[("TRACEPARENT", "stale"), ("tracestate", "stale=1")]);
    inject(&caller.child(span), &mut outgoing);
    assert_eq!(
        outgoing.get_all("traceparent"),
        [format!("00-0af7651916cd43dd8448eb211c80319c-{span}-02")],
        "random flag propagated, new parent id"
    );
    assert_eq!(outgoing.get_all("tracestate"), ["foo=1"]);
}

#[test]
fn an_empty_state_is_not_sent() {
    let mut outgoing = headers(&[("tracestate", "stale=1")]);
    inject(&TraceContext::new_root(false), &mut outgoing);
    assert!(outgoing.get_all("tracestate").is_empty());
    let sent: TraceParent = outgoing.get_all("traceparent")[0].parse().unwrap();
    assert!(!sent.flags().is_sampled() && sent.flags().is_random());
}

#[test]
fn new_roots_have_fresh_ids() {
    let a = TraceContext::new_root(true);
    let b = TraceContext::new_root(true);
    assert_ne!(a.parent().trace_id(), b.parent().trace_id());
}

#[test]
fn hash_maps_carry_context_too() {
    let mut map = std::collections::HashMap::new();
    map.insert("TraceParent".to_owned(), PARENT.to_owned());
    let context = extract(&map).unwrap();
    let mut out = std::collections::HashMap::new();
    inject(&context, &mut out);
    assert_eq!(out.get("traceparent").map(String::as_str), Some(PARENT));
}
