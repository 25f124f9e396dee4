//! The Alertmanager notifier against a real Alertmanager started on
//! 127.0.0.1: alerts are read back from `GET /api/v2/alerts`, and a webhook
//! receiver configured in Alertmanager gets the firing and the resolved
//! notification.

mod common;
mod notify_support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use notify_support::Receiver;
use observa::alerts::notify::{AlertmanagerNotifier, Outcome};
use observa::{Alert, AlertSeverity, Observability};
use serde_json::Value;

/// A running Alertmanager; killed on drop.
struct Alertmanager {
    child: Child,
    base: String,
    _dir: TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(hook: &str) -> String {
    format!(
        "route:\n  receiver: test\n  group_by: ['alertname']\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n\
         receivers:\n  - name: test\n    webhook_configs:\n      - url: '{hook}'\n        send_resolved: true\n"
    )
}

fn get_json(url: &str) -> Option<Value> {
    let mut response = ureq::get(url).call().ok()?;
    serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
}

fn start(binary: &Path, hook: &str) -> Alertmanager {
    let dir = std::env::temp_dir().join(format!("observa-am-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let config_file = dir.join("alertmanager.yml");
    std::fs::write(&config_file, config(hook)).unwrap();
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("--config.file={}", config_file.display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("alertmanager starts");
    let am = Alertmanager {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: TempDir(dir),
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while ureq::get(&format!("{}/-/ready", am.base)).call().is_err() {
        assert!(Instant::now() < deadline, "alertmanager did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    am
}

/// The alerts Alertmanager holds with `alertname`.
fn alerts_named(am: &Alertmanager, name: &str) -> Vec<Value> {
    let all = get_json(&format!("{}/api/v2/alerts", am.base)).unwrap_or(Value::Null);
    let list = all.as_array().cloned().unwrap_or_default();
    list.into_iter()
        .filter(|a| a["labels"]["alertname"] == name)
        .collect()
}

/// Whether a webhook from Alertmanager says `alertname` has `status`.
fn hook_says(body: &Value, name: &str, status: &str) -> bool {
    body["alerts"].as_array().is_some_and(|alerts| {
        alerts
            .iter()
            .any(|a| a["labels"]["alertname"] == name && a["status"] == status)
    })
}

#[test]
fn alertmanager_receives_fires_and_resolves_our_alerts() {
    let Some(binary) = common::peer("prometheus-alertmanager") else {
        return;
    };
    let hook = Receiver::start(&[]);
    let am = start(&binary, &hook.url("/hook"));
    let obs = Observability::builder()
        .service("shop", "1.0")
        .notifier(
            AlertmanagerNotifier::new(&am.base)
                .unwrap()
                .resend_every(Duration::from_millis(300))
                .generator_url("http://shop.test/alerts"),
        )
        .build()
        .unwrap();
    let alert = Alert::builder("DiskFull", "/var at 97%", AlertSeverity::Critical)
        .label("mount", "/var")
        .annotation("runbook", "https://runbooks.test/disk")
        .build()
        .unwrap();
    let raised = obs.alerts().raise(alert).unwrap();
    assert!(obs.flush(Duration::from_secs(10)));

    let held = alerts_named(&am, "DiskFull");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["labels"]["mount"], "/var");
    assert_eq!(held[0]["labels"]["severity"], "critical");
    assert_eq!(held[0]["annotations"]["description"], "/var at 97%");
    assert_eq!(held[0]["annotations"]["runbook"], "https://runbooks.test/disk");
    assert_eq!(held[0]["generatorURL"], "http://shop.test/alerts");
    assert_eq!(held[0]["status"]["state"], "active");

    let firing = hook.wait_for(Duration::from_secs(10), |r| {
        hook_says(&r.json(), "DiskFull", "firing")
    });
    assert!(firing.is_some(), "no firing webhook: {:?}", hook.received());

    // while it fires, the notifier re-sends it
    let notifications = obs.alerts().notifications().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while notifications.count("alertmanager", Outcome::Resent) == 0 {
        assert!(Instant::now() < deadline, "no re-send while firing");
        std::thread::sleep(Duration::from_millis(50));
    }

    obs.alerts().resolve(raised.alert.id()).unwrap();
    assert!(obs.flush(Duration::from_secs(10)));
    let resolved = hook.wait_for(Duration::from_secs(10), |r| {
        hook_says(&r.json(), "DiskFull", "resolved")
    });
    assert!(resolved.is_some(), "no resolved webhook: {:?}", hook.received());
    // the end Alertmanager reports is the resolution's, not an expiry
    let body = resolved.unwrap().json();
    let ends_at: chrono::DateTime<chrono::Utc> =
        body["alerts"][0]["endsAt"].as_str().unwrap().parse().unwrap();
    let our_end = obs.alerts().get(raised.alert.id()).unwrap().ends_at().unwrap();
    assert!(
        (ends_at - our_end).num_milliseconds().abs() <= 1,
        "{ends_at} vs {our_end}"
    );
    assert_eq!(notifications.count("alertmanager", Outcome::Sent), 2);
    assert_eq!(notifications.count("alertmanager", Outcome::Failed), 0);
}
