//! The opt-in global, in its own test binary (its own process) so no other
//! test sees it.

use observa::prelude::*;

#[test]
fn installed_global_stamps_free_function_alerts_and_logs() {
    let obs = Observability::builder()
        .service("billing", "2.0")
        .label("team", "core")
        .build()
        .unwrap();
    observa::install_global(obs.clone()).unwrap();
    let m = observa::create_metric("invoices_total", 1.0, "").unwrap();
    assert!(m.labels().is_empty(), "identity is exported once, on target_info");
    let alert = observa::create_alert("Late invoices", "12 overdue", "medium").unwrap();
    assert_eq!(alert.source(), "billing");
    let entry = observa::create_log_entry("success", "run finished").unwrap();
    assert_eq!(entry.target(), Some("billing"));
    let err = observa::install_global(obs).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(observa::global().unwrap().info().service, "billing");
}
