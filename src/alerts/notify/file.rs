//! [`FileNotifier`]: one JSON object per notification, appended to a file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Notification, Notifier, NotifyError};
use crate::domain::Alert;
use crate::sinks::{RotatingFile, RotationPolicy};

/// Appends one JSON object per notification to a [`RotatingFile`] (JSON
/// lines): `{"status":"firing"|"resolved","alert":{...}}`, the alert as its
/// serde form (id, title, message, severity, status, labels, annotations,
/// source, fingerprint, starts_at, ends_at). Each line is written and
/// flushed whole; the [`RotationPolicy`] bounds size, count and age.
///
/// ```
/// use observa::alerts::notify::{FileNotifier, Notification, Notifier};
/// use observa::sinks::RotationPolicy;
/// use observa::{Alert, AlertSeverity};
///
/// let path = std::env::temp_dir().join(format!("observa-alerts-{}.jsonl", std::process::id()));
/// let mut file = FileNotifier::open(&path, RotationPolicy::new().max_bytes(1 << 20).keep_files(3))?;
/// file.deliver(&Notification::new(Alert::new("Disk full", "/var", AlertSeverity::High)?))?;
/// let text = std::fs::read_to_string(&path)?;
/// let line: serde_json::Value = serde_json::from_str(text.lines().last().unwrap())?;
/// assert_eq!(line["status"], "firing");
/// assert_eq!(line["alert"]["title"], "Disk full");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileNotifier {
    file: RotatingFile,
}

#[derive(Serialize)]
struct Line<'a> {
    status: &'static str,
    alert: &'a Alert,
}

impl FileNotifier {
    /// Opens `path` for appending (creating it if needed), rotated and
    /// pruned by `policy`.
    ///
    /// ```
    /// use observa::sinks::RotationPolicy;
    /// let missing = std::env::temp_dir().join("observa-no-such-dir").join("x").join("alerts.jsonl");
    /// let err = observa::alerts::notify::FileNotifier::open(missing, RotationPolicy::new()).unwrap_err();
    /// assert!(err.to_string().contains("cannot write the notification"));
    /// ```
    pub fn open(path: impl Into<PathBuf>, policy: RotationPolicy) -> Result<FileNotifier, NotifyError> {
        Ok(FileNotifier {
            file: RotatingFile::open(path, policy)?,
        })
    }

    /// The file written to.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("observa-path-{}.jsonl", std::process::id()));
    /// let file = observa::alerts::notify::FileNotifier::open(&path, observa::sinks::RotationPolicy::new())?;
    /// assert_eq!(file.path(), path);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// `{"status":…,"alert":…}` for `notification`, on one line.
pub(crate) fn json_object(notification: &Notification) -> String {
    let line = Line {
        status: notification.kind().as_str(),
        alert: notification.alert(),
    };
    serde_json::to_string(&line).expect("an alert always serialises")
}

/// The JSON line for `notification`, with its newline.
fn json_line(notification: &Notification) -> String {
    let mut text = json_object(notification);
    text.push('\n');
    text
}

impl Notifier for FileNotifier {
    fn name(&self) -> &str {
        "file"
    }

    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
        self.file.write_line(json_line(notification).as_bytes())?;
        self.file.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlertSeverity, AlertStatus};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_line_is_one_json_object_carrying_the_alert(
            title in "[a-zA-Z][\\PC]{0,40}",
            message in "[a-zA-Z][\\PC\n\"]{0,40}",
            labels in proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", "\\PC{0,20}", 0..5),
            resolved in any::<bool>(),
        ) {
            let mut builder = Alert::builder(title, message, AlertSeverity::Medium);
            for (name, value) in &labels {
                builder = builder.label(name, value);
            }
            let Ok(mut alert) = builder.build() else { return Ok(()) };
            if resolved {
                alert = alert.with_status(AlertStatus::Resolved, chrono::Utc::now()).unwrap();
            }
            let text = json_line(&Notification::new(alert.clone()));
            prop_assert_eq!(text.matches('\n').count(), 1);
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&value["status"], if resolved { "resolved" } else { "firing" });
            let back: Alert = serde_json::from_value(value["alert"].clone()).unwrap();
            prop_assert_eq!(back, alert);
        }
    }
}
