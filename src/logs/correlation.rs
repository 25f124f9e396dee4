//! The correlation id of the work running on this thread: set for a scope
//! with [`LogService::with_correlation`](super::LogService::with_correlation),
//! stamped on every log entry recorded inside it that has none of its own.

use std::cell::RefCell;
use std::sync::Arc;

use crate::domain::validate_correlation_id;
use crate::error::Result;

thread_local! {
    static CURRENT: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// The correlation id current on this thread, if any.
///
/// ```
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// assert_eq!(observa::logs::correlation_id(), None);
/// obs.logs().with_correlation("req-42", || {
///     assert_eq!(observa::logs::correlation_id().as_deref(), Some("req-42"));
/// })?;
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn correlation_id() -> Option<Arc<str>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Validates `id` as a log entry's correlation id and runs `f` with it
/// current, restoring the previous one afterwards (also on panic).
pub(super) fn scoped<R>(id: &str, f: impl FnOnce() -> R) -> Result<R> {
    validate_correlation_id(id)?;
    let previous = CURRENT.with(|c| c.replace(Some(Arc::from(id))));
    let _restore = Restore(previous);
    Ok(f())
}

/// Puts the previous correlation id back when the scope ends.
struct Restore(Option<Arc<str>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Runs `f` with the current correlation id, without cloning it.
pub(super) fn with_current<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_deref()))
}
