//! Log entries and spans as they leave the services: current span ids and
//! correlation ids filled in, every configured sink reached, drops counted
//! and rendered, sinks flushed when the container goes away.

mod common;

use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::{peer, python_prometheus_client, run_with_stdin};
use observa::metrics::Format;
use observa::propagation::TraceFlags;
use observa::sinks::{MemorySink, Record, Resource, Sink};
use observa::traces::{enter, SpanContext};
use observa::{LogEntry, LogLevel, Observability, SpanId, SpanStatus, TraceId};

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).expect("a JSON line")
}

fn with_sink(lines: &MemorySink) -> Observability {
    Observability::builder()
        .service("shop", "1.0")
        .environment("test")
        .log_sink(lines.clone())
        .build()
        .unwrap()
}

#[test]
fn entries_carry_the_current_span_ids_and_flags_unless_they_have_their_own() {
    let lines = MemorySink::new(Resource::new("shop", "1.0"), 10);
    let obs = with_sink(&lines);
    let span = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    let own_trace = TraceId::random();
    {
        let _current = enter(span);
        obs.logs().log(LogLevel::Warning, "in the span").unwrap();
        let own = LogEntry::builder(LogLevel::Info, "own trace")
            .trace(own_trace, None)
            .build()
            .unwrap();
        obs.logs().record(own).unwrap();
    }
    obs.logs().log(LogLevel::Info, "outside").unwrap();
    assert!(obs.flush(Duration::from_secs(5)));

    let stored = obs.logs().for_trace(span.trace_id()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].span_id(), Some(span.span_id()));
    let lines: Vec<_> = lines.lines().iter().map(|l| json(l)).collect();
    assert_eq!(lines[0]["trace_id"], span.trace_id().to_string());
    assert_eq!(lines[0]["span_id"], span.span_id().to_string());
    assert_eq!(lines[0]["trace_flags"], "01");
    assert_eq!(lines[1]["trace_id"], own_trace.to_string());
    assert!(lines[1].get("span_id").is_none() && lines[1].get("trace_flags").is_none());
    assert!(lines[2].get("trace_id").is_none());
    assert_eq!(lines[2]["resource"]["service.name"], "shop");
}

#[test]
fn a_correlation_scope_stamps_entries_nests_and_unwinds_on_panic() {
    let lines = MemorySink::new(Resource::new("shop", "1.0"), 10);
    let obs = with_sink(&lines);
    let logs = obs.logs();
    logs.with_correlation("req-1", || {
        logs.log(LogLevel::Info, "outer").unwrap();
        logs.with_correlation("req-2", || logs.log(LogLevel::Info, "inner").unwrap())
            .unwrap();
        let own = LogEntry::builder(LogLevel::Info, "own")
            .correlation_id("mine")
            .build()
            .unwrap();
        logs.record(own).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            logs.with_correlation("req-3", || panic!("boom"))
        }));
        assert!(panicked.is_err());
        logs.log(LogLevel::Info, "after the panic").unwrap();
    })
    .unwrap();
    logs.log(LogLevel::Info, "none").unwrap();
    assert!(obs.flush(Duration::from_secs(5)));
    let ids: Vec<_> = lines
        .lines()
        .iter()
        .map(|l| json(l)["correlation_id"].clone())
        .collect();
    assert_eq!(
        ids,
        serde_json::json!(["req-1", "req-2", "mine", "req-1", null])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(observa::logs::correlation_id(), None);
    assert!(logs.with_correlation("", || ()).is_err());
}

#[test]
fn dropping_the_last_clone_flushes_every_sink() {
    let (a, b) = (
        MemorySink::new(Resource::new("shop", "1"), 10),
        MemorySink::new(Resource::new("shop", "1"), 10),
    );
    let spans = MemorySink::new(Resource::new("shop", "1"), 10);
    let obs = Observability::builder()
        .service("shop", "1")
        .log_sink(a.clone())
        .log_sink(b.clone())
        .span_sink(spans.clone())
        .build()
        .unwrap();
    let clone = obs.clone();
    obs.logs().log(LogLevel::Error, "payment failed").unwrap();
    let root = obs.tracing().start_trace("checkout").unwrap();
    obs.tracing().finish(root, SpanStatus::Error).unwrap();
    drop(obs);
    drop(clone);
    for sink in [&a, &b] {
        assert_eq!(json(&sink.lines()[0])["severity_text"], "ERROR");
    }
    assert_eq!(json(&spans.lines()[0])["status"], "error");
}

/// A sink that blocks in `write` until the gate opens.
#[derive(Clone, Default)]
struct Gated(Arc<(Mutex<bool>, Condvar)>);

impl Gated {
    fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }
}

impl Sink for Gated {
    fn write(&mut self, _record: &Record) -> io::Result<()> {
        let (open, wake) = &*self.0;
        let _open = wake.wait_while(open.lock().unwrap(), |open| !*open).unwrap();
        Ok(())
    }
}

