//! `log_json`: one log event written as a JSON line to an in-memory writer
//! (`Counted`: it only adds the byte count to a static atomic, so the
//! encoding is measured, not I/O; both sides use it). Before the run, one
//! line of each side is printed, and the bytes per event after it.
//!
//! The event: level INFO, target `payments`, message `retrying payment`,
//! fields `attempt = 2` and `user = "alice"`.
//!
//! - `observa/encode_to_json_sink`: an already built `LogEntry` written by
//!   `observa::sinks::ConsoleSink` in `ConsoleFormat::Json` (what the
//!   background writer of a sink does per record: OTel names, RFC 3339
//!   timestamps with nanoseconds, `observed_timestamp` read from the clock,
//!   the resource object).
//! - `observa/build_and_encode`: the same, plus building and validating the
//!   `LogEntry` (a UUID v4 from the OS generator, `Utc::now()`, the field map).
//! - `observa/build_and_queue`: building the entry and handing it to a
//!   `QueuedSink` (capacity 65,536) in front of the same JSON sink: the cost
//!   on the caller's thread; the writer thread encodes in parallel. Drops
//!   (queue full) are printed after the run.
//! - `observa/build_and_queue_to_discard`: the same hand-off to a sink that
//!   discards records: what the queue costs the caller (records are still
//!   freed on the writer thread).
//! - `observa/build_and_drop`: building the entry and dropping it, nothing
//!   else: the floor of the three lines above.
//! - `observa/record_to_json_sink`: what a user calls,
//!   `obs.logs().record(entry)` on an `Observability` with the same JSON
//!   sink as its one log sink (`ObservabilityBuilder::log_sink`), the entry
//!   built in the timed region. On the caller's thread: level filter, trace
//!   context and correlation id, the log queue; the log writer thread
//!   redacts, stores in the in-memory log repository (default capacity
//!   10,000, so the steady state evicts one entry per entry) and queues
//!   for the sink, whose thread encodes. Events run in batches of 1,000
//!   with `obs.flush` between batches, not timed, so no queue ever fills
//!   (a tight loop outruns the two background threads on this machine and
//!   the queue drops; a dropped entry costs the caller less). Drops are
//!   printed after the run.
//! - `observa/record_drained`: the same, plus draining the log queue on the
//!   caller's thread after every batch (`obs.logs().evictions()`: redaction,
//!   repository, the copy queued for the sink): everything but the sink's
//!   encoding, which `encode_to_json_sink` measures.
//! - `tracing`: `tracing::info!(target: "payments", attempt = 2, user = "alice",
//!   "retrying payment")` through `tracing_subscriber::fmt().json()` writing to
//!   `Counted` (its default JSON fields: timestamp, level, fields, target).

mod common;

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use observa::metrics::Format;
use observa::sinks::{ConsoleFormat, ConsoleSink, QueuedSink, Record, Resource, Sink};
use observa::{LogEntry, LogLevel, Observability};

static BYTES: AtomicU64 = AtomicU64::new(0);

/// An in-memory writer that keeps nothing but the number of bytes written.
struct Counted;

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        BYTES.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A shared buffer, to print one sample line of each side.
#[derive(Clone, Default)]
struct Sample(Arc<Mutex<Vec<u8>>>);

impl Write for Sample {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sample {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn tracing_event() {
    tracing::info!(target: "payments", attempt = 2, user = "alice", "retrying payment");
}

/// Runs `f`, then prints the bytes written per call since `from`.
fn bytes_per_event(name: &str, iterations: u64, f: impl FnOnce()) {
    let from = BYTES.load(Ordering::Relaxed);
    f();
    let bytes = BYTES.load(Ordering::Relaxed) - from;
    assert!(bytes > 0, "{name} wrote nothing");
    println!("{name}: {} bytes per event", bytes / iterations.max(1));
}

fn build_entry() -> LogEntry {
    LogEntry::builder(LogLevel::Info, "retrying payment")
        .field("attempt", 2)
        .field("user", "alice")
        .target("payments")
        .build()
        .unwrap()
}

fn json_sink<W: Write + Send + 'static>(out: W) -> ConsoleSink<W> {
    ConsoleSink::new(
        out,
        Resource::new("shop", "1.0.0").environment("prod"),
        ConsoleFormat::Json,
    )
}

/// A container whose one log sink is the JSON sink writing to `Counted`.
fn observa_with_json_sink() -> Observability {
    Observability::builder()
        .service("shop", "1.0.0")
        .environment("prod")
        .log_sink(json_sink(Counted))
        .build()
        .unwrap()
}

fn record_entry(obs: &Observability) {
    obs.logs().record(build_entry()).unwrap();
}

/// Events per batch of the `record` lines and probes.
const BATCH: u64 = 1_000;

/// Times `iters` events recorded in batches of [`BATCH`], the container
/// flushed (not timed) after each, so no queue fills; `drain` also stores
/// each batch on this thread, timed.
fn record_batches(obs: &Observability, iters: u64, drain: bool) -> Duration {
    let mut timed = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let batch = left.min(BATCH);
        let start = Instant::now();
        for _ in 0..batch {
            record_entry(obs);
        }
        if drain {
            black_box(obs.logs().evictions());
        }
        timed += start.elapsed();
        assert!(obs.flush(Duration::from_secs(60)));
        left -= batch;
    }
    timed
}

