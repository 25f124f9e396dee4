//! Validating serde for entities, and [`from_json`], which decodes an entity
//! and hands back the [`ObsError`] that refused it.
//!
//! `validated_serde!` serves an entity that keeps its data in a private
//! `*Fields` struct: serialising writes the fields; deserialising reads the
//! fields and runs them through the same `validate` the constructors use, so
//! JSON cannot produce an entity that a constructor would have refused.
//!
//! serde only carries an error's text, so every domain type that refuses a
//! decoded value goes through [`de_error`]: it keeps the `ObsError` for the
//! current thread and gives serde its text. [`from_json`] takes it back when
//! the decoder's error is that same refusal, so the caller sees the code,
//! entity, field, value and rule, not just a string.

use std::cell::RefCell;

use serde::de::DeserializeOwned;

use super::{Alert, HealthCheck, Labels, LogEntry, Metric, Observation, Span, SpanEvent, SpanId, TraceId};
use crate::error::{ObsError, Result};

thread_local! {
    /// The last domain refusal raised while decoding on this thread.
    static REFUSAL: RefCell<Option<ObsError>> = const { RefCell::new(None) };
}

/// Turns a domain refusal into a serde error, keeping the `ObsError` for
/// [`from_json`] on this thread.
pub(crate) fn de_error<E: serde::de::Error>(err: ObsError) -> E {
    let text = err.to_string();
    REFUSAL.with(|slot| *slot.borrow_mut() = Some(err));
    E::custom(text)
}

/// A domain type that [`from_json`] can decode: an entity or value object
/// whose `Deserialize` validates.
///
/// ```
/// use observa::domain::FromJson;
/// use observa::Alert;
///
/// let err = Alert::from_json(r#"{"title": "#).unwrap_err();
/// assert_eq!((err.code(), err.entity()), ("decode", Some("alert")));
/// ```
pub trait FromJson: DeserializeOwned {
    /// The entity name errors carry (`"alert"`, `"log entry"`, ...).
    const ENTITY: &'static str;

    /// Decodes and validates one value from JSON text; see [`from_json`].
    fn from_json(text: &str) -> Result<Self> {
        from_json(text)
    }
}

/// Decodes an entity from JSON text and validates it like its constructor.
///
/// A value that breaks a domain rule gives that rule's
/// [`ObsError::Validation`] (entity, field, value and rule intact); text that
/// is not JSON of the entity's shape gives [`ObsError::Decode`].
///
/// ```
/// use observa::{domain::from_json, Alert, AlertSeverity};
///
/// let alert = Alert::new("Disk full", "/var at 97%", AlertSeverity::High)?;
/// let mut json = serde_json::to_value(&alert).unwrap();
/// assert_eq!(from_json::<Alert>(&json.to_string())?, alert);
///
/// json["title"] = " ".into();
/// let err = from_json::<Alert>(&json.to_string()).unwrap_err();
/// assert_eq!((err.entity(), err.field(), err.rule()), (Some("alert"), Some("title"), Some("must not be blank")));
///
/// assert_eq!(from_json::<Alert>("{").unwrap_err().code(), "decode");
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn from_json<E: FromJson>(text: &str) -> Result<E> {
    REFUSAL.with(|slot| slot.borrow_mut().take());
    serde_json::from_str(text).map_err(|err| {
        let refusal = REFUSAL.with(|slot| slot.borrow_mut().take());
        match refusal {
            // The decoder stopped at the refusal itself (and not at a later
            // error after, say, an untagged enum swallowed it).
            Some(refusal) if err.is_data() && err.to_string().starts_with(&refusal.to_string()) => refusal,
            _ => ObsError::Decode {
                entity: E::ENTITY,
                reason: err.to_string(),
            },
        }
    })
}

macro_rules! from_json_names {
    ($($ty:ty => $name:literal),+ $(,)?) => {
        $(impl FromJson for $ty {
            const ENTITY: &'static str = $name;
        })+
    };
}

from_json_names! {
    Metric => "metric",
    Span => "span",
    SpanEvent => "span event",
    LogEntry => "log entry",
    Alert => "alert",
    HealthCheck => "health check",
    Observation => "observation",
    Labels => "label",
    TraceId => "trace id",
    SpanId => "span id",
}

macro_rules! validated_serde {
    ($entity:ident, $fields:ident) => {
        impl serde::Serialize for $entity {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                self.f.serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $entity {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let fields = $fields::deserialize(d)?;
                $entity::validate(fields).map_err(super::entity_serde::de_error)
            }
        }
    };
}

pub(crate) use validated_serde;
