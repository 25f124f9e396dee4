//! [`router`]: the endpoints as an `axum::Router` (cargo feature `axum`).

use std::sync::Arc;

use axum::extract::Request;
use axum::routing::any;
use axum::Router;

use super::routes::Endpoints;
use super::HttpConfig;
use crate::container::Observability;
use crate::error::Result;

/// `/metrics`, `/livez`, `/readyz`, `/health` and (when
/// [`trace_api`](HttpConfig::trace_api) is on) `/api/traces/{id}` and (with
/// the `otlp-receiver` feature, when `otlp_receiver` is on) `POST /v1/traces`,
/// `/v1/logs` and `/v1/metrics` with the same rules as
/// [`HttpServer`](super::HttpServer) (token, negotiation, body limit, health
/// deadline and in-flight bound), to merge into an application's router.
/// The address and the connection limits of `config` are not used: the
/// application's server owns the socket. Fails on an invalid setting, such
/// as an empty token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let app = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "hello" }))
///     .merge(observa::http::router(&obs, observa::http::HttpConfig::default())?);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// # let _ = (app, listener);
/// // axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
pub fn router(obs: &Observability, config: HttpConfig) -> Result<Router> {
    let endpoints = Arc::new(Endpoints::new(obs, config)?);
    let handler = move |request: Request| {
        let endpoints = Arc::clone(&endpoints);
        async move { endpoints.handle(request).await }
    };
    let router = Router::new()
        .route("/metrics", any(handler.clone()))
        .route("/livez", any(handler.clone()))
        .route("/readyz", any(handler.clone()))
        .route("/health", any(handler.clone()))
        .route("/api/traces/{id}", any(handler.clone()));
    #[cfg(feature = "otlp-receiver")]
    let router = router
        .route("/v1/traces", any(handler.clone()))
        .route("/v1/logs", any(handler.clone()))
        .route("/v1/metrics", any(handler.clone()));
    let _ = handler;
    Ok(router)
}
