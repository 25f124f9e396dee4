//! The HTTP notifiers against a local receiver: payloads, retries with
//! backoff, no retry on client errors, and the container's counts.

mod notify_support;

use std::time::{Duration, Instant};

use notify_support::Receiver;
use observa::alerts::notify::{
    Notification, Notifier, NotifyError, RetryPolicy, SlackNotifier, WebhookNotifier,
};
use observa::metrics::Format;
use observa::{Alert, AlertSeverity, Observability};

fn quick_retries() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(20), Duration::from_millis(80))
}

fn disk_full() -> Notification {
    let alert = Alert::builder("Disk full", "/var at 97%", AlertSeverity::High)
        .label("mount", "/var")
        .build()
        .unwrap();
    Notification::new(alert)
}

fn webhook(receiver: &Receiver) -> WebhookNotifier {
    WebhookNotifier::new(&receiver.url("/hook"))
        .unwrap()
        .retry(quick_retries())
}

#[test]
fn a_webhook_posts_the_alert_as_json() {
    let receiver = Receiver::start(&[]);
    webhook(&receiver).deliver(&disk_full()).unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].method.as_str(), got[0].path.as_str()), ("POST", "/hook"));
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    let body = got[0].json();
    assert_eq!(body["status"], "firing");
    assert_eq!(body["alert"]["title"], "Disk full");
    assert_eq!(body["alert"]["labels"]["mount"], "/var");
}

#[test]
fn server_errors_and_429_are_retried_with_backoff() {
    for first in [500, 503, 429] {
        let receiver = Receiver::start(&[first]);
        let started = Instant::now();
        webhook(&receiver).deliver(&disk_full()).unwrap();
        assert_eq!(receiver.received().len(), 2, "HTTP {first} then 200");
        // the first wait is at least half of the first delay
        assert!(started.elapsed() >= Duration::from_millis(10));
    }
}

#[test]
fn client_errors_are_not_retried() {
    let receiver = Receiver::start(&[400]);
    let err = webhook(&receiver).deliver(&disk_full()).unwrap_err();
    assert!(matches!(err, NotifyError::Status { status: 400, .. }), "{err}");
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn attempts_are_bounded() {
    let receiver = Receiver::start(&[503; 10]);
    let err = webhook(&receiver).deliver(&disk_full()).unwrap_err();
    assert!(matches!(err, NotifyError::Status { status: 503, .. }), "{err}");
    assert_eq!(receiver.received().len(), 3);
}

#[test]
fn an_unreachable_receiver_is_a_transport_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hook = WebhookNotifier::new(&format!("http://127.0.0.1:{port}/hook"))
        .unwrap()
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(2));
    let mut hook = hook;
    let err = hook.deliver(&disk_full()).unwrap_err();
    assert!(matches!(err, NotifyError::Transport { .. }), "{err}");
    assert!(err.is_retryable());
}

#[test]
fn a_receiver_that_never_answers_times_out() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    // accepts connections (the backlog does) and never reads or answers
    let mut hook = WebhookNotifier::new(&url)
        .unwrap()
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = hook.deliver(&disk_full()).unwrap_err();
    assert!(matches!(err, NotifyError::Transport { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(silent);
}

#[test]
fn the_container_sends_slack_payloads_and_counts_outcomes() {
    let receiver = Receiver::start(&[]);
    let failing = Receiver::start(&[404, 404]);
    let obs = Observability::builder()
        .service("shop", "1.0")
        .notifier(SlackNotifier::new(&receiver.url("/slack")).unwrap())
        .notifier(
            WebhookNotifier::new(&failing.url("/gone"))
                .unwrap()
                .named("broken"),
        )
        .build()
        .unwrap();
    let raised = obs.alerts().raise(disk_full().alert().clone()).unwrap();
    obs.alerts().resolve(raised.alert.id()).unwrap();
    assert!(obs.flush(Duration::from_secs(10)));
    let texts: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.json()["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        texts,
        ["[FIRING] Disk full (high)", "[RESOLVED] Disk full (high)"]
    );
    let broken = obs
        .alerts()
        .notifications()
        .unwrap()
        .last_error("broken")
        .unwrap();
    assert!(broken.contains("answered HTTP 404"), "{broken}");
    let text = obs.render(Format::Prometheus).unwrap();
    assert!(
        text.contains("observa_notifications_total{notifier=\"slack\",result=\"sent\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("observa_notifications_total{notifier=\"broken\",result=\"failed\"} 2\n"),
        "{text}"
    );
}
