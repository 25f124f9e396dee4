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

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{Clock, RotationPolicy, SystemClock};

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
    /// `None` between a rotation and the next line (the active file is
    /// closed before it is renamed, as Windows requires).
    file: Option<BufWriter<File>>,
    size: u64,
    period: Option<i64>,
    next_seq: u64,
    rotation_errors: u64,
    policy: RotationPolicy,
    clock: Box<dyn Clock>,
}

impl RotatingFile {
    /// Opens (appending) or creates `path` with the system clock.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-1-{}.log", std::process::id()));
    /// let file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// assert_eq!(file.path(), path);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(path: impl Into<PathBuf>, policy: RotationPolicy) -> io::Result<RotatingFile> {
        RotatingFile::open_with_clock(path, policy, SystemClock)
    }

    /// Opens (appending) or creates `path`, reading the time from `clock`.
    /// A file that already exists counts as opened in the current period.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-2-{}.log", std::process::id()));
    /// let file = RotatingFile::open_with_clock(&path, RotationPolicy::new(), observa::sinks::SystemClock)?;
    /// assert!(file.rotated_files()?.is_empty());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
            file: Some(BufWriter::with_capacity(BUFFER, file)),
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
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-3-{}.log", std::process::id()));
    /// let mut file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// file.write_line(b"hello\n")?;
    /// file.flush()?;
    /// assert_eq!(std::fs::read_to_string(&path)?, "hello\n");
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
        self.writer()?.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }

    /// Writes buffered lines to the file.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-4-{}.log", std::process::id()));
    /// let mut file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// file.write_line(b"buffered\n")?;
    /// file.flush()?;
    /// assert_eq!(std::fs::metadata(&path)?.len(), 9);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }

    /// Rotates now (if the active file has anything in it). The new active
    /// file is created by the next line.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-5-{}.log", std::process::id()));
    /// let mut file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// file.rotate()?;
    /// assert!(file.rotated_files()?.is_empty(), "an empty file is not rotated");
    /// file.write_line(b"x\n")?;
    /// file.rotate()?;
    /// let rotated = file.rotated_files()?;
    /// assert_eq!(rotated.len(), 1);
    /// # for p in rotated { std::fs::remove_file(p)?; }
    /// # let _ = std::fs::remove_file(&path);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rotate(&mut self) -> io::Result<()> {
        if self.size == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        self.rotate_at(now)
    }

    /// How many rotations failed (the lines went to the active file instead).
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-6-{}.log", std::process::id()));
    /// let file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// assert_eq!(file.rotation_errors(), 0);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rotation_errors(&self) -> u64 {
        self.rotation_errors
    }

    /// The active file.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-7-{}.log", std::process::id()));
    /// let file = RotatingFile::open(&path, RotationPolicy::new())?;
    /// assert!(file.path().exists());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.active
    }

    /// The rotated files in the active file's directory, oldest first.
    ///
    /// ```
    /// use observa::sinks::{RotatingFile, RotationPolicy};
    ///
    /// let path = std::env::temp_dir().join(format!("observa-doc-rotating-8-{}.log", std::process::id()));
    /// let mut file = RotatingFile::open(&path, RotationPolicy::new().max_bytes(2))?;
    /// for line in [b"a\n", b"b\n", b"c\n"] {
    ///     file.write_line(line)?;
    /// }
    /// let rotated = file.rotated_files()?;
    /// assert_eq!(std::fs::read_to_string(&rotated[0])?, "a\n");
    /// # for p in rotated { std::fs::remove_file(p)?; }
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rotated_files(&self) -> io::Result<Vec<PathBuf>> {
        Ok(self.rotated()?.into_iter().map(|r| r.path).collect())
    }

    fn period_of(&self, now: DateTime<Utc>) -> Option<i64> {
        let every = self.policy.every?;
        let millis = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
        Some(now.timestamp_millis().div_euclid(millis))
    }

    /// The open active file, reopened (appending) if a rotation closed it.
    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            let file = OpenOptions::new().create(true).append(true).open(&self.active)?;
            self.size = file.metadata()?.len();
            self.file = Some(BufWriter::with_capacity(BUFFER, file));
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the active log file is not open"))
    }

    fn rotate_at(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            if let Err(e) = file.flush() {
                self.file = Some(file);
                return Err(e);
            }
            // Dropping the writer closes the file before the rename.
        }
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

/// The write buffer: lines reach the file at each flush or when it fills.
const BUFFER: usize = 64 * 1024;

struct Rotated {
    path: PathBuf,
    seq: u64,
    closed: DateTime<Utc>,
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod tests;
