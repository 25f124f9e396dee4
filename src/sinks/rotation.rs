//! [`RotatingFile`]: a line-oriented file that rotates by size and by time
//! and keeps a bounded number and age of rotated files.
//!
//! # File names
//!
//! The active file is the path given, say `logs/app.log`. Rotation renames
//! it to `logs/app.<seq>.<closed>.log`, where `<seq>` is a sequence number
//! (six digits at least, zero-padded, one more than the highest already in
//! the directory, so it keeps growing across restarts) and `<closed>` is the
//! UTC time of the rotation as `YYYYMMDDTHHMMSSZ`; for example
//! `app.000042.20261122T074410Z.log`. A path without an extension, `app`,
//! rotates to `app.000042.20261122T074410Z`. Ordering by `<seq>` is the order
//! the lines were written in; retention by age reads `<closed>`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Where a [`RotatingFile`] reads the time: inject one in tests so they
/// never sleep.
///
/// ```
/// use observa::sinks::{Clock, SystemClock};
///
/// assert!(SystemClock.now() <= chrono::Utc::now());
/// ```
pub trait Clock: Send + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// When a [`RotatingFile`] rotates and what it keeps. Every rule is off
/// until set; rotation happens when any rule that is set says so.
///
/// - [`max_bytes`](RotationPolicy::max_bytes): rotate before a line would
///   take the file past this size (a line is never split; a line longer than
///   the limit gets a file of its own).
/// - [`every`](RotationPolicy::every): rotate at the first line written in a
///   new period; periods are whole multiples of the duration since the Unix
///   epoch, UTC (so `every(1 day)` rotates at midnight UTC). Empty files are
///   not rotated.
/// - [`keep_files`](RotationPolicy::keep_files): keep at most this many
///   rotated files (the active file is not counted); the oldest go first.
/// - [`max_age`](RotationPolicy::max_age): delete rotated files closed longer ago than this.
///
/// Retention runs when the file is opened and after every rotation.
///
/// ```
/// use std::time::Duration;
/// use observa::sinks::RotationPolicy;
///
/// let policy = RotationPolicy::new()
///     .max_bytes(10 * 1024 * 1024)
///     .every(Duration::from_secs(24 * 3600))
///     .keep_files(7)
///     .max_age(Duration::from_secs(30 * 24 * 3600));
/// assert_eq!(policy, policy.clone());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotationPolicy {
    max_bytes: Option<u64>,
    every: Option<Duration>,
    keep_files: Option<usize>,
    max_age: Option<Duration>,
}

impl RotationPolicy {
    /// No rotation and no retention: one ever-growing file.
    pub fn new() -> Self {
        Self::default()
    }
    /// Rotates before the file would exceed `bytes` (at least 1).
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes.max(1));
        self
    }
    /// Rotates once per `period` (at least one millisecond), aligned to the Unix epoch.
    pub fn every(mut self, period: Duration) -> Self {
        self.every = Some(period.max(Duration::from_millis(1)));
        self
    }
    /// Keeps at most `count` rotated files.
    pub fn keep_files(mut self, count: usize) -> Self {
        self.keep_files = Some(count);
        self
    }
    /// Deletes rotated files closed more than `age` ago.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }
}

/// A file written one whole line at a time that rotates by size and time
/// and applies retention (see [`RotationPolicy`] and the module docs for the
/// names). Lines are buffered; [`flush`](RotatingFile::flush) writes them
/// out. Rotation flushes, renames and reopens, so no line is lost or split.
///
/// ```
/// use observa::sinks::{RotatingFile, RotationPolicy};
///
/// let dir = std::env::temp_dir().join(format!("observa-doc-rotation-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let mut file = RotatingFile::open(dir.join("app.log"), RotationPolicy::new().max_bytes(16).keep_files(2))?;
/// for i in 0..10 {
///     file.write_line(format!("line {i}\n").as_bytes())?;
/// }
/// file.flush()?;
/// assert_eq!(file.rotated_files()?.len(), 2);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct RotatingFile {
    active: PathBuf,
    stem: String,
    extension: String,
    file: BufWriter<File>,
    size: u64,
    period: Option<i64>,
    next_seq: u64,
    rotation_errors: u64,
    policy: RotationPolicy,
    clock: Box<dyn Clock>,
}

impl RotatingFile {
    /// Opens (appending) or creates `path` with the system clock.
    pub fn open(path: impl Into<PathBuf>, policy: RotationPolicy) -> io::Result<RotatingFile> {
        RotatingFile::open_with_clock(path, policy, SystemClock)
    }

