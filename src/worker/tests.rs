use std::sync::atomic::AtomicUsize;

use super::*;

const DEADLINE: Duration = Duration::from_secs(10);

fn within(timeout: Duration) -> Instant {
    Instant::now() + timeout
}

/// Waits (up to [`DEADLINE`]) until `done` holds.
fn wait_until(done: impl Fn() -> bool) {
    let until = within(DEADLINE);
    while !done() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What the test consumer saw, shared with the test.
#[derive(Default)]
struct Seen {
    /// Items consumed and ticks run, in order (`tick` for a tick).
    log: parking_lot::Mutex<Vec<String>>,
    /// Calls to `consume` begun.
    entered: AtomicUsize,
    /// The largest batch consumed.
    largest_batch: AtomicUsize,
    /// Calls to `panicked`, by what panicked.
    panics: parking_lot::Mutex<Vec<String>>,
    /// While false, `consume` waits (up to 30 seconds).
    open: parking_lot::Mutex<bool>,
    opened: Condvar,
    /// When the next tick is due.
    tick_at: parking_lot::Mutex<Option<Instant>>,
}

impl Seen {
    fn release(&self) {
        *self.open.lock() = true;
        self.opened.notify_all();
    }
    fn consumed(&self) -> usize {
        self.log.lock().iter().filter(|e| *e != "tick").count()
    }
}

/// Logs what it consumes; can be stuck, or panic on chosen items.
struct Probe {
    seen: Arc<Seen>,
    panic_on: fn(u32) -> bool,
    panic_in_end_batch: bool,
    batch: usize,
    /// The item being consumed.
    current: u32,
}

impl Consumer<u32> for Probe {
    fn consume(&mut self, item: u32) {
        self.current = item;
        self.seen.entered.fetch_add(1, Ordering::SeqCst);
        let mut open = self.seen.open.lock();
        let until = within(Duration::from_secs(30));
        while !*open && !self.seen.opened.wait_until(&mut open, until).timed_out() {}
        drop(open);
        self.batch += 1;
        if (self.panic_on)(item) {
            panic!("consumer failure on {item}");
        }
        self.seen.log.lock().push(item.to_string());
    }
    fn end_batch(&mut self) {
        self.seen.largest_batch.fetch_max(self.batch, Ordering::SeqCst);
        self.batch = 0;
        if self.panic_in_end_batch {
            panic!("end of batch failure");
        }
    }
    fn next_tick(&self) -> Option<Instant> {
        *self.seen.tick_at.lock()
    }
    fn tick(&mut self) {
        *self.seen.tick_at.lock() = None;
        self.seen.log.lock().push("tick".into());
    }
    fn panicked(&mut self, during: During) {
        let what = match during {
            During::Consume => self.current.to_string(),
            During::EndBatch => "end_batch".into(),
            During::Tick => "tick".into(),
        };
        self.seen.panics.lock().push(what.clone());
        if what == "13" {
            panic!("a panic while recovering");
        }
    }
}

fn probe(open: bool) -> (Probe, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    *seen.open.lock() = open;
    let probe = Probe {
        seen: Arc::clone(&seen),
        panic_on: |_| false,
        panic_in_end_batch: false,
        batch: 0,
        current: 0,
    };
    (probe, seen)
}

/// A worker counting its losses through the hook as well, by kind.
fn spawn(config: WorkerConfig<u32>, probe: Probe) -> (Worker<u32, Probe>, Arc<[AtomicU64; 2]>) {
    let losses: Arc<[AtomicU64; 2]> = Arc::default();
    let heard = Arc::clone(&losses);
    let worker = config
        .on_loss(move |_, loss| {
            heard[usize::from(loss == Loss::Abandoned)].fetch_add(1, Ordering::SeqCst);
        })
        .spawn(probe)
        .unwrap();
    (worker, losses)
}

/// A worker whose consumer is stuck on item 0 until `seen.release()`.
fn stuck_on_first(config: WorkerConfig<u32>) -> (Worker<u32, Probe>, Arc<Seen>, Arc<[AtomicU64; 2]>) {
    let (probe, seen) = probe(false);
    let (worker, losses) = spawn(config, probe);
    assert!(worker.send(0));
    wait_until(|| seen.entered.load(Ordering::SeqCst) == 1);
    (worker, seen, losses)
}

#[test]
fn a_full_queue_drops_and_counts_without_blocking_the_sender() {
    let (probe, seen) = probe(false);
    let (mut worker, losses) = spawn(WorkerConfig::new("test-full", 1_000), probe);
    let started = Instant::now();
    let mut accepted = 0;
    for i in 0..100_000 {
        accepted += usize::from(worker.send(i));
        assert!(worker.queued() <= worker.capacity());
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "100,000 sends took {elapsed:?}");
    assert_eq!(
        accepted, 1_000,
        "the queue and the batch held by the consumer fill the capacity"
    );
    assert_eq!(worker.dropped(), (100_000 - accepted) as u64);
    assert_eq!(
        losses[0].load(Ordering::SeqCst),
        worker.dropped(),
        "the hook heard each drop"
    );

    seen.release();
    assert!(worker.close(within(DEADLINE)));
    assert_eq!(seen.consumed(), accepted);
    assert_eq!(worker.abandoned(), 0);
    assert!(!worker.send(1), "a closed worker accepts nothing");
}

#[test]
fn flush_waits_for_everything_sent_before_it() {
    let (probe, seen) = probe(true);
    let (worker, _) = spawn(WorkerConfig::new("test-flush", 10_000), probe);
    for i in 0..5_000 {
        assert!(worker.send(i));
    }
    assert!(worker.flush(within(DEADLINE)));
    let expected: Vec<String> = (0..5_000).map(|i: u32| i.to_string()).collect();
    assert_eq!(*seen.log.lock(), expected, "all of them, in order");
    assert_eq!(worker.queued(), 0);
}

#[test]
fn flush_gives_up_at_its_deadline_against_a_stuck_consumer() {
    let (worker, seen, _) = stuck_on_first(WorkerConfig::new("test-stuck-flush", 10));
    let started = Instant::now();
    assert!(!worker.flush(within(Duration::from_millis(100))));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(100), "gave up early: {waited:?}");
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    seen.release();
    assert!(worker.flush(within(DEADLINE)));
}

