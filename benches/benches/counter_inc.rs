//! `counter_inc`: one increment through an already-resolved counter handle.
//!
//! - `observa`: `observa::metrics::Counter::inc` (one relaxed `fetch_add`).
//! - `prometheus_client`: `prometheus_client::metrics::counter::Counter::inc`.
//! - `prometheus`: `prometheus::IntCounter::inc`.
//! - `metrics`: a `metrics::Counter` handle from
//!   `metrics_exporter_prometheus::PrometheusBuilder::build_recorder()`, the
//!   recorder `metrics` users deploy; its handle is an `Arc` around an atomic
//!   (with a generation counter, see `GenerationalAtomicStorage`).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics_exporter_prometheus::PrometheusBuilder;
use observa::Observability;

fn counter_inc(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc");

    let obs = Observability::builder().service("bench", "1").build().unwrap();
    let counter = obs
        .metrics()
        .counter("orders_total", &[("region", "eu")])
        .unwrap();
    group.bench_function("observa", |b| b.iter(|| black_box(&counter).inc()));

    let counter = prometheus_client::metrics::counter::Counter::<u64>::default();
    group.bench_function("prometheus_client", |b| b.iter(|| black_box(&counter).inc()));

    let counter = prometheus::IntCounter::new("orders_total", "Orders.").unwrap();
    group.bench_function("prometheus", |b| b.iter(|| black_box(&counter).inc()));

    let recorder = PrometheusBuilder::new().build_recorder();
    let counter =
        metrics::with_local_recorder(&recorder, || metrics::counter!("orders_total", "region" => "eu"));
    group.bench_function("metrics", |b| b.iter(|| black_box(&counter).increment(1)));

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = counter_inc
}
criterion_main!(benches);
