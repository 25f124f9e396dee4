//! [`HttpConfig`]: the address, the token and every limit of the endpoint.

use std::time::Duration;

use crate::error::{ObsError, Result};

/// The address served when none is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:9464";

/// The smallest request-head limit hyper accepts.
const MIN_HEADER_BYTES: usize = 8 * 1024;

/// Settings for [`HttpServer`](super::HttpServer) and
/// [`router`](super::router): the address, the bearer token, and the limits
/// that keep the endpoint up whatever its clients do.
///
/// | limit | default | when it is hit |
/// | --- | --- | --- |
/// | [`max_connections`](Self::max_connections) | 1024 | a new connection is closed at once |
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | the connection is closed |
/// | [`idle_timeout`](Self::idle_timeout) | 30 s | the connection is closed |
/// | [`write_timeout`](Self::write_timeout) | 10 s | the connection is closed |
/// | [`max_header_bytes`](Self::max_header_bytes) | 16 KiB | `431`, then close |
/// | [`max_request_body`](Self::max_request_body) | 8 KiB declared | `413`, then close |
/// | `max_otlp_body` (feature `otlp-receiver`) | 4 MiB, also after gzip | `413`, then close |
/// | OTLP requests in flight (feature `otlp-receiver`) | 4 | `503` with `Retry-After: 1` |
/// | [`health_deadline`](Self::health_deadline) | 2 s | `/readyz`, `/health`: `503` |
/// | [`max_health_in_flight`](Self::max_health_in_flight) | 4 | `/readyz`, `/health`: `503` |
/// | [`shutdown_grace`](Self::shutdown_grace) | 500 ms | open requests are cut off |
///
/// ```
/// use std::time::Duration;
///
/// let config = observa::http::HttpConfig::default()
///     .bearer_token("s3cret")
///     .max_connections(64)
///     .header_read_timeout(Duration::from_secs(5));
/// assert_eq!(config.addr(), "127.0.0.1:9464");
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let server = observa::http::HttpServer::start(&obs, config.bind("127.0.0.1:0"))?;
/// server.shutdown();
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct HttpConfig {
    pub(super) addr: String,
    pub(super) bearer_token: Option<String>,
    pub(super) health_detail: bool,
    pub(super) trace_api: bool,
    pub(super) otlp_receiver: bool,
    pub(super) max_otlp_body: u64,
    pub(super) max_connections: usize,
    pub(super) header_read_timeout: Duration,
    pub(super) idle_timeout: Duration,
    pub(super) write_timeout: Duration,
    pub(super) max_header_bytes: usize,
    pub(super) max_request_body: u64,
    pub(super) health_deadline: Duration,
    pub(super) max_health_in_flight: usize,
    pub(super) shutdown_grace: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            addr: DEFAULT_ADDR.to_owned(),
            bearer_token: None,
            health_detail: true,
            trace_api: false,
            otlp_receiver: false,
            max_otlp_body: 4 * 1024 * 1024,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            max_request_body: 8 * 1024,
            health_deadline: Duration::from_secs(2),
            max_health_in_flight: 4,
            shutdown_grace: Duration::from_millis(500),
        }
    }
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("addr", &self.addr)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "<redacted>"))
            .field("health_detail", &self.health_detail)
            .field("trace_api", &self.trace_api)
            .field("otlp_receiver", &self.otlp_receiver)
            .field("max_otlp_body", &self.max_otlp_body)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("max_request_body", &self.max_request_body)
            .field("health_deadline", &self.health_deadline)
            .field("max_health_in_flight", &self.max_health_in_flight)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish()
    }
}

