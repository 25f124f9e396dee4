//! The OTLP exporter against real peers: every request decodes with the
//! official schema and carries what was recorded; rotel accepts it; a 503
//! is retried; a receiver that is down neither slows the caller nor loses
//! drops silently.

#[path = "otlp/peer.rs"]
mod peer;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use observa::metrics::{Buckets, FamilySpec};
use observa::otlp::proto::Encoding;
use observa::otlp::{BatchConfig, Compression, OtlpConfig, RetryPolicy, Signal};
use observa::{LogEntry, LogLevel, Observability, SpanKind, SpanStatus};
use serde_json::Value;

fn config(endpoint: &str) -> OtlpConfig {
    OtlpConfig::default()
        .endpoint(endpoint)
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
        })
}

fn obs(config: OtlpConfig) -> Observability {
    Observability::builder()
        .service("checkout", "1.4.2")
        .environment("staging")
        .label("team", "payments")
        .otlp(config)
        .build()
        .unwrap()
}

/// Attributes as a map of key to the JSON value inside `value`.
fn attributes(list: &Value) -> BTreeMap<String, Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|kv| (kv["key"].as_str().unwrap().to_owned(), kv["value"].clone()))
        .collect()
}

fn all<'a>(requests: &'a [Value], outer: &str, inner: &str, items: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for r in requests {
        for resource in r["message"][outer].as_array().into_iter().flatten() {
            for scope in resource[inner].as_array().into_iter().flatten() {
                out.extend(scope[items].as_array().into_iter().flatten());
            }
        }
    }
    out
}

