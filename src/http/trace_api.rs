//! `GET /api/traces/{id}`: a stored trace as Jaeger JSON, the body of
//! Jaeger's query API, which its UI also opens from a file.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use super::routes::Reply;
use crate::domain::TraceId;
use crate::traces::TracingService;

/// The path prefix the trace id follows.
pub(crate) const TRACES_PREFIX: &str = "/api/traces/";

/// Answers `GET /api/traces/{id}`: 200 with the trace, 404 with a Jaeger
/// error body when the id is unreadable or no span of it is stored.
pub(crate) fn trace_reply(tracing: &TracingService, id: &str) -> Reply {
    let Some(trace_id) = parse_trace_id(id) else {
        return json_reply(
            StatusCode::NOT_FOUND,
            &error_body(404, "not a trace id: expected up to 32 hexadecimal digits"),
        );
    };
    match tracing.jaeger_json(trace_id) {
        Ok(body) => json_reply(StatusCode::OK, &body),
        Err(err) if err.code() == "not_found" => json_reply(
            StatusCode::NOT_FOUND,
            &error_body(404, &format!("trace {trace_id} not found")),
        ),
        Err(err) => json_reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            &error_body(500, &err.to_string()),
        ),
    }
}

/// A trace id as Jaeger accepts it: 1 to 32 hex digits in any case, shorter
/// ids (64-bit ones) padded with zeros on the left.
fn parse_trace_id(id: &str) -> Option<TraceId> {
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    format!("{:0>32}", id.to_ascii_lowercase()).parse().ok()
}

/// Jaeger's error shape: `{"data": null, "errors": [{"code", "msg"}]}`.
fn error_body(code: u16, msg: &str) -> Value {
    json!({ "data": null, "errors": [{ "code": code, "msg": msg }] })
}

fn json_reply(status: StatusCode, body: &Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    let headers = reply.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_any_case_and_short_ids_are_read_the_jaeger_way() {
        let full = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(parse_trace_id(full).unwrap().to_string(), full);
        assert_eq!(
            parse_trace_id(&full.to_ascii_uppercase()).unwrap().to_string(),
            full
        );
        assert_eq!(
            parse_trace_id("a3ce929d0e0e4736").unwrap().to_string(),
            "0000000000000000a3ce929d0e0e4736"
        );
        for bad in ["", "xyz", "0", &format!("{full}0"), "4bf92f35-7b34", "../etc"] {
            assert!(parse_trace_id(bad).is_none(), "{bad}");
        }
    }
}
