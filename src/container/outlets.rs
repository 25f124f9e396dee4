//! The container's outlets: log and span sinks, redaction, flushing.

use std::time::{Duration, Instant};

use super::{Observability, ObservabilityBuilder};
use crate::alerts::notify::Notifier;
use crate::error::{ObsError, Result};
use crate::redaction::Redactor;
use crate::sinks::{Outlets, QueuedSink, Sink};

impl Observability {
    /// Waits until every log and span sink has written and flushed what was
    /// recorded before the call, and every notifier has delivered (or
    /// failed) what was raised or resolved before it, all within `timeout`;
    /// `true` if all did.
    /// Dropping the last clone of the container (and of its services) does
    /// the same with a deadline of
    /// [`DEFAULT_SHUTDOWN_DEADLINE`](crate::sinks::DEFAULT_SHUTDOWN_DEADLINE)
    /// per sink, then stops the writer threads; a container installed with
    /// [`install_global`](crate::install_global) is never dropped, so flush it
    /// before the process exits.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource};
    ///
    /// let lines = MemorySink::new(Resource::new("shop", "1"), 100);
    /// let obs = observa::Observability::builder().service("shop", "1").log_sink(lines.clone()).build()?;
    /// obs.logs().log(observa::LogLevel::Error, "disk full")?;
    /// assert!(obs.flush(std::time::Duration::from_secs(5)));
    /// assert!(lines.lines()[0].contains(r#""severity_text":"ERROR""#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = crate::worker::deadline_after(timeout);
        let queued = self.inner.logs.flush_queue(deadline) & self.inner.tracing.flush_queue(deadline);
        let logs = self
            .inner
            .log_sinks
            .flush(deadline.saturating_duration_since(Instant::now()));
        let spans = self
            .inner
            .span_sinks
            .flush(deadline.saturating_duration_since(Instant::now()));
        #[cfg(feature = "otlp")]
        let spans = spans
            && self
                .otlp()
                .is_none_or(|otlp| otlp.flush(deadline.saturating_duration_since(Instant::now())));
        let notified = self
            .inner
            .alerts
            .notifications()
            .is_none_or(|d| d.flush(deadline.saturating_duration_since(Instant::now())));
        queued && logs && spans && notified
    }
}

