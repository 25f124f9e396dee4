//! [`NotificationDispatcher`]: one bounded queue and one named delivery
//! thread per [`Notifier`], so the alert service never waits on I/O.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{Notification, Notifier, NotifyError, Outcome};
use crate::error::{ObsError, Result};
use crate::worker::{self, Consumer, During, Worker, WorkerConfig};

/// How long dropping a dispatcher waits, in all, for its queues to drain.
const DROP_DEADLINE: Duration = Duration::from_secs(5);

/// One notifier's delivery counts (`Dropped` and `Abandoned` are its
/// queue's) and latest error.
#[derive(Default)]
struct Stats {
    counts: [AtomicU64; Outcome::ALL.len()],
    /// Why the latest failed delivery or re-send failed.
    last_error: Mutex<Option<String>>,
}

impl Stats {
    fn count(&self, outcome: Outcome, n: u64) {
        self.counts[outcome.index()].fetch_add(n, Ordering::Relaxed);
    }

    fn fail(&self, reason: String) {
        self.count(Outcome::Failed, 1);
        *self.last_error.lock() = Some(reason);
    }
}

/// One notifier's queue, thread and counts.
struct Lane {
    name: String,
    stats: Arc<Stats>,
    worker: Worker<Arc<Notification>, Delivery>,
}

impl Lane {
    fn count(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Dropped => self.worker.dropped(),
            Outcome::Abandoned => self.worker.abandoned(),
            _ => self.stats.counts[outcome.index()].load(Ordering::Relaxed),
        }
    }
}

/// Hands each notification to every notifier, off the caller's thread.
///
/// Each notifier gets a queue of `capacity` notifications (waiting plus the
/// one being delivered) and its own thread named `observa-notify-<name>`,
/// so a slow webhook only delays and drops its own notifications.
/// [`dispatch`](Self::dispatch) takes one short lock per notifier and never
/// blocks; a full queue drops and counts ([`Outcome::Dropped`]).
/// Dropping the dispatcher delivers what is queued, within 5 seconds in all.
///
/// ```
/// use std::time::Duration;
/// use observa::alerts::notify::{ConsoleNotifier, Notification, NotificationDispatcher, Outcome};
///
/// let dispatcher = NotificationDispatcher::spawn(vec![Box::new(ConsoleNotifier::new(std::io::sink()))], 100)?;
/// let alert = observa::Alert::new("Disk full", "/var", observa::AlertSeverity::High)?;
/// assert_eq!(dispatcher.dispatch(Notification::new(alert)), 1);
/// assert!(dispatcher.flush(Duration::from_secs(5)));
/// assert_eq!(dispatcher.count("console", Outcome::Sent), 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct NotificationDispatcher {
    lanes: Vec<Lane>,
}

impl NotificationDispatcher {
    /// Starts one delivery thread per notifier, each behind a queue of
    /// `capacity` notifications (at least 1). Two notifiers with the same
    /// [`name`](Notifier::name), or a thread that cannot start, are a
    /// configuration error.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, NotificationDispatcher};
    ///
    /// let twice = NotificationDispatcher::spawn(
    ///     vec![Box::new(ConsoleNotifier::new(std::io::sink())), Box::new(ConsoleNotifier::new(std::io::sink()))],
    ///     10,
    /// );
    /// assert_eq!(twice.err().map(|e| e.code()), Some("configuration"));
    /// ```
    pub fn spawn(notifiers: Vec<Box<dyn Notifier>>, capacity: usize) -> Result<NotificationDispatcher> {
        let mut names = HashSet::new();
        if let Some(twice) = notifiers.iter().find(|n| !names.insert(n.name().to_owned())) {
            return Err(ObsError::configuration(
                "notifier",
                format!("two notifiers are named `{}`; rename one", twice.name()),
            ));
        }
        let mut dispatcher = NotificationDispatcher { lanes: Vec::new() };
        for notifier in notifiers {
            dispatcher.lanes.push(spawn_lane(notifier, capacity)?);
        }
        Ok(dispatcher)
    }

