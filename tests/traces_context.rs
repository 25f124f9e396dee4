//! The current span: trees across threads and awaits, status from results
//! and panics, explicit and remote parents, links.

use std::time::Duration;

use observa::propagation::TraceParent;
use observa::traces::{current, with_context, Instrument, SpanContext, SpanNode};
use observa::{Observability, SpanKind, SpanStatus, TraceId};

fn obs() -> Observability {
    Observability::builder().service("shop", "1").build().unwrap()
}

/// (operation, children) of a tree, children sorted by name (threads and
/// tasks finish in any order).
fn shape(node: &SpanNode) -> String {
    let mut children: Vec<String> = node.children.iter().map(shape).collect();
    children.sort();
    if children.is_empty() {
        node.span.operation().to_owned()
    } else {
        format!("{}[{}]", node.span.operation(), children.join(","))
    }
}

fn tree(obs: &Observability, trace_id: TraceId) -> String {
    let roots = obs.tracing().trace_tree(trace_id).unwrap();
    assert_eq!(roots.len(), 1, "one root: {roots:#?}");
    shape(&roots[0])
}

#[test]
fn a_span_tree_across_three_threads() {
    let obs = obs();
    let root = obs.tracing().span("request");
    let trace_id = root.context().trace_id();
    {
        let _entered = root.enter();
        let handles: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|name| {
                let (tracing, context) = (obs.tracing().clone(), current());
                std::thread::spawn(move || {
                    with_context(context, || {
                        tracing.in_span(format!("worker_{name}"), || {
                            tracing.in_span(format!("step_{name}"), || ());
                        })
                    })
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    }
    drop(root);
    assert_eq!(
        tree(&obs, trace_id),
        "request[worker_a[step_a],worker_b[step_b],worker_c[step_c]]"
    );
    let spans = obs.tracing().spans(trace_id).unwrap();
    let root = spans.iter().find(|s| s.operation() == "request").unwrap();
    let workers = spans.iter().filter(|s| s.operation().starts_with("worker_"));
    assert!(workers
        .clone()
        .all(|w| w.parent_span_id() == Some(root.span_id())));
    assert_eq!(workers.count(), 3);
    assert_eq!(current(), None, "every guard was restored");
}

#[test]
fn a_span_tree_across_awaits_on_a_multi_threaded_runtime() {
    let obs = obs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_time()
        .build()
        .unwrap();
    let root = obs.tracing().span("handle_order");
    let trace_id = root.context().trace_id();
    let tracing = obs.tracing().clone();
    runtime.block_on(
        async move {
            let mut tasks = Vec::new();
            for i in 0..3 {
                let tracing = tracing.clone();
                let span = tracing.span(format!("task_{i}"));
                tasks.push(tokio::spawn(
                    async move {
                        let before = current();
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        assert_eq!(current(), before, "the span is current again after the await");
                        tokio::task::yield_now().await;
                        tracing.in_span(format!("after_await_{i}"), || ());
                    }
                    .in_span(span),
                ));
            }
            for task in tasks {
                task.await.unwrap();
            }
        }
        .in_span(root),
    );
    assert_eq!(
        tree(&obs, trace_id),
        "handle_order[task_0[after_await_0],task_1[after_await_1],task_2[after_await_2]]"
    );
    assert_eq!(current(), None);
}

#[test]
fn status_comes_from_the_result_and_from_a_panic() {
    let obs = obs();
    let tracing = obs.tracing();
    let _ = tracing.in_span_result("ok_call", || Ok::<_, ()>(1));
    let _ = tracing.in_span_result("err_call", || Err::<(), _>("declined"));
    tracing.in_span("plain", || ());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tracing.in_span("panicking", || panic!("boom"))
    }));
    assert!(panicked.is_err());
    assert_eq!(current(), None, "the panic restored the context");
    let status = |op: &str| tracing.by_operation(op).unwrap()[0].status();
    assert_eq!(status("ok_call"), SpanStatus::Ok);
    assert_eq!(status("err_call"), SpanStatus::Error);
    assert_eq!(status("plain"), SpanStatus::Ok);
    assert_eq!(status("panicking"), SpanStatus::Error);
    let events = tracing.by_operation("panicking").unwrap()[0].events().to_vec();
    assert_eq!(events.iter().map(|e| e.name()).collect::<Vec<_>>(), ["panic"]);
    let dropped = tracing.span("dropped");
    drop(dropped);
    assert_eq!(status("dropped"), SpanStatus::Unset);
}

