//! Raw-socket helpers for the HTTP endpoint tests: requests written byte for
//! byte, latency, and the process's thread and descriptor counts.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use observa::health::{CheckOptions, ProbeReport};
use observa::metrics::FamilySpec;
use observa::Observability;

/// Writes `request` and reads until the server closes or `limit` passes.
/// Returns what arrived (lossy UTF-8) and whether the server closed.
pub fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> (String, bool) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let _ = stream.write_all(request);
    read_until_closed(&mut stream, limit)
}

/// Reads until EOF (or a reset) or `limit`; returns the text and whether it closed.
pub fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let deadline = Instant::now() + limit;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (String::from_utf8_lossy(&raw).into_owned(), false);
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return (String::from_utf8_lossy(&raw).into_owned(), true),
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return (String::from_utf8_lossy(&raw).into_owned(), false)
            }
            Err(_) => return (String::from_utf8_lossy(&raw).into_owned(), true),
        }
    }
}

/// The status code of a raw response, 0 when there is none.
pub fn status_of(response: &str) -> u16 {
    response
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `GET path` over HTTP/1.0 with extra headers; the status (0 when no answer
/// came within `limit`) and how long it took.
pub fn timed_get(addr: SocketAddr, path: &str, headers: &str, limit: Duration) -> (u16, Duration) {
    let start = Instant::now();
    let request = format!("GET {path} HTTP/1.0\r\nHost: test\r\n{headers}\r\n");
    let (response, _) = exchange(addr, request.as_bytes(), limit);
    (status_of(&response), start.elapsed())
}

/// The median of `samples`.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Threads of this process.
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Open descriptors of this process.
pub fn descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Polls `condition` every 10 ms until it holds or `limit` passes.
pub fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A registry whose text exposition is at least `bytes` long.
pub fn registry_of_size(bytes: usize) -> Observability {
    // long label values: few series, so building and rendering stay quick
    let padding = "x".repeat(1000);
    let per_series = padding.len() + 60;
    let series = bytes / per_series + 1;
    let obs = Observability::builder()
        .service("big", "1")
        .series_budget(series + 10)
        .build()
        .unwrap();
    let family = obs
        .metrics()
        .counter_family(FamilySpec::new("padded_requests_total").labels(&["route", "instance"]))
        .unwrap();
    for i in 0..series {
        let route = format!("/{padding}/{i:08}");
        family
            .with_label_values(&[&route, "instance-0001"])
            .unwrap()
            .inc();
    }
    let size = obs.render(observa::metrics::Format::Prometheus).unwrap().len();
    assert!(size >= bytes, "{size} < {bytes}");
    obs
}

/// A client socket with a tiny receive buffer, connected to `addr`, so a
/// server writing to it blocks quickly once the client stops reading.
pub fn stalled_reader(addr: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    socket.into()
}

/// Registers a critical check `slow` that sleeps for `sleep` before
/// reporting healthy (its own timeout, 2 s, is longer).
pub fn register_slow_probe(obs: &Observability, sleep: Duration) {
    obs.health()
        .register_with(
            "slow",
            CheckOptions::critical().timeout(Duration::from_secs(2)),
            move || {
                std::thread::sleep(sleep);
                ProbeReport::healthy()
            },
        )
        .unwrap();
}
