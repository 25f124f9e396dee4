//! [`LazySpanId`]: a span id drawn the first time it is read.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::domain::SpanId;

/// A span id drawn the first time it is read: an unsampled span whose
/// context nobody reads (not entered, not propagated) never draws one.
/// Once drawn it never changes, whichever thread reads it first.
pub(super) struct LazySpanId(AtomicU64);

impl LazySpanId {
    /// No id yet (ids are never all zero).
    #[inline]
    pub(super) const fn undrawn() -> LazySpanId {
        LazySpanId(AtomicU64::new(0))
    }

    #[inline]
    pub(super) fn drawn(id: SpanId) -> LazySpanId {
        LazySpanId(AtomicU64::new(u64::from_ne_bytes(id.to_bytes())))
    }

    #[inline]
    pub(super) fn get(&self) -> SpanId {
        let bits = self.0.load(Ordering::Relaxed);
        if bits == 0 {
            return self.draw();
        }
        // (not zero: inlined, the check in `from_bytes` folds away)
        SpanId::from_bytes(bits.to_ne_bytes()).unwrap_or_else(|_| self.draw())
    }

    /// The id, drawn if needed with a plain write: no other thread can be
    /// reading it (no atomic read-modify-write).
    #[inline]
    pub(super) fn get_mut(&mut self) -> SpanId {
        let bits = self.0.get_mut();
        if *bits == 0 {
            *bits = u64::from_ne_bytes(SpanId::random().to_bytes());
        }
        SpanId::from_bytes(bits.to_ne_bytes()).unwrap_or_else(|_| SpanId::random())
    }

    /// Draws the id; when two threads race, the first stored wins.
    #[cold]
    #[inline(never)]
    fn draw(&self) -> SpanId {
        let new = u64::from_ne_bytes(SpanId::random().to_bytes());
        let bits = match self
            .0
            .compare_exchange(0, new, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => new,
            Err(stored) => stored,
        };
        SpanId::from_bytes(bits.to_ne_bytes()).expect("a drawn span id is never zero")
    }
}
