//! Notifications: tell someone when an alert starts firing or resolves.
//!
//! The port is the [`Notifier`] trait: it delivers one [`Notification`] (an
//! alert that started firing, or one that resolved) and returns a
//! [`NotifyError`] saying what went wrong. Notifiers do blocking I/O, so the
//! [`AlertService`](crate::alerts::AlertService) never calls them: it hands
//! every newly raised (not de-duplicated) alert and every resolution to a
//! [`NotificationDispatcher`], which gives each notifier its own bounded
//! queue and named thread. A full queue drops and counts; `raise` never
//! waits. Outcomes are counted per notifier in
//! `observa_notifications_total{notifier,result}` (see [`Outcome`]).
//!
//! | notifier | delivers | feature |
//! | --- | --- | --- |
//! | [`ConsoleNotifier`] | one readable line to stderr or any `Write` | none |
//! | [`FileNotifier`] | one JSON object per line, appended to a rotating file | none |
//! | `WebhookNotifier` | a JSON body `POST`ed with timeout and retries | `notify` |
//! | `SlackNotifier` | a Slack incoming-webhook payload (`text` + `attachments`) | `notify` |
//! | `AlertmanagerNotifier` | Alertmanager API v2 `POST /api/v2/alerts`, re-sent while firing | `notify` |
//!
//! ```
//! use observa::alerts::notify::ConsoleNotifier;
//! use observa::{Alert, AlertSeverity, Observability};
//!
//! let obs = Observability::builder()
//!     .service("shop", "1.0")
//!     .notifier(ConsoleNotifier::new(std::io::sink()))
//!     .build()?;
//! let raised = obs.alerts().raise(Alert::new("Disk full", "/var at 97%", AlertSeverity::High)?)?;
//! obs.alerts().resolve(raised.alert.id())?;
//! assert!(obs.flush(std::time::Duration::from_secs(5)));
//! # Ok::<(), observa::ObsError>(())
//! ```

mod console;
mod dispatcher;
mod file;
mod outcome;

#[cfg(feature = "notify")]
mod alertmanager;
#[cfg(feature = "notify")]
mod http;
#[cfg(feature = "notify")]
mod retry;
#[cfg(feature = "notify")]
mod slack;
#[cfg(feature = "notify")]
mod webhook;

use std::time::Duration;

pub use console::ConsoleNotifier;
pub use dispatcher::NotificationDispatcher;
pub use file::FileNotifier;
pub use outcome::Outcome;

#[cfg(feature = "notify")]
pub use alertmanager::{AlertmanagerNotifier, DEFAULT_RESEND_INTERVAL};
#[cfg(feature = "notify")]
pub use retry::RetryPolicy;
#[cfg(feature = "notify")]
pub use slack::SlackNotifier;
#[cfg(feature = "notify")]
pub use webhook::WebhookNotifier;

use crate::domain::Alert;

/// Whether a [`Notification`] says an alert started firing or resolved.
///
/// ```
/// use observa::alerts::notify::NotificationKind;
///
/// assert_eq!(NotificationKind::Firing.as_str(), "firing");
/// assert_eq!(NotificationKind::Resolved.to_string(), "resolved");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// The alert was raised and is open.
    Firing,
    /// The alert was resolved.
    Resolved,
}

impl NotificationKind {
    /// `"firing"` or `"resolved"`, the words Alertmanager uses.
    ///
    /// ```
    /// assert_eq!(observa::alerts::notify::NotificationKind::Resolved.as_str(), "resolved");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Firing => "firing",
            NotificationKind::Resolved => "resolved",
        }
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing to tell: an alert that started firing or resolved. The kind
/// follows the alert's status (a resolved alert is a resolution).
///
/// ```
/// use observa::alerts::notify::{Notification, NotificationKind};
/// use observa::{Alert, AlertSeverity, AlertStatus};
///
/// let alert = Alert::new("High latency", "p99 above 2s", AlertSeverity::Medium)?;
/// assert_eq!(Notification::new(alert.clone()).kind(), NotificationKind::Firing);
/// let resolved = alert.with_status(AlertStatus::Resolved, chrono::Utc::now())?;
/// let notification = Notification::new(resolved);
/// assert_eq!(notification.kind(), NotificationKind::Resolved);
/// assert_eq!(notification.alert().title(), "High latency");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    alert: Alert,
}

impl Notification {
    /// A notification of `alert`'s current state.
    ///
    /// ```
    /// let alert = observa::Alert::new("t", "m", observa::AlertSeverity::Low)?;
    /// let n = observa::alerts::notify::Notification::new(alert);
    /// assert_eq!(n.kind().as_str(), "firing");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn new(alert: Alert) -> Notification {
        Notification { alert }
    }

    /// The alert, as stored when it fired or resolved.
    ///
    /// ```
    /// let alert = observa::Alert::new("t", "m", observa::AlertSeverity::Low)?;
    /// assert_eq!(observa::alerts::notify::Notification::new(alert.clone()).alert(), &alert);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn alert(&self) -> &Alert {
        &self.alert
    }

    /// Firing, or resolved when the alert's status is closed.
    ///
    /// ```
    /// let alert = observa::Alert::new("t", "m", observa::AlertSeverity::Low)?;
    /// let n = observa::alerts::notify::Notification::new(alert);
    /// assert_eq!(n.kind(), observa::alerts::notify::NotificationKind::Firing);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn kind(&self) -> NotificationKind {
        if self.alert.status().is_closed() {
            NotificationKind::Resolved
        } else {
            NotificationKind::Firing
        }
    }
}

