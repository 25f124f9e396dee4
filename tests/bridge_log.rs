//! Code written against the `log` facade, captured by observa: this test
//! binary installs the one global logger (`log` takes one per process).
//! Each test writes under its own target and reads back only those entries.

use std::sync::OnceLock;

use observa::bridges::log::ObservaLogger;
use observa::propagation::TraceFlags;
use observa::traces::{enter, SpanContext};
use observa::{LogEntry, LogLevel, Observability, SpanId, TraceId};

/// The container behind the installed logger, and the logger itself.
fn installed() -> &'static (Observability, ObservaLogger) {
    static INSTALLED: OnceLock<(Observability, ObservaLogger)> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let obs = Observability::builder()
            .service("bridge-log", "1")
            .min_log_level(LogLevel::Debug)
            .build()
            .unwrap();
        let logger = ObservaLogger::new(&obs);
        logger.install(log::LevelFilter::Trace).unwrap();
        (obs, logger)
    })
}

/// The stored entries written under `target`, in the order they were stored.
fn written_to(target: &str) -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = installed().0.logs().recent(10_000).unwrap();
    entries.retain(|e| e.target() == Some(target));
    entries.reverse();
    entries
}

#[test]
fn every_level_maps_and_messages_are_kept() {
    installed();
    log::error!(target: "levels", "e {}", 1);
    log::warn!(target: "levels", "w");
    log::info!(target: "levels", "i");
    log::debug!(target: "levels", "d");
    let got: Vec<(LogLevel, String)> = written_to("levels")
        .into_iter()
        .map(|e| (e.level(), e.message().to_owned()))
        .collect();
    let want = [
        (LogLevel::Error, "e 1"),
        (LogLevel::Warning, "w"),
        (LogLevel::Info, "i"),
        (LogLevel::Debug, "d"),
    ];
    assert_eq!(got, want.map(|(l, m)| (l, m.to_owned())));
}

#[test]
fn records_below_the_minimum_level_are_not_stored() {
    installed();
    assert_eq!(
        log::max_level(),
        log::LevelFilter::Debug,
        "capped at the service's minimum"
    );
    assert!(!log::log_enabled!(target: "quiet", log::Level::Trace));
    log::trace!(target: "quiet", "too detailed");
    log::debug!(target: "quiet", "kept");
    let messages: Vec<String> = written_to("quiet")
        .iter()
        .map(|e| e.message().to_owned())
        .collect();
    assert_eq!(messages, ["kept"]);
}

#[test]
fn key_values_target_and_location_become_fields() {
    installed();
    let line = line!() + 1;
    log::info!(target: "payments", order = 42, amount = 9.5, card = "visa", retry = false; "charged");
    let entries = written_to("payments");
    let fields = entries[0].fields();
    assert_eq!(fields["order"], 42);
    assert_eq!(fields["amount"], 9.5);
    assert_eq!(fields["card"], "visa");
    assert_eq!(fields["retry"], false);
    assert_eq!(fields["code.namespace"], module_path!());
    assert_eq!(fields["code.filepath"], file!());
    assert_eq!(fields["code.lineno"], line);
    assert_eq!(entries[0].target(), Some("payments"));
}

#[test]
fn the_current_span_context_supplies_the_ids() {
    installed();
    log::info!(target: "traced", "outside");
    let context = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    {
        let _guard = enter(context);
        log::info!(target: "traced", "inside");
    }
    let entries = written_to("traced");
    assert_eq!((entries[0].trace_id(), entries[0].span_id()), (None, None));
    assert_eq!(entries[1].trace_id(), Some(context.trace_id()));
    assert_eq!(entries[1].span_id(), Some(context.span_id()));
    assert_eq!(
        installed().0.logs().for_trace(context.trace_id()).unwrap().len(),
        1
    );
}

#[test]
fn a_second_install_is_a_conflict_and_keeps_the_first() {
    let (_, first) = installed();
    let other = Observability::builder().service("other", "1").build().unwrap();
    let err = ObservaLogger::new(&other)
        .install(log::LevelFilter::Trace)
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(err.to_string().contains("already installed"), "{err}");
    log::warn!(target: "conflict", "still the first");
    assert_eq!(written_to("conflict").len(), 1);
    assert!(other.logs().recent(10).unwrap().is_empty());
    assert_eq!(first.dropped(), 0);
}
