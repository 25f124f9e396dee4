//! The HTTP endpoint (cargo feature `http`, on by default). Blocking, on its
//! own thread, with no async runtime; bound to 127.0.0.1 unless told otherwise.
//!
//! | path | answers |
//! | --- | --- |
//! | `/metrics` | every metric, in the format the `Accept` header asks for |
//! | `/livez` | the process only (no dependencies): always `pass` while it serves |
//! | `/readyz` | the critical checks; `?verbose` lists them |
//! | `/health` | every check in full detail (can be switched off) |
//!
//! Health answers are `application/health+json` with `Cache-Control:
//! no-store`, HTTP 200 for pass and warn, 503 for fail. A bearer token, when
//! set, guards `/metrics` and `/health`; `/livez` and `/readyz` stay open for
//! the kubelet.

use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::container::Observability;
use crate::error::{ObsError, Result};
use crate::health::{HealthReport, HEALTH_JSON};
use crate::metrics::Format;

/// The address served when none is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:9464";

/// Settings for [`HttpServer`].
///
/// ```
/// let config = observa::http::HttpConfig::default().bearer_token("s3cret");
/// assert_eq!(config.addr(), "127.0.0.1:9464");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct HttpConfig {
    addr: String,
    bearer_token: Option<String>,
    health_detail: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            addr: DEFAULT_ADDR.to_owned(),
            bearer_token: None,
            health_detail: true,
        }
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
    /// Requires `Authorization: Bearer <token>` on `/metrics` and `/health`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }
    /// Serves `/health` (full detail) or not (404); on by default.
    pub fn health_detail(mut self, enabled: bool) -> Self {
        self.health_detail = enabled;
        self
    }
}

/// A running endpoint. [`shutdown`](HttpServer::shutdown) (or dropping it)
/// stops accepting, finishes the request in hand and joins the thread.
///
/// ```
/// use std::io::{Read, Write};
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// obs.metrics().counter("orders_total", &[])?.inc();
/// let server = observa::http::serve(&obs, "127.0.0.1:0")?;
///
/// let mut stream = std::net::TcpStream::connect(server.local_addr())?;
/// stream.write_all(b"GET /metrics HTTP/1.0\r\n\r\n")?;
/// let mut response = String::new();
/// stream.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.0 200"));
/// assert!(response.contains("text/plain; version=0.0.4"));
/// assert!(response.contains("orders_total 1"));
/// server.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct HttpServer {
    server: Arc<Server>,
    addr: SocketAddr,
    worker: Option<JoinHandle<()>>,
}

/// Serves `obs` on `addr` with default settings; see [`HttpServer::start`].
pub fn serve(obs: &Observability, addr: &str) -> Result<HttpServer> {
    HttpServer::start(obs, HttpConfig::default().bind(addr))
}

impl HttpServer {
    /// Binds `config.addr()` and serves on a background thread.
    pub fn start(obs: &Observability, config: HttpConfig) -> Result<HttpServer> {
        let server = Server::http(&config.addr).map_err(|e| ObsError::Io {
            context: format!("binding {}", config.addr),
            source: std::io::Error::other(e.to_string()),
        })?;
        let addr = server.server_addr().to_ip().ok_or_else(|| {
            ObsError::configuration("http address", format!("{} is not an IP address", config.addr))
        })?;
        let server = Arc::new(server);
        let handler = Handler {
            obs: obs.clone(),
            config,
        };
        let accepting = Arc::clone(&server);
        let worker = std::thread::Builder::new()
            .name("observa-http".into())
            .spawn(move || {
                for request in accepting.incoming_requests() {
                    handler.handle(request);
                }
            })
            .map_err(|e| ObsError::Io {
                context: "starting the HTTP thread".into(),
                source: e,
            })?;
        Ok(HttpServer {
            server,
            addr,
            worker: Some(worker),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the metrics endpoint.
    pub fn metrics_url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }

    /// Stops serving and waits for the thread to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer").field("addr", &self.addr).finish()
    }
}

struct Handler {
    obs: Observability,
    config: HttpConfig,
}

type Reply = Response<Cursor<Vec<u8>>>;

impl Handler {
    fn handle(&self, request: Request) {
        let reply = self.route(&request);
        // a client that hung up is not an error of ours
        let _ = request.respond(reply);
    }

    fn route(&self, request: &Request) -> Reply {
        if *request.method() != Method::Get && *request.method() != Method::Head {
            return text(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD"));
        }
        let (path, query) = request.url().split_once('?').unwrap_or((request.url(), ""));
        let verbose = query
            .split('&')
            .any(|p| p == "verbose" || p.starts_with("verbose="));
        let guarded = matches!(path, "/metrics" | "/health");
        if guarded && !self.authorized(request) {
            return text(401, "unauthorized\n").with_header(header("WWW-Authenticate", "Bearer"));
        }
        match path {
            "/metrics" => self.metrics(request),
            "/livez" => health(&self.obs.health().liveness(), verbose),
            "/readyz" => health(&self.obs.health().readiness(), verbose),
            "/health" if self.config.health_detail => health(&self.obs.health().check_all(), true),
            _ => text(404, "not found\n"),
        }
    }

    fn metrics(&self, request: &Request) -> Reply {
        let accept = header_value(request, "Accept").unwrap_or_default();
        let format = Format::from_accept(accept);
        match self.obs.render(format) {
            Ok(body) => {
                Response::from_string(body).with_header(header("Content-Type", format.content_type()))
            }
            Err(err) => text(500, &format!("{err}\n")),
        }
    }

    fn authorized(&self, request: &Request) -> bool {
        let Some(token) = &self.config.bearer_token else {
            return true;
        };
        let given = header_value(request, "Authorization").and_then(|v| v.strip_prefix("Bearer "));
        given.is_some_and(|given| constant_time_eq(given.trim().as_bytes(), token.as_bytes()))
    }
}

fn health(report: &HealthReport, verbose: bool) -> Reply {
    Response::from_string(report.to_health_json(verbose).to_string())
        .with_status_code(report.http_status())
        .with_header(header("Content-Type", HEALTH_JSON))
        .with_header(header("Cache-Control", "no-store"))
}

fn header_value<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and values are valid")
}

fn text(status: u16, body: &str) -> Reply {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// Compares without an early exit, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
