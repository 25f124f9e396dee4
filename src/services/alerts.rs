//! [`AlertService`]: raises alerts once per fingerprint and walks them through their life.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use parking_lot::Mutex;
use uuid::Uuid;

use crate::domain::{Alert, AlertSeverity, AlertStatus};
use crate::error::{ObsError, Result};
use crate::ports::{Evictions, Query, Repository};

/// What [`AlertService::raise`] did.
///
/// ```
/// # use observa::{Alert, AlertSeverity, Observability};
/// let obs = Observability::builder().service("api", "1").build()?;
/// let first = obs.alerts().raise(Alert::new("Disk full", "/var", AlertSeverity::High)?)?;
/// let again = obs.alerts().raise(Alert::new("Disk full", "/var still", AlertSeverity::High)?)?;
/// assert!(!first.deduplicated && again.deduplicated);
/// assert_eq!(first.alert.id(), again.alert.id());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Raised {
    /// The stored alert: the new one, or the open one it duplicates.
    pub alert: Alert,
    /// Whether an open alert with the same fingerprint already existed.
    pub deduplicated: bool,
}

/// Raises, acknowledges and resolves alerts. An alert whose fingerprint
/// (title + labels) matches an open alert is not stored twice.
///
/// ```
/// use observa::{Alert, AlertSeverity, AlertStatus, Observability};
///
/// let obs = Observability::builder().service("api", "1").build()?;
/// let alerts = obs.alerts();
/// let raised = alerts.raise(Alert::new("High error rate", "5% of requests fail", AlertSeverity::Critical)?)?;
/// let id = raised.alert.id();
/// assert_eq!(alerts.acknowledge(id)?.status(), AlertStatus::Acknowledged);
/// assert_eq!(alerts.resolve(id)?.status(), AlertStatus::Resolved);
/// assert!(alerts.active()?.is_empty());
/// assert_eq!(alerts.resolve(id).unwrap_err().code(), "conflict");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct AlertService {
    repository: Arc<dyn Repository<Alert>>,
    /// Fingerprint → id of the open alert carrying it.
    open: Arc<Mutex<HashMap<String, Uuid>>>,
}

impl AlertService {
    /// A service storing into `repository`.
    pub fn new(repository: Arc<dyn Repository<Alert>>) -> Self {
        AlertService {
            repository,
            open: Arc::default(),
        }
    }

    /// Stores `alert` unless an open alert has the same fingerprint, in which
    /// case that one is returned with `deduplicated` set.
    pub fn raise(&self, alert: Alert) -> Result<Raised> {
        let mut open = self.open.lock();
        if let Some(&id) = open.get(alert.fingerprint()) {
            match self.repository.get(id)? {
                Some(existing) if !existing.status().is_closed() => {
                    return Ok(Raised {
                        alert: existing,
                        deduplicated: true,
                    });
                }
                _ => {
                    open.remove(alert.fingerprint());
                }
            }
        }
        if !alert.status().is_closed() {
            open.insert(alert.fingerprint().to_owned(), alert.id());
        }
        self.repository.save(alert.clone())?;
        Ok(Raised {
            alert,
            deduplicated: false,
        })
    }

    /// Marks the alert acknowledged.
    pub fn acknowledge(&self, id: Uuid) -> Result<Alert> {
        self.transition(id, AlertStatus::Acknowledged)
    }

    /// Marks the alert resolved and frees its fingerprint for a new alert.
    pub fn resolve(&self, id: Uuid) -> Result<Alert> {
        self.transition(id, AlertStatus::Resolved)
    }

    /// Moves the alert to `status`; a resolved alert cannot move (conflict).
    pub fn transition(&self, id: Uuid, status: AlertStatus) -> Result<Alert> {
        let mut open = self.open.lock();
        let alert = self
            .repository
            .get(id)?
            .ok_or_else(|| ObsError::not_found("alert", id))?;
        let updated = alert.with_status(status, Utc::now())?;
        self.repository.save(updated.clone())?;
        if status.is_closed() {
            open.remove(updated.fingerprint());
        }
        Ok(updated)
    }

    /// The alert with `id`.
    pub fn get(&self, id: Uuid) -> Result<Alert> {
        self.repository
            .get(id)?
            .ok_or_else(|| ObsError::not_found("alert", id))
    }

    /// Stored alerts that are not resolved, newest first.
    pub fn active(&self) -> Result<Vec<Alert>> {
        let all = self.repository.query(&Query::new())?;
        Ok(all.into_iter().filter(|a| !a.status().is_closed()).collect())
    }

    /// Stored alerts with `severity`, newest first.
    pub fn by_severity(&self, severity: AlertSeverity) -> Result<Vec<Alert>> {
        self.repository.query(&Query::new().severity(severity))
    }

    /// How many stored alerts the repository dropped to stay within bounds.
    pub fn evictions(&self) -> Evictions {
        self.repository.evictions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::InMemoryRepository;

    fn service() -> AlertService {
        AlertService::new(Arc::new(InMemoryRepository::new(100)))
    }

    #[test]
    fn a_resolved_fingerprint_can_fire_again() {
        let alerts = service();
        let first = alerts
            .raise(Alert::new("t", "m", AlertSeverity::Low).unwrap())
            .unwrap();
        alerts.resolve(first.alert.id()).unwrap();
        let second = alerts
            .raise(Alert::new("t", "m", AlertSeverity::Low).unwrap())
            .unwrap();
        assert!(!second.deduplicated);
        assert_ne!(second.alert.id(), first.alert.id());
        assert_eq!(alerts.active().unwrap(), vec![second.alert]);
    }

    #[test]
    fn unknown_ids_are_not_found() {
        assert_eq!(
            service().acknowledge(Uuid::new_v4()).unwrap_err().code(),
            "not_found"
        );
    }

    #[test]
    fn by_severity_filters() {
        let alerts = service();
        alerts
            .raise(Alert::new("a", "m", AlertSeverity::High).unwrap())
            .unwrap();
        alerts
            .raise(Alert::new("b", "m", AlertSeverity::Low).unwrap())
            .unwrap();
        assert_eq!(alerts.by_severity(AlertSeverity::High).unwrap()[0].title(), "a");
    }
}
