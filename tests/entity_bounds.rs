//! Byte bounds on log fields, span attributes and alert annotations: a
//! refused entity names its entity, field and rule.

use observa::domain::rules::{MAX_ENTRIES_BYTES, MAX_VALUE_BYTES};
use observa::{Alert, AlertSeverity, LogEntry, LogLevel, ObsError, Span};
use proptest::prelude::*;

fn where_and_why(err: &ObsError) -> (Option<&str>, Option<&str>, &str) {
    (err.entity(), err.field(), err.rule().unwrap_or_default())
}

#[test]
fn a_one_mebibyte_log_field_is_refused() {
    let huge = "x".repeat(1 << 20);
    let err = LogEntry::builder(LogLevel::Info, "upload")
        .field("body", huge)
        .build()
        .unwrap_err();
    let (entity, field, rule) = where_and_why(&err);
    assert_eq!((entity, field), (Some("log entry"), Some("field value")));
    assert!(rule.contains(&MAX_VALUE_BYTES.to_string()), "{rule}");
    assert!(err.value().unwrap().starts_with("body: "), "{err}");
}

#[test]
fn log_fields_are_bounded_in_total_and_nested_values_count() {
    let chunk = "y".repeat(MAX_VALUE_BYTES - 100);
    let mut builder = LogEntry::builder(LogLevel::Info, "many");
    for i in 0..(MAX_ENTRIES_BYTES / chunk.len() + 1) {
        builder = builder.field(format!("part{i}"), chunk.clone());
    }
    let err = builder.build().unwrap_err();
    assert_eq!(where_and_why(&err).1, Some("fields"));

    let nested = serde_json::json!({ "rows": vec!["z".repeat(1_000); 20] });
    let err = LogEntry::builder(LogLevel::Info, "nested")
        .field("table", nested)
        .build()
        .unwrap_err();
    assert_eq!(where_and_why(&err).1, Some("field value"));
}

#[test]
fn span_attributes_are_bounded_in_bytes() {
    // 1,024 four-byte characters each: within the per-value character limit.
    let wide = "𝄞".repeat(1_024);
    let mut span = Span::root("op", "svc").unwrap();
    let mut refused = None;
    for i in 0..16 {
        match span.clone().with_attribute(format!("attr{i}"), wide.clone()) {
            Ok(next) => span = next,
            Err(err) => {
                refused = Some(err);
                break;
            }
        }
    }
    let err = refused.expect("16 x 4 KiB of attributes must be refused");
    assert_eq!(where_and_why(&err).0, Some("span"));
    assert_eq!(where_and_why(&err).1, Some("attributes"));
    let kept: usize = span.attributes().iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(kept <= MAX_ENTRIES_BYTES);
}

#[test]
fn alert_annotations_are_bounded_in_bytes() {
    // 10,000 characters is within the character limit, but 30,000 bytes.
    let err = Alert::builder("t", "m", AlertSeverity::Low)
        .annotation("description", "€".repeat(10_000))
        .build()
        .unwrap_err();
    assert_eq!(where_and_why(&err).0, Some("alert"));
    assert_eq!(where_and_why(&err).1, Some("annotation"));

    let mut builder = Alert::builder("t", "m", AlertSeverity::Low);
    for i in 0..4 {
        builder = builder.annotation(format!("note{i}"), "a".repeat(10_000));
    }
    let err = builder.build().unwrap_err();
    assert_eq!(where_and_why(&err).1, Some("annotations"));
}

#[test]
fn decoded_entities_obey_the_same_bounds() {
    let entry = LogEntry::builder(LogLevel::Info, "ok")
        .field("k", "v")
        .build()
        .unwrap();
    let mut json = serde_json::to_value(&entry).unwrap();
    json["fields"]["k"] = "x".repeat(MAX_VALUE_BYTES + 1).into();
    let err = observa::domain::from_json::<LogEntry>(&json.to_string()).unwrap_err();
    assert_eq!(where_and_why(&err).1, Some("field value"));
}

proptest! {
    #[test]
    fn annotations_are_accepted_exactly_within_the_bounds(
        sizes in proptest::collection::vec(1usize..12_000, 1..5)
    ) {
        let mut builder = Alert::builder("t", "m", AlertSeverity::Low);
        let mut total = 0;
        for (i, size) in sizes.iter().enumerate() {
            let name = format!("n{i}");
            total += name.len() + size;
            builder = builder.annotation(name, "a".repeat(*size));
        }
        let within = sizes.iter().all(|s| *s <= 10_000) && total <= MAX_ENTRIES_BYTES;
        match builder.build() {
            Ok(alert) => {
                prop_assert!(within);
                prop_assert_eq!(alert.annotations().len(), sizes.len());
            }
            Err(err) => {
                prop_assert!(!within);
                prop_assert_eq!(err.entity(), Some("alert"));
            }
        }
    }

    #[test]
    fn log_field_values_are_accepted_exactly_within_the_bound(size in 0usize..(MAX_VALUE_BYTES + 64)) {
        // A JSON string encodes as its bytes plus two quotes.
        let built = LogEntry::builder(LogLevel::Info, "m").field("f", "q".repeat(size)).build();
        prop_assert_eq!(built.is_ok(), size + 2 <= MAX_VALUE_BYTES);
    }
}
