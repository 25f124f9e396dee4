//! [`AlertRule`]: a named condition with `for`, `keep_firing_for`, labels,
//! severity and templated annotations.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::{rules, AlertSeverity, Labels};
use crate::error::{ObsError, Result};

use super::condition::Condition;
use super::promql;
use super::template::Template;

/// A Prometheus-style alerting rule: while its [`Condition`] holds the rule
/// is pending, after `for` it fires, and when the condition stops holding
/// (and `keep_firing_for` has passed) it resolves. The alert it raises has
/// the rule name as title and `alertname`, the rule's labels plus the
/// condition's result labels plus `severity`, and the rendered annotations;
/// its message is the rendered `summary` annotation (or the rule name).
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::rules::{AlertRule, Query, Selector};
/// use observa::AlertSeverity;
///
/// let rule = AlertRule::builder(
///     "HighLatency",
///     Query::quantile(0.99, Selector::new("http_request_duration_seconds")?, Duration::from_secs(300))?.above(0.5)?,
/// )
/// .for_duration(Duration::from_secs(120))
/// .keep_firing_for(Duration::from_secs(300))
/// .severity(AlertSeverity::High)
/// .label("team", "web")
/// .annotation("summary", "p99 latency is {{ $value }}s")
/// .build()?;
/// assert_eq!(rule.name(), "HighLatency");
/// assert_eq!(rule.hold(), Duration::from_secs(120));
/// assert!(AlertRule::builder("Bad name", rule.condition().clone()).build().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRule {
    name: String,
    condition: Condition,
    for_duration: Duration,
    keep_firing_for: Duration,
    severity: AlertSeverity,
    labels: Labels,
    annotations: BTreeMap<String, Template>,
}

impl AlertRule {
    /// A builder for the rule `name` (the metric-name grammar, so it is a
    /// valid `alertname`) holding when `condition` does.
    pub fn builder(name: impl Into<String>, condition: Condition) -> AlertRuleBuilder {
        AlertRuleBuilder {
            name: name.into(),
            condition,
            for_duration: Duration::ZERO,
            keep_firing_for: Duration::ZERO,
            severity: AlertSeverity::Medium,
            labels: Vec::new(),
            annotations: Vec::new(),
        }
    }

    /// The name (`alertname`, the alert's title).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// When the rule holds.
    pub fn condition(&self) -> &Condition {
        &self.condition
    }
    /// How long the condition must hold before firing, as configured.
    pub fn for_duration(&self) -> Duration {
        self.for_duration
    }
    /// How long the rule keeps firing after the condition stops holding.
    pub fn keep_firing_for(&self) -> Duration {
        self.keep_firing_for
    }
    /// The effective `for`: the configured one plus what the condition
    /// implies ([`Condition::consecutive_increases`]).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use observa::alerts::rules::{AlertRule, Condition, Selector};
    /// let failing = Condition::consecutive_increases(Selector::new("errors_total")?, 3, Duration::from_secs(60))?;
    /// let rule = AlertRule::builder("Failing", failing).build()?;
    /// assert_eq!(rule.hold(), Duration::from_secs(120)); // pending at the 1st failure, firing at the 3rd
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn hold(&self) -> Duration {
        self.for_duration + self.condition.implied_hold()
    }
    /// The severity of the raised alert (exported as label `severity`).
    pub fn severity(&self) -> AlertSeverity {
        self.severity
    }
    /// The static labels (without `severity`).
    pub fn labels(&self) -> &Labels {
        &self.labels
    }
    /// The annotation templates by name.
    pub fn annotations(&self) -> &BTreeMap<String, Template> {
        &self.annotations
    }

    /// The labels of the alert: the condition's result labels, then the
    /// rule's labels, `severity` and `alertname` (later ones win, as
    /// Prometheus lets rule labels override).
    pub(crate) fn alert_labels(&self) -> Result<Labels> {
        let mut labels = Labels::new(self.condition.result_labels())?;
        for (name, value) in self.labels.iter() {
            labels.insert(name, value)?;
        }
        labels.insert("severity", self.severity.to_string())?;
        labels.insert("alertname", self.name.clone())?;
        Ok(labels)
    }
}

/// Builds an [`AlertRule`]; [`AlertRuleBuilder::build`] validates.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::rules::{AlertRule, Query, Selector};
///
/// let depth = Query::gauge(Selector::new("queue_depth")?.label("queue", "orders")?).above(1000.0)?;
/// let rule = AlertRule::builder("QueueBacklog", depth)
///     .for_duration(Duration::from_secs(600))
///     .annotation("summary", "{{ $labels.queue }} holds {{ $value }} items")
///     .build()?;
/// assert_eq!(rule.annotations()["summary"].source(), "{{ $labels.queue }} holds {{ $value }} items");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AlertRuleBuilder {
    name: String,
    condition: Condition,
    for_duration: Duration,
    keep_firing_for: Duration,
    severity: AlertSeverity,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
}

