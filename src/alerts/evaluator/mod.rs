//! [`Evaluator`]: evaluates [`AlertRule`]s against the live metrics
//! registry, walks each through Prometheus's state machine, and raises and
//! resolves alerts through the [`AlertService`].

mod history;
mod read;
mod worker;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use uuid::Uuid;

use crate::alerts::rules::{check_duration, AlertRule, Input, Machine, RuleState, Transition};
use crate::alerts::AlertService;
use crate::domain::{Alert, Labels};
use crate::error::{ObsError, Result};
use crate::metrics::MetricsService;

use history::History;
pub use history::{COARSE_CAPACITY, FINE_CAPACITY};
pub use worker::{RunningEvaluator, STOP_TIMEOUT};

/// How often rules are evaluated unless configured (Prometheus's default).
///
/// ```
/// assert_eq!(observa::alerts::DEFAULT_EVALUATION_INTERVAL.as_secs(), 60);
/// ```
pub const DEFAULT_EVALUATION_INTERVAL: Duration = Duration::from_secs(60);

/// Most rules one evaluator holds.
pub const MAX_RULES: usize = 1_000;

/// Where one rule stands after the latest evaluation.
///
/// ```
/// # use std::time::Duration;
/// # use observa::alerts::{Evaluator, rules::{AlertRule, Query, Selector, RuleState}};
/// # let obs = observa::Observability::builder().service("api", "1").build()?;
/// # let rule = AlertRule::builder("Deep", Query::gauge(Selector::new("depth")?).above(1.0)?).build()?;
/// let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(60))?;
/// let status = &evaluator.statuses()[0];
/// assert_eq!((status.rule.as_str(), status.state, status.value), ("Deep", RuleState::Inactive, None));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RuleStatus {
    /// The rule name.
    pub rule: String,
    /// The labels the alert carries (result labels, rule labels, `severity`, `alertname`).
    pub labels: Labels,
    /// Inactive, pending or firing.
    pub state: RuleState,
    /// The value of the latest evaluation at which the condition held, while pending or firing.
    pub value: Option<f64>,
    /// Since when the condition has held, while pending or firing.
    pub active_at: Option<DateTime<Utc>>,
    /// The alert raised when the rule fired, until it resolves.
    pub alert: Option<Uuid>,
}

struct RuleRuntime {
    rule: AlertRule,
    labels: Labels,
    inputs: Vec<Input>,
    history: History,
    machine: Machine,
    value: Option<f64>,
    alert: Option<Uuid>,
}

pub(crate) struct Core {
    metrics: MetricsService,
    alerts: AlertService,
    rules: Mutex<Vec<RuleRuntime>>,
    interval: Duration,
    failures: AtomicU64,
    /// The time of the latest step, in milliseconds (written under the `rules` lock).
    last_step_ms: AtomicI64,
}

/// Evaluates alert rules (and the rules of [`Slo`](crate::alerts::Slo)s)
/// in process. Each [`step`](Evaluator::step) reads every rule's inputs
/// from the live registry, records them in the rule's bounded
/// history (see [History](#history); no other copy of the data), evaluates the
/// condition and advances the rule's state: a rule that starts firing
/// raises an alert (de-duplicated by fingerprint), one that resolves
/// resolves it. Step it yourself with an injected clock, or
/// [`start`](Evaluator::start) it on its own thread.
///
/// # History
/// Each rule keeps at most [`FINE_CAPACITY`] per-evaluation snapshots and,
/// for windows longer than those cover, [`COARSE_CAPACITY`] snapshots taken
/// every `longest window / 1022`, so a 3-day window at a 1-minute interval
/// costs about 2,000 snapshots per rule and its start is placed to within
/// about 4 minutes.
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// use observa::alerts::{Evaluator, rules::{AlertRule, Query, Selector, RuleState}};
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let depth = obs.metrics().gauge("queue_depth", &[("queue", "orders")])?;
/// let rule = AlertRule::builder("QueueBacklog", Query::gauge(Selector::new("queue_depth")?).above(100.0)?)
///     .for_duration(Duration::from_secs(60))
///     .annotation("summary", "{{ $value }} orders waiting")
///     .build()?;
/// let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(60))?;
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// depth.set(250.0);
/// evaluator.step(t0)?;
/// assert_eq!(evaluator.statuses()[0].state, RuleState::Pending);
/// evaluator.step(t0 + chrono::Duration::minutes(1))?;
/// assert_eq!(evaluator.statuses()[0].state, RuleState::Firing);
/// assert_eq!(obs.alerts().active()?[0].message(), "250 orders waiting");
/// depth.set(3.0);
/// evaluator.step(t0 + chrono::Duration::minutes(2))?;
/// assert!(obs.alerts().active()?.is_empty()); // resolved
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct Evaluator {
    core: Arc<Core>,
}

