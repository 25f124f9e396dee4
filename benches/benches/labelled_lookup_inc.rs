//! `labelled_lookup_inc`: find the series of a 2-label counter family by its
//! label values (`method="GET"`, `code="200"`, already created), then add one.
//!
//! - `observa/family`: `Family::with_label_values(&["GET", "200"])?.inc()`.
//! - `observa/convenience`: `obs.metrics().counter(name, &[..])?.inc()`, which
//!   also sorts the labels and looks the family up by name (a slower line).
//! - `prometheus`: `IntCounterVec::with_label_values(&["GET", "200"]).inc()`.
//! - `prometheus_client/*`: `Family::get_or_create(&labels).inc()` with the
//!   label set as `Vec<(String, String)>` (the documented idiom) prebuilt once
//!   (`vec_prebuilt`) or built for each call (`vec_built_per_call`), as a
//!   `[(&str, &str); 2]` array (`array_str`, derive-free and allocation-free),
//!   and as a `#[derive(EncodeLabelSet)]` struct with an enum and a `u16`
//!   (`derive_struct`).
//! - `metrics`: `counter!("...", "method" => "GET", "code" => "200").increment(1)`
//!   against the global recorder, a `metrics_exporter_prometheus` recorder.
//!   With literal name and labels the macro builds the key (and its hash) at
//!   compile time, so only the registry lookup is left at run time.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics_exporter_prometheus::PrometheusBuilder;
use observa::metrics::FamilySpec;
use observa::Observability;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter as PcCounter;
use prometheus_client::metrics::family::Family as PcFamily;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: Method,
    code: u16,
}

fn labelled_lookup_inc(c: &mut Criterion) {
    let mut group = c.benchmark_group("labelled_lookup_inc");

    // observa
    let obs = Observability::builder().service("bench", "1").build().unwrap();
    let family = obs
        .metrics()
        .counter_family(
            FamilySpec::new("http_requests_total")
                .help("HTTP requests.")
                .labels(&["method", "code"]),
        )
        .unwrap();
    family.with_label_values(&["POST", "500"]).unwrap().inc();
    family.with_label_values(&["GET", "200"]).unwrap().inc();
    group.bench_function("observa/family", |b| {
        b.iter(|| {
            family
                .with_label_values(black_box(&["GET", "200"]))
                .unwrap()
                .inc()
        })
    });
    let metrics = obs.metrics();
    metrics
        .counter("http_served_total", &[("method", "GET"), ("code", "200")])
        .unwrap()
        .inc();
    group.bench_function("observa/convenience", |b| {
        b.iter(|| {
            metrics
                .counter(
                    black_box("http_served_total"),
                    black_box(&[("method", "GET"), ("code", "200")]),
                )
                .unwrap()
                .inc()
        })
    });

    // prometheus (tikv)
    let vec = prometheus::IntCounterVec::new(
        prometheus::Opts::new("http_requests_total", "HTTP requests."),
        &["method", "code"],
    )
    .unwrap();
    vec.with_label_values(&["POST", "500"]).inc();
    vec.with_label_values(&["GET", "200"]).inc();
    group.bench_function("prometheus", |b| {
        b.iter(|| vec.with_label_values(black_box(&["GET", "200"])).inc())
    });

    // prometheus-client
    let owned = |m: &str, c: &str| {
        vec![
            ("method".to_owned(), m.to_owned()),
            ("code".to_owned(), c.to_owned()),
        ]
    };
    let family = PcFamily::<Vec<(String, String)>, PcCounter>::default();
    family.get_or_create(&owned("POST", "500")).inc();
    let labels = owned("GET", "200");
    family.get_or_create(&labels).inc();
    group.bench_function("prometheus_client/vec_prebuilt", |b| {
        b.iter(|| family.get_or_create(black_box(&labels)).inc())
    });
    group.bench_function("prometheus_client/vec_built_per_call", |b| {
        b.iter(|| {
            family
                .get_or_create(&owned(black_box("GET"), black_box("200")))
                .inc()
        })
    });
    let family = PcFamily::<[(&'static str, &'static str); 2], PcCounter>::default();
    family.get_or_create(&[("method", "POST"), ("code", "500")]).inc();
    family.get_or_create(&[("method", "GET"), ("code", "200")]).inc();
    group.bench_function("prometheus_client/array_str", |b| {
        b.iter(|| {
            family
                .get_or_create(black_box(&[("method", "GET"), ("code", "200")]))
                .inc()
        })
    });
    let family = PcFamily::<RequestLabels, PcCounter>::default();
    family
        .get_or_create(&RequestLabels {
            method: Method::Post,
            code: 500,
        })
        .inc();
    group.bench_function("prometheus_client/derive_struct", |b| {
        b.iter(|| {
            family
                .get_or_create(black_box(&RequestLabels {
                    method: Method::Get,
                    code: 200,
                }))
                .inc()
        })
    });

    // metrics, through the global recorder
    let recorder = PrometheusBuilder::new().build_recorder();
    metrics::set_global_recorder(recorder).unwrap();
    metrics::counter!("http_requests_total", "method" => "POST", "code" => "500").increment(1);
    group.bench_function("metrics", |b| {
        b.iter(|| metrics::counter!("http_requests_total", "method" => "GET", "code" => "200").increment(1))
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = labelled_lookup_inc
}
criterion_main!(benches);
