//! Property: any sequence of accepted registrations and updates (handles and
//! entities, clashing names, hostile values) renders Prometheus 0.0.4 text
//! that `promtool check metrics` accepts and OpenMetrics text that the strict
//! parser of the Python `prometheus-client` accepts, with no NaN sample.
//!
//! Names are built from words that pass promtool's style lint (snake case,
//! no type or unit words), so only structure and clashes are under test.

mod common;

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

use common::{peer, python_prometheus_client, run_with_stdin};
use observa::metrics::{Buckets, Counter, Format, Gauge, Histogram};
use observa::prelude::*;
use proptest::prelude::*;

/// Reads length-prefixed expositions from stdin; answers `ok` or the error, one line each.
const PARSE_STRICTLY: &str = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
for header in iter(sys.stdin.buffer.readline, b""):
    text = sys.stdin.buffer.read(int(header)).decode()
    try:
        list(parse(text))
        print("ok", flush=True)
    except Exception as e:
        print(repr(e).replace("\n", " "), flush=True)
"#;

/// One long-lived strict-parser process (Python starts once, not per case).
struct StrictParser {
    child: Child,
    answers: BufReader<ChildStdout>,
}

impl StrictParser {
    fn start(python: &PathBuf) -> Self {
        let mut child = Command::new(python)
            .args(["-c", PARSE_STRICTLY])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python starts");
        let answers = BufReader::new(child.stdout.take().unwrap());
        StrictParser { child, answers }
    }

    /// `Ok` if the parser accepts `text`, else its error.
    fn parse(&mut self, text: &str) -> Result<(), String> {
        let stdin = self.child.stdin.as_mut().unwrap();
        write!(stdin, "{}\n{text}", text.len()).unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        self.answers.read_line(&mut answer).unwrap();
        match answer.trim_end() {
            "ok" => Ok(()),
            error => Err(error.to_owned()),
        }
    }
}

impl Drop for StrictParser {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// Registers (or finds) a handle: 0 counter, 1 gauge, 2 histogram.
    Handle(u8, String, Vec<(&'static str, String)>),
    /// Records an entity of kind 0 counter, 1 gauge, 2 histogram.
    Entity(u8, String, Vec<(&'static str, String)>, f64),
    /// Updates the handle at this index (modulo the handles held).
    Update(usize, f64),
}

enum Handle {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

fn name() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "jobs",
        "req",
        "lat",
        "size",
        "function_calls",
        "target",
        "queue",
    ]);
    let suffix = prop::sample::select(vec![
        "", "", "_total", "_count", "_sum", "_bucket", "_created", "_info", "_seconds",
    ]);
    (base, suffix).prop_map(|(b, s)| format!("{b}{s}"))
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            -0.0,
            1.0,
            1e300
        ]),
        proptest::num::f64::ANY,
    ]
}

fn labels() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let pair = (prop::sample::select(vec!["region", "code"]), "\\PC{0,6}");
    prop::collection::vec(pair, 0..2)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, name(), labels()).prop_map(|(k, n, l)| Op::Handle(k, n, l)),
        (0u8..3, name(), labels(), value()).prop_map(|(k, n, l, v)| Op::Entity(k, n, l, v)),
        (any::<usize>(), value()).prop_map(|(i, v)| Op::Update(i, v)),
        (any::<usize>(), value()).prop_map(|(i, v)| Op::Update(i, v)),
    ]
}

fn kind(k: u8) -> MetricKind {
    [MetricKind::Counter, MetricKind::Gauge, MetricKind::Histogram][usize::from(k)]
}

/// Applies `ops`, ignoring refused ones (that is the point: whatever is accepted must render validly).
fn apply(obs: &Observability, ops: &[Op]) {
    let m = obs.metrics();
    let mut handles = Vec::new();
    for op in ops {
        match op {
            Op::Handle(k, name, labels) => {
                let labels: Vec<(&str, &str)> = labels.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let handle = match k {
                    0 => m.counter(name, &labels).map(Handle::Counter),
                    1 => m.gauge(name, &labels).map(Handle::Gauge),
                    _ => m
                        .histogram(name, &labels, Buckets::default())
                        .map(Handle::Histogram),
                };
                handles.extend(handle.ok());
            }
            Op::Entity(k, name, labels, value) => {
                let mut builder = Metric::builder(name.clone(), *value).kind(kind(*k));
                for (n, v) in labels {
                    builder = builder.label(*n, v.clone());
                }
                if let Ok(metric) = builder.build() {
                    let _ = m.record(&metric);
                }
            }
            Op::Update(i, value) if !handles.is_empty() => match &handles[i % handles.len()] {
                Handle::Counter(c) => c.inc_by(*value),
                Handle::Gauge(g) => g.set(*value),
                Handle::Histogram(h) => h.observe(*value),
            },
            Op::Update(..) => {}
        }
    }
}

fn check(promtool: &PathBuf, parser: &RefCell<StrictParser>, ops: &[Op]) -> Result<(), TestCaseError> {
    let obs = Observability::builder()
        .service("prop", "1")
        .series_budget(2)
        .build()
        .unwrap();
    apply(&obs, ops);
    obs.monitor_in("prop", "work").run(|| ());
    let text = obs.render(Format::Prometheus).unwrap();
    let om = obs.render(Format::OpenMetrics).unwrap();
    for rendered in [&text, &om] {
        let nan = rendered
            .lines()
            .find(|l| !l.starts_with('#') && l.ends_with(" NaN"));
        prop_assert!(nan.is_none(), "NaN sample {nan:?}");
    }
    let (code, out, err) = run_with_stdin(promtool, &["check", "metrics"], &text);
    prop_assert_eq!(code, 0, "promtool: {}{}\n---\n{}", out, err, text);
    let parsed = parser.borrow_mut().parse(&om);
    prop_assert!(parsed.is_ok(), "strict parser: {:?}\n---\n{}", parsed, om);
    Ok(())
}

#[test]
fn accepted_registrations_and_updates_always_render_valid_expositions() {
    let (Some(promtool), Some(python)) = (peer("promtool"), python_prometheus_client()) else {
        return;
    };
    let parser = RefCell::new(StrictParser::start(&python));
    let config = ProptestConfig {
        cases: 48,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..40))| {
        check(&promtool, &parser, &ops)?;
    });
}
