//! `gauge_inc_dec`: one `inc` then one `dec` on an already-resolved gauge
//! (what a monitored call does to its in-flight gauge), on one thread and on
//! two threads sharing the gauge (wall time per iteration, see
//! `contended_2_threads`).
//!
//! - `observa`: `observa::metrics::Gauge` (one `f64` word, CAS loop, linearizable with `set`).
//! - `prometheus_client_i64`: `Gauge<i64>` (`fetch_add`), `prometheus_client_f64`: `Gauge<f64>` (CAS).
//! - `prometheus_int`: `prometheus::IntGauge` (`fetch_add`), `prometheus_f64`: `prometheus::Gauge` (CAS).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use observa::Observability;
use prometheus_client::metrics::gauge::Gauge as ClientGauge;

fn gauge_inc_dec(c: &mut Criterion) {
    let obs = Observability::builder().service("bench", "1").build().unwrap();
    let observa = obs.metrics().gauge("in_flight", &[]).unwrap();
    let client_i64 = ClientGauge::<i64>::default();
    let client_f64 = ClientGauge::<f64, std::sync::atomic::AtomicU64>::default();
    let prom_int = prometheus::IntGauge::new("in_flight", "In flight.").unwrap();
    let prom_f64 = prometheus::Gauge::new("in_flight", "In flight.").unwrap();
    let ops: [(&str, &(dyn Fn() + Sync)); 5] = [
        ("observa", &|| {
            black_box(&observa).inc();
            black_box(&observa).dec();
        }),
        ("prometheus_client_i64", &|| {
            black_box(&client_i64).inc();
            black_box(&client_i64).dec();
        }),
        ("prometheus_client_f64", &|| {
            black_box(&client_f64).inc();
            black_box(&client_f64).dec();
        }),
        ("prometheus_int", &|| {
            black_box(&prom_int).inc();
            black_box(&prom_int).dec();
        }),
        ("prometheus_f64", &|| {
            black_box(&prom_f64).inc();
            black_box(&prom_f64).dec();
        }),
    ];
    let mut group = c.benchmark_group("gauge_inc_dec");
    for (name, op) in ops {
        group.bench_function(name, |b| b.iter(op));
    }
    group.finish();
    let mut group = c.benchmark_group("gauge_inc_dec_2_threads");
    for (name, op) in ops {
        group.bench_function(name, |b| b.iter_custom(|iters| common::run_contended(iters, &op)));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = gauge_inc_dec
}
criterion_main!(benches);