/// The `observa_dropped_total` lines of `obs` with a non-zero count.
fn dropped(obs: &Observability) -> Vec<String> {
    let text = obs.render(Format::Prometheus).unwrap();
    text.lines()
        .filter(|l| l.starts_with("observa_dropped_total{") && !l.ends_with(" 0"))
        .map(str::to_owned)
        .collect()
}

fn log_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_json");

    let sample = Sample::default();
    json_sink(sample.clone())
        .write(&Record::from(build_entry()))
        .unwrap();
    print!("observa line: {}", sample.text());
    let sample = Sample::default();
    let writer = sample.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, tracing_event);
    print!("tracing line: {}", sample.text());

    let record = Record::from(build_entry());
    let mut sink = json_sink(Counted);
    bytes_per_event("observa", 1, || sink.write(&record).unwrap());
    group.bench_function("observa/encode_to_json_sink", |b| {
        b.iter(|| sink.write(black_box(&record)).unwrap())
    });

    let mut sink = json_sink(Counted);
    group.bench_function("observa/build_and_encode", |b| {
        b.iter(|| sink.write(&Record::from(build_entry())).unwrap())
    });

    let queued = QueuedSink::spawn(json_sink(Counted), 65_536).unwrap();
    group.bench_function("observa/build_and_queue", |b| {
        b.iter(|| queued.send(build_entry()))
    });
    let drops = queued.drops();
    queued.shutdown(std::time::Duration::from_secs(10));
    println!("observa/build_and_queue drops (queue_full): {}", drops.total());

    struct Discard;
    impl Sink for Discard {
        fn write(&mut self, _record: &Record) -> io::Result<()> {
            Ok(())
        }
    }
    let queued = QueuedSink::spawn(Discard, 65_536).unwrap();
    group.bench_function("observa/build_and_queue_to_discard", |b| {
        b.iter(|| queued.send(build_entry()))
    });
    let drops = queued.drops();
    queued.shutdown(std::time::Duration::from_secs(10));
    println!(
        "observa/build_and_queue_to_discard drops (queue_full): {}",
        drops.total()
    );

    group.bench_function("observa/build_and_drop", |b| b.iter(|| black_box(build_entry())));

    let obs = observa_with_json_sink();
    bytes_per_event("observa/record_to_json_sink", 1, || {
        record_entry(&obs);
        assert!(obs.flush(Duration::from_secs(10)));
    });
    group.bench_function("observa/record_to_json_sink", |b| {
        b.iter_custom(|iters| record_batches(&obs, iters, false))
    });
    group.bench_function("observa/record_drained", |b| {
        b.iter_custom(|iters| record_batches(&obs, iters, true))
    });
    assert!(obs.flush(Duration::from_secs(10)));
    println!("observa/record_to_json_sink drops: {:?}", dropped(&obs));
    drop(obs);

    let subscriber = tracing_subscriber::fmt().json().with_writer(|| Counted).finish();
    tracing::subscriber::with_default(subscriber, || {
        bytes_per_event("tracing", 1, tracing_event);
        group.bench_function("tracing", |b| b.iter(tracing_event));
    });

    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = log_json
}

/// `OBSERVA_PROBE=<what>:<n>` runs `n` events of one kind and exits, for
/// counting instructions with `valgrind --tool=callgrind` (subtract a run
/// with `n` = 0): `record` (`obs.logs().record` of a built entry, the
/// user's path), `record_drained` (the same, each batch also drained on
/// this thread; the writer thread still takes its share while the batch
/// runs, so count every thread for the whole cost), `tracing` (`info!` through the JSON formatter, all of its
/// work), `build` (building and dropping the entry), `nothing`. The events
/// run in batches of 1,000, with the container flushed between batches
/// (outside the counted loop), so the sink's queue never fills. With
/// `--toggle-collect='log_json::common::probe_loop*'` only the loops on the
/// calling thread are counted.
fn probe(what: &str, n: u64) {
    let batches = || (0..n.div_ceil(BATCH)).map(move |i| BATCH.min(n - i * BATCH));
    match what {
        "record" => {
            let obs = observa_with_json_sink();
            for batch in batches() {
                common::probe_loop(batch, || record_entry(&obs));
                assert!(obs.flush(Duration::from_secs(60)));
            }
            let drops = dropped(&obs);
            assert!(
                drops.iter().all(|l| l.contains("reason=\"capacity\"")),
                "{drops:?}"
            );
        }
        "record_drained" => {
            let obs = observa_with_json_sink();
            for batch in batches() {
                common::probe_loop(1, || {
                    for _ in 0..batch {
                        record_entry(&obs);
                    }
                    black_box(obs.logs().evictions());
                });
                assert!(obs.flush(Duration::from_secs(60)));
            }
        }
        "tracing" => {
            let subscriber = tracing_subscriber::fmt().json().with_writer(|| Counted).finish();
            tracing::subscriber::with_default(subscriber, || {
                for batch in batches() {
                    common::probe_loop(batch, tracing_event);
                }
            });
        }
        "build" => {
            for batch in batches() {
                common::probe_loop(batch, || drop(black_box(build_entry())));
            }
        }
        "nothing" => common::probe_loop(n, || black_box(())),
        other => panic!("unknown probe {other}"),
    }
}

fn main() {
    common::probe_or_bench(probe, benches);
}