#[test]
fn dropping_the_worker_consumes_what_is_queued() {
    let (probe, seen) = probe(true);
    let (worker, _) = spawn(WorkerConfig::new("test-drop", 10_000), probe);
    for i in 0..3_001 {
        worker.send(i);
    }
    drop(worker);
    assert_eq!(seen.consumed(), 3_001);
}

#[test]
fn close_gives_up_at_its_deadline_and_counts_what_was_left() {
    let (mut worker, seen, losses) = stuck_on_first(WorkerConfig::new("test-close", 100));
    for i in 1..50 {
        worker.send(i);
    }
    let started = Instant::now();
    assert!(!worker.close(within(Duration::from_millis(100))));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The consumer is stuck on the first item; the 49 behind it were abandoned.
    assert_eq!(worker.abandoned(), 49);
    assert_eq!(losses[1].load(Ordering::SeqCst), 49, "the hook heard each one");
    assert_eq!(worker.dropped(), 0);
    seen.release();
    wait_until(|| seen.consumed() == 1);
    assert_eq!(
        *seen.log.lock(),
        ["0"],
        "the stuck item is finished, nothing after it"
    );
}

#[test]
fn close_is_not_a_success_while_the_consumer_holds_items() {
    let (mut worker, seen, _) = stuck_on_first(WorkerConfig::new("test-held", 100));
    assert_eq!(worker.in_flight(), 1);
    assert!(
        !worker.close(within(Duration::from_millis(50))),
        "the one item is not consumed"
    );
    assert_eq!(
        worker.abandoned(),
        0,
        "nothing was abandoned: the consumer still holds it"
    );
    seen.release();
    wait_until(|| seen.consumed() == 1);
    assert_eq!(seen.consumed(), 1, "the consumer finishes the item once it can");
    assert!(worker.close(within(DEADLINE)), "closing twice is a no-op");
}

