//! The repository against a reference model: a `Vec` in save order with the
//! same rules (replace in place, age-expired prefix first, then the oldest
//! past capacity), over random sequences of operations.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::InMemoryRepository;
use crate::ports::{Evictions, Query, Record, Repository};

/// A record whose id, timestamp and name a test chooses.
#[derive(Clone, Debug, PartialEq)]
struct Rec {
    id: Uuid,
    at: DateTime<Utc>,
    name: String,
}

impl Record for Rec {
    const KIND: &'static str = "rec";
    fn id(&self) -> Uuid {
        self.id
    }
    fn timestamp(&self) -> DateTime<Utc> {
        self.at
    }
    fn matches_filters(&self, q: &Query) -> bool {
        q.name.as_ref().is_none_or(|name| *name == self.name)
    }
}

/// The rules, written the simplest way.
struct Model {
    records: Vec<Rec>,
    capacity: usize,
    max_age: Option<Duration>,
    evicted: Evictions,
}

impl Model {
    fn save(&mut self, rec: Rec) {
        match self.records.iter().position(|r| r.id == rec.id) {
            Some(i) => self.records[i] = rec,
            None => self.records.push(rec),
        }
        if let Some(age) = self.max_age {
            let cutoff = Utc::now() - age;
            while self.records.first().is_some_and(|r| r.at < cutoff) {
                self.records.remove(0);
                self.evicted.age += 1;
            }
        }
        while self.records.len() > self.capacity {
            self.records.remove(0);
            self.evicted.capacity += 1;
        }
    }

    fn newest_first(&self) -> impl Iterator<Item = &Rec> {
        self.records.iter().rev()
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// Save a record with id number `id`, `minutes_ago` old, named `name`.
    Save {
        id: u8,
        minutes_ago: i64,
        name: u8,
    },
    Get(u8),
    Recent(usize),
    Query {
        name: Option<u8>,
        since: Option<i64>,
        until: Option<i64>,
        limit: Option<usize>,
    },
    /// Purge what is older than this many minutes (and 30 s).
    Purge(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..24, 0i64..120, 0u8..3).prop_map(|(id, minutes_ago, name)| Op::Save { id, minutes_ago, name }),
        1 => (0u8..24).prop_map(Op::Get),
        1 => (0usize..12).prop_map(Op::Recent),
        2 => (
            proptest::option::of(0u8..3),
            proptest::option::of(0i64..120),
            proptest::option::of(0i64..120),
            proptest::option::of(0usize..8),
        )
            .prop_map(|(name, since, until, limit)| Op::Query { name, since, until, limit }),
        1 => (0i64..120).prop_map(Op::Purge),
    ]
}

/// Times sit on whole minutes before `base`; every cutoff (max age, purge,
/// query bound) sits 30 s off a minute, so the two sides never disagree
/// about a record on the edge even though they read the clock apart.
fn minutes_before(base: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    base - Duration::minutes(minutes)
}

fn edge(base: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    base - Duration::minutes(minutes) - Duration::seconds(30)
}

fn names(records: &[Rec]) -> Vec<(Uuid, String)> {
    records.iter().map(|r| (r.id, r.name.clone())).collect()
}

fn run(capacity: usize, max_age_minutes: Option<u64>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let base = Utc::now();
    let mut repo = InMemoryRepository::new(capacity);
    let mut max_age = None;
    if let Some(minutes) = max_age_minutes {
        let age = std::time::Duration::from_secs(minutes * 60 + 30);
        repo = repo.with_max_age(age);
        max_age = Some(Duration::from_std(age).unwrap());
    }
    let mut model = Model {
        records: Vec::new(),
        capacity,
        max_age,
        evicted: Evictions::default(),
    };
    for op in ops {
        match op {
            Op::Save {
                id,
                minutes_ago,
                name,
            } => {
                let rec = Rec {
                    id: Uuid::from_u128(u128::from(id) << 64),
                    at: minutes_before(base, minutes_ago),
                    name: format!("n{name}"),
                };
                repo.save(rec.clone()).unwrap();
                model.save(rec);
            }
            Op::Get(id) => {
                let id = Uuid::from_u128(u128::from(id) << 64);
                let expected = model.records.iter().find(|r| r.id == id).cloned();
                prop_assert_eq!(repo.get(id).unwrap(), expected);
            }
            Op::Recent(n) => {
                let expected: Vec<Rec> = model.newest_first().take(n).cloned().collect();
                prop_assert_eq!(names(&repo.recent(n).unwrap()), names(&expected));
            }
            Op::Query {
                name,
                since,
                until,
                limit,
            } => {
                let mut query = Query::new();
                if let Some(name) = name {
                    query = query.name(format!("n{name}"));
                }
                if let Some(minutes) = since {
                    query = query.since(edge(base, minutes));
                }
                if let Some(minutes) = until {
                    query = query.until(edge(base, minutes));
                }
                if let Some(n) = limit {
                    query = query.limit(n);
                }
                let expected: Vec<Rec> = model
                    .newest_first()
                    .filter(|r| query.matches(*r))
                    .take(limit.unwrap_or(usize::MAX))
                    .cloned()
                    .collect();
                prop_assert_eq!(repo.query(&query).unwrap(), expected);
            }
            Op::Purge(minutes) => {
                let cutoff = edge(base, minutes);
                let before = model.records.len();
                model.records.retain(|r| r.at >= cutoff);
                prop_assert_eq!(
                    repo.purge_older_than(cutoff).unwrap(),
                    before - model.records.len()
                );
            }
        }
        prop_assert_eq!(repo.len().unwrap(), model.records.len());
        prop_assert_eq!(repo.evictions(), model.evicted);
    }
    prop_assert_eq!(
        repo.recent(usize::MAX).unwrap(),
        model.newest_first().cloned().collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn agrees_with_the_model(
        capacity in 1usize..10,
        max_age_minutes in proptest::option::of(0u64..120),
        ops in proptest::collection::vec(op(), 0..80),
    ) {
        run(capacity, max_age_minutes, ops)?;
    }

    #[test]
    fn agrees_with_the_model_without_bounds_in_reach(ops in proptest::collection::vec(op(), 0..80)) {
        run(1_000, None, ops)?;
    }
}

#[test]
fn a_full_repository_keeps_no_spare_half() {
    let repo = InMemoryRepository::new(1_000);
    let base = Utc::now();
    for i in 0..3_000u128 {
        repo.save(Rec {
            id: Uuid::from_u128(i),
            at: base,
            name: String::new(),
        })
        .unwrap();
    }
    let ring = repo.store.read().records.capacity();
    assert!((1_000..=1_001).contains(&ring), "ring holds {ring} slots");
}
