//! [`HealthReport`]: a roll-up of check results, and its IETF
//! `application/health+json` and compact JSON forms.

use serde_json::{json, Map, Value};

use super::CheckResult;
use crate::domain::HealthStatus;

/// The media type of the IETF health-check response format.
pub const HEALTH_JSON: &str = "application/health+json";

/// Worst wins: unhealthy > degraded > healthy. A failing optional check
/// counts as degraded, a failing critical one as unhealthy. Unknown results
/// are ignored unless every result is unknown (or there are none).
///
/// The one roll-up rule: both [`HealthReport::status`] (a run of checks)
/// and `HealthService::overall` (the latest recorded result per component)
/// use it, so the same results give the same answer. A readiness answer
/// must fail when one critical dependency fails, however many others pass.
///
/// ```
/// use observa::health::worst_wins;
/// use observa::HealthStatus::*;
///
/// // (status, critical)
/// assert_eq!(worst_wins([(Healthy, true), (Unhealthy, false)]), Degraded);
/// assert_eq!(worst_wins([(Healthy, true), (Unhealthy, true)]), Unhealthy);
/// assert_eq!(worst_wins([(Unknown, true), (Healthy, true)]), Healthy);
/// assert_eq!(worst_wins([(Unknown, true)]), Unknown);
/// ```
pub fn worst_wins(results: impl IntoIterator<Item = (HealthStatus, bool)>) -> HealthStatus {
    let rank = |s: HealthStatus| match s {
        HealthStatus::Unknown => 0,
        HealthStatus::Healthy => 1,
        HealthStatus::Degraded => 2,
        HealthStatus::Unhealthy => 3,
    };
    results
        .into_iter()
        .map(|(status, critical)| match status {
            HealthStatus::Unhealthy if !critical => HealthStatus::Degraded,
            other => other,
        })
        .max_by_key(|s| rank(*s))
        .unwrap_or(HealthStatus::Unknown)
}

/// The result of running checks: the rolled-up status and every result.
///
/// ```
/// use observa::HealthStatus;
///
/// let obs = observa::Observability::builder().service("api", "2.0").build()?;
/// obs.health().register("database", || Ok::<(), String>(()))?;
/// let report = obs.health().check_all();
/// assert_eq!(report.status(), HealthStatus::Healthy);
/// assert_eq!(report.http_status(), 200);
/// let json = report.to_health_json(true);
/// assert_eq!(json["status"], "pass");
/// assert_eq!(json["checks"]["database:status"][0]["status"], "pass");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HealthReport {
    status: HealthStatus,
    results: Vec<CheckResult>,
    service: String,
    version: String,
}

impl HealthReport {
    pub(crate) fn new(results: Vec<CheckResult>, service: &str, version: &str) -> Self {
        let status = worst_wins(results.iter().map(|r| (r.check.status(), r.critical)));
        HealthReport {
            status,
            results,
            service: service.to_owned(),
            version: version.to_owned(),
        }
    }

    /// A report that passes with no checks (liveness: the process answers).
    pub(crate) fn assume_healthy(mut self) -> Self {
        if self.results.is_empty() {
            self.status = HealthStatus::Healthy;
        }
        self
    }

    /// The rolled-up status.
    pub fn status(&self) -> HealthStatus {
        self.status
    }

    /// Every result, in registration order.
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    /// 503 when the roll-up fails (unhealthy), else 200.
    pub fn http_status(&self) -> u16 {
        if self.status == HealthStatus::Unhealthy {
            503
        } else {
            200
        }
    }

    /// The IETF draft form (`application/health+json`): `status`
    /// pass/warn/fail, `version`, `serviceId`, and with `verbose` the
    /// `checks` object keyed `component:measurement`, each an array of
    /// objects with `status`, `time`, `observedValue`/`observedUnit` and
    /// `output` when not passing.
    pub fn to_health_json(&self, verbose: bool) -> Value {
        let mut root = Map::new();
        root.insert("status".into(), ietf_status(self.status).into());
        root.insert("version".into(), self.version.clone().into());
        root.insert("serviceId".into(), self.service.clone().into());
        if self.status != HealthStatus::Healthy {
            let failing: Vec<&str> = self
                .results
                .iter()
                .filter(|r| r.check.status() != HealthStatus::Healthy)
                .map(|r| r.check.component())
                .collect();
            root.insert(
                "output".into(),
                format!("not passing: {}", failing.join(", ")).into(),
            );
        }
        if verbose {
            root.insert("checks".into(), Value::Object(self.checks_json()));
        }
        Value::Object(root)
    }

    fn checks_json(&self) -> Map<String, Value> {
        let mut checks = Map::new();
        for result in &self.results {
            let check = &result.check;
            let base = |measurement: &str| {
                let mut entry = Map::new();
                entry.insert("componentType".into(), "component".into());
                entry.insert("status".into(), ietf_status(check.status()).into());
                entry.insert("time".into(), check.timestamp().to_rfc3339().into());
                if check.status() != HealthStatus::Healthy && !check.message().is_empty() {
                    entry.insert("output".into(), check.message().into());
                }
                if measurement == "responseTime" {
                    entry.insert(
                        "observedValue".into(),
                        json!(check.duration().as_secs_f64() * 1e3),
                    );
                    entry.insert("observedUnit".into(), "ms".into());
                }
                entry
            };
            let component = check.component();
            checks.insert(format!("{component}:responseTime"), json!([base("responseTime")]));
            if check.observations().is_empty() {
                checks.insert(format!("{component}:status"), json!([base("status")]));
            }
            for observation in check.observations() {
                let mut entry = base(observation.name());
                entry.insert("observedValue".into(), json!(observation.value()));
                entry.insert("observedUnit".into(), observation.unit().into());
                checks.insert(format!("{component}:{}", observation.name()), json!([entry]));
            }
        }
        checks
    }

    /// A compact summary: `{"status": "healthy", "checks": {"db": "healthy", ...}}`.
    pub fn to_summary_json(&self) -> Value {
        let checks: Map<String, Value> = self
            .results
            .iter()
            .map(|r| (r.check.component().to_owned(), r.check.status().as_str().into()))
            .collect();
        json!({ "status": self.status.as_str(), "checks": checks })
    }
}

/// healthy → pass, degraded and unknown → warn, unhealthy → fail.
fn ietf_status(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Healthy => "pass",
        HealthStatus::Degraded | HealthStatus::Unknown => "warn",
        HealthStatus::Unhealthy => "fail",
    }
}
