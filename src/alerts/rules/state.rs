//! [`RuleState`]: Prometheus's alert state machine for one rule, driven by
//! whether the condition held at each evaluation.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Where a rule stands, as Prometheus's `ALERTS{alertstate}` would say.
///
/// ```
/// use observa::alerts::rules::RuleState;
/// assert_eq!(RuleState::Pending.to_string(), "pending");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleState {
    /// The condition does not hold (or stopped holding and the rule resolved).
    Inactive,
    /// The condition holds, for less than the rule's `for`.
    Pending,
    /// The condition held for `for` (or is kept firing by `keep_firing_for`).
    Firing,
}

impl std::fmt::Display for RuleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RuleState::Inactive => "inactive",
            RuleState::Pending => "pending",
            RuleState::Firing => "firing",
        })
    }
}

/// What one evaluation changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transition {
    None,
    /// Pending → firing (or straight to firing when `for` is 0).
    Fired,
    /// Firing → inactive.
    Resolved,
}

/// The state machine of `prometheus/rules/alerting.go` for one alert instance.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    hold: Duration,
    keep_firing_for: Duration,
    state: RuleState,
    active_at: Option<DateTime<Utc>>,
    keep_firing_since: Option<DateTime<Utc>>,
}

impl Machine {
    pub(crate) fn new(hold: Duration, keep_firing_for: Duration) -> Self {
        Machine {
            hold,
            keep_firing_for,
            state: RuleState::Inactive,
            active_at: None,
            keep_firing_since: None,
        }
    }

    pub(crate) fn state(&self) -> RuleState {
        self.state
    }

    /// Since when the condition has held (pending or firing).
    pub(crate) fn active_at(&self) -> Option<DateTime<Utc>> {
        self.active_at
    }

    /// Feeds one evaluation at `now`: whether the condition held.
    pub(crate) fn step(&mut self, holds: bool, now: DateTime<Utc>) -> Transition {
        if holds {
            self.keep_firing_since = None;
            let active_at = *self.active_at.get_or_insert(now);
            if self.state == RuleState::Inactive {
                self.state = RuleState::Pending;
            }
            let held = (now - active_at).to_std().unwrap_or(Duration::ZERO);
            if self.state == RuleState::Pending && held >= self.hold {
                self.state = RuleState::Firing;
                return Transition::Fired;
            }
            return Transition::None;
        }
        if self.state == RuleState::Firing && !self.keep_firing_for.is_zero() {
            let since = *self.keep_firing_since.get_or_insert(now);
            if (now - since).to_std().unwrap_or(Duration::ZERO) < self.keep_firing_for {
                return Transition::None;
            }
        }
        let was = self.state;
        self.state = RuleState::Inactive;
        self.active_at = None;
        self.keep_firing_since = None;
        if was == RuleState::Firing {
            Transition::Resolved
        } else {
            Transition::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(m: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + m * 60, 0).unwrap()
    }

    /// Steps a machine through `held` (one evaluation per minute) and returns the states.
    fn run(hold_min: u64, keep_min: u64, held: &[bool]) -> Vec<RuleState> {
        let mut m = Machine::new(
            Duration::from_secs(hold_min * 60),
            Duration::from_secs(keep_min * 60),
        );
        held.iter()
            .enumerate()
            .map(|(i, h)| {
                m.step(*h, minute(i as i64));
                m.state()
            })
            .collect()
    }

    use RuleState::{Firing as F, Inactive as I, Pending as P};

    #[test]
    fn for_zero_fires_at_the_first_evaluation() {
        assert_eq!(run(0, 0, &[false, true, true, false]), [I, F, F, I]);
    }

    #[test]
    fn pending_lasts_for_then_fires() {
        assert_eq!(run(2, 0, &[true, true, true, true, false]), [P, P, F, F, I]);
    }

    #[test]
    fn a_gap_while_pending_starts_over() {
        assert_eq!(
            run(2, 0, &[true, true, false, true, true, true]),
            [P, P, I, P, P, F]
        );
    }

    #[test]
    fn keep_firing_for_holds_the_alert_then_resolves() {
        assert_eq!(run(0, 2, &[true, false, false, false, true]), [F, F, F, I, F]);
        // the condition returning during keep_firing_for resets the countdown
        assert_eq!(
            run(0, 2, &[true, false, true, false, false, false]),
            [F, F, F, F, F, I]
        );
        // keep_firing_for never applies to a pending alert
        assert_eq!(run(5, 2, &[true, false]), [P, I]);
    }

    #[test]
    fn transitions_are_reported_once() {
        let mut m = Machine::new(Duration::from_secs(60), Duration::ZERO);
        let t: Vec<Transition> = [true, true, true, false, false]
            .iter()
            .enumerate()
            .map(|(i, h)| m.step(*h, minute(i as i64)))
            .collect();
        use Transition::{Fired, None as N, Resolved};
        assert_eq!(t, [N, Fired, N, Resolved, N]);
    }
}
