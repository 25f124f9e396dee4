//! [`LogOutlet`]: where log entries go once they leave the caller's thread:
//! redacted, then stored in the repository and queued on the log sinks.
//! The queue and its writer thread are the shared [`Pipeline`].

use std::sync::Arc;

use crate::domain::LogEntry;
use crate::error::Result;
use crate::pipeline::{Convert, Pipeline};
use crate::ports::Repository;
use crate::redaction::Redactor;
use crate::sinks::{Outlets, Record};

/// A log entry as its caller leaves it: level-checked, its trace context
/// and correlation id filled, not yet redacted.
pub(super) struct RawLog {
    pub entry: LogEntry,
    /// The W3C trace flags, when the entry belongs to the current trace.
    pub trace_flags: Option<u8>,
}

/// The repository and sinks of the log entries, and the redactor applied
/// before either sees an entry.
pub(super) struct LogOutlet {
    pub repository: Arc<dyn Repository<LogEntry>>,
    pub redactor: Arc<Redactor>,
    pub sinks: Arc<Outlets>,
}

impl Convert for LogOutlet {
    type Raw = RawLog;
    type Batch = ();
    const THREAD: &'static str = "observa-logs";

    fn batch(&self) {}

    /// Redacts the entry, stores it and queues it on every sink (a copy
    /// only when there are sinks).
    fn write(&self, raw: RawLog, _: &()) -> Result<()> {
        let RawLog {
            mut entry,
            trace_flags,
        } = raw;
        self.redactor.redact_log_entry(&mut entry);
        if self.sinks.is_empty() {
            return self.repository.save(entry);
        }
        self.repository.save(entry.clone())?;
        self.sinks.send(Record::Log { entry, trace_flags });
        Ok(())
    }
}

/// The bounded queue of log entries and its writer thread.
pub(super) type LogPipeline = Pipeline<LogOutlet>;
