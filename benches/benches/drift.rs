//! Drift detection on seeded synthetic latency series: detection delay and
//! false alarms of every method, printed as markdown tables.
//!
//! `cargo bench -p observa-benches --bench drift`

#[path = "drift_support/mod.rs"]
mod drift_support;

use std::time::Instant;

use drift_support::{evaluate, series, Delays, Outcome, Plan, Scenario};
use observa::alerts::drift::{Baseline, DriftConfig, DriftDetector, DriftMethod};

const PLAN: Plan = Plan {
    stationary: 100_000,
    seeds: 50,
    change_at: 600,
    horizon: 400,
};

fn delays(d: &Delays) -> String {
    let worst = d
        .worst()
        .map_or_else(|| format!("{} missed", d.missed), |w| w.to_string());
    d.median()
        .map_or_else(|| "missed".to_owned(), |m| format!("{m} / {worst}"))
}

fn header(title: &str, first: &str) {
    println!("\n### {title}\n");
    println!("| {first} | false alarms /10k (episodes) | 2× step: median / worst delay | 20 % drift: median / worst delay | spike caught | flags in 50 after spike |");
    println!("|---|---|---|---|---|---|");
}

fn table(title: &str, config: &DriftConfig) {
    header(title, "method");
    rows(config, DriftMethod::ALL, |o| o.method.to_string());
}

fn rows(config: &DriftConfig, methods: &[DriftMethod], name: impl Fn(&Outcome) -> String) {
    for o in evaluate(config, PLAN)
        .iter()
        .filter(|o| methods.contains(&o.method))
    {
        println!(
            "| {} | {:.1} ({:.1}) | {} | {} | {}/{} | {:.2} |",
            name(o),
            o.false_alarms_per_10k,
            o.episodes_per_10k,
            delays(&o.step),
            delays(&o.drift),
            o.spike_caught,
            PLAN.seeds,
            o.after_spike
        );
    }
}

fn cost(config: &DriftConfig) -> f64 {
    let values = series(Scenario::Stationary, 200_000, 0, 7);
    let mut detector = DriftDetector::new(config.clone()).expect("valid");
    let start = Instant::now();
    for v in &values {
        std::hint::black_box(detector.observe(*v).expect("finite"));
    }
    start.elapsed().as_nanos() as f64 / values.len() as f64
}

fn main() {
    let defaults = DriftConfig::default();
    println!(
        "Seeded series: level 100, log-normal noise σ = 0.1; change at sample {}; {} seeds per scenario; \
         false alarms on {} stationary samples. Delay: samples from the change to the first flag.",
        PLAN.change_at, PLAN.seeds, PLAN.stationary
    );
    table(
        "Defaults (rolling baseline 500, recent 30, min samples 30, λ = 0.2, L = 3.5, k = 0.5, h = 8)",
        &defaults,
    );
    table(
        "Frozen baseline of 500",
        &defaults.clone().baseline(Baseline::Frozen(500)),
    );
    header("Sequential parameters (rolling baseline 500)", "parameters");
    for (lambda, limit) in [(0.1, 2.7), (0.2, 3.0), (0.2, 3.5), (0.3, 3.0)] {
        let config = defaults.clone().ewma(lambda, limit);
        rows(&config, &[DriftMethod::Ewma], |_| {
            format!("ewma λ = {lambda}, L = {limit}")
        });
    }
    for (k, h) in [
        (0.5, 4.0),
        (0.5, 5.0),
        (0.5, 6.0),
        (0.5, 8.0),
        (0.5, 10.0),
        (0.75, 5.0),
        (1.0, 4.0),
    ] {
        let config = defaults.clone().cusum(k, h);
        rows(&config, &[DriftMethod::Cusum], |_| {
            format!("cusum k = {k}, h = {h}")
        });
    }
    println!("\n### Cost\n");
    println!("| baseline | ns per observe (all five methods) |");
    println!("|---|---|");
    for capacity in [100, 500, 2_000] {
        let config = defaults.clone().baseline(Baseline::Rolling(capacity));
        println!("| rolling {capacity} | {:.0} |", cost(&config));
    }
}
