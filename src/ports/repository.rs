//! [`Repository`]: the storage port every service depends on.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Query, Record};
use crate::error::Result;

/// How many records a bounded repository has dropped, and why.
///
/// ```
/// let e = observa::ports::Evictions { capacity: 2, age: 1 };
/// assert_eq!(e.total(), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evictions {
    /// Dropped because the repository was full (oldest first).
    pub capacity: u64,
    /// Dropped because they were older than the maximum age.
    pub age: u64,
}

impl Evictions {
    /// All evictions.
    pub fn total(&self) -> u64 {
        self.capacity + self.age
    }
}

/// Storage for one kind of entity. Services depend on this trait only, so
/// any store (in-memory, a database, a remote service) can sit behind them.
///
/// Every method returns `Result` so that implementations doing I/O can report
/// failures; the in-memory one never fails.
///
/// ```
/// use observa::adapters::InMemoryRepository;
/// use observa::ports::{Query, Repository};
/// use observa::Metric;
///
/// let repo = InMemoryRepository::<Metric>::new(100);
/// let m = Metric::gauge("up", 1.0)?;
/// repo.save(m.clone())?;
/// assert_eq!(repo.get(m.id())?, Some(m));
/// assert_eq!(repo.query(&Query::new().name("up"))?.len(), 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
pub trait Repository<E: Record>: Send + Sync {
    /// Stores `entity`, replacing any stored entity with the same id.
    fn save(&self, entity: E) -> Result<()>;
    /// The entity with `id`, if stored.
    fn get(&self, id: Uuid) -> Result<Option<E>>;
    /// The `n` most recently saved entities, newest first.
    fn recent(&self, n: usize) -> Result<Vec<E>>;
    /// The entities passing every filter of `query`, newest first.
    fn query(&self, query: &Query) -> Result<Vec<E>>;
    /// How many entities are stored.
    fn len(&self) -> Result<usize>;
    /// Whether nothing is stored.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Removes every entity whose timestamp is before `cutoff`; returns how many.
    fn purge_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize>;
    /// How many entities were dropped to stay within bounds (not counting purges).
    fn evictions(&self) -> Evictions;
}
