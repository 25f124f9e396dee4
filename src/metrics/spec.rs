//! [`FamilySpec`]: how a family is described, and the rules a spec must follow.

use std::sync::OnceLock;

use super::family::Descriptor;
use super::{Buckets, MetricKind};
use crate::domain::{name_fits_kind, rules};
use crate::error::{ObsError, Result};

/// How to register a family: name, help, unit, label names and (histograms) buckets.
///
/// The unit, if given, must be a suffix of the name (`latency_seconds` with
/// unit `seconds`; for counters before `_total`), as OpenMetrics requires.
///
/// ```
/// use observa::metrics::{Buckets, FamilySpec};
///
/// let spec = FamilySpec::new("request_duration_seconds")
///     .help("Time to serve a request.")
///     .unit("seconds")
///     .labels(&["route"])
///     .buckets(Buckets::exponential(0.001, 2.0, 12)?);
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// let family = obs.metrics().histogram_family(spec)?;
/// family.with_label_values(&["/orders"])?.observe(0.004);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct FamilySpec {
    pub(super) name: String,
    pub(super) help: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) label_names: Vec<String>,
    pub(super) buckets: Option<Buckets>,
}

impl FamilySpec {
    /// A spec for `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FamilySpec {
            name: name.into(),
            ..FamilySpec::default()
        }
    }
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
    /// The HELP text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// The unit (a suffix of the name).
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
    /// The label names, in the order values will be given.
    pub fn labels(mut self, names: &[&str]) -> Self {
        self.label_names = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }
    /// The histogram buckets (default [`DEFAULT_BUCKETS`](super::DEFAULT_BUCKETS)).
    pub fn buckets(mut self, buckets: Buckets) -> Self {
        self.buckets = Some(buckets);
        self
    }
}

pub(super) fn descriptor(spec: FamilySpec) -> Descriptor {
    let help = OnceLock::new();
    if let Some(text) = spec.help {
        let _ = help.set(text);
    }
    let unit = OnceLock::new();
    if let Some(text) = spec.unit {
        let _ = unit.set(text);
    }
    Descriptor {
        name: spec.name,
        help,
        unit,
        label_names: spec.label_names.into(),
        buckets: spec.buckets,
    }
}

pub(super) fn validate(spec: &FamilySpec, kind: MetricKind) -> Result<()> {
    rules::metric_name("metric", &spec.name)?;
    if spec.name.starts_with("observa_") {
        // self-telemetry names are reserved, so a user family cannot collide with them
        return Err(ObsError::validation(
            "metric",
            "name",
            &spec.name,
            "the `observa_` prefix is reserved",
        ));
    }
    for name in &spec.label_names {
        rules::label_name("metric", name)?;
        if kind == MetricKind::Histogram && (name == "le" || name == "quantile") {
            return Err(ObsError::validation(
                "metric",
                "label name",
                name,
                "reserved on histograms",
            ));
        }
    }
    let mut sorted = spec.label_names.clone();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ObsError::validation(
            "metric",
            "label name",
            &pair[0],
            "label names must be unique",
        ));
    }
    rules::at_most("metric", "labels", spec.label_names.len(), rules::MAX_LABELS)?;
    if let Some(help) = &spec.help {
        validate_text("help", help)?;
    }
    if let Some(unit) = &spec.unit {
        validate_unit(&spec.name, unit, kind)?;
    }
    name_fits_kind(&spec.name, kind)
}

pub(super) fn validate_text(field: &'static str, text: &str) -> Result<()> {
    rules::text("metric", field, text, rules::MAX_MESSAGE_LEN)
}

fn validate_unit(name: &str, unit: &str, kind: MetricKind) -> Result<()> {
    let fail = |rule: &str| Err(ObsError::validation("metric", "unit", unit, rule));
    if unit.is_empty() || !unit.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return fail("must match [a-zA-Z0-9_]+");
    }
    let base = match kind {
        MetricKind::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    if !base.ends_with(&format!("_{unit}")) {
        return fail("the metric name must end with `_<unit>` (before `_total` for counters)");
    }
    Ok(())
}
