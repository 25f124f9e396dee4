//! [`AlertmanagerNotifier`]: Alertmanager API v2, re-sent while firing.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::http::{http_options, JsonPoster};
use super::{Notification, NotificationKind, Notifier, NotifyError};
use crate::domain::Alert;
use crate::error::Result;

/// How often firing alerts are re-sent unless
/// [`AlertmanagerNotifier::resend_every`] says otherwise: well under
/// Alertmanager's default `resolve_timeout` of 5 minutes.
///
/// ```
/// assert_eq!(observa::alerts::notify::DEFAULT_RESEND_INTERVAL.as_secs(), 60);
/// ```
pub const DEFAULT_RESEND_INTERVAL: Duration = Duration::from_secs(60);

/// Firing alerts remembered for re-sending; past it the oldest is forgotten
/// (it then ends by itself at its `endsAt`).
const MAX_FIRING: usize = 10_000;

/// Alerts per request when re-sending.
const BATCH: usize = 500;

/// Sends alerts to Alertmanager's API v2: `POST {base}/api/v2/alerts` with a
/// JSON array of `{labels, annotations, startsAt, endsAt, generatorURL}`.
///
/// - `labels`: the alert's labels, `alertname` = its title and `severity`
///   (unless the alert sets them); `annotations`: its annotations plus
///   `description` = its message.
/// - A firing alert is sent with `endsAt` = now + 4 × the re-send interval
///   (as Prometheus does) and re-sent every interval while it fires, so
///   Alertmanager keeps it open and ends it by itself if this process dies.
/// - A resolution is sent at once with the alert's end time as `endsAt`.
///   Should it fail, Alertmanager still ends the alert at the last `endsAt`
///   it got, at most 4 intervals later; a firing alert whose delivery
///   failed goes out again with the next re-send.
///
/// Timeout and retries as [`WebhookNotifier`](super::WebhookNotifier).
///
/// ```no_run
/// use std::time::Duration;
/// use observa::alerts::notify::AlertmanagerNotifier;
///
/// let am = AlertmanagerNotifier::new("http://alertmanager:9093")?
///     .resend_every(Duration::from_secs(30))
///     .generator_url("http://shop.internal/alerts");
/// let obs = observa::Observability::builder().service("shop", "1").notifier(am).build()?;
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct AlertmanagerNotifier {
    name: String,
    poster: JsonPoster,
    resend: Duration,
    generator_url: Option<String>,
    /// Firing alerts by (start, id), oldest first, and the start by id.
    firing: BTreeMap<(DateTime<Utc>, Uuid), Alert>,
    starts: HashMap<Uuid, DateTime<Utc>>,
}

impl AlertmanagerNotifier {
    /// A notifier for the Alertmanager at `base_url` (e.g.
    /// `http://127.0.0.1:9093`); alerts go to `{base_url}/api/v2/alerts`.
    ///
    /// ```
    /// use observa::alerts::notify::AlertmanagerNotifier;
    /// assert!(AlertmanagerNotifier::new("http://127.0.0.1:9093/").is_ok());
    /// assert!(AlertmanagerNotifier::new("127.0.0.1:9093").is_err());
    /// ```
    pub fn new(base_url: &str) -> Result<AlertmanagerNotifier> {
        let url = format!("{}/api/v2/alerts", base_url.trim_end_matches('/'));
        Ok(AlertmanagerNotifier {
            name: "alertmanager".to_owned(),
            poster: JsonPoster::new(&url)?,
            resend: DEFAULT_RESEND_INTERVAL,
            generator_url: None,
            firing: BTreeMap::new(),
            starts: HashMap::new(),
        })
    }

