//! The worker's thread: waits for items (or a tick), takes a batch, hands
//! it to the consumer with every panic contained, and reports progress.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{Consumer, Consuming, During, Phase, Shared, LINGER};

/// What the thread does next.
enum Next {
    Tick,
    Batch,
    /// A drain on another thread took the items first.
    Nothing,
    Exit,
}

/// The thread: waits for items (or a tick), takes a batch, consumes it,
/// until closing began and the queue is empty.
pub(super) fn consume_until_closed<T, C: Consumer<T>>(shared: &Shared<T, C>) {
    loop {
        let tick = shared.consuming.lock().consumer.next_tick();
        wait_for_work(shared, tick);
        // Held while consuming, so a drain on another thread comes after.
        let mut consuming = shared.consuming.lock();
        let Consuming { consumer, batch } = &mut *consuming;
        match take(shared, consumer, batch) {
            Next::Exit => return,
            Next::Nothing => {}
            Next::Tick => call(shared, consumer, During::Tick, |c| c.tick()),
            Next::Batch => consume_batch(shared, consumer, batch),
        }
    }
}

/// Waits until there are items, closing began or the tick due at `tick`
/// is; lingers a moment before it sleeps until woken.
fn wait_for_work<T, C>(shared: &Shared<T, C>, tick: Option<Instant>) {
    let due = || tick.is_some_and(|at| Instant::now() >= at);
    let mut state = shared.state.lock();
    let mut lingered = false;
    while state.queue.is_empty() && !state.closing && !due() {
        if lingered {
            state.phase = Phase::Idle;
            match tick {
                Some(at) => {
                    shared.work.wait_until(&mut state, at);
                }
                None => shared.work.wait(&mut state),
            }
        } else {
            state.phase = Phase::Lingering;
            let until = Instant::now() + LINGER;
            let until = tick.map_or(until, |at| at.min(until));
            lingered = shared.work.wait_until(&mut state, until).timed_out();
        }
    }
    state.phase = Phase::Busy;
}

/// Takes the batch (into `batch`) if there is one to consume.
fn take<T, C: Consumer<T>>(shared: &Shared<T, C>, consumer: &C, batch: &mut Vec<T>) -> Next {
    let mut state = shared.state.lock();
    if !state.closing && consumer.next_tick().is_some_and(|at| Instant::now() >= at) {
        return Next::Tick;
    }
    if state.queue.is_empty() {
        if !state.closing {
            return Next::Nothing;
        }
        state.exited = true;
        shared.progress.notify_all();
        return Next::Exit;
    }
    if state.queue.len() <= shared.max_batch {
        std::mem::swap(&mut state.queue, batch);
    } else {
        // (only small batches come from the front of a longer queue: the
        // notifiers' one at a time)
        let max_batch = shared.max_batch;
        batch.extend(state.queue.drain(..max_batch));
    }
    state.take_in_flight(batch.len(), shared.capacity);
    Next::Batch
}

/// Consumes `batch` (taken from the queue and counted in flight), ends it,
/// and reports it finished. One `catch_unwind` per batch, not per item: a
/// panic is counted and the rest of the batch goes on.
pub(super) fn consume_batch<T, C: Consumer<T>>(shared: &Shared<T, C>, consumer: &mut C, batch: &mut Vec<T>) {
    // outside the unwinding closure: after a panic, the rest is still there
    let mut items = batch.drain(..);
    loop {
        let done = catch_unwind(AssertUnwindSafe(|| consumer.consume_all(&mut items)));
        if done.is_ok() {
            break;
        }
        panicked(shared, consumer, During::Consume);
    }
    drop(items);
    call(shared, consumer, During::EndBatch, |c| c.end_batch());
    let mut state = shared.state.lock();
    state.finish_in_flight(shared.capacity);
    shared.progress.notify_all();
}

/// Makes the consumer do `what`; if it panics, counts the panic and tells
/// the consumer (a panic in there is swallowed: the thread carries on).
fn call<T, C: Consumer<T>>(
    shared: &Shared<T, C>,
    consumer: &mut C,
    during: During,
    what: impl FnOnce(&mut C),
) {
    if catch_unwind(AssertUnwindSafe(|| what(consumer))).is_err() {
        panicked(shared, consumer, during);
    }
}

/// Counts a panic and tells the consumer (a panic in there is swallowed).
fn panicked<T, C: Consumer<T>>(shared: &Shared<T, C>, consumer: &mut C, during: During) {
    shared.panicked.fetch_add(1, Ordering::Relaxed);
    let _ = catch_unwind(AssertUnwindSafe(|| consumer.panicked(during)));
}
