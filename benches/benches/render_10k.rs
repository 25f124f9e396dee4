//! `render_10k`: text exposition of 10,000 counter series: 100 families
//! (`fam_000_total` … `fam_099_total`, each with HELP) × 100 values of one
//! label (`key="value_00"` …), each counter at 1 … 7.
//!
//! - `observa/prometheus`, `observa/openmetrics`: `obs.render(Format::…)`.
//!   observa also renders its self-metrics (an `observa_series_refused_total`
//!   series per family, at 0, and `observa_dropped_total`), so its output has
//!   ~1 % more series than the peers'.
//! - `prometheus_client`: `encoding::text::encode` (OpenMetrics) of a registry
//!   of `Family<Vec<(String, String)>, Counter>`, into a fresh `String`.
//! - `prometheus`: `TextEncoder::encode_to_string(&registry.gather())` of a
//!   registry of `IntCounterVec` (gathering is part of rendering there).
//! - `metrics`: `PrometheusHandle::render()` of a `metrics_exporter_prometheus`
//!   recorder holding the same counters.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics_exporter_prometheus::PrometheusBuilder;
use observa::metrics::{FamilySpec, Format};
use observa::Observability;
use prometheus_client::metrics::counter::Counter as PcCounter;
use prometheus_client::metrics::family::Family as PcFamily;

const FAMILIES: usize = 100;
const VALUES: usize = 100;

fn value_of(f: usize, v: usize) -> u64 {
    ((f + v) % 7 + 1) as u64
}

fn sample_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count()
}

fn render_10k(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_10k");

    // observa
    let obs = Observability::builder().service("bench", "1").build().unwrap();
    for f in 0..FAMILIES {
        let family = obs
            .metrics()
            .counter_family(
                FamilySpec::new(format!("fam_{f:03}_total"))
                    .help(format!("Family {f}."))
                    .labels(&["key"]),
            )
            .unwrap();
        for v in 0..VALUES {
            let counter = family.with_label_values(&[format!("value_{v:02}")]).unwrap();
            for _ in 0..value_of(f, v) {
                counter.inc();
            }
        }
    }

    // prometheus-client
    let mut pc_registry = prometheus_client::registry::Registry::default();
    for f in 0..FAMILIES {
        let family = PcFamily::<Vec<(String, String)>, PcCounter>::default();
        for v in 0..VALUES {
            family
                .get_or_create(&vec![("key".to_owned(), format!("value_{v:02}"))])
                .inc_by(value_of(f, v));
        }
        pc_registry.register(format!("fam_{f:03}"), format!("Family {f}."), family);
    }

    // prometheus (tikv)
    let prom_registry = prometheus::Registry::new();
    for f in 0..FAMILIES {
        let vec = prometheus::IntCounterVec::new(
            prometheus::Opts::new(format!("fam_{f:03}_total"), format!("Family {f}.")),
            &["key"],
        )
        .unwrap();
        for v in 0..VALUES {
            vec.with_label_values(&[format!("value_{v:02}")])
                .inc_by(value_of(f, v));
        }
        prom_registry.register(Box::new(vec)).unwrap();
    }
    let prom_render = || {
        prometheus::TextEncoder::new()
            .encode_to_string(&prom_registry.gather())
            .unwrap()
    };

    // metrics
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        for f in 0..FAMILIES {
            let name = format!("fam_{f:03}_total");
            metrics::describe_counter!(name.clone(), format!("Family {f}."));
            for v in 0..VALUES {
                metrics::counter!(name.clone(), "key" => format!("value_{v:02}")).increment(value_of(f, v));
            }
        }
    });

    // the outputs hold what they should
    let outputs = [
        ("observa/prometheus", obs.render(Format::Prometheus).unwrap()),
        ("observa/openmetrics", obs.render(Format::OpenMetrics).unwrap()),
        ("prometheus_client", {
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &pc_registry).unwrap();
            out
        }),
        ("prometheus", prom_render()),
        ("metrics", handle.render()),
    ];
    for (name, text) in &outputs {
        let lines = sample_lines(text);
        eprintln!("render_10k/{name}: {lines} samples, {} bytes", text.len());
        assert!(lines >= FAMILIES * VALUES, "{name}: {lines} samples");
        assert!(text.contains("fam_042_total{key=\"value_17\"} 4"), "{name}");
    }

    group.bench_function("observa/prometheus", |b| {
        b.iter(|| obs.render(Format::Prometheus).unwrap())
    });
    group.bench_function("observa/openmetrics", |b| {
        b.iter(|| obs.render(Format::OpenMetrics).unwrap())
    });
    group.bench_function("prometheus_client", |b| {
        b.iter(|| {
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &pc_registry).unwrap();
            out
        })
    });
    group.bench_function("prometheus", |b| b.iter(prom_render));
    group.bench_function("metrics", |b| b.iter(|| handle.render()));

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = render_10k
}
criterion_main!(benches);
