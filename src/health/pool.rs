//! [`Pool`]: a small, bounded set of worker threads that run probe tasks.
//!
//! Workers start on demand, up to the configured size, and retire after
//! [`IDLE_RETIREMENT`] without work, so an idle service holds no probe
//! thread. A task that never returns occupies one worker for good; the pool
//! never starts more than its size, so callers see their task not started
//! instead of the process growing threads.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// How long an idle worker waits for work before its thread ends.
pub(crate) const IDLE_RETIREMENT: Duration = Duration::from_secs(5);

/// A unit of work the pool runs once.
pub(crate) trait Task: Send + Sync + 'static {
    /// Runs the task on a worker thread. A panic is caught; the worker lives on.
    fn run(&self);
}

/// Why a task was not queued.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The queue holds its maximum number of tasks.
    QueueFull,
}

struct State<T> {
    queue: VecDeque<Arc<T>>,
    /// Workers alive (busy or idle).
    workers: usize,
    /// Workers waiting for a task.
    idle: usize,
    /// Set when the pool is dropped: idle workers end.
    closed: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    work: Condvar,
}

/// A fixed-size worker pool with a bounded queue.
pub(crate) struct Pool<T: Task> {
    shared: Arc<Shared<T>>,
    size: usize,
    max_queue: usize,
    idle_retirement: Duration,
}

impl<T: Task> Pool<T> {
    /// A pool of at most `size` workers (at least 1) and `max_queue` queued tasks.
    pub(crate) fn new(size: usize, max_queue: usize) -> Self {
        Self::retiring_after(size, max_queue, IDLE_RETIREMENT)
    }

    /// Like [`new`](Self::new), with idle workers ending after `idle_retirement`.
    fn retiring_after(size: usize, max_queue: usize, idle_retirement: Duration) -> Self {
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    workers: 0,
                    idle: 0,
                    closed: false,
                }),
                work: Condvar::new(),
            }),
            size: size.max(1),
            max_queue,
            idle_retirement,
        }
    }

    /// The most workers this pool runs at once.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Queues `task`, waking an idle worker or starting one while fewer than
    /// the pool's size are alive. When every worker is busy the task waits in
    /// the queue.
    pub(crate) fn submit(&self, task: Arc<T>) -> Result<(), Refused> {
        let mut state = self.shared.state.lock();
        if state.queue.len() >= self.max_queue {
            return Err(Refused::QueueFull);
        }
        state.queue.push_back(task);
        self.shared.work.notify_one();
        if state.idle < state.queue.len() && state.workers < self.size {
            state.workers += 1;
            let (shared, idle) = (Arc::clone(&self.shared), self.idle_retirement);
            let started = std::thread::Builder::new()
                .name("observa-probe".to_owned())
                .spawn(move || work(&shared, idle));
            if started.is_err() {
                // out of threads: the task waits for a running worker, or its
                // caller's deadline reports it not started
                state.workers -= 1;
            }
        }
        Ok(())
    }

    /// Takes `task` back if no worker has picked it up yet; `true` means it
    /// will never run.
    pub(crate) fn cancel(&self, task: &Arc<T>) -> bool {
        let mut state = self.shared.state.lock();
        let before = state.queue.len();
        state.queue.retain(|queued| !Arc::ptr_eq(queued, task));
        state.queue.len() < before
    }

    /// Workers alive now (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn workers(&self) -> usize {
        self.shared.state.lock().workers
    }
}

impl<T: Task> Drop for Pool<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.closed = true;
        state.queue.clear();
        self.shared.work.notify_all();
    }
}