impl ObservabilityBuilder {
    /// Adds a log sink: every stored log entry (filled and redacted) is also
    /// queued for it. Each sink gets its own bounded queue and writer thread
    /// (a [`QueuedSink`] of [`sink_queue_capacity`](Self::sink_queue_capacity)
    /// records), so several sinks may be added and a slow one only drops its
    /// own records; drops are counted in `observa_dropped_total{kind,reason}`.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource};
    ///
    /// let lines = MemorySink::new(Resource::new("shop", "1.0"), 1_000);
    /// let obs = observa::Observability::builder().service("shop", "1.0").log_sink(lines.clone()).build()?;
    /// obs.logs().log(observa::LogLevel::Warning, "card 4111 1111 1111 1111 declined")?;
    /// obs.flush(std::time::Duration::from_secs(5));
    /// let line: serde_json::Value = serde_json::from_str(&lines.lines()[0]).unwrap();
    /// assert_eq!(line["body"], "card [REDACTED] declined");
    /// assert_eq!(line["severity_number"], 13);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn log_sink(mut self, sink: impl Sink) -> Self {
        self.log_sinks.push(Box::new(sink));
        self
    }
    /// Adds a span sink: every finished span (redacted) is also queued for
    /// it, as [`log_sink`](Self::log_sink) does for log entries.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource};
    ///
    /// let spans = MemorySink::new(Resource::new("shop", "1.0"), 1_000);
    /// let obs = observa::Observability::builder().service("shop", "1.0").span_sink(spans.clone()).build()?;
    /// let root = obs.tracing().start_trace("checkout")?;
    /// obs.tracing().finish(root, observa::SpanStatus::Ok)?;
    /// obs.flush(std::time::Duration::from_secs(5));
    /// assert!(spans.lines()[0].starts_with(r#"{"name":"checkout""#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn span_sink(mut self, sink: impl Sink) -> Self {
        self.span_sinks.push(Box::new(sink));
        self
    }
    /// Adds a log sink on stderr: a readable coloured line on a terminal,
    /// JSON lines (with this container's service name, version and
    /// environment as `resource`) when stderr is a pipe or a file; see
    /// [`ConsoleSink::stderr`](crate::sinks::ConsoleSink::stderr).
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("shop", "1.0").console_logs().build()?;
    /// obs.logs().log(observa::LogLevel::Info, "ready")?;
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn console_logs(mut self) -> Self {
        self.console_logs = true;
        self
    }
    /// Adds a notifier: every newly raised (not de-duplicated) alert and
    /// every resolution is queued for it and delivered on its own thread
    /// (a queue of [`sink_queue_capacity`](Self::sink_queue_capacity)
    /// notifications; a full queue drops). Outcomes are counted in
    /// `observa_notifications_total{notifier,result}`. Notifier names must
    /// be unique.
    ///
    /// ```
    /// use observa::alerts::notify::ConsoleNotifier;
    /// use observa::metrics::Format;
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").notifier(ConsoleNotifier::new(std::io::sink())).build()?;
    /// obs.alerts().raise(observa::Alert::new("Disk full", "/var at 97%", observa::AlertSeverity::High)?)?;
    /// assert!(obs.flush(std::time::Duration::from_secs(5)));
    /// let text = obs.render(Format::Prometheus)?;
    /// assert!(text.contains("observa_notifications_total{notifier=\"console\",result=\"sent\"} 1\n"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn notifier(mut self, notifier: impl Notifier) -> Self {
        self.notifiers.push(Box::new(notifier));
        self
    }
    /// Records each sink's queue holds before it drops (default
    /// [`DEFAULT_QUEUE_CAPACITY`](crate::sinks::DEFAULT_QUEUE_CAPACITY), 10,000; at least 1).
    ///
    /// ```
    /// let zero = observa::Observability::builder().service("shop", "1").sink_queue_capacity(0).build();
    /// assert_eq!(zero.err().map(|e| e.code()), Some("configuration"));
    /// ```
    pub fn sink_queue_capacity(mut self, capacity: usize) -> Self {
        self.sink_queue_capacity = Some(capacity);
        self
    }
    /// The redaction rules applied to every log entry and finished span
    /// before any repository or sink sees it (default [`Redactor::default`]:
    /// the default secret keys and every default value pattern). To turn
    /// redaction off, pass [`Redactor::empty`].
    ///
    /// ```
    /// use observa::redaction::Redactor;
    ///
    /// let obs = observa::Observability::builder()
    ///     .service("shop", "1")
    ///     .redactor(Redactor::default().with_key("iban")?)
    ///     .build()?;
    /// let entry = observa::LogEntry::builder(observa::LogLevel::Info, "paid").field("payer_iban", "DE89370400440532013000").build()?;
    /// obs.logs().record(entry)?;
    /// assert_eq!(obs.logs().recent(1)?[0].fields()["payer_iban"], "[REDACTED]");
    ///
    /// let raw = observa::Observability::builder().service("shop", "1").redactor(Redactor::empty()).build()?;
    /// raw.logs().log(observa::LogLevel::Info, "mail ann@example.com")?;
    /// assert_eq!(raw.logs().recent(1)?[0].message(), "mail ann@example.com");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = Some(redactor);
        self
    }
}

/// Puts each sink behind its own bounded queue and writer thread.
pub(super) fn spawn_sinks(sinks: Vec<Box<dyn Sink>>, capacity: usize) -> Result<Outlets> {
    let queued = sinks.into_iter().map(|sink| {
        QueuedSink::spawn(sink, capacity)
            .map_err(|e| ObsError::configuration("sink", format!("cannot start its writer thread: {e}")))
    });
    Ok(Outlets::new(queued.collect::<Result<_>>()?))
}
