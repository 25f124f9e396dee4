//! A tour of the container on its in-memory defaults: create entities through
//! the factory, record them through the services, print what they report.
//!
//! Run with `make run` (or `cargo run --example demo`).

use observa::prelude::*;

fn main() -> Result<(), ObsError> {
    let obs = Observability::builder()
        .service("checkout", env!("CARGO_PKG_VERSION"))
        .environment("demo")
        .min_log_level(LogLevel::Info)
        .build()?;
    let factory = obs.factory();

    // Metrics: a counter, a gauge and some latency observations.
    for latency in [0.012, 0.030, 0.250, 0.041] {
        obs.metrics().record(&factory.metric("orders_total", 1.0, "")?)?;
        obs.metrics()
            .record(&factory.metric("checkout_duration_seconds", latency, "seconds")?)?;
    }
    obs.metrics()
        .record(&factory.metric("queue_depth", 17.0, "items")?)?;

    // A trace with one child span.
    let root = obs.tracing().start_trace("place_order")?;
    let charge = obs.tracing().start_span(&root, "charge_card")?;
    obs.tracing().finish(charge, SpanStatus::Ok)?;
    let root = obs.tracing().finish(root, SpanStatus::Ok)?;

    // Logs tied to the trace; the debug line is below the minimum level.
    let entry = LogEntry::builder(LogLevel::Info, "order placed")
        .field("order_id", 4711)
        .trace(root.trace_id(), Some(root.span_id()))
        .build()?;
    obs.logs().record(entry)?;
    obs.logs().log(LogLevel::Debug, "cache warm")?;

    // Health and alerts.
    obs.health()
        .record(factory.health_check("database", HealthStatus::Healthy, "ping 2 ms")?)?;
    obs.health()
        .record(factory.health_check("payments", HealthStatus::Unhealthy, "timeout")?)?;
    let alert = factory.alert(
        "Payments down",
        "payment gateway timed out",
        AlertSeverity::Critical,
    )?;
    let raised = obs.alerts().raise(alert.clone())?;
    let again = obs.alerts().raise(alert)?;

    println!("service      {} {}", obs.info().service, obs.info().version);
    println!("\nmetrics (count / sum / min / max / mean)");
    for (name, s) in obs.metrics().summaries()? {
        let mean = s.mean().unwrap_or(0.0);
        println!(
            "  {name:<28} {:>3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            s.count, s.sum, s.min, s.max, mean
        );
    }
    println!("\ntrace {}", root.trace_id());
    for node in obs.tracing().trace_tree(root.trace_id())? {
        print_node(&node, 1);
    }
    println!(
        "\nlogs: {} stored, {} below min level",
        obs.logs().recent(100)?.len(),
        obs.logs().filtered()
    );
    for entry in obs.logs().recent(10)? {
        println!("  [{}] {} {:?}", entry.level(), entry.message(), entry.fields());
    }
    println!("\nhealth: overall {}", obs.health().overall());
    for check in obs.health().components() {
        println!(
            "  {:<10} {:<10} {}",
            check.component(),
            check.status(),
            check.message()
        );
    }
    println!(
        "\nalerts: {} active; second raise deduplicated: {}",
        obs.alerts().active()?.len(),
        again.deduplicated
    );
    let acked = obs.alerts().acknowledge(raised.alert.id())?;
    println!("  [{}] {} -> {}", acked.severity(), acked.title(), acked.status());
    Ok(())
}

fn print_node(node: &observa::services::SpanNode, depth: usize) {
    let duration = node
        .span
        .duration()
        .map(|d| d.num_microseconds().unwrap_or(0))
        .unwrap_or(0);
    println!(
        "{}{} ({} µs, {})",
        "  ".repeat(depth),
        node.span.operation(),
        duration,
        node.span.status()
    );
    for child in &node.children {
        print_node(child, depth + 1);
    }
}
