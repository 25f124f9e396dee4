//! [`Checks`]: registered probes, run on a bounded worker pool, each within
//! its deadline, one run per check at a time, results cached for their TTL.
//!
//! A request for a check takes, in order: the cached result if it is younger
//! than the check's TTL; else the run already in flight (queued or running,
//! started by another request: single-flight); else a new run submitted to
//! the pool. It then waits until that run's deadline (submission + timeout).
//! A run still queued at its deadline is taken back ("not started"); a run
//! still running is left to finish ("timed out"): its worker is busy until
//! the probe returns, and no second run of that check starts meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, RwLock};

use super::pool::{Pool, Task};
use super::{CheckOptions, Probe, ProbeReport, MAX_CHECKS};
use crate::domain::{HealthCheck, HealthStatus};
use crate::error::{ObsError, Result};

/// One check's result in a report: the recorded entity and whether the check is critical.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// The result, as stored in the health repository.
    pub check: HealthCheck,
    /// Whether the check is critical (see [`CheckOptions`]).
    pub critical: bool,
    /// Whether the result came from an earlier or shared run (the cache, or a
    /// run another concurrent request started) rather than a run this request
    /// started. Such results are not recorded again.
    pub cached: bool,
}

struct Registered {
    name: String,
    probe: Arc<dyn Probe>,
    options: CheckOptions,
    state: Mutex<CheckState>,
}

#[derive(Default)]
struct CheckState {
    /// The latest result and when it arrived.
    cache: Option<(Instant, HealthCheck)>,
    /// The run queued or running; cleared when it lands, however it ends.
    flight: Option<Arc<Flight>>,
}

/// One run of one check, shared by every request that asks meanwhile.
struct Flight {
    check: Arc<Registered>,
    deadline: Instant,
    began: AtomicBool,
    outcome: Mutex<Option<HealthCheck>>,
    landed: Condvar,
}

impl Task for Flight {
    fn run(&self) {
        self.began.store(true, Ordering::Release);
        let mut landing = Landing {
            flight: self,
            started: Instant::now(),
            report: None,
        };
        landing.report = Some(self.check.probe.check());
    }
}

/// Lands its flight when dropped: with the probe's report, or, when the
/// probe panicked, with an unhealthy "the check panicked". Either way the
/// check's in-flight mark is cleared, so the check can run again.
struct Landing<'a> {
    flight: &'a Flight,
    started: Instant,
    report: Option<ProbeReport>,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let report = self
            .report
            .take()
            .unwrap_or_else(|| ProbeReport::unhealthy("the check panicked"));
        let flight = self.flight;
        let check = to_entity(&flight.check, report, self.started.elapsed());
        {
            let mut state = flight.check.state.lock();
            state.cache = Some((Instant::now(), check.clone()));
            if state
                .flight
                .as_ref()
                .is_some_and(|f| std::ptr::eq(Arc::as_ptr(f), flight))
            {
                state.flight = None;
            }
        }
        *flight.outcome.lock() = Some(check);
        flight.landed.notify_all();
    }
}

/// The registered checks and the pool that runs them.
pub(crate) struct Checks {
    registered: RwLock<Vec<Arc<Registered>>>,
    pool: Pool<Flight>,
}

/// What a request waits for.
enum Waiting {
    Known(CheckResult),
    Flight {
        flight: Arc<Flight>,
        /// Whether this request submitted the run.
        started_here: bool,
        asked: Instant,
    },
}

impl Checks {
    /// No checks yet; runs use at most `workers` threads.
    pub(crate) fn new(workers: usize) -> Self {
        Checks {
            registered: RwLock::default(),
            pool: Pool::new(workers, MAX_CHECKS),
        }
    }

    pub(crate) fn register(&self, name: &str, options: CheckOptions, probe: Arc<dyn Probe>) -> Result<()> {
        HealthCheck::new(name, HealthStatus::Unknown, "")?; // the component name must be valid
        if options.timeout_value().is_zero() {
            return Err(ObsError::configuration(
                "timeout",
                "a health check timeout must be positive",
            ));
        }
        let mut registered = self.registered.write();
        if registered.iter().any(|r| r.name == name) {
            return Err(ObsError::conflict(
                "health check",
                format!("`{name}` is already registered"),
            ));
        }
        if registered.len() >= MAX_CHECKS {
            return Err(ObsError::Capacity {
                resource: "health checks".into(),
                limit: MAX_CHECKS,
            });
        }
        registered.push(Arc::new(Registered {
            name: name.to_owned(),
            probe,
            options,
            state: Mutex::default(),
        }));
        Ok(())
    }