#[test]
fn a_future_dropped_before_completing_is_marked_cancelled_and_a_panicking_poll_is_an_error() {
    let obs = obs();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let slow = tokio::time::sleep(Duration::from_secs(60)).in_span(obs.tracing().span("slow"));
        let timed_out = tokio::time::timeout(Duration::from_millis(5), slow).await;
        assert!(timed_out.is_err());
        let failing = async { panic!("in poll") }.in_span(obs.tracing().span("failing"));
        assert!(tokio::spawn(failing).await.is_err());
    });
    let slow = &obs.tracing().by_operation("slow").unwrap()[0];
    assert_eq!(slow.status(), SpanStatus::Unset);
    assert_eq!(slow.events()[0].name(), "cancelled");
    let failing = &obs.tracing().by_operation("failing").unwrap()[0];
    assert_eq!(failing.status(), SpanStatus::Error);
    let names: Vec<_> = failing.events().iter().map(|e| e.name()).collect();
    assert_eq!(names, ["panic"], "a panic is not also a cancellation");
}

#[test]
fn a_remote_parent_continues_its_trace_and_is_sampled_by_its_flag() {
    let obs = obs();
    let sampled: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        .parse()
        .unwrap();
    let span = obs
        .tracing()
        .span_builder("GET /orders")
        .parent(SpanContext::from_traceparent(&sampled))
        .kind(SpanKind::Server)
        .attribute("http.request.method", "GET")
        .start()
        .unwrap();
    let child_header = span.traceparent();
    assert_eq!(child_header.trace_id(), sampled.trace_id());
    assert_ne!(child_header.parent_id(), sampled.parent_id());
    assert_eq!(child_header.flags(), sampled.flags());
    let trace_id = span.context().trace_id();
    drop(span);
    let stored = &obs.tracing().spans(trace_id).unwrap()[0];
    assert_eq!(stored.parent_span_id(), Some(sampled.parent_id()));
    assert_eq!(stored.kind(), SpanKind::Server);
    assert_eq!(stored.attributes()["http.request.method"], "GET");
}

#[test]
fn builder_errors_are_reported_and_span_falls_back_to_a_context() {
    let obs = obs();
    let too_long = "x".repeat(2_000);
    let err = obs.tracing().span_builder(too_long.clone()).start().unwrap_err();
    assert_eq!(err.code(), "validation");
    let refused_attribute = obs.tracing().span_builder("op").attribute("", "v").start();
    assert!(refused_attribute.is_err());
    let parent = obs.tracing().span("parent");
    let _entered = parent.enter();
    let fallback = obs.tracing().span(too_long);
    assert!(!fallback.is_recording());
    assert_eq!(fallback.context().trace_id(), parent.context().trace_id());
}

#[test]
fn a_span_starts_clean_after_one_finished_on_its_thread_or_another() {
    let obs = obs();
    let root = obs.tracing().span("root");
    let _entered = root.enter();
    let mut first = obs.tracing().span("first");
    first.set_attribute("user.id", "7").unwrap();
    first.add_event("retry").unwrap();
    first.set_status(SpanStatus::Error);
    drop(first);
    let second = obs.tracing().span("second");
    // a span started here and finished on another thread
    let mut third = obs.tracing().span("third");
    third.set_attribute("k", "v").unwrap();
    std::thread::spawn(move || drop(third)).join().unwrap();
    drop(second);
    let fourth = obs.tracing().span("fourth");
    drop(fourth);
    let trace_id = root.context().trace_id();
    let spans = obs.tracing().spans(trace_id).unwrap();
    let by_name = |name: &str| spans.iter().find(|s| s.operation() == name).unwrap();
    assert_eq!(by_name("first").status(), SpanStatus::Error);
    assert_eq!(by_name("first").events().len(), 1);
    for name in ["second", "fourth"] {
        let span = by_name(name);
        assert!(span.attributes().is_empty(), "{name}: {:?}", span.attributes());
        assert!(span.events().is_empty(), "{name}");
        assert_eq!(span.status(), SpanStatus::Unset, "{name}");
    }
    assert_eq!(by_name("third").attributes()["k"], "v");
    assert!(by_name("first").start() <= by_name("second").start());
    assert!(by_name("second").end().unwrap() >= by_name("second").start());
}