fn work<T: Task>(shared: &Shared<T>, idle_retirement: Duration) {
    loop {
        let task = {
            let mut state = shared.state.lock();
            loop {
                if let Some(task) = state.queue.pop_front() {
                    break task;
                }
                if state.closed {
                    state.workers -= 1;
                    return;
                }
                state.idle += 1;
                let timed_out = shared.work.wait_for(&mut state, idle_retirement).timed_out();
                state.idle -= 1;
                if timed_out && state.queue.is_empty() {
                    state.workers -= 1;
                    return;
                }
            }
        };
        // the task reports its own panic; the worker only survives it
        let _ = catch_unwind(AssertUnwindSafe(|| task.run()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Instant;

    struct Blocker {
        release: Mutex<Option<mpsc::Receiver<()>>>,
        ran: AtomicUsize,
    }

    impl Task for Blocker {
        fn run(&self) {
            self.ran.fetch_add(1, Ordering::SeqCst);
            if let Some(release) = self.release.lock().take() {
                let _ = release.recv_timeout(Duration::from_secs(5));
            }
        }
    }

    fn blocker() -> (Arc<Blocker>, mpsc::Sender<()>) {
        let (send, recv) = mpsc::channel();
        let task = Arc::new(Blocker {
            release: Mutex::new(Some(recv)),
            ran: AtomicUsize::new(0),
        });
        (task, send)
    }

    fn wait_until(what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn never_more_workers_than_its_size_and_queued_tasks_can_be_cancelled() {
        let pool = Pool::new(2, 10);
        let (a, release_a) = blocker();
        let (b, release_b) = blocker();
        let (c, _release_c) = blocker();
        for task in [&a, &b, &c] {
            pool.submit(Arc::clone(task)).unwrap();
        }
        wait_until("two tasks running", || {
            a.ran.load(Ordering::SeqCst) + b.ran.load(Ordering::SeqCst) == 2
        });
        assert_eq!(pool.workers(), 2);
        assert_eq!(c.ran.load(Ordering::SeqCst), 0, "the third task waits");
        assert!(pool.cancel(&c), "a queued task is taken back");
        assert!(!pool.cancel(&a), "a running task cannot be");
        release_a.send(()).unwrap();
        release_b.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(c.ran.load(Ordering::SeqCst), 0, "a cancelled task never runs");
    }

    #[test]
    fn a_full_queue_refuses() {
        let pool = Pool::new(1, 1);
        let (a, release) = blocker();
        pool.submit(Arc::clone(&a)).unwrap();
        wait_until("the first task running", || a.ran.load(Ordering::SeqCst) == 1);
        let (b, _) = blocker();
        let (c, _) = blocker();
        pool.submit(b).unwrap();
        assert_eq!(pool.submit(c), Err(Refused::QueueFull));
        release.send(()).unwrap();
    }

    #[test]
    fn idle_workers_end_and_so_do_they_when_the_pool_goes() {
        let pool = Pool::retiring_after(2, 10, Duration::from_millis(30));
        let (a, release) = blocker();
        pool.submit(Arc::clone(&a)).unwrap();
        release.send(()).unwrap();
        wait_until("the idle worker to end", || pool.workers() == 0);
        let pool = Pool::new(2, 10);
        let shared = Arc::clone(&pool.shared);
        let (b, release) = blocker();
        pool.submit(Arc::clone(&b)).unwrap();
        release.send(()).unwrap();
        wait_until("the task to run", || b.ran.load(Ordering::SeqCst) == 1);
        drop(pool);
        wait_until("the worker to end with the pool", || {
            shared.state.lock().workers == 0
        });
    }

    struct Panics(AtomicUsize);
    impl Task for Panics {
        fn run(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
            panic!("task bug");
        }
    }

    #[test]
    fn a_panicking_task_does_not_cost_a_worker() {
        let pool = Pool::new(1, 10);
        let task = Arc::new(Panics(AtomicUsize::new(0)));
        pool.submit(Arc::clone(&task)).unwrap();
        pool.submit(Arc::clone(&task)).unwrap();
        wait_until("both runs", || task.0.load(Ordering::SeqCst) == 2);
        assert_eq!(pool.workers(), 1);
    }
}