/// Why a notifier could not deliver.
///
/// ```
/// use observa::alerts::notify::NotifyError;
///
/// let e = NotifyError::Status { target: "http://hooks.local/a".into(), status: 503, body: "busy".into() };
/// assert!(e.is_retryable());
/// assert_eq!(e.to_string(), "http://hooks.local/a answered HTTP 503: busy");
/// let bad = NotifyError::Status { target: "http://hooks.local/a".into(), status: 400, body: String::new() };
/// assert!(!bad.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The receiver answered with a status other than 2xx.
    #[error("{target} answered HTTP {status}: {body}")]
    Status {
        /// The URL posted to.
        target: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body (at most 512 bytes).
        body: String,
    },
    /// The receiver could not be reached, or did not answer in time.
    #[error("cannot deliver to {target}: {reason}")]
    Transport {
        /// The URL posted to.
        target: String,
        /// What failed (connection refused, timeout, ...).
        reason: String,
    },
    /// Writing the notification failed (console, file).
    #[error("cannot write the notification: {0}")]
    Io(#[from] std::io::Error),
}

impl NotifyError {
    /// Whether trying again may help: transport errors, HTTP 429 and 5xx.
    /// Other 4xx answers mean the request itself is wrong; it is not retried.
    ///
    /// ```
    /// use observa::alerts::notify::NotifyError;
    /// let limited = NotifyError::Status { target: "x".into(), status: 429, body: String::new() };
    /// assert!(limited.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            NotifyError::Status { status, .. } => *status == 429 || *status >= 500,
            NotifyError::Transport { .. } => true,
            NotifyError::Io(_) => false,
        }
    }
}

/// The notifier port: delivers notifications somewhere, one at a time, on
/// the thread the [`NotificationDispatcher`] gives it.
///
/// A notifier that must repeat itself while an alert is open (Alertmanager
/// forgets alerts that are not re-sent) says how often in
/// [`resend_interval`](Notifier::resend_interval); the dispatcher then calls
/// [`resend`](Notifier::resend) on that schedule, between deliveries.
///
/// ```
/// use observa::alerts::notify::{Notification, Notifier, NotifyError};
///
/// /// Remembers titles instead of sending them anywhere.
/// struct Titles(Vec<String>);
///
/// impl Notifier for Titles {
///     fn name(&self) -> &str {
///         "titles"
///     }
///     fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
///         self.0.push(format!("{} {}", notification.kind(), notification.alert().title()));
///         Ok(())
///     }
/// }
///
/// let mut titles = Titles(Vec::new());
/// let alert = observa::Alert::new("Disk full", "/var", observa::AlertSeverity::High)?;
/// titles.deliver(&Notification::new(alert))?;
/// assert_eq!(titles.0, ["firing Disk full"]);
/// assert_eq!(titles.resend_interval(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Notifier: Send + 'static {
    /// A short name: the `notifier` label of `observa_notifications_total`
    /// and part of the delivery thread's name. Unique per dispatcher.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, Notifier};
    /// assert_eq!(ConsoleNotifier::new(std::io::sink()).name(), "console");
    /// ```
    fn name(&self) -> &str;

    /// Delivers one notification, blocking until it is delivered or failed.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, Notification, Notifier};
    /// let mut console = ConsoleNotifier::new(Vec::new());
    /// let alert = observa::Alert::new("CPU hot", "95%", observa::AlertSeverity::High)?;
    /// console.deliver(&Notification::new(alert))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError>;

    /// How often [`resend`](Notifier::resend) is called while idle; `None`
    /// (the default) for notifiers that say everything once.
    ///
    /// ```
    /// use observa::alerts::notify::{FileNotifier, Notifier};
    /// let dir = std::env::temp_dir().join(format!("observa-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let file = FileNotifier::open(dir.join("alerts.jsonl"), observa::sinks::RotationPolicy::new())?;
    /// assert_eq!(file.resend_interval(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn resend_interval(&self) -> Option<Duration> {
        None
    }

    /// Re-sends what is still open and returns how many alerts it re-sent;
    /// the default re-sends nothing.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, Notifier};
    /// assert_eq!(ConsoleNotifier::new(std::io::sink()).resend()?, 0);
    /// # Ok::<(), observa::alerts::notify::NotifyError>(())
    /// ```
    fn resend(&mut self) -> Result<usize, NotifyError> {
        Ok(0)
    }
}

impl Notifier for Box<dyn Notifier> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
        (**self).deliver(notification)
    }
    fn resend_interval(&self) -> Option<Duration> {
        (**self).resend_interval()
    }
    fn resend(&mut self) -> Result<usize, NotifyError> {
        (**self).resend()
    }
}
