//! [`HttpServer`]: hyper 1 on a current-thread tokio runtime that lives on
//! its own thread, so programs without an async runtime can serve.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::io::Timed;
use super::routes::Endpoints;
use super::HttpConfig;
use crate::container::Observability;
use crate::error::{ObsError, Result};

/// The first and the longest pause after a failed `accept` (out of
/// descriptors, out of memory): the listener backs off and retries.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_millis(500));

/// How long the runtime waits for blocking health runs once the server has
/// stopped; a probe still running then finishes on its own.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(100);

/// A running endpoint. [`shutdown`](HttpServer::shutdown) (or dropping it)
/// closes the listener, lets open requests finish within the grace period,
/// cuts off the rest and joins the serving thread.
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
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    worker: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `config.addr()` and serves on a background thread. Fails on an
    /// invalid setting (see [`HttpConfig`]) or when the address cannot be bound.
    pub fn start(obs: &Observability, config: HttpConfig) -> Result<HttpServer> {
        let endpoints = Arc::new(Endpoints::new(obs, config)?);
        let config = endpoints.config();
        let io_error = |context: String| move |source| ObsError::Io { context, source };
        let listener = std::net::TcpListener::bind(&config.addr)
            .map_err(io_error(format!("binding {}", config.addr)))?;
        listener
            .set_nonblocking(true)
            .map_err(io_error("configuring the listener".into()))?;
        let addr = listener
            .local_addr()
            .map_err(io_error("reading the bound address".into()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .max_blocking_threads(config.max_health_in_flight + ingest_threads(config))
            .thread_name("observa-http-health")
            .build()
            .map_err(io_error("starting the HTTP runtime".into()))?;
        let (stop, stopped) = watch::channel(false);
        let worker = std::thread::Builder::new()
            .name("observa-http".into())
            .spawn(move || {
                runtime.block_on(serve(listener, endpoints, stopped));
                runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
            })
            .map_err(io_error("starting the HTTP thread".into()))?;
        Ok(HttpServer {
            addr,
            stop: Some(stop),
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

    /// Stops serving: when it returns the port is closed, open requests have
    /// finished or were cut off after the grace period, and the serving
    /// thread has ended.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
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

/// Blocking threads for OTLP ingestion beside the health runs', so neither
/// waits for the other.
fn ingest_threads(config: &HttpConfig) -> usize {
    #[cfg(feature = "otlp-receiver")]
    if config.otlp_receiver {
        return super::otlp::MAX_INGEST_IN_FLIGHT;
    }
    let _ = config;
    0
}

/// Accepts until told to stop, then closes the listener and waits up to the
/// grace period for open connections.
async fn serve(listener: std::net::TcpListener, endpoints: Arc<Endpoints>, mut stop: watch::Receiver<bool>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let max = endpoints.config().max_connections;
    let slots = Arc::new(Semaphore::new(max));
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        let accepted = tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                backoff = ACCEPT_BACKOFF.0;
                // over the cap the connection is closed at once (dropped)
                if let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
                    tokio::spawn(connection(stream, Arc::clone(&endpoints), stop.clone(), slot));
                }
            }
            Err(_) => {
                // out of descriptors or memory: the pending connection stays
                // in the backlog; retry once some are free
                tokio::select! {
                    () = stopped(&mut stop) => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
            }
        }
    }
    drop(listener);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(endpoints.config().shutdown_grace, slots.acquire_many(all)).await;
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Serves one connection with the configured limits; on shutdown it
/// finishes the request in hand and closes.
async fn connection(
    stream: TcpStream,
    endpoints: Arc<Endpoints>,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let config = endpoints.config();
    let io = TokioIo::new(Timed::new(stream, config.idle_timeout, config.write_timeout));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .max_buf_size(config.max_header_bytes)
        .keep_alive(true);
    let handler = Arc::clone(&endpoints);
    let service = service_fn(move |request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Infallible>(handler.handle(request).await) }
    });
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
