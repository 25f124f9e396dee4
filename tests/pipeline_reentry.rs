//! The span and log writers call user code (repositories, sinks) that may
//! read the services again, and `Observability::flush` keeps its timeout
//! whatever the repositories cost.

use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use observa::adapters::InMemoryRepository;
use observa::ports::{Evictions, Query, Record, Repository};
use observa::{LogEntry, LogLevel, Observability, Span};
use uuid::Uuid;

/// A repository that runs `on_save` before storing, with the container.
struct Hooked<E: Record> {
    inner: InMemoryRepository<E>,
    obs: OnceLock<Observability>,
    on_save: fn(&Observability),
}

impl<E: Record> Hooked<E> {
    fn new(on_save: fn(&Observability)) -> Arc<Self> {
        Arc::new(Hooked {
            inner: InMemoryRepository::new(10_000),
            obs: OnceLock::new(),
            on_save,
        })
    }
}

impl<E: Record> Repository<E> for Hooked<E> {
    fn save(&self, entity: E) -> observa::Result<()> {
        if let Some(obs) = self.obs.get() {
            (self.on_save)(obs);
        }
        self.inner.save(entity)
    }
    fn get(&self, id: Uuid) -> observa::Result<Option<E>> {
        self.inner.get(id)
    }
    fn recent(&self, n: usize) -> observa::Result<Vec<E>> {
        self.inner.recent(n)
    }
    fn query(&self, query: &Query) -> observa::Result<Vec<E>> {
        self.inner.query(query)
    }
    fn len(&self) -> observa::Result<usize> {
        self.inner.len()
    }
    fn purge_older_than(&self, cutoff: DateTime<Utc>) -> observa::Result<usize> {
        self.inner.purge_older_than(cutoff)
    }
    fn evictions(&self) -> Evictions {
        self.inner.evictions()
    }
}

/// Runs `f` on its own thread; fails the test if it does not end within 10 s.
fn within_10_s(f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(10))
        .expect("deadlocked: not done within 10 s");
}

#[test]
fn repositories_that_read_the_other_signal_while_saving_do_not_deadlock() {
    let logs = Hooked::<LogEntry>::new(|obs| {
        obs.logs().recent(10).unwrap();
        obs.tracing().by_operation("charge").unwrap();
    });
    let spans = Hooked::<Span>::new(|obs| {
        obs.tracing().by_operation("charge").unwrap();
        obs.logs().recent(10).unwrap();
    });
    let obs = Observability::builder()
        .service("shop", "1")
        .log_repository(logs.clone())
        .span_repository(spans.clone())
        .build()
        .unwrap();
    assert!(logs.obs.set(obs.clone()).is_ok() && spans.obs.set(obs.clone()).is_ok());
    within_10_s(move || {
        for i in 0..200 {
            obs.tracing().in_span("charge", || {
                obs.logs().log(LogLevel::Info, format!("paid {i}")).unwrap()
            });
        }
        assert!(obs.flush(Duration::from_secs(5)));
        assert_eq!(obs.logs().recent(1_000).unwrap().len(), 200);
        assert_eq!(obs.tracing().by_operation("charge").unwrap().len(), 200);
    });
}

#[test]
fn flush_keeps_its_timeout_behind_a_slow_repository() {
    let slow = Hooked::<LogEntry>::new(|_| std::thread::sleep(Duration::from_millis(2)));
    let obs = Observability::builder()
        .service("shop", "1")
        .log_repository(slow.clone())
        .build()
        .unwrap();
    assert!(slow.obs.set(obs.clone()).is_ok());
    for i in 0..1_000 {
        obs.logs().log(LogLevel::Info, format!("entry {i}")).unwrap();
    }
    let started = Instant::now();
    let flushed = obs.flush(Duration::from_millis(50));
    let took = started.elapsed();
    assert!(!flushed, "1,000 saves of 2 ms cannot be done in 50 ms");
    assert!(took < Duration::from_millis(1_000), "flush(50 ms) took {took:?}");
    assert!(obs.flush(Duration::from_secs(30)));
    assert_eq!(slow.len().unwrap(), 1_000);
}
