//! `span`: one child span started and finished under a current, sampled
//! root span, including handing it to where finished spans go; and an
//! unsampled span against doing nothing.
//!
//! - `sampled_child/observa/span_drop`: `drop(obs.tracing().span("child"))`
//!   under an entered root: sampling decision, ids, clock instants, the raw
//!   record queued for the writer thread, which builds the validated `Span`
//!   entity and saves it into the in-memory span repository (default
//!   capacity 10,000, so the steady state evicts one span per span).
//!   Since spans are queued as raw records and turned into entities on a
//!   writer thread, this is the caller's cost.
//! - `sampled_child/observa/span_drop_drained`: the same, plus draining
//!   the queue on the caller's thread every 1,000 spans (building the
//!   entity, redaction, repository save): the whole cost, like fastrace's
//!   `with_drain`.
//! - `sampled_child/observa/in_span`: `obs.tracing().in_span("child", || ())`
//!   (the child is also made current while the closure runs).
//! - `sampled_child/fastrace/local_span`: `LocalSpan::enter_with_local_parent`
//!   under a root `Span` with a local parent, 1,000 children per root; the
//!   root is dropped (its batch submitted) but the collector is not drained
//!   in the timed region.
//! - `sampled_child/fastrace/with_drain`: the same, plus `fastrace::flush()`
//!   at the end of each sample, so the time includes the collector draining
//!   every batch to a reporter that counts spans.
//! - `sampled_child/tracing/registry`: `drop(info_span!("child"))` under an
//!   entered root with `tracing_subscriber::registry()` as the subscriber
//!   (span data stored in its slab, no layer, nothing exported).
//! - `sampled_child/opentelemetry_sdk`: `drop(tracer.start("child"))` under
//!   an attached root context, `SdkTracerProvider` (AlwaysOn) with a span
//!   processor that counts ended spans (`SpanData` built and handed over).
//! - `unsampled/nothing`: an empty iteration.
//! - `unsampled/observa/span_drop`: `drop(obs.tracing().span("child"))` under
//!   an entered unsampled root (`Sampler::parent_based(always_off)`).
//! - `unsampled/observa/in_span`: `in_span("child", || ())` under it.

mod common;

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use observa::sampling::Sampler;
use observa::Observability;

/// Children per fastrace root: its batches are bounded per root.
const CHILDREN_PER_ROOT: u64 = 1_000;

fn observa_with(sampler: Sampler) -> Observability {
    Observability::builder()
        .service("bench", "1")
        .sampler(sampler)
        .build()
        .unwrap()
}

#[derive(Clone, Default)]
struct CountingReporter(Arc<AtomicUsize>);

impl fastrace::collector::Reporter for CountingReporter {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        self.0.fetch_add(spans.len(), Ordering::Relaxed);
    }
}

#[derive(Debug, Default)]
struct CountingProcessor(AtomicUsize);

impl opentelemetry_sdk::trace::SpanProcessor for CountingProcessor {
    fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &opentelemetry::Context) {}
    fn on_end(&self, span: opentelemetry_sdk::trace::SpanData) {
        black_box(&span);
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

/// `iters` fastrace children in roots of [`CHILDREN_PER_ROOT`], optionally
/// flushing the collector once at the end (`flush` spawns and joins a
/// thread, about 0.1 ms, so it is amortised over the whole sample).
fn fastrace_children(iters: u64, drain: bool) -> Duration {
    use fastrace::prelude::*;
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let batch = left.min(CHILDREN_PER_ROOT);
        {
            let root = Span::root("root", SpanContext::random());
            let _parent = root.set_local_parent();
            for _ in 0..batch {
                drop(black_box(LocalSpan::enter_with_local_parent("child")));
            }
        }
        left -= batch;
    }
    if drain {
        fastrace::flush();
    }
    start.elapsed()
}

/// `iters` observa children, the spans still queued converted and stored
/// on this thread after every [`CHILDREN_PER_ROOT`] (as the writer thread
/// would), so the time includes building, redacting and storing each span.
fn observa_children_drained(obs: &Observability, iters: u64) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        drop(black_box(obs.tracing().span("child")));
        if i % CHILDREN_PER_ROOT == CHILDREN_PER_ROOT - 1 {
            black_box(obs.tracing().evictions());
        }
    }
    black_box(obs.tracing().evictions());
    start.elapsed()
}

