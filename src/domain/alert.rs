//! [`Alert`]: a validated notification that something needs attention.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity_serde::validated_serde;
use super::{rules, AlertSeverity, AlertStatus, Labels};
use crate::error::{ObsError, Result};
use crate::hash::Fnv;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct AlertFields {
    id: Uuid,
    title: String,
    message: String,
    severity: AlertSeverity,
    status: AlertStatus,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    source: String,
    fingerprint: String,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
}

/// A notification that something needs attention: a title (at most 200
/// characters), a message, a severity, a status, labels, annotations, the
/// source that raised it, a fingerprint and its start (and, once resolved, end).
///
/// The fingerprint is derived from the title and labels, so two alerts about
/// the same thing share it; services use it to de-duplicate.
///
/// ```
/// use observa::{Alert, AlertSeverity, AlertStatus};
///
/// let alert = Alert::builder("Disk almost full", "/var is 93% used", AlertSeverity::High)
///     .label("mount", "/var")
///     .annotation("runbook", "https://runbooks.example/disk")
///     .build()?;
/// assert_eq!(alert.status(), AlertStatus::Active);
///
/// let same = Alert::builder("Disk almost full", "now 94%", AlertSeverity::High)
///     .label("mount", "/var")
///     .build()?;
/// assert_eq!(alert.fingerprint(), same.fingerprint());
///
/// assert!(Alert::new(&"x".repeat(201), "msg", AlertSeverity::Low).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    f: AlertFields,
}

validated_serde!(Alert, AlertFields);

impl Alert {
    /// An active alert with no labels, raised by source `"observa"`.
    pub fn new(
        title: impl Into<String>,
        message: impl Into<String>,
        severity: AlertSeverity,
    ) -> Result<Alert> {
        Alert::builder(title, message, severity).build()
    }

    /// A builder for labels, annotations, source and start time.
    pub fn builder(
        title: impl Into<String>,
        message: impl Into<String>,
        severity: AlertSeverity,
    ) -> AlertBuilder {
        AlertBuilder {
            title: title.into(),
            message: message.into(),
            severity,
            labels: Vec::new(),
            annotations: BTreeMap::new(),
            source: "observa".to_owned(),
            starts_at: None,
        }
    }

    /// Returns the alert moved to `status` at `at`. Resolving sets the end
    /// time; a resolved alert cannot change status again (a conflict).
    ///
    /// ```
    /// use observa::{Alert, AlertSeverity, AlertStatus};
    ///
    /// let alert = Alert::new("High latency", "p99 above 2s", AlertSeverity::Medium)?;
    /// let resolved = alert.with_status(AlertStatus::Resolved, chrono::Utc::now())?;
    /// assert!(resolved.ends_at().is_some());
    /// assert!(resolved.with_status(AlertStatus::Active, chrono::Utc::now()).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_status(self, status: AlertStatus, at: DateTime<Utc>) -> Result<Alert> {
        if self.f.status.is_closed() {
            return Err(ObsError::conflict(
                "alert",
                format!("alert {} is resolved; raise a new alert instead", self.f.id),
            ));
        }
        let mut f = self.f;
        f.status = status;
        if status.is_closed() {
            f.ends_at = Some(at.max(f.starts_at));
        }
        Alert::validate(f)
    }

    /// Returns the alert with every label of `defaults` it does not already
    /// set; the fingerprint is recomputed.
    pub fn with_default_labels(self, defaults: &Labels) -> Result<Alert> {
        let mut f = self.f;
        f.labels = f.labels.with_defaults(defaults)?;
        f.fingerprint = fingerprint(&f.title, &f.labels);
        Alert::validate(f)
    }

    fn validate(f: AlertFields) -> Result<Alert> {
        rules::text("alert", "title", &f.title, rules::MAX_ALERT_TITLE_LEN)?;
        rules::text("alert", "message", &f.message, rules::MAX_MESSAGE_LEN)?;
        rules::short_name("alert", "source", &f.source)?;
        rules::at_most("alert", "annotations", f.annotations.len(), rules::MAX_ATTRIBUTES)?;
        for (name, value) in &f.annotations {
            rules::label_name("alert", name)?;
            rules::text("alert", "annotation", value, rules::MAX_MESSAGE_LEN)?;
        }
        let sizes = f.annotations.iter().map(|(k, v)| (k.as_str(), v.len()));
        let fields = rules::EntryFields {
            value: "annotation",
            total: "annotations",
        };
        rules::entry_bytes("alert", fields, sizes)?;
        let expected = fingerprint(&f.title, &f.labels);
        if f.fingerprint != expected {
            return Err(ObsError::validation(
                "alert",
                "fingerprint",
                &f.fingerprint,
                format!("must be derived from title and labels ({expected})"),
            ));
        }
        match (f.status.is_closed(), f.ends_at) {
            (true, None) => {
                return Err(ObsError::validation(
                    "alert",
                    "ends_at",
                    "none",
                    "a resolved alert needs an end time",
                ));
            }
            (_, Some(end)) if end < f.starts_at => {
                return Err(ObsError::validation(
                    "alert",
                    "ends_at",
                    end,
                    "must not be before starts_at",
                ));
            }
            _ => {}
        }
        if f.id.is_nil() {
            return Err(ObsError::validation(
                "alert",
                "id",
                f.id,
                "must not be the nil UUID",
            ));
        }
        Ok(Alert { f })
    }

    /// The entity id.
    pub fn id(&self) -> Uuid {
        self.f.id
    }
    /// The one-line summary.
    pub fn title(&self) -> &str {
        &self.f.title
    }
    /// The detail.
    pub fn message(&self) -> &str {
        &self.f.message
    }
    /// The severity.
    pub fn severity(&self) -> AlertSeverity {
        self.f.severity
    }
    /// The status.
    pub fn status(&self) -> AlertStatus {
        self.f.status
    }
    /// Identifying labels (part of the fingerprint).
    pub fn labels(&self) -> &Labels {
        &self.f.labels
    }
    /// Descriptive annotations (not part of the fingerprint).
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.f.annotations
    }
    /// Who raised it.
    pub fn source(&self) -> &str {
        &self.f.source
    }
    /// A stable 16-hex-digit digest of the title and labels.
    pub fn fingerprint(&self) -> &str {
        &self.f.fingerprint
    }
    /// When it started.
    pub fn starts_at(&self) -> DateTime<Utc> {
        self.f.starts_at
    }
    /// When it was resolved, if it was.
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.f.ends_at
    }
    /// When it started; the timestamp repositories order and age it by.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.f.starts_at
    }
}

