//! Proof of equivalence: ONE table of rules and synthetic series is turned
//! into a Prometheus rule file and a `promtool test rules` file, and fed
//! minute by minute to the in-process evaluator with an injected clock.
//! The promtool file expects, at every minute, exactly the pending and
//! firing alerts the in-process evaluator reports (`ALERTS`), plus the
//! rendered annotations where the value is exact; `promtool check rules`
//! and `promtool test rules` must both pass.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use observa::alerts::rules::{AlertRule, Condition, Query, RuleState, Selector};
use observa::alerts::{BurnWindow, Evaluator, RuleFile, RuleStatus, Sli, Slo};
use observa::metrics::{Buckets, FamilySpec, Histogram};
use observa::monitor::Monitor;
use observa::prelude::*;

/// Minutes simulated (evaluations at 0, 1, …, MINUTES).
const MINUTES: usize = 150;
const BOUNDS: [f64; 5] = [0.1, 0.25, 0.5, 1.0, 2.5];

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// One synthetic input series, per minute.
enum Input {
    Gauge(&'static str, Vec<(&'static str, &'static str)>, Vec<Option<f64>>),
    /// Cumulative values; `None` until the series exists.
    Counter(&'static str, Vec<(&'static str, &'static str)>, Vec<Option<f64>>),
    /// Observations made during each minute.
    Histogram(&'static str, Vec<(&'static str, &'static str)>, Vec<Vec<f64>>),
    /// Failed calls of a monitored function (module, function) during each minute.
    MonitorErrors(&'static str, &'static str, Vec<u32>),
}

fn per_minute<T>(f: impl FnMut(usize) -> T) -> Vec<T> {
    (0..=MINUTES).map(f).collect()
}

/// A counter growing by `step(minute)` each minute from 0.
fn counter(step: impl Fn(usize) -> f64) -> Vec<Option<f64>> {
    let mut total = 0.0;
    per_minute(|m| {
        if m > 0 {
            total += step(m);
        }
        Some(total)
    })
}

/// The table: the synthetic series and the rules over them.
fn table() -> (Vec<Input>, Vec<(AlertRule, bool)>, Vec<Slo>) {
    let inputs = vec![
        // a queue that backs up from minute 10 to 30 and again from 60 to 62
        Input::Gauge(
            "queue_depth",
            vec![("queue", "orders")],
            per_minute(|m| {
                Some(if (10..30).contains(&m) || (60..63).contains(&m) {
                    2_500_000.0
                } else {
                    12.0
                })
            }),
        ),
        Input::Gauge(
            "queue_depth",
            vec![("queue", "billing")],
            per_minute(|_| Some(900.0)),
        ),
        // 1 job a minute, 5 a second between minutes 40 and 55
        Input::Counter(
            "jobs_processed_total",
            vec![("queue", "orders")],
            counter(|m| if (40..55).contains(&m) { 300.0 } else { 60.0 }),
        ),
        // requests fast, then slow (0.8 s) for some of them between minutes 70 and 90
        Input::Histogram(
            "http_request_duration_seconds",
            vec![("route", "/orders")],
            per_minute(|m| {
                let slow = if (70..90).contains(&m) { 10 } else { 0 };
                let mut obs = vec![0.05; 90];
                obs.extend(std::iter::repeat_n(0.8, slow));
                obs
            }),
        ),
        // payments: 100 requests a minute, 20 % failing between minutes 20 and 35
        Input::Counter(
            "http_requests_total",
            vec![("code", "200"), ("route", "/pay")],
            counter(|m| if (20..35).contains(&m) { 80.0 } else { 100.0 }),
        ),
        Input::Counter(
            "http_requests_total",
            vec![("code", "500"), ("route", "/pay")],
            counter(|m| if (20..35).contains(&m) { 20.0 } else { 0.0 }),
        ),
        // a heartbeat that only starts at minute 20
        Input::Counter(
            "heartbeat_total",
            vec![("job", "etl")],
            per_minute(|m| (m >= 20).then(|| (m - 19) as f64)),
        ),
        // a monitored function failing at minutes 10-11 (twice) and 30-35 (six times in a row)
        Input::MonitorErrors(
            "shop",
            "charge",
            per_minute(|m| u32::from((10..12).contains(&m) || (30..36).contains(&m))),
        ),
        // an API: 1,000 requests a minute; 5 % errors from minute 30 to 70
        Input::Counter(
            "api_requests_total",
            vec![("code", "200"), ("job", "api")],
            counter(|m| if (30..70).contains(&m) { 950.0 } else { 1000.0 }),
        ),
        Input::Counter(
            "api_requests_total",
            vec![("code", "500"), ("job", "api")],
            counter(|m| if (30..70).contains(&m) { 50.0 } else { 0.0 }),
        ),
    ];
    let sel = |name: &str, labels: &[(&str, &str)]| {
        labels
            .iter()
            .fold(Selector::new(name), |s, (n, v)| s.and_then(|s| s.label(*n, *v)))
            .unwrap()
    };
    let rule = |name: &str, condition: Condition, for_min: u64, summary: &str| {
        AlertRule::builder(name, condition)
            .for_duration(mins(for_min))
            .label("team", "shop")
            .annotation("summary", summary)
            .build()
            .unwrap()
    };
    let rules = vec![
        (
            rule(
                "QueueBacklog",
                Query::gauge(sel("queue_depth", &[("queue", "orders")]))
                    .above(100.0)
                    .unwrap(),
                5,
                "{{ $labels.queue }} holds {{ $value }} items",
            ),
            true,
        ),
        (
            AlertRule::builder(
                "JobSurge",
                Query::rate(sel("jobs_processed_total", &[("queue", "orders")]), mins(5))
                    .unwrap()
                    .above(2.0)
                    .unwrap(),
            )
            .for_duration(mins(2))
            .keep_firing_for(mins(3))
            .annotation("summary", "jobs surge on {{ $labels.queue }}")
            .build()
            .unwrap(),
            true,
        ),
        (
            rule(
                "SlowOrders",
                Query::quantile(
                    0.99,
                    sel("http_request_duration_seconds", &[("route", "/orders")]),
                    mins(5),
                )
                .unwrap()
                .above(0.5)
                .unwrap(),
                2,
                "p99 of {{ $labels.route }} is slow",
            ),
            true,
        ),
        (
            rule(
                "PaymentErrors",
                Query::error_ratio(
                    sel("http_requests_total", &[("route", "/pay"), ("code", "500")]),
                    sel("http_requests_total", &[("route", "/pay")]),
                    mins(5),
                )
                .unwrap()
                .above(0.05)
                .unwrap(),
                1,
                "{{ $labels.route }} fails too often",
            ),
            true,
        ),
        (
            rule(
                "HeartbeatMissing",
                Condition::absent(sel("heartbeat_total", &[("job", "etl")])),
                5,
                "no heartbeat from {{ $labels.job }}",
            ),
            true,
        ),
        (
            rule(
                "ChargeFailing",
                Condition::consecutive_increases(
                    sel(
                        "function_calls_total",
                        &[("function", "charge"), ("result", "error")],
                    ),
                    3,
                    mins(1),
                )
                .unwrap(),
                0,
                "charge failed {{ $value }} time(s) in the last minute",
            ),
            true,
        ),
    ];
    let slo = Slo::builder(
        "api-availability",
        Sli::errors_over_total(
            sel("api_requests_total", &[("job", "api"), ("code", "500")]),
            sel("api_requests_total", &[("job", "api")]),
        ),
        0.999,
    )
    .build()
    .unwrap();
    // 95 % of /orders requests within 0.5 s; one fast page window pair so the slow spell fires it
    let latency = Slo::builder(
        "orders-latency",
        Sli::latency(sel("http_request_duration_seconds", &[("route", "/orders")]), 0.5).unwrap(),
        0.95,
    )
    .page(vec![BurnWindow::new(mins(30), mins(5), 1.0).unwrap()])
    .ticket(vec![])
    .build()
    .unwrap();
    (inputs, rules, vec![slo, latency])
}

/// Values in promtool's expanding notation: `a+bxn` runs, `_xn` gaps.
fn expanding(values: &[Option<f64>]) -> String {
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
fn series(name: &str, labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(n, v)| format!("{n}={v:?}")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

/// The `input_series` entries for one input.
fn promtool_series(input: &Input) -> Vec<(String, String)> {
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

fn alert_labels(status: &RuleStatus, with_name: bool) -> BTreeMap<String, String> {
    status
        .labels
        .iter()
        .filter(|(n, _)| with_name || *n != "alertname")
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// The promtool test file expecting what the in-process evaluator saw.
fn promtool_test(inputs: &[Input], exact: &[(AlertRule, bool)], timeline: &[Vec<RuleStatus>]) -> String {
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
