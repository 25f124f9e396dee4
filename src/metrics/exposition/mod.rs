//! Exposition: the registry as Prometheus text 0.0.4 or OpenMetrics 1.0.

mod openmetrics;
mod prometheus;

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

    /// The format an HTTP `Accept` header asks for: OpenMetrics when it is
    /// listed (and not refused with `q=0`), else Prometheus 0.0.4.
    pub fn from_accept(accept: &str) -> Format {
        let wants_openmetrics = accept.split(',').any(|range| {
            let mut params = range.split(';').map(str::trim);
            let media = params.next().unwrap_or_default();
            let refused = params.any(|p| {
                let q = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="));
                q.and_then(|v| v.trim().parse::<f64>().ok()) == Some(0.0)
            });
            media.eq_ignore_ascii_case("application/openmetrics-text") && !refused
        });
        if wants_openmetrics {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        let cases = [
            ("", Format::Prometheus),
            ("text/plain;version=0.0.4", Format::Prometheus),
            (
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
                Format::OpenMetrics,
            ),
            ("application/openmetrics-text; q=0", Format::Prometheus),
            ("application/openmetrics-text; q=0.0", Format::Prometheus),
            ("Application/OpenMetrics-Text; q=0.1", Format::OpenMetrics),
        ];
        for (accept, expected) in cases {
            assert_eq!(Format::from_accept(accept), expected, "{accept}");
        }
    }
}