    /// Re-sends firing alerts every `interval` (default
    /// [`DEFAULT_RESEND_INTERVAL`]; at least 100 ms). Keep it well under
    /// Alertmanager's `resolve_timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use observa::alerts::notify::{AlertmanagerNotifier, Notifier};
    /// let am = AlertmanagerNotifier::new("http://127.0.0.1:9093")?.resend_every(Duration::from_secs(20));
    /// assert_eq!(am.resend_interval(), Some(Duration::from_secs(20)));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn resend_every(mut self, interval: Duration) -> Self {
        self.resend = interval.max(Duration::from_millis(100));
        self
    }

    /// Sets `generatorURL`: where an operator finds the source of the alerts.
    ///
    /// ```
    /// let am = observa::alerts::notify::AlertmanagerNotifier::new("http://127.0.0.1:9093")?
    ///     .generator_url("http://shop.internal/alerts");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn generator_url(mut self, url: impl Into<String>) -> Self {
        self.generator_url = Some(url.into());
        self
    }

    fn remember(&mut self, alert: &Alert) {
        self.forget(alert.id());
        if self.firing.len() >= MAX_FIRING {
            if let Some(((_, oldest), _)) = self.firing.pop_first() {
                self.starts.remove(&oldest);
            }
        }
        self.starts.insert(alert.id(), alert.starts_at());
        self.firing.insert((alert.starts_at(), alert.id()), alert.clone());
    }

    fn forget(&mut self, id: Uuid) {
        if let Some(start) = self.starts.remove(&id) {
            self.firing.remove(&(start, id));
        }
    }

    fn post(&self, alerts: &[&Alert]) -> std::result::Result<(), NotifyError> {
        let valid_until = Utc::now() + self.resend * 4;
        let body = payload(alerts, valid_until, self.generator_url.as_deref());
        self.poster.post(&body.to_string())
    }
}

http_options!(AlertmanagerNotifier);

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The API v2 body for `alerts`: firing ones end at `valid_until` (or at
/// their start, if that is later), resolved ones at their end.
pub(crate) fn payload(alerts: &[&Alert], valid_until: DateTime<Utc>, generator_url: Option<&str>) -> Value {
    let items = alerts.iter().map(|alert| {
        let mut labels = Map::new();
        for (name, value) in alert.labels().iter() {
            labels.insert(name.to_owned(), value.into());
        }
        labels.entry("alertname").or_insert_with(|| alert.title().into());
        labels
            .entry("severity")
            .or_insert_with(|| alert.severity().to_string().into());
        let mut annotations = Map::new();
        for (name, value) in alert.annotations() {
            annotations.insert(name.clone(), value.as_str().into());
        }
        annotations
            .entry("description")
            .or_insert_with(|| alert.message().into());
        let ends_at = alert
            .ends_at()
            .unwrap_or_else(|| valid_until.max(alert.starts_at()));
        let mut item = json!({
            "labels": labels,
            "annotations": annotations,
            "startsAt": rfc3339(alert.starts_at()),
            "endsAt": rfc3339(ends_at),
        });
        if let Some(url) = generator_url {
            item["generatorURL"] = url.into();
        }
        item
    });
    Value::Array(items.collect())
}

impl Notifier for AlertmanagerNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn deliver(&mut self, notification: &Notification) -> std::result::Result<(), NotifyError> {
        let alert = notification.alert();
        match notification.kind() {
            NotificationKind::Firing => self.remember(alert),
            NotificationKind::Resolved => self.forget(alert.id()),
        }
        self.post(&[alert])
    }

    fn resend_interval(&self) -> Option<Duration> {
        Some(self.resend)
    }

    fn resend(&mut self) -> std::result::Result<usize, NotifyError> {
        let firing: Vec<&Alert> = self.firing.values().collect();
        for batch in firing.chunks(BATCH) {
            self.post(batch)?;
        }
        Ok(firing.len())
    }
}

impl std::fmt::Debug for AlertmanagerNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertmanagerNotifier")
            .field("name", &self.name)
            .field("url", &self.poster.url())
            .field("resend", &self.resend)
            .field("firing", &self.firing.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "alertmanager_tests.rs"]
mod tests;
