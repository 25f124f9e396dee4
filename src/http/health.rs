//! Health answers off the serving path: `/readyz` and `/health` run the
//! (blocking) checks on the runtime's blocking pool, a bounded number at a
//! time, within an overall deadline.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use crate::domain::HealthStatus;
use crate::health::HealthReport;
use crate::health::HealthService;

/// Which report a request wants.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Checks {
    /// The critical checks (`/readyz`).
    Readiness,
    /// Every check (`/health`).
    All,
}

/// Why no report could be given.
#[derive(Debug, PartialEq)]
pub(crate) enum Unavailable {
    /// Too many health runs in flight already.
    Busy(usize),
    /// The checks did not finish in time.
    Deadline(Duration),
    /// The checks panicked (or the runtime is shutting down).
    Failed,
}

impl Unavailable {
    /// An `application/health+json` body saying why (served with 503).
    pub(crate) fn to_health_json(&self) -> Value {
        let output = match self {
            Unavailable::Busy(n) => format!("health checks busy: {n} runs already in flight"),
            Unavailable::Deadline(d) => format!("health checks did not finish within {d:?}"),
            Unavailable::Failed => "health checks failed to run".to_owned(),
        };
        json!({ "status": "fail", "output": output })
    }
}

/// Bounds how many health runs are in flight and how long a request waits.
pub(crate) struct HealthGate {
    permits: Arc<Semaphore>,
    limit: usize,
    deadline: Duration,
}

impl HealthGate {
    pub(crate) fn new(limit: usize, deadline: Duration) -> Self {
        HealthGate {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            deadline,
        }
    }

    /// Runs the checks on the blocking pool. The slot stays taken until the
    /// run really ends, even when the request has given up waiting, so stuck
    /// probes cannot pile up threads beyond the bound.
    pub(crate) async fn run(
        &self,
        health: &HealthService,
        which: Checks,
    ) -> Result<HealthReport, Unavailable> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| Unavailable::Busy(self.limit))?;
        let health = health.clone();
        let run = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            match which {
                Checks::Readiness => health.readiness(),
                Checks::All => health.check_all(),
            }
        });
        match tokio::time::timeout(self.deadline, run).await {
            Ok(Ok(report)) => Ok(report),
            Ok(Err(_)) => Err(Unavailable::Failed),
            Err(_) => Err(Unavailable::Deadline(self.deadline)),
        }
    }
}

/// The report for a client without the token: the status and the check
/// names with their status, never probe output or observed values.
pub(crate) fn names_only_json(report: &HealthReport) -> Value {
    let mut root = match report.to_health_json(false) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let checks: Map<String, Value> = report
        .results()
        .iter()
        .map(|r| {
            let key = format!("{}:status", r.check.component());
            (key, json!([{ "status": ietf_status(r.check.status()) }]))
        })
        .collect();
    root.insert("checks".into(), Value::Object(checks));
    Value::Object(root)
}

fn ietf_status(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Healthy => "pass",
        HealthStatus::Degraded | HealthStatus::Unknown => "warn",
        HealthStatus::Unhealthy => "fail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::ProbeReport;

    #[test]
    fn names_only_hides_probe_output() {
        let obs = crate::Observability::builder()
            .service("api", "1")
            .build()
            .unwrap();
        obs.health()
            .register("db", || {
                ProbeReport::unhealthy("postgres://admin:hunter2@10.0.0.5")
            })
            .unwrap();
        let report = obs.health().readiness();
        let shown = names_only_json(&report).to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("\"db:status\""), "{shown}");
        assert!(shown.contains("\"fail\""), "{shown}");
    }

    #[test]
    fn busy_and_deadline_answers() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let obs = crate::Observability::builder()
            .service("api", "1")
            .build()
            .unwrap();
        obs.health()
            .register("slow", || {
                std::thread::sleep(Duration::from_millis(300));
                Ok::<(), String>(())
            })
            .unwrap();
        let gate = HealthGate::new(1, Duration::from_millis(50));
        runtime.block_on(async {
            let first = gate.run(obs.health(), Checks::Readiness).await;
            assert_eq!(
                first.unwrap_err(),
                Unavailable::Deadline(Duration::from_millis(50))
            );
            // the first run still holds the only slot
            let second = gate.run(obs.health(), Checks::Readiness).await;
            assert_eq!(second.unwrap_err(), Unavailable::Busy(1));
        });
    }
}
