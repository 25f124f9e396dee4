//! Memory stays flat when spans and log records arrive faster than a sink
//! writes them: every queue on the way is bounded, and what does not fit is
//! dropped and counted. (`benches/benches/memory_flat.rs` runs the same
//! through 10 M spans and 10 M log records.)

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use observa::metrics::Format;
use observa::sinks::{Record, Sink};
use observa::{LogLevel, Observability};

/// Counts what it is given and pauses on every flush (once per batch).
#[derive(Clone, Default)]
struct Slow {
    spans: Arc<AtomicU64>,
    logs: Arc<AtomicU64>,
}

impl Sink for Slow {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        let counter = match record {
            Record::Span { .. } => &self.spans,
            _ => &self.logs,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        std::thread::sleep(Duration::from_millis(20));
        Ok(())
    }
}

/// Resident set size in bytes (`VmRSS` of /proc/self/status).
#[cfg(target_os = "linux")]
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// `observa_dropped_total` summed over every reason for `kind`.
fn dropped(text: &str, kind: &str) -> u64 {
    let prefix = format!("observa_dropped_total{{kind=\"{kind}\",reason=\"");
    text.lines()
        .filter(|l| {
            l.starts_with(&prefix) && !l.contains("reason=\"capacity\"") && !l.contains("reason=\"age\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[cfg(target_os = "linux")]
#[test]
fn spans_and_logs_through_a_slow_sink_keep_memory_flat_and_count_drops() {
    const EACH: u64 = 200_000;
    const WARM_UP: u64 = 20_000;
    let slow = Slow::default();
    let obs = Observability::builder()
        .service("shop", "1")
        .capacity(1_000)
        .sink_queue_capacity(1_000)
        .span_sink(slow.clone())
        .log_sink(slow.clone())
        .build()
        .unwrap();
    let root = obs.tracing().span("batch");
    let entered = root.enter();
    let one = |i: u64| {
        let mut span = obs.tracing().span("item");
        span.set_attribute("item.index", i.to_string()).unwrap();
        drop(span);
        obs.logs().log(LogLevel::Info, format!("item {i} done")).unwrap();
    };
    // warm up: repositories and queues fill to their bounds
    (0..WARM_UP).for_each(one);
    let before = resident_bytes();
    let mut peak = before;
    for i in 0..EACH {
        one(i);
        if i % 20_000 == 0 {
            peak = peak.max(resident_bytes());
        }
    }
    drop(entered);
    drop(root);
    assert!(obs.flush(Duration::from_secs(20)));
    let growth = peak.max(resident_bytes()).saturating_sub(before);

    let text = obs.render(Format::Prometheus).unwrap();
    let (span_drops, log_drops) = (dropped(&text, "span"), dropped(&text, "log_entry"));
    let (spans, logs) = (
        slow.spans.load(Ordering::Relaxed),
        slow.logs.load(Ordering::Relaxed),
    );
    eprintln!("spans written {spans} dropped {span_drops}; logs written {logs} dropped {log_drops}; RSS growth {} KiB", growth / 1024);
    let total = EACH + WARM_UP;
    assert_eq!(
        spans + span_drops,
        total + 1,
        "every span (and the root) is written or counted"
    );
    assert_eq!(logs + log_drops, total, "every log record is written or counted");
    assert!(span_drops > 0 && log_drops > 0, "the slow sink could not keep up");
    assert!(growth < 48 << 20, "RSS grew by {growth} bytes");
}
