//! [`NotificationDispatcher`]: one bounded queue and one named delivery
//! thread per [`Notifier`], so the alert service never waits on I/O.

use std::collections::{HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::{Notification, Notifier, NotifyError, Outcome};
use crate::error::{ObsError, Result};

/// How long dropping a dispatcher waits, in all, for its queues to drain.
const DROP_DEADLINE: Duration = Duration::from_secs(5);

struct State {
    queue: VecDeque<Arc<Notification>>,
    /// Notifications accepted so far.
    accepted: u64,
    /// Notifications delivered, failed or abandoned.
    finished: u64,
    /// Whether the thread holds one it took from the queue.
    in_flight: bool,
    closing: bool,
    exited: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the delivery thread: work arrived, or shutdown began.
    work: Condvar,
    /// Wakes flushers: `finished` moved, or the thread exited.
    progress: Condvar,
    counts: [AtomicU64; Outcome::ALL.len()],
    /// Why the latest failed delivery or re-send failed.
    last_error: Mutex<Option<String>>,
    capacity: usize,
}

impl Shared {
    fn count(&self, outcome: Outcome, n: u64) {
        self.counts[outcome.index()].fetch_add(n, Ordering::Relaxed);
    }

    /// Counts the result of a delivery (`ok` = `success`) or a re-send.
    fn record<T>(
        &self,
        result: std::thread::Result<std::result::Result<T, NotifyError>>,
        success: impl FnOnce(T),
    ) {
        match result {
            Ok(Ok(value)) => success(value),
            Ok(Err(e)) => self.fail(e.to_string()),
            Err(_) => self.fail("the notifier panicked".to_owned()),
        }
    }

    fn fail(&self, reason: String) {
        self.count(Outcome::Failed, 1);
        *self.last_error.lock() = Some(reason);
    }
}

struct Worker {
    name: String,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
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
    workers: Vec<Worker>,
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
        let mut dispatcher = NotificationDispatcher { workers: Vec::new() };
        for notifier in notifiers {
            dispatcher.workers.push(Worker::spawn(notifier, capacity.max(1))?);
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
        self.workers.iter().filter(|w| w.send(&shared)).count()
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
        let deadline = Instant::now() + timeout;
        // every worker gets its turn, even after one timed out
        let done: Vec<bool> = self.workers.iter().map(|w| w.flush(deadline)).collect();
        done.into_iter().all(|d| d)
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
        self.workers
            .iter()
            .find(|w| w.name == notifier)
            .map_or(0, |w| w.shared.counts[outcome.index()].load(Ordering::Relaxed))
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
        let worker = self.workers.iter().find(|w| w.name == notifier)?;
        worker.shared.last_error.lock().clone()
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
        let mut all = Vec::with_capacity(self.workers.len() * Outcome::ALL.len());
        for worker in &self.workers {
            for outcome in Outcome::ALL {
                let n = worker.shared.counts[outcome.index()].load(Ordering::Relaxed);
                all.push((worker.name.clone(), outcome, n));
            }
        }
        all
    }

    fn close(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        // every worker gets its turn, even after one timed out
        let done: Vec<bool> = self.workers.iter_mut().map(|w| w.close(deadline)).collect();
        done.into_iter().all(|d| d)
    }
}

impl Drop for NotificationDispatcher {
    fn drop(&mut self) {
        self.close(DROP_DEADLINE);
    }
}

impl std::fmt::Debug for NotificationDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.workers.iter().map(|w| w.name.as_str()).collect();
        f.debug_struct("NotificationDispatcher")
            .field("notifiers", &names)
            .finish_non_exhaustive()
    }
}

impl Worker {
    fn spawn(notifier: Box<dyn Notifier>, capacity: usize) -> Result<Worker> {
        let name = notifier.name().to_owned();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                accepted: 0,
                finished: 0,
                in_flight: false,
                closing: false,
                exited: false,
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            counts: Default::default(),
            last_error: Mutex::new(None),
            capacity,
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("observa-notify-{name}"))
            .spawn(move || deliver_until_closed(&for_thread, notifier))
            .map_err(|e| {
                ObsError::configuration("notifier", format!("cannot start `{name}`'s thread: {e}"))
            })?;
        Ok(Worker {
            name,
            shared,
            thread: Some(thread),
        })
    }

    fn send(&self, notification: &Arc<Notification>) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        if state.closing || state.queue.len() + usize::from(state.in_flight) >= shared.capacity {
            drop(state);
            shared.count(Outcome::Dropped, 1);
            return false;
        }
        state.queue.push_back(Arc::clone(notification));
        state.accepted += 1;
        drop(state);
        shared.work.notify_one();
        true
    }

    fn flush(&self, deadline: Instant) -> bool {
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        let target = state.accepted;
        while state.finished < target && !state.exited {
            if shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        state.finished >= target
    }

    fn close(&mut self, deadline: Instant) -> bool {
        let Some(thread) = self.thread.take() else {
            return true;
        };
        let shared = &*self.shared;
        let mut state = shared.state.lock();
        state.closing = true;
        shared.work.notify_one();
        while !state.exited {
            if shared.progress.wait_until(&mut state, deadline).timed_out() {
                break;
            }
        }
        if state.exited {
            drop(state);
            let _ = thread.join();
            return true;
        }
        // The thread is stuck in its notifier: give up on what it has not taken.
        let abandoned = state.queue.len() as u64;
        state.queue.clear();
        state.finished += abandoned;
        drop(state);
        shared.count(Outcome::Abandoned, abandoned);
        false
    }
}

/// The delivery thread: delivers queued notifications in order and re-sends
/// on the notifier's schedule (a due re-send goes before the next queued
/// notification), until shutdown empties the queue.
fn deliver_until_closed(shared: &Shared, mut notifier: Box<dyn Notifier>) {
    let interval = notifier.resend_interval();
    let mut next_resend = interval.map(|every| Instant::now() + every);
    loop {
        let next = {
            let mut state = shared.state.lock();
            loop {
                if !state.queue.is_empty() || state.closing {
                    break;
                }
                match next_resend {
                    Some(at) if Instant::now() >= at => break,
                    Some(at) => {
                        shared.work.wait_until(&mut state, at);
                    }
                    None => shared.work.wait(&mut state),
                }
            }
            let resend_due = next_resend.is_some_and(|at| Instant::now() >= at);
            // a due re-send goes first, so a busy queue cannot starve it
            let taken = if resend_due && !state.closing {
                None
            } else {
                state.queue.pop_front()
            };
            match taken {
                Some(next) => {
                    state.in_flight = true;
                    Some(next)
                }
                None if state.closing => {
                    state.exited = true;
                    shared.progress.notify_all();
                    return;
                }
                None => None,
            }
        };
        match next {
            Some(notification) => {
                let delivered = catch_unwind(AssertUnwindSafe(|| notifier.deliver(&notification)));
                shared.record(delivered, |()| shared.count(Outcome::Sent, 1));
                let mut state = shared.state.lock();
                state.in_flight = false;
                state.finished += 1;
                shared.progress.notify_all();
            }
            None => {
                let resent = catch_unwind(AssertUnwindSafe(|| notifier.resend()));
                shared.record(resent, |n| shared.count(Outcome::Resent, n as u64));
                next_resend = interval.map(|every| Instant::now() + every);
            }
        }
    }
}

#[cfg(test)]
#[path = "dispatcher_tests.rs"]
mod tests;
