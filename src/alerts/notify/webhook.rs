//! [`WebhookNotifier`]: a JSON body posted to any URL.

use super::file::json_object;
use super::http::{http_options, JsonPoster};
use super::{Notification, Notifier, NotifyError};
use crate::error::Result;

/// Posts each notification as JSON to a URL, with a timeout and retries
/// (exponential backoff with jitter, bounded attempts; HTTP 4xx other than
/// 429 is not retried). The body is the [`FileNotifier`](super::FileNotifier)
/// line: `{"status":"firing"|"resolved","alert":{...}}`.
///
/// ```no_run
/// use observa::alerts::notify::{RetryPolicy, WebhookNotifier};
///
/// let hook = WebhookNotifier::new("http://hooks.internal:8080/alerts")?
///     .timeout(std::time::Duration::from_secs(5))
///     .retry(RetryPolicy::default());
/// let obs = observa::Observability::builder().service("shop", "1").notifier(hook).build()?;
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct WebhookNotifier {
    name: String,
    poster: JsonPoster,
}

impl WebhookNotifier {
    /// A notifier posting to `url` (`http://`, or `https://` with the `tls`
    /// feature); anything else is a configuration error.
    ///
    /// ```
    /// use observa::alerts::notify::WebhookNotifier;
    /// assert!(WebhookNotifier::new("http://127.0.0.1:9000/hook").is_ok());
    /// assert_eq!(WebhookNotifier::new("ftp://x/").err().map(|e| e.code()), Some("configuration"));
    /// ```
    pub fn new(url: &str) -> Result<WebhookNotifier> {
        Ok(WebhookNotifier {
            name: "webhook".to_owned(),
            poster: JsonPoster::new(url)?,
        })
    }
}

http_options!(WebhookNotifier);

impl Notifier for WebhookNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn deliver(&mut self, notification: &Notification) -> std::result::Result<(), NotifyError> {
        self.poster.post(&json_object(notification))
    }
}

impl std::fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookNotifier")
            .field("name", &self.name)
            .field("url", &self.poster.url())
            .finish_non_exhaustive()
    }
}
