//! OpenMetrics 1.0 through `prometheus-client`'s encoder: the registry is a
//! `Collector` that hands each family and series to it.
//!
//! `prometheus-client` appends `_total` to counters and `_<unit>` to names
//! that have a unit, so it gets the base name; it does not escape HELP, so
//! HELP is escaped here.

use std::fmt;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabel, EncodeLabelSet, LabelSetEncoder, NoLabelSet,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry as ClientRegistry, Unit};

use super::super::family::{Family, Instrument};
use super::super::registry::{AnyFamily, Registry};
use super::super::MetricKind;
use super::OVERFLOW_LABELS;

pub(super) fn encode(out: &mut String, registry: &Arc<Registry>) -> fmt::Result {
    let mut client = ClientRegistry::default();
    client.register_collector(Box::new(RegistryCollector(Arc::clone(registry))));
    prometheus_client::encoding::text::encode(out, &client)
}

#[derive(Debug)]
struct RegistryCollector(Arc<Registry>);

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Registry")
    }
}

impl Collector for RegistryCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let mut buckets = Vec::new();
        self.0.for_each_family(|family| match family {
            AnyFamily::Counter(f) => encode_family(&mut encoder, f, MetricKind::Counter, |mut e, c| {
                let total = c.get();
                if total.fract() == 0.0 && total < 9e15 {
                    e.encode_counter::<NoLabelSet, u64, u64>(&(total as u64), None)
                } else {
                    e.encode_counter::<NoLabelSet, f64, u64>(&total, None)
                }
            }),
            AnyFamily::Gauge(f) => encode_family(&mut encoder, f, MetricKind::Gauge, |mut e, g| {
                e.encode_gauge(&g.get())
            }),
            AnyFamily::Histogram(f) => encode_family(&mut encoder, f, MetricKind::Histogram, |mut e, h| {
                buckets.clear();
                let (sum, count) = h.visit(|bound, c| buckets.push((bound, c)));
                e.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
            }),
            AnyFamily::Info(info) => {
                let help = escape_help(&info.help);
                let mut metric = encoder.encode_descriptor(&info.name, &help, None, MetricType::Info)?;
                let names: Vec<String> = info.labels.iter().map(|(n, _)| n.to_owned()).collect();
                let values: Vec<String> = info.labels.iter().map(|(_, v)| v.to_owned()).collect();
                metric.encode_info(&SeriesLabels {
                    names: &names,
                    values: &values,
                })
            }
        })
    }
}

fn encode_family<M: Instrument>(
    encoder: &mut DescriptorEncoder,
    family: &Family<M>,
    kind: MetricKind,
    mut value: impl FnMut(prometheus_client::encoding::MetricEncoder, &M) -> fmt::Result,
) -> fmt::Result {
    let desc = family.descriptor();
    let unit = desc.exported_unit(kind).map(|u| Unit::Other(u.to_owned()));
    let base = desc.sample_base(kind);
    let name = match &unit {
        Some(Unit::Other(u)) => base.strip_suffix(&format!("_{u}")).unwrap_or(base),
        _ => base,
    };
    let metric_type = match kind {
        MetricKind::Counter => MetricType::Counter,
        MetricKind::Gauge => MetricType::Gauge,
        MetricKind::Histogram => MetricType::Histogram,
    };
    let help = escape_help(&desc.help_text());
    let mut metric = encoder.encode_descriptor(name, &help, unit.as_ref(), metric_type)?;
    family.with_series(|map, overflow| {
        for super::super::family::Series { values, handle, .. } in &map.entries {
            let labels = SeriesLabels {
                names: &desc.label_names,
                values,
            };
            value(metric.encode_family(&labels)?, handle)?;
        }
        if let Some(handle) = overflow {
            value(metric.encode_family(&&OVERFLOW_LABELS[..])?, handle)?;
        }
        Ok(())
    })
}

/// One series' labels, borrowed from the family, encoded without allocating.
struct SeriesLabels<'a> {
    names: &'a [String],
    values: &'a [String],
}

impl EncodeLabelSet for SeriesLabels<'_> {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> fmt::Result {
        for (name, value) in self.names.iter().zip(self.values) {
            (name.as_str(), value.as_str()).encode(encoder.encode_label())?;
        }
        Ok(())
    }
}

/// OpenMetrics HELP escapes `\`, newline and `"`.
fn escape_help(help: &str) -> String {
    let mut out = String::with_capacity(help.len());
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}
