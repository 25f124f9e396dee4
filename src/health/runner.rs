//! [`Checks`]: registered probes, run concurrently on plain threads, each
//! with its timeout and cache.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};

use super::{CheckOptions, Probe, ProbeReport};
use crate::domain::{HealthCheck, HealthStatus};
use crate::error::{ObsError, Result};

/// One check's result in a report: the recorded entity and whether the check is critical.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// The result, as stored in the health repository.
    pub check: HealthCheck,
    /// Whether the check is critical (see [`CheckOptions`]).
    pub critical: bool,
    /// Whether the result came from the cache rather than a fresh run.
    pub cached: bool,
}

struct Registered {
    name: String,
    probe: Arc<dyn Probe>,
    options: CheckOptions,
    cache: Mutex<Option<(Instant, HealthCheck)>>,
    /// Set while a run is in flight; a hung probe keeps it set, and no second
    /// thread is started for it until it returns.
    running: Arc<AtomicBool>,
}

/// The registered checks.
#[derive(Default)]
pub(crate) struct Checks {
    registered: RwLock<Vec<Arc<Registered>>>,
}

/// A run started on its own thread, or a result known without running.
enum Pending {
    Running(Arc<Registered>, Instant, mpsc::Receiver<ProbeReport>),
    Done(CheckResult),
}

impl Checks {
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
        registered.push(Arc::new(Registered {
            name: name.to_owned(),
            probe,
            options,
            cache: Mutex::new(None),
            running: Arc::new(AtomicBool::new(false)),
        }));
        Ok(())
    }

    /// Runs every check accepted by `filter` concurrently; waits at most each
    /// check's timeout. Results are in registration order.
    pub(crate) fn run(&self, filter: impl Fn(&CheckOptions) -> bool) -> Vec<CheckResult> {
        let selected: Vec<_> = self
            .registered
            .read()
            .iter()
            .filter(|r| filter(&r.options))
            .cloned()
            .collect();
        let pending: Vec<Pending> = selected.into_iter().map(start).collect();
        pending.into_iter().map(finish).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.registered.read().is_empty()
    }
}

fn start(check: Arc<Registered>) -> Pending {
    let now = Instant::now();
    if let Some((at, cached)) = &*check.cache.lock() {
        if now.duration_since(*at) < check.options.cache_ttl_value() {
            return Pending::Done(CheckResult {
                check: cached.clone(),
                critical: check.options.is_critical(),
                cached: true,
            });
        }
    }
    if check.running.swap(true, Ordering::AcqRel) {
        let report = ProbeReport::unhealthy("timed out: the previous run has not returned yet");
        return Pending::Done(result(&check, report, Duration::ZERO));
    }
    let (sender, receiver) = mpsc::sync_channel(1);
    let probe = Arc::clone(&check.probe);
    let running = Arc::clone(&check.running);
    let spawned = std::thread::Builder::new()
        .name(format!("observa-check-{}", check.name))
        .spawn(move || {
            let report = probe.check();
            running.store(false, Ordering::Release);
            let _ = sender.send(report);
        });
    if let Err(err) = spawned {
        check.running.store(false, Ordering::Release);
        let report = ProbeReport::unhealthy(format!("could not start the check thread: {err}"));
        return Pending::Done(result(&check, report, Duration::ZERO));
    }
    Pending::Running(check, now, receiver)
}

fn finish(pending: Pending) -> CheckResult {
    let (check, started, receiver) = match pending {
        Pending::Done(done) => return done,
        Pending::Running(check, started, receiver) => (check, started, receiver),
    };
    let deadline = started + check.options.timeout_value();
    let report = match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(report) => report,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ProbeReport::unhealthy(format!("timed out after {:?}", check.options.timeout_value()))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            check.running.store(false, Ordering::Release);
            ProbeReport::unhealthy("the check panicked")
        }
    };
    let done = result(&check, report, started.elapsed());
    *check.cache.lock() = Some((started, done.check.clone()));
    done
}

fn result(check: &Registered, report: ProbeReport, took: Duration) -> CheckResult {
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
    CheckResult {
        check: entity.expect("a registered name and a generated message are valid"),
        critical: check.options.is_critical(),
        cached: false,
    }
}
