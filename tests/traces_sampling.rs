//! Head sampling of new spans: unsampled spans record nothing and carry
//! the decision to their children and to `traceparent`; ratio sampling is
//! decided per trace id, the same for every span of a trace.

use std::collections::HashMap;

use observa::propagation::{extract, inject, TraceContext, TraceFlags, TraceParent, TraceState};
use observa::sampling::Sampler;
use observa::traces::{current, SpanContext};
use observa::{Observability, TraceId};

fn with_sampler(sampler: Sampler) -> Observability {
    Observability::builder()
        .service("shop", "1")
        .sampler(sampler)
        .build()
        .unwrap()
}

fn stored_spans(obs: &Observability) -> usize {
    obs.tracing().by_operation("root").unwrap().len()
        + obs.tracing().by_operation("child").unwrap().len()
        + obs.tracing().by_operation("grandchild").unwrap().len()
}

#[test]
fn unsampled_spans_record_nothing_and_propagate_the_flag() {
    let obs = with_sampler(Sampler::parent_based(Sampler::always_off()));
    let root = obs.tracing().span("root");
    assert!(!root.is_recording());
    assert!(!root.context().is_sampled());
    assert_eq!(
        root.traceparent().flags(),
        TraceFlags::RANDOM,
        "random, not sampled"
    );
    {
        let _entered = root.enter();
        let child = obs.tracing().span("child");
        assert_eq!(child.context().trace_id(), root.context().trace_id());
        assert_ne!(child.context().span_id(), root.context().span_id());
        assert!(!child.context().is_sampled(), "parent-based: the child follows");
        let _inner = child.enter();
        obs.tracing().in_span("grandchild", || {
            assert!(!current().unwrap().is_sampled());
        });
    }
    drop(root);
    assert_eq!(stored_spans(&obs), 0);
}

#[test]
fn an_unsampled_span_has_one_id_whoever_reads_it_first() {
    let obs = with_sampler(Sampler::parent_based(Sampler::always_off()));
    let root = obs.tracing().span("root");
    let _entered = root.enter();
    let child = obs.tracing().span("child");
    let sibling = obs.tracing().span("child");
    // first read from two threads at once: both get the id kept
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| child.context().span_id());
        let b = s.spawn(|| child.context().span_id());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a, b);
    assert_eq!(child.context().span_id(), a, "read again, the same id");
    assert_eq!(child.traceparent().parent_id(), a);
    assert_ne!(a, root.context().span_id());
    assert_ne!(a, sibling.context().span_id(), "each span has its own id");
    assert_eq!(format!("{child:?}"), format!("{child:?}"));
}

#[test]
fn an_entered_unsampled_span_injects_its_own_id_unsampled() {
    let obs = with_sampler(Sampler::parent_based(Sampler::always_off()));
    let root = obs.tracing().span("root");
    let _entered = root.enter();
    let child = obs.tracing().span("child");
    // entered before anyone read its context
    let _inner = child.enter();
    let here = current().unwrap();
    let mut headers = HashMap::new();
    inject(
        &TraceContext::new(here.to_traceparent(), TraceState::default()),
        &mut headers,
    );
    let sent = extract(&headers).unwrap();
    assert_eq!(sent.parent().trace_id(), root.context().trace_id());
    assert_eq!(sent.parent().parent_id(), child.context().span_id());
    assert_ne!(sent.parent().parent_id(), root.context().span_id());
    assert!(!sent.parent().flags().is_sampled());
    let grandchild = obs.tracing().span("grandchild");
    assert_eq!(grandchild.context().trace_id(), root.context().trace_id());
    assert!(!grandchild.is_recording());
}

#[test]
fn a_sampled_parent_makes_sampled_children_and_headers() {
    let obs = with_sampler(Sampler::default());
    let root = obs.tracing().span("root");
    let _entered = root.enter();
    let child = obs.tracing().span("child");
    assert!(child.is_recording());
    assert!(child.traceparent().flags().is_sampled());
    assert!(
        child.traceparent().flags().is_random(),
        "children keep the parent's flags"
    );
}

#[test]
fn an_unsampled_remote_parent_is_not_recorded_under_the_default_sampler() {
    let obs = with_sampler(Sampler::default());
    let parent: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        .parse()
        .unwrap();
    let span = obs
        .tracing()
        .span_builder("root")
        .parent(SpanContext::from_traceparent(&parent))
        .start()
        .unwrap();
    assert!(!span.is_recording());
    assert_eq!(span.traceparent().trace_id(), parent.trace_id());
    assert_eq!(span.traceparent().flags(), TraceFlags::NONE);
    drop(span);
    assert_eq!(stored_spans(&obs), 0);
}

#[test]
fn ratio_sampling_is_consistent_per_trace_id() {
    let sampler = Sampler::trace_id_ratio(0.5).unwrap();
    let obs = with_sampler(sampler.clone());
    let mut sampled_traces = 0;
    for _ in 0..400 {
        let trace_id = TraceId::random();
        let expected = sampler.should_sample(None, trace_id, "root").is_sampled();
        // a remote parent in that trace, with either flag: the ratio
        // sampler ignores it and decides by trace id alone
        let decisions: Vec<bool> = [TraceFlags::SAMPLED, TraceFlags::NONE]
            .into_iter()
            .flat_map(|flags| {
                let parent = TraceParent::new(trace_id, observa::SpanId::random(), flags);
                let remote = SpanContext::from_traceparent(&parent);
                let span = obs
                    .tracing()
                    .span_builder("child")
                    .parent(remote)
                    .start()
                    .unwrap();
                let _entered = span.enter();
                let grandchild = obs.tracing().span("grandchild");
                [span.is_recording(), grandchild.is_recording()]
            })
            .collect();
        assert!(
            decisions.iter().all(|&d| d == expected),
            "{trace_id}: {decisions:?}"
        );
        sampled_traces += usize::from(expected);
    }
    assert!(
        (120..=280).contains(&sampled_traces),
        "about half of 400: {sampled_traces}"
    );
}

#[test]
fn the_default_sampler_records_new_traces() {
    let obs = Observability::builder().service("shop", "1").build().unwrap();
    assert_eq!(obs.tracing().sampler(), &Sampler::default());
    let root = obs.tracing().span("root");
    assert!(root.is_recording() && root.context().is_sampled());
    drop(root);
    assert_eq!(stored_spans(&obs), 1);
}
