//! `opentelemetry.proto.common.v1` and `opentelemetry.proto.resource.v1`.

use serde::{Deserialize, Serialize};

use super::json::is_default;

/// A value of an attribute or a log body: one of the scalar types, a list or
/// a nested key-value list (`common.v1.AnyValue`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AnyValue {
    /// The value; `None` is an empty value.
    #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    #[serde(flatten)]
    pub value: Option<any_value::Value>,
}

/// The variants of [`AnyValue`].
pub mod any_value {
    use serde::{Deserialize, Serialize};

    use super::super::json::{base64_bytes, f64_json, i64_string};
    use super::{ArrayValue, KeyValueList};

    /// One typed value; in JSON the variant name is the field name (`stringValue`, …).
    #[derive(Clone, PartialEq, prost::Oneof, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Value {
        /// A UTF-8 string.
        #[prost(string, tag = "1")]
        StringValue(String),
        /// A boolean.
        #[prost(bool, tag = "2")]
        BoolValue(bool),
        /// A signed 64-bit integer (a decimal string in JSON).
        #[prost(int64, tag = "3")]
        IntValue(#[serde(with = "i64_string")] i64),
        /// A double.
        #[prost(double, tag = "4")]
        DoubleValue(#[serde(with = "f64_json")] f64),
        /// A list of values.
        #[prost(message, tag = "5")]
        ArrayValue(ArrayValue),
        /// A nested key-value list.
        #[prost(message, tag = "6")]
        KvlistValue(KeyValueList),
        /// Raw bytes (base64 in JSON).
        #[prost(bytes = "vec", tag = "7")]
        BytesValue(#[serde(with = "base64_bytes")] Vec<u8>),
    }
}

/// A list of values (`common.v1.ArrayValue`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ArrayValue {
    /// The values.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

/// A list of key-value pairs, keys unique (`common.v1.KeyValueList`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KeyValueList {
    /// The pairs.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

/// One attribute (`common.v1.KeyValue`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KeyValue {
    /// The key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The value.
    #[prost(message, optional, tag = "2")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<AnyValue>,
}

/// The library that produced the telemetry (`common.v1.InstrumentationScope`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InstrumentationScope {
    /// Its name, e.g. `observa`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its version.
    #[prost(string, tag = "2")]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Its attributes.
    #[prost(message, repeated, tag = "3")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped before export.
    #[prost(uint32, tag = "4")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_attributes_count: u32,
}

/// The entity producing the telemetry: a service, a host (`resource.v1.Resource`).
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Resource {
    /// Its attributes (`service.name`, …).
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped before export.
    #[prost(uint32, tag = "2")]
    #[serde(skip_serializing_if = "is_default")]
    pub dropped_attributes_count: u32,
}

impl AnyValue {
    /// A string value.
    ///
    /// ```
    /// use observa::otlp::proto::AnyValue;
    ///
    /// assert_eq!(AnyValue::string("x").as_str(), Some("x"));
    /// ```
    pub fn string(text: impl Into<String>) -> AnyValue {
        AnyValue {
            value: Some(any_value::Value::StringValue(text.into())),
        }
    }

    /// The string inside, when it is a string value.
    ///
    /// ```
    /// use observa::otlp::proto::AnyValue;
    ///
    /// assert_eq!(AnyValue::default().as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Some(any_value::Value::StringValue(s)) => Some(s),
            _ => None,
        }
    }
}

impl KeyValue {
    /// A key with a string value.
    ///
    /// ```
    /// use observa::otlp::proto::KeyValue;
    ///
    /// let kv = KeyValue::string("service.name", "shop");
    /// assert_eq!(kv.value.unwrap().as_str(), Some("shop"));
    /// ```
    pub fn string(key: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue::string(value)),
        }
    }
}
