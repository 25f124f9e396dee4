//! Head sampling: whether a new span is recorded and exported.
//!
//! A [`Sampler`] decides once, when a span starts, from the parent's
//! [`TraceFlags`] (and whether the parent came from another process), the
//! trace id and the operation name. The rules follow the OpenTelemetry trace
//! SDK specification:
//!
//! - [`Sampler::always_on`] / [`Sampler::always_off`];
//! - [`Sampler::trace_id_ratio`]: the trace-id ratio rule of the
//!   OpenTelemetry Rust and Go SDKs, bit for bit (see [`Ratio`]), so a trace
//!   sampled here at ratio `r` is sampled by those SDKs at every ratio `>= r`;
//!   it ignores the parent, as the specification requires;
//! - [`Sampler::parent_based`]: follow the parent's `sampled` flag, use
//!   `root` when there is no parent ([`ParentBased`] sets the four parent
//!   cases one by one). The default is `ParentBased(root = AlwaysOn)`;
//! - [`Sampler::per_operation`]: a ratio per operation name, with a default
//!   ([`PerOperation`]); usually the `root` of a parent-based sampler.
//!
//! ```
//! use observa::propagation::TraceFlags;
//! use observa::sampling::{Decision, Sampler};
//! use observa::TraceId;
//!
//! let sampler = Sampler::default(); // parentbased_always_on
//! let trace = TraceId::random();
//! assert_eq!(sampler.should_sample(None, trace, "GET /"), Decision::RecordAndSample);
//! let remote_unsampled = Some((TraceFlags::NONE, true));
//! assert_eq!(sampler.should_sample(remote_unsampled, trace, "GET /"), Decision::Drop);
//!
//! let from_env = Sampler::from_config("parentbased_traceidratio", Some("0.0001"))?;
//! assert!(from_env.description().contains("TraceIdRatioBased{0.000100}"));
//! # Ok::<(), observa::ObsError>(())
//! ```

mod parent_based;
mod per_operation;
mod ratio;

use std::fmt;
use std::str::FromStr;

pub use parent_based::ParentBased;
pub use per_operation::{PerOperation, MAX_OPERATIONS};
pub use ratio::Ratio;

use crate::domain::TraceId;
use crate::error::{ObsError, Result};
use crate::propagation::TraceFlags;

/// The outcome of a sampling decision.
///
/// ```
/// use observa::sampling::Decision;
///
/// assert!(Decision::RecordAndSample.is_sampled());
/// assert!(!Decision::Drop.is_sampled());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Not recorded, not sampled: the span is a context with ids and nothing
    /// more, and the `sampled` flag it propagates is clear.
    Drop,
    /// Recorded and exported; the `sampled` flag is set.
    RecordAndSample,
}

impl Decision {
    /// Whether the span is recorded and its `sampled` flag set.
    ///
    /// ```
    /// assert!(observa::sampling::Decision::RecordAndSample.is_sampled());
    /// ```
    pub fn is_sampled(self) -> bool {
        self == Decision::RecordAndSample
    }

    fn from_bool(sampled: bool) -> Decision {
        if sampled {
            Decision::RecordAndSample
        } else {
            Decision::Drop
        }
    }
}

/// A head sampler; see the [module docs](self) for the rules.
///
/// ```
/// use observa::sampling::Sampler;
///
/// let sampler: Sampler = "always_off".parse()?;
/// assert_eq!(sampler.description(), "AlwaysOffSampler");
/// assert!("sometimes".parse::<Sampler>().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler(Kind);

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio(Ratio),
    ParentBased(Box<ParentBased>),
    PerOperation(Box<PerOperation>),
}

impl Sampler {
    /// Samples every span.
    ///
    /// ```
    /// assert_eq!(observa::sampling::Sampler::always_on().description(), "AlwaysOnSampler");
    /// ```
    pub fn always_on() -> Sampler {
        Sampler(Kind::AlwaysOn)
    }

