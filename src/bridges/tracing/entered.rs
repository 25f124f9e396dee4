//! The tracing spans entered on this thread, each holding observa's current
//! context for as long as it is entered.
//!
//! A [`ContextGuard`] is not `Send` and restores the context that was current
//! before it, so guards live here, per thread, in entry order. Leaving the
//! innermost span drops its guard. Leaving one further down (tracing allows
//! it) unwinds the guards above it, drops its own and enters the others
//! again, so the current context is always the innermost entered span's.

use std::cell::RefCell;

use crate::traces::{enter as enter_context, ContextGuard, SpanContext};

/// Deepest nesting tracked per thread; spans entered deeper leave the current context as it is.
const MAX_DEPTH: usize = 1_024;

struct Entered {
    key: (usize, u64),
    context: SpanContext,
    _guard: ContextGuard,
}

thread_local! {
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

/// Makes `context` current on this thread while the span `key` (a layer and
/// a span id) is entered.
pub(super) fn enter(key: (usize, u64), context: SpanContext) {
    let _ = ENTERED.try_with(|stack| {
        let mut stack = stack.borrow_mut();
        if stack.len() < MAX_DEPTH {
            stack.push(Entered {
                key,
                context,
                _guard: enter_context(context),
            });
        }
    });
}

/// Leaves the span `key` on this thread, restoring the context that is current without it.
pub(super) fn exit(key: (usize, u64)) {
    let _ = ENTERED.try_with(|stack| {
        let mut stack = stack.borrow_mut();
        let Some(at) = stack.iter().rposition(|e| e.key == key) else {
            return;
        };
        if at + 1 == stack.len() {
            stack.pop();
            return;
        }
        let above: Vec<(usize, u64, SpanContext)> = stack[at + 1..]
            .iter()
            .map(|e| (e.key.0, e.key.1, e.context))
            .collect();
        // Innermost first, so each guard restores the context below it.
        while stack.len() > at {
            stack.pop();
        }
        for (layer, id, context) in above {
            stack.push(Entered {
                key: (layer, id),
                context,
                _guard: enter_context(context),
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::TraceFlags;
    use crate::traces::current;
    use crate::{SpanId, TraceId};

    fn context() -> SpanContext {
        SpanContext::new(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED)
    }

    #[test]
    fn leaving_out_of_order_keeps_the_innermost_current() {
        let outside = context();
        let _outside = enter_context(outside);
        let (a, b, c) = (context(), context(), context());
        enter((1, 1), a);
        enter((1, 2), b);
        enter((1, 3), c);
        exit((1, 2));
        assert_eq!(current(), Some(c), "the innermost entered span stays current");
        exit((1, 3));
        assert_eq!(current(), Some(a), "b was left already");
        exit((1, 9));
        assert_eq!(current(), Some(a), "leaving a span never entered changes nothing");
        exit((1, 1));
        assert_eq!(current(), Some(outside));
    }
}
