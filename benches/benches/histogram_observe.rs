//! `histogram_observe`: one observation into an already-resolved histogram
//! with the default bounds (0.005 … 10 s, 14 finite bounds; the OpenTelemetry
//! and autometrics defaults).
//!
//! Two inputs: `fixed` observes 0.1 every time (bucket 6 of 15), `spread`
//! cycles through 1,024 values spread log-uniformly over 0.1 ms … 20 s, so
//! the bucket search cannot be learnt by the branch predictor.
//!
//! - `observa`: `observa::metrics::Histogram::observe` (linear bucket search,
//!   one `fetch_add`, one compare-and-swap for the sum).
//! - `prometheus_client`: `Histogram::observe` (a mutex around the buckets).
//! - `prometheus`: `prometheus::Histogram::observe` (hot/cold shards).
//! - `metrics`: `metrics::Histogram::record` on a handle from
//!   `metrics_exporter_prometheus`, configured with the same bounds. It keeps
//!   bucketing for later: a record appends the raw value to a lock-free
//!   block list that the exporter drains into buckets at upkeep or render. To
//!   keep memory bounded, the run is split in chunks of 2^20 records and the
//!   exporter's upkeep (the drain) runs between chunks, outside the timing.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use observa::metrics::{Buckets, DEFAULT_BUCKETS};
use observa::Observability;

const SPREAD: usize = 1024;

fn spread_values() -> Vec<f64> {
    let (low, high): (f64, f64) = (1e-4, 20.0);
    // a fixed multiplicative walk, so every run sees the same sequence
    (0..SPREAD)
        .map(|i| {
            let u = ((i * 617) % SPREAD) as f64 / SPREAD as f64;
            low * (high / low).powf(u)
        })
        .collect()
}

fn bench_both(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    values: &[f64],
    observe: impl Fn(f64),
) {
    group.bench_function(format!("{name}/fixed"), |b| b.iter(|| observe(black_box(0.1))));
    group.bench_function(format!("{name}/spread"), |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = i.wrapping_add(1);
            observe(black_box(values[i % SPREAD]))
        })
    });
}

/// Records `iters` values in chunks, draining the recorder between chunks
/// (untimed); returns the time spent recording.
fn record_chunked(
    histogram: &metrics::Histogram,
    handle: &PrometheusHandle,
    iters: u64,
    value: impl Fn(u64) -> f64,
) -> Duration {
    const CHUNK: u64 = 1 << 20;
    let mut elapsed = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = CHUNK.min(iters - done);
        let start = Instant::now();
        for i in done..done + n {
            histogram.record(black_box(value(i)));
        }
        elapsed += start.elapsed();
        done += n;
        handle.run_upkeep();
    }
    elapsed
}

fn histogram_observe(c: &mut Criterion) {
    let values = spread_values();
    let mut group = c.benchmark_group("histogram_observe");

    let obs = Observability::builder().service("bench", "1").build().unwrap();
    let histogram = obs
        .metrics()
        .histogram("latency_seconds", &[], Buckets::default())
        .unwrap();
    bench_both(&mut group, "observa", &values, |v| histogram.observe(v));

    let histogram = prometheus_client::metrics::histogram::Histogram::new(DEFAULT_BUCKETS);
    bench_both(&mut group, "prometheus_client", &values, |v| histogram.observe(v));

    let histogram = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("latency_seconds", "Latency.").buckets(DEFAULT_BUCKETS.to_vec()),
    )
    .unwrap();
    bench_both(&mut group, "prometheus", &values, |v| histogram.observe(v));

    let recorder = PrometheusBuilder::new()
        .set_buckets(&DEFAULT_BUCKETS)
        .unwrap()
        .build_recorder();
    let handle = recorder.handle();
    let histogram = metrics::with_local_recorder(&recorder, || metrics::histogram!("latency_seconds"));
    group.bench_function("metrics/fixed", |b| {
        b.iter_custom(|iters| record_chunked(&histogram, &handle, iters, |_| 0.1))
    });
    group.bench_function("metrics/spread", |b| {
        b.iter_custom(|iters| record_chunked(&histogram, &handle, iters, |i| values[i as usize % SPREAD]))
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = histogram_observe
}
criterion_main!(benches);
