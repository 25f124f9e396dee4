//! Code instrumented with `tracing`, captured by observa: this test binary
//! sets a registry with the observa layer as the global default subscriber.
//! Each test works in its own trace (a root span) and reads back only it.

use std::sync::OnceLock;

use observa::bridges::tracing::ObservaLayer;
use observa::propagation::TraceFlags;
use observa::services::SpanNode;
use observa::traces::{current, enter, SpanContext};
use observa::{LogLevel, Observability, Span, SpanId, SpanStatus, TraceId};
use tracing_subscriber::layer::SubscriberExt;

/// The container behind the global subscriber, and its layer.
fn installed() -> &'static (Observability, ObservaLayer) {
    static INSTALLED: OnceLock<(Observability, ObservaLayer)> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let obs = Observability::builder()
            .service("bridge-tracing", "1")
            .min_log_level(LogLevel::Debug)
            .build()
            .unwrap();
        let layer = ObservaLayer::new(&obs);
        let subscriber = tracing_subscriber::registry().with(layer.clone());
        tracing::subscriber::set_global_default(subscriber).unwrap();
        (obs, layer)
    })
}

fn obs() -> &'static Observability {
    &installed().0
}

/// The stored span named `operation` (each test names its own).
fn span_named(operation: &str) -> Span {
    let found = obs().tracing().by_operation(operation).unwrap();
    assert_eq!(found.len(), 1, "one span named {operation}");
    found.into_iter().next().unwrap()
}

fn operations(nodes: &[SpanNode]) -> Vec<&str> {
    nodes.iter().map(|n| n.span.operation()).collect()
}

#[test]
fn nested_spans_become_a_tree() {
    installed();
    tracing::info_span!("tree_root").in_scope(|| {
        tracing::info_span!("tree_child").in_scope(|| {
            tracing::debug_span!("tree_grandchild").in_scope(|| {});
        });
        tracing::info_span!("tree_sibling").in_scope(|| {});
    });
    let root = span_named("tree_root");
    assert_eq!(root.parent_span_id(), None);
    let tree = obs().tracing().trace_tree(root.trace_id()).unwrap();
    assert_eq!(operations(&tree), ["tree_root"]);
    assert_eq!(operations(&tree[0].children), ["tree_child", "tree_sibling"]);
    let child = &tree[0].children[0];
    assert_eq!(child.span.parent_span_id(), Some(root.span_id()));
    assert_eq!(operations(&child.children), ["tree_grandchild"]);
    assert_eq!(
        child.children[0].span.parent_span_id(),
        Some(child.span.span_id())
    );
    assert!(tree[0].span.is_finished() && tree[0].span.service() == "bridge-tracing");
}

#[test]
fn an_explicit_parent_wins_over_the_entered_span() {
    installed();
    let parent = tracing::info_span!("explicit_parent");
    tracing::info_span!("explicit_elsewhere").in_scope(|| {
        tracing::info_span!(parent: &parent, "explicit_child").in_scope(|| {});
        tracing::info_span!(parent: None, "explicit_root").in_scope(|| {});
    });
    drop(parent);
    let child = span_named("explicit_child");
    assert_eq!(
        child.parent_span_id(),
        Some(span_named("explicit_parent").span_id())
    );
    assert_eq!(span_named("explicit_root").parent_span_id(), None);
}

#[test]
fn fields_and_recorded_values_become_attributes() {
    installed();
    let span = tracing::info_span!(
        "fields_span",
        user = "ada",
        attempt = 2,
        late = tracing::field::Empty
    );
    span.record("late", 1.5);
    drop(span);
    let span = span_named("fields_span");
    let attributes = span.attributes();
    assert_eq!(attributes["user"], "ada");
    assert_eq!(attributes["attempt"], "2");
    assert_eq!(attributes["late"], "1.5");
    assert_eq!(span.status(), SpanStatus::Unset, "no error seen");
}

#[test]
fn events_become_log_entries_with_the_span_ids() {
    installed();
    let line = tracing::info_span!("events_span").in_scope(|| {
        let line = line!() + 1;
        tracing::warn!(target: "events", items = 3, ratio = 0.25, ok = true, who = ?"ada", "low stock");
        line
    });
    tracing::info!(target: "events", "outside any span");
    let span = span_named("events_span");
    let entries = obs().logs().for_trace(span.trace_id()).unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!((entry.level(), entry.message()), (LogLevel::Warning, "low stock"));
    assert_eq!(entry.span_id(), Some(span.span_id()));
    assert_eq!(entry.target(), Some("events"));
    let fields = entry.fields();
    assert_eq!(
        (fields["items"].as_i64(), fields["ratio"].as_f64()),
        (Some(3), Some(0.25))
    );
    assert_eq!(
        (fields["ok"].as_bool(), fields["who"].as_str()),
        (Some(true), Some("\"ada\""))
    );
    assert_eq!(fields["code.lineno"], line);
    assert!(!fields.contains_key("message"));
    let outside = obs().logs().recent(1_000).unwrap();
    let outside = outside
        .iter()
        .find(|e| e.message() == "outside any span")
        .unwrap();
    assert_eq!(outside.trace_id(), None);
}

