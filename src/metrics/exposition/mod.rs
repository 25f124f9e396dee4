//! Exposition: the registry as Prometheus text 0.0.4 or OpenMetrics 1.0.

mod accept;
mod openmetrics;
mod prometheus;
#[cfg(feature = "otlp")]
pub(crate) mod snapshot;

use std::sync::Arc;

use super::family::Descriptor;
use super::registry::Registry;
use super::MetricKind;
use crate::error::{ObsError, Result};

/// A text exposition format.
///
/// ```
/// use observa::metrics::Format;
///
/// assert_eq!(Format::Prometheus.content_type(), "text/plain; version=0.0.4; charset=utf-8");
/// assert_eq!(Format::from_accept("application/openmetrics-text; version=1.0.0"), Format::OpenMetrics);
/// assert_eq!(Format::from_accept("*/*"), Format::Prometheus);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text, ending in `# EOF`.
    OpenMetrics,
}

impl Format {
    /// The HTTP `Content-Type` of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format an HTTP `Accept` header asks for (RFC 9110 content
    /// negotiation): the acceptable format with the highest q-value, the most
    /// specific matching range deciding each format's q (`*/*`, `text/*`,
    /// the `version` parameter: OpenMetrics `1.0.0`, text `0.0.4`); text
    /// 0.0.4 on a tie, when nothing matches, or for an empty header.
    ///
    /// ```
    /// use observa::metrics::Format;
    ///
    /// let prefers_text = "application/openmetrics-text;q=0.5, text/plain;version=0.0.4";
    /// assert_eq!(Format::from_accept(prefers_text), Format::Prometheus);
    /// assert_eq!(Format::from_accept("application/openmetrics-text;version=2.0.0"), Format::Prometheus);
    /// ```
    pub fn from_accept(accept: &str) -> Format {
        accept::negotiate(accept)
    }
}

pub(crate) fn render(registry: &Arc<Registry>, format: Format) -> Result<String> {
    let mut out = String::with_capacity(4096);
    let written = match format {
        Format::Prometheus => prometheus::encode(&mut out, registry),
        Format::OpenMetrics => openmetrics::encode(&mut out, registry),
    };
    written.map_err(|_| ObsError::Export {
        target: "text exposition",
        reason: "formatting into a String failed".into(),
    })?;
    Ok(out)
}

/// The label carried by a family's overflow series.
const OVERFLOW_LABELS: [(&str, &str); 1] = [(super::family::OVERFLOW_LABEL, "true")];

impl Descriptor {
    /// The HELP text: the registered help, or one derived from the name.
    fn help_text(&self) -> String {
        match self.help.get() {
            Some(help) => help.clone(),
            None => format!("{} (no help registered)", self.name),
        }
    }

    /// The unit to announce, if any, and only if the name ends with it.
    fn exported_unit(&self, kind: MetricKind) -> Option<&str> {
        let unit = self.unit.get()?;
        let base = self.sample_base(kind);
        base.ends_with(&format!("_{unit}")).then_some(unit.as_str())
    }

    /// The name samples are based on: counters without `_total`.
    fn sample_base(&self, kind: MetricKind) -> &str {
        match kind {
            MetricKind::Counter => self.name.strip_suffix("_total").unwrap_or(&self.name),
            _ => &self.name,
        }
    }
}
