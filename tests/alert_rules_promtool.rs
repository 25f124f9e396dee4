//! Proof of equivalence: ONE table of rules and synthetic series is turned
//! into a Prometheus rule file and a `promtool test rules` file, and fed
//! minute by minute to the in-process evaluator with an injected clock.
//! The promtool file expects, at every minute, exactly the pending and
//! firing alerts the in-process evaluator reports (`ALERTS`), plus the
//! rendered annotations where the value is exact; `promtool check rules`
//! and `promtool test rules` must both pass.

mod common;
#[path = "alert_rules_promtool/files.rs"]
mod files;
#[path = "alert_rules_promtool/table.rs"]
mod table;

use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use observa::alerts::rules::{AlertRule, RuleState};
use observa::alerts::{Evaluator, RuleFile, RuleStatus};
use observa::metrics::{Buckets, FamilySpec, Histogram};
use observa::monitor::Monitor;
use observa::prelude::*;

use files::promtool_test;
use table::{mins, table, Input, BOUNDS, MINUTES};

/// Feeds one minute of an input into the live registry.
enum Feed {
    Gauge(Option<Gauge>),
    Counter(Option<Counter>),
    Histogram(Histogram),
    Monitor(Monitor),
}

fn feeds(obs: &Observability, inputs: &[Input]) -> Vec<Feed> {
    let metrics = obs.metrics();
    inputs
        .iter()
        .map(|input| match input {
            Input::Gauge(..) => Feed::Gauge(None),
            Input::Counter(..) => Feed::Counter(None),
            Input::Histogram(name, labels, _) => {
                let names: Vec<&str> = labels.iter().map(|(n, _)| *n).collect();
                let values: Vec<&str> = labels.iter().map(|(_, v)| *v).collect();
                let spec = FamilySpec::new(*name)
                    .labels(&names)
                    .buckets(Buckets::new(BOUNDS.to_vec()).unwrap());
                Feed::Histogram(
                    metrics
                        .histogram_family(spec)
                        .unwrap()
                        .with_label_values(&values)
                        .unwrap(),
                )
            }
            Input::MonitorErrors(module, function, _) => Feed::Monitor(obs.monitor_in(module, function)),
        })
        .collect()
}

fn feed(obs: &Observability, feed: &mut Feed, input: &Input, minute: usize) {
    let labelled = |labels: &[(&'static str, &'static str)]| labels.to_vec();
    match (feed, input) {
        (Feed::Gauge(handle), Input::Gauge(name, labels, values)) => {
            if let Some(v) = values[minute] {
                handle
                    .get_or_insert_with(|| obs.metrics().gauge(name, &labelled(labels)).unwrap())
                    .set(v);
            }
        }
        (Feed::Counter(handle), Input::Counter(name, labels, values)) => {
            if let Some(v) = values[minute] {
                let c = handle.get_or_insert_with(|| obs.metrics().counter(name, &labelled(labels)).unwrap());
                c.inc_by(v - c.get());
            }
        }
        (Feed::Histogram(h), Input::Histogram(_, _, minutes)) => {
            for &v in &minutes[minute] {
                h.observe(v);
            }
        }
        (Feed::Monitor(monitor), Input::MonitorErrors(_, _, errors)) => {
            for _ in 0..errors[minute] {
                let _ = monitor.run_result(|| Err::<(), _>("declined"));
            }
        }
        _ => unreachable!("feeds are built from the inputs"),
    }
}

fn at(minute: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(minute as i64)
}

/// Runs the in-process evaluator over the table; the statuses at each minute.
fn evaluate_in_process(inputs: &[Input], rules: Vec<AlertRule>) -> Vec<Vec<RuleStatus>> {
    let obs = Observability::builder()
        .service("equivalence", "1")
        .build()
        .unwrap();
    let mut feeds = feeds(&obs, inputs);
    let evaluator = Evaluator::new(obs.metrics(), obs.alerts(), rules, mins(1)).unwrap();
    (0..=MINUTES)
        .map(|minute| {
            for (f, input) in feeds.iter_mut().zip(inputs) {
                feed(&obs, f, input, minute);
            }
            evaluator.step(at(minute)).unwrap();
            evaluator.statuses()
        })
        .collect()
}

#[test]
fn promtool_and_the_in_process_evaluator_agree() {
    let (inputs, rules, slos) = table();
    let plain: Vec<AlertRule> = rules.iter().map(|(r, _)| r.clone()).collect();
    let mut all = plain.clone();
    let mut file = RuleFile::new()
        .group("equivalence", Some(mins(1)), plain)
        .unwrap();
    for slo in &slos {
        all.extend(slo.alert_rules().unwrap());
        file = file.slo(slo).unwrap();
    }
    let timeline = evaluate_in_process(&inputs, all.clone());

    // The table is interesting: every rule fires and resolves, and rules with
    // a `for` are seen pending first; the SLO page fires on the 5 % errors.
    for rule in &all {
        let states: Vec<RuleState> = timeline
            .iter()
            .flat_map(|s| s.iter().filter(|s| belongs_to(s, rule)).map(|s| s.state))
            .collect();
        assert!(states.contains(&RuleState::Firing), "{} never fires", rule.name());
        if !rule.hold().is_zero() {
            assert!(
                states.contains(&RuleState::Pending),
                "{} is never pending",
                rule.name()
            );
        }
    }
    for rule in plain_names(&rules) {
        let last = timeline[MINUTES].iter().find(|s| s.rule == rule).unwrap();
        assert_eq!(last.state, RuleState::Inactive, "{rule} resolves by the end");
    }

    let Some(promtool) = common::peer("promtool") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("observa-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rules.yml"), file.to_yaml()).unwrap();
    std::fs::write(dir.join("test.yml"), promtool_test(&inputs, &rules, &timeline)).unwrap();
    for args in [
        &["check", "rules", "rules.yml"][..],
        &["test", "rules", "test.yml"][..],
    ] {
        let out = Command::new(&promtool)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?} disagrees (files in {}):\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if std::env::var_os("OBSERVA_KEEP_PROMTOOL_FILES").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Whether `status` is `rule`'s (SLO rules share a name; their labels differ).
fn belongs_to(status: &RuleStatus, rule: &AlertRule) -> bool {
    status.rule == rule.name()
        && status.labels.get("severity") == Some(rule.severity().to_string().as_str())
        && rule.labels().iter().all(|(n, v)| status.labels.get(n) == Some(v))
}

fn plain_names(rules: &[(AlertRule, bool)]) -> Vec<&str> {
    rules.iter().map(|(r, _)| r.name()).collect()
}
