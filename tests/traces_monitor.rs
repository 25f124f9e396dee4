//! Monitored calls record a child span only under a current sampled span.

use observa::sampling::Sampler;
use observa::traces::{current, Instrument};
use observa::{Observability, SpanStatus};

fn obs(sampler: Sampler) -> Observability {
    Observability::builder()
        .service("shop", "1")
        .sampler(sampler)
        .build()
        .unwrap()
}

#[test]
fn no_span_is_recorded_without_a_current_span() {
    let obs = obs(Sampler::default());
    let monitor = obs.monitor("charge_card");
    assert_eq!(monitor.run(current), None);
    let _ = monitor.run_result(|| Err::<(), _>("declined"));
    assert!(obs.tracing().by_operation("charge_card").unwrap().is_empty());
}

#[test]
fn no_span_is_recorded_under_an_unsampled_span() {
    let obs = obs(Sampler::parent_based(Sampler::always_off()));
    let root = obs.tracing().span("checkout");
    let _entered = root.enter();
    obs.monitor("charge_card").run(|| ());
    assert!(obs.tracing().by_operation("charge_card").unwrap().is_empty());
}

#[test]
fn an_unsampled_current_context_records_no_call_span_whatever_the_sampler() {
    // always_on would sample a child of an unsampled parent: the monitor
    // only asks for a span when the current context is sampled
    let obs = obs(Sampler::always_on());
    let parent: observa::propagation::TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        .parse()
        .unwrap();
    let _entered = observa::traces::enter(observa::traces::SpanContext::from_traceparent(&parent));
    obs.monitor("charge_card").run(|| ());
    assert!(obs.tracing().by_operation("charge_card").unwrap().is_empty());
}

#[test]
fn calls_under_a_sampled_span_are_child_spans_with_their_status() {
    let obs = obs(Sampler::default());
    let root = obs.tracing().span("checkout");
    let trace_id = root.context().trace_id();
    {
        let _entered = root.enter();
        let charge = obs.monitor("charge_card");
        let inner = charge.run(|| {
            // the call's span is current inside the call
            let inside = current().unwrap();
            assert_ne!(inside, root.context());
            obs.monitor("tokenize").run(|| ());
            inside
        });
        assert_eq!(current(), Some(root.context()));
        let _ = obs.monitor("reserve").run_result(|| Err::<(), _>("out of stock"));
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            obs.monitor("explode").run(|| panic!("boom"))
        }));
        assert!(panicked.is_err());
        let spans = obs.tracing().spans(trace_id).unwrap();
        let tokenize = spans.iter().find(|s| s.operation() == "tokenize").unwrap();
        assert_eq!(tokenize.parent_span_id(), Some(inner.span_id()));
    }
    drop(root);
    let tree = obs.tracing().trace_tree(trace_id).unwrap();
    let children: Vec<_> = tree[0]
        .children
        .iter()
        .map(|c| (c.span.operation(), c.span.status()))
        .collect();
    assert_eq!(
        children,
        [
            ("charge_card", SpanStatus::Ok),
            ("reserve", SpanStatus::Error),
            ("explode", SpanStatus::Error)
        ]
    );
    assert_eq!(tree[0].children[0].children[0].span.operation(), "tokenize");
}

#[test]
fn monitored_futures_record_their_span_across_polls_and_cancellation() {
    let obs = obs(Sampler::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let root = obs.tracing().span("request");
    let trace_id = root.context().trace_id();
    let monitor = obs.monitor("load_user");
    let slow = obs.monitor("slow_query");
    let tracing = obs.tracing().clone();
    runtime.block_on(
        async move {
            let loaded = monitor
                .run_future_result(async {
                    tokio::task::yield_now().await;
                    tracing.in_span("decode", || ());
                    Err::<(), _>("not found")
                })
                .await;
            assert!(loaded.is_err());
            let never = slow.run_future(tokio::time::sleep(std::time::Duration::from_secs(60)));
            let _ = tokio::time::timeout(std::time::Duration::from_millis(5), never).await;
        }
        .in_span(root),
    );
    let tree = obs.tracing().trace_tree(trace_id).unwrap();
    let load = &tree[0].children[0];
    assert_eq!(
        (load.span.operation(), load.span.status()),
        ("load_user", SpanStatus::Error)
    );
    assert_eq!(load.children[0].span.operation(), "decode");
    let slow = &tree[0].children[1];
    assert_eq!(
        (slow.span.operation(), slow.span.status()),
        ("slow_query", SpanStatus::Unset)
    );
    assert_eq!(slow.span.events()[0].name(), "cancelled");
}

observa::monitored! {
    fn price(quantity: u32) -> Result<u32, String> {
        observa::traces::current().ok_or("no current span")?;
        if quantity == 0 { Err("empty".to_owned()) } else { Ok(quantity * 3) }
    }
}

observa::monitored! {
    async fn fetch_stock(item: u32) -> u32 {
        tokio::task::yield_now().await;
        price(item).unwrap_or(0)
    }
}

#[test]
fn the_macro_records_child_spans_under_a_sampled_span() {
    let obs = obs(Sampler::default());
    observa::install_global(obs.clone()).unwrap();
    assert_eq!(
        price(2),
        Err("no current span".to_owned()),
        "no span: none recorded"
    );
    assert!(obs.tracing().by_operation("price").unwrap().is_empty());

    let root = obs.tracing().span("order");
    let trace_id = root.context().trace_id();
    {
        let _entered = root.enter();
        assert_eq!(price(2), Ok(6));
        assert!(price(0).is_err());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(
        runtime.block_on(
            fetch_stock(1).in_span(
                obs.tracing()
                    .span_builder("stock")
                    .parent(root.context())
                    .start()
                    .unwrap()
            )
        ),
        3
    );
    drop(root);
    let tree = obs.tracing().trace_tree(trace_id).unwrap();
    let children: Vec<_> = tree[0]
        .children
        .iter()
        .map(|c| (c.span.operation(), c.span.status()))
        .collect();
    assert_eq!(
        children,
        [
            ("price", SpanStatus::Ok),
            ("price", SpanStatus::Error),
            ("stock", SpanStatus::Ok)
        ]
    );
    let stock = &tree[0].children[2];
    assert_eq!(stock.children[0].span.operation(), "fetch_stock");
    assert_eq!(stock.children[0].children[0].span.operation(), "price");
}
