//! The worker's thread: waits for items (or a tick), takes a batch, hands
//! it to the consumer with every panic contained, and reports progress.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{Consumer, During, Phase, Shared, LINGER};

/// What the thread does next.
enum Next {
    Tick,
    Batch,
    Exit,
}

/// The thread: waits for items (or a tick), takes a batch, consumes it,
/// until closing began and the queue is empty.
pub(super) fn consume_until_closed<T, C: Consumer<T>>(shared: &Shared<T>, mut consumer: C) {
    let mut batch = VecDeque::new();
    loop {
        match next(shared, &consumer, &mut batch) {
            Next::Exit => return,
            Next::Tick => call(shared, &mut consumer, During::Tick),
            Next::Batch => {
                for item in &batch {
                    call(shared, &mut consumer, During::Consume(item));
                }
                call(shared, &mut consumer, During::EndBatch);
                let taken = batch.len() as u64;
                batch.clear();
                let mut state = shared.state.lock();
                state.finished += taken;
                state.in_flight = 0;
                shared.progress.notify_all();
            }
        }
    }
}

/// Waits until there is something to do, and takes the batch if that is it.
fn next<T, C: Consumer<T>>(shared: &Shared<T>, consumer: &C, batch: &mut VecDeque<T>) -> Next {
    let due = || consumer.next_tick().is_some_and(|at| Instant::now() >= at);
    let mut state = shared.state.lock();
    let mut lingered = false;
    while state.queue.is_empty() && !state.closing && !due() {
        let tick = consumer.next_tick();
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
    if !state.closing && due() {
        return Next::Tick;
    }
    if state.queue.is_empty() {
        state.exited = true;
        shared.progress.notify_all();
        return Next::Exit;
    }
    if state.queue.len() <= shared.max_batch {
        std::mem::swap(&mut state.queue, batch);
    } else {
        let max_batch = shared.max_batch;
        batch.extend(state.queue.drain(..max_batch));
    }
    state.in_flight = batch.len();
    Next::Batch
}

/// Makes the consumer call `what`; if it panics, counts the panic and tells
/// the consumer (a panic in there is swallowed: the thread carries on).
fn call<T, C: Consumer<T>>(shared: &Shared<T>, consumer: &mut C, what: During<'_, T>) {
    let called = catch_unwind(AssertUnwindSafe(|| match &what {
        During::Consume(item) => consumer.consume(item),
        During::EndBatch => consumer.end_batch(),
        During::Tick => consumer.tick(),
    }));
    if called.is_err() {
        shared.panicked.fetch_add(1, Ordering::Relaxed);
        let _ = catch_unwind(AssertUnwindSafe(|| consumer.panicked(what)));
    }
}
