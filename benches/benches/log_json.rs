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
//! - `tracing`: `tracing::info!(target: "payments", attempt = 2, user = "alice",
//!   "retrying payment")` through `tracing_subscriber::fmt().json()` writing to
//!   `Counted` (its default JSON fields: timestamp, level, fields, target).

mod common;

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use criterion::{criterion_group, criterion_main, Criterion};
use observa::sinks::{ConsoleFormat, ConsoleSink, QueuedSink, Record, Resource, Sink};
use observa::{LogEntry, LogLevel};

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
criterion_main!(benches);
