//! [`Selector`]: a metric name and equality label matchers.

use crate::domain::rules;
use crate::error::Result;

use super::promql;

/// Most label matchers one selector may carry.
pub const MAX_MATCHERS: usize = 16;

/// A metric name as it is exposed (`http_requests_total`, a histogram's base
/// name `http_request_duration_seconds`) and equality matchers on its labels.
/// A rule sums every series the selector matches, grouped by the matched
/// label names, so the alert carries those labels (`{{ $labels.route }}`).
///
/// ```
/// use observa::alerts::rules::Selector;
///
/// let errors = Selector::new("http_requests_total")?.label("code", "500")?;
/// assert_eq!(errors.to_promql(), r#"http_requests_total{code="500"}"#);
/// assert!(Selector::new("bad-name").is_err());
/// assert!(Selector::new("x")?.label("__name__", "y").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    metric: String,
    matchers: Vec<(String, String)>,
}

impl Selector {
    /// Selects every series of `metric`.
    pub fn new(metric: impl Into<String>) -> Result<Selector> {
        let metric = metric.into();
        rules::metric_name("alert rule", &metric)?;
        Ok(Selector {
            metric,
            matchers: Vec::new(),
        })
    }

    /// Keeps only series whose label `name` equals `value` (replacing an
    /// earlier matcher on `name`).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Result<Selector> {
        let (name, value) = (name.into(), value.into());
        rules::label_name("alert rule", &name)?;
        rules::label_value("alert rule", &value)?;
        self.matchers.retain(|(n, _)| *n != name);
        rules::at_most("alert rule", "matchers", self.matchers.len() + 1, MAX_MATCHERS)?;
        self.matchers.push((name, value));
        self.matchers.sort();
        Ok(self)
    }

    /// The metric name.
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// The matchers, sorted by label name.
    ///
    /// ```
    /// # use observa::alerts::rules::Selector;
    /// let s = Selector::new("x")?.label("b", "2")?.label("a", "1")?;
    /// assert_eq!(s.matchers()[0], ("a".to_owned(), "1".to_owned()));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn matchers(&self) -> &[(String, String)] {
        &self.matchers
    }

    /// The selector in PromQL (`name{a="b"}`).
    pub fn to_promql(&self) -> String {
        self.with_suffix("", None)
    }

    /// `metric + suffix` with the matchers and an optional extra matcher.
    pub(crate) fn with_suffix(&self, suffix: &str, extra: Option<(&str, &str)>) -> String {
        let mut parts: Vec<String> = self
            .matchers
            .iter()
            .map(|(n, v)| format!("{n}={}", promql::quoted(v)))
            .collect();
        if let Some((n, v)) = extra {
            parts.push(format!("{n}={}", promql::quoted(v)));
        }
        if parts.is_empty() {
            return format!("{}{suffix}", self.metric);
        }
        format!("{}{suffix}{{{}}}", self.metric, parts.join(","))
    }

    /// `sum by (matched labels, extra) (inner)`: one output series carrying the matched labels.
    pub(crate) fn sum(&self, inner: &str, extra: &[&str]) -> String {
        let mut by: Vec<&str> = extra.to_vec();
        by.extend(self.matchers.iter().map(|(n, _)| n.as_str()));
        format!("sum by ({}) ({inner})", by.join(", "))
    }

    /// Whether a series with these label names and values matches; a label
    /// the series lacks counts as the empty value, as in PromQL.
    pub(crate) fn matches(&self, names: &[String], values: &[String]) -> bool {
        self.matchers.iter().all(|(name, want)| {
            let have = names
                .iter()
                .position(|n| n == name)
                .map_or("", |i| values[i].as_str());
            have == want
        })
    }
}
