//! [`ConsoleSink`]: a readable (optionally coloured) line per record on a
//! terminal, JSON lines otherwise.

use std::io::{self, BufWriter, IsTerminal, Stderr, Write};

use chrono::{DateTime, SecondsFormat, Utc};

use super::{JsonEncoder, Record, Resource, Sink};
use crate::{LogEntry, LogLevel, Span, SpanStatus};

/// How a [`ConsoleSink`] writes each record.
///
/// ```
/// use observa::sinks::ConsoleFormat;
///
/// assert_ne!(ConsoleFormat::Json, ConsoleFormat::Pretty { colour: false });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleFormat {
    /// One JSON object per line, as [`JsonEncoder`] writes it.
    Json,
    /// `time LEVEL target message key=value ... trace_id=… span_id=…`,
    /// with ANSI colours when `colour` is set.
    Pretty {
        /// Colour the level, time and keys with ANSI escapes.
        colour: bool,
    },
}

/// Writes each record as one line to stderr or any `Write`.
///
/// [`ConsoleSink::stderr`] picks the format: a coloured readable line when
/// stderr is a terminal (plain when `NO_COLOR` is set), JSON lines when it is
/// a pipe or a file, so log collectors get JSON without configuration.
/// The stderr sink buffers; the [`QueuedSink`](super::QueuedSink) flushes
/// it after every batch.
///
/// ```
/// use observa::sinks::{ConsoleFormat, ConsoleSink, Resource, Sink};
/// use observa::{LogEntry, LogLevel};
///
/// let mut sink = ConsoleSink::new(Vec::new(), Resource::new("shop", "1.0"), ConsoleFormat::Pretty { colour: false });
/// let entry = LogEntry::builder(LogLevel::Warning, "retrying").field("attempt", 2).target("payments").build()?;
/// sink.write(&entry.into())?;
/// let text = String::from_utf8(sink.into_inner())?;
/// assert!(text.ends_with(" WARN  payments: retrying attempt=2\n"), "{text}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ConsoleSink<W> {
    out: W,
    format: ConsoleFormat,
    encoder: JsonEncoder,
    buf: Vec<u8>,
}

impl ConsoleSink<BufWriter<Stderr>> {
    /// A sink on stderr, pretty on a terminal and JSON otherwise.
    ///
    /// ```
    /// use observa::sinks::{ConsoleSink, QueuedSink, Resource};
    ///
    /// let sink = QueuedSink::spawn(ConsoleSink::stderr(Resource::new("shop", "1.0")), 10_000)?;
    /// sink.send(observa::LogEntry::new(observa::LogLevel::Info, "ready")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stderr(resource: Resource) -> Self {
        let stderr = io::stderr();
        let format = if stderr.is_terminal() {
            ConsoleFormat::Pretty {
                colour: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            }
        } else {
            ConsoleFormat::Json
        };
        ConsoleSink::new(BufWriter::new(stderr), resource, format)
    }
}

impl<W: Write + Send + 'static> ConsoleSink<W> {
    /// A sink writing `format` to `out`.
    ///
    /// ```
    /// use observa::sinks::{ConsoleFormat, ConsoleSink, Resource, Sink};
    ///
    /// let mut sink = ConsoleSink::new(Vec::new(), Resource::new("shop", "1"), ConsoleFormat::Json);
    /// sink.write(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into())?;
    /// assert_eq!(sink.into_inner().iter().filter(|&&b| b == b'\n').count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(out: W, resource: Resource, format: ConsoleFormat) -> Self {
        ConsoleSink {
            out,
            format,
            encoder: JsonEncoder::new(resource),
            buf: Vec::with_capacity(512),
        }
    }

    /// The format it writes.
    ///
    /// ```
    /// use observa::sinks::{ConsoleFormat, ConsoleSink, Resource};
    ///
    /// let sink = ConsoleSink::new(std::io::sink(), Resource::new("shop", "1"), ConsoleFormat::Json);
    /// assert_eq!(sink.format(), ConsoleFormat::Json);
    /// ```
    pub fn format(&self) -> ConsoleFormat {
        self.format
    }

    /// The writer back.
    ///
    /// ```
    /// use observa::sinks::{ConsoleFormat, ConsoleSink, Resource};
    ///
    /// let sink = ConsoleSink::new(Vec::<u8>::new(), Resource::new("shop", "1"), ConsoleFormat::Json);
    /// assert!(sink.into_inner().is_empty());
    /// ```
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write + Send + 'static> Sink for ConsoleSink<W> {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        self.buf.clear();
        match self.format {
            ConsoleFormat::Json => self.encoder.encode(record, Utc::now(), &mut self.buf),
            ConsoleFormat::Pretty { colour } => {
                let paint = Paint { colour };
                match record {
                    Record::Log { entry, .. } => pretty_log(&mut self.buf, entry, paint),
                    Record::Span { span, .. } => pretty_span(&mut self.buf, span, paint),
                }
                self.buf.push(b'\n');
            }
        }
        self.out.write_all(&self.buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[derive(Clone, Copy)]
struct Paint {
    colour: bool,
}

const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";

impl Paint {
    fn text(self, out: &mut Vec<u8>, style: &str, text: &str) {
        if self.colour {
            out.extend_from_slice(style.as_bytes());
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(b"\x1b[0m");
        } else {
            out.extend_from_slice(text.as_bytes());
        }
    }
}

fn level_style(level: LogLevel) -> (&'static str, &'static str) {
    match level {
        LogLevel::Trace => ("TRACE", DIM),
        LogLevel::Debug => ("DEBUG", "\x1b[34m"),
        LogLevel::Info => ("INFO ", "\x1b[32m"),
        LogLevel::Success => ("OK   ", "\x1b[1;32m"),
        LogLevel::Warning => ("WARN ", "\x1b[33m"),
        LogLevel::Error => ("ERROR", "\x1b[31m"),
        LogLevel::Critical => ("CRIT ", "\x1b[1;41;37m"),
    }
}

fn time(out: &mut Vec<u8>, at: DateTime<Utc>, paint: Paint) {
    paint.text(out, DIM, &at.to_rfc3339_opts(SecondsFormat::Millis, true));
    out.push(b' ');
}

/// Appends `text` on one line: control characters are escaped.
fn one_line(out: &mut Vec<u8>, text: &str) {
    if !text.chars().any(char::is_control) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for ch in text.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default().to_string().bytes());
        } else {
            let mut utf8 = [0; 4];
            out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
        }
    }
}

