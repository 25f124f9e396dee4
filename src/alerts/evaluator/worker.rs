//! [`RunningEvaluator`]: the evaluator on its own thread.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use parking_lot::Mutex;

use super::{Core, RuleStatus};
use crate::error::{ObsError, Result};

/// How long dropping a [`RunningEvaluator`] waits for its thread.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// An [`Evaluator`](super::Evaluator) stepping every interval on the thread
/// `observa-rule-evaluator`. Dropping it stops the thread and waits up to
/// [`STOP_TIMEOUT`] for it (a step in progress finishes first).
///
/// ```
/// # use std::time::Duration;
/// # use observa::alerts::{Evaluator, rules::{AlertRule, Query, Selector, RuleState}};
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// obs.metrics().gauge("depth", &[])?.set(5.0);
/// let rule = AlertRule::builder("Deep", Query::gauge(Selector::new("depth")?).above(1.0)?).build()?;
/// let running = Evaluator::new(obs.metrics(), obs.alerts(), vec![rule], Duration::from_secs(1))?.start()?;
/// let deadline = std::time::Instant::now() + Duration::from_secs(10);
/// while obs.alerts().active()?.is_empty() && std::time::Instant::now() < deadline {
///     std::thread::sleep(Duration::from_millis(20));
/// }
/// assert_eq!(running.statuses()[0].state, RuleState::Firing);
/// drop(running); // stops and joins the thread
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct RunningEvaluator {
    core: Arc<Core>,
    stop: Option<mpsc::Sender<()>>,
    /// Behind a mutex only so the handle is `Sync`.
    done: Mutex<mpsc::Receiver<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningEvaluator {
    pub(super) fn spawn(core: Arc<Core>) -> Result<RunningEvaluator> {
        let (stop, stopped) = mpsc::channel::<()>();
        let (finished, done) = mpsc::channel::<()>();
        let worker = Arc::clone(&core);
        let thread = std::thread::Builder::new()
            .name("observa-rule-evaluator".into())
            .spawn(move || {
                loop {
                    // failures are counted in the core; the next tick tries again
                    let _ = worker.step(Utc::now());
                    match stopped.recv_timeout(worker.interval()) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                let _ = finished.send(());
            })
            .map_err(|e| ObsError::configuration("evaluator thread", e.to_string()))?;
        Ok(RunningEvaluator {
            core,
            stop: Some(stop),
            done: Mutex::new(done),
            thread: Some(thread),
        })
    }

    /// Where each rule stands, in rule order.
    pub fn statuses(&self) -> Vec<RuleStatus> {
        self.core.statuses()
    }

    /// Stops the thread and waits up to `timeout`; whether it ended in time
    /// (if not, it is left to finish on its own).
    pub fn shutdown(mut self, timeout: Duration) -> bool {
        self.stop_and_join(timeout)
    }

    fn stop_and_join(&mut self, timeout: Duration) -> bool {
        let Some(thread) = self.thread.take() else {
            return true;
        };
        drop(self.stop.take());
        match self.done.get_mut().recv_timeout(timeout) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
        }
    }
}

impl Drop for RunningEvaluator {
    fn drop(&mut self) {
        self.stop_and_join(STOP_TIMEOUT);
    }
}

impl std::fmt::Debug for RunningEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEvaluator")
            .field("running", &self.thread.is_some())
            .finish()
    }
}
