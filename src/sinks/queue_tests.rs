use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use super::*;
use crate::{LogEntry, LogLevel, Span};

const DEADLINE: Duration = Duration::from_secs(10);

/// Counts what it writes; can be made to block, fail or panic.
#[derive(Clone, Default)]
struct Probe {
    written: Arc<AtomicUsize>,
    entered: Arc<AtomicUsize>,
    flushes: Arc<AtomicUsize>,
    gate: Arc<(Mutex<bool>, Condvar)>,
    blocked: bool,
    fail_every: Option<usize>,
    panic_every: Option<usize>,
    fail_flush: bool,
    panic_flush: bool,
    seen: usize,
}

impl Probe {
    fn stuck() -> Probe {
        Probe {
            blocked: true,
            ..Probe::default()
        }
    }
    fn release(&self) {
        *self.gate.0.lock() = true;
        self.gate.1.notify_all();
    }
    fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }
    fn wait_entered(&self, n: usize) {
        let until = Instant::now() + DEADLINE;
        while self.entered.load(Ordering::SeqCst) < n && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Sink for Probe {
    fn write(&mut self, _record: &Record) -> io::Result<()> {
        self.seen += 1;
        self.entered.fetch_add(1, Ordering::SeqCst);
        if self.blocked {
            let mut open = self.gate.0.lock();
            let until = Instant::now() + Duration::from_secs(30);
            while !*open && !self.gate.1.wait_until(&mut open, until).timed_out() {}
        }
        if self.panic_every.is_some_and(|n| self.seen % n == 0) {
            panic!("sink failure {}", self.seen);
        }
        if self.fail_every.is_some_and(|n| self.seen % n == 0) {
            return Err(io::Error::other("disk full"));
        }
        self.written.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushes.fetch_add(1, Ordering::SeqCst);
        if self.panic_flush {
            panic!("flush failure");
        }
        if self.fail_flush {
            return Err(io::Error::other("flush failed"));
        }
        Ok(())
    }
}

fn entry(i: usize) -> LogEntry {
    LogEntry::new(LogLevel::Info, format!("line {i}")).unwrap()
}

#[test]
fn io_errors_and_panics_are_counted_and_the_writer_carries_on() {
    let probe = Probe {
        fail_every: Some(3),
        panic_every: Some(10),
        ..Probe::default()
    };
    let sink = QueuedSink::spawn(probe.clone(), 1_000).unwrap();
    for i in 0..90 {
        sink.send(entry(i));
    }
    assert!(sink.flush(DEADLINE));
    let drops = sink.drops();
    let panics = (1..=90).filter(|i| i % 10 == 0).count();
    let failures = (1..=90).filter(|i| i % 3 == 0 && i % 10 != 0).count();
    assert_eq!(drops.get("log_entry", "sink_panic"), panics as u64);
    assert_eq!(drops.get("log_entry", "io_error"), failures as u64);
    assert_eq!(probe.written(), 90 - panics - failures);
    assert!(probe.flushes.load(Ordering::SeqCst) >= 1, "the sink was flushed");
    assert!(sink.send(entry(91)), "the writer is still alive");
    assert!(sink.flush(DEADLINE));
}

#[test]
fn a_failed_flush_counts_the_records_it_may_have_lost() {
    let probe = Probe {
        fail_flush: true,
        ..Probe::default()
    };
    let sink = QueuedSink::spawn(probe.clone(), 100).unwrap();
    sink.send(entry(1));
    sink.send(Span::root("op", "svc").unwrap());
    assert!(sink.flush(DEADLINE));
    let drops = sink.drops();
    assert_eq!(drops.get("log_entry", "io_error"), 1);
    assert_eq!(drops.get("span", "io_error"), 1);
}

#[test]
fn a_panicking_flush_counts_the_records_it_may_have_lost() {
    let probe = Probe {
        panic_flush: true,
        ..Probe::default()
    };
    let sink = QueuedSink::spawn(probe.clone(), 100).unwrap();
    sink.send(entry(1));
    sink.send(Span::root("op", "svc").unwrap());
    assert!(sink.flush(DEADLINE));
    let drops = sink.drops();
    let spans = drops.get("span", "sink_panic");
    let logs = drops.get("log_entry", "sink_panic");
    assert_eq!((logs, spans), (1, 1));
    assert_eq!(drops.total(), 2);
}

#[test]
fn a_full_queue_and_a_shutdown_deadline_count_each_record_by_kind() {
    fn shareable<T: Send + Sync>() {}
    shareable::<QueuedSink>();
    shareable::<DropCounts>();
    let probe = Probe::stuck();
    let sink = QueuedSink::spawn(probe.clone(), 2).unwrap();
    assert!(sink.send(entry(0)));
    probe.wait_entered(1);
    assert!(sink.send(Span::root("queued", "svc").unwrap()));
    assert!(
        !sink.send(entry(1)),
        "the stuck record and the queued span fill it"
    );
    assert!(!sink.send(Span::root("dropped", "svc").unwrap()));
    let drops = sink.drops();
    assert_eq!(drops.get("log_entry", "queue_full"), 1);
    assert_eq!(drops.get("span", "queue_full"), 1);
    assert!(!sink.shutdown(Duration::from_millis(50)));
    assert_eq!(drops.get("span", "shutdown_timeout"), 1);
    assert_eq!(
        drops.get("log_entry", "shutdown_timeout"),
        0,
        "the writer still holds it"
    );
    assert_eq!(drops.total(), 3);
    probe.release();
}

#[test]
fn an_unbounded_timeout_waits_without_overflowing() {
    let probe = Probe::default();
    let sink = QueuedSink::spawn(probe.clone(), 10).unwrap();
    sink.send(entry(1));
    assert!(sink.flush(Duration::MAX));
    sink.send(entry(2));
    assert!(sink.shutdown(Duration::MAX));
    assert_eq!(probe.written(), 2);
}
