//! `contended_2_threads`: two threads update the same counter and the same
//! histogram (default bounds) at once. One iteration is one `inc` plus one
//! `observe(0.1)` on each thread; the time reported is wall time per
//! iteration, measured from a barrier both threads pass to the later of their
//! finishes (thread start-up is not timed).
//!
//! - `observa`: `Counter::inc` + `Histogram::observe`.
//! - `prometheus_client`: `Counter::inc` + `Histogram::observe`.
//! - `prometheus`: `IntCounter::inc` + `Histogram::observe`.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use observa::metrics::{Buckets, DEFAULT_BUCKETS};
use observa::Observability;

fn contended_2_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("contended_2_threads");

    let obs = Observability::builder().service("bench", "1").build().unwrap();
    let counter = obs.metrics().counter("orders_total", &[]).unwrap();
    let histogram = obs
        .metrics()
        .histogram("latency_seconds", &[], Buckets::default())
        .unwrap();
    group.bench_function("observa", |b| {
        b.iter_custom(|iters| {
            common::run_contended(iters, &|| {
                counter.inc();
                histogram.observe(black_box(0.1));
            })
        })
    });

    let counter = prometheus_client::metrics::counter::Counter::<u64>::default();
    let histogram = prometheus_client::metrics::histogram::Histogram::new(DEFAULT_BUCKETS);
    group.bench_function("prometheus_client", |b| {
        b.iter_custom(|iters| {
            common::run_contended(iters, &|| {
                counter.inc();
                histogram.observe(black_box(0.1));
            })
        })
    });

    let counter = prometheus::IntCounter::new("orders_total", "Orders.").unwrap();
    let histogram = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("latency_seconds", "Latency.").buckets(DEFAULT_BUCKETS.to_vec()),
    )
    .unwrap();
    group.bench_function("prometheus", |b| {
        b.iter_custom(|iters| {
            common::run_contended(iters, &|| {
                counter.inc();
                histogram.observe(black_box(0.1));
            })
        })
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = contended_2_threads
}
criterion_main!(benches);
