//! [`OtlpConfig`]: where and how the exporter sends, with its batching,
//! retry and resource settings.

use std::time::Duration;

use super::proto::Encoding;
pub use super::settings::{parse_protocol, BatchConfig, Compression, RetryPolicy, Signal};
use crate::error::{ObsError, Result};
use crate::sampling::Sampler;
use crate::sinks::DEFAULT_SHUTDOWN_DEADLINE;

/// The default collector address for OTLP/HTTP.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318";

/// Where and how one signal is sent. Its `Debug` shows header names, never values.
#[derive(Clone, PartialEq)]
pub(crate) struct SignalSettings {
    pub(crate) enabled: bool,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    pub(crate) encoding: Encoding,
}

impl std::fmt::Debug for SignalSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("SignalSettings")
            .field("enabled", &self.enabled)
            .field("url", &self.url)
            .field("headers", &names)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .field("encoding", &self.encoding)
            .finish()
    }
}

impl SignalSettings {
    fn new(signal: Signal) -> SignalSettings {
        SignalSettings {
            enabled: true,
            url: format!("{DEFAULT_ENDPOINT}{}", signal.path()),
            headers: Vec::new(),
            timeout: Duration::from_secs(10),
            compression: Compression::None,
            encoding: Encoding::Protobuf,
        }
    }
}

