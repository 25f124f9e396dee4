//! The endpoint under hostile or broken clients, over real sockets on
//! 127.0.0.1: each case once stopped every endpoint or the whole process.

mod http_support;

use std::io::Write;
use std::time::{Duration, Instant};

use http_support::{
    exchange, median, register_slow_probe, registry_of_size, stalled_reader, status_of, timed_get,
};
use observa::Observability;

const ANSWER: Duration = Duration::from_secs(2);

fn obs() -> Observability {
    let obs = Observability::builder().service("attacked", "1").build().unwrap();
    obs.metrics().counter("requests_total", &[]).unwrap().inc();
    obs
}

#[test]
fn a_huge_content_length_is_refused_and_the_process_lives() {
    let obs = obs();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let request = b"GET /livez HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000000000\r\n\r\n";
    let (response, closed) = exchange(addr, request, ANSWER);
    assert_eq!(status_of(&response), 413, "{response}");
    assert!(closed, "the connection is closed after a 413");
    assert_eq!(timed_get(addr, "/livez", "", ANSWER).0, 200);
    assert_eq!(timed_get(addr, "/metrics", "", ANSWER).0, 200);
}

#[test]
fn an_undelivered_body_holds_up_nothing() {
    let obs = obs();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    // declares a body and never sends it
    let mut holder = std::net::TcpStream::connect(addr).unwrap();
    holder
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 4096\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let mut latencies = Vec::new();
    for path in ["/metrics", "/livez", "/readyz", "/metrics", "/livez"] {
        let (status, took) = timed_get(addr, path, "", ANSWER);
        assert_eq!(status, 200, "{path} answered after {took:?}");
        latencies.push(took);
    }
    let typical = median(latencies);
    assert!(typical < Duration::from_millis(100), "median {typical:?}");
    let start = Instant::now();
    server.shutdown();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "shutdown took {:?}",
        start.elapsed()
    );
    drop(holder);
}

#[test]
fn a_client_that_never_reads_stops_nothing() {
    let obs = registry_of_size(5 << 20); // more than loopback socket buffers absorb
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let mut stalled = stalled_reader(addr);
    stalled
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200)); // the server is stuck writing to it by now
    for _ in 0..3 {
        let (status, took) = timed_get(addr, "/livez", "", ANSWER);
        assert_eq!(status, 200, "/livez after {took:?}");
    }
    let start = Instant::now();
    server.shutdown();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        start.elapsed()
    );
    drop(stalled);
}

#[test]
fn an_oversized_header_gets_431() {
    let obs = obs();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let padding = "x".repeat(64 * 1024);
    let request = format!("GET /livez HTTP/1.1\r\nHost: t\r\nX-Padding: {padding}\r\n\r\n");
    let (response, _) = exchange(server.local_addr(), request.as_bytes(), ANSWER);
    assert_eq!(status_of(&response), 431, "{response:.200}");
    assert_eq!(timed_get(server.local_addr(), "/livez", "", ANSWER).0, 200);
}

#[test]
fn a_slow_probe_does_not_delay_metrics_or_livez() {
    let obs = obs();
    register_slow_probe(&obs, Duration::from_millis(500));
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probers: Vec<_> = (0..4)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    timed_get(addr, "/readyz", "", Duration::from_secs(5));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut latencies = Vec::new();
    for path in ["/livez", "/metrics"].repeat(8) {
        let (status, took) = timed_get(addr, path, "", ANSWER);
        assert_eq!(status, 200, "{path} after {took:?}");
        latencies.push(took);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    probers.into_iter().for_each(|p| p.join().unwrap());
    let worst = *latencies.iter().max().unwrap();
    let typical = median(latencies);
    // a probe run takes 500 ms: a request that waited for one would show it
    assert!(typical < Duration::from_millis(100), "median {typical:?}");
    assert!(worst < Duration::from_millis(400), "worst {worst:?}");
}