fn sampled_child(c: &mut Criterion) {
    let mut group = c.benchmark_group("span/sampled_child");

    let obs = observa_with(Sampler::default());
    let root = obs.tracing().span("root");
    {
        let _entered = root.enter();
        group.bench_function("observa/span_drop", |b| {
            b.iter(|| drop(black_box(obs.tracing().span("child"))))
        });
        group.bench_function("observa/in_span", |b| {
            b.iter(|| obs.tracing().in_span("child", || black_box(())))
        });
        group.bench_function("observa/span_drop_drained", |b| {
            b.iter_custom(|iters| observa_children_drained(&obs, iters))
        });
    }
    drop(root);

    let reported = CountingReporter::default();
    let ran = AtomicUsize::new(0);
    fastrace::set_reporter(reported.clone(), fastrace::collector::Config::default());
    group.bench_function("fastrace/local_span", |b| {
        b.iter_custom(|iters| {
            ran.fetch_add(1, Ordering::Relaxed);
            fastrace_children(iters, false)
        })
    });
    group.bench_function("fastrace/with_drain", |b| {
        b.iter_custom(|iters| {
            ran.fetch_add(1, Ordering::Relaxed);
            fastrace_children(iters, true)
        })
    });
    fastrace::flush();
    // (a filter on the command line may have skipped both)
    assert!(
        ran.load(Ordering::Relaxed) == 0 || reported.0.load(Ordering::Relaxed) > 0,
        "fastrace reported its spans"
    );

    let registry = tracing_subscriber::registry();
    tracing::subscriber::with_default(registry, || {
        let root = tracing::info_span!("root");
        let _entered = root.enter();
        group.bench_function("tracing/registry", |b| {
            b.iter(|| drop(black_box(tracing::info_span!("child"))))
        });
    });

    {
        use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider};
        let processor = Arc::new(CountingProcessor::default());
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_span_processor(SharedProcessor(processor.clone()))
            .build();
        let tracer = provider.tracer("bench");
        let root = tracer.start("root");
        let _attached = opentelemetry::Context::current_with_span(root).attach();
        let ran = AtomicUsize::new(0);
        group.bench_function("opentelemetry_sdk", |b| {
            ran.fetch_add(1, Ordering::Relaxed);
            b.iter(|| drop(black_box(tracer.start("child"))))
        });
        assert!(
            ran.load(Ordering::Relaxed) == 0 || processor.0.load(Ordering::Relaxed) > 0,
            "the SDK ended its spans"
        );
    }
    group.finish();
}

/// Hands the provider a processor the bench can still read.
#[derive(Debug)]
struct SharedProcessor(Arc<CountingProcessor>);

impl opentelemetry_sdk::trace::SpanProcessor for SharedProcessor {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.0.on_start(span, cx)
    }
    fn on_end(&self, span: opentelemetry_sdk::trace::SpanData) {
        self.0.on_end(span)
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

fn unsampled(c: &mut Criterion) {
    let mut group = c.benchmark_group("span/unsampled");
    group.bench_function("nothing", |b| b.iter(|| black_box(())));
    let obs = observa_with(Sampler::parent_based(Sampler::always_off()));
    let root = obs.tracing().span("root");
    assert!(!root.is_recording());
    let _entered = root.enter();
    group.bench_function("observa/span_drop", |b| {
        b.iter(|| drop(black_box(obs.tracing().span("child"))))
    });
    group.bench_function("observa/in_span", |b| {
        b.iter(|| obs.tracing().in_span("child", || black_box(())))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = sampled_child, unsampled
}

/// `OBSERVA_PROBE=<what>:<n>` runs `n` spans of one kind and exits, for
/// counting instructions with `valgrind --tool=callgrind` (subtract a run
/// with `n` = 0): `sampled` (finished spans go to the writer thread, the
/// rest still queued is stored at the end), `sampled_drain` (the same,
/// drained into the repository on this thread every 1,000 spans, so nothing
/// is dropped), `unsampled`, `in_span` and `unsampled_in_span`
/// (`in_span("child", ..)`), `nothing`, and `fastrace_drain` (fastrace
/// `LocalSpan`s under roots of 1,000 with a reporter set, flushed at the end,
/// so its collector has turned every span into a `SpanRecord`). The observa
/// probes print the spans dropped before the repository, the fastrace one
/// the spans reported, on stderr. With `--toggle-collect='span::common::probe_loop*'`
/// only the loop on the calling thread is counted; without it every thread
/// is (the writer thread, fastrace's collector and `flush` threads), which
/// is the whole cost.
fn probe(what: &str, n: u64) {
    if what == "fastrace_drain" {
        let reported = CountingReporter::default();
        fastrace::set_reporter(reported.clone(), fastrace::collector::Config::default());
        common::probe_loop(1, || {
            fastrace_children(n, true);
        });
        eprintln!("fastrace reported {} spans", reported.0.load(Ordering::Relaxed));
        return;
    }
    let sampler = if what.starts_with("unsampled") {
        Sampler::parent_based(Sampler::always_off())
    } else {
        Sampler::default()
    };
    let obs = observa_with(sampler);
    let root = obs.tracing().span("root");
    let _entered = root.enter();
    match what {
        "nothing" => common::probe_loop(n, || black_box(())),
        "sampled_drain" => common::probe_loop(n / CHILDREN_PER_ROOT, || {
            for _ in 0..CHILDREN_PER_ROOT {
                drop(black_box(obs.tracing().span("child")));
            }
            black_box(obs.tracing().evictions());
        }),
        "in_span" | "unsampled_in_span" => {
            common::probe_loop(n, || obs.tracing().in_span("child", || black_box(())))
        }
        _ => common::probe_loop(n, || drop(black_box(obs.tracing().span("child")))),
    }
    drop(_entered);
    drop(root);
    black_box(obs.tracing().evictions());
    let text = obs.render(observa::prelude::Format::Prometheus).unwrap();
    let dropped = text
        .lines()
        .filter(|l| l.starts_with("observa_dropped_total{kind=\"span\""));
    eprintln!("{}", dropped.collect::<Vec<_>>().join("\n"));
}

fn main() {
    common::probe_or_bench(probe, benches);
}