    /// Queues `notification` for every notifier; returns how many accepted
    /// it (the others were full: counted as [`Outcome::Dropped`]).
    ///
    /// ```
    /// use observa::alerts::notify::{Notification, NotificationDispatcher};
    ///
    /// let none = NotificationDispatcher::spawn(Vec::new(), 10)?;
    /// let alert = observa::Alert::new("t", "m", observa::AlertSeverity::Low)?;
    /// assert_eq!(none.dispatch(Notification::new(alert)), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn dispatch(&self, notification: Notification) -> usize {
        let shared = Arc::new(notification);
        self.lanes
            .iter()
            .filter(|lane| lane.worker.send(Arc::clone(&shared)))
            .count()
    }

    /// Waits until every notification dispatched before the call is
    /// delivered or failed, or `timeout` passes; `true` if all were.
    ///
    /// ```
    /// let dispatcher = observa::alerts::notify::NotificationDispatcher::spawn(Vec::new(), 10)?;
    /// assert!(dispatcher.flush(std::time::Duration::from_millis(10)));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = worker::deadline_after(timeout);
        // every lane gets its turn, even after one timed out (`&` does not short-circuit)
        self.lanes
            .iter()
            .fold(true, |all, lane| lane.worker.flush(deadline) & all)
    }

    /// Stops accepting, delivers what is queued until `timeout` passes,
    /// and stops the threads. What is still queued then is counted as
    /// [`Outcome::Abandoned`]. `true` if everything was delivered.
    ///
    /// ```
    /// let dispatcher = observa::alerts::notify::NotificationDispatcher::spawn(Vec::new(), 10)?;
    /// assert!(dispatcher.shutdown(std::time::Duration::from_secs(1)));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn shutdown(mut self, timeout: Duration) -> bool {
        self.close(timeout)
    }

    /// How many notifications had `outcome` at the notifier named `notifier`
    /// (0 for an unknown name).
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, NotificationDispatcher, Outcome};
    /// let d = NotificationDispatcher::spawn(vec![Box::new(ConsoleNotifier::new(std::io::sink()))], 1)?;
    /// assert_eq!(d.count("console", Outcome::Failed), 0);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn count(&self, notifier: &str, outcome: Outcome) -> u64 {
        self.lanes
            .iter()
            .find(|lane| lane.name == notifier)
            .map_or(0, |lane| lane.count(outcome))
    }

    /// Why the latest failed delivery (or re-send) of the notifier named
    /// `notifier` failed, if one did.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, NotificationDispatcher};
    /// let d = NotificationDispatcher::spawn(vec![Box::new(ConsoleNotifier::new(std::io::sink()))], 1)?;
    /// assert_eq!(d.last_error("console"), None);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn last_error(&self, notifier: &str) -> Option<String> {
        let lane = self.lanes.iter().find(|lane| lane.name == notifier)?;
        lane.stats.last_error.lock().clone()
    }

    /// Every (notifier, outcome, total), for `observa_notifications_total`.
    ///
    /// ```
    /// use observa::alerts::notify::{ConsoleNotifier, NotificationDispatcher};
    /// let d = NotificationDispatcher::spawn(vec![Box::new(ConsoleNotifier::new(std::io::sink()))], 1)?;
    /// assert!(d.counts().iter().all(|(name, _, n)| name == "console" && *n == 0));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn counts(&self) -> Vec<(String, Outcome, u64)> {
        let mut all = Vec::with_capacity(self.lanes.len() * Outcome::ALL.len());
        for lane in &self.lanes {
            for outcome in Outcome::ALL {
                all.push((lane.name.clone(), outcome, lane.count(outcome)));
            }
        }
        all
    }

    fn close(&mut self, timeout: Duration) -> bool {
        let deadline = worker::deadline_after(timeout);
        // every lane gets its turn, even after one timed out (`&` does not short-circuit)
        self.lanes
            .iter_mut()
            .fold(true, |all, lane| lane.worker.close(deadline) & all)
    }
}

impl Drop for NotificationDispatcher {
    fn drop(&mut self) {
        self.close(DROP_DEADLINE);
    }
}

impl std::fmt::Debug for NotificationDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.lanes.iter().map(|lane| lane.name.as_str()).collect();
        f.debug_struct("NotificationDispatcher")
            .field("notifiers", &names)
            .finish_non_exhaustive()
    }
}

/// Starts `notifier`'s thread, `observa-notify-<name>`, behind a queue of
/// `capacity` notifications, delivered one at a time.
fn spawn_lane(notifier: Box<dyn Notifier>, capacity: usize) -> Result<Lane> {
    let name = notifier.name().to_owned();
    let stats = Arc::new(Stats::default());
    let interval = notifier.resend_interval();
    let delivery = Delivery {
        notifier,
        stats: Arc::clone(&stats),
        interval,
        next_resend: interval.map(crate::worker::deadline_after),
    };
    let worker = WorkerConfig::new(format!("observa-notify-{name}"), capacity)
        .batch(1)
        .spawn(delivery)
        .map_err(|e| ObsError::configuration("notifier", format!("cannot start `{name}`'s thread: {e}")))?;
    Ok(Lane { name, stats, worker })
}

/// The delivery thread's side: delivers queued notifications in order and
/// re-sends on the notifier's schedule (a due re-send goes before the next
/// queued notification, so a busy queue cannot starve it).
struct Delivery {
    notifier: Box<dyn Notifier>,
    stats: Arc<Stats>,
    interval: Option<Duration>,
    next_resend: Option<Instant>,
}

impl Delivery {
    fn record<T>(&self, result: std::result::Result<T, NotifyError>, success: impl FnOnce(T)) {
        match result {
            Ok(value) => success(value),
            Err(e) => self.stats.fail(e.to_string()),
        }
    }
}

impl Consumer<Arc<Notification>> for Delivery {
    fn consume(&mut self, notification: Arc<Notification>) {
        let delivered = self.notifier.deliver(&notification);
        self.record(delivered, |()| self.stats.count(Outcome::Sent, 1));
    }

    fn next_tick(&self) -> Option<Instant> {
        self.next_resend
    }

    fn tick(&mut self) {
        let resent = self.notifier.resend();
        self.next_resend = self.interval.map(crate::worker::deadline_after);
        self.record(resent, |n| self.stats.count(Outcome::Resent, n as u64));
    }

    fn panicked(&mut self, during: During) {
        self.stats.fail("the notifier panicked".to_owned());
        if let During::Tick = during {
            self.next_resend = self.interval.map(crate::worker::deadline_after);
        }
    }
}

#[cfg(test)]
#[path = "dispatcher_tests.rs"]
mod tests;
