//! When a [`RotatingFile`](super::RotatingFile) rotates and what it keeps,
//! and the [`Clock`] it reads the time from.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Where a [`RotatingFile`](super::RotatingFile) reads the time: inject one in tests so they
/// never sleep.
///
/// ```
/// use observa::sinks::{Clock, SystemClock};
///
/// assert!(SystemClock.now() <= chrono::Utc::now());
/// ```
pub trait Clock: Send + 'static {
    /// The current time.
    ///
    /// ```
    /// use observa::sinks::{Clock, SystemClock};
    ///
    /// let clock: Box<dyn Clock> = Box::new(SystemClock);
    /// assert!(clock.now().timestamp() > 0);
    /// ```
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
///
/// ```
/// use observa::sinks::{Clock, SystemClock};
///
/// let (a, b) = (SystemClock.now(), SystemClock.now());
/// assert!(a <= b);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// When a [`RotatingFile`](super::RotatingFile) rotates and what it keeps. Every rule is off
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
    pub(super) max_bytes: Option<u64>,
    pub(super) every: Option<Duration>,
    pub(super) keep_files: Option<usize>,
    pub(super) max_age: Option<Duration>,
}

impl RotationPolicy {
    /// No rotation and no retention: one ever-growing file.
    ///
    /// ```
    /// assert_eq!(observa::sinks::RotationPolicy::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Rotates before the file would exceed `bytes` (at least 1).
    ///
    /// ```
    /// use observa::sinks::RotationPolicy;
    ///
    /// assert_eq!(RotationPolicy::new().max_bytes(0), RotationPolicy::new().max_bytes(1));
    /// ```
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes.max(1));
        self
    }
    /// Rotates once per `period` (at least one millisecond), aligned to the Unix epoch.
    ///
    /// ```
    /// use std::time::Duration;
    /// use observa::sinks::RotationPolicy;
    ///
    /// let hourly = RotationPolicy::new().every(Duration::from_secs(3600));
    /// assert_ne!(hourly, RotationPolicy::new());
    /// ```
    pub fn every(mut self, period: Duration) -> Self {
        self.every = Some(period.max(Duration::from_millis(1)));
        self
    }
    /// Keeps at most `count` rotated files.
    ///
    /// ```
    /// let policy = observa::sinks::RotationPolicy::new().max_bytes(1 << 20).keep_files(10);
    /// assert_ne!(policy, observa::sinks::RotationPolicy::new().max_bytes(1 << 20));
    /// ```
    pub fn keep_files(mut self, count: usize) -> Self {
        self.keep_files = Some(count);
        self
    }
    /// Deletes rotated files closed more than `age` ago.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let week = observa::sinks::RotationPolicy::new().max_age(Duration::from_secs(7 * 24 * 3600));
    /// assert_ne!(week, observa::sinks::RotationPolicy::new());
    /// ```
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }
}
