//! Sinks: the outlets that take finished spans and log entries out of the
//! process (DESIGN.md section 2).
//!
//! The port is the [`Sink`] trait: something that writes one [`Record`] at a
//! time, a log entry or a finished span, in its own format (a sink owns its
//! encoder, so a coloured console and a JSON file can sit side by side).
//! A `Sink` does blocking I/O, so services never call it directly: they hand
//! records to a [`QueuedSink`], a bounded queue with one background writer
//! thread per sink. A full queue drops the record and counts it; the caller
//! never waits ([`DropCounts`] feeds `observa_dropped_total{kind,reason}`).
//!
//! | sink | writes |
//! | --- | --- |
//! | [`ConsoleSink`] | a coloured line on a terminal, JSON lines otherwise, to stderr or any `Write` |
//! | [`FileSink`] | JSON lines to a [`RotatingFile`] (size and time rotation, retention by count and age) |
//! | [`MemorySink`] | JSON lines into a bounded in-memory buffer, for tests and examples |
//!
//! Every JSON line uses the OpenTelemetry log data model names; see
//! [`JsonEncoder`]. A log line's `observed_timestamp` is the time its sink
//! encoded it (on the writer thread), `timestamp` the time the entry was made.
//!
//! ```
//! use std::time::Duration;
//! use observa::sinks::{MemorySink, QueuedSink, Record, Resource};
//! use observa::{LogEntry, LogLevel};
//!
//! let memory = MemorySink::new(Resource::new("shop", "1.0"), 100);
//! let sink = QueuedSink::spawn(memory.clone(), 1_000)?;
//! sink.send(LogEntry::new(LogLevel::Info, "order placed")?);
//! assert!(sink.flush(Duration::from_secs(5)));
//! assert!(memory.lines()[0].contains(r#""body":"order placed""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod console;
mod drops;
mod file;
mod json;
mod memory;
mod outlets;
mod policy;
mod queue;
mod rotation;

use std::io;

pub use console::{ConsoleFormat, ConsoleSink};
pub use drops::DropCounts;
pub use file::FileSink;
#[cfg(feature = "otlp")]
pub(crate) use json::severity_text;
pub use json::{JsonEncoder, Resource};
pub use memory::MemorySink;
pub use outlets::{Outlets, DEFAULT_QUEUE_CAPACITY};
pub use policy::{Clock, RotationPolicy, SystemClock};
pub use queue::{QueuedSink, DEFAULT_SHUTDOWN_DEADLINE};
pub use rotation::RotatingFile;

use crate::{LogEntry, Span};

/// One thing a sink writes: a log entry or a finished span, with the W3C
/// trace flags of its trace when they are known.
///
/// The enum is the sink port's unit, so one queue and one file serve both
/// signals. Build it with `From` (no trace flags) or with the variants.
///
/// ```
/// use observa::sinks::Record;
/// use observa::{LogEntry, LogLevel};
///
/// let record = Record::from(LogEntry::new(LogLevel::Info, "started")?);
/// assert_eq!(record.kind(), "log_entry");
/// assert_eq!(record.trace_flags(), None);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A log entry.
    Log {
        /// The entry.
        entry: LogEntry,
        /// The W3C trace flags (bit 0: sampled) of the trace it was written in.
        trace_flags: Option<u8>,
    },
    /// A finished (or open) span.
    Span {
        /// The span.
        span: Span,
        /// The W3C trace flags (bit 0: sampled) of its trace.
        trace_flags: Option<u8>,
    },
}

impl Record {
    /// The entity kind, as in `observa_dropped_total{kind}`: `log_entry` or `span`.
    ///
    /// ```
    /// use observa::sinks::Record;
    ///
    /// let span = observa::Span::root("checkout", "shop")?;
    /// assert_eq!(Record::from(span).kind(), "span");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Log { .. } => "log_entry",
            Record::Span { .. } => "span",
        }
    }

    /// The W3C trace flags, when known.
    ///
    /// ```
    /// use observa::sinks::Record;
    ///
    /// let span = observa::Span::root("checkout", "shop")?;
    /// let record = Record::Span { span, trace_flags: Some(0x01) };
    /// assert_eq!(record.trace_flags(), Some(1));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn trace_flags(&self) -> Option<u8> {
        match self {
            Record::Log { trace_flags, .. } | Record::Span { trace_flags, .. } => *trace_flags,
        }
    }
}

impl From<LogEntry> for Record {
    fn from(entry: LogEntry) -> Record {
        Record::Log {
            entry,
            trace_flags: None,
        }
    }
}

impl From<Span> for Record {
    fn from(span: Span) -> Record {
        Record::Span {
            span,
            trace_flags: None,
        }
    }
}

/// The sink port: writes records somewhere, one at a time, on the thread
/// that owns it (a [`QueuedSink`]'s writer thread).
///
/// `write` may buffer; `flush` must push everything written so far to its
/// destination. Errors are returned, never panicked; the queue counts them
/// as drops with reason `io_error`.
///
/// ```
/// use std::io;
/// use observa::sinks::{Record, Sink};
///
/// /// Counts records instead of writing them.
/// struct Counting(usize);
///
/// impl Sink for Counting {
///     fn write(&mut self, _record: &Record) -> io::Result<()> {
///         self.0 += 1;
///         Ok(())
///     }
/// }
///
/// let mut sink = Counting(0);
/// sink.write(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into())?;
/// sink.flush()?;
/// assert_eq!(sink.0, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Sink: Send + 'static {
    /// Writes (or buffers) one record.
    ///
    /// ```
    /// use observa::sinks::{MemorySink, Resource, Sink};
    ///
    /// let mut sink: Box<dyn Sink> = Box::new(MemorySink::new(Resource::new("shop", "1"), 10));
    /// sink.write(&observa::Span::root("op", "shop")?.into())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn write(&mut self, record: &Record) -> io::Result<()>;

    /// Pushes buffered records to their destination. The default does nothing.
    ///
    /// ```
    /// use observa::sinks::{ConsoleFormat, ConsoleSink, Resource, Sink};
    ///
    /// let mut sink = ConsoleSink::new(std::io::sink(), Resource::new("shop", "1"), ConsoleFormat::Json);
    /// sink.flush()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for Box<dyn Sink> {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        (**self).write(record)
    }
    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }
}
