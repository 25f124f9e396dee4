//! A real Prometheus server (Debian's `prometheus` package) scrapes the
//! endpoint on 127.0.0.1, and a monitored function's series is read back
//! through Prometheus' query API. Skips locally without `prometheus`;
//! fails in CI.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, http_get, peer};
use observa::Observability;

struct Server(Child, PathBuf);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn start_prometheus(binary: &PathBuf, target: std::net::SocketAddr) -> (Server, std::net::SocketAddr) {
    let dir = std::env::temp_dir().join(format!("observa-prometheus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: observa\n    \
         static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let web: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let child = Command::new(binary)
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address={web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    (Server(child, dir), web)
}

/// Runs an instant query until it returns a sample, or gives up after `limit`.
fn query_until_found(web: std::net::SocketAddr, query: &str, limit: Duration) -> Option<serde_json::Value> {
    let path = format!("/api/v1/query?query={}", encode(query));
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(web).is_ok() {
            let response = http_get(web, &path, &[]);
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&response.body) {
                if let Some(first) = json["data"]["result"].as_array().and_then(|r| r.first()) {
                    return Some(first.clone());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    None
}

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn prometheus_scrapes_a_monitored_function() {
    let Some(binary) = peer("prometheus") else { return };
    let obs = Observability::builder()
        .service("scraped", "1.0")
        .build()
        .unwrap();
    let monitor = obs.monitor_in("shop", "checkout");
    for i in 0..7 {
        let _ = monitor.run_result(|| if i % 3 == 0 { Err("declined") } else { Ok(i) });
    }
    let endpoint = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let (_prometheus, web) = start_prometheus(&binary, endpoint.local_addr());

    let limit = Duration::from_secs(60);
    let ok = query_until_found(
        web,
        r#"function_calls_total{job="observa",function="checkout",result="ok"}"#,
        limit,
    )
    .expect("Prometheus never returned the series");
    assert_eq!(ok["metric"]["module"], "shop");
    assert_eq!(ok["value"][1], "4");
    let errors = query_until_found(
        web,
        r#"function_calls_total{function="checkout",result="error"}"#,
        limit,
    )
    .unwrap();
    assert_eq!(errors["value"][1], "3");
    let count = query_until_found(
        web,
        r#"function_calls_duration_seconds_count{function="checkout"}"#,
        limit,
    )
    .unwrap();
    assert_eq!(count["value"][1], "7");
    let up = query_until_found(web, r#"up{job="observa"}"#, limit).unwrap();
    assert_eq!(up["value"][1], "1");
    endpoint.shutdown();
}
