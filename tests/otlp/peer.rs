//! Real OTLP peers on 127.0.0.1: the Python receiver on the official schema
//! (`tests/otlp/receiver.py`, PyPI `opentelemetry-proto`) and the `rotel`
//! collector (PyPI `rotel`). Missing peers skip locally with a printed
//! reason and fail under `CI`.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

fn skip(reason: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{reason} (required in CI, see .ci/run)"
    );
    eprintln!("skipped: {reason}");
}

/// Output of `python3 -c <code>`, when python3 runs it successfully.
fn python(code: &str) -> Option<String> {
    let out = Command::new("python3").args(["-c", code]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The receiver, decoding with the official generated messages.
pub struct Receiver {
    child: Child,
    pub port: u16,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    /// Starts it; the first `unavailable` requests get `503 Retry-After: 1`.
    pub fn start(unavailable: usize) -> Option<Receiver> {
        if python("import opentelemetry.proto.collector.trace.v1.trace_service_pb2").is_none() {
            skip("python3 cannot import opentelemetry.proto (pip install opentelemetry-proto)");
            return None;
        }
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/otlp/receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--unavailable", &unavailable.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the receiver");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let port = first
            .trim()
            .strip_prefix("PORT ")
            .expect("PORT line")
            .parse()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).expect("a JSON line"));
            }
        });
        Some(Receiver { child, port, lines })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The request lines for `path` once `done` holds for them (the lines
    /// are read on another thread, so they may trail the exporter's flush by
    /// a moment); the lines so far after 10 s.
    pub fn wait_for(&self, path: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let lines = self.requests(path);
            if done(&lines) || started.elapsed() > Duration::from_secs(10) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every request line so far for `path`.
    pub fn requests(&self, path: &str) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l["path"] == path)
            .cloned()
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `rotel` collector with an OTLP/HTTP receiver and a blackhole exporter.
pub struct Rotel {
    child: Child,
    pub port: u16,
}

impl Rotel {
    pub fn start() -> Option<Rotel> {
        let Some(dir) = python("import rotel, os; print(os.path.dirname(rotel.__file__))") else {
            skip("python3 cannot import rotel (pip install rotel)");
            return None;
        };
        let agent = PathBuf::from(dir).join("rotel-agent");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let grpc = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let tmp = std::env::temp_dir();
        let child = Command::new(agent)
            .args(["start", "--exporter", "blackhole"])
            .args(["--otlp-http-endpoint", &format!("127.0.0.1:{port}")])
            .args(["--otlp-grpc-endpoint", &format!("127.0.0.1:{grpc}")])
            .arg("--pid-file")
            .arg(tmp.join(format!("observa-rotel-{port}.pid")))
            .arg("--log-file")
            .arg(tmp.join(format!("observa-rotel-{port}.log")))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rotel-agent");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "rotel did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Rotel { child, port })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Rotel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
