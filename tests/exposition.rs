//! The expositions checked by the real tools: `promtool check metrics` for
//! Prometheus text 0.0.4 and the strict OpenMetrics parser of the Python
//! `prometheus-client` package. Missing tools skip locally and fail in CI.

mod common;

use common::{exercised_registry, peer, python_prometheus_client, run_with_stdin};
use observa::metrics::{FamilySpec, Format};
use observa::Observability;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Parses OpenMetrics strictly and prints `name|label=value;...|value` per sample, as JSON.
const PARSE_OPENMETRICS: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([family.name, family.type, family.unit, s.name, s.labels, s.value])
print(json.dumps(out))
"#;

#[test]
fn promtool_accepts_the_prometheus_text() {
    let Some(promtool) = peer("promtool") else { return };
    let text = exercised_registry().render(Format::Prometheus).unwrap();
    assert!(
        text.contains("http_requests_total{observa_overflow=\"true\"} 1\n"),
        "{text}"
    );
    let (code, out, err) = run_with_stdin(&promtool, &["check", "metrics"], &text);
    assert_eq!(
        code, 0,
        "promtool rejected the exposition:\n{out}{err}\n---\n{text}"
    );
}

#[test]
fn promtool_rejects_what_it_should() {
    // the check can fail: OpenMetrics-style counter names break 0.0.4 lint
    let Some(promtool) = peer("promtool") else { return };
    let text = exercised_registry().render(Format::OpenMetrics).unwrap();
    let (code, ..) = run_with_stdin(&promtool, &["check", "metrics"], &text);
    assert_ne!(
        code, 0,
        "promtool is expected to flag OpenMetrics counter naming in 0.0.4"
    );
}

#[test]
fn python_strict_parser_accepts_the_openmetrics_text() {
    let Some(python) = python_prometheus_client() else {
        return;
    };
    let text = exercised_registry().render(Format::OpenMetrics).unwrap();
    assert!(text.ends_with("# EOF\n"));
    let (code, out, err) = run_with_stdin(&python, &["-c", PARSE_OPENMETRICS], &text);
    assert_eq!(code, 0, "parser rejected the exposition:\n{err}\n---\n{text}");
    let samples: serde_json::Value = serde_json::from_str(&out).unwrap();
    let find = |name: &str| {
        samples
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[3] == name)
            .cloned()
            .unwrap()
    };
    let gauge = find("queue_depth");
    assert_eq!(gauge[4]["queue"], "we\"ird\\name\nwith newline");
    assert_eq!(gauge[5], -7.5);
    assert_eq!(find("request_duration_seconds_count")[2], "seconds");
    assert_eq!(find("sent_bytes_total")[5], 1024.5);
    assert_eq!(find("function_calls_total")[1], "counter");
}

/// Arbitrary label values and help texts (proptest strategies, fixed seed):
/// promtool accepts the 0.0.4 text, and the strict parser reads back exactly
/// the values that went in.
#[test]
fn arbitrary_label_values_and_help_round_trip_through_the_real_parsers() {
    let (Some(promtool), Some(python)) = (peer("promtool"), python_prometheus_client()) else {
        return;
    };
    let mut runner = TestRunner::deterministic();
    let values: Vec<String> = (0..200)
        .map(|_| "\\PC{0,24}".new_tree(&mut runner).unwrap().current())
        .collect();
    let help = "\\PC{1,40}".prop_filter("visible", |h: &String| !h.trim().is_empty());
    let help = help.new_tree(&mut runner).unwrap().current();
    let obs = Observability::builder().service("prop", "1").build().unwrap();
    let family = obs
        .metrics()
        .counter_family(FamilySpec::new("prop_total").help(help).labels(&["value"]))
        .unwrap();
    let mut expected: Vec<&String> = values.iter().collect();
    expected.sort();
    expected.dedup();
    for value in &values {
        family.with_label_values(&[value]).unwrap().inc();
    }

    let text = obs.render(Format::Prometheus).unwrap();
    let (code, out, err) = run_with_stdin(&promtool, &["check", "metrics"], &text);
    assert_eq!(code, 0, "promtool: {out}{err}");

    let om = obs.render(Format::OpenMetrics).unwrap();
    let (code, out, err) = run_with_stdin(&python, &["-c", PARSE_OPENMETRICS], &om);
    assert_eq!(code, 0, "parser: {err}");
    let samples: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut seen: Vec<String> = samples
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s[0] == "prop")
        .filter_map(|s| s[4]["value"].as_str().map(str::to_owned))
        .collect();
    seen.sort();
    let missing: Vec<_> = expected
        .iter()
        .filter(|v| !seen.contains(v))
        .map(|v| v.escape_unicode().to_string())
        .collect();
    assert_eq!(seen.iter().collect::<Vec<_>>(), expected, "missing: {missing:?}");
}
