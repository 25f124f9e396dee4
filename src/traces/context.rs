//! The current span context of a thread: which trace and span the code
//! running now belongs to.
//!
//! [`SpanContext`] is the part of a span that travels: trace id, span id and
//! W3C flags (plus whether it came from another process). [`enter`] makes a
//! context current on this thread until its [`ContextGuard`] drops, which
//! restores the one before, so nested scopes unwind correctly. Reading it is
//! [`current`]: a thread-local load, no lock, no allocation. To carry a
//! context to another thread, copy it (`current()`) and `enter` it there.

use std::cell::Cell;
use std::marker::PhantomData;

use crate::domain::{SpanId, TraceId};
use crate::propagation::{TraceFlags, TraceParent};

/// The identity of a span as it travels: trace id, span id, flags, and
/// whether it was received from another process.
///
/// ```
/// use observa::propagation::TraceParent;
/// use observa::traces::SpanContext;
///
/// let parent: TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse()?;
/// let remote = SpanContext::from_traceparent(&parent);
/// assert!(remote.is_remote() && remote.is_sampled());
/// assert_eq!(remote.to_traceparent(), parent);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanContext {
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
    remote: bool,
}

impl SpanContext {
    /// A local context.
    pub fn new(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> SpanContext {
        SpanContext {
            trace_id,
            span_id,
            flags,
            remote: false,
        }
    }

    /// The context a caller sent in its `traceparent` (marked remote).
    pub fn from_traceparent(parent: &TraceParent) -> SpanContext {
        SpanContext {
            remote: true,
            ..SpanContext::new(parent.trace_id(), parent.parent_id(), parent.flags())
        }
    }

    /// The `traceparent` to send on behalf of this span.
    pub fn to_traceparent(&self) -> TraceParent {
        TraceParent::new(self.trace_id, self.span_id, self.flags)
    }

    /// The trace.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }
    /// The span.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }
    /// The W3C trace flags.
    pub fn flags(&self) -> TraceFlags {
        self.flags
    }
    /// Whether the trace is sampled (recorded and exported).
    pub fn is_sampled(&self) -> bool {
        self.flags.is_sampled()
    }
    /// Whether the context was received from another process.
    pub fn is_remote(&self) -> bool {
        self.remote
    }
}

thread_local! {
    static CURRENT: Cell<Option<SpanContext>> = const { Cell::new(None) };
}

/// The context current on this thread, if any.
///
/// ```
/// use observa::traces::{current, enter, SpanContext};
/// use observa::propagation::TraceFlags;
/// use observa::{SpanId, TraceId};
///
/// assert_eq!(current(), None);
/// let context = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
/// {
///     let _guard = enter(context);
///     assert_eq!(current(), Some(context));
/// }
/// assert_eq!(current(), None, "the guard restored the previous context");
/// ```
#[inline]
pub fn current() -> Option<SpanContext> {
    CURRENT.with(Cell::get)
}

/// Makes `context` current on this thread until the returned guard drops;
/// the guard then restores the context that was current before.
#[inline]
pub fn enter(context: SpanContext) -> ContextGuard {
    ContextGuard {
        previous: CURRENT.with(|c| c.replace(Some(context))),
        _not_send: PhantomData,
    }
}

/// Runs `f` with no current context on this thread, then restores the one
/// before (also on panic). For work that must not join the caller's trace:
/// a log entry recorded inside has no trace or span ids.
///
/// ```
/// use observa::propagation::TraceFlags;
/// use observa::traces::{current, detached, enter, SpanContext};
/// use observa::{SpanId, TraceId};
///
/// let _guard = enter(SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED));
/// assert_eq!(detached(current), None);
/// assert!(current().is_some());
/// ```
pub fn detached<R>(f: impl FnOnce() -> R) -> R {
    let _restore = ContextGuard {
        previous: CURRENT.with(|c| c.replace(None)),
        _not_send: PhantomData,
    };
    f()
}

/// Runs `f` with `context` current (when `Some`), restoring the previous
/// one afterwards: how work carries a context captured with [`current`] on
/// one thread to another thread (or to a pool's task).
///
/// ```
/// use observa::traces::{current, enter, with_context, SpanContext};
/// use observa::propagation::TraceFlags;
/// use observa::{SpanId, TraceId};
///
/// let context = SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
/// let _guard = enter(context);
/// let captured = current();
/// let seen = std::thread::spawn(move || with_context(captured, current)).join().unwrap();
/// assert_eq!(seen, Some(context));
/// ```
#[inline]
pub fn with_context<T>(context: Option<SpanContext>, f: impl FnOnce() -> T) -> T {
    let _guard = context.map(enter);
    f()
}

/// Restores the previous context when dropped. Not `Send`: a context is
/// entered and left on the same thread (to move work to another thread,
/// copy the context and enter it there).
#[must_use = "the context is current only while the guard lives"]
#[derive(Debug)]
pub struct ContextGuard {
    previous: Option<SpanContext>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for ContextGuard {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> SpanContext {
        SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED)
    }

    #[test]
    fn nested_guards_unwind_in_order() {
        let (outer, inner) = (context(), context());
        let a = enter(outer);
        {
            let _b = enter(inner);
            assert_eq!(current(), Some(inner));
        }
        assert_eq!(current(), Some(outer));
        drop(a);
        assert_eq!(current(), None);
    }

    #[test]
    fn a_context_is_per_thread_and_can_be_carried() {
        let outer = context();
        let _guard = enter(outer);
        let carried = current();
        std::thread::spawn(move || {
            assert_eq!(current(), None, "a new thread starts with no context");
            let _guard = enter(carried.unwrap());
            assert_eq!(current(), carried);
        })
        .join()
        .unwrap();
        assert_eq!(current(), Some(outer));
    }

    #[test]
    fn a_panic_unwinds_the_context() {
        let outer = context();
        let _guard = enter(outer);
        let result = std::panic::catch_unwind(|| {
            let _inner = enter(context());
            panic!("boom");
        });
        assert!(result.is_err());
        assert_eq!(current(), Some(outer));
    }
}
