//! The four paths and their rules, shared by the built-in server and the
//! axum router: limits on what a request declares, the token, the
//! negotiation, and health answers that never hold up `/metrics` or `/livez`.

use http_body_util::Full;
use hyper::body::{Body, Bytes};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::auth::bearer_matches;
use super::health::{names_only_json, Checks, HealthGate};
use super::trace_api::{trace_reply, TRACES_PREFIX};
use super::HttpConfig;
use crate::container::Observability;
use crate::error::Result;
use crate::health::{HealthReport, HEALTH_JSON};
use crate::metrics::Format;

/// A response as the endpoints build it.
pub(crate) type Reply = Response<Full<Bytes>>;

/// The endpoints of one server or router.
pub(crate) struct Endpoints {
    obs: Observability,
    config: HttpConfig,
    gate: HealthGate,
    #[cfg(feature = "otlp-receiver")]
    ingest: super::otlp::Ingest,
}

impl Endpoints {
    /// Validates `config` (an empty token is refused here).
    pub(crate) fn new(obs: &Observability, config: HttpConfig) -> Result<Self> {
        config.validate()?;
        let gate = HealthGate::new(config.max_health_in_flight, config.health_deadline);
        #[cfg(feature = "otlp-receiver")]
        let ingest = super::otlp::Ingest::new(obs, config.max_otlp_body, config.idle_timeout);
        Ok(Endpoints {
            obs: obs.clone(),
            config,
            gate,
            #[cfg(feature = "otlp-receiver")]
            ingest,
        })
    }

    pub(crate) fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Answers one request. Outside the OTLP receiver the body is never
    /// read: a small one is discarded by the connection, a large declared
    /// one gets 413.
    pub(crate) async fn handle<B>(&self, request: Request<B>) -> Reply
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        #[cfg(feature = "otlp-receiver")]
        if let Some(signal) =
            super::otlp::Signal::from_path(request.uri().path()).filter(|_| self.config.otlp_receiver)
        {
            if !self.authorized(request.headers()) {
                return unauthorized();
            }
            return self.ingest.receive(signal, request).await;
        }
        if declared_body(request.headers()).is_some_and(|n| n > self.config.max_request_body) {
            let mut reply = text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
            reply
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return reply;
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            let mut reply = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            reply
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return reply;
        }
        let path = request.uri().path();
        let verbose = request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .any(|p| p == "verbose" || p.starts_with("verbose="));
        let authorized = self.authorized(request.headers());
        let trace_id = path.strip_prefix(TRACES_PREFIX).filter(|_| self.config.trace_api);
        let guarded = matches!(path, "/metrics" | "/health") || trace_id.is_some();
        if guarded && !authorized {
            return unauthorized();
        }
        if let Some(id) = trace_id {
            return trace_reply(self.obs.tracing(), id);
        }
        match path {
            "/metrics" => self.metrics(request.headers()),
            "/livez" => health_reply(&self.obs.health().liveness(), verbose, true),
            "/readyz" => self.checks(Checks::Readiness, verbose, authorized).await,
            "/health" if self.config.health_detail => self.checks(Checks::All, true, true).await,
            _ => text(StatusCode::NOT_FOUND, "not found\n"),
        }
    }

    fn metrics(&self, headers: &HeaderMap) -> Reply {
        let accept = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let format = Format::from_accept(&accept);
        match self.obs.render(format) {
            Ok(body) => {
                let mut reply = Response::new(Full::new(Bytes::from(body)));
                reply.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                );
                reply
            }
            Err(err) => text(StatusCode::INTERNAL_SERVER_ERROR, &format!("{err}\n")),
        }
    }

    async fn checks(&self, which: Checks, verbose: bool, authorized: bool) -> Reply {
        match self.gate.run(self.obs.health(), which).await {
            Ok(report) => health_reply(&report, verbose, authorized),
            Err(unavailable) => json_reply(StatusCode::SERVICE_UNAVAILABLE, &unavailable.to_health_json()),
        }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        match &self.config.bearer_token {
            None => true,
            Some(token) => bearer_matches(
                headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes),
                token,
            ),
        }
    }
}

fn unauthorized() -> Reply {
    let mut reply = text(StatusCode::UNAUTHORIZED, "unauthorized\n");
    reply
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    reply
}

/// The `Content-Length` a request declares; an unparsable one counts as huge.
fn declared_body(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(header::CONTENT_LENGTH)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(u64::MAX),
    )
}

/// Probe detail (`output`, observed values) only for an authorized client.
fn health_reply(report: &HealthReport, verbose: bool, authorized: bool) -> Reply {
    let body = match (verbose, authorized) {
        (true, false) => names_only_json(report),
        _ => report.to_health_json(verbose),
    };
    let status = StatusCode::from_u16(report.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_reply(status, &body)
}

fn json_reply(status: StatusCode, body: &serde_json::Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    let headers = reply.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(HEALTH_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

fn text(status: StatusCode, body: &str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_owned())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    reply
}
