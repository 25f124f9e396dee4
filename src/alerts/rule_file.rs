//! [`RuleFile`]: alert rules and SLOs as a Prometheus rule file (YAML).

use std::fmt::Write as _;
use std::time::Duration;

use crate::error::{ObsError, Result};

use super::rules::{promql_duration, AlertRule};
use super::Slo;

/// Most rule groups one file holds.
const MAX_GROUPS: usize = 1_000;

#[derive(Debug)]
struct Group {
    name: String,
    interval: Option<Duration>,
    /// (record name, PromQL, `slo` label) of each recording rule.
    records: Vec<(String, String, String)>,
    alerts: Vec<AlertRule>,
}

/// A Prometheus rule file generated from the same [`AlertRule`]s and
/// [`Slo`]s the [`Evaluator`](super::Evaluator) runs in process: one group
/// for plain rules, and per SLO a group of recording rules
/// (`slo:sli_error:ratio_rate<window>{slo="…"}`, one per window) followed by
/// its burn-rate alerts. `promtool check rules` accepts the output.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::{RuleFile, Slo, Sli, rules::{AlertRule, Query, Selector}};
///
/// let rule = AlertRule::builder("QueueBacklog", Query::gauge(Selector::new("queue_depth")?).above(100.0)?)
///     .for_duration(Duration::from_secs(300))
///     .annotation("summary", "{{ $value }} items waiting")
///     .build()?;
/// let slo = Slo::builder("checkout", Sli::monitored_function("checkout")?, 0.999).build()?;
/// let yaml = RuleFile::new()
///     .group("app", Some(Duration::from_secs(60)), vec![rule])?
///     .slo(&slo)?
///     .to_yaml();
/// assert!(yaml.contains("  - alert: \"QueueBacklog\"\n    expr: \"sum by () (queue_depth) > 100\"\n    for: 5m\n"));
/// assert!(yaml.contains("record: \"slo:sli_error:ratio_rate3d\""));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Debug, Default)]
pub struct RuleFile {
    groups: Vec<Group>,
}

impl RuleFile {
    /// An empty rule file.
    pub fn new() -> RuleFile {
        RuleFile::default()
    }

    /// Adds a group of alert rules evaluated every `interval` (Prometheus's
    /// global interval when `None`); group names must be unique, and a
    /// file holds at most 1,000 groups.
    ///
    /// ```
    /// # use observa::alerts::RuleFile;
    /// let file = RuleFile::new().group("a", None, vec![])?;
    /// assert!(file.group("a", None, vec![]).is_err()); // names are unique
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn group(
        mut self,
        name: impl Into<String>,
        interval: Option<Duration>,
        rules: Vec<AlertRule>,
    ) -> Result<Self> {
        self.push(Group {
            name: name.into(),
            interval,
            records: Vec::new(),
            alerts: rules,
        })?;
        Ok(self)
    }

    /// Adds the group `slo-<name>`: the SLO's recording rules, then its alerts.
    pub fn slo(mut self, slo: &Slo) -> Result<Self> {
        let records = slo
            .recording_rules()
            .into_iter()
            .map(|(record, expr)| (record, expr, slo.name().to_owned()))
            .collect();
        self.push(Group {
            name: format!("slo-{}", slo.name()),
            interval: None,
            records,
            alerts: slo.alert_rules()?,
        })?;
        Ok(self)
    }

    fn push(&mut self, group: Group) -> Result<()> {
        crate::domain::rules::short_name("rule file", "group name", &group.name)?;
        if let Some(interval) = group.interval {
            super::rules::check_duration("group interval", interval, 1)?;
        }
        if self.groups.iter().any(|g| g.name == group.name) {
            return Err(ObsError::conflict(
                "rule file",
                format!("group `{}` is already in the file", group.name),
            ));
        }
        crate::domain::rules::at_most("rule file", "groups", self.groups.len() + 1, MAX_GROUPS)?;
        self.groups.push(group);
        Ok(())
    }

    /// The file as YAML (strings double-quoted, so any text is safe).
    pub fn to_yaml(&self) -> String {
        let mut out = String::from("groups:\n");
        for group in &self.groups {
            let _ = writeln!(out, "- name: {}", quote(&group.name));
            if let Some(interval) = group.interval {
                let _ = writeln!(out, "  interval: {}", promql_duration(interval));
            }
            out.push_str("  rules:\n");
            for (record, expr, slo) in &group.records {
                let _ = writeln!(out, "  - record: {}\n    expr: {}", quote(record), quote(expr));
                let _ = writeln!(out, "    labels:\n      slo: {}", quote(slo));
            }
            for rule in &group.alerts {
                write_alert(&mut out, rule);
            }
        }
        out
    }
}

fn write_alert(out: &mut String, rule: &AlertRule) {
    let _ = writeln!(out, "  - alert: {}", quote(rule.name()));
    let _ = writeln!(out, "    expr: {}", quote(&rule.condition().to_promql()));
    if !rule.hold().is_zero() {
        let _ = writeln!(out, "    for: {}", promql_duration(rule.hold()));
    }
    if !rule.keep_firing_for().is_zero() {
        let _ = writeln!(
            out,
            "    keep_firing_for: {}",
            promql_duration(rule.keep_firing_for())
        );
    }
    out.push_str("    labels:\n");
    let _ = writeln!(out, "      severity: {}", quote(&rule.severity().to_string()));
    for (name, value) in rule.labels().iter() {
        let _ = writeln!(out, "      {name}: {}", quote(value));
    }
    if !rule.annotations().is_empty() {
        out.push_str("    annotations:\n");
        for (name, template) in rule.annotations() {
            let _ = writeln!(out, "      {name}: {}", quote(template.source()));
        }
    }
}

/// A YAML double-quoted scalar: `\\`, `"` and every character outside
/// YAML's printable set or read as a line break (controls, U+2028, U+2029,
/// U+FEFF, U+FFFE, U+FFFF) escaped as `\\uXXXX`.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') =>
            {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn yaml_strings_escape_what_yaml_would_not_keep() {
        assert_eq!(
            super::quote("a\"b\\c\n\u{7f}\u{2028}é"),
            r#""a\"b\\c\n\u007F\u2028é""#
        );
    }
}
