//! What the OTLP exporter benchmarks share: a minimal OTLP/HTTP sink on
//! 127.0.0.1, the resident set size, and the drop counters of a container.

#![allow(dead_code)] // each bench binary uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use observa::metrics::Format;
use observa::Observability;

/// An OTLP/HTTP receiver that reads each request and answers 200 with an
/// empty protobuf body (an `Export*ServiceResponse` without a partial
/// success), one thread per keep-alive connection. It counts requests and
/// body bytes, and decodes nothing, so the exporter is what is measured.
pub struct FastSink {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicU64>,
    pub bytes: Arc<AtomicU64>,
}

impl FastSink {
    /// Listens on an ephemeral port of 127.0.0.1 until the process ends.
    pub fn start() -> FastSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let (r, b) = (Arc::clone(&requests), Arc::clone(&bytes));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, b) = (Arc::clone(&r), Arc::clone(&b));
                std::thread::spawn(move || serve(stream, &r, &b));
            }
        });
        FastSink {
            addr,
            requests,
            bytes,
        }
    }

    /// The base endpoint to give the exporter.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Answers every request of one connection until it closes or stalls.
fn serve(stream: TcpStream, requests: &AtomicU64, bytes: &AtomicU64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    let mut body = Vec::new();
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        body.resize(length, 0);
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(length as u64, Ordering::Relaxed);
        let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}

/// A port of 127.0.0.1 nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().unwrap().port()
}

/// `VmRSS` of /proc/self/status, in KiB.
pub fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Every non-zero `observa_dropped_total{kind,reason}` of the container:
/// the sink queues' drops and the exporter's (`otlp_*` reasons).
pub fn dropped(obs: &Observability) -> Vec<String> {
    let text = obs.render(Format::Prometheus).unwrap();
    text.lines()
        .filter(|l| l.starts_with("observa_dropped_total") && !l.ends_with(" 0"))
        .map(str::to_owned)
        .collect()
}

/// The 1-minute load average, as /proc/loadavg gives it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A number from the environment, or `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
