//! The probe pool keeps the process's thread count bounded however many
//! checks are registered and however many requests ask at once. Alone in its
//! binary so no other test's threads disturb the count.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use observa::health::{CheckOptions, HealthConfig};
use observa::prelude::*;

/// Threads of this process, as the kernel lists them.
#[cfg(target_os = "linux")]
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[cfg(target_os = "linux")]
#[test]
fn a_thousand_probes_from_several_callers_run_on_a_bounded_number_of_threads() {
    const PROBES: usize = 1_000;
    const CALLERS: usize = 4;
    const WORKERS: usize = 4;
    let obs = Observability::builder()
        .service("orders", "1")
        .health(HealthConfig::default().probe_workers(WORKERS))
        .build()
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    for i in 0..PROBES {
        let runs = Arc::clone(&runs);
        let options = CheckOptions::critical().cache_ttl(Duration::ZERO);
        obs.health()
            .register_with(&format!("probe_{i}"), options, move || {
                runs.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
                true
            })
            .unwrap();
    }
    let before = threads();
    let stop = Arc::new(AtomicBool::new(false));
    let most = Arc::new(AtomicUsize::new(before));
    let sampler = {
        let (stop, most) = (Arc::clone(&stop), Arc::clone(&most));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                most.fetch_max(threads(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let obs = obs.clone();
            std::thread::spawn(move || {
                for _ in 0..2 {
                    assert_eq!(obs.health().check_all().results().len(), PROBES);
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let most = most.load(Ordering::Relaxed);
    assert!(runs.load(Ordering::Relaxed) > 0, "the probes ran");
    // this thread's helpers: the sampler and the callers; the service's: its workers
    let bound = before + 1 + CALLERS + WORKERS;
    println!("{most} threads at the peak (before: {before}, bound {bound})");
    assert!(
        most <= bound,
        "{most} threads at the peak, bound {bound} (before: {before})"
    );
}
