//! `Accept` negotiation for the exposition formats (RFC 9110 §12.5.1): q-values,
//! wildcards and the `version` parameter, falling back to text 0.0.4.

use super::Format;

/// One media range of an `Accept` header.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    version: Option<&'a str>,
    q: f32,
}

/// How a range matches a format: `None` when it does not, else its
/// specificity (the most specific matching range decides the q-value).
fn specificity(range: &Range<'_>, format: Format) -> Option<u8> {
    let (kind, subtype, version) = match format {
        Format::Prometheus => ("text", "plain", "0.0.4"),
        Format::OpenMetrics => ("application", "openmetrics-text", "1.0.0"),
    };
    if range.kind == "*" {
        return (range.subtype == "*").then_some(0);
    }
    if !range.kind.eq_ignore_ascii_case(kind) {
        return None;
    }
    if range.subtype == "*" {
        return Some(1);
    }
    if !range.subtype.eq_ignore_ascii_case(subtype) {
        return None;
    }
    match range.version {
        None => Some(2),
        Some(v) if v == version => Some(3),
        Some(_) => None, // a version we do not serve
    }
}

fn parse(accept: &str) -> impl Iterator<Item = Range<'_>> {
    accept.split(',').filter_map(|item| {
        let mut parts = item.split(';').map(str::trim);
        let (kind, subtype) = parts.next()?.split_once('/')?;
        let (kind, subtype) = (kind.trim(), subtype.trim());
        if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut range = Range {
            kind,
            subtype,
            version: None,
            q: 1.0,
        };
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("q") {
                // a malformed weight makes the whole range unusable
                range.q = value.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))?;
            } else if name.trim().eq_ignore_ascii_case("version") {
                range.version = Some(value);
            }
        }
        Some(range)
    })
}

/// The q-value the client gives `format`, and the position of the range
/// that decided it; `(0, usize::MAX)` when no range matches.
fn weight(accept: &str, format: Format) -> (f32, usize) {
    let mut best: Option<(u8, f32, usize)> = None;
    for (position, range) in parse(accept).enumerate() {
        if let Some(s) = specificity(&range, format) {
            if best.is_none_or(|(b, _, _)| s > b) {
                best = Some((s, range.q, position));
            }
        }
    }
    best.map_or((0.0, usize::MAX), |(_, q, position)| (q, position))
}

/// The format to answer with: the one with the higher q-value; on a tie the
/// one whose range comes first; text 0.0.4 when nothing listed is served.
///
/// Leading and trailing spaces, parameter case and quoted values are
/// tolerated; a range with a malformed `q` is ignored.
pub(crate) fn negotiate(accept: &str) -> Format {
    let (om_q, om_position) = weight(accept, Format::OpenMetrics);
    let (text_q, text_position) = weight(accept, Format::Prometheus);
    let prefers_openmetrics = om_q > text_q || (om_q == text_q && om_q > 0.0 && om_position < text_position);
    if prefers_openmetrics {
        Format::OpenMetrics
    } else {
        Format::Prometheus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Format::{OpenMetrics as Om, Prometheus as Text};

    #[test]
    fn negotiation_table() {
        let cases = [
            ("", Text),
            ("*/*", Text),
            ("text/plain", Text),
            ("text/plain;version=0.0.4", Text),
            ("application/openmetrics-text", Om),
            ("application/openmetrics-text; version=1.0.0", Om),
            ("application/openmetrics-text; version=\"1.0.0\"", Om),
            ("Application/OpenMetrics-Text; Version=1.0.0; Q=0.1", Om),
            // Prometheus 2.x
            (
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                 text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                Om,
            ),
            // Prometheus 3.x: protobuf first (not served), OpenMetrics next
            (
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,\
                 application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,\
                 text/plain;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.1,*/*;q=0.05",
                Om,
            ),
            // q-values decide, not the order
            ("text/plain;q=0.9, application/openmetrics-text;q=0.5", Text),
            ("text/plain;q=0.5, application/openmetrics-text;q=0.9", Om),
            // a tie goes to the range listed first
            ("application/openmetrics-text, text/plain", Om),
            ("text/plain, application/openmetrics-text", Text),
            // refused with q=0
            ("application/openmetrics-text;q=0", Text),
            ("application/openmetrics-text;q=0.0, text/plain;q=0.2", Text),
            // the most specific range decides: OpenMetrics refused, the rest welcome
            ("application/openmetrics-text;q=0, */*", Text),
            ("text/plain;q=0, */*", Om),
            ("application/*", Om),
            ("text/*;q=0.3, application/*;q=0.2", Text),
            // versions we do not serve are not matches
            ("application/openmetrics-text;version=0.0.1", Text),
            ("application/openmetrics-text;version=2.0.0, text/plain;q=0.1", Text),
            ("text/plain;version=1.0.0, application/openmetrics-text;q=0.1", Om),
            // malformed input falls back to text
            ("application/openmetrics-text;q=high", Text),
            ("application/openmetrics-text;q=2", Text),
            ("garbage, ,;;,/", Text),
            ("*/plain", Text),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "Accept: {accept}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_headers(accept in any::<String>()) {
            let _ = negotiate(&accept);
        }

        #[test]
        fn openmetrics_only_when_asked_for(
            accept in "[a-zA-Z*/;,=. \"0-9-]{0,80}",
        ) {
            let lower = accept.to_ascii_lowercase().replace(' ', "");
            let may_match = lower.contains("openmetrics") || lower.contains("application/*")
                || lower.contains("*/*");
            if !may_match {
                prop_assert_eq!(negotiate(&accept), Format::Prometheus);
            }
        }
    }
}
