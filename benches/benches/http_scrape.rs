//! `/metrics` of a 10,000-series registry (100 counter families × 100 values
//! of one label) scraped by 16 concurrent keep-alive clients, observa's
//! endpoint next to metrics-exporter-prometheus's HTTP listener.
//!
//! Each server runs in its own child process (this binary re-executed), so
//! the threads and resident memory reported are that server's alone. The
//! parent drives the load over loopback: 16 threads, one HTTP/1.1 keep-alive
//! connection each, for a 1 s warm-up then a measured window. Reported:
//! requests/s, latency p50 / p99 / max (request written → whole body read),
//! the longest gap between two answers on one connection, and the child's
//! threads and RSS read from `/proc/<pid>/status` at the end of the window.
//!
//! `cargo bench -p observa-benches --bench http_scrape` (`HTTP_SCRAPE_SECS`
//! sets the measured window, default 5).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FAMILIES: usize = 100;
const VALUES: usize = 100;
const CLIENTS: usize = 16;
const ROLE: &str = "HTTP_SCRAPE_SERVER";

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("observa") => serve_observa(),
        Ok("metrics-exporter-prometheus") => serve_peer(),
        _ => compare(),
    }
}

fn serve_observa() {
    let obs = observa::Observability::builder()
        .service("bench", "1")
        .series_budget(VALUES + 1)
        .build()
        .unwrap();
    for f in 0..FAMILIES {
        let family = obs
            .metrics()
            .counter_family(
                observa::metrics::FamilySpec::new(format!("family_{f:03}_total"))
                    .help("A benchmark family.")
                    .labels(&["value"]),
            )
            .unwrap();
        for v in 0..VALUES {
            family.with_label_values(&[&format!("v{v:03}")]).unwrap().inc();
        }
    }
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    announce(server.local_addr());
}

fn serve_peer() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .unwrap();
    for f in 0..FAMILIES {
        let name = format!("family_{f:03}_total");
        metrics::describe_counter!(name.clone(), "A benchmark family.");
        for v in 0..VALUES {
            metrics::counter!(name.clone(), "value" => format!("v{v:03}")).increment(1);
        }
    }
    announce(addr);
}

/// Prints the address for the parent, then serves until stdin closes.
fn announce(addr: SocketAddr) {
    println!("{addr}");
    std::io::stdout().flush().unwrap();
    let mut rest = String::new();
    let _ = std::io::stdin().read_to_string(&mut rest);
}

struct Figures {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    longest_gap: Duration,
    body_bytes: usize,
    threads: String,
    rss: String,
}

fn compare() {
    let window = Duration::from_secs(
        std::env::var("HTTP_SCRAPE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    );
    println!(
        "/metrics, {} series, {CLIENTS} keep-alive clients, {window:?} measured",
        FAMILIES * VALUES
    );
    println!(
        "| server | requests/s | p50 | p99 | max | longest gap | body | threads | RSS |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for role in ["observa", "metrics-exporter-prometheus"] {
        let f = measure(role, window);
        println!(
            "| {role} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {} B | {} | {} |",
            f.requests_per_second,
            ms(f.p50),
            ms(f.p99),
            ms(f.max),
            ms(f.longest_gap),
            f.body_bytes,
            f.threads,
            f.rss
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn measure(role: &str, window: Duration) -> Figures {
    let mut child: Child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line.trim().parse().unwrap();
    let body_bytes = scrape_once(addr);

    let warm_up = Duration::from_secs(1);
    let start = Instant::now() + warm_up;
    let end = start + window;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| std::thread::spawn(move || client(addr, start, end)))
        .collect();
    std::thread::sleep(warm_up + window - Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (threads, rss) = (field("Threads:"), field("VmRSS:"));
    let mut latencies = Vec::new();
    let mut longest_gap = Duration::ZERO;
    for client in clients {
        let (samples, gap) = client.join().unwrap();
        latencies.extend(samples);
        longest_gap = longest_gap.max(gap);
    }
    drop(child.stdin.take());
    let _ = child.wait();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        requests_per_second: latencies.len() as f64 / window.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
        max: *latencies.last().unwrap(),
        longest_gap,
        body_bytes,
        threads,
        rss,
    }
}

fn scrape_once(addr: SocketAddr) -> usize {
    let stream = TcpStream::connect(addr).unwrap();
    let mut reader = BufReader::new(stream);
    request(&mut reader)
}

/// One keep-alive connection: scrapes until `end`, keeping the latencies of
/// requests that started inside the measured window, and the longest time
/// between two answers.
fn client(addr: SocketAddr, start: Instant, end: Instant) -> (Vec<Duration>, Duration) {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut samples = Vec::new();
    let mut longest_gap = Duration::ZERO;
    let mut last = Instant::now();
    loop {
        let sent = Instant::now();
        if sent >= end {
            return (samples, longest_gap);
        }
        request(&mut reader);
        let done = Instant::now();
        if sent >= start {
            samples.push(done - sent);
            longest_gap = longest_gap.max(done - last);
        }
        last = done;
    }
}

/// Writes a `GET /metrics` and reads the whole response; returns the body length.
fn request(reader: &mut BufReader<TcpStream>) -> usize {
    reader
        .get_mut()
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n")
        .unwrap();
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "connection closed");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let length: usize = length.expect("a Content-Length");
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    length
}