impl HttpConfig {
    /// The address to bind, e.g. `127.0.0.1:0` for any free port.
    pub fn addr(&self) -> &str {
        &self.addr
    }
    /// Sets the address to bind.
    pub fn bind(mut self, addr: impl Into<String>) -> Self {
        self.addr = addr.into();
        self
    }
    /// Requires `Authorization: Bearer <token>` on `/metrics` and `/health`
    /// (and for the probe detail of `/readyz?verbose`). The scheme is matched
    /// in any case and the token compared in constant time. An empty token,
    /// or one with spaces or control characters, is refused when the server
    /// starts.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }
    /// Serves `/health` (full detail) or not (404); on by default.
    pub fn health_detail(mut self, enabled: bool) -> Self {
        self.health_detail = enabled;
        self
    }
    /// Serves `GET /api/traces/{id}` (a stored trace as Jaeger JSON, behind
    /// the bearer token when one is set) or not (404); off by default.
    ///
    /// ```
    /// use observa::SpanStatus;
    /// use std::io::{Read, Write};
    ///
    /// let obs = observa::Observability::builder().service("api", "1").build()?;
    /// let root = obs.tracing().start_trace("GET /")?;
    /// let root = obs.tracing().finish(root, SpanStatus::Ok)?;
    /// let config = observa::http::HttpConfig::default().bind("127.0.0.1:0").trace_api(true);
    /// let server = observa::http::HttpServer::start(&obs, config)?;
    ///
    /// let mut stream = std::net::TcpStream::connect(server.local_addr())?;
    /// write!(stream, "GET /api/traces/{} HTTP/1.0\r\n\r\n", root.trace_id())?;
    /// let mut response = String::new();
    /// stream.read_to_string(&mut response)?;
    /// assert!(response.starts_with("HTTP/1.0 200"));
    /// assert!(response.contains(r#""operationName":"GET /""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trace_api(mut self, enabled: bool) -> Self {
        self.trace_api = enabled;
        self
    }
    /// Accepts OTLP/HTTP exports at `POST /v1/traces`, `/v1/logs` and
    /// `/v1/metrics` (protobuf or JSON, gzip or not, behind the bearer token
    /// when one is set) and records what arrives (see
    /// [`Receiver`](crate::otlp::receive::Receiver)); off by default.
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let obs = observa::Observability::builder().service("collector", "1").build()?;
    /// let config = observa::http::HttpConfig::default().bind("127.0.0.1:0").otlp_receiver(true);
    /// let server = observa::http::HttpServer::start(&obs, config)?;
    ///
    /// let body = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":13,"body":{"stringValue":"disk 91% full"}}]}]}]}"#;
    /// let mut stream = std::net::TcpStream::connect(server.local_addr())?;
    /// write!(stream, "POST /v1/logs HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len())?;
    /// let mut response = String::new();
    /// stream.read_to_string(&mut response)?;
    /// assert!(response.starts_with("HTTP/1.0 200"), "{response}");
    /// assert_eq!(obs.logs().recent(1)?[0].message(), "disk 91% full");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "otlp-receiver")]
    pub fn otlp_receiver(mut self, enabled: bool) -> Self {
        self.otlp_receiver = enabled;
        self
    }
    /// The largest OTLP request body accepted (default 4 MiB), both as
    /// received and once decompressed: larger bodies get `413` after at most
    /// this many bytes were read or inflated, then the connection is closed.
    /// The other paths keep [`max_request_body`](Self::max_request_body).
    #[cfg(feature = "otlp-receiver")]
    pub fn max_otlp_body(mut self, bytes: u64) -> Self {
        self.max_otlp_body = bytes;
        self
    }
    /// Connections served at once (default 1024); a connection beyond it is
    /// closed as soon as it is accepted.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }
    /// Time for a whole request head to arrive, counted from when the server
    /// starts waiting for it (the connection opened or the previous response
    /// was sent); default 10 s. It also bounds how long an idle keep-alive
    /// connection stays open.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }
    /// A connection on which no byte moves for this long while the server
    /// waits to read is closed (default 30 s). It must be longer than the
    /// [`health_deadline`](Self::health_deadline), which a request may wait.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }
    /// A response write that makes no progress for this long (a client that
    /// does not read) closes the connection (default 10 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }
    /// The largest request head (request line and headers) accepted, in
    /// bytes (default 16 KiB, at least 8 KiB); larger heads get `431`.
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }
    /// The largest declared request body tolerated (default 8 KiB). Bodies are
    /// never read or buffered; a larger `Content-Length` gets `413` and the
    /// connection is closed.
    pub fn max_request_body(mut self, bytes: u64) -> Self {
        self.max_request_body = bytes;
        self
    }
    /// How long `/readyz` and `/health` wait for the health checks before
    /// answering `503` (default 2 s).
    pub fn health_deadline(mut self, deadline: Duration) -> Self {
        self.health_deadline = deadline;
        self
    }
    /// How many health runs may be in flight at once (default 4); a request
    /// beyond it gets `503` at once.
    pub fn max_health_in_flight(mut self, n: usize) -> Self {
        self.max_health_in_flight = n;
        self
    }
    /// How long [`shutdown`](super::HttpServer::shutdown) lets open requests
    /// finish before cutting them off (default 500 ms).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Checks the settings; every server and router calls it first.
    pub(super) fn validate(&self) -> Result<()> {
        if let Some(token) = &self.bearer_token {
            if token.is_empty() {
                return Err(ObsError::configuration(
                    "http bearer token",
                    "an empty token would lock every client out; leave it unset to serve without one",
                ));
            }
            if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ObsError::configuration(
                    "http bearer token",
                    "a token cannot contain spaces or control characters",
                ));
            }
        }
        let positive = [
            ("http max_connections", self.max_connections as u128),
            ("http max_health_in_flight", self.max_health_in_flight as u128),
            ("http max_otlp_body", u128::from(self.max_otlp_body)),
            ("http header_read_timeout", self.header_read_timeout.as_nanos()),
            ("http idle_timeout", self.idle_timeout.as_nanos()),
            ("http write_timeout", self.write_timeout.as_nanos()),
            ("http health_deadline", self.health_deadline.as_nanos()),
        ];
        if let Some((setting, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ObsError::configuration(setting, "must be greater than zero"));
        }
        if self.idle_timeout <= self.health_deadline {
            return Err(ObsError::configuration(
                "http idle_timeout",
                format!(
                    "{:?} must be longer than the health deadline ({:?})",
                    self.idle_timeout, self.health_deadline
                ),
            ));
        }
        if self.max_header_bytes < MIN_HEADER_BYTES {
            return Err(ObsError::configuration(
                "http max_header_bytes",
                format!(
                    "{} is below the minimum of {MIN_HEADER_BYTES}",
                    self.max_header_bytes
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_settings_are_refused() {
        assert!(HttpConfig::default().validate().is_ok());
        let refused = [
            HttpConfig::default().bearer_token(""),
            HttpConfig::default().bearer_token("two words"),
            HttpConfig::default().max_connections(0),
            HttpConfig::default().header_read_timeout(Duration::ZERO),
            HttpConfig::default().max_header_bytes(1024),
            HttpConfig::default().max_health_in_flight(0),
            HttpConfig::default().idle_timeout(Duration::from_secs(1)),
        ];
        for config in refused {
            let err = config.validate().unwrap_err();
            assert_eq!(err.code(), "configuration", "{config:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_token() {
        let shown = format!("{:?}", HttpConfig::default().bearer_token("s3cret"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