/// FNV-1a over the title and the sorted label pairs, with boundaries that
/// cannot occur inside text, so the digest is stable across runs and builds.
fn fingerprint(title: &str, labels: &Labels) -> String {
    let mut hash = Fnv::new();
    hash.write(title.as_bytes());
    for (name, value) in labels.iter() {
        hash.separate(0xff);
        hash.write(name.as_bytes());
        hash.separate(0xfe);
        hash.write(value.as_bytes());
    }
    format!("{:016x}", hash.finish())
}

/// Builds an [`Alert`]; see [`Alert::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct AlertBuilder {
    title: String,
    message: String,
    severity: AlertSeverity,
    labels: Vec<(String, String)>,
    annotations: BTreeMap<String, String>,
    source: String,
    starts_at: Option<DateTime<Utc>>,
}

impl AlertBuilder {
    /// Adds an identifying label.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
    /// Adds a descriptive annotation (name follows the label grammar; each
    /// value at most 10,000 characters and
    /// [`MAX_VALUE_BYTES`](crate::domain::rules::MAX_VALUE_BYTES) bytes, names and values
    /// together at most [`MAX_ENTRIES_BYTES`](crate::domain::rules::MAX_ENTRIES_BYTES)).
    pub fn annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.insert(name.into(), value.into());
        self
    }
    /// Sets who raised it (default `"observa"`).
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }
    /// Sets the start time (default now).
    pub fn starts_at(mut self, at: DateTime<Utc>) -> Self {
        self.starts_at = Some(at);
        self
    }
    /// Validates and builds an active alert.
    pub fn build(self) -> Result<Alert> {
        let labels = Labels::new(self.labels)?;
        Alert::validate(AlertFields {
            id: super::random_uuid(),
            fingerprint: fingerprint(&self.title, &labels),
            title: self.title,
            message: self.message,
            severity: self.severity,
            status: AlertStatus::Active,
            labels,
            annotations: self.annotations,
            source: self.source,
            starts_at: self.starts_at.unwrap_or_else(Utc::now),
            ends_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fingerprint_ignores_message_and_annotations_but_not_labels() {
        let a = Alert::builder("t", "m1", AlertSeverity::Low)
            .label("x", "1")
            .build()
            .unwrap();
        let b = Alert::builder("t", "m2", AlertSeverity::High)
            .annotation("a", "b")
            .label("x", "1")
            .build()
            .unwrap();
        let c = Alert::builder("t", "m1", AlertSeverity::Low)
            .label("x", "2")
            .build()
            .unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.fingerprint().len(), 16);
    }

    #[test]
    fn json_cannot_smuggle_a_forged_fingerprint_or_open_resolved_alert() {
        let alert = Alert::new("t", "m", AlertSeverity::Low).unwrap();
        let mut json = serde_json::to_value(&alert).unwrap();
        assert_eq!(serde_json::from_value::<Alert>(json.clone()).unwrap(), alert);
        json["fingerprint"] = "0000000000000000".into();
        assert!(serde_json::from_value::<Alert>(json.clone()).is_err());
        json["fingerprint"] = alert.fingerprint().into();
        json["status"] = "resolved".into();
        assert!(serde_json::from_value::<Alert>(json).is_err());
    }

    proptest! {
        #[test]
        fn title_limit_is_exactly_200_characters(len in 190usize..210) {
            let ok = Alert::new("é".repeat(len), "m", AlertSeverity::Low).is_ok();
            prop_assert_eq!(ok, len <= rules::MAX_ALERT_TITLE_LEN);
        }

        #[test]
        fn arbitrary_text_never_panics(title in "\\PC{0,50}", message in "\\PC{0,50}") {
            if let Ok(alert) = Alert::new(title, message, AlertSeverity::Medium) {
                prop_assert!(!alert.title().trim().is_empty());
                prop_assert!(!alert.message().trim().is_empty());
            }
        }
    }
}
