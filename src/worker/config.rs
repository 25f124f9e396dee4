//! [`WorkerConfig`]: how to start a [`Worker`], now or with its first item.

use std::io;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex};

use super::{thread, Consumer, Consuming, Loss, LossHook, Phase, Shared, State, Worker};

/// How to start a [`Worker`]: its thread's name, its capacity, its batch
/// size and who hears of lost items.
pub(crate) struct WorkerConfig<T> {
    name: String,
    capacity: usize,
    max_batch: usize,
    on_loss: Option<LossHook<T>>,
}

impl<T: Send + 'static> WorkerConfig<T> {
    /// A thread named `name` behind a queue holding `capacity` items (at
    /// least 1: waiting plus being consumed), taking all it finds at once.
    pub(crate) fn new(name: impl Into<String>, capacity: usize) -> WorkerConfig<T> {
        WorkerConfig {
            name: name.into(),
            capacity: capacity.max(1),
            max_batch: usize::MAX,
            on_loss: None,
        }
    }

    /// Takes at most `max_batch` items (at least 1) at a time.
    pub(crate) fn batch(mut self, max_batch: usize) -> WorkerConfig<T> {
        self.max_batch = max_batch.max(1);
        self
    }

    /// Calls `hook` with every lost item (beyond the worker's own counts):
    /// on the sending thread for [`Loss::Full`], on the closing one for
    /// [`Loss::Abandoned`].
    pub(crate) fn on_loss(mut self, hook: impl Fn(&T, Loss) + Send + Sync + 'static) -> WorkerConfig<T> {
        self.on_loss = Some(Box::new(hook));
        self
    }

    /// Starts the thread; fails only if it cannot be spawned.
    pub(crate) fn spawn<C: Consumer<T>>(self, consumer: C) -> io::Result<Worker<T, C>> {
        let worker = self.build(consumer, Phase::Busy);
        let thread = spawn_thread(&worker.name, &worker.shared)?;
        *worker.thread.lock() = Some(thread);
        Ok(worker)
    }

    /// A worker whose thread starts with the first item; if it cannot be
    /// spawned, that item is consumed on the sending thread.
    pub(crate) fn lazy<C: Consumer<T>>(self, consumer: C) -> Worker<T, C> {
        self.build(consumer, Phase::NotStarted)
    }

    fn build<C: Consumer<T>>(self, consumer: C, phase: Phase) -> Worker<T, C> {
        Worker {
            name: self.name,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: Vec::new(),
                    limit: self.capacity,
                    finished: 0,
                    in_flight: 0,
                    phase,
                    closing: false,
                    exited: false,
                }),
                work: Condvar::new(),
                progress: Condvar::new(),
                consuming: Mutex::new(Consuming {
                    consumer,
                    batch: Vec::new(),
                }),
                capacity: self.capacity,
                max_batch: self.max_batch,
                on_loss: self.on_loss,
                dropped: AtomicU64::new(0),
                abandoned: AtomicU64::new(0),
                panicked: AtomicU64::new(0),
            }),
            thread: Mutex::new(None),
        }
    }
}

pub(super) fn spawn_thread<T: Send + 'static, C: Consumer<T>>(
    name: &str,
    shared: &Arc<Shared<T, C>>,
) -> io::Result<JoinHandle<()>> {
    let for_thread = Arc::clone(shared);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || thread::consume_until_closed(&for_thread))
}
