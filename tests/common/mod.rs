//! Shared helpers for the integration tests: finding real peer tools, and a
//! registry that exercises every instrument kind.
#![allow(dead_code)]

use std::io::Write;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use observa::metrics::{Buckets, FamilySpec};
use observa::prelude::*;

/// The path of `tool` on PATH. Missing locally: prints why the test is
/// skipped and returns `None`. Missing with `CI` set: fails the test.
pub fn peer(tool: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: {tool} not found on PATH (CI installs it; see .ci/run)");
    }
    found
}

/// Whether `python3` can import the `prometheus_client` package; same skip rules as [`peer`].
pub fn python_prometheus_client() -> Option<PathBuf> {
    let python = peer("python3")?;
    let ok = Command::new(&python)
        .args(["-c", "import prometheus_client.openmetrics.parser"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python prometheus-client is required in CI"
        );
        eprintln!("skipped: python3 cannot import prometheus_client (pip install prometheus-client)");
        return None;
    }
    Some(python)
}

/// Runs `program args` with `input` on stdin; returns (exit code, stdout, stderr).
pub fn run_with_stdin(program: &PathBuf, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("peer tool starts");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A container whose registry holds every instrument kind, help and label
/// values that need escaping, a unit, an overflow series, an entity-fed
/// family and a monitored function.
pub fn exercised_registry() -> Observability {
    let obs = Observability::builder()
        .service("exposition", "1.0")
        .series_budget(3)
        .build()
        .unwrap();
    let metrics = obs.metrics();
    let requests = metrics
        .counter_family(
            FamilySpec::new("http_requests_total")
                .help("HTTP requests served, by method and code.")
                .labels(&["method", "code"]),
        )
        .unwrap();
    for (method, code) in [("GET", "200"), ("POST", "500"), ("PUT", "201"), ("DELETE", "404")] {
        requests.with_label_values(&[method, code]).unwrap().inc(); // the 4th overflows
    }
    metrics
        .gauge_family(
            FamilySpec::new("queue_depth")
                .help("Items waiting.\nPer \"queue\" \\ live.")
                .labels(&["queue"]),
        )
        .unwrap()
        .with_label_values(&["we\"ird\\name\nwith newline"])
        .unwrap()
        .set(-7.5);
    let latency = metrics
        .histogram_family(
            FamilySpec::new("request_duration_seconds")
                .help("Request latency.")
                .unit("seconds")
                .labels(&["route"])
                .buckets(Buckets::new(vec![0.01, 0.1, 1.0]).unwrap()),
        )
        .unwrap();
    for value in [0.005, 0.05, 0.5, 5.0] {
        latency.with_label_values(&["/orders"]).unwrap().observe(value);
    }
    metrics.counter("sent_bytes_total", &[]).unwrap().inc_by(1024.5);
    metrics
        .record(&Metric::new("response_time_seconds", 0.15, "seconds").unwrap())
        .unwrap();
    let monitor = obs.monitor_in("shop::orders", "checkout");
    monitor.run(|| ());
    let _ = monitor.run_result(|| Err::<(), _>("declined"));
    obs
}

/// A response read by [`http_get`].
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.0 GET on loopback, with extra request headers.
pub fn http_get(addr: std::net::SocketAddr, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Drives a future to completion on this thread (busy-polling; tests only).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
