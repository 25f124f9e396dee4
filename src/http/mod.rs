//! The HTTP endpoint (cargo feature `http`, on by default): hyper 1 on a
//! small tokio runtime that lives on its own thread, so programs with no
//! async runtime of their own can serve. Bound to 127.0.0.1 unless told
//! otherwise.
//!
//! | path | answers |
//! | --- | --- |
//! | `/metrics` | every metric, in the format the `Accept` header asks for |
//! | `/livez` | the process only (no dependencies): always `pass` while it serves |
//! | `/readyz` | the critical checks; `?verbose` lists them |
//! | `/health` | every check in full detail (can be switched off) |
//! | `/api/traces/{id}` | a stored trace as Jaeger JSON (off unless [`HttpConfig::trace_api`]) |
//! | `POST /v1/traces`, `/v1/logs`, `/v1/metrics` | OTLP/HTTP ingestion (feature `otlp-receiver`, off unless `HttpConfig::otlp_receiver`) |
//!
//! Health answers are `application/health+json` with `Cache-Control:
//! no-store`, HTTP 200 for pass and warn, 503 for fail. A bearer token, when
//! set, guards `/metrics`, `/health`, `/api/traces` and `/v1/*`; `/livez` and `/readyz` stay open for
//! the kubelet, but without the token `/readyz?verbose` shows the check names
//! and their status only, never probe output. The scheme is matched in any
//! case and the token compared in constant time; an empty token is refused.
//!
//! `/metrics` follows `Accept` with q-values, wildcards and the `version`
//! parameter: OpenMetrics 1.0.0 or Prometheus text 0.0.4, falling back to
//! 0.0.4.
//!
//! # Limits
//!
//! Every input from the network is bounded and timed out; the defaults are
//! listed on [`HttpConfig`]. Beyond [`max_connections`](HttpConfig::max_connections)
//! a new connection is closed at once; a request head larger than
//! [`max_header_bytes`](HttpConfig::max_header_bytes) gets `431`; request
//! bodies are never read (a declared body over
//! [`max_request_body`](HttpConfig::max_request_body) gets `413`) except by
//! the OTLP receiver, which reads and inflates at most its own limit within
//! the idle timeout; slow
//! heads, idle connections and clients that stop reading are cut off by
//! their timeouts. Only HTTP/1.0 and 1.1 are spoken: an HTTP/2 preface is
//! closed, another version token gets `400` and a close. When `accept` fails
//! (out of descriptors) the listener backs off and retries: it never dies
//! while the process lives.
//!
//! Probes never run on the path that serves `/metrics` and `/livez`:
//! `/readyz` and `/health` run the checks on a blocking pool, at most
//! [`max_health_in_flight`](HttpConfig::max_health_in_flight) at a time and
//! within [`health_deadline`](HttpConfig::health_deadline), answering `503`
//! with a JSON `output` saying why when either is hit.
//!
//! # Mounting in your own server
//!
//! With the `axum` feature, [`router`] returns the same paths with the same
//! rules as an `axum::Router` to merge into an application's router, so a
//! service that already runs axum needs no second port. Connection limits
//! and timeouts then belong to that server.
//!
//! ```
//! let obs = observa::Observability::builder().service("api", "1").build()?;
//! let config = observa::http::HttpConfig::default()
//!     .bind("127.0.0.1:0")
//!     .max_connections(256);
//! let server = observa::http::HttpServer::start(&obs, config)?;
//! assert!(server.metrics_url().ends_with("/metrics"));
//! server.shutdown(); // the port is closed when this returns
//! # Ok::<(), observa::ObsError>(())
//! ```

mod auth;
#[cfg(feature = "axum")]
mod axum;
mod config;
mod health;
mod io;
#[cfg(feature = "otlp-receiver")]
mod otlp;
mod routes;
mod server;
mod trace_api;

#[cfg(feature = "axum")]
pub use self::axum::router;
pub use config::{HttpConfig, DEFAULT_ADDR};
pub use server::HttpServer;

use crate::container::Observability;
use crate::error::Result;

/// Serves `obs` on `addr` with default settings; see [`HttpServer::start`].
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let server = observa::http::serve(&obs, "127.0.0.1:0")?;
/// assert!(server.local_addr().ip().is_loopback());
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn serve(obs: &Observability, addr: &str) -> Result<HttpServer> {
    HttpServer::start(obs, HttpConfig::default().bind(addr))
}
