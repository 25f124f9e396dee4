//! [`AlertService`]: raises alerts once per fingerprint and walks them through their life.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use parking_lot::Mutex;
use uuid::Uuid;

use super::notify::{Notification, NotificationDispatcher};
use crate::domain::{Alert, AlertSeverity, AlertStatus, Labels};
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
/// The index of open fingerprints is bounded ([`AlertService::with_open_limit`],
/// by default [`AlertService::DEFAULT_OPEN_LIMIT`]; the container uses its
/// repository capacity). When it is full the oldest entry goes; if that alert
/// was still open, its next raise is stored anew instead of de-duplicated,
/// and [`AlertService::fingerprint_evictions`] counts it.
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
    open: Arc<Mutex<OpenIndex>>,
    evicted_open: Arc<AtomicU64>,
    notifications: Option<Arc<NotificationDispatcher>>,
    default_labels: Arc<Labels>,
}

/// Fingerprint → id of the open alert carrying it, oldest entry first out.
#[derive(Default)]
struct OpenIndex {
    by_fingerprint: HashMap<String, (Uuid, u64)>,
    by_age: BTreeMap<u64, String>,
    next_seq: u64,
    limit: usize,
}

impl OpenIndex {
    fn get(&self, fingerprint: &str) -> Option<Uuid> {
        self.by_fingerprint.get(fingerprint).map(|&(id, _)| id)
    }

    fn remove(&mut self, fingerprint: &str) {
        if let Some((_, seq)) = self.by_fingerprint.remove(fingerprint) {
            self.by_age.remove(&seq);
        }
    }

    /// Inserts, and returns the alert id pushed out to stay within the limit.
    fn insert(&mut self, fingerprint: String, id: Uuid) -> Option<Uuid> {
        self.remove(&fingerprint);
        let pushed_out = if self.by_fingerprint.len() >= self.limit {
            self.by_age
                .pop_first()
                .and_then(|(_, oldest)| self.by_fingerprint.remove(&oldest).map(|(id, _)| id))
        } else {
            None
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_age.insert(seq, fingerprint.clone());
        self.by_fingerprint.insert(fingerprint, (id, seq));
        pushed_out
    }
}

impl AlertService {
    /// Fingerprints of open alerts indexed for de-duplication unless
    /// [`AlertService::with_open_limit`] says otherwise.
    pub const DEFAULT_OPEN_LIMIT: usize = 10_000;

    /// A service storing into `repository`.
    pub fn new(repository: Arc<dyn Repository<Alert>>) -> Self {
        AlertService {
            repository,
            open: Arc::new(Mutex::new(OpenIndex {
                limit: Self::DEFAULT_OPEN_LIMIT,
                ..OpenIndex::default()
            })),
            evicted_open: Arc::default(),
            notifications: None,
            default_labels: Arc::default(),
        }
    }

    /// Adds `labels` to every alert raised through this service that does
    /// not set them itself (so alerts from rules and drift monitors carry
    /// the service's identity too). The container does this with the labels
    /// given to [`ObservabilityBuilder::label`](crate::ObservabilityBuilder::label).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use observa::adapters::InMemoryRepository;
    /// use observa::services::AlertService;
    /// use observa::{Alert, AlertSeverity, Labels};
    ///
    /// let defaults = Labels::new([("team", "payments"), ("region", "eu")])?;
    /// let alerts = AlertService::new(Arc::new(InMemoryRepository::new(100))).with_default_labels(defaults);
    /// let alert = Alert::builder("Disk full", "/var", AlertSeverity::High).label("region", "us").build()?;
    /// let raised = alerts.raise(alert)?.alert;
    /// assert_eq!((raised.labels().get("team"), raised.labels().get("region")), (Some("payments"), Some("us")));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_default_labels(mut self, labels: Labels) -> Self {
        self.default_labels = Arc::new(labels);
        self
    }

