//! [`InMemoryRepository`]: the embedded default store for every entity kind.

use std::collections::hash_map::{Entry, HashMap};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;
use uuid::Uuid;

use crate::error::Result;
use crate::ports::{Evictions, Query, Record, Repository};

mod id_hash;
#[cfg(test)]
mod model_tests;

use id_hash::IdHashing;

/// A thread-safe, bounded, in-memory [`Repository`] for any [`Record`].
///
/// It holds at most `capacity` records and, if a maximum age is set, drops
/// records older than that as new ones arrive. Either way the oldest saved
/// go first, and every drop is counted in [`Repository::evictions`], so
/// nothing is lost silently.
///
/// ```
/// use observa::adapters::InMemoryRepository;
/// use observa::ports::Repository;
/// use observa::{LogEntry, LogLevel};
///
/// let repo = InMemoryRepository::new(2);
/// for message in ["one", "two", "three"] {
///     repo.save(LogEntry::new(LogLevel::Info, message)?)?;
/// }
/// let kept: Vec<_> = repo.recent(10)?.iter().map(|e| e.message().to_owned()).collect();
/// assert_eq!(kept, ["three", "two"]);
/// assert_eq!(repo.evictions().capacity, 1);
/// # Ok::<(), observa::ObsError>(())
/// ```
pub struct InMemoryRepository<E> {
    store: RwLock<Store<E>>,
    capacity: usize,
    max_age: Option<Duration>,
    evicted_capacity: AtomicU64,
    evicted_age: AtomicU64,
}

/// Records in save order, oldest first, and an index from id to sequence
/// number for upserts. Sequence numbers are contiguous: `records[i]` has
/// number `first_seq + i`, so a number is a position without a search.
struct Store<E> {
    records: VecDeque<E>,
    seq_of: HashMap<Uuid, u64, IdHashing>,
    first_seq: u64,
}

impl<E: Record> Store<E> {
    fn position(&self, seq: u64) -> usize {
        (seq - self.first_seq) as usize
    }

    /// Drops the oldest record; `false` if there is none.
    fn pop_oldest(&mut self) -> bool {
        let Some(oldest) = self.records.pop_front() else {
            return false;
        };
        self.seq_of.remove(&oldest.id());
        self.first_seq += 1;
        true
    }

    /// Gives every record its position as sequence number again, after
    /// records were taken out of the middle.
    fn renumber(&mut self) {
        self.seq_of.clear();
        for (seq, record) in (self.first_seq..).zip(&self.records) {
            self.seq_of.insert(record.id(), seq);
        }
    }
}

impl<E: Record> InMemoryRepository<E> {
    /// A repository holding at most `capacity` records (at least 1).
    pub fn new(capacity: usize) -> Self {
        InMemoryRepository {
            store: RwLock::new(Store {
                records: VecDeque::new(),
                seq_of: HashMap::with_hasher(IdHashing::new()),
                first_seq: 0,
            }),
            capacity: capacity.max(1),
            max_age: None,
            evicted_capacity: AtomicU64::new(0),
            evicted_age: AtomicU64::new(0),
        }
    }

