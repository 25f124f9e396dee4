//! Settings shared by every benchmark: short runs, so `make bench` ends in a
//! few minutes on a 2-core machine.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// 1 s warm-up, 2 s measurement, 50 samples.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

/// Runs `op` `iters` times on each of two threads; returns the wall time
/// from the common start to the last finish (thread start-up is not timed).
#[allow(dead_code)]
pub fn run_contended(iters: u64, op: &(impl Fn() + Sync)) -> Duration {
    const THREADS: usize = 2;
    let barrier = Barrier::new(THREADS);
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        op();
                    }
                    (start, Instant::now())
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let start = spans.iter().map(|s| s.0).min().unwrap();
    let end = spans.iter().map(|s| s.1).max().unwrap();
    end - start
}