#[test]
fn a_panicking_consumer_is_counted_and_the_thread_carries_on() {
    let (mut probe, seen) = probe(true);
    probe.panic_on = |item| item % 10 == 3;
    probe.panic_in_end_batch = true;
    let (worker, _) = spawn(WorkerConfig::new("test-panic", 1_000).batch(5), probe);
    for i in 0..30 {
        worker.send(i);
    }
    assert!(
        worker.flush(within(DEADLINE)),
        "a panic does not lose the item's count"
    );
    let item_panics = ["3", "13", "23"];
    let batches = seen.panics.lock().iter().filter(|p| *p == "end_batch").count();
    assert!(
        batches >= 6,
        "every batch of at most 5 ended in a panic: {batches}"
    );
    assert_eq!(worker.panicked(), (item_panics.len() + batches) as u64);
    let items: Vec<String> = seen
        .panics
        .lock()
        .iter()
        .filter(|p| *p != "end_batch")
        .cloned()
        .collect();
    assert_eq!(
        items, item_panics,
        "`panicked` was told which item, even after a panic in it"
    );
    assert_eq!(seen.consumed(), 30 - item_panics.len());
    assert!(worker.send(31), "the thread is still alive");
    assert!(worker.flush(within(DEADLINE)));
    assert_eq!(seen.consumed(), 31 - item_panics.len());
}

#[test]
fn batches_keep_the_order_and_their_bound() {
    let (probe, seen) = probe(false);
    let (worker, _) = spawn(WorkerConfig::new("test-batch", 100).batch(3), probe);
    for i in 0..20 {
        worker.send(i);
    }
    seen.release();
    assert!(worker.flush(within(DEADLINE)));
    let expected: Vec<String> = (0..20).map(|i: u32| i.to_string()).collect();
    assert_eq!(*seen.log.lock(), expected);
    assert_eq!(seen.largest_batch.load(Ordering::SeqCst), 3);
}

#[test]
fn a_due_tick_runs_while_idle_and_before_the_next_batch() {
    let (probe, seen) = probe(false);
    *seen.tick_at.lock() = Some(within(Duration::from_millis(30)));
    let (worker, _) = spawn(WorkerConfig::new("test-tick", 10).batch(1), probe);
    wait_until(|| !seen.log.lock().is_empty());
    assert_eq!(*seen.log.lock(), ["tick"], "the tick woke the idle thread");

    worker.send(1);
    wait_until(|| seen.entered.load(Ordering::SeqCst) == 1);
    worker.send(2);
    *seen.tick_at.lock() = Some(Instant::now());
    seen.release();
    assert!(worker.flush(within(DEADLINE)));
    assert_eq!(*seen.log.lock(), ["tick", "1", "tick", "2"]);
}

#[test]
fn no_tick_runs_once_closing_began() {
    let (worker, seen, _) = stuck_on_first(WorkerConfig::new("test-no-tick", 10));
    worker.send(1);
    *seen.tick_at.lock() = Some(Instant::now());
    let shared = Arc::clone(&worker.shared);
    let closer = std::thread::spawn(move || {
        let mut worker = worker;
        worker.close(within(DEADLINE))
    });
    wait_until(|| shared.state.lock().closing);
    seen.release();
    assert!(closer.join().unwrap());
    assert_eq!(*seen.log.lock(), ["0", "1"]);
}

