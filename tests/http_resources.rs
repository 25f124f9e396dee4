//! Threads, descriptors and the port: what the endpoint holds on to. The
//! tests count this process's threads and descriptors, so they run one at a
//! time.
#![cfg(target_os = "linux")]

mod http_support;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use http_support::{descriptors, eventually, exchange, status_of, threads, timed_get};
use observa::Observability;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn obs() -> Observability {
    let obs = Observability::builder().service("counted", "1").build().unwrap();
    obs.metrics().counter("requests_total", &[]).unwrap().inc();
    obs
}

#[test]
fn idle_connections_cost_no_threads() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let obs = obs();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    assert_eq!(timed_get(addr, "/livez", "", Duration::from_secs(2)).0, 200);
    let before = threads();
    let idle: Vec<TcpStream> = (0..500).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200)); // let the server accept them all
    let during = threads();
    assert!(
        during < before + 8,
        "{before} threads before, {during} with 500 idle connections"
    );
    let (status, took) = timed_get(addr, "/metrics", "", Duration::from_secs(2));
    assert_eq!(status, 200, "scrape after {took:?}");
    drop(idle);
}

#[test]
fn http2_attempts_leak_no_thread_or_descriptor() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let obs = obs();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    assert_eq!(timed_get(addr, "/livez", "", Duration::from_secs(2)).0, 200);
    let (threads_before, fds_before) = (threads(), descriptors());
    for _ in 0..20 {
        let (_, closed) = exchange(addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Duration::from_secs(2));
        assert!(closed, "the HTTP/2 preface is closed");
        let (response, closed) = exchange(
            addr,
            b"GET /livez HTTP/2.0\r\nHost: t\r\n\r\n",
            Duration::from_secs(2),
        );
        assert!(closed, "an HTTP/2.0 request line is closed");
        assert!(
            matches!(status_of(&response), 0 | 400 | 505),
            "HTTP/2.0 is not served: {response}"
        );
    }
    let settled = eventually(Duration::from_secs(2), || descriptors() <= fds_before + 2);
    assert!(
        settled,
        "{fds_before} descriptors before, {} after",
        descriptors()
    );
    assert!(
        threads() <= threads_before + 1,
        "{threads_before} threads before, {} after",
        threads()
    );
    assert_eq!(timed_get(addr, "/livez", "", Duration::from_secs(2)).0, 200);
}

#[test]
fn the_port_is_closed_when_shutdown_returns() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let obs = obs();
    for _ in 0..5 {
        let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
        let addr = server.local_addr();
        // a connection open at shutdown, mid-request
        let mut open = TcpStream::connect(addr).unwrap();
        open.write_all(b"GET /livez HTTP/1.1\r\n").unwrap();
        let threads_serving = threads();
        server.shutdown();
        assert!(
            TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
            "{addr} still accepts after shutdown"
        );
        assert!(threads() < threads_serving, "the serving thread has ended");
        drop(open);
    }
}