fn round_trip(encoding: Encoding, compression: Compression) {
    let Some(receiver) = peer::Receiver::start(0) else {
        return;
    };
    let obs = obs(config(&receiver.endpoint())
        .encoding(encoding)
        .compression(compression));

    let mut root = obs
        .tracing()
        .span_builder("GET /cart")
        .kind(SpanKind::Server)
        .attribute("http.request.method", "GET")
        .start()
        .unwrap();
    let linked = obs.tracing().span("warm-up");
    let linked_ctx = linked.context();
    linked.finish();
    let guard = root.enter();
    let mut child = obs
        .tracing()
        .span_builder("load cart")
        .link(linked_ctx)
        .start()
        .unwrap();
    child.add_event("cache miss").unwrap();
    child.set_status(SpanStatus::Error);
    let (trace_id, child_id) = (child.context().trace_id(), child.context().span_id());
    obs.logs()
        .record(
            LogEntry::builder(LogLevel::Warning, "cart is slow")
                .field("items", 3)
                .field("ratio", 0.5)
                .field("vip", true)
                .field("user", serde_json::json!({"tier": "gold"}))
                .trace(trace_id, Some(child_id))
                .build()
                .unwrap(),
        )
        .unwrap();
    child.finish();
    drop(guard);
    root.set_status(SpanStatus::Ok);
    let root_id = root.context().span_id();
    root.finish();

    let orders = obs
        .metrics()
        .counter_family(FamilySpec::new("orders_total").labels(&["region"]))
        .unwrap();
    orders.with_label_values(&["eu"]).unwrap().inc_by(2.0);
    obs.metrics().gauge("queue_depth", &[]).unwrap().set(7.0);
    let latency = obs
        .metrics()
        .histogram_family(
            FamilySpec::new("latency_seconds")
                .unit("seconds")
                .buckets(Buckets::new(vec![0.1, 1.0]).unwrap()),
        )
        .unwrap()
        .with_label_values::<&str>(&[])
        .unwrap();
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(5.0);

    assert!(obs.flush(Duration::from_secs(20)), "flushed in time");

    let count = |lines: &[Value], outer, inner, items| all(lines, outer, inner, items).len();
    let traces = receiver.wait_for("/v1/traces", |l| {
        count(l, "resourceSpans", "scopeSpans", "spans") >= 3
    });
    assert!(
        !traces.is_empty() && traces.iter().all(|r| r["status"] == 200),
        "{traces:?}"
    );
    let expected = if encoding == Encoding::Json {
        "json"
    } else {
        "protobuf"
    };
    assert!(traces
        .iter()
        .all(|r| r["encoding"] == expected && r["gzip"] == (compression == Compression::Gzip)));
    let resource = attributes(&traces[0]["message"]["resourceSpans"][0]["resource"]["attributes"]);
    assert_eq!(resource["service.name"]["stringValue"], "checkout");
    assert_eq!(resource["service.version"]["stringValue"], "1.4.2");
    assert_eq!(resource["deployment.environment"]["stringValue"], "staging");
    assert_eq!(resource["team"]["stringValue"], "payments");
    assert_eq!(
        traces[0]["message"]["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"],
        "observa"
    );

    let spans = all(&traces, "resourceSpans", "scopeSpans", "spans");
    let by_name = |name: &str| {
        *spans
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let (root, child) = (by_name("GET /cart"), by_name("load cart"));
    assert_eq!(root["traceId"], trace_id.to_string());
    assert_eq!(root["spanId"], root_id.to_string());
    assert_eq!(root["kind"], 2, "server");
    assert_eq!(root["status"]["code"], 1, "ok");
    assert_eq!(
        attributes(&root["attributes"])["http.request.method"]["stringValue"],
        "GET"
    );
    assert_eq!(child["spanId"], child_id.to_string());
    assert_eq!(child["parentSpanId"], root_id.to_string());
    assert_eq!(child["kind"], 1, "internal");
    assert_eq!(child["status"]["code"], 2, "error");
    assert_eq!(child["events"][0]["name"], "cache miss");
    assert_eq!(child["links"][0]["traceId"], linked_ctx.trace_id().to_string());
    assert_eq!(child["links"][0]["spanId"], linked_ctx.span_id().to_string());
    assert!(!attributes(&child["attributes"]).contains_key("observa.links"));
    let start: u64 = child["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
    let end: u64 = child["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
    assert!(start > 1_600_000_000_000_000_000 && end >= start);

    let logs = receiver.wait_for("/v1/logs", |l| {
        count(l, "resourceLogs", "scopeLogs", "logRecords") >= 1
    });
    let records = all(&logs, "resourceLogs", "scopeLogs", "logRecords");
    let record = records
        .iter()
        .find(|r| r["body"]["stringValue"] == "cart is slow")
        .expect("the log record");
    assert_eq!(record["severityNumber"], 13);
    assert_eq!(record["severityText"], "WARNING");
    assert_eq!(record["traceId"], trace_id.to_string());
    assert_eq!(record["spanId"], child_id.to_string());
    let fields = attributes(&record["attributes"]);
    assert_eq!(fields["items"]["intValue"], "3");
    assert_eq!(fields["ratio"]["doubleValue"], 0.5);
    assert_eq!(fields["vip"]["boolValue"], true);
    assert_eq!(fields["user"]["kvlistValue"]["values"][0]["key"], "tier");

    let metrics_requests = receiver.wait_for("/v1/metrics", |l| !l.is_empty());
    assert!(
        metrics_requests.iter().all(|r| r["status"] == 200),
        "{metrics_requests:?}"
    );
    let metrics = all(&metrics_requests, "resourceMetrics", "scopeMetrics", "metrics");
    let metric = |name: &str| {
        *metrics
            .iter()
            .rev()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let sum = &metric("orders")["sum"];
    assert_eq!(
        (
            sum["isMonotonic"].as_bool(),
            sum["aggregationTemporality"].as_i64()
        ),
        (Some(true), Some(2))
    );
    assert_eq!(sum["dataPoints"][0]["asDouble"], 2.0);
    assert_eq!(
        attributes(&sum["dataPoints"][0]["attributes"])["region"]["stringValue"],
        "eu"
    );
    assert_eq!(metric("queue_depth")["gauge"]["dataPoints"][0]["asDouble"], 7.0);
    let histogram = metric("latency_seconds");
    assert_eq!(histogram["unit"], "s");
    let point = &histogram["histogram"]["dataPoints"][0];
    assert_eq!(point["count"], "3");
    assert_eq!(point["bucketCounts"], serde_json::json!(["1", "1", "1"]));
    assert_eq!(point["explicitBounds"], serde_json::json!([0.1, 1.0]));
    assert_eq!(point["sum"], 5.55);
    let exporter = obs.otlp().unwrap();
    assert!(exporter.delivered(Signal::Traces) >= 3 && exporter.delivered(Signal::Logs) >= 1);
    assert!(
        exporter.drops().iter().all(|&(_, _, n)| n == 0),
        "{:?}",
        exporter.drops()
    );
}

#[test]
fn protobuf_requests_decode_with_the_official_schema_and_carry_what_was_recorded() {
    round_trip(Encoding::Protobuf, Compression::None);
}

#[test]
fn gzipped_json_requests_decode_with_the_official_schema_and_carry_what_was_recorded() {
    round_trip(Encoding::Json, Compression::Gzip);
}

#[test]
fn rotel_accepts_protobuf_and_json() {
    let Some(rotel) = peer::Rotel::start() else { return };
    for (encoding, compression) in [
        (Encoding::Protobuf, Compression::Gzip),
        (Encoding::Json, Compression::None),
    ] {
        let obs = obs(config(&rotel.endpoint())
            .encoding(encoding)
            .compression(compression));
        obs.tracing().in_span("checkout", || ());
        obs.logs().log(LogLevel::Info, "order placed").unwrap();
        obs.metrics().counter("orders_total", &[]).unwrap().inc();
        assert!(obs.flush(Duration::from_secs(20)));
        let exporter = obs.otlp().unwrap();
        assert_eq!(exporter.delivered(Signal::Traces), 1, "{encoding:?}");
        assert_eq!(exporter.delivered(Signal::Logs), 1, "{encoding:?}");
        assert!(exporter.delivered(Signal::Metrics) > 0, "{encoding:?}");
        assert!(
            exporter.drops().iter().all(|&(_, _, n)| n == 0),
            "{encoding:?}: {:?}",
            exporter.drops()
        );
    }
}

#[test]
fn unavailable_with_retry_after_is_retried_then_delivered() {
    let Some(receiver) = peer::Receiver::start(1) else {
        return;
    };
    let obs = obs(config(&receiver.endpoint())
        .without(Signal::Logs)
        .without(Signal::Metrics));
    obs.tracing().in_span("checkout", || ());
    let started = Instant::now();
    assert!(obs.flush(Duration::from_secs(20)));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After: 1"
    );
    let statuses: Vec<Value> = receiver
        .wait_for("/v1/traces", |l| l.len() >= 2)
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, vec![Value::from(503), Value::from(200)]);
    assert_eq!(obs.otlp().unwrap().delivered(Signal::Traces), 1);
}

/// Time to record `n` spans and log entries.
fn record(obs: &Observability, n: usize) -> Duration {
    let started = Instant::now();
    for i in 0..n {
        obs.tracing().in_span("work", || ());
        obs.logs().log(LogLevel::Info, format!("item {i}")).unwrap();
    }
    started.elapsed()
}

#[test]
fn receiver_down_keeps_calls_fast_and_counts_drops() {
    let Some(receiver) = peer::Receiver::start(0) else {
        return;
    };
    let small = BatchConfig {
        max_queue_size: 64,
        max_export_batch_size: 16,
        schedule_delay: Duration::from_millis(50),
        export_timeout: Duration::from_secs(2),
    };
    let tuned = |endpoint: &str| {
        config(endpoint)
            .span_batch(small)
            .log_batch(small)
            .shutdown_timeout(Duration::from_secs(1))
            .without(Signal::Metrics)
    };
    let up = obs(tuned(&receiver.endpoint()));
    record(&up, 200);
    let up_time = record(&up, 2_000);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = obs(tuned(&format!("http://{closed}")));
    record(&down, 200);
    let down_time = record(&down, 2_000);
    assert!(
        down_time < up_time * 3 + Duration::from_millis(200),
        "down {down_time:?} vs up {up_time:?}"
    );

    let started = Instant::now();
    down.flush(Duration::from_secs(1));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "flush keeps its deadline"
    );
    let drops = down.otlp().unwrap().drops();
    let count = |kind: &str| drops.iter().filter(|d| d.0 == kind).map(|d| d.2).sum::<u64>();
    assert!(count("span") + count("log_entry") > 0, "{drops:?}");
    assert_eq!(down.otlp().unwrap().delivered(Signal::Traces), 0);
    let text = down.render(observa::metrics::Format::Prometheus).unwrap();
    assert!(
        text.contains("observa_dropped_total{kind=\"span\",reason=\"otlp_queue_full\"}")
            || text.contains("observa_dropped_total{kind=\"span\",reason=\"otlp_failed\"}"),
        "{text}"
    );
    let started = Instant::now();
    drop(down);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "drop flushes within its shutdown timeout"
    );
}

