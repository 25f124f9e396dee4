//! OTLP attribute values and timestamps in the entities' terms: an
//! `AnyValue` as JSON (log fields keep their types) or as text (span
//! attributes and metric labels are strings), nanoseconds as UTC times.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value};

use crate::domain::{SpanId, TraceId};
use crate::error::{ObsError, Result};
use crate::otlp::proto::{any_value, AnyValue};

/// The value as JSON: scalars as themselves, lists as arrays, key-value
/// lists as objects, bytes as base64, a non-finite double as its OTLP/JSON
/// spelling (`"NaN"`, `"Infinity"`, `"-Infinity"`), an empty value as null.
pub(super) fn to_json(value: Option<&AnyValue>) -> Value {
    let Some(value) = value.and_then(|v| v.value.as_ref()) else {
        return Value::Null;
    };
    match value {
        any_value::Value::StringValue(s) => Value::String(s.clone()),
        any_value::Value::BoolValue(b) => Value::Bool(*b),
        any_value::Value::IntValue(i) => Value::from(*i),
        any_value::Value::DoubleValue(d) => match Number::from_f64(*d) {
            Some(n) => Value::Number(n),
            None if d.is_nan() => Value::from("NaN"),
            None => Value::from(if *d > 0.0 { "Infinity" } else { "-Infinity" }),
        },
        any_value::Value::ArrayValue(list) => list.values.iter().map(|v| to_json(Some(v))).collect(),
        any_value::Value::KvlistValue(list) => {
            let map: Map<String, Value> = list
                .values
                .iter()
                .map(|kv| (kv.key.clone(), to_json(kv.value.as_ref())))
                .collect();
            Value::Object(map)
        }
        any_value::Value::BytesValue(bytes) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
    }
}

/// The value as text: a string as itself, anything else as its JSON text
/// (`true`, `42`, `1.5`, `[1,2]`), an empty value as the empty string.
pub(super) fn to_text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        None => String::new(),
        Some(_) => to_json(value).to_string(),
    }
}

/// A time in nanoseconds since the Unix epoch; 0 (unset) and times past
/// the year 2262 are refused, naming `field`.
pub(super) fn time(entity: &'static str, field: &'static str, nanos: u64) -> Result<DateTime<Utc>> {
    let signed = i64::try_from(nanos).ok().filter(|n| *n > 0);
    signed
        .map(DateTime::from_timestamp_nanos)
        .ok_or_else(|| ObsError::validation(entity, field, nanos, "must be set and within the year 2262"))
}

/// A 16-byte trace id.
pub(super) fn trace_id(entity: &'static str, bytes: &[u8]) -> Result<TraceId> {
    let raw: [u8; 16] = bytes
        .try_into()
        .map_err(|_| ObsError::validation(entity, "trace_id", bytes.len(), "must be 16 bytes"))?;
    TraceId::from_bytes(raw)
}

/// An 8-byte span id.
pub(super) fn span_id(entity: &'static str, bytes: &[u8]) -> Result<SpanId> {
    let raw: [u8; 8] = bytes
        .try_into()
        .map_err(|_| ObsError::validation(entity, "span_id", bytes.len(), "must be 8 bytes"))?;
    SpanId::from_bytes(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp::proto::{ArrayValue as List, KeyValue, KeyValueList};

    fn value(v: any_value::Value) -> AnyValue {
        AnyValue { value: Some(v) }
    }

    #[test]
    fn every_value_type_keeps_its_meaning() {
        use any_value::Value::*;
        let nested = value(KvlistValue(KeyValueList {
            values: vec![KeyValue::string("k", "v")],
        }));
        let list = value(ArrayValue(List {
            values: vec![value(IntValue(1)), value(BoolValue(false)), nested],
        }));
        assert_eq!(to_json(Some(&list)), serde_json::json!([1, false, { "k": "v" }]));
        assert_eq!(to_text(Some(&list)), r#"[1,false,{"k":"v"}]"#);
        assert_eq!(to_text(Some(&value(StringValue("plain".into())))), "plain");
        assert_eq!(to_text(Some(&value(DoubleValue(1.5)))), "1.5");
        assert_eq!(to_json(Some(&value(DoubleValue(f64::NEG_INFINITY)))), "-Infinity");
        assert_eq!(to_json(Some(&value(BytesValue(vec![0xff, 0])))), "/wA=");
        assert_eq!(to_json(None), Value::Null);
        assert_eq!(to_text(Some(&AnyValue::default())), "");
    }

    #[test]
    fn times_and_ids_are_checked() {
        assert!(time("span", "start", 0).is_err());
        assert!(time("span", "start", u64::MAX).is_err());
        assert_eq!(
            time("span", "start", 1_500).unwrap().timestamp_nanos_opt(),
            Some(1_500)
        );
        assert!(trace_id("span", &[1; 15]).is_err());
        assert!(trace_id("span", &[0; 16]).is_err());
        assert!(span_id("span", &[7; 8]).is_ok());
    }
}
