//! `examples/w3c_service.rs` driven the way the W3C Trace Context test
//! harness drives a service: a request with trace headers and a list of
//! callbacks; the headers each callback receives are checked.
#![cfg(feature = "http")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use observa::propagation::TraceParent;

/// The example binary `cargo test` built next to this test's binary.
fn example_binary() -> PathBuf {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // deps/
    dir.pop(); // debug/
    dir.join("examples").join("w3c_service")
}

struct Service {
    child: Child,
    addr: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service() -> Service {
    let mut child = Command::new(example_binary())
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the w3c_service example starts (cargo test builds examples)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("first line names the address")
        .to_owned();
    Service { child, addr }
}

/// Headers of one HTTP request read from `stream` (names lowercased).
fn read_request(stream: &mut TcpStream) -> Vec<(String, String)> {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap(); // request line
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    headers
}

/// A callback server: every request's headers go to the returned channel.
fn harness() -> (String, mpsc::Receiver<Vec<(String, String)>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/callback", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let headers = read_request(&mut stream);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if sender.send(headers).is_err() {
                return;
            }
        }
    });
    (url, receiver)
}

/// POSTs to the service with raw `headers` (repeats allowed) and `callbacks` URLs.
fn drive(service: &Service, headers: &[(&str, &str)], callbacks: &[&str]) -> u16 {
    let body = serde_json::to_string(
        &callbacks
            .iter()
            .map(|url| serde_json::json!({"url": url, "arguments": []}))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let mut request = format!(
        "POST /test HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        service.addr,
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut stream = TcpStream::connect(&service.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

fn received(receiver: &mpsc::Receiver<Vec<(String, String)>>) -> (TraceParent, Vec<String>) {
    let headers = receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("a callback arrived");
    let parents: Vec<&String> = headers
        .iter()
        .filter(|(n, _)| n == "traceparent")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(parents.len(), 1, "exactly one traceparent: {headers:?}");
    let states = headers
        .iter()
        .filter(|(n, _)| n == "tracestate")
        .map(|(_, v)| v.clone())
        .collect();
    (parents[0].parse().expect("a valid traceparent"), states)
}

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

#[test]
fn a_valid_parent_is_continued_with_new_parent_ids() {
    let service = start_service();
    let (url, callbacks) = harness();
    let parent = format!("00-{TRACE}-b7ad6b7169203331-02");
    let status = drive(
        &service,
        &[
            ("TraceParent", &parent),
            ("tracestate", "foo=1"),
            ("tracestate", "bar=2"),
        ],
        &[&url, &url],
    );
    assert_eq!(status, 200);
    let (first, first_state) = received(&callbacks);
    let (second, _) = received(&callbacks);
    for sent in [first, second] {
        assert_eq!(sent.trace_id().to_string(), TRACE);
        assert_ne!(sent.parent_id().to_string(), "b7ad6b7169203331");
        assert_eq!(
            sent.flags().to_byte(),
            0x02,
            "the random flag is carried, unsampled stays unsampled"
        );
    }
    assert_ne!(first.parent_id(), second.parent_id(), "one span per callback");
    assert_eq!(first_state, ["foo=1,bar=2"]);
}

#[test]
fn an_invalid_or_repeated_parent_starts_a_new_trace_without_tracestate() {
    let service = start_service();
    let (url, callbacks) = harness();
    let upper = format!("00-{}-b7ad6b7169203331-01", TRACE.to_uppercase());
    let cases: [&[(&str, &str)]; 2] = [
        &[("traceparent", &upper), ("tracestate", "foo=1")],
        &[
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-01",
            ),
        ],
    ];
    for headers in cases {
        assert_eq!(drive(&service, headers, &[&url]), 200);
        let (sent, states) = received(&callbacks);
        assert_ne!(sent.trace_id().to_string(), TRACE);
        assert_ne!(sent.trace_id().to_string(), "0af7651916cd43dd8448eb211c80319d");
        assert!(
            states.is_empty(),
            "tracestate without a valid traceparent is dropped: {states:?}"
        );
    }
}

#[test]
fn a_body_that_is_not_a_list_is_a_bad_request() {
    let service = start_service();
    let mut stream = TcpStream::connect(&service.addr).unwrap();
    let body = "{\"url\": 1}";
    write!(
        stream,
        "POST /test HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
}
