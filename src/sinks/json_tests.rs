use std::collections::BTreeMap;

use chrono::TimeZone;
use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::{SpanEvent, SpanId, SpanKind, SpanStatus, TraceId};

fn encoder() -> JsonEncoder {
    JsonEncoder::new(Resource::new("shop", "1.0").environment("test"))
}

fn encode(record: &Record, observed: DateTime<Utc>) -> Vec<u8> {
    let mut out = Vec::new();
    encoder().encode(record, observed, &mut out);
    out
}

#[test]
fn timestamps_are_rfc3339_utc_with_nanoseconds() {
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::nanoseconds(7);
    let mut out = Vec::new();
    timestamp(&mut out, at);
    assert_eq!(out, b"\"2026-01-02T03:04:05.000000007Z\"");
}

#[test]
fn leap_second_is_written_as_second_60() {
    let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
        .unwrap()
        .and_utc();
    let mut out = Vec::new();
    timestamp(&mut out, leap);
    assert_eq!(out, b"\"2016-12-31T23:59:60.500000000Z\"");
}

#[test]
fn log_line_has_the_otel_names_and_optional_fields_only_when_present() {
    let trace = TraceId::random();
    let span = SpanId::random();
    let entry = LogEntry::builder(LogLevel::Error, "boom")
        .field("code", "E42")
        .target("payments")
        .correlation_id("req-1")
        .trace(trace, Some(span))
        .build()
        .unwrap();
    let record = Record::Log {
        entry: entry.clone(),
        trace_flags: Some(1),
    };
    let observed = Utc::now();
    let json: Value = serde_json::from_slice(&encode(&record, observed)).unwrap();
    assert_eq!(json["severity_text"], "ERROR");
    assert_eq!(json["severity_number"], 17);
    assert_eq!(json["trace_id"], trace.to_string());
    assert_eq!(json["span_id"], span.to_string());
    assert_eq!(json["trace_flags"], "01");
    assert_eq!(json["correlation_id"], "req-1");
    assert_eq!(json["instrumentation_scope"]["name"], "payments");
    assert_eq!(json["resource"]["deployment.environment"], "test");
    let seen: DateTime<Utc> = json["observed_timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(seen, observed);

    let bare = Record::from(LogEntry::new(LogLevel::Info, "plain").unwrap());
    let json: Value = serde_json::from_slice(&encode(&bare, observed)).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for absent in [
        "trace_id",
        "span_id",
        "trace_flags",
        "correlation_id",
        "instrumentation_scope",
    ] {
        assert!(!keys.contains(&absent), "{absent} in {keys:?}");
    }
}

#[test]
fn span_line_carries_ids_times_attributes_and_events() {
    let root = Span::root("checkout", "shop").unwrap();
    let start = root.start();
    let child = Span::builder("charge \"card\"", "shop")
        .parent(root.trace_id(), root.span_id())
        .kind(SpanKind::Client)
        .start(start)
        .build()
        .unwrap()
        .with_attribute("card.brand", "visa\n")
        .unwrap()
        .with_event(SpanEvent::at("retry", start).unwrap())
        .unwrap()
        .finish_at(start + chrono::Duration::microseconds(1500), SpanStatus::Error)
        .unwrap();
    let record = Record::Span {
        span: child.clone(),
        trace_flags: Some(1),
    };
    let line = encode(&record, Utc::now());
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    let json: Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(json["name"], "charge \"card\"");
    assert_eq!(json["trace_id"], root.trace_id().to_string());
    assert_eq!(json["parent_span_id"], root.span_id().to_string());
    assert_eq!(json["span_id"], child.span_id().to_string());
    assert_eq!(json["kind"], "client");
    assert_eq!(json["status"], "error");
    assert_eq!(json["duration_ns"], 1_500_000);
    assert_eq!(json["attributes"]["card.brand"], "visa\n");
    assert_eq!(json["events"][0]["name"], "retry");
    let end: DateTime<Utc> = json["end_time"].as_str().unwrap().parse().unwrap();
    assert_eq!(end, child.end().unwrap());

    let open = Record::from(Span::root("open", "shop").unwrap());
    let json: Value = serde_json::from_slice(&encode(&open, Utc::now())).unwrap();
    assert!(json.get("end_time").is_none() && json.get("parent_span_id").is_none());
}

fn field_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn log_entry() -> impl Strategy<Value = (LogEntry, Option<u8>)> {
    (
        prop::sample::select(LogLevel::ALL.to_vec()),
        "\\PC*[a-z]\\PC{0,60}|[\"\\\\\n\t\r\u{0}\u{1f}\u{2028}]{1,5}x",
        prop::collection::btree_map("[^\\p{Cc}]{1,20}", field_value(), 0..6),
        prop::option::of((any::<[u8; 16]>(), prop::option::of(any::<[u8; 8]>()))),
        prop::option::of("[!-~]{1,20}"),
        prop::option::of("[^\\p{Cc}]{1,20}"),
        -5_000_000_000_000_000_000i64..5_000_000_000_000_000_000,
        prop::option::of(any::<u8>()),
    )
        .prop_filter_map(
            "valid entries only",
            |(level, msg, fields, ids, corr, target, ns, flags)| {
                let mut builder = LogEntry::builder(level, msg).timestamp(Utc.timestamp_nanos(ns));
                for (key, value) in fields {
                    builder = builder.field(key, value);
                }
                if let Some((trace, span)) = ids {
                    let trace = TraceId::from_bytes(trace).ok()?;
                    builder = builder.trace(trace, span.and_then(|s| SpanId::from_bytes(s).ok()));
                }
                if let Some(corr) = corr {
                    builder = builder.correlation_id(corr);
                }
                if let Some(target) = target {
                    builder = builder.target(target);
                }
                builder.build().ok().map(|entry| (entry, flags))
            },
        )
}

proptest! {
    #[test]
    fn any_log_entry_is_one_line_of_json_that_parses_back((entry, flags) in log_entry()) {
        let record = Record::Log { entry: entry.clone(), trace_flags: flags };
        let line = encode(&record, Utc::now());
        prop_assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        prop_assert_eq!(line.last(), Some(&b'\n'));
        let json: Value = serde_json::from_slice(&line).unwrap();
        prop_assert_eq!(json["body"].as_str(), Some(entry.message()));
        let level: LogLevel = json["severity_text"].as_str().unwrap().parse().unwrap();
        prop_assert_eq!(level, entry.level());
        prop_assert_eq!(json["severity_number"].as_u64(), Some(u64::from(entry.level().severity_number())));
        let fields: BTreeMap<String, Value> = serde_json::from_value(json["attributes"].clone()).unwrap();
        prop_assert_eq!(&fields, entry.fields());
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(String::from);
        prop_assert_eq!(text("trace_id"), entry.trace_id().map(|t| t.to_string()));
        prop_assert_eq!(text("span_id"), entry.span_id().map(|s| s.to_string()));
        prop_assert_eq!(text("trace_flags"), flags.map(|f| format!("{f:02x}")));
        prop_assert_eq!(json.get("correlation_id").and_then(Value::as_str), entry.correlation_id());
        prop_assert_eq!(json["instrumentation_scope"]["name"].as_str(), entry.target());
        let at: DateTime<Utc> = json["timestamp"].as_str().unwrap().parse().unwrap();
        prop_assert_eq!(at, entry.timestamp());
    }
}

proptest! {
    #[test]
    fn the_readable_console_line_of_any_entry_is_one_line((entry, _) in log_entry(), colour in any::<bool>()) {
        use crate::sinks::{ConsoleFormat, ConsoleSink, Sink};
        let mut sink = ConsoleSink::new(Vec::new(), Resource::new("shop", "1"), ConsoleFormat::Pretty { colour });
        sink.write(&Record::from(entry.clone())).unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        prop_assert_eq!(text.matches('\n').count(), 1);
        prop_assert!(text.ends_with('\n'));
        prop_assert!(!text[..text.len() - 1].contains('\r'));
    }
}
