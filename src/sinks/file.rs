//! [`FileSink`]: JSON lines into a [`RotatingFile`].

use std::io;
use std::path::PathBuf;

use chrono::Utc;

use super::{JsonEncoder, Record, Resource, RotatingFile, RotationPolicy, Sink};

/// Writes every record as a JSON line (see [`JsonEncoder`]) to a
/// [`RotatingFile`]. Run it behind a [`QueuedSink`](super::QueuedSink): the
/// queue flushes it after every batch.
///
/// ```
/// use std::time::Duration;
/// use observa::sinks::{FileSink, QueuedSink, Resource, RotationPolicy};
/// use observa::{LogEntry, LogLevel};
///
/// let dir = std::env::temp_dir().join(format!("observa-doc-file-sink-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let policy = RotationPolicy::new().max_bytes(10 * 1024 * 1024).keep_files(5);
/// let file = FileSink::open(dir.join("app.log"), policy, Resource::new("shop", "1.0"))?;
/// let sink = QueuedSink::spawn(file, 10_000)?;
/// sink.send(LogEntry::new(LogLevel::Info, "saved to disk")?);
/// assert!(sink.shutdown(Duration::from_secs(5)));
/// let text = std::fs::read_to_string(dir.join("app.log"))?;
/// assert!(text.contains(r#""body":"saved to disk""#));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileSink {
    file: RotatingFile,
    encoder: JsonEncoder,
    buf: Vec<u8>,
}

impl FileSink {
    /// Opens (appending) or creates the file at `path`, rotating by `policy`.
    ///
    /// ```
    /// use observa::sinks::{FileSink, Resource, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-file-open-{}.log", std::process::id()));
    /// let sink = FileSink::open(&path, RotationPolicy::new(), Resource::new("shop", "1.0"))?;
    /// assert!(path.exists());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(
        path: impl Into<PathBuf>,
        policy: RotationPolicy,
        resource: Resource,
    ) -> io::Result<FileSink> {
        Ok(FileSink::new(RotatingFile::open(path, policy)?, resource))
    }

    /// Writes to an already opened file (for instance one with an injected clock).
    ///
    /// ```
    /// use observa::sinks::{FileSink, Resource, RotatingFile, RotationPolicy, SystemClock};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-file-new-{}.log", std::process::id()));
    /// let file = RotatingFile::open_with_clock(&path, RotationPolicy::new(), SystemClock)?;
    /// let sink = FileSink::new(file, Resource::new("shop", "1.0"));
    /// assert_eq!(sink.file().path(), path);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(file: RotatingFile, resource: Resource) -> FileSink {
        FileSink {
            file,
            encoder: JsonEncoder::new(resource),
            buf: Vec::with_capacity(512),
        }
    }

    /// The file it writes to.
    ///
    /// ```
    /// use observa::sinks::{FileSink, Resource, RotationPolicy, Sink};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-file-file-{}.log", std::process::id()));
    /// let mut sink = FileSink::open(&path, RotationPolicy::new(), Resource::new("shop", "1.0"))?;
    /// sink.write(&observa::LogEntry::new(observa::LogLevel::Info, "hi")?.into())?;
    /// sink.flush()?;
    /// assert!(std::fs::read_to_string(sink.file().path())?.contains(r#""body":"hi""#));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file(&self) -> &RotatingFile {
        &self.file
    }
}

impl Sink for FileSink {
    fn write(&mut self, record: &Record) -> io::Result<()> {
        self.buf.clear();
        self.encoder.encode(record, Utc::now(), &mut self.buf);
        self.file.write_line(&self.buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sinks::QueuedSink;
    use crate::{LogEntry, LogLevel};

    #[test]
    fn every_record_sent_reaches_the_rotated_files_once_and_in_order() {
        let dir = std::env::temp_dir().join(format!("observa-file-sink-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let policy = RotationPolicy::new().max_bytes(16 * 1024);
        let sink = FileSink::open(dir.join("app.log"), policy, Resource::new("shop", "1")).unwrap();
        let queued = QueuedSink::spawn(sink, 20_000).unwrap();
        const K: usize = 10_000;
        for i in 0..K {
            let entry = LogEntry::builder(LogLevel::Info, format!("n{i}"))
                .field("i", i)
                .build()
                .unwrap();
            assert!(queued.send(entry));
        }
        assert!(queued.shutdown(Duration::from_secs(30)));

        let file = RotatingFile::open(dir.join("app.log"), RotationPolicy::new()).unwrap();
        let mut paths = file.rotated_files().unwrap();
        assert!(paths.len() > 10, "{} rotations", paths.len());
        paths.push(file.path().to_path_buf());
        let mut seen = Vec::new();
        for path in paths {
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let json: serde_json::Value = serde_json::from_str(line).unwrap();
                seen.push(json["attributes"]["i"].as_u64().unwrap() as usize);
            }
        }
        assert_eq!(seen, (0..K).collect::<Vec<_>>());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
