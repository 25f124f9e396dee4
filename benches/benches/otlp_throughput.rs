//! `otlp_throughput`: spans, then log records, recorded as fast as one
//! thread can for a few seconds through a container whose OTLP exporter
//! (default batching: 2,048 queued, 512 per request) sends to a minimal
//! OTLP/HTTP sink on 127.0.0.1 that answers 200 at once (see
//! `otlp_support::FastSink`). The recording thread outruns the exporter, so
//! what the exporter delivered per second (from the first record to the end
//! of the final flush) is its ceiling on this machine. Not a criterion
//! benchmark: for each signal it prints what was recorded, what was
//! delivered per second and every non-zero drop counter.
//!
//! Each span is a child of an entered root with 2 attributes; each log
//! record an info entry with a formatted message. The spans reach the
//! exporter through the container's span sink queue (10,000) and its own
//! queue; a full queue drops and counts, the caller never waits.
//!
//! `cargo bench -p observa-benches --bench otlp_throughput` (set
//! `OBSERVA_OTLP_SECS` for another recording time than 3 s per signal, and
//! `OBSERVA_OTLP_QUEUE` for another exporter queue size than 2,048).

mod otlp_support;

use std::time::{Duration, Instant};

use observa::otlp::{BatchConfig, OtlpConfig, Signal};
use observa::{LogLevel, Observability};
use otlp_support::{dropped, env_or, load_average, FastSink};

fn container(sink: &FastSink, queue: usize) -> Observability {
    let batch = |defaults: BatchConfig| BatchConfig {
        max_queue_size: queue,
        ..defaults
    };
    let config = OtlpConfig::default()
        .endpoint(&sink.endpoint())
        .span_batch(batch(BatchConfig::spans()))
        .log_batch(batch(BatchConfig::logs()));
    Observability::builder()
        .service("bench", "1")
        .otlp(config)
        .build()
        .unwrap()
}

fn report(obs: &Observability, signal: Signal, recorded: u64, recording: Duration, total: Duration) {
    let delivered = obs.otlp().unwrap().delivered(signal);
    println!(
        "{signal:?}: recorded {recorded} in {recording:.2?} ({:.0}/s); delivered {delivered} \
         in {total:.2?} ({:.0}/s), {:.1} % of recorded",
        recorded as f64 / recording.as_secs_f64(),
        delivered as f64 / total.as_secs_f64(),
        100.0 * delivered as f64 / recorded as f64,
    );
    for line in dropped(obs) {
        println!("  {line}");
    }
}

fn spans(sink: &FastSink, seconds: Duration, queue: usize) {
    let obs = container(sink, queue);
    let root = obs.tracing().span("batch");
    let entered = root.enter();
    let started = Instant::now();
    let mut records = 0;
    while started.elapsed() < seconds {
        let i = records;
        records += 1;
        let mut span = obs.tracing().span("item");
        let _ = span.set_attribute("item.index", i.to_string());
        let _ = span.set_attribute("item.kind", "bench");
        drop(span);
    }
    let recording = started.elapsed();
    drop(entered);
    drop(root);
    assert!(obs.flush(Duration::from_secs(60)), "the final flush timed out");
    report(&obs, Signal::Traces, records, recording, started.elapsed());
}

fn logs(sink: &FastSink, seconds: Duration, queue: usize) {
    let obs = container(sink, queue);
    let started = Instant::now();
    let mut records = 0;
    while started.elapsed() < seconds {
        let _ = obs.logs().log(LogLevel::Info, format!("item {records} done"));
        records += 1;
    }
    let recording = started.elapsed();
    assert!(obs.flush(Duration::from_secs(60)), "the final flush timed out");
    report(&obs, Signal::Logs, records, recording, started.elapsed());
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let seconds = Duration::from_secs(env_or("OBSERVA_OTLP_SECS", 3));
    let queue = env_or("OBSERVA_OTLP_QUEUE", 2_048) as usize;
    let sink = FastSink::start();
    println!("load average before: {}", load_average());
    spans(&sink, seconds, queue);
    logs(&sink, seconds, queue);
    println!(
        "the sink received {} requests, {} bytes of bodies; load average after: {}",
        sink.requests.load(std::sync::atomic::Ordering::Relaxed),
        sink.bytes.load(std::sync::atomic::Ordering::Relaxed),
        load_average()
    );
}
