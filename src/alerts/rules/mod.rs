//! Alert rules: what to watch ([`Selector`], [`Query`], [`Condition`]), the
//! rule around it ([`AlertRule`]: `for`, `keep_firing_for`, labels,
//! [`Template`]d annotations) and where it stands ([`RuleState`]). The same
//! rules are evaluated in process by the
//! [`Evaluator`](crate::alerts::Evaluator) and exported as a Prometheus rule
//! file by [`RuleFile`](crate::alerts::RuleFile).

mod condition;
mod promql;
mod quantile;
mod readings;
mod rule;
mod selector;
mod state;
mod template;

pub(crate) use condition::{error_ratio, ConditionKind};
pub use condition::{Condition, Query, MAX_CONSECUTIVE};
pub(crate) use promql::{check_duration, duration as promql_duration, number as promql_number, quoted};
pub use promql::{go_float, MAX_RULE_DURATION};
pub(crate) use readings::{Input, Reading, Readings};
pub use rule::{AlertRule, AlertRuleBuilder};
pub use selector::{Selector, MAX_MATCHERS};
pub use state::RuleState;
pub(crate) use state::{Machine, Transition};
pub use template::Template;
