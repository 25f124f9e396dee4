//! Prints a Prometheus rule file for a sample set of SLOs and alert rules:
//! `cargo run --example slo_rules > rules.yml && promtool check rules rules.yml`.

use std::time::Duration;

use observa::alerts::rules::{AlertRule, Query, Selector};
use observa::alerts::{RuleFile, Sli, Slo};
use observa::{AlertSeverity, ObsError};

fn main() -> Result<(), ObsError> {
    let requests = Selector::new("http_requests_total")?.label("job", "api")?;
    let availability = Slo::builder(
        "api-availability",
        Sli::errors_over_total(requests.clone().label("code", "500")?, requests),
        0.999,
    )
    .build()?;
    let latency = Slo::builder(
        "api-latency",
        Sli::latency(
            Selector::new("http_request_duration_seconds")?.label("job", "api")?,
            0.5,
        )?,
        0.99,
    )
    .build()?;
    let checkout = Slo::builder("checkout", Sli::monitored_function("checkout")?, 0.995).build()?;

    let p99 = AlertRule::builder(
        "HighLatency",
        Query::quantile(
            0.99,
            Selector::new("http_request_duration_seconds")?,
            Duration::from_secs(300),
        )?
        .above(0.5)?,
    )
    .for_duration(Duration::from_secs(600))
    .severity(AlertSeverity::High)
    .annotation("summary", "p99 latency is {{ $value }}s")
    .build()?;

    let file = RuleFile::new()
        .group("api", Some(Duration::from_secs(60)), vec![p99])?
        .slo(&availability)?
        .slo(&latency)?
        .slo(&checkout)?;
    print!("{}", file.to_yaml());
    Ok(())
}
