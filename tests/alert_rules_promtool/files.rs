//! The promtool side: input series in expanding notation and the test file
//! expecting what the in-process evaluator reported.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use observa::alerts::rules::{AlertRule, RuleState};
use observa::alerts::RuleStatus;

use super::table::{Input, BOUNDS, MINUTES};

/// Values in promtool's expanding notation: `a+bxn` runs, `_xn` gaps.
pub fn expanding(values: &[Option<f64>]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let Some(start) = values[i] else {
            let run = values[i..].iter().take_while(|v| v.is_none()).count();
            parts.push(if run == 1 {
                "_".to_owned()
            } else {
                format!("_x{run}")
            });
            i += run;
            continue;
        };
        let step = values.get(i + 1).copied().flatten().map(|next| next - start);
        let mut n = 0;
        if let Some(step) = step {
            while let (Some(Some(a)), Some(Some(b))) = (values.get(i + n), values.get(i + n + 1)) {
                if b - a != step {
                    break;
                }
                n += 1;
            }
            let sign = if step < 0.0 { "-" } else { "+" };
            parts.push(format!("{start}{sign}{}x{n}", step.abs()));
        } else {
            parts.push(format!("{start}"));
        }
        i += n + 1;
    }
    parts.join(" ")
}

/// A series name with labels, PromQL style.
pub fn series(name: &str, labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(n, v)| format!("{n}={v:?}")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

/// The `input_series` entries for one input.
pub fn promtool_series(input: &Input) -> Vec<(String, String)> {
    match input {
        Input::Gauge(name, labels, values) | Input::Counter(name, labels, values) => {
            vec![(series(name, labels), expanding(values))]
        }
        Input::Histogram(name, labels, minutes) => {
            let mut cumulative = vec![vec![0.0; MINUTES + 1]; BOUNDS.len() + 1];
            let mut sums = vec![0.0; MINUTES + 1];
            let (mut counts, mut sum) = (vec![0.0; BOUNDS.len() + 1], 0.0);
            for (m, observations) in minutes.iter().enumerate() {
                for &v in observations {
                    let bucket = BOUNDS.iter().position(|b| v <= *b).unwrap_or(BOUNDS.len());
                    for c in &mut counts[bucket..] {
                        *c += 1.0;
                    }
                    sum += v;
                }
                for (b, c) in counts.iter().enumerate() {
                    cumulative[b][m] = *c;
                }
                sums[m] = sum;
            }
            let some = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
            let mut out = Vec::new();
            for (b, values) in cumulative.iter().enumerate() {
                let le = BOUNDS.get(b).map_or("+Inf".to_owned(), |b| b.to_string());
                let mut with_le = labels.clone();
                with_le.push(("le", &le));
                out.push((
                    series(&format!("{name}_bucket"), &with_le),
                    expanding(&some(values)),
                ));
            }
            out.push((
                series(&format!("{name}_count"), labels),
                expanding(&some(&cumulative[BOUNDS.len()])),
            ));
            out.push((series(&format!("{name}_sum"), labels), expanding(&some(&sums))));
            out
        }
        Input::MonitorErrors(module, function, errors) => {
            let values = errors
                .iter()
                .scan(0.0, |acc, e| {
                    *acc += f64::from(*e);
                    Some(Some(*acc))
                })
                .collect::<Vec<_>>();
            let labels = [("function", *function), ("module", *module), ("result", "error")];
            vec![(series("function_calls_total", &labels), expanding(&values))]
        }
    }
}

pub fn alert_labels(status: &RuleStatus, with_name: bool) -> BTreeMap<String, String> {
    status
        .labels
        .iter()
        .filter(|(n, _)| with_name || *n != "alertname")
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// The promtool test file expecting what the in-process evaluator saw.
pub fn promtool_test(inputs: &[Input], exact: &[(AlertRule, bool)], timeline: &[Vec<RuleStatus>]) -> String {
    let mut out = String::from(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n",
    );
    for (name, values) in inputs.iter().flat_map(promtool_series) {
        let _ = writeln!(out, "  - series: '{name}'\n    values: '{values}'");
    }
    out.push_str("  alert_rule_test:\n");
    for (minute, statuses) in timeline.iter().enumerate() {
        for (rule, _) in exact.iter().filter(|(_, exact)| *exact) {
            let _ = writeln!(
                out,
                "  - eval_time: {minute}m\n    alertname: {}\n    exp_alerts:",
                rule.name()
            );
            for s in statuses
                .iter()
                .filter(|s| s.rule == rule.name() && s.state == RuleState::Firing)
            {
                let labels = serde_json::to_string(&alert_labels(s, false)).unwrap();
                let annotations: BTreeMap<&str, String> = rule
                    .annotations()
                    .iter()
                    .map(|(n, t)| (n.as_str(), t.render(s.value.unwrap(), &s.labels)))
                    .collect();
                let annotations = serde_json::to_string(&annotations).unwrap();
                let _ = writeln!(
                    out,
                    "    - exp_labels: {labels}\n      exp_annotations: {annotations}"
                );
            }
        }
    }
    out.push_str("  promql_expr_test:\n");
    for (minute, statuses) in timeline.iter().enumerate() {
        let _ = writeln!(
            out,
            "  - expr: ALERTS\n    eval_time: {minute}m\n    exp_samples:"
        );
        for s in statuses.iter().filter(|s| s.state != RuleState::Inactive) {
            let mut labels = alert_labels(s, true);
            labels.insert("alertstate".into(), s.state.to_string());
            let pairs: Vec<(&str, &str)> = labels.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let _ = writeln!(
                out,
                "    - labels: {}\n      value: 1",
                serde_json::to_string(&series("ALERTS", &pairs)).unwrap()
            );
        }
        if statuses.iter().all(|s| s.state == RuleState::Inactive) {
            out.truncate(out.trim_end_matches("    exp_samples:\n").len());
            out.push_str("    exp_samples: []\n");
        }
    }
    out
}
