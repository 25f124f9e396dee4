//! Per-operation sampling rates: a ratio per span name, with a default.

use std::collections::HashMap;
use std::fmt;

use super::{Kind, Ratio, Sampler};
use crate::error::{ObsError, Result};

/// Most operation names a [`PerOperation`] sampler holds.
///
/// ```
/// use observa::sampling::{PerOperation, Sampler, MAX_OPERATIONS};
///
/// let mut rates = PerOperation::new(Sampler::always_on());
/// for i in 0..MAX_OPERATIONS {
///     rates = rates.rate(format!("op{i}"), 0.5)?;
/// }
/// assert_eq!(rates.rate("one more", 0.5).unwrap_err().code(), "capacity");
/// # Ok::<(), observa::ObsError>(())
/// ```
pub const MAX_OPERATIONS: usize = 1024;

/// A trace-id ratio per operation name (exact, case-sensitive match) and a
/// default sampler for the other operations. At most [`MAX_OPERATIONS`]
/// names.
///
/// ```
/// use observa::sampling::{Decision, PerOperation, Sampler};
/// use observa::TraceId;
///
/// let rates = PerOperation::new(Sampler::trace_id_ratio(0.5)?)
///     .rate("GET /health", 0.0)?
///     .rate("POST /checkout", 1.0)?;
/// let sampler = Sampler::parent_based(Sampler::per_operation(rates));
/// let trace = TraceId::random();
/// assert_eq!(sampler.should_sample(None, trace, "GET /health"), Decision::Drop);
/// assert_eq!(sampler.should_sample(None, trace, "POST /checkout"), Decision::RecordAndSample);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PerOperation {
    rates: HashMap<String, Sampler>,
    default: Sampler,
}

impl PerOperation {
    /// No per-operation rate yet; `default` decides for every operation.
    ///
    /// ```
    /// let rates = observa::sampling::PerOperation::new(observa::sampling::Sampler::always_on());
    /// assert!(rates.is_empty());
    /// ```
    pub fn new(default: Sampler) -> PerOperation {
        PerOperation {
            rates: HashMap::new(),
            default,
        }
    }

    /// Sets the ratio of `operation` (replacing an earlier one). Errors on a
    /// ratio outside `[0, 1]`, an empty name, or a new name beyond
    /// [`MAX_OPERATIONS`].
    ///
    /// ```
    /// use observa::sampling::{PerOperation, Sampler};
    ///
    /// let rates = PerOperation::new(Sampler::always_on()).rate("db.query", 0.1)?;
    /// assert_eq!(rates.len(), 1);
    /// assert!(PerOperation::new(Sampler::always_on()).rate("db.query", -1.0).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn rate(mut self, operation: impl Into<String>, ratio: f64) -> Result<PerOperation> {
        let operation = operation.into();
        let ratio = Ratio::new(ratio)?;
        if operation.is_empty() {
            return Err(ObsError::validation(
                "sampler",
                "operation",
                "",
                "must not be empty",
            ));
        }
        if self.rates.len() >= MAX_OPERATIONS && !self.rates.contains_key(&operation) {
            return Err(ObsError::Capacity {
                resource: "per-operation sampling rates".to_owned(),
                limit: MAX_OPERATIONS,
            });
        }
        self.rates.insert(operation, Sampler(Kind::TraceIdRatio(ratio)));
        Ok(self)
    }

    /// How many operations have their own rate.
    ///
    /// ```
    /// assert_eq!(observa::sampling::PerOperation::new(observa::sampling::Sampler::always_on()).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.rates.len()
    }

    /// Whether no operation has its own rate.
    ///
    /// ```
    /// assert!(observa::sampling::PerOperation::new(observa::sampling::Sampler::always_on()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    pub(super) fn sampler_for(&self, operation: &str) -> &Sampler {
        self.rates.get(operation).unwrap_or(&self.default)
    }
}

impl fmt::Display for PerOperation {
    /// `PerOperation{default:…,operations:{a:…,b:…}}`, names sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.rates.keys().collect();
        names.sort_unstable();
        write!(f, "PerOperation{{default:{},operations:{{", self.default)?;
        for (i, name) in names.into_iter().enumerate() {
            let separator = if i == 0 { "" } else { "," };
            write!(f, "{separator}{name}:{}", self.rates[name])?;
        }
        f.write_str("}}")
    }
}
