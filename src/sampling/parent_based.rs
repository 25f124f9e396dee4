//! The parent-based sampler: follow the parent's `sampled` flag, with a
//! sampler per parent case and one for root spans.

use std::fmt;

use super::{Kind, Sampler};
use crate::propagation::TraceFlags;

/// The parent-based sampler's five cases. Defaults: remote or local sampled
/// parent → AlwaysOn, not-sampled parent → AlwaysOff.
///
/// ```
/// use observa::propagation::TraceFlags;
/// use observa::sampling::{Decision, ParentBased, Sampler};
/// use observa::TraceId;
///
/// // trust local parents, but re-sample what callers send at 10 %
/// let sampler: Sampler = ParentBased::new(Sampler::always_on())
///     .remote_sampled(Sampler::trace_id_ratio(0.1)?)
///     .into();
/// let remote_sampled = Some((TraceFlags::SAMPLED, true));
/// let trace: TraceId = "0af7651916cd43ddffffffffffffffff".parse()?; // high random part
/// assert_eq!(sampler.should_sample(remote_sampled, trace, "op"), Decision::Drop);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParentBased {
    root: Sampler,
    remote_sampled: Sampler,
    remote_not_sampled: Sampler,
    local_sampled: Sampler,
    local_not_sampled: Sampler,
}

impl ParentBased {
    /// The default cases with `root` for spans without a parent.
    ///
    /// ```
    /// let rules = observa::sampling::ParentBased::new(observa::sampling::Sampler::always_off());
    /// assert!(observa::sampling::Sampler::from(rules).description().starts_with("ParentBased{root:AlwaysOff"));
    /// ```
    pub fn new(root: Sampler) -> ParentBased {
        ParentBased {
            root,
            remote_sampled: Sampler::always_on(),
            remote_not_sampled: Sampler::always_off(),
            local_sampled: Sampler::always_on(),
            local_not_sampled: Sampler::always_off(),
        }
    }

    /// The sampler for a sampled parent from another process.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::sampling::{Decision, ParentBased, Sampler};
    ///
    /// let sampler: Sampler = ParentBased::new(Sampler::always_on()).remote_sampled(Sampler::always_off()).into();
    /// let parent = Some((TraceFlags::SAMPLED, true));
    /// assert_eq!(sampler.should_sample(parent, observa::TraceId::random(), "op"), Decision::Drop);
    /// ```
    #[must_use]
    pub fn remote_sampled(mut self, sampler: Sampler) -> ParentBased {
        self.remote_sampled = sampler;
        self
    }

    /// The sampler for a not-sampled parent from another process.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::sampling::{Decision, ParentBased, Sampler};
    ///
    /// let sampler: Sampler = ParentBased::new(Sampler::always_on()).remote_not_sampled(Sampler::always_on()).into();
    /// let parent = Some((TraceFlags::NONE, true));
    /// assert_eq!(sampler.should_sample(parent, observa::TraceId::random(), "op"), Decision::RecordAndSample);
    /// ```
    #[must_use]
    pub fn remote_not_sampled(mut self, sampler: Sampler) -> ParentBased {
        self.remote_not_sampled = sampler;
        self
    }

    /// The sampler for a sampled parent in this process.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::sampling::{Decision, ParentBased, Sampler};
    ///
    /// let sampler: Sampler = ParentBased::new(Sampler::always_on()).local_sampled(Sampler::always_off()).into();
    /// let parent = Some((TraceFlags::SAMPLED, false));
    /// assert_eq!(sampler.should_sample(parent, observa::TraceId::random(), "op"), Decision::Drop);
    /// ```
    #[must_use]
    pub fn local_sampled(mut self, sampler: Sampler) -> ParentBased {
        self.local_sampled = sampler;
        self
    }

    /// The sampler for a not-sampled parent in this process.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::sampling::{Decision, ParentBased, Sampler};
    ///
    /// let sampler: Sampler = ParentBased::new(Sampler::always_on()).local_not_sampled(Sampler::always_on()).into();
    /// let parent = Some((TraceFlags::NONE, false));
    /// assert_eq!(sampler.should_sample(parent, observa::TraceId::random(), "op"), Decision::RecordAndSample);
    /// ```
    #[must_use]
    pub fn local_not_sampled(mut self, sampler: Sampler) -> ParentBased {
        self.local_not_sampled = sampler;
        self
    }

    pub(super) fn choose(&self, parent: Option<(TraceFlags, bool)>) -> &Sampler {
        match parent {
            None => &self.root,
            Some((flags, true)) if flags.is_sampled() => &self.remote_sampled,
            Some((_, true)) => &self.remote_not_sampled,
            Some((flags, false)) if flags.is_sampled() => &self.local_sampled,
            Some((_, false)) => &self.local_not_sampled,
        }
    }
}

impl From<ParentBased> for Sampler {
    fn from(rules: ParentBased) -> Sampler {
        Sampler(Kind::ParentBased(Box::new(rules)))
    }
}

impl fmt::Display for ParentBased {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ParentBased{{root:{},remoteParentSampled:{},remoteParentNotSampled:{},\
             localParentSampled:{},localParentNotSampled:{}}}",
            self.root,
            self.remote_sampled,
            self.remote_not_sampled,
            self.local_sampled,
            self.local_not_sampled
        )
    }
}
