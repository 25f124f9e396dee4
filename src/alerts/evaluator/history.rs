//! [`History`]: one rule's recorded readings in two bounded rings, every
//! evaluation for short windows and a coarser one for long windows.

use std::collections::VecDeque;
use std::time::Duration;

use crate::alerts::rules::{Reading, Readings};

/// Most per-evaluation snapshots one rule keeps.
///
/// ```
/// assert!(observa::alerts::FINE_CAPACITY >= 2 && observa::alerts::COARSE_CAPACITY >= 2);
/// ```
pub const FINE_CAPACITY: usize = 1_024;
/// Most downsampled snapshots one rule keeps for long windows.
pub const COARSE_CAPACITY: usize = 1_024;
/// How far back an offset lookup accepts a reading (PromQL's default lookback).
const LOOKBACK_MS: i64 = 5 * 60 * 1000;

#[derive(Clone, Debug)]
struct Snapshot {
    at_ms: i64,
    readings: Vec<Option<Reading>>,
}

/// Snapshots of one rule's inputs. The fine ring keeps every evaluation
/// for as long as the rule's longest window needs, up to
/// [`FINE_CAPACITY`]; when that does not cover the window (a 3-day SLO
/// window at a 1-minute interval), a coarse ring keeps one snapshot per
/// `longest window / (COARSE_CAPACITY - 2)` (at least one interval), so the
/// start of a long window is known to within that step. At capacity the
/// oldest snapshot goes; a window reaching past what is kept is computed
/// over what is kept, as PromQL computes a rate over a series younger than
/// its range.
#[derive(Debug)]
pub(crate) struct History {
    fine: VecDeque<Snapshot>,
    fine_capacity: usize,
    coarse: VecDeque<Snapshot>,
    coarse_capacity: usize,
    coarse_step_ms: i64,
}

impl History {
    /// A history sized for `longest` windows at one snapshot per `interval`.
    pub(crate) fn new(longest: Duration, interval: Duration) -> Self {
        let interval_ms = interval.as_millis().max(1);
        let longest_ms = longest.as_millis();
        let needed = usize::try_from(longest_ms.div_ceil(interval_ms))
            .unwrap_or(usize::MAX)
            .saturating_add(2);
        let fine_capacity = needed.clamp(2, FINE_CAPACITY);
        let (coarse_capacity, coarse_step_ms) = if needed <= FINE_CAPACITY {
            (0, i64::MAX)
        } else {
            let step = (longest_ms.div_ceil(COARSE_CAPACITY as u128 - 2)).max(interval_ms);
            (COARSE_CAPACITY, i64::try_from(step).unwrap_or(i64::MAX))
        };
        History {
            fine: VecDeque::with_capacity(fine_capacity),
            fine_capacity,
            coarse: VecDeque::new(),
            coarse_capacity,
            coarse_step_ms,
        }
    }

    /// Records the readings taken at `at_ms`.
    pub(crate) fn push(&mut self, at_ms: i64, readings: Vec<Option<Reading>>) {
        let snapshot = Snapshot { at_ms, readings };
        if self.coarse_capacity > 0
            && self
                .coarse
                .back()
                .is_none_or(|last| at_ms - last.at_ms >= self.coarse_step_ms)
        {
            if self.coarse.len() == self.coarse_capacity {
                self.coarse.pop_front();
            }
            self.coarse.push_back(snapshot.clone());
        }
        if self.fine.len() == self.fine_capacity {
            self.fine.pop_front();
        }
        self.fine.push_back(snapshot);
    }

    /// How many snapshots are held (fine, coarse).
    #[cfg(test)]
    pub(crate) fn len(&self) -> (usize, usize) {
        (self.fine.len(), self.coarse.len())
    }

    fn now_ms(&self) -> i64 {
        self.fine.back().map_or(0, |s| s.at_ms)
    }

    /// Snapshots oldest first: the coarse ones older than the fine ring, then the fine ring.
    fn chronological(&self) -> impl DoubleEndedIterator<Item = &Snapshot> {
        let fine_start = self.fine.front().map_or(i64::MAX, |s| s.at_ms);
        self.coarse
            .iter()
            .filter(move |s| s.at_ms < fine_start)
            .chain(self.fine.iter())
    }
}

impl Readings for History {
    fn latest(&self, input: usize) -> Option<&Reading> {
        self.fine.back()?.readings.get(input)?.as_ref()
    }

    fn window_start(&self, input: usize, window: Duration) -> Option<(&Reading, f64)> {
        let now = self.now_ms();
        let from = now - i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.chronological()
            .filter(|s| s.at_ms >= from)
            .find_map(|s| Some((s.readings.get(input)?.as_ref()?, (now - s.at_ms) as f64 / 1000.0)))
    }

    fn at_offset(&self, input: usize, offset: Duration) -> Option<&Reading> {
        let at = self.now_ms() - i64::try_from(offset.as_millis()).unwrap_or(i64::MAX);
        let found = self.chronological().rev().find(|s| s.at_ms <= at)?;
        if at - found.at_ms > LOOKBACK_MS {
            return None;
        }
        found.readings.get(input)?.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_history(longest_s: u64, interval_s: u64, steps: i64) -> History {
        let mut h = History::new(Duration::from_secs(longest_s), Duration::from_secs(interval_s));
        for i in 0..steps {
            let at = i * interval_s as i64 * 1000;
            h.push(at, vec![Some(Reading::Scalar(i as f64))]);
        }
        h
    }

    #[test]
    fn short_windows_use_every_evaluation() {
        let h = counter_history(300, 60, 100);
        assert_eq!(h.len(), (7, 0));
        assert_eq!(h.increase(0, Duration::from_secs(300)), Some(5.0));
        assert_eq!(h.rate(0, Duration::from_secs(120)), Some(2.0 / 120.0));
        let young = counter_history(300, 60, 3);
        assert_eq!(
            young.rate(0, Duration::from_secs(300)),
            Some(2.0 / 300.0),
            "a young counter's rate spreads over the window"
        );
        assert_eq!(
            h.at_offset(0, Duration::from_secs(60)),
            Some(&Reading::Scalar(98.0))
        );
    }

    #[test]
    fn a_three_day_window_is_downsampled_and_bounded() {
        // three and a half days of one-minute evaluations
        let h = counter_history(3 * 86_400, 60, 5_040);
        let (fine, coarse) = h.len();
        assert_eq!(fine, FINE_CAPACITY);
        assert!(coarse <= COARSE_CAPACITY);
        let step = h.coarse_step_ms / 60_000; // minutes per coarse snapshot
        let increase = h.increase(0, Duration::from_secs(3 * 86_400)).unwrap();
        // the window start is known to within one coarse step
        assert!(
            increase <= 4_320.0 && increase > 4_320.0 - step as f64,
            "{increase} (step {step})"
        );
        assert_eq!(h.increase(0, Duration::from_secs(3_600)), Some(60.0)); // still exact from the fine ring
    }

    #[test]
    fn windows_longer_than_the_history_use_what_is_kept() {
        let h = counter_history(3_600, 60, 10);
        assert_eq!(h.increase(0, Duration::from_secs(3_600)), Some(9.0));
        let one = counter_history(3_600, 60, 1);
        assert_eq!(
            one.increase(0, Duration::from_secs(3_600)),
            None,
            "a rate needs two readings"
        );
    }
}
