//! How probe runs are scheduled: shared by concurrent requests, cached for
//! the default TTL, never started twice while one runs, started again after
//! a panic, and reported "not started" when every worker is stuck.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use observa::health::{CheckOptions, HealthConfig, ProbeReport};
use observa::prelude::*;

fn obs(workers: usize) -> Observability {
    Observability::builder()
        .service("orders", "1")
        .health(HealthConfig::default().probe_workers(workers))
        .build()
        .unwrap()
}

fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn concurrent_requests_share_one_run_and_the_default_ttl_reuses_it() {
    const CALLERS: usize = 8;
    let obs = obs(4);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    obs.health()
        .register("database", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            true
        })
        .unwrap();
    let barrier = Arc::new(Barrier::new(CALLERS));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (obs, barrier) = (obs.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                obs.health().readiness()
            })
        })
        .collect();
    let reports: Vec<_> = callers.into_iter().map(|c| c.join().unwrap()).collect();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "one run for {CALLERS} concurrent requests"
    );
    for report in &reports {
        assert_eq!(report.status(), HealthStatus::Healthy, "{:?}", report.results());
    }
    let fresh = reports.iter().filter(|r| !r.results()[0].cached).count();
    assert_eq!(fresh, 1, "only the request that started the run records it");
    assert_eq!(obs.health().history("database", 10).unwrap().len(), 1);
    obs.health().check_all();
    assert_eq!(runs.load(Ordering::SeqCst), 1, "reused within the default TTL");
}

#[test]
fn a_probe_that_panics_after_its_timeout_runs_again() {
    let obs = obs(4);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let options = CheckOptions::critical()
        .timeout(Duration::from_millis(50))
        .cache_ttl(Duration::ZERO);
    obs.health()
        .register_with("flaky", options, move || {
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_millis(150));
                panic!("probe bug after the deadline");
            }
            ProbeReport::healthy()
        })
        .unwrap();
    let first = obs.health().check_all();
    assert!(
        first.results()[0].check.message().contains("timed out"),
        "{:?}",
        first.results()[0]
    );
    // once the first run has panicked, the check runs (and passes) again
    wait_until("the check healthy again", || {
        obs.health().check_all().status() == HealthStatus::Healthy
    });
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[test]
fn when_every_worker_is_stuck_checks_are_not_started_and_no_thread_is_added() {
    let obs = obs(1);
    let (release, stuck) = mpsc::channel::<()>();
    let stuck = Mutex::new(stuck);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let short = CheckOptions::critical()
        .timeout(Duration::from_millis(50))
        .cache_ttl(Duration::ZERO);
    obs.health()
        .register_with("stuck", short, move || {
            if counted.fetch_add(1, Ordering::SeqCst) > 0 {
                return true;
            }
            stuck
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(10))
                .is_ok()
        })
        .unwrap();
    obs.health().register_with("fast", short, || true).unwrap();
    for round in 0..3 {
        let report = obs.health().check_all();
        let (stuck, fast) = (&report.results()[0].check, &report.results()[1].check);
        assert_eq!(stuck.status(), HealthStatus::Unhealthy);
        assert!(
            stuck.message().contains("timed out"),
            "round {round}: {}",
            stuck.message()
        );
        assert_eq!(fast.status(), HealthStatus::Unhealthy);
        assert!(
            fast.message().contains("not started"),
            "round {round}: {}",
            fast.message()
        );
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "a hung probe is never started twice"
    );
    release.send(()).unwrap();
    wait_until("both checks healthy again", || {
        obs.health().check_all().status() == HealthStatus::Healthy
    });
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
