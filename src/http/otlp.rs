//! `POST /v1/traces`, `/v1/logs` and `/v1/metrics` (cargo feature
//! `otlp-receiver`): OTLP/HTTP ingestion, protobuf or JSON, optionally
//! gzip-compressed, bounded before and after decompression, at most
//! [`MAX_INGEST_IN_FLIGHT`] requests at a time, recorded on the blocking
//! pool.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use flate2::read::MultiGzDecoder;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::routes::Reply;
use crate::container::Observability;
use crate::otlp::proto::{
    Encoding, ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, OtlpMessage,
};
use crate::otlp::receive::Receiver;

/// The three OTLP/HTTP paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    Traces,
    Logs,
    Metrics,
}

impl Signal {
    pub(crate) fn from_path(path: &str) -> Option<Signal> {
        match path {
            "/v1/traces" => Some(Signal::Traces),
            "/v1/logs" => Some(Signal::Logs),
            "/v1/metrics" => Some(Signal::Metrics),
            _ => None,
        }
    }
}

/// `google.rpc.Status`, the body OTLP/HTTP answers errors with.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// gRPC status codes used in error bodies.
const INVALID_ARGUMENT: i32 = 3;
const DEADLINE_EXCEEDED: i32 = 4;
const RESOURCE_EXHAUSTED: i32 = 8;
const UNIMPLEMENTED: i32 = 12;
const UNAVAILABLE: i32 = 14;

/// Why a body could not be read.
enum Refused {
    TooLarge,
    Unreadable(String),
    TimedOut,
    Busy,
}

/// How many OTLP requests are read and recorded at once; one beyond it gets
/// `503` with `Retry-After` (OTLP clients retry). Bounds the memory held by
/// bodies (each up to the limit, twice with gzip) and the blocking threads
/// recording them.
pub(crate) const MAX_INGEST_IN_FLIGHT: usize = 4;

/// The receiver of one server or router, with its limits and slots.
pub(crate) struct Ingest {
    receiver: Arc<Receiver>,
    slots: Arc<Semaphore>,
    limit: u64,
    deadline: Duration,
}

impl Ingest {
    /// Bodies up to `limit` bytes (also once inflated), read within `deadline`.
    pub(crate) fn new(obs: &Observability, limit: u64, deadline: Duration) -> Self {
        Ingest {
            receiver: Arc::new(Receiver::new(obs.tracing(), obs.logs(), obs.metrics())),
            slots: Arc::new(Semaphore::new(MAX_INGEST_IN_FLIGHT)),
            limit,
            deadline,
        }
    }

    /// Answers one OTLP/HTTP request: checks method and headers, takes a
    /// slot, reads and inflates the body within the limits, then decodes and
    /// records it on the blocking pool, so that `/livez` and `/metrics` are
    /// never held up by a large request.
    pub(crate) async fn receive<B>(&self, signal: Signal, request: Request<B>) -> Reply
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if request.method() != Method::POST {
            let mut reply = status_reply(
                StatusCode::METHOD_NOT_ALLOWED,
                Encoding::Json,
                UNIMPLEMENTED,
                "use POST",
            );
            reply
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return reply;
        }
        let headers = request.headers();
        let Some(encoding) = header_text(headers, header::CONTENT_TYPE).and_then(Encoding::from_content_type)
        else {
            let message = "Content-Type must be application/x-protobuf or application/json";
            return status_reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Encoding::Json,
                UNIMPLEMENTED,
                message,
            );
        };
        let gzip = match header_text(headers, header::CONTENT_ENCODING).map(str::trim) {
            None | Some("") => false,
            Some(e) if e.eq_ignore_ascii_case("identity") => false,
            Some(e) if e.eq_ignore_ascii_case("gzip") => true,
            Some(_) => {
                let message = "Content-Encoding must be gzip or identity";
                return status_reply(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    encoding,
                    UNIMPLEMENTED,
                    message,
                );
            }
        };
        let declared = header_text(headers, header::CONTENT_LENGTH).map(|v| v.trim().parse::<u64>());
        if declared.is_some_and(|n| n.map_or(true, |n| n > self.limit)) {
            return refused_reply(Refused::TooLarge, encoding, self.limit);
        }
        let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
            return refused_reply(Refused::Busy, encoding, self.limit);
        };
        let body = match read_body(request.into_body(), self.limit, self.deadline, gzip).await {
            Ok(body) => body,
            Err(refused) => return refused_reply(refused, encoding, self.limit),
        };
        let receiver = Arc::clone(&self.receiver);
        let record = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            record(&receiver, signal, encoding, &body)
        });
        match record.await {
            Ok(Ok(bytes)) => bytes_reply(StatusCode::OK, encoding, bytes),
            Ok(Err(reason)) => status_reply(StatusCode::BAD_REQUEST, encoding, INVALID_ARGUMENT, &reason),
            // the runtime is shutting down (or recording panicked)
            Err(_) => refused_reply(Refused::Busy, encoding, self.limit),
        }
    }
}

