//! `memory_flat`: 10 M spans and 10 M log records through a deliberately
//! slow sink (20 ms per batch), sampling the resident set size
//! (`VmRSS` of /proc/self/status) every 1 M of each. Not a criterion
//! benchmark: it prints one line per sample and the drop counters, and
//! fails if RSS after the first million grows by more than 64 MiB.
//!
//! `cargo bench -p observa-benches --bench memory_flat` (set
//! `OBSERVA_MEMORY_RECORDS` for another count than 10,000,000).

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use observa::metrics::Format;
use observa::sinks::{Record, Sink};
use observa::{LogLevel, Observability};

/// Counts what it is given and pauses on every flush (once per batch).
#[derive(Clone, Default)]
struct Slow {
    written: Arc<AtomicU64>,
}

impl Sink for Slow {
    fn write(&mut self, _record: &Record) -> io::Result<()> {
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        std::thread::sleep(Duration::from_millis(20));
        Ok(())
    }
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let records: u64 = std::env::var("OBSERVA_MEMORY_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let slow = Slow::default();
    let obs = Observability::builder()
        .service("bench", "1")
        .span_sink(slow.clone())
        .log_sink(slow.clone())
        .build()
        .unwrap();
    let root = obs.tracing().span("batch");
    let entered = root.enter();
    let started = Instant::now();
    let mut after_first = None;
    let mut peak = 0;
    for i in 1..=records {
        let mut span = obs.tracing().span("item");
        let _ = span.set_attribute("item.index", i.to_string());
        drop(span);
        let _ = obs.logs().log(LogLevel::Info, format!("item {i} done"));
        if i % 1_000_000 == 0 {
            let rss = resident_kib();
            after_first.get_or_insert(rss);
            peak = peak.max(rss);
            println!(
                "{i:>11} spans + {i} log records: RSS {rss} KiB after {:.1?}",
                started.elapsed()
            );
        }
    }
    drop(entered);
    drop(root);
    obs.flush(Duration::from_secs(30));
    let text = obs.render(Format::Prometheus).unwrap();
    for line in text.lines().filter(|l| l.starts_with("observa_dropped_total")) {
        println!("{line}");
    }
    println!(
        "written by the slow sink: {}",
        slow.written.load(Ordering::Relaxed)
    );
    if let Some(first) = after_first {
        let growth = peak.saturating_sub(first);
        println!("RSS growth after the first million: {growth} KiB");
        assert!(growth < 64 * 1024, "memory is not flat: RSS grew by {growth} KiB");
    }
}
