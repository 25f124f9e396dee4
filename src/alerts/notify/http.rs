//! [`JsonPoster`]: posts a JSON body with a timeout and a [`RetryPolicy`],
//! shared by the HTTP notifiers.

use std::io::Read;
use std::time::Duration;

use ureq::http::Uri;

use super::{NotifyError, RetryPolicy};
use crate::domain::random_uuid;
use crate::error::{ObsError, Result};

/// How long one HTTP attempt may take unless a notifier says otherwise.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes of an error response kept in [`NotifyError::Status`].
const ERROR_BODY_BYTES: u64 = 512;

/// Posts JSON to one URL, retrying what may succeed later.
pub(crate) struct JsonPoster {
    url: String,
    agent: ureq::Agent,
    retry: RetryPolicy,
}

impl JsonPoster {
    /// A poster for `url` (`http://`, or `https://` with the `tls` feature).
    pub(crate) fn new(url: &str) -> Result<JsonPoster> {
        let uri: Uri = url
            .parse()
            .map_err(|e| ObsError::configuration("notifier url", format!("`{url}` is not a URL: {e}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") if cfg!(feature = "tls") => {}
            Some("https") => {
                return Err(ObsError::configuration(
                    "notifier url",
                    format!("`{url}` needs HTTPS: enable observa's `tls` feature"),
                ))
            }
            _ => {
                return Err(ObsError::configuration(
                    "notifier url",
                    format!("`{url}` must start with http:// or https://"),
                ))
            }
        }
        if uri.host().is_none() {
            return Err(ObsError::configuration(
                "notifier url",
                format!("`{url}` has no host"),
            ));
        }
        Ok(JsonPoster {
            url: url.to_owned(),
            agent: agent(DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
        })
    }

    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.agent = agent(timeout);
    }

    pub(crate) fn set_retry(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Posts `body`, retrying per the policy; the last error if all failed.
    pub(crate) fn post(&self, body: &str) -> std::result::Result<(), NotifyError> {
        let mut retry = 0;
        loop {
            match self.post_once(body) {
                Ok(()) => return Ok(()),
                Err(e) if e.is_retryable() && retry + 1 < self.retry.attempts() => {
                    std::thread::sleep(self.retry.delay(retry, jitter()));
                    retry += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn post_once(&self, body: &str) -> std::result::Result<(), NotifyError> {
        let transport = |e: ureq::Error| NotifyError::Transport {
            target: self.url.clone(),
            reason: e.to_string(),
        };
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body)
            .map_err(transport)?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let mut start = Vec::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(ERROR_BODY_BYTES)
            .read_to_end(&mut start);
        Err(NotifyError::Status {
            target: self.url.clone(),
            status,
            body: String::from_utf8_lossy(&start).into_owned(),
        })
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

/// A uniform draw from `[0, 1)`.
fn jitter() -> f64 {
    (random_uuid().as_u128() as u64 >> 11) as f64 / (1u64 << 53) as f64
}

/// The options every HTTP notifier shares: `named`, `timeout`, `retry`.
/// The type needs fields `name: String` and `poster: JsonPoster`.
macro_rules! http_options {
    ($ty:ident) => {
        impl $ty {
            /// Names this notifier: the `notifier` label of
            /// `observa_notifications_total` and its thread's name
            /// (default: its kind).
            ///
            /// ```
            #[doc = concat!("let n = observa::alerts::notify::", stringify!($ty), "::new(\"http://127.0.0.1:9\")?.named(\"pager\");")]
            /// assert_eq!(observa::alerts::notify::Notifier::name(&n), "pager");
            /// # Ok::<(), observa::ObsError>(())
            /// ```
            pub fn named(mut self, name: impl Into<String>) -> Self {
                self.name = name.into();
                self
            }

            /// How long one HTTP attempt may take, connecting included
            /// (default 10 s).
            ///
            /// ```
            #[doc = concat!("let n = observa::alerts::notify::", stringify!($ty), "::new(\"http://127.0.0.1:9\")?")]
            ///     .timeout(std::time::Duration::from_secs(2));
            /// # Ok::<(), observa::ObsError>(())
            /// ```
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.poster.set_timeout(timeout);
                self
            }

            /// How failed attempts are retried (default
            /// [`RetryPolicy::default`](crate::alerts::notify::RetryPolicy::default)).
            ///
            /// ```
            /// use observa::alerts::notify::RetryPolicy;
            #[doc = concat!("let n = observa::alerts::notify::", stringify!($ty), "::new(\"http://127.0.0.1:9\")?")]
            ///     .retry(RetryPolicy::none());
            /// # Ok::<(), observa::ObsError>(())
            /// ```
            pub fn retry(mut self, policy: crate::alerts::notify::RetryPolicy) -> Self {
                self.poster.set_retry(policy);
                self
            }
        }
    };
}
pub(crate) use http_options;
