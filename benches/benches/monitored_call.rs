//! `monitored_call`: one call of a trivial `#[inline(never)] fn add(a, b)`
//! through each way of recording it as a function call (count + duration).
//!
//! - `bare`: the function alone.
//! - `observa/monitor_run`: `obs.monitor("add")` resolved once, then
//!   `monitor.run(|| add(a, b))`: clock pair (quanta raw), in-flight gauge up
//!   and down, `function_calls_total{result="ok"}` and the duration histogram.
//! - `observa/monitored_macro`: a `monitored!` fn calling `add`, with a global
//!   container installed (`observa::install_global`).
//! - `observa/monitored_macro_no_global`: the same fn before any global is
//!   installed: calls run unmeasured (the "nothing observes" mode).
//! - `autometrics`: `#[autometrics]` fn calling `add`, prometheus-client 0.22
//!   backend (autometrics 3.0), release build, no concurrency tracking.
//! - `handwritten/pc_instant`: prometheus-client `Counter` + `std::time::Instant`
//!   pair + `Histogram` with the same default bounds.
//! - `handwritten/pc_instant_gauge`: the same plus an in-flight
//!   prometheus-client `Gauge` inc/dec, i.e. the same work observa does.
//! - `handwritten/pc_quanta`: like `pc_instant`, timed with a `quanta::Clock`
//!   raw pair (observa's clock).
//! - `handwritten/pc_quanta_gauge`: `pc_quanta` plus the in-flight gauge: the
//!   same work as `observa/monitor_run`, written by hand.

mod common;

use std::hint::black_box;
use std::time::Instant;

use autometrics::autometrics;
use criterion::{criterion_group, Criterion};
use observa::metrics::DEFAULT_BUCKETS;
use observa::Observability;
use prometheus_client::metrics::counter::Counter as PcCounter;
use prometheus_client::metrics::gauge::Gauge as PcGauge;
use prometheus_client::metrics::histogram::Histogram as PcHistogram;

#[inline(never)]
fn add(a: u64, b: u64) -> u64 {
    a + b
}

observa::monitored! {
    fn add_monitored(a: u64, b: u64) -> u64 {
        add(a, b)
    }
}

#[autometrics]
fn add_autometrics(a: u64, b: u64) -> u64 {
    add(a, b)
}

fn monitored_call(c: &mut Criterion) {
    let mut group = c.benchmark_group("monitored_call");

    group.bench_function("bare", |b| b.iter(|| add(black_box(1), black_box(2))));

    // before install_global: the macro's call runs unmeasured
    group.bench_function("observa/monitored_macro_no_global", |b| {
        b.iter(|| add_monitored(black_box(1), black_box(2)))
    });

    let obs = Observability::builder().service("bench", "1").build().unwrap();
    observa::install_global(obs.clone()).unwrap();

    let monitor = obs.monitor("add");
    group.bench_function("observa/monitor_run", |b| {
        b.iter(|| monitor.run(|| add(black_box(1), black_box(2))))
    });

    group.bench_function("observa/monitored_macro", |b| {
        b.iter(|| add_monitored(black_box(1), black_box(2)))
    });

    group.bench_function("autometrics", |b| {
        b.iter(|| add_autometrics(black_box(1), black_box(2)))
    });

    let calls = PcCounter::<u64>::default();
    let duration = PcHistogram::new(DEFAULT_BUCKETS);
    let in_flight = PcGauge::<i64>::default();
    group.bench_function("handwritten/pc_instant", |b| {
        b.iter(|| {
            let start = Instant::now();
            let out = add(black_box(1), black_box(2));
            duration.observe(start.elapsed().as_secs_f64());
            calls.inc();
            out
        })
    });
    group.bench_function("handwritten/pc_instant_gauge", |b| {
        b.iter(|| {
            in_flight.inc();
            let start = Instant::now();
            let out = add(black_box(1), black_box(2));
            duration.observe(start.elapsed().as_secs_f64());
            in_flight.dec();
            calls.inc();
            out
        })
    });
    let clock = quanta::Clock::new();
    group.bench_function("handwritten/pc_quanta", |b| {
        b.iter(|| {
            let start = clock.raw();
            let out = add(black_box(1), black_box(2));
            let end = clock.raw();
            duration.observe(clock.delta_as_nanos(start, end) as f64 * 1e-9);
            calls.inc();
            out
        })
    });

    group.bench_function("handwritten/pc_quanta_gauge", |b| {
        b.iter(|| {
            in_flight.inc();
            let start = clock.raw();
            let out = add(black_box(1), black_box(2));
            let end = clock.raw();
            duration.observe(clock.delta_as_nanos(start, end) as f64 * 1e-9);
            in_flight.dec();
            calls.inc();
            out
        })
    });

    group.finish();

    // the calls were recorded where expected
    let text = obs.render(observa::metrics::Format::Prometheus).unwrap();
    assert!(text.contains(r#"function_calls_total{function="add",module="",result="ok"}"#));
    assert!(text.contains(r#"function="add_monitored""#));
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = monitored_call
}
/// `OBSERVA_PROBE=<what>:<n>` makes `n` calls of one kind and exits, for
/// counting instructions with `valgrind --tool=callgrind` (subtract a run
/// with `n` = 0): `run` (`monitor.run`), `macro` (`monitored!` with a
/// global installed), `bare` (the function alone). No span is current.
fn probe(what: &str, n: u64) {
    let obs = Observability::builder().service("bench", "1").build().unwrap();
    observa::install_global(obs.clone()).unwrap();
    let monitor = obs.monitor("add");
    let call: &dyn Fn() -> u64 = match what {
        "run" => &|| monitor.run(|| add(black_box(1), black_box(2))),
        "macro" => &|| add_monitored(black_box(1), black_box(2)),
        _ => &|| add(black_box(1), black_box(2)),
    };
    for _ in 0..n {
        black_box(call());
    }
}

fn main() {
    common::probe_or_bench(probe, benches);
}
