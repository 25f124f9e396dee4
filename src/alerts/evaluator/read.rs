//! Reads a rule input from the live registry: no copy is kept beyond the
//! rule's [`History`](super::history::History).

use std::sync::Arc;

use crate::alerts::rules::{Input, Reading, Selector};
use crate::metrics::{AnyFamily, Family, Histogram, Instrument, Registry, OVERFLOW_LABEL};

/// The current reading of `input`, or `None` when no series matches.
pub(crate) fn read(registry: &Registry, input: &Input) -> Option<Reading> {
    match input {
        Input::Sum(selector) => match find(registry, selector)? {
            AnyFamily::Counter(f) => sum(&f, selector, |c| c.get()).map(Reading::Scalar),
            AnyFamily::Gauge(f) => sum(&f, selector, |g| g.get()).map(Reading::Scalar),
            AnyFamily::Histogram(f) => {
                sum(&f, selector, |h| h.snapshot().count() as f64).map(Reading::Scalar)
            }
            AnyFamily::Info(_) => None,
        },
        Input::Buckets(selector) => match find(registry, selector)? {
            AnyFamily::Histogram(f) => buckets(&f, selector),
            _ => None,
        },
    }
}

/// The family a selector names: as registered, or a counter registered
/// without the `_total` its exposed name carries.
fn find(registry: &Registry, selector: &Selector) -> Option<AnyFamily> {
    let name = selector.metric();
    registry.get(name).or_else(|| {
        let family = registry.get(name.strip_suffix("_total")?)?;
        matches!(family, AnyFamily::Counter(_)).then_some(family)
    })
}

/// Calls `f` with every matching series' handle (the overflow series
/// carries only `observa_overflow="true"`).
fn each_match<M: Instrument>(family: &Family<M>, selector: &Selector, mut f: impl FnMut(&M)) -> bool {
    let names = family.label_names();
    family.with_series(|map, overflow| {
        let mut any = false;
        for series in &map.entries {
            if selector.matches(names, &series.values) {
                any = true;
                f(&series.handle);
            }
        }
        if let Some(handle) = overflow {
            let overflow_names = [OVERFLOW_LABEL.to_owned()];
            if selector.matches(&overflow_names, &["true".to_owned()]) {
                any = true;
                f(handle);
            }
        }
        any
    })
}

fn sum<M: Instrument>(family: &Family<M>, selector: &Selector, value: impl Fn(&M) -> f64) -> Option<f64> {
    let mut total = 0.0;
    each_match(family, selector, |m| total += value(m)).then_some(total)
}

fn buckets(family: &Family<Histogram>, selector: &Selector) -> Option<Reading> {
    let bounds: Arc<[f64]> = family.descriptor().buckets.as_ref()?.bounds().into();
    let mut counts = vec![0.0; bounds.len() + 1];
    let any = each_match(family, selector, |h| {
        for (total, c) in counts.iter_mut().zip(h.snapshot().cumulative_counts()) {
            *total += c as f64;
        }
    });
    any.then_some(Reading::Buckets(bounds, counts))
}
