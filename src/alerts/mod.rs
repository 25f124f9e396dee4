//! Alerts: the [`AlertService`] that raises [`Alert`](crate::Alert)s,
//! de-duplicates them by fingerprint and tracks acknowledgement and
//! resolution; [`rules`] and [`Slo`]s that say when to raise them; the
//! [`Evaluator`] that evaluates them in process; and the [`RuleFile`] that
//! hands the same rules to Prometheus; [`drift`] detectors that notice a
//! series leaving its baseline; [`notify`] tells someone when an alert
//! fires or resolves.

pub mod drift;
mod evaluator;
pub mod notify;
mod rule_file;
pub mod rules;
mod service;
mod slo;

pub use evaluator::{
    Evaluator, RuleStatus, RunningEvaluator, COARSE_CAPACITY, DEFAULT_EVALUATION_INTERVAL, FINE_CAPACITY,
    MAX_RULES, STOP_TIMEOUT,
};
pub use rule_file::RuleFile;
pub use service::{AlertService, Raised};
pub use slo::{BurnWindow, Sli, Slo, SloBuilder};