#[test]
fn dropping_the_container_keeps_its_shutdown_timeout_when_the_collector_hangs() {
    // accepts connections (the kernel's backlog) but never answers
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap();
    let obs = obs(OtlpConfig::default()
        .endpoint(&format!("http://{address}"))
        .timeout(Duration::from_secs(60))
        .shutdown_timeout(Duration::from_millis(500))
        .without(Signal::Metrics));
    for _ in 0..100 {
        obs.tracing().in_span("work", || ());
    }
    let started = Instant::now();
    assert!(!obs.flush(Duration::from_millis(300)), "nothing can be delivered");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "flush keeps its timeout"
    );
    let started = Instant::now();
    drop(obs);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(2),
        "drop took {took:?}"
    );
    drop(silent);
}

#[test]
fn batches_leave_when_full_or_when_their_delay_passes_without_a_flush() {
    let Some(receiver) = peer::Receiver::start(0) else {
        return;
    };
    let by_size = BatchConfig {
        max_export_batch_size: 4,
        schedule_delay: Duration::from_secs(600),
        ..BatchConfig::spans()
    };
    let by_time = BatchConfig {
        schedule_delay: Duration::from_millis(300),
        ..BatchConfig::logs()
    };
    let obs = obs(config(&receiver.endpoint())
        .span_batch(by_size)
        .log_batch(by_time)
        .without(Signal::Metrics));
    let started = Instant::now();
    for _ in 0..8 {
        obs.tracing().in_span("work", || ());
    }
    obs.logs().log(LogLevel::Info, "one").unwrap();
    let spans_per_request = |lines: &[Value]| -> Vec<usize> {
        lines
            .iter()
            .map(|r| all(std::slice::from_ref(r), "resourceSpans", "scopeSpans", "spans").len())
            .collect()
    };
    let traces = receiver.wait_for("/v1/traces", |l| spans_per_request(l).iter().sum::<usize>() >= 8);
    assert_eq!(
        spans_per_request(&traces),
        vec![4, 4],
        "two full batches, no flush"
    );
    let logs = receiver.wait_for("/v1/logs", |l| !l.is_empty());
    assert_eq!(logs.len(), 1, "the log batch left after its delay");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