    /// Opens (appending) or creates `path`, reading the time from `clock`.
    /// A file that already exists counts as opened in the current period.
    pub fn open_with_clock(
        path: impl Into<PathBuf>,
        policy: RotationPolicy,
        clock: impl Clock,
    ) -> io::Result<RotatingFile> {
        let active = path.into();
        let name = |part: Option<&std::ffi::OsStr>| part.map(|p| p.to_string_lossy().into_owned());
        let stem = name(active.file_stem())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the log path has no file name"))?;
        let extension = name(active.extension())
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let file = OpenOptions::new().create(true).append(true).open(&active)?;
        let size = file.metadata()?.len();
        let mut rotating = RotatingFile {
            active,
            stem,
            extension,
            file: BufWriter::with_capacity(64 * 1024, file),
            size,
            period: None,
            next_seq: 1,
            rotation_errors: 0,
            policy,
            clock: Box::new(clock),
        };
        let now = rotating.clock.now();
        rotating.period = rotating.period_of(now);
        rotating.next_seq = rotating.rotated()?.last().map_or(1, |r| r.seq + 1);
        rotating.apply_retention(now);
        Ok(rotating)
    }

    /// Writes one line (it should end with `\n`), rotating first if the
    /// policy says so. If rotation fails (say the directory became read-only
    /// for renames), the line still goes to the active file, the failure is
    /// counted in [`rotation_errors`](RotatingFile::rotation_errors), and
    /// rotation is tried again at the next line.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let now = self.clock.now();
        let period = self.period_of(now);
        let new_period = period != self.period;
        let too_big = self
            .policy
            .max_bytes
            .is_some_and(|max| self.size + line.len() as u64 > max);
        if self.size > 0 && (new_period || too_big) && self.rotate_at(now).is_err() {
            self.rotation_errors += 1;
        }
        self.period = period;
        self.file.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }

    /// Writes buffered lines to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    /// Rotates now (if the active file has anything in it).
    pub fn rotate(&mut self) -> io::Result<()> {
        if self.size == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        self.rotate_at(now)
    }

    /// How many rotations failed (the lines went to the active file instead).
    pub fn rotation_errors(&self) -> u64 {
        self.rotation_errors
    }

    /// The active file.
    pub fn path(&self) -> &Path {
        &self.active
    }

    /// The rotated files in the active file's directory, oldest first.
    pub fn rotated_files(&self) -> io::Result<Vec<PathBuf>> {
        Ok(self.rotated()?.into_iter().map(|r| r.path).collect())
    }

    fn period_of(&self, now: DateTime<Utc>) -> Option<i64> {
        let every = self.policy.every?;
        let millis = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
        Some(now.timestamp_millis().div_euclid(millis))
    }

    fn rotate_at(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        self.file.flush()?;
        let closed = now.format("%Y%m%dT%H%M%SZ");
        let name = format!("{}.{:06}.{closed}{}", self.stem, self.next_seq, self.extension);
        let target = self.active.with_file_name(name);
        if target.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("rotated file {} already exists", target.display()),
            ));
        }
        fs::rename(&self.active, &target)?;
        self.next_seq += 1;
        let file = OpenOptions::new().create(true).append(true).open(&self.active)?;
        // The old writer is empty (flushed above); replacing it writes nothing.
        self.file = BufWriter::with_capacity(64 * 1024, file);
        self.size = 0;
        self.apply_retention(now);
        Ok(())
    }

    /// Deletes rotated files beyond the count and age limits. A file that
    /// cannot be deleted now is tried again at the next rotation.
    fn apply_retention(&self, now: DateTime<Utc>) {
        if self.policy.keep_files.is_none() && self.policy.max_age.is_none() {
            return;
        }
        let Ok(rotated) = self.rotated() else { return };
        let excess = self
            .policy
            .keep_files
            .map_or(0, |keep| rotated.len().saturating_sub(keep));
        let oldest_kept = self
            .policy
            .max_age
            .and_then(|age| chrono::Duration::from_std(age).ok())
            .and_then(|age| now.checked_sub_signed(age));
        for (i, file) in rotated.iter().enumerate() {
            let too_old = oldest_kept.is_some_and(|limit| file.closed < limit);
            if i < excess || too_old {
                let _ = fs::remove_file(&file.path);
            }
        }
    }

    /// Rotated files of this stem and extension, by sequence number.
    fn rotated(&self) -> io::Result<Vec<Rotated>> {
        let dir = match self.active.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut found = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if let Some(rotated) = self.parse_name(&entry.file_name().to_string_lossy()) {
                found.push(Rotated {
                    path: entry.path(),
                    ..rotated
                });
            }
        }
        found.sort_by_key(|r| r.seq);
        Ok(found)
    }

    /// Reads `<stem>.<seq>.<YYYYMMDDTHHMMSSZ><extension>`.
    fn parse_name(&self, name: &str) -> Option<Rotated> {
        let middle = name
            .strip_prefix(self.stem.as_str())?
            .strip_prefix('.')?
            .strip_suffix(self.extension.as_str())?;
        let (seq, closed) = middle.split_once('.')?;
        if seq.len() < 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let closed = NaiveDateTime::parse_from_str(closed, "%Y%m%dT%H%M%SZ").ok()?;
        Some(Rotated {
            path: PathBuf::new(),
            seq: seq.parse().ok()?,
            closed: closed.and_utc(),
        })
    }
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFile")
            .field("path", &self.active)
            .field("size", &self.size)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

struct Rotated {
    path: PathBuf,
    seq: u64,
    closed: DateTime<Utc>,
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod tests;