#[test]
fn a_quiet_worker_still_picks_up_a_late_item() {
    let (probe, seen) = probe(true);
    let (worker, _) = spawn(WorkerConfig::new("test-quiet", 10), probe);
    std::thread::sleep(LINGER * 5);
    worker.send(1);
    assert!(worker.flush(within(DEADLINE)));
    std::thread::sleep(LINGER * 5);
    worker.send(2);
    wait_until(|| seen.consumed() == 2);
    assert_eq!(seen.consumed(), 2);
}

#[test]
fn a_worker_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Worker<u32, Probe>>();
    let (probe, seen) = probe(true);
    let (worker, _) = spawn(WorkerConfig::new("test-shared", 10_000), probe);
    let worker = Arc::new(worker);
    let senders: Vec<_> = (0..4)
        .map(|t| {
            let worker = Arc::clone(&worker);
            std::thread::spawn(move || (0..500).for_each(|i| assert!(worker.send(t * 1000 + i))))
        })
        .collect();
    senders.into_iter().for_each(|s| s.join().unwrap());
    assert!(worker.flush(within(DEADLINE)));
    assert_eq!(seen.consumed(), 2_000);
}

#[test]
fn the_thread_has_its_name_and_debug_shows_the_counts() {
    struct ThreadName(std::sync::mpsc::Sender<Option<String>>);
    impl Consumer<u32> for ThreadName {
        fn consume(&mut self, _: u32) {
            self.0.send(std::thread::current().name().map(str::to_owned)).ok();
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = WorkerConfig::new("observa-test-name", 1)
        .spawn(ThreadName(tx))
        .unwrap();
    worker.send(1);
    worker.send(2);
    let name = rx.recv_timeout(DEADLINE).unwrap();
    assert_eq!(name.as_deref(), Some("observa-test-name"));
    let debug = format!("{worker:?}");
    assert!(
        debug.starts_with(r#"Worker { name: "observa-test-name", capacity: 1"#),
        "{debug}"
    );
    assert!(debug.contains("dropped: "), "{debug}");
}

#[test]
fn drain_here_consumes_on_this_thread_after_the_batch_in_flight() {
    let (worker, seen, _) = stuck_on_first(WorkerConfig::new("test-drain-here", 100));
    worker.send(1);
    worker.send(2);
    let worker = Arc::new(worker);
    let drainer = {
        let worker = Arc::clone(&worker);
        std::thread::spawn(move || worker.drain_here())
    };
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(seen.consumed(), 0, "the drain waits for the batch in flight");
    seen.release();
    drainer.join().unwrap();
    assert_eq!(
        *seen.log.lock(),
        ["0", "1", "2"],
        "all of it, in order, once drained"
    );
    assert_eq!(worker.queued(), 0);
}

#[test]
fn a_lazy_worker_starts_its_thread_with_the_first_item() {
    let (probe, seen) = probe(true);
    let worker = WorkerConfig::new("test-lazy", 10).lazy(probe);
    assert!(worker.thread.lock().is_none(), "no thread before the first item");
    assert!(worker.flush(within(DEADLINE)), "nothing to wait for");
    worker.send(1);
    assert!(worker.thread.lock().is_some());
    worker.send(2);
    assert!(worker.flush(within(DEADLINE)));
    assert_eq!(seen.consumed(), 2);
}

#[test]
fn close_here_consumes_everything_however_long_the_consumer_takes() {
    let (worker, seen, losses) = stuck_on_first(WorkerConfig::new("test-close-here", 100));
    for i in 1..50 {
        worker.send(i);
    }
    let closer = std::thread::spawn(move || {
        let mut worker = worker;
        worker.close_here();
        worker
    });
    std::thread::sleep(Duration::from_millis(20));
    seen.release();
    let worker = closer.join().unwrap();
    assert_eq!(seen.consumed(), 50);
    assert_eq!(worker.abandoned(), 0);
    assert_eq!(losses[1].load(Ordering::SeqCst), 0);
    assert!(!worker.send(50), "a closed worker accepts nothing");
}
