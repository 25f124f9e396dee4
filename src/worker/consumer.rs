//! [`Consumer`]: what a [`Worker`](super::Worker) does with its items, on
//! its thread or on the thread of a drain.

use std::time::Instant;

/// What a [`Worker`](super::Worker) does with the items; it lives behind a
/// lock, held by its thread (or a drain) for a whole batch.
pub(crate) trait Consumer<T>: Send + 'static {
    /// Handles one item; items come in the order they were sent.
    fn consume(&mut self, item: T);

    /// Handles the items of a batch, in order; by default one
    /// [`consume`](Consumer::consume) each. After a panic in here it is
    /// called again with the rest.
    fn consume_all(&mut self, items: &mut std::vec::Drain<'_, T>) {
        for item in items {
            self.consume(item);
        }
    }

    /// Runs after every batch, e.g. to flush what `consume` buffered.
    fn end_batch(&mut self) {}

    /// When [`tick`](Consumer::tick) should next run, if ever.
    fn next_tick(&self) -> Option<Instant> {
        None
    }

    /// Timed work, run once `next_tick` has passed, before the next batch
    /// and never once closing began. It must move `next_tick` on.
    fn tick(&mut self) {}

    /// One of the calls above panicked (the panic is counted, and the thread
    /// carries on with the next item).
    fn panicked(&mut self, _during: During) {}
}

/// A [`Consumer`] call (the one that panicked, when given to
/// [`Consumer::panicked`]).
#[derive(Debug)]
pub(crate) enum During {
    /// [`Consumer::consume`] (the item went with the panic).
    Consume,
    /// [`Consumer::end_batch`].
    EndBatch,
    /// [`Consumer::tick`].
    Tick,
}

impl<T: 'static> Consumer<T> for Box<dyn Consumer<T>> {
    fn consume(&mut self, item: T) {
        (**self).consume(item);
    }
    fn consume_all(&mut self, items: &mut std::vec::Drain<'_, T>) {
        (**self).consume_all(items);
    }
    fn end_batch(&mut self) {
        (**self).end_batch();
    }
    fn next_tick(&self) -> Option<Instant> {
        (**self).next_tick()
    }
    fn tick(&mut self) {
        (**self).tick();
    }
    fn panicked(&mut self, during: During) {
        (**self).panicked(during);
    }
}