impl Evaluator {
    /// An evaluator for `rules`, evaluated every `interval` (at least 1s,
    /// whole seconds; it sizes the histories). Nothing runs until
    /// [`step`](Self::step) or [`start`](Self::start).
    pub fn new(
        metrics: &MetricsService,
        alerts: &AlertService,
        rules: Vec<AlertRule>,
        interval: Duration,
    ) -> Result<Evaluator> {
        check_duration("evaluation interval", interval, 1)?;
        if rules.len() > MAX_RULES {
            return Err(ObsError::Capacity {
                resource: "alert rules".into(),
                limit: MAX_RULES,
            });
        }
        let runtimes = rules
            .into_iter()
            .map(|rule| {
                Ok(RuleRuntime {
                    labels: rule.alert_labels()?,
                    inputs: rule.condition().inputs(),
                    history: History::new(rule.condition().longest_window(), interval),
                    machine: Machine::new(rule.hold(), rule.keep_firing_for()),
                    value: None,
                    alert: None,
                    rule,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Evaluator {
            core: Arc::new(Core {
                metrics: metrics.clone(),
                alerts: alerts.clone(),
                rules: Mutex::new(runtimes),
                interval,
                failures: AtomicU64::new(0),
                last_step_ms: AtomicI64::new(i64::MIN),
            }),
        })
    }

    /// Evaluates every rule once at `now`. A `now` not later than the
    /// previous step's is refused (validation error, nothing changes), so a
    /// clock stepping back skips evaluations instead of corrupting windows.
    /// Every rule is evaluated even if raising or resolving one fails; the
    /// first such error is returned.
    pub fn step(&self, now: DateTime<Utc>) -> Result<()> {
        self.core.step(now)
    }

    /// Runs [`step`](Self::step) every interval on a thread named
    /// `observa-rule-evaluator`, until the returned handle is dropped or shut down.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use observa::alerts::{Evaluator, rules::{AlertRule, Query, Selector}};
    /// # let obs = observa::Observability::builder().service("api", "1").build()?;
    /// # let rule = AlertRule::builder("Deep", Query::gauge(Selector::new("depth")?).above(1.0)?).build()?;
    /// let running = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(1))?.start()?;
    /// assert!(running.shutdown(Duration::from_secs(5)));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn start(self) -> Result<RunningEvaluator> {
        RunningEvaluator::spawn(self.core)
    }

    /// Where each rule stands, in rule order.
    pub fn statuses(&self) -> Vec<RuleStatus> {
        self.core.statuses()
    }

    /// How many raises or resolutions failed so far.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use observa::alerts::Evaluator;
    /// # let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), vec![], Duration::from_secs(60))?;
    /// evaluator.step(chrono::Utc::now())?;
    /// assert_eq!(evaluator.failures(), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn failures(&self) -> u64 {
        self.core.failures.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("rules", &self.core.rules.lock().len())
            .field("interval", &self.core.interval)
            .finish()
    }
}

impl Core {
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn step(&self, now: DateTime<Utc>) -> Result<()> {
        let registry = self.metrics.registry();
        let mut first_error = None;
        let mut rules = self.rules.lock();
        let now_ms = now.timestamp_millis();
        if now_ms <= self.last_step_ms.load(Ordering::Relaxed) {
            return Err(ObsError::validation(
                "rule evaluation",
                "time",
                now,
                "must be later than the previous step (the clock went back; the step is skipped)",
            ));
        }
        self.last_step_ms.store(now_ms, Ordering::Relaxed);
        for rt in rules.iter_mut() {
            let readings = rt
                .inputs
                .iter()
                .map(|input| read::read(registry, input))
                .collect();
            rt.history.push(now_ms, readings);
            let value = rt.rule.condition().evaluate(&rt.history);
            if value.is_some() {
                rt.value = value;
            }
            let outcome = match rt.machine.step(value.is_some(), now) {
                Transition::Fired => self.raise(rt),
                Transition::Resolved => self.resolve(rt),
                Transition::None => Ok(()),
            };
            if rt.machine.state() == RuleState::Inactive {
                rt.value = None;
            }
            if let Err(e) = outcome {
                self.failures.fetch_add(1, Ordering::Relaxed);
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn raise(&self, rt: &mut RuleRuntime) -> Result<()> {
        let value = rt.value.unwrap_or(f64::NAN);
        let rule = &rt.rule;
        let rendered: Vec<(String, String)> = rule
            .annotations()
            .iter()
            .map(|(name, t)| (name.clone(), t.render(value, &rt.labels)))
            .collect();
        let message = rendered
            .iter()
            .find(|(n, _)| n == "summary")
            .map_or_else(|| rule.name().to_owned(), |(_, m)| m.clone());
        let mut builder = Alert::builder(rule.name(), message, rule.severity()).source("rule-evaluator");
        for (name, value) in rt.labels.iter() {
            builder = builder.label(name, value);
        }
        for (name, text) in rendered {
            builder = builder.annotation(name, text);
        }
        if let Some(at) = rt.machine.active_at() {
            builder = builder.starts_at(at);
        }
        rt.alert = Some(self.alerts.raise(builder.build()?)?.alert.id());
        Ok(())
    }

    fn resolve(&self, rt: &mut RuleRuntime) -> Result<()> {
        let Some(id) = rt.alert.take() else { return Ok(()) };
        match self.alerts.resolve(id) {
            // resolved by hand or gone from the repository meanwhile: nothing left to do
            Err(ObsError::Conflict { .. } | ObsError::NotFound { .. }) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn statuses(&self) -> Vec<RuleStatus> {
        self.rules
            .lock()
            .iter()
            .map(|rt| RuleStatus {
                rule: rt.rule.name().to_owned(),
                labels: rt.labels.clone(),
                state: rt.machine.state(),
                value: rt.value,
                active_at: rt.machine.active_at(),
                alert: rt.alert,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
