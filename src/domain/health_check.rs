//! [`HealthCheck`]: the validated result of checking one component.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity_serde::validated_serde;
use super::{rules, HealthStatus};
use crate::error::{ObsError, Result};

/// One observed value with its unit, e.g. memory utilisation 71.5 `percent`.
///
/// ```
/// let o = observa::Observation::new("utilization", 71.5, "percent")?;
/// assert_eq!((o.name(), o.value(), o.unit()), ("utilization", 71.5, "percent"));
/// assert!(observa::Observation::new("utilization", f64::NAN, "percent").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observation {
    name: String,
    value: f64,
    unit: String,
}

#[derive(Deserialize)]
struct ObservationFields {
    name: String,
    value: f64,
    unit: String,
}

impl<'de> Deserialize<'de> for Observation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let f = ObservationFields::deserialize(d)?;
        Observation::new(f.name, f.value, f.unit).map_err(super::entity_serde::de_error)
    }
}

impl Observation {
    /// Validates a measurement name (no `:`, as the IETF health format keys
    /// checks `component:measurement`), a finite value and a unit.
    pub fn new(name: impl Into<String>, value: f64, unit: impl Into<String>) -> Result<Observation> {
        let (name, unit) = (name.into(), unit.into());
        rules::short_name("observation", "name", &name)?;
        no_colon("observation", "name", &name)?;
        rules::finite("observation", "value", value)?;
        rules::short_name("observation", "unit", &unit)?;
        Ok(Observation { name, value, unit })
    }
    /// The measurement name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The observed value.
    pub fn value(&self) -> f64 {
        self.value
    }
    /// The unit of the value.
    pub fn unit(&self) -> &str {
        &self.unit
    }
}

fn no_colon(entity: &'static str, field: &'static str, text: &str) -> Result<()> {
    if text.contains(':') {
        return Err(ObsError::validation(entity, field, text, "must not contain `:`"));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct HealthCheckFields {
    id: Uuid,
    component: String,
    status: HealthStatus,
    #[serde(default)]
    message: String,
    #[serde(default)]
    observations: Vec<Observation>,
    #[serde(with = "duration_seconds")]
    duration: Duration,
    timestamp: DateTime<Utc>,
}

/// The result of checking one component: its status, a message, observed
/// values with units, how long the check took, and when it ran.
///
/// ```
/// use observa::{HealthCheck, HealthStatus, Observation};
/// use std::time::Duration;
///
/// let check = HealthCheck::builder("memory", HealthStatus::Degraded)
///     .message("memory above 80%")
///     .observation(Observation::new("utilization", 83.0, "percent")?)
///     .duration(Duration::from_millis(3))
///     .build()?;
/// assert_eq!(check.observations()[0].value(), 83.0);
/// assert!(HealthCheck::new("db:primary", HealthStatus::Healthy, "").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HealthCheck {
    f: HealthCheckFields,
}

validated_serde!(HealthCheck, HealthCheckFields);

impl HealthCheck {
    /// A check result with a message (may be empty) and nothing observed.
    pub fn new(
        component: impl Into<String>,
        status: HealthStatus,
        message: impl Into<String>,
    ) -> Result<HealthCheck> {
        HealthCheck::builder(component, status).message(message).build()
    }

    /// A builder for message, observations, duration and time.
    pub fn builder(component: impl Into<String>, status: HealthStatus) -> HealthCheckBuilder {
        HealthCheckBuilder {
            component: component.into(),
            status,
            message: String::new(),
            observations: Vec::new(),
            duration: Duration::ZERO,
            timestamp: None,
        }
    }

    fn validate(f: HealthCheckFields) -> Result<HealthCheck> {
        rules::short_name("health check", "component", &f.component)?;
        no_colon("health check", "component", &f.component)?;
        if !f.message.is_empty() {
            rules::text("health check", "message", &f.message, rules::MAX_MESSAGE_LEN)?;
        }
        rules::at_most(
            "health check",
            "observations",
            f.observations.len(),
            rules::MAX_ATTRIBUTES,
        )?;
        if f.id.is_nil() {
            return Err(ObsError::validation(
                "health check",
                "id",
                f.id,
                "must not be the nil UUID",
            ));
        }
        Ok(HealthCheck { f })
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.f.id
    }
    /// The component checked.
    pub fn component(&self) -> &str {
        &self.f.component
    }
    /// What the check found.
    pub fn status(&self) -> HealthStatus {
        self.f.status
    }
    /// A human-readable explanation (empty when there is nothing to say).
    pub fn message(&self) -> &str {
        &self.f.message
    }
    /// Observed values with units.
    pub fn observations(&self) -> &[Observation] {
        &self.f.observations
    }
    /// How long the check took.
    pub fn duration(&self) -> Duration {
        self.f.duration
    }
    /// When the check ran.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.f.timestamp
    }
}

/// Builds a [`HealthCheck`]; see [`HealthCheck::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct HealthCheckBuilder {
    component: String,
    status: HealthStatus,
    message: String,
    observations: Vec<Observation>,
    duration: Duration,
    timestamp: Option<DateTime<Utc>>,
}

impl HealthCheckBuilder {
    /// Sets the message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
    /// Adds an observed value.
    pub fn observation(mut self, observation: Observation) -> Self {
        self.observations.push(observation);
        self
    }
    /// Sets how long the check took.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }
    /// Sets when the check ran (default now).
    pub fn timestamp(mut self, at: DateTime<Utc>) -> Self {
        self.timestamp = Some(at);
        self
    }
    /// Validates and builds the check result.
    pub fn build(self) -> Result<HealthCheck> {
        HealthCheck::validate(HealthCheckFields {
            id: super::random_uuid(),
            component: self.component,
            status: self.status,
            message: self.message,
            observations: self.observations,
            duration: self.duration,
            timestamp: self.timestamp.unwrap_or_else(Utc::now),
        })
    }
}

/// Serde for a `Duration` as a non-negative, finite number of seconds.
mod duration_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(|_| {
            super::super::entity_serde::de_error(crate::ObsError::validation(
                "health check",
                "duration",
                secs,
                "must be a finite, non-negative number of seconds",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_round_trips_and_rejects_negative_durations() {
        let check = HealthCheck::builder("db", HealthStatus::Healthy)
            .observation(Observation::new("responseTime", 4.0, "ms").unwrap())
            .duration(Duration::from_millis(4))
            .build()
            .unwrap();
        let mut json = serde_json::to_value(&check).unwrap();
        assert_eq!(
            serde_json::from_value::<HealthCheck>(json.clone()).unwrap(),
            check
        );
        json["duration"] = serde_json::json!(-1.0);
        assert!(serde_json::from_value::<HealthCheck>(json).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_components_never_panic(component in "\\PC{0,40}", value in proptest::num::f64::ANY) {
            if let Ok(check) = HealthCheck::new(component, HealthStatus::Unknown, "") {
                prop_assert!(!check.component().contains(':'));
            }
            prop_assert_eq!(Observation::new("v", value, "u").is_ok(), value.is_finite());
        }
    }
}
