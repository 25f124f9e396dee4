//! The Prometheus text format 0.0.4 encoder (`prometheus-client` has none).
//!
//! Differences from OpenMetrics that matter: a counter's HELP and TYPE name
//! is its full sample name (`x_total`), HELP escapes only `\` and newline,
//! there is no UNIT line and no `# EOF`.

use std::fmt;

use super::super::family::{Family, Instrument, SeriesMap};
use super::super::registry::{AnyFamily, Registry};
use super::super::MetricKind;
use super::OVERFLOW_LABELS;
use crate::domain::escape_label_value_into;

pub(super) fn encode(out: &mut String, registry: &Registry) -> fmt::Result {
    registry.for_each_family(|family| match family {
        AnyFamily::Counter(f) => encode_family(out, f, MetricKind::Counter, |out, name, labels, c| {
            sample(out, name, "", labels, None, |o| number(o, c.get()))
        }),
        AnyFamily::Gauge(f) => encode_family(out, f, MetricKind::Gauge, |out, name, labels, g| {
            sample(out, name, "", labels, None, |o| number(o, g.get()))
        }),
        AnyFamily::Histogram(f) => encode_family(out, f, MetricKind::Histogram, |out, name, labels, h| {
            let mut cumulative = 0u64;
            let mut result = Ok(());
            let (sum, count) = h.visit(|bound, c| {
                cumulative += c;
                if result.is_ok() {
                    let le = ("le", bound);
                    result = sample(out, name, "_bucket", labels, Some(le), |o| integer(o, cumulative));
                }
            });
            result?;
            sample(out, name, "_sum", labels, None, |o| number(o, sum))?;
            sample(out, name, "_count", labels, None, |o| integer(o, count))
        }),
        AnyFamily::Info(info) => {
            // 0.0.4 has no info type: an info-style gauge `name_info{...} 1`
            let name = format!("{}_info", info.name);
            header(out, &name, &info.help, "gauge");
            let names: Vec<String> = info.labels.iter().map(|(n, _)| n.to_owned()).collect();
            let values: Vec<String> = info.labels.iter().map(|(_, v)| v.to_owned()).collect();
            sample(out, &name, "", (&names, &values), None, |o| o.push('1'))
        }
    })
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    escape_help(out, help);
    out.push_str("\n# TYPE ");
    out.push_str(name);
    out.push(' ');
    out.push_str(kind);
    out.push('\n');
}

type Labels<'a> = (&'a [String], &'a [String]);

fn encode_family<M: Instrument>(
    out: &mut String,
    family: &Family<M>,
    kind: MetricKind,
    mut series: impl FnMut(&mut String, &str, Labels<'_>, &M) -> fmt::Result,
) -> fmt::Result {
    let desc = family.descriptor();
    let counter_name;
    let name = if kind == MetricKind::Counter {
        counter_name = format!("{}_total", desc.sample_base(kind));
        counter_name.as_str()
    } else {
        desc.name.as_str()
    };
    header(out, name, &desc.help_text(), kind.as_str());
    family.with_series(|map: &SeriesMap<M>, overflow| {
        for super::super::family::Series { values, handle, .. } in &map.entries {
            series(out, name, (&desc.label_names, values), handle)?;
        }
        if let Some(handle) = overflow {
            let names = [OVERFLOW_LABELS[0].0.to_owned()];
            let values = [OVERFLOW_LABELS[0].1.to_owned()];
            series(out, name, (&names, &values), handle)?;
        }
        Ok(())
    })
}

fn sample(
    out: &mut String,
    name: &str,
    suffix: &str,
    (names, values): Labels<'_>,
    le: Option<(&str, f64)>,
    value: impl FnOnce(&mut String),
) -> fmt::Result {
    out.push_str(name);
    out.push_str(suffix);
    if !names.is_empty() || le.is_some() {
        out.push('{');
        for (i, (n, v)) in names.iter().zip(values).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(n);
            out.push_str("=\"");
            escape_label_value_into(out, v);
            out.push('"');
        }
        if let Some((label, bound)) = le {
            if !names.is_empty() {
                out.push(',');
            }
            out.push_str(label);
            out.push_str("=\"");
            number(out, bound);
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    value(out);
    out.push('\n');
    Ok(())
}

/// HELP in 0.0.4 escapes `\` and newline only.
fn escape_help(out: &mut String, help: &str) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A float as Go's `ParseFloat` reads it, with `+Inf`, `-Inf` and `NaN`.
pub(super) fn number(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        integer(out, value as i64);
    } else {
        out.push_str(dtoa::Buffer::new().format_finite(value));
    }
}

fn integer(out: &mut String, value: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_go_parsable() {
        let cases = [
            (1.0, "1"),
            (0.005, "0.005"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "+Inf"),
            (1e300, "1e300"),
        ];
        for (value, expected) in cases {
            let mut out = String::new();
            number(&mut out, value);
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn help_escapes_backslash_and_newline_only() {
        let mut out = String::new();
        escape_help(&mut out, "a\\b\n\"c\"");
        assert_eq!(out, "a\\\\b\\n\"c\"");
    }
}