fn key_value(out: &mut Vec<u8>, key: &str, value: &str, paint: Paint) {
    out.push(b' ');
    paint.text(out, DIM, key);
    paint.text(out, DIM, "=");
    one_line(out, value);
}

fn pretty_log(out: &mut Vec<u8>, entry: &LogEntry, paint: Paint) {
    time(out, entry.timestamp(), paint);
    let (name, style) = level_style(entry.level());
    paint.text(out, style, name);
    out.push(b' ');
    if let Some(target) = entry.target() {
        paint.text(out, CYAN, target);
        out.extend_from_slice(b": ");
    }
    one_line(out, entry.message());
    for (key, value) in entry.fields() {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        key_value(out, key, &text, paint);
    }
    if let Some(id) = entry.correlation_id() {
        key_value(out, "correlation_id", id, paint);
    }
    if let Some(id) = entry.trace_id() {
        key_value(out, "trace_id", &id.to_string(), paint);
    }
    if let Some(id) = entry.span_id() {
        key_value(out, "span_id", &id.to_string(), paint);
    }
}

fn pretty_span(out: &mut Vec<u8>, span: &Span, paint: Paint) {
    time(out, span.start(), paint);
    paint.text(out, "\x1b[35m", "SPAN ");
    out.push(b' ');
    one_line(out, span.operation());
    if let Some(duration) = span.duration() {
        let micros = duration.num_microseconds().unwrap_or(i64::MAX);
        out.extend_from_slice(format!(" {}.{:03}ms", micros / 1000, micros % 1000).as_bytes());
    }
    let status_style = if span.status() == SpanStatus::Error {
        "\x1b[31m"
    } else {
        DIM
    };
    out.push(b' ');
    paint.text(out, status_style, span.status().as_str());
    key_value(out, "kind", span.kind().as_str(), paint);
    for (key, value) in span.attributes() {
        key_value(out, key, value, paint);
    }
    for event in span.events() {
        key_value(out, "event", event.name(), paint);
    }
    key_value(out, "trace_id", &span.trace_id().to_string(), paint);
    key_value(out, "span_id", &span.span_id().to_string(), paint);
    if let Some(parent) = span.parent_span_id() {
        key_value(out, "parent_span_id", &parent.to_string(), paint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SpanId, TraceId};

    fn pretty(record: Record, colour: bool) -> String {
        let mut sink = ConsoleSink::new(
            Vec::new(),
            Resource::new("shop", "1"),
            ConsoleFormat::Pretty { colour },
        );
        sink.write(&record).unwrap();
        String::from_utf8(sink.into_inner()).unwrap()
    }

    #[test]
    fn pretty_lines_stay_on_one_line_and_carry_the_ids() {
        let trace = TraceId::random();
        let span = SpanId::random();
        let entry = LogEntry::builder(LogLevel::Error, "bad\nthing")
            .field("path", "/a\r\nb")
            .trace(trace, Some(span))
            .build()
            .unwrap();
        let text = pretty(entry.into(), false);
        assert_eq!(text.matches('\n').count(), 1, "{text:?}");
        assert!(text.contains("ERROR bad\\nthing path=/a\\r\\nb"), "{text:?}");
        assert!(
            text.contains(&format!("trace_id={trace} span_id={span}")),
            "{text:?}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let entry = LogEntry::new(LogLevel::Warning, "w").unwrap();
        assert!(pretty(entry.clone().into(), true).contains("\x1b[33mWARN"));
        assert!(!pretty(entry.into(), false).contains('\x1b'));
    }

    #[test]
    fn spans_show_duration_status_and_parent() {
        let root = Span::root("checkout", "shop").unwrap();
        let child = root.child("charge").unwrap();
        let end = child.start() + chrono::Duration::microseconds(2_500);
        let done = child.finish_at(end, SpanStatus::Error).unwrap();
        let text = pretty(done.into(), false);
        assert!(
            text.contains("SPAN  charge 2.500ms error kind=internal"),
            "{text:?}"
        );
        assert!(
            text.contains(&format!("parent_span_id={}", root.span_id())),
            "{text:?}"
        );
    }

    #[test]
    fn json_format_writes_the_encoder_line() {
        let mut sink = ConsoleSink::new(Vec::new(), Resource::new("shop", "1"), ConsoleFormat::Json);
        sink.write(&LogEntry::new(LogLevel::Info, "hi").unwrap().into())
            .unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        let json: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(json["body"], "hi");
    }
}
