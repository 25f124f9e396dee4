//! Reading tracing field values: into span attributes (text) and into log
//! entry fields (JSON, numbers and booleans keeping their type).

use std::fmt::Debug;

use serde_json::Value;
use tracing_core::field::{Field, Visit};

use crate::bridges::fit::Entries;

/// The field whose presence marks a span as failed.
const ERROR_FIELD: &str = "error";
/// The field tracing's macros put an event's message in.
const MESSAGE_FIELD: &str = "message";

/// Collects a span's fields as attributes, and notes whether one reports an
/// error: a field named `error` (unless it is `false`), or any value
/// recorded as a `dyn Error`.
pub(super) struct AttributeVisitor<'a> {
    pub(super) attributes: &'a mut Entries<String>,
    pub(super) error: &'a mut bool,
}

impl AttributeVisitor<'_> {
    fn put(&mut self, field: &Field, value: String) {
        if field.name() == ERROR_FIELD {
            *self.error = true;
        }
        self.attributes.insert_text(field.name(), value);
    }
}

impl Visit for AttributeVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == ERROR_FIELD && !value {
            self.attributes.insert_text(field.name(), value.to_string());
        } else {
            self.put(field, value.to_string());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.to_string());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.to_string());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.to_string());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        *self.error = true;
        self.put(field, value.to_string());
    }
}

/// Collects an event's message and its other fields.
#[derive(Default)]
pub(super) struct EventVisitor {
    pub(super) message: Option<String>,
    pub(super) fields: Entries<Value>,
}

impl EventVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        self.fields.insert_json(field.name(), value);
    }
}

impl Visit for EventVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let text = format!("{value:?}");
        if field.name() == MESSAGE_FIELD {
            self.message = Some(text);
        } else {
            self.put(field, text.into());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == MESSAGE_FIELD {
            self.message = Some(value.to_owned());
        } else {
            self.put(field, value.into());
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        let json = i64::try_from(value).map_or_else(|_| value.to_string().into(), Value::from);
        self.put(field, json);
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        let json = u64::try_from(value).map_or_else(|_| value.to_string().into(), Value::from);
        self.put(field, json);
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        // Non-finite numbers have no JSON form: keep their text.
        let json =
            serde_json::Number::from_f64(value).map_or_else(|| value.to_string().into(), Value::Number);
        self.put(field, json);
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
}
