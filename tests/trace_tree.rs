//! `TracingService::trace_tree` on hostile and large traces: loops in the
//! parent links, very deep chains on a default thread stack, wide traces.

use std::sync::Arc;
use std::time::{Duration, Instant};

use observa::adapters::InMemoryRepository;
use observa::ports::Repository;
use observa::services::{SpanNode, TracingService};
use observa::{Span, SpanId, SpanStatus, TraceId};

/// A finished span with exactly these ids, as a span received from elsewhere.
fn received(trace: TraceId, span_id: SpanId, parent: Option<SpanId>, op: &str) -> Span {
    let builder = Span::builder(op, "remote");
    let builder = match parent {
        Some(parent) => builder.parent(trace, parent),
        None => builder.parent(trace, SpanId::random()),
    };
    let span = builder.build().unwrap().finish(SpanStatus::Ok).unwrap();
    let mut json = serde_json::to_value(&span).unwrap();
    json["span_id"] = span_id.to_string().into();
    json["parent_span_id"] = parent.map(|p| p.to_string()).into();
    serde_json::from_value(json).unwrap()
}

fn count(forest: &[SpanNode]) -> usize {
    let mut stack: Vec<&SpanNode> = forest.iter().collect();
    let mut n = 0;
    while let Some(node) = stack.pop() {
        n += 1;
        stack.extend(node.children.iter());
    }
    n
}

fn depth(forest: &[SpanNode]) -> usize {
    let mut stack: Vec<(&SpanNode, usize)> = forest.iter().map(|n| (n, 1)).collect();
    let mut deepest = 0;
    while let Some((node, d)) = stack.pop() {
        deepest = deepest.max(d);
        stack.extend(node.children.iter().map(|c| (c, d + 1)));
    }
    deepest
}

#[test]
fn a_repeated_span_id_forming_a_loop_neither_aborts_nor_is_recorded() {
    let repo = Arc::new(InMemoryRepository::new(100));
    let tracing = TracingService::new(repo.clone(), "svc");
    let trace = TraceId::random();
    let (a, b) = (SpanId::random(), SpanId::random());
    let root = received(trace, a, None, "root");
    let child = received(trace, b, Some(a), "child");
    let repeat = received(trace, a, Some(b), "repeats the root's id");

    tracing.record(root).unwrap();
    tracing.record(child).unwrap();
    let err = tracing.record(repeat.clone()).unwrap_err();
    assert_eq!((err.entity(), err.field()), (Some("span"), Some("span_id")));
    assert_eq!(err.value(), Some(a.to_string().as_str()));

    // A store filled by other means may still hold the loop: the tree is built anyway.
    repo.save(repeat).unwrap();
    let forest = tracing.trace_tree(trace).unwrap();
    assert_eq!(count(&forest), 3, "every stored span appears exactly once");
}

#[test]
fn a_loop_without_any_root_is_still_shown() {
    let repo = Arc::new(InMemoryRepository::new(100));
    let tracing = TracingService::new(repo.clone(), "svc");
    let trace = TraceId::random();
    let ids = [SpanId::random(), SpanId::random(), SpanId::random()];
    for i in 0..3 {
        let op = format!("in loop {i}");
        repo.save(received(trace, ids[i], Some(ids[(i + 2) % 3]), &op))
            .unwrap();
    }
    let forest = tracing.trace_tree(trace).unwrap();
    assert_eq!(forest.len(), 1);
    assert_eq!(count(&forest), 3);
    assert_eq!(depth(&forest), 3);
}

#[test]
fn a_5000_deep_chain_fits_a_default_thread_stack() {
    const DEPTH: usize = 5_000;
    let tracing = TracingService::new(Arc::new(InMemoryRepository::new(DEPTH)), "svc");
    let mut open = vec![tracing.start_trace("level 0").unwrap()];
    for level in 1..DEPTH {
        let parent = open.last().unwrap();
        open.push(tracing.start_span(parent, format!("level {level}")).unwrap());
    }
    let trace = open[0].trace_id();
    for span in open {
        tracing.finish(span, SpanStatus::Ok).unwrap();
    }
    // std::thread::spawn uses the default 2 MiB stack (unless RUST_MIN_STACK says otherwise).
    let worker = tracing.clone();
    let (nodes, deepest) = std::thread::spawn(move || {
        let forest = worker.trace_tree(trace).unwrap();
        (count(&forest), depth(&forest))
    })
    .join()
    .expect("trace_tree must not overflow the stack");
    assert_eq!((nodes, deepest), (DEPTH, DEPTH));
}

#[test]
fn a_wide_trace_is_assembled_in_near_linear_time() {
    const WIDTH: usize = 50_000;
    let tracing = TracingService::new(Arc::new(InMemoryRepository::new(WIDTH + 1)), "svc");
    let root = tracing.start_trace("fan out").unwrap();
    for i in 0..WIDTH {
        let child = tracing.start_span(&root, format!("leaf {i}")).unwrap();
        tracing.finish(child, SpanStatus::Ok).unwrap();
    }
    let trace = root.trace_id();
    tracing.finish(root, SpanStatus::Ok).unwrap();

    let started = Instant::now();
    let forest = tracing.trace_tree(trace).unwrap();
    let took = started.elapsed();
    assert_eq!(forest.len(), 1);
    assert_eq!(forest[0].children.len(), WIDTH);
    // A quadratic assembly takes minutes here (2.5e9 parent comparisons);
    // the bound leaves a wide margin for a loaded debug build.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
