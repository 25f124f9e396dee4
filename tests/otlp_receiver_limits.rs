//! OTLP/HTTP ingestion refusals over real sockets: garbage, unknown types,
//! oversized bodies and zip bombs, the token, busy slots, random bodies.
#![cfg(feature = "otlp-receiver")]

mod otlp_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use observa::http::{HttpConfig, HttpServer};
use observa::Observability;
use otlp_support::{gzip, post, read_answer, server};
use proptest::prelude::*;

#[test]
fn garbage_gets_400_with_a_status_body_and_unknown_types_get_415() {
    let (_obs, server) = server(HttpConfig::default());
    let addr = server.local_addr();
    let garbage = post(
        addr,
        "/v1/traces",
        &[("Content-Type", "application/x-protobuf")],
        &[0xff; 64],
    );
    assert_eq!(garbage.status, 400);
    let status = decode_status_protobuf(&garbage.body);
    assert_eq!(status.0, 3);
    assert!(!status.1.is_empty());

    let json = post(
        addr,
        "/v1/logs",
        &[("Content-Type", "application/json")],
        b"{\"resourceLogs\": 7}",
    );
    assert_eq!(json.status, 400);
    let reason: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    assert_eq!(reason["code"], 3);
    assert!(
        reason["message"].as_str().unwrap().contains("otlp logs request"),
        "{reason}"
    );

    let corrupt_gzip = post(
        addr,
        "/v1/metrics",
        &[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
        b"not gzip at all",
    );
    assert_eq!(corrupt_gzip.status, 400);

    let text = post(addr, "/v1/traces", &[("Content-Type", "text/plain")], b"hello");
    assert_eq!(text.status, 415);
    let brotli = post(
        addr,
        "/v1/traces",
        &[("Content-Type", "application/json"), ("Content-Encoding", "br")],
        b"{}",
    );
    assert_eq!(brotli.status, 415);
}

/// `google.rpc.Status` fields 1 (code) and 2 (message), read by hand.
fn decode_status_protobuf(bytes: &[u8]) -> (u64, String) {
    let (mut code, mut message, mut i) = (0, String::new(), 0);
    while i < bytes.len() {
        let key = bytes[i];
        i += 1;
        match key {
            0x08 => {
                code = u64::from(bytes[i]);
                i += 1;
            }
            0x12 => {
                let len = usize::from(bytes[i]);
                message = String::from_utf8(bytes[i + 1..i + 1 + len].to_vec()).unwrap();
                i += 1 + len;
            }
            other => panic!("unexpected key {other:#x}"),
        }
    }
    (code, message)
}

#[test]
fn oversized_bodies_and_zip_bombs_get_413() {
    let limit = 64 * 1024;
    let (obs, server) = server(HttpConfig::default().max_otlp_body(limit));
    let addr = server.local_addr();
    let json = [("Content-Type", "application/json")];

    let declared = post(addr, "/v1/logs", &json, &vec![b' '; limit as usize + 1]);
    assert_eq!(declared.status, 413);
    assert_eq!(declared.header("connection"), Some("close"));

    // chunked, no declared length: refused once the limit is passed
    let mut chunked = Vec::new();
    for _ in 0..3 {
        chunked.extend_from_slice(format!("{:x}\r\n", limit / 2).as_bytes());
        chunked.extend(std::iter::repeat_n(b' ', (limit / 2) as usize));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = post(
        addr,
        "/v1/logs",
        &[json[0], ("Transfer-Encoding", "chunked")],
        &chunked,
    );
    assert_eq!(streamed.status, 413);

    // 64 MiB of zeros in about 64 KiB of gzip
    let bomb = gzip(&vec![0u8; 64 * 1024 * 1024]);
    assert!((bomb.len() as u64) < limit, "{}", bomb.len());
    let gz = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "gzip"),
    ];
    let exploded = post(addr, "/v1/traces", &gz, &bomb);
    assert_eq!(exploded.status, 413);
    assert!(obs.tracing().evictions().total() == 0 && obs.logs().recent(1).unwrap().is_empty());

    // a body just within the limit is fine
    let small = post(addr, "/v1/logs", &json, b"{}");
    assert_eq!(small.status, 200);
}

#[test]
fn the_receiver_needs_the_token_and_is_off_unless_enabled() {
    let (_obs, server) = server(HttpConfig::default().bearer_token("s3cret"));
    let addr = server.local_addr();
    let json = ("Content-Type", "application/json");
    assert_eq!(post(addr, "/v1/traces", &[json], b"{}").status, 401);
    let authorized = post(
        addr,
        "/v1/traces",
        &[json, ("Authorization", "Bearer s3cret")],
        b"{}",
    );
    assert_eq!(authorized.status, 200);

    let obs = Observability::builder().service("api", "1").build().unwrap();
    let plain = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let off = post(plain.local_addr(), "/v1/traces", &[json], b"{}");
    assert!(off.status == 404 || off.status == 405, "{}", off.status);
}

fn shared_server() -> &'static (Observability, HttpServer) {
    static SERVER: std::sync::OnceLock<(Observability, HttpServer)> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| server(HttpConfig::default().max_otlp_body(16 * 1024)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bodies_never_get_a_5xx(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        path in prop::sample::select(vec!["/v1/traces", "/v1/logs", "/v1/metrics"]),
        content_type in prop::sample::select(vec!["application/x-protobuf", "application/json"]),
        compress in any::<bool>(),
    ) {
        let (_, server) = shared_server();
        let body = if compress { gzip(&body) } else { body };
        let mut headers = vec![("Content-Type", content_type)];
        if compress {
            headers.push(("Content-Encoding", "gzip"));
        }
        let answer = post(server.local_addr(), path, &headers, &body);
        prop_assert!(answer.status == 200 || answer.status == 400, "{}", answer.status);
    }
}

#[test]
fn requests_beyond_the_ingest_slots_get_503_with_retry_after_and_the_slots_come_back() {
    let (_obs, server) = server(HttpConfig::default());
    let addr = server.local_addr();
    // each stalled upload holds a slot while its body trickles in
    let mut stalled = Vec::new();
    let busy = (0..32).find_map(|_| {
        let mut stream = TcpStream::connect(addr).unwrap();
        let head = "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
        stream.write_all(head.as_bytes()).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut first = [0u8; 12];
        match stream.read(&mut first) {
            Ok(n) if n > 0 => Some((String::from_utf8_lossy(&first[..n]).into_owned(), stream)),
            _ => {
                stalled.push(stream);
                None
            }
        }
    });
    let (status_line, mut refused) = busy.expect("some request is refused once every slot is taken");
    assert!(status_line.starts_with("HTTP/1.1 503"), "{status_line}");
    refused.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let answer = read_answer(&mut refused);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert!(!stalled.is_empty());
    drop(stalled);
    let json = [("Content-Type", "application/json")];
    let mut status = 0;
    for _ in 0..50 {
        status = post(addr, "/v1/logs", &json, b"{}").status;
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(status, 200, "the slots are released when the uploads go away");
}
