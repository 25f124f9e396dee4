//! The observa demo, on the embedded in-memory defaults.
//!
//! It instruments a small simulated checkout workload (some calls fail, some
//! are slow), records entities through the container, embeds health checks
//! (system figures and a custom check), serves `/metrics`, `/livez`,
//! `/readyz` and `/health` on 127.0.0.1:9464 and prints a short live
//! summary every two seconds until Ctrl-C.
//!
//! ```sh
//! make run                                   # serves until Ctrl-C
//! cargo run --example demo -- --seconds 10   # stops after ten seconds
//! cargo run --example demo -- --addr 127.0.0.1:0   # any free port
//! cargo run --example demo -- --once         # one batch, print the exposition, exit
//! cargo run --example demo -- --once --openmetrics
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 make run   # also exports over OTLP
//! ```
//!
//! With the `otlp` feature (`make run` enables it when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set), spans, logs and metrics are also
//! exported over OTLP/HTTP, configured from the standard `OTEL_*` variables.

use std::time::{Duration, Instant};

use observa::health::ProbeReport;
use observa::metrics::{Buckets, FamilySpec, Format};
use observa::prelude::*;

struct Options {
    once: bool,
    format: Format,
    /// `None`: serve until Ctrl-C.
    seconds: Option<u64>,
    addr: String,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Options {
        once: args.iter().any(|a| a == "--once"),
        format: if args.iter().any(|a| a == "--openmetrics") {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        },
        seconds: value("--seconds").and_then(|s| s.parse().ok()),
        addr: value("--addr").unwrap_or_else(|| observa::http::DEFAULT_ADDR.to_owned()),
    }
}

observa::monitored! {
    /// Prices an order: fails for empty carts.
    fn price(items: u32) -> Result<u64, String> {
        if items == 0 {
            return Err("empty cart".into());
        }
        Ok(u64::from(items) * 1_250)
    }
}

/// A deterministic stand-in for randomness: the workload is the same every run.
fn wobble(i: u64) -> u64 {
    i.wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
        >> 33
}

fn run_batch(obs: &Observability, charge: &observa::monitor::Monitor, batch: u64) -> Result<(), ObsError> {
    let orders = obs.metrics().counter_family(
        FamilySpec::new("orders_total")
            .help("Orders placed, by region.")
            .labels(&["region"]),
    )?;
    let basket = obs.metrics().histogram_family(
        FamilySpec::new("basket_items")
            .help("Items per basket.")
            .buckets(Buckets::linear(1.0, 2.0, 5)?),
    )?;
    for i in batch * 20..(batch + 1) * 20 {
        let items = ((wobble(i) >> 4) % 6) as u32; // 0 items: price fails
        let region = ["eu", "us", "apac"][(wobble(i + 7) % 3) as usize];
        let root = obs.tracing().start_trace("checkout")?;
        let priced = price(items);
        let paid = charge.run_result(|| {
            if wobble(i + 3) % 10 == 0 {
                std::thread::sleep(Duration::from_millis(30)); // a slow card network
            }
            if wobble(i + 5) % 8 == 0 {
                Err("card declined")
            } else {
                Ok(priced.clone().unwrap_or(0))
            }
        });
        let status = if priced.is_ok() && paid.is_ok() {
            orders.with_label_values(&[region])?.inc();
            basket.with_label_values::<&str>(&[])?.observe(f64::from(items));
            SpanStatus::Ok
        } else {
            let entry = LogEntry::builder(LogLevel::Warning, "checkout failed")
                .field("region", region)
                .trace(root.trace_id(), Some(root.span_id()))
                .build()?;
            obs.logs().record(entry)?;
            SpanStatus::Error
        };
        obs.tracing().finish(root, status)?;
    }
    obs.metrics().record(
        &obs.factory()
            .metric("queue_depth", (wobble(batch) % 40) as f64, "items")?,
    )?;
    let health = if batch % 4 == 3 {
        HealthStatus::Degraded
    } else {
        HealthStatus::Healthy
    };
    obs.health().record(
        obs.factory()
            .health_check("payments", health, "card network latency")?,
    )?;
    Ok(())
}

fn summary(obs: &Observability, started: Instant) -> Result<String, ObsError> {
    let text = obs.render(Format::Prometheus)?;
    let value = |prefix: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(prefix))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    let calls = r#"function_calls_total{function="charge_card",module="demo",result=""#;
    Ok(format!(
        "{:>5.0} {:>7} {:>9} {:>12} {:>12} {:>9}  {}",
        started.elapsed().as_secs_f64(),
        value("orders_total{"),
        value(&format!("{calls}ok\"")),
        value(&format!("{calls}error\"")),
        value(r#"function_calls_total{function="price",module="demo",result="error"}"#),
        obs.logs().by_level(LogLevel::Warning)?.len(),
        obs.health().check_all().status(),
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = options();
    let builder = Observability::builder()
        .service("checkout", env!("CARGO_PKG_VERSION"))
        .environment("demo");
    #[cfg(feature = "otlp")]
    let builder = match std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Some(_) => builder.otlp(observa::otlp::OtlpConfig::from_env()?),
        None => builder,
    };
    let obs = builder.build()?;
    #[cfg(feature = "otlp")]
    if obs.otlp().is_some() {
        println!(
            "Exporting over OTLP to {:?}.",
            std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")?
        );
    }
    observa::install_global(obs.clone())?;
    let charge = obs.monitor_in("demo", "charge_card");
    obs.health()
        .register_system_checks(observa::health::SystemChecks::default().disk_path("/"))?;
    let started = Instant::now();
    // the card network degrades every few seconds
    obs.health().register("payments", move || {
        if started.elapsed().as_secs() % 8 >= 6 {
            ProbeReport::degraded("card network slow")
        } else {
            ProbeReport::healthy()
        }
    })?;

    if options.once {
        run_batch(&obs, &charge, 0)?;
        print!("{}", obs.render(options.format)?);
        return Ok(());
    }

    let server = observa::http::serve(&obs, &options.addr)?;
    let base = format!("http://{}", server.local_addr());
    println!("observa demo: a simulated checkout service (20 orders every 0.5 s; some fail, some are slow).");
    println!("Its telemetry is served on {base}; try:");
    println!("  curl {base}/metrics                                   # Prometheus text 0.0.4");
    println!("  curl -H 'Accept: application/openmetrics-text' {base}/metrics   # OpenMetrics 1.0");
    println!("  curl {base}/livez                                     # liveness: the process only");
    println!("  curl '{base}/readyz?verbose'                          # readiness: critical checks");
    println!("  curl {base}/health                                    # every check, in full");
    match options.seconds {
        Some(seconds) => println!("Stopping after {seconds} s (Ctrl-C stops earlier)."),
        None => println!("Serving until Ctrl-C (--seconds N stops after N seconds)."),
    }
    println!();
    println!(
        "{:>5} {:>7} {:>9} {:>12} {:>12} {:>9}  health (check_all)",
        "secs", "orders", "charge ok", "charge error", "price errors", "warn logs"
    );
    let deadline = options.seconds.map(|s| started + Duration::from_secs(s));
    let mut batch = 0;
    while deadline.is_none_or(|d| Instant::now() < d) {
        run_batch(&obs, &charge, batch)?;
        if batch % 4 == 0 {
            println!("{}", summary(&obs, started)?);
        }
        batch += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    println!("{}", summary(&obs, started)?);
    server.shutdown();
    obs.flush(Duration::from_secs(5));
    Ok(())
}
