//! Updates a handle refused: counted in `observa_invalid_updates_total{family, reason}`
//! so the hot path stays infallible and nothing is dropped silently.

use super::{Counter, Family};

/// The self-metric counting refused handle updates, by family and reason.
pub const INVALID_UPDATES: &str = "observa_invalid_updates_total";

/// Why a handle refused an update: the `reason` label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// NaN (never stored, never rendered).
    Nan,
    /// An infinite counter increment or gauge level/delta.
    Infinite,
    /// A negative counter increment or histogram observation.
    Negative,
}

impl Invalid {
    /// The reason for refusing `value`: NaN first, then infinities, then sign.
    #[cold]
    pub(crate) fn of(value: f64) -> Invalid {
        if value.is_nan() {
            Invalid::Nan
        } else if value.is_infinite() {
            Invalid::Infinite
        } else {
            Invalid::Negative
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Invalid::Nan => "nan",
            Invalid::Infinite => "infinite",
            Invalid::Negative => "negative",
        }
    }
}

/// Where the handles of one family count what they refuse. Series are
/// created on the first refusal, so the exposition shows only real reasons;
/// at most families × reasons series exist.
#[derive(Debug)]
pub struct InvalidSink {
    family: Box<str>,
    counts: Family<Counter>,
}

impl InvalidSink {
    pub(crate) fn new(family: &str, counts: Family<Counter>) -> Self {
        InvalidSink {
            family: family.into(),
            counts,
        }
    }

    /// Counts one refused update (cold: a lookup, a lock on first use).
    #[cold]
    #[inline(never)]
    pub(crate) fn count(&self, reason: Invalid) {
        if let Ok(counter) = self.counts.with_label_values(&[&*self.family, reason.as_str()]) {
            counter.inc();
        }
    }
}

/// Counts `reason` in `sink`, if the handle belongs to a registered family.
#[cold]
#[inline(never)]
pub(crate) fn refuse(sink: Option<&InvalidSink>, reason: Invalid) {
    if let Some(sink) = sink {
        sink.count(reason);
    }
}