impl AlertRuleBuilder {
    /// How long the condition must hold before the rule fires (default 0: at once).
    pub fn for_duration(mut self, d: Duration) -> Self {
        self.for_duration = d;
        self
    }
    /// How long the rule keeps firing after the condition stops holding (default 0).
    pub fn keep_firing_for(mut self, d: Duration) -> Self {
        self.keep_firing_for = d;
        self
    }
    /// The alert's severity (default medium).
    pub fn severity(mut self, severity: AlertSeverity) -> Self {
        self.severity = severity;
        self
    }
    /// Adds a static label (`severity` and `alertname` are set by the rule).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
    /// Adds an annotation template (see [`Template`]).
    pub fn annotation(mut self, name: impl Into<String>, template: impl Into<String>) -> Self {
        self.annotations.push((name.into(), template.into()));
        self
    }

    /// Validates and builds the rule.
    pub fn build(self) -> Result<AlertRule> {
        rules::metric_name("alert rule", &self.name)?;
        rules::text("alert rule", "name", &self.name, rules::MAX_ALERT_TITLE_LEN)?;
        promql::check_duration("for", self.for_duration, 0)?;
        promql::check_duration("keep_firing_for", self.keep_firing_for, 0)?;
        let mut labels = Labels::empty();
        for (name, value) in self.labels {
            if name == "severity" || name == "alertname" {
                return Err(ObsError::validation(
                    "alert rule",
                    "label name",
                    name,
                    "is set by the rule (use .severity(..) and the rule name)",
                ));
            }
            if value.contains("{{") {
                return Err(ObsError::validation(
                    "alert rule",
                    "label value",
                    value,
                    "labels are not templated",
                ));
            }
            labels.insert(name, value)?;
        }
        rules::at_most("alert rule", "labels", labels.len() + 2, rules::MAX_LABELS)?;
        rules::at_most(
            "alert rule",
            "annotations",
            self.annotations.len(),
            rules::MAX_ATTRIBUTES,
        )?;
        let mut annotations = BTreeMap::new();
        for (name, source) in self.annotations {
            rules::label_name("alert rule", &name)?;
            annotations.insert(name, Template::new(source)?);
        }
        Ok(AlertRule {
            name: self.name,
            condition: self.condition,
            for_duration: self.for_duration,
            keep_firing_for: self.keep_firing_for,
            severity: self.severity,
            labels,
            annotations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::rules::{Query, Selector};
    use proptest::prelude::*;

    fn gauge_rule(name: &str) -> AlertRuleBuilder {
        let condition = Query::gauge(Selector::new("depth").unwrap()).above(1.0).unwrap();
        AlertRule::builder(name, condition)
    }

    #[test]
    fn labels_the_rule_owns_are_refused() {
        assert!(gauge_rule("A").label("severity", "page").build().is_err());
        assert!(gauge_rule("A").label("alertname", "B").build().is_err());
        assert!(gauge_rule("A").label("team", "{{ $value }}").build().is_err());
        let rule = gauge_rule("A").label("team", "web").build().unwrap();
        let labels = rule.alert_labels().unwrap();
        assert_eq!(labels.get("alertname"), Some("A"));
        assert_eq!(labels.get("severity"), Some("medium"));
    }

    proptest! {
        #[test]
        fn names_are_accepted_exactly_when_they_follow_the_grammar(name in ".{0,40}") {
            let accepted = gauge_rule(&name).build().is_ok();
            let grammar = !name.is_empty()
                && !name.starts_with("__")
                && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
            prop_assert_eq!(accepted, grammar, "{:?}", name);
        }

        #[test]
        fn durations_are_whole_seconds_up_to_31_days(secs in 0u64..4_000_000, nanos in prop_oneof![Just(0u32), 1u32..1_000_000_000]) {
            let d = Duration::new(secs, nanos);
            let valid = nanos == 0 && d <= super::super::MAX_RULE_DURATION;
            prop_assert_eq!(gauge_rule("A").for_duration(d).build().is_ok(), valid);
            prop_assert_eq!(gauge_rule("A").keep_firing_for(d).build().is_ok(), valid);
            prop_assert_eq!(Query::rate(Selector::new("c_total").unwrap(), d).is_ok(), valid && secs >= 1);
        }

        #[test]
        fn thresholds_must_be_finite(t in proptest::num::f64::ANY) {
            let q = Query::gauge(Selector::new("depth").unwrap());
            prop_assert_eq!(q.clone().above(t).is_ok(), t.is_finite());
            prop_assert_eq!(q.below(t).is_ok(), t.is_finite());
        }

        #[test]
        fn quantiles_must_lie_in_0_to_1(q in proptest::num::f64::ANY) {
            let ok = Query::quantile(q, Selector::new("h").unwrap(), Duration::from_secs(60)).is_ok();
            prop_assert_eq!(ok, (0.0..=1.0).contains(&q));
        }
    }
}
