//! The alert service's de-duplication index is bounded and its losses are
//! counted in `observa_dropped_total{kind="alert_fingerprint",reason="capacity"}`.

use std::sync::Arc;

use observa::adapters::InMemoryRepository;
use observa::metrics::Format;
use observa::{Alert, AlertSeverity, Observability};

fn alert(title: &str) -> Alert {
    Alert::new(title, "needs attention", AlertSeverity::High).unwrap()
}

#[test]
fn open_alerts_pushed_out_of_the_index_are_counted_and_rendered() {
    const LIMIT: usize = 5;
    let obs = Observability::builder()
        .service("api", "1")
        .capacity(LIMIT)
        .alert_repository(Arc::new(InMemoryRepository::new(1_000)))
        .build()
        .unwrap();
    let first = obs.alerts().raise(alert("alert 0")).unwrap();
    for i in 1..LIMIT + 3 {
        obs.alerts().raise(alert(&format!("alert {i}"))).unwrap();
    }
    assert_eq!(obs.alerts().fingerprint_evictions(), 3);

    // The newest fingerprints are still de-duplicated; the pushed-out one is not.
    let newest = format!("alert {}", LIMIT + 2);
    assert!(obs.alerts().raise(alert(&newest)).unwrap().deduplicated);
    let again = obs.alerts().raise(alert("alert 0")).unwrap();
    assert!(!again.deduplicated);
    assert_ne!(again.alert.id(), first.alert.id());

    let text = obs.render(Format::Prometheus).unwrap();
    let expected = format!(
        "observa_dropped_total{{kind=\"alert_fingerprint\",reason=\"capacity\"}} {}\n",
        obs.alerts().fingerprint_evictions()
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn resolved_alerts_leave_the_index_without_counting() {
    let obs = Observability::builder()
        .service("api", "1")
        .capacity(2)
        .alert_repository(Arc::new(InMemoryRepository::new(100)))
        .build()
        .unwrap();
    for i in 0..50 {
        let raised = obs.alerts().raise(alert(&format!("flap {i}"))).unwrap();
        obs.alerts().resolve(raised.alert.id()).unwrap();
    }
    assert_eq!(obs.alerts().fingerprint_evictions(), 0);
}
