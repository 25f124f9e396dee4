//! [`LatestResults`]: the latest result per component, bounded, with the
//! roll-up kept current so reading it costs the same for 1 or 1,000 components.

use std::collections::BTreeMap;

use super::worst_wins;
use crate::domain::{HealthCheck, HealthStatus};

struct Entry {
    check: HealthCheck,
    critical: bool,
    /// When it was last updated, in update order.
    sequence: u64,
}

/// What an update did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Updated {
    /// Whether the result became its component's latest (older ones do not).
    pub(crate) accepted: bool,
    /// The component forgotten to stay within the bound, if any.
    pub(crate) evicted: Option<String>,
}

/// The latest result per component, at most `max` components; the least
/// recently updated one goes first.
pub(crate) struct LatestResults {
    max: usize,
    by_component: BTreeMap<String, Entry>,
    by_update: BTreeMap<u64, String>,
    next_sequence: u64,
    /// Components per (status, critical).
    counts: [[usize; 2]; 4],
    evicted: u64,
}

fn slot(status: HealthStatus) -> usize {
    match status {
        HealthStatus::Healthy => 0,
        HealthStatus::Degraded => 1,
        HealthStatus::Unhealthy => 2,
        HealthStatus::Unknown => 3,
    }
}

const SLOTS: [HealthStatus; 4] = [
    HealthStatus::Healthy,
    HealthStatus::Degraded,
    HealthStatus::Unhealthy,
    HealthStatus::Unknown,
];

impl LatestResults {
    pub(crate) fn new(max: usize) -> Self {
        LatestResults {
            max: max.max(1),
            by_component: BTreeMap::new(),
            by_update: BTreeMap::new(),
            next_sequence: 0,
            counts: [[0; 2]; 4],
            evicted: 0,
        }
    }

    /// Makes `check` its component's latest unless a newer one is there.
    pub(crate) fn update(&mut self, check: HealthCheck, critical: bool) -> Updated {
        let sequence = self.next_sequence;
        if let Some(entry) = self.by_component.get_mut(check.component()) {
            if entry.check.timestamp() > check.timestamp() {
                return Updated::default();
            }
            self.counts[slot(entry.check.status())][usize::from(entry.critical)] -= 1;
            self.by_update.remove(&entry.sequence);
            self.counts[slot(check.status())][usize::from(critical)] += 1;
            self.by_update.insert(sequence, check.component().to_owned());
            *entry = Entry {
                check,
                critical,
                sequence,
            };
            self.next_sequence += 1;
            return Updated {
                accepted: true,
                evicted: None,
            };
        }
        let evicted = if self.by_component.len() >= self.max {
            self.evict_least_recent()
        } else {
            None
        };
        let component = check.component().to_owned();
        self.counts[slot(check.status())][usize::from(critical)] += 1;
        self.by_update.insert(sequence, component.clone());
        self.by_component.insert(
            component,
            Entry {
                check,
                critical,
                sequence,
            },
        );
        self.next_sequence += 1;
        Updated {
            accepted: true,
            evicted,
        }
    }

    fn evict_least_recent(&mut self) -> Option<String> {
        let (_, component) = self.by_update.pop_first()?;
        let entry = self.by_component.remove(&component)?;
        self.counts[slot(entry.check.status())][usize::from(entry.critical)] -= 1;
        self.evicted += 1;
        Some(component)
    }

    /// Worst-wins over every component's latest result; O(1).
    pub(crate) fn overall(&self) -> HealthStatus {
        let present = SLOTS.iter().flat_map(|&status| {
            [false, true]
                .into_iter()
                .filter(move |&critical| self.counts[slot(status)][usize::from(critical)] > 0)
                .map(move |critical| (status, critical))
        });
        worst_wins(present)
    }

    pub(crate) fn get(&self, component: &str) -> Option<&HealthCheck> {
        self.by_component.get(component).map(|e| &e.check)
    }

    /// Every latest result, by component name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &HealthCheck> {
        self.by_component.values().map(|e| &e.check)
    }

    /// The most components kept.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_component.len()
    }

    /// Components forgotten to stay within the bound, since creation.
    pub(crate) fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use HealthStatus::*;

    fn check(component: &str, status: HealthStatus) -> HealthCheck {
        HealthCheck::new(component, status, "").unwrap()
    }

    #[test]
    fn the_least_recently_updated_component_goes_first() {
        let mut latest = LatestResults::new(2);
        latest.update(check("a", Healthy), true);
        latest.update(check("b", Healthy), true);
        latest.update(check("a", Unhealthy), true); // a is now the most recent
        let updated = latest.update(check("c", Healthy), true);
        assert_eq!(updated.evicted.as_deref(), Some("b"));
        assert_eq!(latest.len(), 2);
        assert_eq!(latest.evicted(), 1);
        assert!(latest.get("b").is_none());
        assert_eq!(latest.overall(), Unhealthy);
    }

    #[test]
    fn an_older_result_does_not_replace_a_newer_one() {
        let mut latest = LatestResults::new(4);
        let now = chrono::Utc::now();
        let old = HealthCheck::builder("db", Unhealthy)
            .timestamp(now - chrono::Duration::seconds(1))
            .build()
            .unwrap();
        latest.update(
            HealthCheck::builder("db", Healthy)
                .timestamp(now)
                .build()
                .unwrap(),
            true,
        );
        assert!(!latest.update(old, true).accepted);
        assert_eq!(latest.overall(), Healthy);
    }

    proptest! {
        /// The kept counts always give what a full pass over the entries gives.
        #[test]
        fn overall_matches_a_full_pass(updates in prop::collection::vec((0u8..6, 0usize..4, any::<bool>()), 0..60), max in 1usize..5) {
            let mut latest = LatestResults::new(max);
            for (component, status, critical) in updates {
                latest.update(check(&format!("c{component}"), SLOTS[status]), critical);
                let full = worst_wins(latest.by_component.values().map(|e| (e.check.status(), e.critical)));
                prop_assert_eq!(latest.overall(), full);
                prop_assert!(latest.len() <= max);
                prop_assert_eq!(latest.by_update.len(), latest.len());
            }
        }
    }
}
