//! [`SpanEvent`]: something that happened at a point in time during a span.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::rules;
use crate::error::Result;

/// Something that happened at a point in time during a span.
///
/// ```
/// let event = observa::SpanEvent::new("cache miss")?;
/// assert_eq!(event.name(), "cache miss");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanEvent {
    name: String,
    time: DateTime<Utc>,
}

#[derive(Deserialize)]
struct SpanEventFields {
    name: String,
    time: DateTime<Utc>,
}

impl<'de> Deserialize<'de> for SpanEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let f = SpanEventFields::deserialize(d)?;
        SpanEvent::at(f.name, f.time).map_err(crate::domain::entity_serde::de_error)
    }
}

impl SpanEvent {
    /// An event happening now.
    pub fn new(name: impl Into<String>) -> Result<SpanEvent> {
        SpanEvent::at(name, Utc::now())
    }

    /// An event at a given time.
    pub fn at(name: impl Into<String>, time: DateTime<Utc>) -> Result<SpanEvent> {
        let name = name.into();
        rules::short_name("span event", "name", &name)?;
        Ok(SpanEvent { name, time })
    }

    /// The event name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name, rewritten in place by redaction.
    pub(crate) fn name_mut(&mut self) -> &mut String {
        &mut self.name
    }

    /// When it happened.
    pub fn time(&self) -> DateTime<Utc> {
        self.time
    }
}
