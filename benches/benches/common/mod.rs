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

/// Runs `probe(what, n)` when `OBSERVA_PROBE=<what>:<n>` is set (for
/// counting instructions with `valgrind --tool=callgrind`: subtract a run
/// with `n` = 0), else the criterion `benches` and their summary.
#[allow(dead_code)]
pub fn probe_or_bench(probe: impl FnOnce(&str, u64), benches: impl FnOnce()) {
    match std::env::var("OBSERVA_PROBE") {
        Ok(spec) => {
            let (what, n) = spec.split_once(':').expect("OBSERVA_PROBE=<what>:<n>");
            probe(what, n.parse().expect("a count"));
        }
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}

/// A probe's loop, out of line, so that
/// `--toggle-collect='<bench>::common::probe_loop*'` counts just it (on the
/// calling thread).
#[allow(dead_code)]
#[inline(never)]
pub fn probe_loop(n: u64, mut op: impl FnMut()) {
    for _ in 0..n {
        op();
    }
}
