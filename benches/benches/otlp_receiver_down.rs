//! `otlp_receiver_down`: memory stays flat while the OTLP receiver is down.
//! A container exports to a closed port of 127.0.0.1 (connection refused,
//! so the exporter keeps retrying with backoff) while one thread records
//! spans and log records at a fixed rate; every few seconds it prints the
//! resident set size (`VmRSS` of /proc/self/status), the drop counters and
//! the slowest 10 ms tick of recording (the caller must never wait on the
//! exporter). Fails if RSS grows by more than 64 MiB after the first sample.
//!
//! `cargo bench -p observa-benches --bench otlp_receiver_down`; environment:
//! `OBSERVA_OTLP_DOWN_SECS` (default 60), `OBSERVA_OTLP_RATE` (spans and
//! log records per second each, default 5,000), `OBSERVA_OTLP_SAMPLE_SECS`
//! (default 5).

mod otlp_support;

use std::time::{Duration, Instant};

use observa::otlp::{OtlpConfig, Signal};
use observa::{LogLevel, Observability};
use otlp_support::{closed_port, dropped, env_or, load_average, resident_kib};

const TICK: Duration = Duration::from_millis(10);

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let seconds = env_or("OBSERVA_OTLP_DOWN_SECS", 60);
    let rate = env_or("OBSERVA_OTLP_RATE", 5_000);
    let every = Duration::from_secs(env_or("OBSERVA_OTLP_SAMPLE_SECS", 5).max(1));
    let per_tick = (rate / 100).max(1);
    let config = OtlpConfig::default()
        .endpoint(&format!("http://127.0.0.1:{}", closed_port()))
        .shutdown_timeout(Duration::from_secs(1));
    let obs = Observability::builder()
        .service("bench", "1")
        .otlp(config)
        .build()
        .unwrap();
    println!(
        "receiver down for {seconds} s, {} spans/s and {} log records/s; load average {}",
        per_tick * 100,
        per_tick * 100,
        load_average()
    );
    let root = obs.tracing().span("batch");
    let entered = root.enter();
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let (mut next_sample, mut next_tick) = (started + every, started);
    let (mut recorded, mut slowest, mut busy, mut ticks) = (0u64, Duration::ZERO, Duration::ZERO, 0u32);
    let mut series = Vec::new();
    while Instant::now() < end {
        let tick = Instant::now();
        for _ in 0..per_tick {
            let mut span = obs.tracing().span("item");
            let _ = span.set_attribute("item.index", recorded.to_string());
            drop(span);
            let _ = obs.logs().log(LogLevel::Info, format!("item {recorded} done"));
            recorded += 1;
        }
        let took = tick.elapsed();
        slowest = slowest.max(took);
        busy += took;
        ticks += 1;
        if Instant::now() >= next_sample {
            let rss = resident_kib();
            series.push(rss);
            println!(
                "{:>5.1} s: {recorded} spans + {recorded} log records, RSS {rss} KiB, \
                 tick of {per_tick} + {per_tick}: mean {:.2?}, slowest {slowest:.2?}",
                started.elapsed().as_secs_f64(),
                busy / ticks.max(1)
            );
            for line in dropped(&obs) {
                println!("         {line}");
            }
            next_sample += every;
        }
        next_tick += TICK;
        std::thread::sleep(next_tick.saturating_duration_since(Instant::now()));
    }
    drop(entered);
    drop(root);
    series.push(resident_kib());
    for line in dropped(&obs) {
        println!("end: {line}");
    }
    let exporter = obs.otlp().unwrap();
    assert_eq!(exporter.delivered(Signal::Traces), 0, "nothing listens there");
    println!("RSS series (KiB): {series:?}; load average {}", load_average());
    if let (Some(first), Some(peak)) = (series.first(), series.iter().max()) {
        let growth = peak.saturating_sub(*first);
        println!("RSS growth after the first sample: {growth} KiB");
        assert!(growth < 64 * 1024, "memory is not flat: RSS grew by {growth} KiB");
    }
}