    /// Samples no span.
    ///
    /// ```
    /// assert_eq!(observa::sampling::Sampler::always_off().description(), "AlwaysOffSampler");
    /// ```
    pub fn always_off() -> Sampler {
        Sampler(Kind::AlwaysOff)
    }

    /// Samples the fraction `ratio` of traces, chosen by trace id; the
    /// parent's flag is ignored. NaN or a ratio outside `[0, 1]` is an error.
    ///
    /// ```
    /// use observa::sampling::Sampler;
    ///
    /// assert_eq!(Sampler::trace_id_ratio(0.0001)?.description(), "TraceIdRatioBased{0.000100}");
    /// assert!(Sampler::trace_id_ratio(2.0).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn trace_id_ratio(ratio: f64) -> Result<Sampler> {
        Ok(Sampler(Kind::TraceIdRatio(Ratio::new(ratio)?)))
    }

    /// Follows the parent's `sampled` flag; `root` decides for spans without
    /// a parent. Use [`ParentBased`] to change the four parent cases.
    ///
    /// ```
    /// use observa::sampling::Sampler;
    ///
    /// let sampler = Sampler::parent_based(Sampler::trace_id_ratio(0.5)?);
    /// assert!(sampler.description().starts_with("ParentBased{root:TraceIdRatioBased{0.500000}"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn parent_based(root: Sampler) -> Sampler {
        ParentBased::new(root).into()
    }

    /// A ratio per operation name; see [`PerOperation`].
    ///
    /// ```
    /// use observa::sampling::{PerOperation, Sampler};
    ///
    /// let rates = PerOperation::new(Sampler::always_on()).rate("health", 0.0)?;
    /// let sampler = Sampler::per_operation(rates);
    /// assert!(sampler.description().starts_with("PerOperation{"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn per_operation(rates: PerOperation) -> Sampler {
        Sampler(Kind::PerOperation(Box::new(rates)))
    }

    /// Builds a sampler from the OpenTelemetry configuration names
    /// (`OTEL_TRACES_SAMPLER`): `always_on`, `always_off`, `traceidratio`,
    /// `parentbased_always_on`, `parentbased_always_off`,
    /// `parentbased_traceidratio`, with `argument` (`OTEL_TRACES_SAMPLER_ARG`)
    /// the ratio of the ratio samplers (default `1.0`, ignored by the others).
    /// Names are matched case-insensitively, surrounding whitespace ignored.
    ///
    /// ```
    /// use observa::sampling::Sampler;
    ///
    /// let sampler = Sampler::from_config("traceidratio", Some("0.25"))?;
    /// assert_eq!(sampler.description(), "TraceIdRatioBased{0.250000}");
    /// assert_eq!(Sampler::from_config("traceidratio", None)?.description(), "TraceIdRatioBased{1.000000}");
    /// let err = Sampler::from_config("traceidratio", Some("1.5")).unwrap_err();
    /// assert!(err.to_string().contains("ratio"));
    /// assert!(Sampler::from_config("jaeger", None).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn from_config(name: &str, argument: Option<&str>) -> Result<Sampler> {
        let ratio = || -> Result<Sampler> {
            let ratio = argument.map_or(Ratio::new(1.0), Ratio::parse)?;
            Ok(Sampler(Kind::TraceIdRatio(ratio)))
        };
        let name = name.trim().to_ascii_lowercase();
        Ok(match name.as_str() {
            "always_on" => Sampler::always_on(),
            "always_off" => Sampler::always_off(),
            "traceidratio" => ratio()?,
            "parentbased_always_on" => Sampler::parent_based(Sampler::always_on()),
            "parentbased_always_off" => Sampler::parent_based(Sampler::always_off()),
            "parentbased_traceidratio" => Sampler::parent_based(ratio()?),
            _ => {
                return Err(ObsError::validation(
                    "sampler",
                    "name",
                    name,
                    "must be one of always_on, always_off, traceidratio, parentbased_always_on, \
                     parentbased_always_off, parentbased_traceidratio",
                ))
            }
        })
    }

    /// Decides for a new span. `parent` is the parent's flags and whether it
    /// came from another process (`true`, extracted from headers) or from
    /// this one (`false`); `None` for a root span.
    ///
    /// ```
    /// use observa::propagation::TraceFlags;
    /// use observa::sampling::{Decision, Sampler};
    /// use observa::TraceId;
    ///
    /// let sampler = Sampler::parent_based(Sampler::always_off());
    /// let trace = TraceId::random();
    /// assert_eq!(sampler.should_sample(None, trace, "job"), Decision::Drop);
    /// let local_sampled = Some((TraceFlags::SAMPLED, false));
    /// assert_eq!(sampler.should_sample(local_sampled, trace, "job"), Decision::RecordAndSample);
    /// ```
    pub fn should_sample(
        &self,
        parent: Option<(TraceFlags, bool)>,
        trace_id: TraceId,
        operation: &str,
    ) -> Decision {
        match &self.0 {
            Kind::AlwaysOn => Decision::RecordAndSample,
            Kind::AlwaysOff => Decision::Drop,
            Kind::TraceIdRatio(ratio) => Decision::from_bool(ratio.samples(trace_id)),
            Kind::ParentBased(rules) => rules.choose(parent).should_sample(parent, trace_id, operation),
            Kind::PerOperation(rates) => rates
                .sampler_for(operation)
                .should_sample(parent, trace_id, operation),
        }
    }

    /// The decision for every child of a local parent whose `sampled`
    /// flag is `parent_sampled`, when it depends on neither the trace id nor
    /// the operation (`None` otherwise): such a child needs no decision.
    pub(crate) fn fixed_for_local_child(&self, parent_sampled: bool) -> Option<bool> {
        let flags = TraceFlags::NONE.with_sampled(parent_sampled);
        let chosen = match &self.0 {
            Kind::ParentBased(rules) => rules.choose(Some((flags, false))),
            _ => self,
        };
        match chosen.0 {
            Kind::AlwaysOn => Some(true),
            Kind::AlwaysOff => Some(false),
            _ => None,
        }
    }

    /// A description in the style of the OpenTelemetry SDKs:
    /// `AlwaysOnSampler`, `AlwaysOffSampler`, `TraceIdRatioBased{0.000100}`,
    /// `ParentBased{root:…,remoteParentSampled:…,…}`.
    ///
    /// ```
    /// let sampler = observa::sampling::Sampler::default();
    /// assert_eq!(
    ///     sampler.description(),
    ///     "ParentBased{root:AlwaysOnSampler,remoteParentSampled:AlwaysOnSampler,\
    ///      remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,\
    ///      localParentNotSampled:AlwaysOffSampler}"
    /// );
    /// ```
    pub fn description(&self) -> String {
        self.to_string()
    }
}

impl Default for Sampler {
    /// `ParentBased(root = AlwaysOn)`, the OpenTelemetry default.
    fn default() -> Sampler {
        Sampler::parent_based(Sampler::always_on())
    }
}

impl FromStr for Sampler {
    type Err = ObsError;

    /// The OpenTelemetry name alone, as [`Sampler::from_config`] with no
    /// argument (ratio samplers get ratio 1.0).
    fn from_str(name: &str) -> Result<Sampler> {
        Sampler::from_config(name, None)
    }
}

impl fmt::Display for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::AlwaysOn => f.write_str("AlwaysOnSampler"),
            Kind::AlwaysOff => f.write_str("AlwaysOffSampler"),
            Kind::TraceIdRatio(ratio) => write!(f, "TraceIdRatioBased{{{:.6}}}", ratio.value()),
            Kind::ParentBased(rules) => rules.fmt(f),
            Kind::PerOperation(rates) => rates.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests;
