//! The one table: synthetic series, per minute, and the rules over them.

use std::time::Duration;

use observa::alerts::rules::{AlertRule, Condition, Query, Selector};
use observa::alerts::{BurnWindow, Sli, Slo};

/// Minutes simulated (evaluations at 0, 1, …, MINUTES).
pub const MINUTES: usize = 150;
pub const BOUNDS: [f64; 5] = [0.1, 0.25, 0.5, 1.0, 2.5];

pub fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// One synthetic input series, per minute.
pub enum Input {
    Gauge(&'static str, Vec<(&'static str, &'static str)>, Vec<Option<f64>>),
    /// Cumulative values; `None` until the series exists.
    Counter(&'static str, Vec<(&'static str, &'static str)>, Vec<Option<f64>>),
    /// Observations made during each minute.
    Histogram(&'static str, Vec<(&'static str, &'static str)>, Vec<Vec<f64>>),
    /// Failed calls of a monitored function (module, function) during each minute.
    MonitorErrors(&'static str, &'static str, Vec<u32>),
}

pub fn per_minute<T>(f: impl FnMut(usize) -> T) -> Vec<T> {
    (0..=MINUTES).map(f).collect()
}

/// A counter growing by `step(minute)` each minute from 0.
pub fn counter(step: impl Fn(usize) -> f64) -> Vec<Option<f64>> {
    let mut total = 0.0;
    per_minute(|m| {
        if m > 0 {
            total += step(m);
        }
        Some(total)
    })
}

/// The table: the synthetic series and the rules over them.
pub fn table() -> (Vec<Input>, Vec<(AlertRule, bool)>, Vec<Slo>) {
    let inputs = vec![
        // a queue that backs up from minute 10 to 30 and again from 60 to 62
        Input::Gauge(
            "queue_depth",
            vec![("queue", "orders")],
            per_minute(|m| {
                Some(if (10..30).contains(&m) || (60..63).contains(&m) {
                    2_500_000.0
                } else {
                    12.0
                })
            }),
        ),
        Input::Gauge(
            "queue_depth",
            vec![("queue", "billing")],
            per_minute(|_| Some(900.0)),
        ),
        // 1 job a minute, 5 a second between minutes 40 and 55
        Input::Counter(
            "jobs_processed_total",
            vec![("queue", "orders")],
            counter(|m| if (40..55).contains(&m) { 300.0 } else { 60.0 }),
        ),
        // requests fast, then slow (0.8 s) for some of them between minutes 70 and 90
        Input::Histogram(
            "http_request_duration_seconds",
            vec![("route", "/orders")],
            per_minute(|m| {
                let slow = if (70..90).contains(&m) { 10 } else { 0 };
                let mut obs = vec![0.05; 90];
                obs.extend(std::iter::repeat_n(0.8, slow));
                obs
            }),
        ),
        // payments: 100 requests a minute, 20 % failing between minutes 20 and 35
        Input::Counter(
            "http_requests_total",
            vec![("code", "200"), ("route", "/pay")],
            counter(|m| if (20..35).contains(&m) { 80.0 } else { 100.0 }),
        ),
        Input::Counter(
            "http_requests_total",
            vec![("code", "500"), ("route", "/pay")],
            counter(|m| if (20..35).contains(&m) { 20.0 } else { 0.0 }),
        ),
        // a heartbeat that only starts at minute 20
        Input::Counter(
            "heartbeat_total",
            vec![("job", "etl")],
            per_minute(|m| (m >= 20).then(|| (m - 19) as f64)),
        ),
        // a monitored function failing at minutes 10-11 (twice) and 30-35 (six times in a row)
        Input::MonitorErrors(
            "shop",
            "charge",
            per_minute(|m| u32::from((10..12).contains(&m) || (30..36).contains(&m))),
        ),
        // an API: 1,000 requests a minute; 5 % errors from minute 30 to 70
        Input::Counter(
            "api_requests_total",
            vec![("code", "200"), ("job", "api")],
            counter(|m| if (30..70).contains(&m) { 950.0 } else { 1000.0 }),
        ),
        Input::Counter(
            "api_requests_total",
            vec![("code", "500"), ("job", "api")],
            counter(|m| if (30..70).contains(&m) { 50.0 } else { 0.0 }),
        ),
    ];
    let sel = |name: &str, labels: &[(&str, &str)]| {
        labels
            .iter()
            .fold(Selector::new(name), |s, (n, v)| s.and_then(|s| s.label(*n, *v)))
            .unwrap()
    };
    let rule = |name: &str, condition: Condition, for_min: u64, summary: &str| {
        AlertRule::builder(name, condition)
            .for_duration(mins(for_min))
            .label("team", "shop")
            .annotation("summary", summary)
            .build()
            .unwrap()
    };
    let rules = vec![
        (
            rule(
                "QueueBacklog",
                Query::gauge(sel("queue_depth", &[("queue", "orders")]))
                    .above(100.0)
                    .unwrap(),
                5,
                "{{ $labels.queue }} holds {{ $value }} items",
            ),
            true,
        ),
        (
            AlertRule::builder(
                "JobSurge",
                Query::rate(sel("jobs_processed_total", &[("queue", "orders")]), mins(5))
                    .unwrap()
                    .above(2.0)
                    .unwrap(),
            )
            .for_duration(mins(2))
            .keep_firing_for(mins(3))
            .annotation("summary", "jobs surge on {{ $labels.queue }}")
            .build()
            .unwrap(),
            true,
        ),
        (
            rule(
                "SlowOrders",
                Query::quantile(
                    0.99,
                    sel("http_request_duration_seconds", &[("route", "/orders")]),
                    mins(5),
                )
                .unwrap()
                .above(0.5)
                .unwrap(),
                2,
                "p99 of {{ $labels.route }} is slow",
            ),
            true,
        ),
        (
            rule(
                "PaymentErrors",
                Query::error_ratio(
                    sel("http_requests_total", &[("route", "/pay"), ("code", "500")]),
                    sel("http_requests_total", &[("route", "/pay")]),
                    mins(5),
                )
                .unwrap()
                .above(0.05)
                .unwrap(),
                1,
                "{{ $labels.route }} fails too often",
            ),
            true,
        ),
        (
            rule(
                "HeartbeatMissing",
                Condition::absent(sel("heartbeat_total", &[("job", "etl")])),
                5,
                "no heartbeat from {{ $labels.job }}",
            ),
            true,
        ),
        (
            rule(
                "ChargeFailing",
                Condition::consecutive_increases(
                    sel(
                        "function_calls_total",
                        &[("function", "charge"), ("result", "error")],
                    ),
                    3,
                    mins(1),
                )
                .unwrap(),
                0,
                "charge failed {{ $value }} time(s) in the last minute",
            ),
            true,
        ),
    ];
    let slo = Slo::builder(
        "api-availability",
        Sli::errors_over_total(
            sel("api_requests_total", &[("job", "api"), ("code", "500")]),
            sel("api_requests_total", &[("job", "api")]),
        ),
        0.999,
    )
    .build()
    .unwrap();
    // 95 % of /orders requests within 0.5 s; one fast page window pair so the slow spell fires it
    let latency = Slo::builder(
        "orders-latency",
        Sli::latency(sel("http_request_duration_seconds", &[("route", "/orders")]), 0.5).unwrap(),
        0.95,
    )
    .page(vec![BurnWindow::new(mins(30), mins(5), 1.0).unwrap()])
    .ticket(vec![])
    .build()
    .unwrap();
    (inputs, rules, vec![slo, latency])
}