#[test]
fn an_error_event_or_error_field_marks_the_span_error() {
    installed();
    tracing::info_span!("error_event_span").in_scope(|| {
        tracing::info_span!("error_inner_ok").in_scope(|| tracing::info!("fine"));
        tracing::error!("payment failed");
    });
    tracing::info_span!("error_field_span", error = "timeout").in_scope(|| {});
    tracing::info_span!("error_false_span", error = false).in_scope(|| {});
    let io = std::io::Error::other("disk full");
    let recorded = tracing::info_span!("error_value_span", cause = tracing::field::Empty);
    recorded.record("cause", &io as &dyn std::error::Error);
    drop(recorded);
    assert_eq!(span_named("error_event_span").status(), SpanStatus::Error);
    assert_eq!(span_named("error_inner_ok").status(), SpanStatus::Unset);
    assert_eq!(span_named("error_field_span").status(), SpanStatus::Error);
    assert_eq!(span_named("error_false_span").status(), SpanStatus::Unset);
    let value_span = span_named("error_value_span");
    assert_eq!(value_span.status(), SpanStatus::Error);
    assert_eq!(value_span.attributes()["cause"], "disk full");
}

#[test]
fn an_entered_span_is_observas_current_context() {
    installed();
    assert_eq!(current(), None);
    let outer = tracing::info_span!("current_outer");
    let inner = tracing::info_span!(parent: &outer, "current_inner");
    let (outer_ctx, inner_ctx) = {
        let _outer = outer.enter();
        let outer_ctx = current().expect("entered");
        let _inner = inner.enter();
        let inner_ctx = current().expect("entered");
        (outer_ctx, inner_ctx)
    };
    assert_eq!(current(), None, "leaving restores the context before");
    drop((inner, outer));
    let (outer, inner) = (span_named("current_outer"), span_named("current_inner"));
    assert_eq!(
        (outer_ctx.trace_id(), outer_ctx.span_id()),
        (outer.trace_id(), outer.span_id())
    );
    assert_eq!(
        (inner_ctx.trace_id(), inner_ctx.span_id()),
        (inner.trace_id(), inner.span_id())
    );
    assert!(inner_ctx.is_sampled());
}

#[test]
fn a_root_span_joins_the_current_context_and_unsampled_records_nothing() {
    installed();
    let remote = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    {
        let _guard = enter(remote);
        tracing::info_span!("joined_root").in_scope(|| {});
    }
    let joined = span_named("joined_root");
    assert_eq!(
        (joined.trace_id(), joined.parent_span_id()),
        (remote.trace_id(), Some(remote.span_id()))
    );

    let unsampled = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::NONE);
    let inside = {
        let _guard = enter(unsampled);
        tracing::info_span!("unsampled_root").in_scope(|| {
            tracing::info!("in an unsampled trace");
            current().unwrap()
        })
    };
    assert_eq!(inside.trace_id(), unsampled.trace_id());
    assert_ne!(inside.span_id(), unsampled.span_id(), "a span of its own");
    assert!(!inside.is_sampled());
    assert!(obs().tracing().by_operation("unsampled_root").unwrap().is_empty());
    let logged = obs().logs().for_trace(unsampled.trace_id()).unwrap();
    assert_eq!(
        logged[0].span_id(),
        Some(inside.span_id()),
        "logs still carry the ids"
    );
}

#[test]
fn a_span_moved_across_threads_is_current_where_it_is_entered() {
    installed();
    let span = tracing::info_span!("thread_span");
    let seen = std::thread::scope(|s| {
        s.spawn(|| {
            let _entered = span.enter();
            tracing::info!("from a worker");
            current().unwrap()
        })
        .join()
        .unwrap()
    });
    assert_eq!(current(), None);
    drop(span);
    let stored = span_named("thread_span");
    assert_eq!(seen.span_id(), stored.span_id());
    assert_eq!(installed().1.dropped(), 0);
}

#[test]
fn an_event_without_a_message_keeps_its_name_as_the_body() {
    installed();
    let trace_id = tracing::info_span!("nameless_span").in_scope(|| {
        tracing::info!(count = 3);
        current().unwrap().trace_id()
    });
    let entries = obs().logs().for_trace(trace_id).unwrap();
    assert!(
        entries[0].message().starts_with("event "),
        "{}",
        entries[0].message()
    );
    assert!(entries[0].message().contains(file!()));
    assert_eq!(entries[0].fields()["count"], 3);
}

#[test]
fn an_event_with_no_parent_carries_no_ids() {
    installed();
    let remote = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    let _guard = enter(remote);
    tracing::info_span!("rootless_span").in_scope(|| {
        tracing::info!(parent: None, "rootless event");
        tracing::info!("contextual event");
    });
    let entries = obs().logs().recent(1_000).unwrap();
    let rootless = entries.iter().find(|e| e.message() == "rootless event").unwrap();
    assert_eq!(rootless.trace_id(), None);
    let contextual = entries
        .iter()
        .find(|e| e.message() == "contextual event")
        .unwrap();
    assert_eq!(contextual.trace_id(), Some(remote.trace_id()));
}

#[test]
fn a_root_span_asks_the_containers_sampler() {
    let obs = Observability::builder()
        .service("never-sampled", "1")
        .sampler(observa::sampling::Sampler::always_off())
        .build()
        .unwrap();
    let subscriber = tracing_subscriber::registry().with(ObservaLayer::new(&obs));
    tracing::subscriber::with_default(subscriber, || {
        let root = tracing::info_span!("unsampled_root");
        let _entered = root.enter();
        let context = current().expect("the root span is current");
        assert!(!context.is_sampled(), "the sampler said no: {context:?}");
        assert!(context.flags().to_byte() & 0x02 != 0, "a new trace id is random");
        tracing::info_span!("unsampled_child").in_scope(|| ());
    });
    let tracing = obs.tracing();
    assert!(tracing.by_operation("unsampled_root").unwrap().is_empty());
    assert!(tracing.by_operation("unsampled_child").unwrap().is_empty());
}