/// Decodes a request body, records it, and encodes the response.
fn record(receiver: &Receiver, signal: Signal, encoding: Encoding, body: &[u8]) -> Result<Vec<u8>, String> {
    match signal {
        Signal::Traces => decode::<ExportTraceServiceRequest>(encoding, body)
            .map(|request| encoding.encode(&receiver.traces(&request))),
        Signal::Logs => decode::<ExportLogsServiceRequest>(encoding, body)
            .map(|request| encoding.encode(&receiver.logs(&request))),
        Signal::Metrics => decode::<ExportMetricsServiceRequest>(encoding, body)
            .map(|request| encoding.encode(&receiver.metrics(&request))),
    }
}

fn decode<M: OtlpMessage>(encoding: Encoding, body: &[u8]) -> Result<M, String> {
    encoding.decode(body).map_err(|err| err.to_string())
}

/// Reads the body up to `limit` bytes within `deadline`, then inflates it
/// if `gzip`, never holding more than `limit` inflated bytes.
async fn read_body<B>(body: B, limit: u64, deadline: Duration, gzip: bool) -> Result<Vec<u8>, Refused>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let collected = match tokio::time::timeout(deadline, Limited::new(body, cap).collect()).await {
        Err(_) => return Err(Refused::TimedOut),
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => return Err(Refused::TooLarge),
        Ok(Err(err)) => return Err(Refused::Unreadable(format!("reading the body failed: {err}"))),
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    if !gzip {
        return Ok(collected.to_vec());
    }
    bounded_read(MultiGzDecoder::new(&collected[..]), limit)
}

/// Reads `reader` to its end, or refuses once it yields more than `limit`
/// bytes: at most `limit + 1` bytes are ever held.
fn bounded_read(reader: impl Read, limit: u64) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|err| Refused::Unreadable(format!("the gzip body is corrupt: {err}")))?;
    if out.len() as u64 > limit {
        return Err(Refused::TooLarge);
    }
    Ok(out)
}

fn refused_reply(refused: Refused, encoding: Encoding, limit: u64) -> Reply {
    let mut reply = match refused {
        Refused::TooLarge => {
            let message = format!("the body is larger than {limit} bytes (after decompression too)");
            status_reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                encoding,
                RESOURCE_EXHAUSTED,
                &message,
            )
        }
        Refused::Unreadable(message) => {
            status_reply(StatusCode::BAD_REQUEST, encoding, INVALID_ARGUMENT, &message)
        }
        Refused::TimedOut => {
            let message = "the body did not arrive in time";
            status_reply(StatusCode::REQUEST_TIMEOUT, encoding, DEADLINE_EXCEEDED, message)
        }
        Refused::Busy => {
            let message = format!("{MAX_INGEST_IN_FLIGHT} OTLP requests are being recorded already; retry");
            let mut reply = status_reply(StatusCode::SERVICE_UNAVAILABLE, encoding, UNAVAILABLE, &message);
            reply
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            reply
        }
    };
    // the rest of the body may still be on its way: do not read it
    reply
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    reply
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A `google.rpc.Status` body in `encoding`.
fn status_reply(status: StatusCode, encoding: Encoding, code: i32, message: &str) -> Reply {
    let body = RpcStatus {
        code,
        message: message.to_owned(),
    };
    let bytes = match encoding {
        Encoding::Protobuf => prost::Message::encode_to_vec(&body),
        Encoding::Json => serde_json::to_vec(&body).unwrap_or_default(),
    };
    bytes_reply(status, encoding, bytes)
}

fn bytes_reply(status: StatusCode, encoding: Encoding, bytes: Vec<u8>) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(bytes)));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn read(body: Vec<u8>, limit: u64, gzip: bool) -> Result<Vec<u8>, Refused> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(read_body(
            Full::new(Bytes::from(body)),
            limit,
            Duration::from_secs(5),
            gzip,
        ))
    }

    #[test]
    fn bodies_and_inflated_bodies_are_bounded() {
        assert_eq!(read(vec![7; 100], 100, false).ok(), Some(vec![7; 100]));
        assert!(matches!(read(vec![7; 101], 100, false), Err(Refused::TooLarge)));
        assert_eq!(read(gzip(&[7; 100]), 100, true).ok(), Some(vec![7; 100]));
        // a small body inflating past the limit: refused after limit + 1 bytes
        let bomb = gzip(&vec![0; 10 * 1024 * 1024]);
        assert!(bomb.len() < 20 * 1024, "{}", bomb.len());
        assert!(matches!(read(bomb, 1024 * 1024, true), Err(Refused::TooLarge)));
        assert!(matches!(
            read(b"not gzip".to_vec(), 100, true),
            Err(Refused::Unreadable(_))
        ));
    }

    #[test]
    fn an_endless_stream_is_cut_off_after_the_limit() {
        assert!(matches!(
            bounded_read(std::io::repeat(0), 1024),
            Err(Refused::TooLarge)
        ));
        assert_eq!(bounded_read(&[1u8, 2][..], 2).ok(), Some(vec![1, 2]));
    }

    #[test]
    fn paths_name_the_signals() {
        assert_eq!(Signal::from_path("/v1/traces"), Some(Signal::Traces));
        assert_eq!(Signal::from_path("/v1/logs"), Some(Signal::Logs));
        assert_eq!(Signal::from_path("/v1/metrics"), Some(Signal::Metrics));
        assert_eq!(Signal::from_path("/v1/traces/"), None);
    }
}
