//! Memory stays flat when log records arrive faster than a sink writes them:
//! the sink's queue is bounded, the overflow is dropped and counted.

use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use observa::metrics::Format;
use observa::sinks::{Record, Sink};
use observa::{LogLevel, Observability};

const CAPACITY: usize = 1_000;

/// Writes slowly: a pause on every flush (once per batch). Remembers the
/// largest batch it was handed, i.e. the most records the queue held.
#[derive(Clone, Default)]
struct Slow {
    written: Arc<AtomicU64>,
    batch: Arc<AtomicUsize>,
    largest_batch: Arc<AtomicUsize>,
}

impl Sink for Slow {
    fn write(&mut self, _record: &Record) -> io::Result<()> {
        self.written.fetch_add(1, Ordering::Relaxed);
        self.batch.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        let batch = self.batch.swap(0, Ordering::Relaxed);
        self.largest_batch.fetch_max(batch, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(20));
        Ok(())
    }
}

/// Resident set size in bytes, from /proc/self/statm (pages × 4 KiB pages;
/// a larger page size only makes the bound looser).
#[cfg(target_os = "linux")]
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[cfg(target_os = "linux")]
#[test]
fn a_slow_sink_keeps_memory_flat_through_many_records() {
    // A debug build is ~10× slower than a release build; keep the test short in both.
    let records: u64 = if cfg!(debug_assertions) {
        500_000
    } else {
        1_000_000
    };
    let slow = Slow::default();
    let obs = Observability::builder()
        .service("shop", "1")
        .capacity(1_000)
        .sink_queue_capacity(CAPACITY)
        .log_sink(slow.clone())
        .build()
        .unwrap();
    let log = |i: u64| {
        obs.logs()
            .log(LogLevel::Info, format!("order {i} placed by ann@example.com"))
            .unwrap();
    };
    // warm up: the repository and the queue fill to their bounds
    for i in 0..20_000 {
        log(i);
    }
    let before = resident_bytes();
    let started = Instant::now();
    for i in 0..records {
        log(i);
    }
    let elapsed = started.elapsed();
    let growth = resident_bytes().saturating_sub(before);
    assert!(obs.flush(Duration::from_secs(10)));

    let text = obs.render(Format::Prometheus).unwrap();
    let dropped: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("observa_dropped_total{kind=\"log_entry\",reason=\"queue_full\"} "))
        .and_then(|v| v.parse().ok())
        .expect("the queue_full series");
    let written = slow.written.load(Ordering::Relaxed);
    eprintln!(
        "{records} records in {elapsed:?}: written {written}, dropped {dropped}, RSS growth {} KiB, largest batch {}",
        growth / 1024,
        slow.largest_batch.load(Ordering::Relaxed)
    );
    assert_eq!(
        written + dropped,
        records + 20_000,
        "every record is written or counted"
    );
    assert!(dropped > 0, "the slow sink could not keep up");
    assert!(slow.largest_batch.load(Ordering::Relaxed) <= CAPACITY);
    assert!(growth < 32 << 20, "RSS grew by {growth} bytes");
}