    /// Runs every check accepted by `filter`; waits at most each check's
    /// timeout. Results are in registration order.
    pub(crate) fn run(&self, filter: impl Fn(&CheckOptions) -> bool) -> Vec<CheckResult> {
        let selected: Vec<_> = self
            .registered
            .read()
            .iter()
            .filter(|r| filter(&r.options))
            .cloned()
            .collect();
        let waiting: Vec<Waiting> = selected.into_iter().map(|c| self.start(c)).collect();
        waiting.into_iter().map(|w| self.finish(w)).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.registered.read().is_empty()
    }

    /// Whether `component` is registered as critical (`None` if not registered).
    pub(crate) fn is_critical(&self, component: &str) -> Option<bool> {
        let registered = self.registered.read();
        let check = registered.iter().find(|r| r.name == component)?;
        Some(check.options.is_critical())
    }

    fn start(&self, check: Arc<Registered>) -> Waiting {
        let asked = Instant::now();
        let mut state = check.state.lock();
        if let Some((at, cached)) = &state.cache {
            if asked.duration_since(*at) < check.options.cache_ttl_value() {
                return Waiting::Known(CheckResult {
                    check: cached.clone(),
                    critical: check.options.is_critical(),
                    cached: true,
                });
            }
        }
        if let Some(flight) = &state.flight {
            let flight = Arc::clone(flight);
            return Waiting::Flight {
                flight,
                started_here: false,
                asked,
            };
        }
        let flight = Arc::new(Flight {
            check: Arc::clone(&check),
            deadline: asked + check.options.timeout_value(),
            began: AtomicBool::new(false),
            outcome: Mutex::new(None),
            landed: Condvar::new(),
        });
        if self.pool.submit(Arc::clone(&flight)).is_err() {
            drop(state);
            let report = ProbeReport::unhealthy("not started: the probe queue is full");
            return Waiting::Known(fresh(&check, report, Duration::ZERO));
        }
        state.flight = Some(Arc::clone(&flight));
        Waiting::Flight {
            flight,
            started_here: true,
            asked,
        }
    }

    fn finish(&self, waiting: Waiting) -> CheckResult {
        let (flight, started_here, asked) = match waiting {
            Waiting::Known(done) => return done,
            Waiting::Flight {
                flight,
                started_here,
                asked,
            } => (flight, started_here, asked),
        };
        let check = &flight.check;
        {
            let mut outcome = flight.outcome.lock();
            while outcome.is_none()
                && !flight
                    .landed
                    .wait_until(&mut outcome, flight.deadline)
                    .timed_out()
            {}
            if let Some(landed) = &*outcome {
                return CheckResult {
                    check: landed.clone(),
                    critical: check.options.is_critical(),
                    cached: !started_here,
                };
            }
        }
        let timeout = check.options.timeout_value();
        let workers = self.pool.size();
        let report = if started_here && self.pool.cancel(&flight) {
            let mut state = check.state.lock();
            if state.flight.as_ref().is_some_and(|f| Arc::ptr_eq(f, &flight)) {
                state.flight = None;
            }
            ProbeReport::unhealthy(format!(
                "not started within {timeout:?}: all {workers} probe workers were busy"
            ))
        } else if !flight.began.load(Ordering::Acquire) {
            ProbeReport::unhealthy(format!("not started: all {workers} probe workers are busy"))
        } else if started_here {
            ProbeReport::unhealthy(format!("timed out after {timeout:?}"))
        } else {
            ProbeReport::unhealthy("timed out: the previous run has not returned yet")
        };
        fresh(check, report, asked.elapsed())
    }
}

/// A result this request produced (recorded by the service).
fn fresh(check: &Registered, report: ProbeReport, took: Duration) -> CheckResult {
    CheckResult {
        check: to_entity(check, report, took),
        critical: check.options.is_critical(),
        cached: false,
    }
}

fn to_entity(check: &Registered, report: ProbeReport, took: Duration) -> HealthCheck {
    let mut builder = HealthCheck::builder(check.name.clone(), report.status()).duration(took);
    for observation in report.observations() {
        builder = builder.observation(observation.clone());
    }
    let entity = builder.message(report.message()).build().or_else(|err| {
        // a probe's message broke a rule (blank, too long): keep the status, say why
        HealthCheck::builder(check.name.clone(), report.status())
            .duration(took)
            .message(format!("invalid probe report: {err}"))
            .build()
    });
    entity.expect("a registered name and a generated message are valid")
}
