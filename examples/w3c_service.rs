//! The test service of the W3C Trace Context test suite
//! (`w3c/trace-context`, `test/test.py`), built on observa's propagation.
//!
//! It answers `POST` requests whose JSON body is a list of
//! `{"url": ..., "arguments": ...}`: for each element, before replying, it
//! `POST`s `arguments` as JSON to `url` with the propagated `traceparent`
//! (the caller's trace id and flags, a new parent id for this service's
//! span; a new trace when the caller sent no valid one) and `tracestate`.
//!
//! ```sh
//! cargo run --example w3c_service -- 127.0.0.1:5000
//! # in a checkout of w3c/trace-context: python test/test.py http://127.0.0.1:5000/test
//! ```
//!
//! The first line printed is `listening on <address>` (give port 0 for any
//! free port). Bodies over 1 MiB are refused, and each callback has 5 s.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use observa::propagation::{extract, inject, TraceContext};
use observa::SpanId;
use serde_json::Value;

const MAX_BODY: usize = 1 << 20;
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(5);

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, text: &str) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
    response
}

/// POSTs `arguments` to `url` on behalf of `context`.
async fn call_back(url: &str, arguments: &Value, context: &TraceContext) -> Result<(), String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad url {url}: {e}"))?;
    let host = uri.host().ok_or("the url has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("host", format!("{host}:{port}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(arguments.to_string())))
        .map_err(|e| e.to_string())?;
    inject(context, request.headers_mut());
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    response.into_body().collect().await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn handle(request: Request<Incoming>) -> Result<Reply, Infallible> {
    if request.method() != Method::POST {
        return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, "POST only"));
    }
    // the caller's context, or a new trace; this service's span is its child
    let caller = extract(request.headers()).unwrap_or_else(|| TraceContext::new_root(true));
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(err) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, &err.to_string())),
    };
    let Ok(Value::Array(calls)) = serde_json::from_slice::<Value>(&body) else {
        return Ok(reply(
            StatusCode::BAD_REQUEST,
            "expected a JSON list of {url, arguments}",
        ));
    };
    for call in &calls {
        let (Some(url), Some(arguments)) = (call["url"].as_str(), call.get("arguments")) else {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                "each element needs url and arguments",
            ));
        };
        let context = caller.child(SpanId::random());
        match tokio::time::timeout(CALLBACK_TIMEOUT, call_back(url, arguments, &context)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("callback {url}: {err}"),
            Err(_) => eprintln!("callback {url}: timed out"),
        }
    }
    Ok(reply(StatusCode::OK, "{}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5000".to_owned())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let served = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(handle))
                .await;
            if let Err(err) = served {
                eprintln!("connection: {err}");
            }
        });
    }
}
