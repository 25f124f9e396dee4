//! What the evaluator records for a rule ([`Input`], [`Reading`]) and how
//! conditions look at the recorded history ([`Readings`]).

use std::sync::Arc;
use std::time::Duration;

use super::selector::Selector;

/// What the evaluator records for one input at one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input {
    /// The sum of the matched counter or gauge series.
    Sum(Selector),
    /// The matched histogram series' cumulative bucket counts, summed.
    Buckets(Selector),
}

/// One input's reading at one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reading {
    Scalar(f64),
    /// Bucket bounds and cumulative counts (one more than bounds: `+Inf`).
    Buckets(Arc<[f64]>, Vec<f64>),
}

impl Reading {
    pub(crate) fn scalar(&self) -> Option<f64> {
        match self {
            Reading::Scalar(v) => Some(*v),
            Reading::Buckets(_, counts) => counts.last().copied(),
        }
    }
}

/// Recorded readings as the conditions look at them; `None` when an input
/// had no matching series.
pub(crate) trait Readings {
    /// The reading at the current evaluation.
    fn latest(&self, input: usize) -> Option<&Reading>;
    /// The oldest reading within `[now - window, now]` and its age in seconds.
    fn window_start(&self, input: usize, window: Duration) -> Option<(&Reading, f64)>;
    /// The newest reading at or before `now - offset`.
    fn at_offset(&self, input: usize, offset: Duration) -> Option<&Reading>;

    /// How much a counter grew over `window` (needs two readings).
    fn increase(&self, input: usize, window: Duration) -> Option<f64> {
        let (start, age) = self.window_start(input, window)?;
        (age > 0.0).then_some(())?;
        Some(self.latest(input)?.scalar()? - start.scalar()?)
    }

    /// Per-second growth over `window`: the increase divided by the whole
    /// window, also while fewer readings than the window holds exist, as
    /// PromQL's `rate` extrapolates a counter that starts at zero.
    fn rate(&self, input: usize, window: Duration) -> Option<f64> {
        Some(self.increase(input, window)? / window.as_secs_f64())
    }
}
