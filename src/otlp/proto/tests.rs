use proptest::prelude::*;

use super::*;

fn round_trip<M: OtlpMessage + std::fmt::Debug + PartialEq>(message: &M) {
    for encoding in [Encoding::Protobuf, Encoding::Json] {
        let bytes = encoding.encode(message);
        let back: M = encoding
            .decode(&bytes)
            .unwrap_or_else(|e| panic!("{encoding:?}: {e}"));
        assert_eq!(&back, message, "{encoding:?}");
    }
}

#[test]
fn json_follows_the_otlp_mapping() {
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue::string("service.name", "shop")],
                dropped_attributes_count: 0,
            }),
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    trace_id: vec![0xab; 16],
                    span_id: vec![0x01; 8],
                    name: "GET".into(),
                    kind: SpanKind::Server as i32,
                    start_time_unix_nano: 1_700_000_000_000_000_001,
                    attributes: vec![KeyValue {
                        key: "n".into(),
                        value: Some(AnyValue {
                            value: Some(any_value::Value::IntValue(-5)),
                        }),
                    }],
                    status: Some(Status {
                        message: String::new(),
                        code: StatusCode::Error as i32,
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let json: serde_json::Value = serde_json::from_slice(&Encoding::Json.encode(&request)).unwrap();
    let span = &json["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(span["traceId"], "ab".repeat(16));
    assert_eq!(span["spanId"], "0101010101010101");
    assert_eq!(span["kind"], 2);
    assert_eq!(span["startTimeUnixNano"], "1700000000000000001");
    assert_eq!(span["attributes"][0]["value"]["intValue"], "-5");
    assert_eq!(span["status"]["code"], 2);
    assert_eq!(
        json["resourceSpans"][0]["resource"]["attributes"][0]["value"]["stringValue"],
        "shop"
    );
    round_trip(&request);
}

#[test]
fn json_input_accepts_numbers_for_64_bit_integers_and_ignores_unknown_fields() {
    let text = br#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","future":1,
        "sum":{"isMonotonic":true,"aggregationTemporality":2,"dataPoints":[
            {"timeUnixNano":17,"asInt":42},{"timeUnixNano":"18","asDouble":"NaN"}]}},
        {"name":"h","histogram":{"dataPoints":[{"count":3,"bucketCounts":[1,"2"],"explicitBounds":[1.5],"sum":"Infinity"}]}}]}]}]}"#;
    let request: ExportMetricsServiceRequest = Encoding::Json.decode(text).unwrap();
    let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
    let Some(metric::Data::Sum(sum)) = &metrics[0].data else {
        panic!("not a sum: {:?}", metrics[0].data)
    };
    assert!(sum.is_monotonic);
    assert_eq!(sum.data_points[0].time_unix_nano, 17);
    assert_eq!(
        sum.data_points[0].value,
        Some(number_data_point::Value::AsInt(42))
    );
    assert!(matches!(sum.data_points[1].value, Some(number_data_point::Value::AsDouble(v)) if v.is_nan()));
    let Some(metric::Data::Histogram(h)) = &metrics[1].data else {
        panic!("not a histogram")
    };
    assert_eq!(h.data_points[0].bucket_counts, vec![1, 2]);
    assert_eq!(h.data_points[0].sum, Some(f64::INFINITY));
}

#[test]
fn malformed_input_is_a_decode_error_naming_the_message() {
    let err = Encoding::Json
        .decode::<ExportTraceServiceRequest>(
            br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}"#,
        )
        .unwrap_err();
    assert_eq!(err.entity(), Some("otlp traces request"));
    let err = Encoding::Protobuf
        .decode::<ExportLogsServiceRequest>(&[0x0a, 0xff])
        .unwrap_err();
    assert_eq!(err.code(), "decode");
}

#[test]
fn partial_success_round_trips() {
    let response = ExportLogsServiceResponse {
        partial_success: Some(ExportLogsPartialSuccess {
            rejected_log_records: 3,
            error_message: "bad severity".into(),
        }),
    };
    let json = String::from_utf8(Encoding::Json.encode(&response)).unwrap();
    assert_eq!(
        json,
        r#"{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"bad severity"}}"#
    );
    round_trip(&response);
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        any::<String>().prop_map(any_value::Value::StringValue),
        any::<bool>().prop_map(any_value::Value::BoolValue),
        any::<i64>().prop_map(any_value::Value::IntValue),
        any::<f64>()
            .prop_filter("NaN never equals itself", |v| !v.is_nan())
            .prop_map(any_value::Value::DoubleValue),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(any_value::Value::BytesValue),
    ]
    .prop_map(|v| AnyValue { value: Some(v) });
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|values| AnyValue {
                value: Some(any_value::Value::ArrayValue(ArrayValue { values })),
            }),
            proptest::collection::vec(("[a-z.]{1,6}", inner), 0..3).prop_map(|pairs| AnyValue {
                value: Some(any_value::Value::KvlistValue(KeyValueList {
                    values: pairs
                        .into_iter()
                        .map(|(key, value)| KeyValue {
                            key,
                            value: Some(value)
                        })
                        .collect(),
                })),
            }),
        ]
    })
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    proptest::collection::vec(
        (".{0,8}", any_value()).prop_map(|(key, value)| KeyValue {
            key,
            value: Some(value),
        }),
        0..4,
    )
}

