use std::sync::atomic::{AtomicUsize, Ordering};

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
fn a_stuck_writer_never_blocks_the_caller_and_drops_are_counted() {
    let probe = Probe::stuck();
    let sink = QueuedSink::spawn(probe.clone(), 1_000).unwrap();
    let record = Record::from(entry(0));
    let started = Instant::now();
    let mut accepted = 0;
    for _ in 0..100_000 {
        accepted += usize::from(sink.send(record.clone()));
        assert!(sink.queued() <= sink.capacity());
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "100,000 sends took {elapsed:?}");
    let drops = sink.drops();
    assert_eq!(drops.get("log_entry", "queue_full"), (100_000 - accepted) as u64);
    assert_eq!(
        accepted, 1_000,
        "the queue and the batch held by the writer fill the capacity"
    );
    assert!(
        !sink.flush(Duration::from_millis(50)),
        "nothing can be written yet"
    );

    probe.release();
    assert!(sink.shutdown(DEADLINE));
    assert_eq!(probe.written(), accepted);
    assert_eq!(drops.total(), (100_000 - accepted) as u64);
}

#[test]
fn flush_delivers_everything_sent_before_it() {
    let probe = Probe::default();
    let sink = QueuedSink::spawn(probe.clone(), 10_000).unwrap();
    for i in 0..5_000 {
        assert!(sink.send(entry(i)));
    }
    assert!(sink.flush(DEADLINE));
    assert_eq!(probe.written(), 5_000);
    assert!(probe.flushes.load(Ordering::SeqCst) >= 1);
}

#[test]
fn dropping_the_sink_drains_the_queue() {
    let probe = Probe::default();
    let sink = QueuedSink::spawn(probe.clone(), 10_000).unwrap();
    for i in 0..3_000 {
        sink.send(entry(i));
    }
    sink.send(Span::root("op", "svc").unwrap());
    drop(sink);
    assert_eq!(probe.written(), 3_001);
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
fn shutdown_gives_up_at_its_deadline_and_counts_what_was_left() {
    let probe = Probe::stuck();
    let sink = QueuedSink::spawn(probe.clone(), 100).unwrap();
    sink.send(entry(0));
    let until = Instant::now() + DEADLINE;
    while probe.entered.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    for i in 1..50 {
        sink.send(entry(i));
    }
    let drops = sink.drops();
    let started = Instant::now();
    assert!(!sink.shutdown(Duration::from_millis(100)));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The writer is stuck on the first record; the 49 behind it were abandoned.
    assert_eq!(drops.get("log_entry", "shutdown_timeout"), 49);
    probe.release();
}

#[test]
fn a_quiet_writer_still_picks_up_a_late_record() {
    let probe = Probe::default();
    let sink = QueuedSink::spawn(probe.clone(), 10).unwrap();
    std::thread::sleep(LINGER * 5);
    sink.send(entry(1));
    assert!(sink.flush(DEADLINE));
    std::thread::sleep(LINGER * 5);
    sink.send(entry(2));
    let until = Instant::now() + DEADLINE;
    while probe.written() < 2 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(probe.written(), 2);
}

#[test]
fn a_queued_sink_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<QueuedSink>();
    shareable::<DropCounts>();
    let probe = Probe::default();
    let sink = Arc::new(QueuedSink::spawn(probe.clone(), 10_000).unwrap());
    let senders: Vec<_> = (0..4)
        .map(|t| {
            let sink = Arc::clone(&sink);
            std::thread::spawn(move || (0..500).for_each(|i| assert!(sink.send(entry(t * 1000 + i)))))
        })
        .collect();
    senders.into_iter().for_each(|s| s.join().unwrap());
    assert!(sink.flush(DEADLINE));
    assert_eq!(probe.written(), 2_000);
}

#[test]
fn shutdown_is_not_a_success_while_the_writer_still_holds_records() {
    let probe = Probe::stuck();
    let sink = QueuedSink::spawn(probe.clone(), 100).unwrap();
    sink.send(entry(0));
    let until = Instant::now() + DEADLINE;
    while probe.entered.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    let drops = sink.drops();
    assert!(
        !sink.shutdown(Duration::from_millis(50)),
        "the one record is not written"
    );
    assert_eq!(
        drops.total(),
        0,
        "nothing was abandoned: the writer still holds it"
    );
    probe.release();
    let until = Instant::now() + DEADLINE;
    while probe.written() == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(probe.written(), 1, "the writer finishes the record once it can");
}