    /// Hands every newly raised (not de-duplicated) alert and every
    /// resolution to `dispatcher`, which delivers them off the caller's
    /// thread. The container does this for
    /// [`ObservabilityBuilder::notifier`](crate::ObservabilityBuilder::notifier).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use observa::adapters::InMemoryRepository;
    /// use observa::alerts::notify::{ConsoleNotifier, NotificationDispatcher, Outcome};
    /// use observa::services::AlertService;
    /// use observa::{Alert, AlertSeverity};
    ///
    /// let dispatcher = NotificationDispatcher::spawn(vec![Box::new(ConsoleNotifier::new(std::io::sink()))], 100)?;
    /// let alerts = AlertService::new(Arc::new(InMemoryRepository::new(100))).with_notifications(Arc::new(dispatcher));
    /// let raised = alerts.raise(Alert::new("Disk full", "/var", AlertSeverity::High)?)?;
    /// alerts.raise(Alert::new("Disk full", "/var", AlertSeverity::High)?)?; // de-duplicated: not sent
    /// alerts.resolve(raised.alert.id())?;
    /// let sent = alerts.notifications().unwrap();
    /// assert!(sent.flush(std::time::Duration::from_secs(5)));
    /// assert_eq!(sent.count("console", Outcome::Sent), 2);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_notifications(mut self, dispatcher: Arc<NotificationDispatcher>) -> Self {
        self.notifications = Some(dispatcher);
        self
    }

    /// The dispatcher notifications go through, if any.
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// assert!(obs.alerts().notifications().is_none());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn notifications(&self) -> Option<&NotificationDispatcher> {
        self.notifications.as_deref()
    }

    fn notify(&self, alert: &Alert) {
        if let Some(dispatcher) = &self.notifications {
            dispatcher.dispatch(Notification::new(alert.clone()));
        }
    }

    /// Indexes at most `limit` open fingerprints (at least 1) for de-duplication.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use observa::adapters::InMemoryRepository;
    /// use observa::services::AlertService;
    /// use observa::{Alert, AlertSeverity};
    ///
    /// let alerts = AlertService::new(Arc::new(InMemoryRepository::new(100))).with_open_limit(1);
    /// let disk = alerts.raise(Alert::new("Disk full", "/var", AlertSeverity::High)?)?;
    /// alerts.raise(Alert::new("CPU hot", "95%", AlertSeverity::High)?)?; // pushes "Disk full" out
    /// assert_eq!(alerts.fingerprint_evictions(), 1);
    /// let again = alerts.raise(Alert::new("Disk full", "/var", AlertSeverity::High)?)?;
    /// assert!(!again.deduplicated && again.alert.id() != disk.alert.id());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_open_limit(self, limit: usize) -> Self {
        self.open.lock().limit = limit.max(1);
        self
    }

    /// How many fingerprints of still-open alerts were pushed out of the
    /// bounded index, so that a later raise of them was not de-duplicated.
    /// Entries whose alert was already resolved or gone from the repository
    /// leave silently; they lose nothing.
    pub fn fingerprint_evictions(&self) -> u64 {
        self.evicted_open.load(Ordering::Relaxed)
    }

    /// Stores `alert` unless an open alert has the same fingerprint, in which
    /// case that one is returned with `deduplicated` set.
    pub fn raise(&self, alert: Alert) -> Result<Raised> {
        let alert = match self.default_labels.is_empty() {
            true => alert,
            false => alert.with_default_labels(&self.default_labels)?,
        };
        let mut open = self.open.lock();
        if let Some(id) = open.get(alert.fingerprint()) {
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
        self.repository.save(alert.clone())?;
        if !alert.status().is_closed() {
            if let Some(pushed_out) = open.insert(alert.fingerprint().to_owned(), alert.id()) {
                if self
                    .repository
                    .get(pushed_out)?
                    .is_some_and(|a| !a.status().is_closed())
                {
                    self.evicted_open.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        drop(open);
        self.notify(&alert);
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
            drop(open);
            self.notify(&updated);
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
    fn the_open_fingerprint_index_stays_within_its_limit() {
        let alerts = AlertService::new(Arc::new(InMemoryRepository::new(10))).with_open_limit(10);
        for i in 0..5_000 {
            let title = format!("alert {i}");
            alerts
                .raise(Alert::new(title, "m", AlertSeverity::Low).unwrap())
                .unwrap();
        }
        let open = alerts.open.lock();
        assert_eq!(open.by_fingerprint.len(), 10);
        assert_eq!(open.by_age.len(), 10);
        drop(open);
        // Pushed-out entries pointed at alerts the repository had already evicted.
        assert_eq!(alerts.fingerprint_evictions(), 0);
        assert_eq!(alerts.active().unwrap().len(), 10);
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