fn id(len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Vec::new()), proptest::collection::vec(any::<u8>(), len)]
}

prop_compose! {
    fn span()(trace_id in id(16), span_id in id(8), parent in id(8), name in ".{0,12}", kind in 0..6i32,
              start in any::<u64>(), end in any::<u64>(), attributes in attributes(), flags in any::<u32>(),
              events in proptest::collection::vec((any::<u64>(), ".{0,6}", attributes()), 0..3),
              links in proptest::collection::vec((id(16), id(8), ".{0,6}"), 0..3),
              status in proptest::option::of((".{0,6}", 0..3i32))) -> Span {
        Span {
            trace_id, span_id, parent_span_id: parent, name, kind, flags,
            start_time_unix_nano: start, end_time_unix_nano: end, attributes,
            events: events.into_iter().map(|(t, name, attributes)| span::Event { time_unix_nano: t, name, attributes, dropped_attributes_count: 0 }).collect(),
            links: links.into_iter().map(|(trace_id, span_id, trace_state)| span::Link { trace_id, span_id, trace_state, ..Default::default() }).collect(),
            status: status.map(|(message, code)| Status { message, code }),
            ..Default::default()
        }
    }
}

prop_compose! {
    fn log_record()(time in any::<u64>(), observed in any::<u64>(), severity in 0..25i32, text in ".{0,6}",
                    body in proptest::option::of(any_value()), attributes in attributes(),
                    trace_id in id(16), span_id in id(8), flags in any::<u32>()) -> LogRecord {
        LogRecord {
            time_unix_nano: time, observed_time_unix_nano: observed, severity_number: severity,
            severity_text: text, body, attributes, trace_id, span_id, flags, ..Default::default()
        }
    }
}

fn finite() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("NaN never equals itself", |v| !v.is_nan())
}

fn metric() -> impl Strategy<Value = Metric> {
    let number = || {
        (
            attributes(),
            any::<u64>(),
            any::<u64>(),
            prop_oneof![
                finite().prop_map(number_data_point::Value::AsDouble),
                any::<i64>().prop_map(number_data_point::Value::AsInt),
            ],
        )
            .prop_map(|(attributes, start, time, value)| NumberDataPoint {
                attributes,
                start_time_unix_nano: start,
                time_unix_nano: time,
                value: Some(value),
                ..Default::default()
            })
    };
    let histogram = (
        any::<u64>(),
        proptest::option::of(finite()),
        proptest::collection::vec(any::<u64>(), 0..5),
        proptest::collection::vec(finite(), 0..4),
        proptest::option::of(finite()),
    )
        .prop_map(
            |(count, sum, bucket_counts, explicit_bounds, min)| HistogramDataPoint {
                count,
                sum,
                bucket_counts,
                explicit_bounds,
                min,
                ..Default::default()
            },
        );
    let data = prop_oneof![
        proptest::collection::vec(number(), 0..3)
            .prop_map(|data_points| metric::Data::Gauge(Gauge { data_points })),
        (proptest::collection::vec(number(), 0..3), any::<bool>()).prop_map(|(data_points, is_monotonic)| {
            metric::Data::Sum(Sum {
                data_points,
                aggregation_temporality: AggregationTemporality::Cumulative as i32,
                is_monotonic,
            })
        }),
        proptest::collection::vec(histogram, 0..3).prop_map(|data_points| metric::Data::Histogram(
            Histogram {
                data_points,
                aggregation_temporality: AggregationTemporality::Cumulative as i32,
            }
        )),
    ];
    ("[a-z_]{1,10}", ".{0,8}", proptest::option::of(data)).prop_map(|(name, unit, data)| Metric {
        name,
        unit,
        data,
        ..Default::default()
    })
}

proptest! {
    #[test]
    fn trace_requests_round_trip(spans in proptest::collection::vec(span(), 0..4), attrs in attributes()) {
        round_trip(&ExportTraceServiceRequest { resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: attrs, dropped_attributes_count: 0 }),
            scope_spans: vec![ScopeSpans { scope: Some(InstrumentationScope { name: "observa".into(), ..Default::default() }), spans, ..Default::default() }],
            ..Default::default()
        }]});
    }

    #[test]
    fn logs_requests_round_trip(records in proptest::collection::vec(log_record(), 0..4)) {
        round_trip(&ExportLogsServiceRequest { resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs { log_records: records, ..Default::default() }],
            ..Default::default()
        }]});
    }

    #[test]
    fn metrics_requests_round_trip(metrics in proptest::collection::vec(metric(), 0..4)) {
        round_trip(&ExportMetricsServiceRequest { resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics { metrics, ..Default::default() }],
            ..Default::default()
        }]});
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Encoding::Protobuf.decode::<ExportTraceServiceRequest>(&bytes);
        let _ = Encoding::Json.decode::<ExportMetricsServiceRequest>(&bytes);
    }
}