    /// Also drops records older than `max_age` (by their timestamp) as new ones
    /// are saved, oldest-saved first. An age beyond what a timestamp can
    /// express means "keep forever".
    ///
    /// ```
    /// use observa::adapters::InMemoryRepository;
    /// use observa::ports::Repository;
    /// use observa::Metric;
    ///
    /// let repo = InMemoryRepository::new(10).with_max_age(std::time::Duration::from_secs(300));
    /// let old = Metric::builder("up", 1.0)
    ///     .timestamp(chrono::Utc::now() - chrono::Duration::hours(1))
    ///     .build()?;
    /// repo.save(old)?;
    /// repo.save(observa::Metric::gauge("up", 1.0)?)?;
    /// assert_eq!(repo.len()?, 1);
    /// assert_eq!(repo.evictions().age, 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.max_age = Duration::from_std(max_age).ok();
        self
    }

    /// The maximum number of records held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn evict(&self, store: &mut Store<E>) {
        let cutoff = self.max_age.and_then(|age| Utc::now().checked_sub_signed(age));
        if let Some(cutoff) = cutoff {
            while store
                .records
                .front()
                .is_some_and(|oldest| oldest.timestamp() < cutoff)
            {
                store.pop_oldest();
                self.evicted_age.fetch_add(1, Ordering::Relaxed);
            }
        }
        while store.records.len() > self.capacity && store.pop_oldest() {
            self.evicted_capacity.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Grows the ring by doubling, but never past one over capacity (a save
    /// appends before it evicts), so a full repository holds no spare half.
    fn reserve_one(&self, records: &mut VecDeque<E>) {
        if records.len() == records.capacity() {
            let room = self.capacity.saturating_add(1).saturating_sub(records.len());
            records.reserve_exact(records.len().max(4).min(room.max(1)));
        }
    }
}

impl<E: Record> Repository<E> for InMemoryRepository<E> {
    fn save(&self, entity: E) -> Result<()> {
        let mut guard = self.store.write();
        let store = &mut *guard;
        match store.seq_of.entry(entity.id()) {
            Entry::Occupied(known) => {
                let at = (*known.get() - store.first_seq) as usize;
                store.records[at] = entity;
            }
            Entry::Vacant(new) => {
                new.insert(store.first_seq + store.records.len() as u64);
                self.reserve_one(&mut store.records);
                store.records.push_back(entity);
            }
        }
        self.evict(store);
        Ok(())
    }

    fn get(&self, id: Uuid) -> Result<Option<E>> {
        let store = self.store.read();
        Ok(store
            .seq_of
            .get(&id)
            .and_then(|&seq| store.records.get(store.position(seq)))
            .cloned())
    }

    fn recent(&self, n: usize) -> Result<Vec<E>> {
        Ok(self.store.read().records.iter().rev().take(n).cloned().collect())
    }

    fn query(&self, query: &Query) -> Result<Vec<E>> {
        let store = self.store.read();
        let matching = store.records.iter().rev().filter(|e| query.matches(*e));
        Ok(matching
            .take(query.limit_value().unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    fn len(&self) -> Result<usize> {
        Ok(self.store.read().records.len())
    }

    fn purge_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize> {
        let mut store = self.store.write();
        let before = store.records.len();
        store.records.retain(|e| e.timestamp() >= cutoff);
        let purged = before - store.records.len();
        if purged > 0 {
            store.renumber();
        }
        Ok(purged)
    }

    fn evictions(&self) -> Evictions {
        Evictions {
            capacity: self.evicted_capacity.load(Ordering::Relaxed),
            age: self.evicted_age.load(Ordering::Relaxed),
        }
    }
}

impl<E> std::fmt::Debug for InMemoryRepository<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryRepository")
            .field("kind", &std::any::type_name::<E>())
            .field("capacity", &self.capacity)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Alert, AlertSeverity, AlertStatus, Metric};
    use proptest::prelude::*;
    use std::sync::Arc;

    #[test]
    fn save_replaces_by_id_without_reordering() {
        let repo = InMemoryRepository::new(10);
        let first = Alert::new("a", "m", AlertSeverity::Low).unwrap();
        let second = Alert::new("b", "m", AlertSeverity::Low).unwrap();
        repo.save(first.clone()).unwrap();
        repo.save(second.clone()).unwrap();
        let acked = first
            .clone()
            .with_status(AlertStatus::Acknowledged, Utc::now())
            .unwrap();
        repo.save(acked.clone()).unwrap();
        assert_eq!(repo.len().unwrap(), 2);
        assert_eq!(repo.recent(2).unwrap(), vec![second, acked]);
    }

    #[test]
    fn purge_removes_old_records_and_their_index() {
        let repo = InMemoryRepository::new(10);
        let old = Metric::builder("m", 1.0)
            .timestamp(Utc::now() - Duration::days(1))
            .build()
            .unwrap();
        repo.save(old.clone()).unwrap();
        repo.save(Metric::gauge("m", 2.0).unwrap()).unwrap();
        assert_eq!(repo.purge_older_than(Utc::now() - Duration::hours(1)).unwrap(), 1);
        assert_eq!(repo.get(old.id()).unwrap(), None);
        assert_eq!(repo.evictions().total(), 0, "purges are asked for, not evictions");
    }

    #[test]
    fn the_largest_capacity_is_accepted() {
        let repo = InMemoryRepository::new(usize::MAX);
        for i in 0..10 {
            repo.save(Metric::gauge("m", f64::from(i)).unwrap()).unwrap();
        }
        assert_eq!(repo.len().unwrap(), 10);
    }

    #[test]
    fn an_age_beyond_any_timestamp_keeps_records() {
        let repo = InMemoryRepository::new(10).with_max_age(std::time::Duration::MAX);
        let old = Metric::builder("m", 1.0)
            .timestamp(Utc::now() - Duration::days(3_650))
            .build()
            .unwrap();
        repo.save(old).unwrap();
        repo.save(Metric::gauge("m", 2.0).unwrap()).unwrap();
        assert_eq!(repo.len().unwrap(), 2);
        assert_eq!(repo.evictions().age, 0);
    }

    #[test]
    fn concurrent_saves_are_all_accounted_for() {
        let repo = Arc::new(InMemoryRepository::new(50));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let repo = Arc::clone(&repo);
                std::thread::spawn(move || {
                    for i in 0..100 {
                        repo.save(Metric::gauge("m", f64::from(i)).unwrap()).unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(repo.len().unwrap(), 50);
        assert_eq!(repo.evictions().capacity, 350);
    }

    proptest! {
        #[test]
        fn stored_plus_evicted_equals_saved(capacity in 1usize..20, saves in 0usize..60) {
            let repo = InMemoryRepository::new(capacity);
            for i in 0..saves {
                repo.save(Metric::gauge("m", i as f64).unwrap()).unwrap();
            }
            let len = repo.len().unwrap();
            prop_assert_eq!(len, saves.min(capacity));
            prop_assert_eq!(len as u64 + repo.evictions().capacity, saves as u64);
            let newest = repo.recent(1).unwrap();
            if saves > 0 {
                prop_assert_eq!(newest[0].value(), (saves - 1) as f64);
            }
        }
    }
}
