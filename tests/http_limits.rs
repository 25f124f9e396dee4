//! The configurable limits of the endpoint, each hit on purpose.

mod http_support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use http_support::{
    eventually, exchange, read_until_closed, register_slow_probe, registry_of_size, stalled_reader,
    status_of, timed_get,
};
use observa::http::{HttpConfig, HttpServer};
use observa::Observability;

const ANSWER: Duration = Duration::from_secs(2);

fn obs() -> Observability {
    Observability::builder().service("limited", "1").build().unwrap()
}

fn start(obs: &Observability, config: HttpConfig) -> HttpServer {
    HttpServer::start(obs, config.bind("127.0.0.1:0")).unwrap()
}

#[test]
fn connections_beyond_the_cap_are_closed_and_service_recovers() {
    let obs = obs();
    let server = start(&obs, HttpConfig::default().max_connections(8));
    let addr = server.local_addr();
    let held: Vec<TcpStream> = (0..8).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(100));
    let (response, closed) = exchange(addr, b"GET /livez HTTP/1.0\r\n\r\n", ANSWER);
    assert!(closed && response.is_empty(), "over the cap: {response:?}");
    drop(held);
    let recovered = eventually(ANSWER, || timed_get(addr, "/livez", "", ANSWER).0 == 200);
    assert!(recovered, "serves again once connections close");
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    // larger than what loopback socket buffers absorb (4 MiB each way at most)
    let size = 5 << 20;
    let built = Instant::now();
    let obs = registry_of_size(size); // builds and renders once
    let render_bound = built.elapsed();
    let server = start(
        &obs,
        HttpConfig::default().write_timeout(Duration::from_millis(200)),
    );
    let mut stalled = stalled_reader(server.local_addr());
    stalled
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // well past the time to render plus the write timeout
    std::thread::sleep(render_bound + Duration::from_millis(800));
    socket2::SockRef::from(&stalled)
        .set_recv_buffer_size(8 << 20)
        .unwrap(); // read the rest quickly
    let (received, closed) = read_until_closed(&mut stalled, ANSWER);
    assert!(
        closed,
        "the server closed the connection ({} bytes)",
        received.len()
    );
    assert!(
        received.len() < size,
        "cut off before the end ({} bytes)",
        received.len()
    );
}

#[test]
fn slow_heads_and_idle_connections_are_closed() {
    let obs = obs();
    let config = HttpConfig::default()
        .header_read_timeout(Duration::from_millis(200))
        .idle_timeout(Duration::from_millis(300))
        .health_deadline(Duration::from_millis(100));
    let server = start(&obs, config);
    let addr = server.local_addr();
    for opening in [&b"GET /livez HTTP/1.1\r\nHost:"[..], b""] {
        let start = Instant::now();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(opening).unwrap();
        let (_, closed) = read_until_closed(&mut stream, ANSWER);
        assert!(closed, "closed after {:?}", start.elapsed());
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "not before the timeout"
        );
    }
}

#[test]
fn health_deadline_and_in_flight_bound_answer_503_with_a_reason() {
    let obs = obs();
    register_slow_probe(&obs, Duration::from_millis(600));
    let config = HttpConfig::default()
        .health_deadline(Duration::from_millis(100))
        .max_health_in_flight(1);
    let server = start(&obs, config);
    let addr = server.local_addr();
    let (late, _) = exchange(addr, b"GET /readyz HTTP/1.0\r\n\r\n", ANSWER);
    assert_eq!(status_of(&late), 503, "{late}");
    assert!(late.contains("did not finish within"), "{late}");
    // the first run still holds the only slot
    let (busy, _) = exchange(addr, b"GET /health HTTP/1.0\r\n\r\n", ANSWER);
    assert_eq!(status_of(&busy), 503, "{busy}");
    assert!(busy.contains("busy"), "{busy}");
    assert!(busy.contains("application/health+json"), "{busy}");
    assert_eq!(timed_get(addr, "/livez", "", ANSWER).0, 200);
}

#[test]
fn a_declared_body_within_the_limit_is_discarded() {
    let obs = obs();
    let server = start(&obs, HttpConfig::default().max_request_body(16));
    let addr = server.local_addr();
    let small = b"GET /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello";
    assert_eq!(status_of(&exchange(addr, small, ANSWER).0), 200);
    let large = b"GET /livez HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n";
    assert_eq!(status_of(&exchange(addr, large, ANSWER).0), 413);
}
