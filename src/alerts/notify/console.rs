//! [`ConsoleNotifier`]: one readable line per notification.

use std::io::{self, Stderr, Write};

use chrono::SecondsFormat;

use super::{Notification, NotificationKind, Notifier, NotifyError};

/// Writes one readable line per notification to stderr or any `Write`:
/// `time FIRING|RESOLVED severity title: message {labels}`.
///
/// ```
/// use observa::alerts::notify::{ConsoleNotifier, Notification, Notifier};
/// use observa::{Alert, AlertSeverity};
///
/// let mut console = ConsoleNotifier::new(Vec::new());
/// let alert = Alert::builder("Disk full", "/var at 97%", AlertSeverity::High).label("mount", "/var").build()?;
/// console.deliver(&Notification::new(alert))?;
/// let line = String::from_utf8(console.into_inner())?;
/// assert!(line.ends_with(" FIRING high Disk full: /var at 97% {mount=\"/var\"}\n"), "{line}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ConsoleNotifier<W> {
    out: W,
}

impl ConsoleNotifier<Stderr> {
    /// A notifier writing to stderr.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, Notifier};
    /// assert_eq!(ConsoleNotifier::stderr().name(), "console");
    /// ```
    pub fn stderr() -> Self {
        ConsoleNotifier::new(io::stderr())
    }
}

impl<W: Write> ConsoleNotifier<W> {
    /// A notifier writing to `out`.
    ///
    /// ```
    /// let console = observa::alerts::notify::ConsoleNotifier::new(Vec::new());
    /// assert!(console.into_inner().is_empty());
    /// ```
    pub fn new(out: W) -> Self {
        ConsoleNotifier { out }
    }

    /// The writer back.
    ///
    /// ```
    /// let console = observa::alerts::notify::ConsoleNotifier::new(Vec::<u8>::new());
    /// let _bytes: Vec<u8> = console.into_inner();
    /// ```
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The readable line for `notification`, with its newline.
fn line(notification: &Notification) -> String {
    let alert = notification.alert();
    let (word, at) = match notification.kind() {
        NotificationKind::Firing => ("FIRING", alert.starts_at()),
        NotificationKind::Resolved => ("RESOLVED", alert.ends_at().unwrap_or_else(|| alert.starts_at())),
    };
    let mut out = format!(
        "{} {word} {} {}: {}",
        at.to_rfc3339_opts(SecondsFormat::Millis, true),
        alert.severity(),
        alert.title(),
        alert.message().replace('\n', " "),
    );
    if !alert.labels().is_empty() {
        let pairs: Vec<String> = alert
            .labels()
            .iter()
            .map(|(name, value)| format!("{name}={value:?}"))
            .collect();
        out.push_str(&format!(" {{{}}}", pairs.join(", ")));
    }
    out.push('\n');
    out
}

impl<W: Write + Send + 'static> Notifier for ConsoleNotifier<W> {
    fn name(&self) -> &str {
        "console"
    }

    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
        self.out.write_all(line(notification).as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alert, AlertSeverity, AlertStatus};

    #[test]
    fn a_resolution_reads_resolved_at_its_end_time() {
        let alert = Alert::new("CPU hot", "line one\nline two", AlertSeverity::Critical).unwrap();
        let end = alert.starts_at() + chrono::Duration::seconds(90);
        let resolved = alert.with_status(AlertStatus::Resolved, end).unwrap();
        let text = line(&Notification::new(resolved));
        let stamp = end.to_rfc3339_opts(SecondsFormat::Millis, true);
        assert_eq!(
            text,
            format!("{stamp} RESOLVED critical CPU hot: line one line two\n")
        );
    }
}