fn sample(text: &str, series: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn a_full_queue_drops_counts_and_renders_without_holding_back_other_sinks() {
    const CAPACITY: usize = 2;
    const SENT: usize = 10;
    let gate = Gated::default();
    let fast = MemorySink::new(Resource::new("shop", "1"), 100);
    let obs = Observability::builder()
        .service("shop", "1")
        .sink_queue_capacity(CAPACITY)
        .log_sink(gate.clone())
        .log_sink(fast.clone())
        .build()
        .unwrap();
    for i in 0..SENT {
        obs.logs().log(LogLevel::Error, format!("entry {i}")).unwrap();
        // let the fast sink's writer keep up, so only the gated sink drops
        while fast.lines().len() <= i {
            std::thread::yield_now();
        }
    }
    let text = obs.render(Format::Prometheus).unwrap();
    let queue_full = "observa_dropped_total{kind=\"log_entry\",reason=\"queue_full\"}";
    assert_eq!(
        sample(&text, queue_full),
        Some((SENT - CAPACITY) as u64),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "observa_dropped_total{kind=\"log_entry\",reason=\"io_error\"}"
        ),
        Some(0)
    );
    assert_eq!(fast.lines().len(), SENT);
    if let Some(promtool) = peer("promtool") {
        let (code, out, err) = run_with_stdin(&promtool, &["check", "metrics"], &text);
        assert_eq!(code, 0, "{out}{err}\n{text}");
    }
    if let Some(python) = python_prometheus_client() {
        let om = obs.render(Format::OpenMetrics).unwrap();
        let script = "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nlist(p(sys.stdin.read()))";
        let (code, _, err) = run_with_stdin(&python, &["-c", script], &om);
        assert_eq!(code, 0, "{err}\n{om}");
    }
    gate.open();
    assert!(obs.flush(Duration::from_secs(5)));
}

/// A sink whose every write fails.
struct Broken;

impl Sink for Broken {
    fn write(&mut self, _record: &Record) -> io::Result<()> {
        Err(io::Error::other("disk gone"))
    }
}

#[test]
fn repository_and_sink_drops_render_with_their_reason() {
    let obs = Observability::builder()
        .service("shop", "1")
        .capacity(2)
        .max_age(Duration::from_millis(200))
        .span_sink(Broken)
        .build()
        .unwrap();
    obs.logs().log(LogLevel::Error, "old").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    obs.logs().log(LogLevel::Error, "new").unwrap(); // the old one is too old now
    for _ in 0..3 {
        let root = obs.tracing().start_trace("op").unwrap();
        obs.tracing().finish(root, SpanStatus::Ok).unwrap();
    }
    assert!(obs.flush(Duration::from_secs(5)));
    let text = obs.render(Format::OpenMetrics).unwrap();
    let series = |kind: &str, reason: &str| {
        sample(
            &text,
            &format!("observa_dropped_total{{kind=\"{kind}\",reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(series("log_entry", "age"), Some(1), "{text}");
    assert_eq!(series("log_entry", "capacity"), Some(0));
    assert_eq!(
        series("span", "capacity"),
        Some(1),
        "three spans in a repository of two"
    );
    assert_eq!(
        series("span", "io_error"),
        Some(3),
        "every span the broken sink lost"
    );
    assert_eq!(series("alert_fingerprint", "capacity"), Some(0));
    assert_eq!(series("alert_fingerprint", "age"), None);
}

#[test]
fn console_logs_adds_a_sink_and_sink_series_render_only_with_sinks() {
    let queue_full = "observa_dropped_total{kind=\"log_entry\",reason=\"queue_full\"}";
    let plain = Observability::builder().service("shop", "1").build().unwrap();
    assert_eq!(
        sample(&plain.render(Format::Prometheus).unwrap(), queue_full),
        None
    );
    let console = Observability::builder()
        .service("shop", "1")
        .console_logs()
        .build()
        .unwrap();
    console.logs().log(LogLevel::Info, "ready").unwrap();
    assert!(console.flush(Duration::from_secs(5)));
    assert_eq!(
        sample(&console.render(Format::Prometheus).unwrap(), queue_full),
        Some(0)
    );
}

#[test]
fn a_flush_with_an_unbounded_timeout_waits_instead_of_overflowing() {
    let lines = MemorySink::new(Resource::new("shop", "1.0"), 10);
    let spans = MemorySink::new(Resource::new("shop", "1.0"), 10);
    let obs = Observability::builder()
        .service("shop", "1.0")
        .log_sink(lines.clone())
        .span_sink(spans.clone())
        .build()
        .unwrap();
    obs.logs().log(LogLevel::Error, "disk full").unwrap();
    obs.tracing().in_span("charge", || ());
    assert!(obs.flush(Duration::MAX));
    assert_eq!((lines.lines().len(), spans.lines().len()), (1, 1));
}