/// The exporter's settings. Build it from the standard `OTEL_*` variables
/// ([`OtlpConfig::from_env`]), a TOML file ([`OtlpConfig::with_file`]) and
/// the methods below; what is set last wins, so the documented precedence
/// (methods over file over environment) is the order of the calls:
/// `OtlpConfig::from_env()?.with_file(path)?.endpoint(...)`.
///
/// ```
/// use std::time::Duration;
/// use observa::otlp::{Compression, OtlpConfig, Signal};
/// use observa::otlp::proto::Encoding;
///
/// let config = OtlpConfig::default()
///     .endpoint("http://collector:4318")
///     .encoding(Encoding::Json)
///     .compression(Compression::Gzip)
///     .header("authorization", "Bearer t0k3n")
///     .timeout(Duration::from_secs(3))
///     .resource_attribute("deployment.environment", "prod");
/// assert_eq!(config.url(Signal::Logs), "http://collector:4318/v1/logs");
/// assert!(!format!("{config:?}").contains("t0k3n"), "header values stay out of Debug");
/// ```
#[derive(Clone, Debug)]
pub struct OtlpConfig {
    pub(crate) signals: [SignalSettings; 3],
    pub(crate) service_name: Option<String>,
    pub(crate) resource: Vec<(String, String)>,
    pub(crate) sampler: Option<Sampler>,
    pub(crate) disabled: bool,
    pub(crate) spans: BatchConfig,
    pub(crate) logs: BatchConfig,
    pub(crate) metric_interval: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for OtlpConfig {
    fn default() -> OtlpConfig {
        OtlpConfig {
            signals: Signal::ALL.map(SignalSettings::new),
            service_name: None,
            resource: Vec::new(),
            sampler: None,
            disabled: false,
            spans: BatchConfig::spans(),
            logs: BatchConfig::logs(),
            metric_interval: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            shutdown_timeout: DEFAULT_SHUTDOWN_DEADLINE,
        }
    }
}

impl OtlpConfig {
    /// Sends every signal to `base` + `/v1/traces`, `/v1/logs`, `/v1/metrics`.
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().endpoint("http://collector:4318/");
    /// assert_eq!(config.url(observa::otlp::Signal::Metrics), "http://collector:4318/v1/metrics");
    /// ```
    pub fn endpoint(mut self, base: &str) -> Self {
        for signal in Signal::ALL {
            self.signals[signal.index()].url = join(base, signal);
        }
        self
    }
    /// Sends one signal to exactly `url` (no path appended).
    ///
    /// ```
    /// use observa::otlp::{OtlpConfig, Signal};
    ///
    /// let config = OtlpConfig::default().signal_endpoint(Signal::Traces, "http://tempo:4318/otlp/v1/traces");
    /// assert_eq!(config.url(Signal::Traces), "http://tempo:4318/otlp/v1/traces");
    /// ```
    pub fn signal_endpoint(mut self, signal: Signal, url: &str) -> Self {
        self.signals[signal.index()].url = url.to_owned();
        self
    }
    /// Stops exporting one signal (it is exported by default).
    ///
    /// ```
    /// use observa::otlp::{OtlpConfig, Signal};
    ///
    /// assert!(!OtlpConfig::default().without(Signal::Metrics).is_enabled(Signal::Metrics));
    /// ```
    pub fn without(mut self, signal: Signal) -> Self {
        self.signals[signal.index()].enabled = false;
        self
    }
    /// The body encoding of every signal (default protobuf).
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().encoding(observa::otlp::proto::Encoding::Json);
    /// # let _ = config;
    /// ```
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.signals.iter_mut().for_each(|s| s.encoding = encoding);
        self
    }
    /// The compression of every signal (default none).
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().compression(observa::otlp::Compression::Gzip);
    /// # let _ = config;
    /// ```
    pub fn compression(mut self, compression: Compression) -> Self {
        self.signals.iter_mut().for_each(|s| s.compression = compression);
        self
    }
    /// Adds a header to every request.
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().header("x-tenant", "shop");
    /// assert!(format!("{config:?}").contains("x-tenant"));
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        for s in &mut self.signals {
            s.headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
    /// The time limit of each request (default 10 s).
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().timeout(std::time::Duration::from_secs(2));
    /// # let _ = config;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.signals.iter_mut().for_each(|s| s.timeout = timeout);
        self
    }
    /// The `service.name` to use when the container's builder sets none.
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().service_name("checkout");
    /// assert_eq!(config.configured_service_name(), Some("checkout"));
    /// ```
    pub fn service_name(mut self, name: &str) -> Self {
        self.service_name = Some(name.to_owned());
        self
    }
    /// Adds a resource attribute (the container's service name, version,
    /// environment and labels are added, and win, at build time).
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().resource_attribute("cloud.region", "eu-west-1");
    /// # let _ = config;
    /// ```
    pub fn resource_attribute(mut self, key: &str, value: &str) -> Self {
        self.resource.push((key.to_owned(), value.to_owned()));
        self
    }
    /// The head sampler to use when the container's builder sets none.
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().sampler(observa::sampling::Sampler::always_off());
    /// assert!(config.configured_sampler().is_some());
    /// ```
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = Some(sampler);
        self
    }
    /// Turns the exporter off (as `OTEL_SDK_DISABLED=true` does).
    ///
    /// ```
    /// assert!(observa::otlp::OtlpConfig::default().disabled(true).is_disabled());
    /// ```
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }
    /// Span batching (default [`BatchConfig::spans`]).
    ///
    /// ```
    /// use observa::otlp::{BatchConfig, OtlpConfig};
    ///
    /// let config = OtlpConfig::default().span_batch(BatchConfig { max_export_batch_size: 128, ..BatchConfig::spans() });
    /// # let _ = config;
    /// ```
    pub fn span_batch(mut self, batch: BatchConfig) -> Self {
        self.spans = batch;
        self
    }
    /// Log record batching (default [`BatchConfig::logs`]).
    ///
    /// ```
    /// use observa::otlp::{BatchConfig, OtlpConfig};
    ///
    /// let config = OtlpConfig::default().log_batch(BatchConfig { max_queue_size: 8_192, ..BatchConfig::logs() });
    /// # let _ = config;
    /// ```
    pub fn log_batch(mut self, batch: BatchConfig) -> Self {
        self.logs = batch;
        self
    }
    /// How often metrics are exported (default 60 s).
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::default().metric_interval(std::time::Duration::from_secs(15));
    /// # let _ = config;
    /// ```
    pub fn metric_interval(mut self, interval: Duration) -> Self {
        self.metric_interval = interval;
        self
    }
    /// Retry backoff (default [`RetryPolicy::default`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use observa::otlp::{OtlpConfig, RetryPolicy};
    ///
    /// let config = OtlpConfig::default().retry(RetryPolicy { initial_backoff: Duration::from_millis(200), max_backoff: Duration::from_secs(5) });
    /// # let _ = config;
    /// ```
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// The longest dropping the exporter (with the last clone of its
    /// container) waits for a last export of what is queued, retries
    /// included (default
    /// [`DEFAULT_SHUTDOWN_DEADLINE`](crate::sinks::DEFAULT_SHUTDOWN_DEADLINE), 5 s);
    /// what is still queued then is counted as `otlp_shutdown_timeout`, and a
    /// batch still being retried as `otlp_failed`. Zero gives up at once.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use observa::otlp::OtlpConfig;
    ///
    /// // nothing listens on port 9: without the bound, the drop would retry for 5 s
    /// let config = OtlpConfig::default().endpoint("http://127.0.0.1:9").shutdown_timeout(Duration::from_millis(100));
    /// let obs = observa::Observability::builder().service("shop", "1").otlp(config).build()?;
    /// obs.tracing().in_span("charge", || ());
    /// let started = Instant::now();
    /// drop(obs);
    /// assert!(started.elapsed() < Duration::from_secs(2));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// The URL a signal is sent to.
    ///
    /// ```
    /// use observa::otlp::{OtlpConfig, Signal};
    ///
    /// assert_eq!(OtlpConfig::default().url(Signal::Traces), "http://localhost:4318/v1/traces");
    /// ```
    pub fn url(&self, signal: Signal) -> &str {
        &self.signals[signal.index()].url
    }
    /// Whether a signal is exported.
    ///
    /// ```
    /// assert!(observa::otlp::OtlpConfig::default().is_enabled(observa::otlp::Signal::Logs));
    /// ```
    pub fn is_enabled(&self, signal: Signal) -> bool {
        self.signals[signal.index()].enabled
    }
    /// Whether the exporter is turned off.
    ///
    /// ```
    /// assert!(!observa::otlp::OtlpConfig::default().is_disabled());
    /// ```
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }
    /// The sampler from the configuration, if any.
    ///
    /// ```
    /// assert!(observa::otlp::OtlpConfig::default().configured_sampler().is_none());
    /// ```
    pub fn configured_sampler(&self) -> Option<&Sampler> {
        self.sampler.as_ref()
    }
    /// The `service.name` from the configuration, if any.
    ///
    /// ```
    /// assert_eq!(observa::otlp::OtlpConfig::default().configured_service_name(), None);
    /// ```
    pub fn configured_service_name(&self) -> Option<&str> {
        self.service_name.as_deref()
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.spans.check("otlp span batch")?;
        self.logs.check("otlp log batch")?;
        if self.metric_interval.is_zero() {
            return Err(ObsError::configuration(
                "otlp metric interval",
                "must be positive",
            ));
        }
        for s in &self.signals {
            if !(s.url.starts_with("http://") || s.url.starts_with("https://")) {
                return Err(ObsError::configuration(
                    "otlp endpoint",
                    format!("{:?} must be an http:// or https:// URL", s.url),
                ));
            }
            if s.timeout.is_zero() {
                return Err(ObsError::configuration("otlp timeout", "must be positive"));
            }
        }
        Ok(())
    }
}

/// `base` with the signal's path appended (one slash between them).
pub(crate) fn join(base: &str, signal: Signal) -> String {
    format!("{}{}", base.trim_end_matches('/'), signal.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exporter_drop_waits_the_sink_deadline_unless_told_otherwise() {
        assert_eq!(OtlpConfig::default().shutdown_timeout, DEFAULT_SHUTDOWN_DEADLINE);
        let short = OtlpConfig::default().shutdown_timeout(Duration::from_millis(10));
        assert_eq!(short.shutdown_timeout, Duration::from_millis(10));
    }
}
