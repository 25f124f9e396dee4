//! Ids from the thread-local generator: unique across threads, never zero,
//! entity ids are version 4 UUIDs.

use std::collections::HashSet;

use observa::{Alert, AlertSeverity, HealthCheck, HealthStatus, LogEntry, LogLevel, Span, SpanId, TraceId};
use uuid::{Variant, Version};

const THREADS: usize = 8;
const PER_THREAD: usize = 20_000;

fn from_threads<T: Send + 'static>(make: fn() -> T) -> Vec<Vec<T>> {
    let workers: Vec<_> = (0..THREADS)
        .map(|_| std::thread::spawn(move || (0..PER_THREAD).map(|_| make()).collect::<Vec<T>>()))
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}

#[test]
fn ids_differ_across_threads_and_are_never_zero() {
    let span_ids: HashSet<SpanId> = from_threads(SpanId::random).into_iter().flatten().collect();
    assert_eq!(span_ids.len(), THREADS * PER_THREAD);
    assert!(span_ids.iter().all(|id| id.to_bytes() != [0; 8]));

    let trace_ids: HashSet<TraceId> = from_threads(TraceId::random).into_iter().flatten().collect();
    assert_eq!(trace_ids.len(), THREADS * PER_THREAD);
    assert!(trace_ids.iter().all(|id| id.to_bytes() != [0; 16]));

    let first_of_each: HashSet<SpanId> = from_threads(SpanId::random).iter().map(|ids| ids[0]).collect();
    assert_eq!(
        first_of_each.len(),
        THREADS,
        "every thread seeds its own generator"
    );
}

#[test]
fn uuids_are_version_4_and_unique_across_threads() {
    let uuids: Vec<uuid::Uuid> = from_threads(observa::domain::random_uuid)
        .into_iter()
        .flatten()
        .collect();
    assert!(uuids
        .iter()
        .all(|u| u.get_version() == Some(Version::Random) && u.get_variant() == Variant::RFC4122));
    assert_eq!(uuids.iter().collect::<HashSet<_>>().len(), uuids.len());
}

#[test]
fn every_entity_id_is_a_version_4_uuid() {
    let ids = [
        Span::root("op", "svc").unwrap().id(),
        LogEntry::new(LogLevel::Info, "m").unwrap().id(),
        Alert::new("t", "m", AlertSeverity::Low).unwrap().id(),
        HealthCheck::new("db", HealthStatus::Healthy, "").unwrap().id(),
    ];
    for id in ids {
        assert_eq!(id.get_version(), Some(Version::Random), "{id}");
    }
}

/// The fastest of a few rounds of `n` calls.
fn fastest(rounds: usize, n: usize, mut f: impl FnMut()) -> std::time::Duration {
    (0..rounds)
        .map(|_| {
            let started = std::time::Instant::now();
            for _ in 0..n {
                f();
            }
            started.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn an_id_costs_far_less_than_a_system_call() {
    const N: usize = 100_000;
    let ours = fastest(5, N, || {
        std::hint::black_box(SpanId::random());
    });
    let syscall = fastest(5, N, || {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        std::hint::black_box(bytes);
    });
    // Release builds measure about 1-2 ns against 300-600 ns (see the
    // id_generation benchmark); an unoptimised build on a loaded 2-core
    // machine has measured 3.9x apart, so the bound asks for 2x.
    eprintln!("ids {ours:?} vs getrandom {syscall:?}");
    assert!(
        ours * 2 < syscall,
        "ids {ours:?} vs getrandom {syscall:?} for {N}"
    );
}
