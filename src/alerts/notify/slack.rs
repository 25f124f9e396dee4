//! [`SlackNotifier`]: a Slack incoming-webhook payload.

use serde_json::{json, Value};

use super::http::{http_options, JsonPoster};
use super::{Notification, NotificationKind, Notifier, NotifyError};
use crate::domain::AlertSeverity;
use crate::error::Result;

/// Posts each notification to a Slack-compatible incoming webhook (Slack,
/// Mattermost, Rocket.Chat): `{"text": …, "attachments": [{color, title,
/// text, fields, footer, ts}]}`, one field per label. Text is escaped the
/// way Slack wants (`&`, `<`, `>`). Timeout and retries as
/// [`WebhookNotifier`](super::WebhookNotifier).
///
/// ```no_run
/// use observa::alerts::notify::SlackNotifier;
///
/// let slack = SlackNotifier::new("https://hooks.slack.com/services/T000/B000/XXXX")?;
/// let obs = observa::Observability::builder().service("shop", "1").notifier(slack).build()?;
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct SlackNotifier {
    name: String,
    poster: JsonPoster,
}

impl SlackNotifier {
    /// A notifier posting to the incoming-webhook `url`.
    ///
    /// ```
    /// let slack = observa::alerts::notify::SlackNotifier::new("http://127.0.0.1:9/hook")?;
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn new(url: &str) -> Result<SlackNotifier> {
        Ok(SlackNotifier {
            name: "slack".to_owned(),
            poster: JsonPoster::new(url)?,
        })
    }
}

http_options!(SlackNotifier);

/// Slack's escaping for message text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn colour(notification: &Notification) -> &'static str {
    match (notification.kind(), notification.alert().severity()) {
        (NotificationKind::Resolved, _) => "good",
        (_, AlertSeverity::Low | AlertSeverity::Medium) => "warning",
        _ => "danger",
    }
}

/// The webhook payload for `notification`.
pub(crate) fn payload(notification: &Notification) -> Value {
    let alert = notification.alert();
    let word = notification.kind().as_str().to_uppercase();
    let at = alert.ends_at().unwrap_or_else(|| alert.starts_at());
    let fields: Vec<Value> = alert
        .labels()
        .iter()
        .map(|(name, value)| json!({"title": name, "value": escape(value), "short": true}))
        .collect();
    json!({
        "text": format!("[{word}] {} ({})", escape(alert.title()), alert.severity()),
        "attachments": [{
            "fallback": format!("[{word}] {}: {}", escape(alert.title()), escape(alert.message())),
            "color": colour(notification),
            "title": escape(alert.title()),
            "text": escape(alert.message()),
            "fields": fields,
            "footer": escape(alert.source()),
            "ts": at.timestamp(),
        }],
    })
}

impl Notifier for SlackNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn deliver(&mut self, notification: &Notification) -> std::result::Result<(), NotifyError> {
        self.poster.post(&payload(notification).to_string())
    }
}

impl std::fmt::Debug for SlackNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackNotifier")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alert, AlertStatus};
    use proptest::prelude::*;

    fn unescape(text: &str) -> String {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    proptest! {
        #[test]
        fn the_payload_is_valid_json_with_every_label_and_no_raw_angle_brackets(
            title in "[a-zA-Z<&][\\PC]{0,40}",
            message in "[a-z][\\PC\n]{0,60}",
            labels in proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", "\\PC{0,20}", 0..6),
            resolved in any::<bool>(),
        ) {
            let mut builder = Alert::builder(title, message, AlertSeverity::High);
            for (name, value) in &labels {
                builder = builder.label(name, value);
            }
            let Ok(mut alert) = builder.build() else { return Ok(()) };
            if resolved {
                alert = alert.with_status(AlertStatus::Resolved, chrono::Utc::now()).unwrap();
            }
            let text = payload(&Notification::new(alert.clone())).to_string();
            let value: Value = serde_json::from_str(&text).unwrap();
            let top = value["text"].as_str().unwrap();
            prop_assert!(!top.contains('<') && !top.contains('>'));
            let word = if resolved { "[RESOLVED]" } else { "[FIRING]" };
            prop_assert!(top.starts_with(word), "{top}");
            let attachment = &value["attachments"][0];
            prop_assert_eq!(unescape(attachment["title"].as_str().unwrap()), alert.title());
            prop_assert_eq!(unescape(attachment["text"].as_str().unwrap()), alert.message());
            let fields = attachment["fields"].as_array().unwrap();
            prop_assert_eq!(fields.len(), alert.labels().len());
            for ((name, value), field) in alert.labels().iter().zip(fields) {
                prop_assert_eq!(field["title"].as_str().unwrap(), name);
                prop_assert_eq!(unescape(field["value"].as_str().unwrap()), value);
            }
            prop_assert_eq!(attachment["color"].as_str().unwrap(), if resolved { "good" } else { "danger" });
        }
    }
}
